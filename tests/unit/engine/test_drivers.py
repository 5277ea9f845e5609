"""The live driver (one candle at a time) and the batch driver give the same trades; strategies API."""

from __future__ import annotations

import textwrap

import pytest

from gekko_common.engine import (
    Candles,
    ConfigError,
    Engine,
    StrategyError,
    load_strategy_dir,
    merge_base_config,
    run_backtest,
    strategy_catalog,
)
from gekko_common.events import PerformanceReport, TradeCompleted, event_from, exported, payload_of
from tests.conftest import SMALL_CSV, reference


def config(method: str, size: int, history: int = 10, **extra) -> dict:
    return merge_base_config(
        {
            "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
            "paperTrader": {
                "feeMaker": 0.25,
                "feeTaker": 0.25,
                "feeUsing": "maker",
                "simulationBalance": {"asset": 1, "currency": 100},
            },
            "tradingAdvisor": {"enabled": True, "method": method, "candleSize": size, "historySize": history},
            "performanceAnalyzer": {"riskFreeReturn": 2},
            "backtestResultExporter": {"enabled": True},
            **extra,
        }
    )


def wire(events: list) -> list[tuple[str, dict]]:
    """Typed events as (name, payload) pairs, dates as the websocket carries them."""
    return [(e.name, payload_of(e)) for e in events]


SOLD_REST = {
    "cost": 0.0,
    "price": 1.0,
    "portfolio": {"asset": 0.0, "currency": 0.5},
    "balance": 0.5,
    "effectivePrice": 1.0,
    "feePercent": None,
}


def live(cfg: dict, candles: Candles) -> tuple[list, list]:
    engine = Engine(cfg)
    events = []
    for i in range(len(candles)):
        events += engine.feed(
            {
                c: getattr(candles, c)[i].item()
                for c in ("start", "open", "high", "low", "close", "vwp", "volume", "trades")
            }
        )
    events += engine.finish()
    trades = [exported(e) for e in events if isinstance(e, TradeCompleted)]
    reports = [exported(e) for e in events if isinstance(e, PerformanceReport)]
    return trades, reports


@pytest.mark.parametrize(("method", "size"), [("MACD", 60), ("RSI", 5), ("DEBUG_single-advice", 30), ("StochRSI", 15)])
def test_live_feed_makes_the_same_trades_as_the_backtest(method, size) -> None:
    candles = Candles.from_csv(SMALL_CSV)
    cfg = config(method, size)
    batch = run_backtest(cfg, candles)
    trades, reports = live(cfg, candles)
    assert [(t["id"], t["action"], t["price"], t["amount"], t["balance"]) for t in trades] == [
        (t["id"], t["action"], t["price"], t["amount"], t["balance"]) for t in batch["trades"]
    ]
    if batch.get("performanceReport"):
        assert reports[-1] == batch["performanceReport"]


def test_live_feed_emits_candle_first_and_iso_dates() -> None:
    candles = Candles.from_csv(SMALL_CSV)
    engine = Engine(config("DEBUG_toggle-advice", 2, 1))
    first = wire(
        engine.feed(
            {
                c: getattr(candles, c)[0].item()
                for c in ("start", "open", "high", "low", "close", "vwp", "volume", "trades")
            }
        )
    )
    second = wire(
        engine.feed(
            {
                c: getattr(candles, c)[1].item()
                for c in ("start", "open", "high", "low", "close", "vwp", "volume", "trades")
            }
        )
    )
    assert first[0] == ("candle", first[0][1])
    assert first[0][1]["start"] == "2025-05-20T00:00:00.000Z"
    kinds = [k for k, _ in second]
    assert kinds[:4] == ["candle", "stratCandle", "stratWarmupCompleted", "advice"]
    assert dict(second)["stratCandle"]["start"] == "2025-05-20T00:00:00.000Z"
    assert dict(second)["advice"]["date"] == "2025-05-20T00:02:00.000Z"


def test_live_run_started_now_does_not_trade_on_historical_candles() -> None:
    candles = Candles.from_csv(SMALL_CSV)
    engine = Engine(config("MACD", 5, 1), realtime_since=int(candles.start[-1]) + 3600)
    kinds = set()
    for i in range(600):
        for kind, _ in wire(
            engine.feed(
                {
                    c: getattr(candles, c)[i].item()
                    for c in ("start", "open", "high", "low", "close", "vwp", "volume", "trades")
                }
            )
        ):
            kinds.add(kind)
    assert "stratWarmupCompleted" not in kinds
    assert "tradeCompleted" not in kinds


