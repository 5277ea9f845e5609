"""Batched evaluation of many parameter sets gives each set's performanceReport exactly as run_backtest."""

from __future__ import annotations

import copy
import random

import pytest

from gekko_common.engine import Candles, merge_base_config, run_backtest
from gekko_common.engine.batch import evaluate
from gekko_common.engine.kernels import KERNELS
from gekko_common.errors import ConfigError
from tests.conftest import FULL_CSV
from tests.unit.engine.test_kernels import PARAMS


@pytest.fixture(scope="module")
def candles() -> Candles:
    allc = Candles.from_csv(FULL_CSV)
    return allc.take(slice(0, 40 * 1440))


def jitter(value: object, rng: random.Random) -> object:
    if isinstance(value, dict):
        return {k: jitter(v, rng) for k, v in value.items()}
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, int):
        return max(1, round(value * rng.choice([0.5, 0.8, 1, 1.3, 2])))
    return value * rng.choice([0.5, 0.8, 1, 1.25, 2])


def configs(method: str, count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        balance = rng.choice([{"asset": 1, "currency": 100}, {"asset": 0, "currency": 1000}])
        out.append(
            merge_base_config(
                {
                    "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
                    "paperTrader": {"feeMaker": rng.choice([0.1, 0.25]), "feeUsing": "maker",
                                    "simulationBalance": balance},
                    "tradingAdvisor": {"enabled": True, "method": method, "candleSize": rng.choice([1, 15, 60]),
                                       "historySize": rng.choice([0, 1, 10, 40])},
                    method: jitter(copy.deepcopy(PARAMS[method]), rng),
                }
            )
        )  # fmt: skip
    return out


@pytest.mark.parametrize("method", sorted(cls.name for cls in KERNELS))
def test_every_sampled_set_of_a_compiled_strategy_has_the_single_backtests_report(method, candles) -> None:
    sets = configs(method, 8, seed=len(method))
    batched = evaluate(sets, candles)
    singles = [run_backtest(c, candles).get("performanceReport") for c in sets]
    assert [e.report for e in batched] == singles
    assert any(s is not None for s in singles)


def test_an_interpreted_strategy_beside_a_compiled_one_takes_the_pipeline(candles) -> None:
    sets = configs("MACD", 2, seed=1)
    sets[1]["tradingAdvisor"]["method"] = "varPPO"
    sets[1]["varPPO"] = {"momentum": "RSI", "thresholds": {"weightLow": 120, "weightHigh": -120, "persistence": 0}}
    reports = [e.report for e in evaluate(sets, candles)]
    assert reports == [run_backtest(c, candles).get("performanceReport") for c in sets]


def test_metrics_come_beside_the_report_which_keeps_gekkos_fields(candles) -> None:
    (one,) = evaluate(configs("MACD", 1, seed=3), candles)
    assert one.report is not None
    assert "maxDrawdown" not in one.report
    assert set(one.metrics) == {"maxDrawdown", "sortino", "winRate", "profitFactor"}
    assert 0 <= one.metrics["maxDrawdown"] <= 100


def test_configs_sharing_their_sections_are_each_checked_for_a_strategy_block_object(candles) -> None:
    good = configs("MACD", 1, seed=5)[0]
    bad = {**good, "MACD": "fast"}
    with pytest.raises(ConfigError, match="MACD"):
        evaluate([good, bad], candles)
