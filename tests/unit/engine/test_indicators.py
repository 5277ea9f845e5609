"""Indicator test vectors of the original (tests/reference/engine/indicator-vectors.json), compared exactly."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from gekko_common.engine.indicators import CCI, DEMA, EMA, LRC, MACD, PPO, RSI, SMA, SMMA, TSI, UO
from tests.conftest import REFERENCE

VECTORS = json.loads((REFERENCE / "engine" / "indicator-vectors.json").read_text())


def vector(name: str) -> list:
    return VECTORS[name]


PRICES = vector("prices")


def feed(indicator, values, read=lambda i: i.result, as_candle=False):
    out = []
    for p in values:
        indicator.update(SimpleNamespace(close=p) if as_candle else p)
        out.append(read(indicator))
    return out


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("ema10", lambda: EMA(10)),
        ("ema12", lambda: EMA(12)),
        ("ema26", lambda: EMA(26)),
        ("sma10", lambda: SMA(10)),
        ("sma12", lambda: SMA(12)),
        ("sma26", lambda: SMA(26)),
        ("smma2", lambda: SMMA(2)),
        ("smma12", lambda: SMMA(12)),
        ("smma26", lambda: SMMA(26)),
        ("dema10", lambda: DEMA({"weight": 10})),
    ],
)
def test_price_indicator_matches_the_original_vector_exactly(name, make) -> None:
    assert feed(make(), PRICES) == vector(name)


@pytest.mark.parametrize("interval", [2, 12, 26])
def test_rsi_matches_the_original_vector_exactly(interval) -> None:
    assert feed(RSI({"interval": interval}), PRICES, as_candle=True) == vector(f"rsi{interval}")


def test_macd_diff_signal_and_histogram_match_exactly() -> None:
    macd = MACD({"short": 12, "long": 26, "signal": 9})
    rows = feed(macd, PRICES, read=lambda m: (m.diff, m.signal.result, m.result))
    assert [r[0] for r in rows] == vector("macd12v26v9diff")
    assert [r[1] for r in rows] == vector("macd12v26v9signal")
    assert [r[2] for r in rows] == vector("macd12v26v9result")


def test_ppo_matches_exactly() -> None:
    rows = feed(PPO({"short": 12, "long": 26, "signal": 9}), PRICES, read=lambda p: dict(p.result))
    assert [r["ppo"] for r in rows] == vector("ppo12v26v9")
    assert [r["PPOsignal"] for r in rows] == vector("ppo12v26v9signal")
    assert [r["PPOhist"] for r in rows] == vector("ppo12v26v9hist")


@pytest.mark.parametrize("history", [8, 10, 12])
def test_cci_matches_to_six_decimals(history) -> None:
    cci = CCI({"history": history, "constant": 0.015})
    out = []
    for h, lo, c in zip(vector("cci_high"), vector("cci_low"), vector("cci_close"), strict=True):
        cci.update(SimpleNamespace(high=h, low=lo, close=c))
        out.append(round(cci.result or 0, 6))
    assert out == [round(v, 6) for v in vector(f"cci{history}")]


SHORT = [81, 24, 75, 21, 34, 25, 72, 92, 99, 2, 86, 80]


def test_lrc_tsi_and_uo_match_the_extra_vectors() -> None:
    lrc, tsi, uo = vector("lrc4"), vector("tsi3v5"), vector("uo4x2v2x3v1x4")
    assert feed(LRC(4), SHORT) == lrc
    assert feed(TSI({"short": 3, "long": 5}), SHORT, read=lambda t: t.tsi, as_candle=True) == tsi
    u = UO(
        {"first": {"weight": 4, "period": 2}, "second": {"weight": 2, "period": 3}, "third": {"weight": 1, "period": 4}}
    )
    out = []
    for p in SHORT:
        u.update(SimpleNamespace(close=p, high=p + 5, low=p - 5))
        out.append(u.uo)
    assert out == uo
