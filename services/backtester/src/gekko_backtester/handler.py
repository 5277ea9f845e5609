"""The backtest use case: validate the config, load the candles, run the engine, shape the answer."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import polars as pl

from gekko_backtester.dataset import DatasetCache
from gekko_common.config import market_of, merge_base_config, select_daterange, validate_backtest
from gekko_common.engine import Candles, load_strategy_dir, registered, run_backtest
from gekko_common.errors import ConfigError, EngineError
from gekko_common.infra import metrics
from gekko_common.infra.store import CandleStore
from gekko_common.market import Market
from gekko_common.messages import BacktestProgress, Reply, RunBacktest
from gekko_common.progress import BacktestMeter

log = logging.getLogger(__name__)
SHOWN_RANGES = 5


def iso(unix: int) -> str:
    """A candle start as UTC text."""
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(unix))


def describe(ranges: list[tuple[int, int]]) -> str:
    """Stored ranges as text for an error message (the first few, then how many more)."""
    shown = ", ".join(f"{iso(a)} to {iso(b)}" for a, b in ranges[:SHOWN_RANGES])
    more = len(ranges) - SHOWN_RANGES
    return shown + (f" and {more} more" if more > 0 else "")


class BacktestService:
    """Runs backtests against the candle store, with a bounded cache of recent datasets."""

    def __init__(
        self,
        store: CandleStore,
        cache: DatasetCache,
        strategy_dir: str | None = None,
        progress: Callable[[BacktestProgress], None] | None = None,
    ) -> None:
        self.store = store
        self.progress = progress
        """Hears how far each backtest is (from the engine's thread too); None: nobody is told."""
        self.cache = cache
        self.strategy_dir = strategy_dir
        if strategy_dir:
            load_strategy_dir(strategy_dir)
        self.cancelled: set[str] = set()
        self.completed = 0
        self.in_flight = 0

    async def _daterange(self, config: dict[str, Any], market: Market) -> tuple[int, int]:

        daterange = (config.get("backtest") or {}).get("daterange", "scan")
        if daterange == "scan":
            ranges = await self.store.ranges(market)
            if not ranges:
                raise ConfigError("backtest.daterange", f"no history found for {market.label} (import it first)")
            if len(ranges) > 1:
                raise ConfigError(
                    "backtest.daterange",
                    f"{market.label} has {len(ranges)} separate ranges ({describe(ranges)}); "
                    "send backtest.daterange.from and .to",
                )
            return ranges[0]
        return select_daterange(config)

    async def run(self, command: RunBacktest) -> Reply:
        """One backtest; expected failures come back as a 4xx Reply naming the field."""
        self.in_flight += 1
        started = time.monotonic()
        outcome = "error"
        try:
            answer = await self._run(command)
            outcome = "ok" if answer.error is None else f"{answer.status // 100}xx"
            return answer
        finally:
            self.in_flight -= 1
            metrics.BACKTESTS.labels(outcome).inc()
            metrics.BACKTEST_DURATION.observe(time.monotonic() - started)

    async def dataset(self, config: dict[str, Any]) -> pl.DataFrame:
        """The candles of a (merged, validated) config's market and date range; ConfigError names what is wrong."""
        market = market_of(config)
        start, end = await self._daterange(config, market)
        frame = await self.cache.get((market, start, end), lambda: self.store.read(market, start, end))
        if frame.height == 0:
            stored = describe(await self.store.ranges(market)) or "none"
            raise ConfigError(
                "backtest.daterange",
                f"no candles of {market.label} between {iso(start)} and {iso(end)}; stored ranges: {stored}",
            )
        return frame

    def _meter(self, command: RunBacktest, candles: Candles) -> BacktestMeter | None:
        """The started progress meter of this run, or None when nobody hears progress."""
        if self.progress is None:
            return None
        meter = BacktestMeter(
            command.progress_id or command.request_id,
            candles.start,
            self.progress,
            announce=command.progress_id is not None,
        )
        meter.begin()
        return meter

    async def _run(self, command: RunBacktest) -> Reply:

        try:
            if self.strategy_dir:
                load_strategy_dir(self.strategy_dir)  # files added or changed since the last run
            config = merge_base_config(command.config)
            run = validate_backtest(config, registered())  # decoded once, passed on typed
            frame = await self.dataset(config)
            if command.request_id in self.cancelled:
                self.cancelled.discard(command.request_id)
                return Reply(error="cancelled", status=499)
            candles = Candles.from_frame(frame)
            meter = self._meter(command, candles)
            result = await asyncio.to_thread(run_backtest, run, candles, None, meter)
            if meter is not None:
                meter.end()
            metrics.BACKTEST_CANDLES.inc(frame.height)
        except ConfigError as exc:
            return Reply(error=str(exc.message), status=400, field=exc.field)
        except EngineError as exc:
            return Reply(error=str(exc), status=422)
        self.completed += 1
        return Reply(result=result)
