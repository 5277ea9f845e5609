"""Plugins switched off answer what the original answers (gekko-server.md §5.1, gekko-engine.md §7).

A plugin loads only when its section does not say ``enabled: false``: without the paper trader an
advice trades nothing, so the analyzer never sees a portfolio (no roundtrips, no report); without the
analyzer the paper trader still trades but nothing books roundtrips or reports; without the trading
advisor nothing is batched or advised at all.
"""

from __future__ import annotations

import pytest

from gekko_common.engine import Candles, Engine, merge_base_config, run_backtest
from gekko_common.events import Advice, PerformanceReport, Roundtrip, StratCandle, TradeCompleted
from tests.conftest import SMALL_CSV

MACD = {"short": 10, "long": 21, "signal": 9, "thresholds": {"down": -0.025, "up": 0.025, "persistence": 1}}


def config(updates: bool, **plugins: dict) -> dict:
    body = {
        "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
        "paperTrader": {"enabled": True, "simulationBalance": {"asset": 1, "currency": 100}},
        "tradingAdvisor": {"enabled": True, "method": "MACD", "candleSize": 30, "historySize": 10},
        "MACD": MACD,
        "performanceAnalyzer": {"enabled": True, "riskFreeReturn": 2},
        "backtestResultExporter": {
            "enabled": True,
            # stratUpdates runs the step-by-step strategy; without it the compiled one runs
            "data": {"stratUpdates": updates, "portfolioValues": True, "stratCandleProps": ["open"]},
        },
    }
    for name, section in plugins.items():
        body[name] = {**body.get(name, {}), **section}
    return merge_base_config(body)


@pytest.fixture(scope="module")
def candles() -> Candles:
    return Candles.from_csv(SMALL_CSV)


@pytest.fixture(scope="module", params=[False, True], ids=["compiled", "step-by-step"])
def updates(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def test_all_plugins_on_trade_and_report(candles: Candles, updates: bool) -> None:
    result = run_backtest(config(updates), candles)
    assert result["trades"]
    assert result["roundtrips"]
    assert "performanceReport" in result


def test_paper_trader_off_trades_nothing_and_reports_nothing(candles: Candles, updates: bool) -> None:
    on = run_backtest(config(updates), candles)
    off = run_backtest(config(updates, paperTrader={"enabled": False}), candles)
    assert list(off) == [k for k in on if k != "performanceReport"]
    assert off["trades"] == []
    assert off["roundtrips"] == []
    # the strategy still runs: the same candles, without a portfolio value (none was ever emitted)
    assert off["stratCandles"] == [{k: v for k, v in c.items() if k != "portfolioValue"} for c in on["stratCandles"]]
    if updates:
        assert off["stratUpdates"] == on["stratUpdates"]


def test_performance_analyzer_off_trades_without_roundtrips_or_report(candles: Candles, updates: bool) -> None:
    on = run_backtest(config(updates), candles)
    off = run_backtest(config(updates, performanceAnalyzer={"enabled": False}), candles)
    assert list(off) == [k for k in on if k != "performanceReport"]
    assert off["trades"] == on["trades"]
    assert off["roundtrips"] == []
    assert off["stratCandles"] == on["stratCandles"]


def test_trading_advisor_off_runs_nothing(candles: Candles) -> None:
    off = run_backtest(config(False, tradingAdvisor={"enabled": False}), candles)
    assert off["tradingAdvisor"]["enabled"] is False
    assert off["strategyParameters"] == MACD
    assert (off["roundtrips"], off["stratCandles"], off["trades"]) == ([], [], [])
    assert "performanceReport" not in off


def test_an_absent_enabled_key_keeps_a_plugin_on(candles: Candles) -> None:
    cfg = config(False)
    del cfg["paperTrader"]["enabled"]
    del cfg["performanceAnalyzer"]["enabled"]
    assert run_backtest(cfg, candles) == run_backtest(config(False), candles)


def feed_all(engine: Engine, candles: Candles) -> list:
    columns = ("start", "open", "high", "low", "close", "vwp", "volume", "trades")
    events = []
    for i in range(len(candles)):
        events += engine.feed({c: getattr(candles, c)[i].item() for c in columns})
    return events + engine.finish()


def test_a_live_run_without_paper_trader_or_analyzer_emits_only_what_runs(candles: Candles) -> None:
    everything = {type(e) for e in feed_all(Engine(config(False)), candles)}
    assert {Advice, TradeCompleted, Roundtrip, PerformanceReport} <= everything
    no_paper = {type(e) for e in feed_all(Engine(config(False, paperTrader={"enabled": False})), candles)}
    assert Advice in no_paper
    assert not {TradeCompleted, Roundtrip, PerformanceReport} & no_paper
    no_analyzer = {type(e) for e in feed_all(Engine(config(False, performanceAnalyzer={"enabled": False})), candles)}
    assert TradeCompleted in no_analyzer
    assert not {Roundtrip, PerformanceReport} & no_analyzer
    assert StratCandle in no_analyzer
