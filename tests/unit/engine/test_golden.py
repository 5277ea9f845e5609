"""Golden results produced by running the original's code (tests/reference/engine/golden.json)."""

from __future__ import annotations

import json
import math
import random

import pytest

from gekko_common.engine import Candles, Strategy, StrategyCandle, merge_base_config, run_backtest
from gekko_common.engine.strategies import PPO_DEFAULTS, TSI_DEFAULTS
from gekko_common.engine.strategy import registered
from tests.conftest import FULL_CSV, REFERENCE, SMALL_CSV

GOLDEN = json.loads((REFERENCE / "engine" / "golden.json").read_text())

BASE = {
    "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
    "paperTrader": {
        "feeMaker": 0.25,
        "feeTaker": 0.25,
        "feeUsing": "maker",
        "simulationBalance": {"asset": 1, "currency": 100},
    },
    "performanceAnalyzer": {"riskFreeReturn": 2},
    "backtestResultExporter": {
        "enabled": True,
        "data": {
            "stratUpdates": True,
            "roundtrips": True,
            "stratCandles": True,
            "portfolioValues": True,
            "trades": True,
        },
    },
}


def config(method: str, candle_size: int, history: int) -> dict:
    import tomllib

    cfg = merge_base_config(
        {
            **BASE,
            "tradingAdvisor": {"enabled": True, "method": method, "candleSize": candle_size, "historySize": history},
        }
    )
    cfg[method] = tomllib.loads(registered()[method].params)
    if method == "varPPO":
        cfg["PPO"], cfg["TSI"] = PPO_DEFAULTS, TSI_DEFAULTS
    return cfg


def table(name: str) -> list[dict[str, str]]:
    """The rows of one golden table, each cell as the text the original's run printed."""
    return GOLDEN[name]


def number(text: str):
    text = text.strip().strip('"')
    if text == "null":
        return None
    return float(text)


def check_row(report: dict | None, row: dict[str, str], result: dict) -> None:
    if row["trades"] == "0":
        assert report is None
        return
    assert report is not None
    assert report["trades"] == int(row["trades"])
    assert len(result["roundtrips"]) == int(row["roundtrips"])
    for key in ("balance", "relativeProfit", "sharpe", "downside", "exposure", "alpha"):
        assert report[key] == number(row[key]), key
    ratio = row["ratioRoundTrips"]
    assert report["ratioRoundTrips"] == (ratio.strip('"') if ratio.startswith('"') else 100)
    action, date, _, price = row["first trade (action, date, price)"].split()
    first = result["trades"][0]
    assert (first["action"], first["date"], first["price"]) == (action, int(date), float(price))


RUNS = {
    "Run A": (SMALL_CSV, 60, 10),
    "Run B": (SMALL_CSV, 15, 20),
    "Run C": (FULL_CSV, 60, 10),
}


@pytest.fixture(scope="module")
def data() -> dict:
    return {SMALL_CSV: Candles.from_csv(SMALL_CSV), FULL_CSV: Candles.from_csv(FULL_CSV)}


@pytest.mark.parametrize("run", list(RUNS))
def test_builtin_strategies_reproduce_the_golden_table(run: str, data) -> None:
    path, size, history = RUNS[run]
    rows = table(run)
    assert rows
    for row in rows:
        method = row["strategy"]
        result = run_backtest(config(method, size, history), data[path])
        check_row(result.get("performanceReport"), row, result)


class Scripted(Strategy):
    """The golden scripted run's strategy: long, short, then long with a trailing stop."""

    name = "scripted"

    def init(self) -> None:
        self.calls = 0

    def check(self, candle: StrategyCandle) -> None:
        if self.calls == 0:
            self.advice("long")
        elif self.calls == 1:
            self.advice("short")
        elif self.calls == 2:
            self.advice({"direction": "long", "trigger": {"type": "trailingStop", "trailValue": 0.5}})
        else:
            self.advice()
        self.calls += 1


def scripted_candles() -> Candles:
    cols = list(zip(*GOLDEN["scripted_candles"], strict=True))
    names = ("start", "open", "high", "low", "close", "vwp", "volume", "trades")
    return Candles.from_columns(dict(zip(names, cols, strict=True)))


