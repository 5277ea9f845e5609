"""Shared data for the parity suites: the real candles, parsed once per session."""

from __future__ import annotations

import pytest

from gekko_common.engine import Candles
from tests.conftest import FULL_CSV, REFERENCE, SMALL_CSV


@pytest.fixture(scope="session")
def full_candles() -> Candles:
    return Candles.from_csv(FULL_CSV)


@pytest.fixture(scope="session")
def small_candles() -> Candles:
    return Candles.from_csv(SMALL_CSV)


BACKTEST_CASES = sorted((REFERENCE / "backtests").glob("*.json.gz"))