def test_catalog_serves_the_original_toml_for_every_builtin() -> None:
    recorded = {s["name"]: s["params"] for s in reference("api/002_strategies.json")["response"]}
    ours = strategy_catalog()
    assert [s["name"] for s in ours] == sorted(s["name"] for s in ours)
    for item in ours:
        assert item["params"] == recorded[item["name"]]
    assert {
        "DEMA",
        "MACD",
        "PPO",
        "RSI",
        "StochRSI",
        "CCI",
        "TSI",
        "UO",
        "TMA",
        "varPPO",
        "noop",
        "DEBUG_single-advice",
        "DEBUG_toggle-advice",
    } <= {s["name"] for s in ours}


def test_unknown_strategy_is_a_config_error_naming_the_method() -> None:
    with pytest.raises(ConfigError) as err:
        run_backtest(config("Nope", 60), Candles.from_csv(SMALL_CSV))
    assert err.value.field == "tradingAdvisor.method"


@pytest.mark.parametrize(
    ("size", "history", "field"),
    [(0, 10, "candleSize"), ("60", 10, "candleSize"), (1.5, 10, "candleSize"), (60, -1, "historySize")],
)
def test_bad_sizes_are_config_errors(size, history, field) -> None:
    with pytest.raises(ConfigError) as err:
        run_backtest(config("MACD", size, history), Candles.from_csv(SMALL_CSV))
    assert err.value.field == f"tradingAdvisor.{field}"


def test_missing_strategy_parameter_is_a_config_error_naming_the_strategy() -> None:
    with pytest.raises(ConfigError) as err:
        run_backtest(config("MACD", 60, MACD={"short": 10}), Candles.from_csv(SMALL_CSV))
    assert err.value.field == "MACD"


def test_user_strategy_from_a_directory_runs_and_its_exception_is_a_strategy_error(tmp_path) -> None:
    (tmp_path / "mine.py").write_text(
        textwrap.dedent("""
        from gekko_common.engine import Strategy, register

        @register
        class Crossing(Strategy):
            name = "my-crossing"
            params = "fast = 5\\n"

            def init(self):
                self.addIndicator("fast", "EMA", self.settings["fast"])
                self.addIndicator("slow", "SMA", 20)

            def check(self, candle):
                fast, slow = self.indicators["fast"].result, self.indicators["slow"].result
                self.advice("long" if fast > slow else "short")

        @register
        class Broken(Strategy):
            name = "my-broken"

            def check(self, candle):
                raise RuntimeError("boom")
    """)
    )
    assert load_strategy_dir(tmp_path) == ["my-broken", "my-crossing"]
    candles = Candles.from_csv(SMALL_CSV)
    result = run_backtest(config("my-crossing", 30, 5, **{"my-crossing": {"fast": 5}}), candles)
    assert result["performanceReport"]["trades"] > 2
    assert any(s["name"] == "my-crossing" and s["params"] == "fast = 5\n" for s in strategy_catalog())
    with pytest.raises(StrategyError, match="boom"):
        run_backtest(config("my-broken", 30, 5), candles)


def test_a_real_traders_engine_simulates_nothing_and_hands_the_strategy_the_exchanges_trades(tmp_path) -> None:
    (tmp_path / "stops.py").write_text(
        textwrap.dedent("""
        from gekko_common.engine import Strategy, register

        @register
        class Stops(Strategy):
            name = "test-stops"
            params = ""

            def init(self):
                self.trades = []

            def check(self, candle):
                self.advice({"direction": "long", "trigger": {"type": "trailingStop", "trailValue": 1e9}})

            def on_trade(self, trade):
                self.trades.append(trade)
                self.notify(f"{trade['action']} {trade['amount']}")
    """)
    )
    load_strategy_dir(tmp_path)
    candles = Candles.from_csv(SMALL_CSV)
    engine = Engine(config("test-stops", 1, 1), simulate=False)

    def feed(i: int) -> list:
        return wire(
            engine.feed(
                {
                    c: getattr(candles, c)[i].item()
                    for c in ("start", "open", "high", "low", "close", "vwp", "volume", "trades")
                }
            )
        )

    kinds = [k for i in range(3) for k, _ in feed(i)]
    assert "advice" in kinds
    assert not {"tradeInitiated", "tradeCompleted", "portfolioChange", "triggerCreated"} & set(kinds)  # no simulation
    # the exchange sold on the live stop of advice-1: the strategy hears of it and its direction flips
    sold = {"id": "trade-2", "adviceId": "advice-1", "action": "sell", "amount": 0.5, "date": 0}
    caused = wire(engine.trade(event_from(TradeCompleted, {**SOLD_REST, **sold})))
    assert caused == [("stratNotification", caused[0][1])]
    assert caused[0][1]["content"] == "sell 0.5"
    # long again: the flip made the same advice new, so it is given again
    assert "advice" in [k for k, _ in feed(3)]
