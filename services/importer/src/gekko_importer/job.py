"""One import: page 1-minute candles from the exchange into the store, resumable and idempotent."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import polars as pl

from gekko_common.infra.store import CandleStore
from gekko_common.market import Market
from gekko_common.messages import StartImport
from gekko_importer.exchange import PermanentExchangeError, TemporaryExchangeError, fetch_page

log = logging.getLogger(__name__)

PAGE = 1000
MAX_ATTEMPTS = 8


def iso_s(unix: int) -> str:
    """``2018-07-03T05:40:00Z``: how the original reports import progress."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(unix))


def frame_from_ohlcv(rows: list[list[float]], start: int, end: int) -> pl.DataFrame:
    """ccxt OHLCV rows -> candle frame within [start, end]; vwp is the typical price (h+l+c)/3."""
    frame = pl.DataFrame(rows, schema=["ms", "open", "high", "low", "close", "volume"], orient="row").with_columns(
        (pl.col("ms") // 1000).cast(pl.Int64).alias("start")
    )
    frame = frame.filter((pl.col("start") >= start) & (pl.col("start") <= end) & (pl.col("start") % 60 == 0))
    return frame.select(
        "start",
        pl.col("open").cast(pl.Float64),
        pl.col("high").cast(pl.Float64),
        pl.col("low").cast(pl.Float64),
        pl.col("close").cast(pl.Float64),
        (
            (pl.col("high").cast(pl.Float64) + pl.col("low").cast(pl.Float64) + pl.col("close").cast(pl.Float64)) / 3
        ).alias("vwp"),
        pl.col("volume").cast(pl.Float64),
        pl.lit(0, dtype=pl.Int64).alias("trades"),
    )


async def resume_point(store: CandleStore, market: Market, job: StartImport) -> int:
    """Where to continue: after the newest stored candle in the job's range (the job's start if none)."""
    last = await store.last_start(market, job.start, job.end)
    return job.start if last is None else last + 60


async def run_import(
    job: StartImport,
    exchange: Any,
    symbol: str,
    store: CandleStore,
    progress: Callable[[dict[str, Any]], Awaitable[None]],
    alive: Callable[[], Awaitable[None]],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> int:
    """Import ``job``; returns the number of new rows. Temporary errors are retried with backoff;
    a permanent one raises PermanentExchangeError (the caller reports it)."""
    market = Market(job.exchange, job.currency, job.asset)
    cursor = await resume_point(store, market, job)
    written = 0
    latest = cursor - 60
    while cursor <= job.end:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                rows = await fetch_page(exchange, symbol, cursor * 1000, PAGE)
                break
            except TemporaryExchangeError as exc:
                if attempt == MAX_ATTEMPTS:
                    raise PermanentExchangeError(
                        f"the exchange kept failing ({exc}); gave up after {attempt} tries"
                    ) from exc
                delay = min(0.05 * 2**attempt, 5.0)
                log.info("temporary exchange error, retrying", extra={"fields": {"error": str(exc), "delay": delay}})
                await alive()
                await sleep(delay)
        frame = frame_from_ohlcv(rows, cursor, job.end)
        if frame.height == 0:
            if not rows or int(rows[-1][0]) // 1000 < cursor:
                break  # the exchange has nothing more in the range
            cursor = int(rows[-1][0]) // 1000 + 60
            continue
        written += await store.write(market, frame)
        latest = int(frame["start"][-1])
        cursor = latest + 60
        await progress({"latest": iso_s(latest), "done": False})
        await alive()
    await progress({"latest": iso_s(max(latest, job.start)), "done": True})
    return written