def test_scripted_example_with_trailing_stop_matches_the_golden_export(monkeypatch) -> None:
    from gekko_common.engine import strategy as strategy_module

    monkeypatch.setitem(strategy_module._REGISTRY.strategies, "scripted", Scripted)
    result = run_backtest(
        config("noop", 3, 2)
        | {"tradingAdvisor": {"enabled": True, "method": "scripted", "candleSize": 3, "historySize": 2}},
        scripted_candles(),
    )
    report = result["performanceReport"]
    assert report == {
        "startTime": "2018-01-01 00:05:00",
        "endTime": "2018-01-01 00:21:00",
        "timespan": "16 minutes",
        "market": 1.5197538118333682,
        "balance": 1088.597676,
        "profit": -15.512324000000035,
        "relativeProfit": -1.4049618244558957,
        "yearlyProfit": -509918.39987130114,
        "relativeYearlyProfit": -46183.65922519492,
        "startPrice": 1004.11,
        "endPrice": 1019.37,
        "trades": 4,
        "startBalance": 1104.1100000000001,
        "exposure": 0.3125,
        "sharpe": -1010499.395235827,
        "downside": -0.8508893627356161,
        "ratioRoundTrips": "0.0000",
        "alpha": -2.924715636289264,
    }
    trades = [{k: v for k, v in t.items() if k != "portfolio"} for t in result["trades"]]
    assert [(t["id"], t["action"], t["amount"], t["balance"], t["date"]) for t in trades] == [
        ("trade-1", "buy", 1.0993417, 1103.8599943870001, 1514765160),
        ("trade-2", "sell", 1.0965933457429264, 1097.21840395, 1514765340),
        ("trade-3", "buy", 1.08225668, 1094.4753579172, 1514765520),
        ("trade-3", "sell", 1.079551038299054, 1088.597676, 1514765640),
    ]
    assert [t["cost"] for t in trades] == [
        0.24999999999999467,
        2.749920811922442,
        2.7430460098749414,
        2.7283149774459416,
    ]
    assert [rt["pnl"] for rt in result["roundtrips"]] == [-6.641590437000104, -5.8776819171998795]
    assert [c.get("portfolioValue") for c in result["stratCandles"]] == [
        None,
        None,
        1102.079060833,
        1097.21840395,
        1088.597676,
        1088.597676,
        1088.597676,
    ]
    assert [c["vwp"] for c in result["stratCandles"]][:2] == [1001.510235644051, 1003.4369181325058]


def synthetic() -> Candles:
    """The golden synthetic run's generator, reproduced exactly (CPython's random)."""
    rng = random.Random(11)
    p = 1000.0
    rows = []
    for i in range(4320):
        base = 1000 + 80 * math.sin(i / 300.0) + 30 * math.sin(i / 47.0)
        o = p
        c = round(base + rng.gauss(0, 3), 2)
        if 1000 < i < 1300:
            c = o
        h = round(max(o, c) + abs(rng.gauss(0, 1.5)), 2)
        lo = round(min(o, c) - abs(rng.gauss(0, 1.5)), 2)
        v = round(abs(rng.gauss(3, 2)), 8)
        if 1000 < i < 1300:
            h = lo = c = o
            v = 0
        p = c
        if 100 <= i <= 110 or i == 2000 or 3000 <= i <= 3040:
            continue
        vwp = round((o + c) / 2, 4) if v else o
        trades = rng.randint(1, 20) if v else 0
        rows.append((1514764800 + 60 * i, o, h, lo, c, vwp, v, trades))
    names = ("start", "open", "high", "low", "close", "vwp", "volume", "trades")
    return Candles.from_columns(dict(zip(names, zip(*rows, strict=True), strict=True)))


def test_synthetic_data_with_gaps_matches_the_golden_table() -> None:
    candles = synthetic()
    assert len(candles) == 4267
    assert math.fsum(candles.close) == 4315846.59
    candles = candles.between(1514765220, 1514764800 + 2 * 86400 + 20 * 3600)
    for row in table("synthetic"):
        result = run_backtest(config(row["strategy"], 15, 20), candles)
        report = result["performanceReport"]
        assert report["startTime"] == "2018-01-01 05:17:00"
        assert report["endTime"] == "2018-01-03 20:01:00"
        assert report["trades"] == int(row["trades"])
        for key in ("balance", "sharpe", "downside", "exposure", "alpha"):
            assert report[key] == number(row[key]), (row["strategy"], key)
        assert len(result["stratCandles"]) == 268
