"""The trading engine: pure and synchronous (no I/O, no wall clock), the same for backtests and live runs.

Candles in, Gekko's events and results out, with the original's numbers (checked against its
recorded answers in ``tests/reference``). :func:`run_backtest` drives it over arrays; :class:`Engine`
is fed one 1-minute candle at a time.
"""

from __future__ import annotations

from pathlib import Path

from gekko_common.config import merge_base_config, select_daterange
from gekko_common.engine.backtest import Engine, build_strategy, run_backtest
from gekko_common.engine.candles import Candles, batch
from gekko_common.engine.strategy import Strategy, StrategyCandle, load_strategy_dir, register, registered
from gekko_common.errors import ConfigError, EngineError, StrategyError


def strategy_catalog(strategy_dir: str | Path | None = None) -> list[dict[str, str]]:
    """Every strategy with its default TOML parameters, sorted byte-wise like the original's file listing."""
    if strategy_dir:
        load_strategy_dir(strategy_dir)
    return [{"name": name, "params": cls.params} for name, cls in sorted(registered().items())]


__all__ = [
    "Candles",
    "ConfigError",
    "Engine",
    "EngineError",
    "Strategy",
    "StrategyCandle",
    "StrategyError",
    "batch",
    "build_strategy",
    "load_strategy_dir",
    "merge_base_config",
    "register",
    "registered",
    "run_backtest",
    "select_daterange",
    "strategy_catalog",
]
