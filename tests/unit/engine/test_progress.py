"""Backtest progress: the engine's hook on stepwise runs and the meter that turns it into reports."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from gekko_common.engine import Candles, load_strategy_dir, registered, run_backtest
from gekko_common.engine.strategy import _REGISTRY
from gekko_common.messages import BacktestProgress
from gekko_common.progress import BacktestMeter
from tests.conftest import ROOT, SMALL_CSV
from tests.unit.engine.test_drivers import config

CANDLES = Candles.from_csv(SMALL_CSV)


def test_a_stepwise_run_tells_its_progress_in_rising_candle_indexes_and_answers_the_same() -> None:
    cfg = config(
        "MACD",
        1,
        MACD={"short": 10, "long": 21, "signal": 9, "thresholds": {"down": -0.1, "up": 0.1, "persistence": 1}},
    )
    heard: list[int] = []
    told = run_backtest(cfg, CANDLES, "stepwise", heard.append)
    assert json.dumps(told) == json.dumps(run_backtest(cfg, CANDLES, "stepwise"))
    assert heard == sorted(heard)
    assert heard[0] == 0
    assert len(heard) == len(range(0, len(CANDLES), 64))  # every 64th strategy candle of candle size 1
    assert heard[-1] <= len(CANDLES) - 1


def test_a_compiled_run_has_no_steps_to_tell() -> None:
    cfg = config(
        "MACD",
        60,
        MACD={"short": 10, "long": 21, "signal": 9, "thresholds": {"down": -0.1, "up": 0.1, "persistence": 1}},
    )
    heard: list[int] = []
    run_backtest(cfg, CANDLES, "compiled", heard.append)
    assert heard == []


def meter(announce: bool, interval: float) -> tuple[BacktestMeter, list[BacktestProgress]]:
    reports: list[BacktestProgress] = []
    return BacktestMeter("run-1", CANDLES.start, reports.append, announce=announce, interval=interval), reports


def test_an_announced_run_reports_0_then_rising_percents_then_100_only_at_the_end() -> None:
    m, reports = meter(announce=True, interval=0)
    m.begin()
    for index in (0, 999, 2159, 4319):
        m(index)
    m.end()
    assert [r.percent for r in reports] == [0.0, 0.0, 23.1, 50.0, 99.9, 100.0]
    assert [r.candles for r in reports] == [0, 1, 1000, 2160, 4320, 4320]
    assert reports[0].at is None
    assert reports[1].at == "2025-05-20T00:00:00.000Z"
    assert reports[-1].at == "2025-05-22T23:59:00.000Z"
    assert {r.id for r in reports} == {"run-1"}
    assert all(r.total == 4320 for r in reports)


def test_an_unannounced_run_shorter_than_the_interval_reports_nothing() -> None:
    m, reports = meter(announce=False, interval=60)
    m.begin()
    for index in range(0, 4320, 64):
        m(index)
    m.end()
    assert reports == []


def test_an_unannounced_long_run_ends_with_100_percent() -> None:
    m, reports = meter(announce=False, interval=0)
    m.begin()
    m(2000)
    m.end()
    assert [r.percent for r in reports] == [46.3, 100.0]


@pytest.fixture
def js_strategies() -> Iterator[None]:
    """The test strategies, registered for one test only."""
    before = registered()
    load_strategy_dir(ROOT / "tests" / "strategies")
    yield
    _REGISTRY.strategies.clear()
    _REGISTRY.strategies.update(before)


def test_a_javascript_strategy_running_ahead_tells_its_progress_block_by_block(js_strategies) -> None:
    cfg = config("js_MACD", 1)
    heard: list[int] = []
    told = run_backtest(cfg, CANDLES, progress=heard.append)
    assert json.dumps(told) == json.dumps(run_backtest(cfg, CANDLES))
    assert heard
    assert heard == sorted(heard)
    assert heard[-1] == len(CANDLES) - 1  # JavaScript ran through the last candle


def test_the_pipeline_pass_after_javascript_ran_ahead_tells_progress_beyond_where_it_ran(js_strategies) -> None:
    """When the run-ahead's reports stop early (here: past strategy candle 40 nothing is told), the pipeline's
    pass over the emitting candles goes on telling progress, onward only."""
    cfg = config("js_MACD", 1)
    strategy = registered()["js_MACD"]
    prepare = strategy.prepare_series
    strategy.prepare_series = lambda self, columns, progress=None: prepare(
        self, columns, lambda k: progress(k) if k < 40 else None
    )
    heard: list[int] = []
    try:
        run_backtest(cfg, CANDLES, progress=heard.append)
    finally:
        strategy.prepare_series = prepare
    assert heard == sorted(set(heard))
    assert heard[-1] > 40
