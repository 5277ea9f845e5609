"""This project's JavaScript versions of built-ins trade exactly like the Python built-ins on the real data."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

import pytest

from gekko_common.engine import load_strategy_dir, registered, run_backtest
from gekko_common.engine.strategy import _REGISTRY
from tests.conftest import ROOT
from tests.unit.engine.test_drivers import config


@pytest.fixture(scope="module", autouse=True)
def js_strategies() -> Iterator[None]:
    before = registered()
    load_strategy_dir(ROOT / "tests" / "strategies")
    yield
    _REGISTRY.strategies.clear()
    _REGISTRY.strategies.update(before)


@pytest.mark.parametrize(("builtin", "size", "history"), [("MACD", 60, 10), ("RSI", 15, 20), ("DEMA", 30, 30)])
def test_js_version_matches_the_builtin(builtin, size, history, full_candles) -> None:
    settings = tomllib.loads(registered()[builtin].params)
    exports = {"backtestResultExporter": {"enabled": True, "data": {"roundtrips": True, "trades": True}}}
    python = run_backtest(config(builtin, size, history, **{builtin: settings}, **exports), full_candles)
    js = run_backtest(config(f"js_{builtin}", size, history, **{f"js_{builtin}": settings}, **exports), full_candles)
    assert len(python["trades"]) > 10
    assert js["trades"] == python["trades"]
    assert js["roundtrips"] == python["roundtrips"]
    assert js["performanceReport"] == python["performanceReport"]
