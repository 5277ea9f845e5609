"""The compiled fast path gives exactly what the general pipeline gives."""

from __future__ import annotations

import pytest

from gekko_common.engine import Candles, ConfigError, merge_base_config, run_backtest
from gekko_common.engine.backtest import choose_backend
from gekko_common.engine.exporter import Exporter
from gekko_common.engine.kernels import KERNELS
from tests.conftest import FULL_CSV, SMALL_CSV

PARAMS = {
    "MACD": {"short": 10, "long": 21, "signal": 9, "thresholds": {"down": -0.025, "up": 0.025, "persistence": 1}},
    "PPO": {"short": 12, "long": 26, "signal": 9, "thresholds": {"down": -0.025, "up": 0.025, "persistence": 2}},
    "RSI": {"interval": 14, "thresholds": {"low": 30, "high": 70, "persistence": 1}},
    "StochRSI": {"interval": 3, "thresholds": {"low": 20, "high": 80, "persistence": 3}},
    "CCI": {"constant": 0.015, "history": 90, "thresholds": {"up": 100, "down": -100, "persistence": 0}},
    "TSI": {"short": 13, "long": 25, "thresholds": {"low": -25, "high": 25, "persistence": 1}},
    "UO": {
        "first": {"weight": 4, "period": 7},
        "second": {"weight": 2, "period": 14},
        "third": {"weight": 1, "period": 28},
        "thresholds": {"low": 30, "high": 70, "persistence": 1},
    },
    "DEMA": {"weight": 21, "thresholds": {"down": -0.025, "up": 0.025}},
    "TMA": {"short": 7, "medium": 25, "long": 99, "thresholds": {}},
    "varPPO": {"momentum": "TSI", "thresholds": {"weightLow": 120, "weightHigh": -120, "persistence": 0}},
}


def config(method: str, size: int, history: int, params: dict, updates: bool) -> dict:
    return merge_base_config(
        {
            "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
            "paperTrader": {
                "feeMaker": 0.25,
                "feeTaker": 0.1,
                "feeUsing": "taker",
                "simulationBalance": {"asset": 0, "currency": 1000},
            },
            "tradingAdvisor": {"enabled": True, "method": method, "candleSize": size, "historySize": history},
            method: params,
            "performanceAnalyzer": {"riskFreeReturn": 2},
            # stratUpdates forces the general pipeline; without it the kernel runs
            "backtestResultExporter": {
                "enabled": True,
                "data": {"stratUpdates": updates, "stratCandleProps": ["open", "close"]},
            },
        }
    )


@pytest.fixture(scope="module")
def candles() -> dict[str, Candles]:
    return {"small": Candles.from_csv(SMALL_CSV), "full": Candles.from_csv(FULL_CSV)}


@pytest.mark.parametrize("method", sorted(cls.name for cls in KERNELS))
@pytest.mark.parametrize(
    ("data", "size", "history", "scale"),
    [
        ("small", 1, 0, 1.0),
        ("small", 7, 3, 0.5),
        ("full", 30, 25, 2.0),
        ("full", 120, 1, 1.0),
    ],
)
def test_kernel_path_equals_general_path(candles, method, data, size, history, scale) -> None:
    params = {**PARAMS[method], "thresholds": dict(PARAMS[method]["thresholds"])}
    for key in ("up", "down", "low", "high"):
        if key in params["thresholds"]:
            params["thresholds"][key] *= scale
    fast = run_backtest(config(method, size, history, params, updates=False), candles[data])
    slow = run_backtest(config(method, size, history, params, updates=True), candles[data])
    slow.pop("stratUpdates")
    assert fast == slow
    assert fast["trades"], "the case trades"


@pytest.mark.parametrize(("data", "size", "history", "persistence"), [("small", 1, 5, 2), ("full", 30, 25, 3)])
def test_cci_kernel_with_persistence_and_a_short_history(candles, data, size, history, persistence) -> None:
    params = {"constant": 0.015, "history": 20, "thresholds": {"up": 100, "down": -100, "persistence": persistence}}
    fast = run_backtest(config("CCI", size, history, params, updates=False), candles[data])
    slow = run_backtest(config("CCI", size, history, params, updates=True), candles[data])
    slow.pop("stratUpdates")
    assert fast == slow
    assert fast["trades"], "the case trades"


@pytest.mark.parametrize(
    ("momentum", "blocks"),
    [
        ("UO", {}),
        (
            "TSI",
            {
                "PPO": {"short": 9, "long": 20, "signal": 5},
                "TSI": {"short": 7, "long": 19, "thresholds": {"low": -20, "high": 20}},
            },
        ),
    ],
)
def test_varppo_kernel_reads_the_ppo_and_momentum_blocks(candles, momentum, blocks) -> None:
    params = {"momentum": momentum, "thresholds": {"weightLow": 100, "weightHigh": -100, "persistence": 2}}
    fast_cfg = {**config("varPPO", 15, 10, params, updates=False), **blocks}
    slow_cfg = {**config("varPPO", 15, 10, params, updates=True), **blocks}
    fast = run_backtest(fast_cfg, candles["full"])
    slow = run_backtest(slow_cfg, candles["full"])
    slow.pop("stratUpdates")
    assert fast == slow
    assert fast["trades"], "the case trades"


def backend_of(cfg: dict) -> tuple[str, str]:
    return choose_backend(cfg, Exporter(cfg["backtestResultExporter"]["data"]))


@pytest.mark.parametrize("method", sorted(cls.name for cls in KERNELS))
def test_every_kernel_takes_the_default_parameters_and_stratupdates_need_the_stepwise_backend(method) -> None:
    assert backend_of(config(method, 5, 3, PARAMS[method], updates=False)) == ("compiled", "built-in kernel")
    assert backend_of(config(method, 5, 3, PARAMS[method], updates=True))[0] == "stepwise"


@pytest.mark.parametrize(
    ("method", "params", "reason"),
    [
        ("MACD", {"short": 10, "long": 21, "thresholds": {"down": -1, "up": 1, "persistence": 1}}, "signal"),
        ("StochRSI", {"interval": 2.5, "thresholds": {"low": 20, "high": 80, "persistence": 3}}, "interval"),
        ("varPPO", {"momentum": "RSI"}, "momentum RSI"),
        ("TMA", {"short": "7", "medium": 25, "long": 99}, "short"),
    ],
)
def test_parameters_a_kernel_cannot_take_run_stepwise_and_say_why(candles, method, params, reason) -> None:
    cfg = config(method, 5, 3, params, updates=False)
    backend, why = backend_of(cfg)
    assert backend == "stepwise"
    assert reason in why
    if method == "MACD":  # the step-by-step strategy reports the missing parameter
        with pytest.raises(ConfigError, match="signal"):
            run_backtest(cfg, candles["small"])


def test_an_explicit_backend_is_used() -> None:
    candles = Candles.from_csv(SMALL_CSV)
    cfg = config("RSI", 5, 3, PARAMS["RSI"], updates=False)
    assert run_backtest(cfg, candles, backend="stepwise") == run_backtest(cfg, candles, backend="compiled")
