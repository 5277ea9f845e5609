"""One import: page 1-minute candles from the exchange into the store, resumable and idempotent."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import polars as pl

from gekko_common.infra.exchange import candles_from_page, fetch_page, ohlcv_frame
from gekko_common.infra.exchange_retry import ATTEMPTS, PermanentExchangeError, TemporaryExchangeError, with_retries
from gekko_common.infra.store import CandleStore
from gekko_common.market import Market
from gekko_common.messages import StartImport

log = logging.getLogger(__name__)

PAGE = 1000
BATCH_ROWS = 40_000


def iso_s(unix: int) -> str:
    """``2018-07-03T05:40:00Z``: how the original reports import progress."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(unix))


async def resume_point(store: CandleStore, market: Market, job: StartImport) -> int:
    """Where to continue: after the newest stored candle in the job's range (the job's start if none)."""
    _, last, n = await store.bounds_between(market, job.start, job.end)
    return last + 60 if n else job.start


async def fetch_window(
    exchange: Any,
    symbol: str,
    start: int,
    end: int,
    alive: Callable[[], Awaitable[None]],
) -> pl.DataFrame:
    """Every candle the exchange has in [start, end]: pages from ``start`` until the window is covered,
    so a short page (or a truncated answer) never leaves a hole. Temporary errors are retried (the
    exchange retry policy); if they persist the import fails with a PermanentExchangeError."""
    frames = []
    cursor = start
    while cursor <= end:
        page = functools.partial(fetch_page, exchange, symbol, cursor * 1000, PAGE)
        try:
            rows = await with_retries(page, before_retry=alive)
        except TemporaryExchangeError as exc:
            raise PermanentExchangeError(f"the exchange kept failing ({exc}); gave up after {ATTEMPTS} tries") from exc
        if rows.height == 0:
            break
        frame = candles_from_page(rows, cursor, end)
        frames.append(frame)
        last = int(rows["ms"][-1]) // 1000
        if last >= end or last < cursor:
            break
        cursor = last + 60
    return pl.concat(frames) if frames else candles_from_page(ohlcv_frame([]), start, end)


class _Writer:
    """Writes fetched windows in order, in batches, one batch while the next windows are fetched."""

    def __init__(
        self,
        store: CandleStore,
        market: Market,
        latest: int,
        progress: Callable[[dict[str, Any]], Awaitable[None]],
        alive: Callable[[], Awaitable[None]],
    ) -> None:
        self.store, self.market, self.progress, self.alive = store, market, progress, alive
        self.written = 0
        self.latest = latest
        self.pending: list[pl.DataFrame] = []
        self.pending_rows = 0
        self.writing: asyncio.Task[None] | None = None

    async def add(self, frame: pl.DataFrame) -> None:
        self.pending.append(frame)
        self.pending_rows += frame.height
        if self.pending_rows >= BATCH_ROWS:
            await self.flush()

    async def _write(self, frame: pl.DataFrame) -> None:
        self.written += await self.store.write(self.market, frame)
        self.latest = int(frame["start"].max())  # type: ignore[arg-type]
        await self.progress({"latest": iso_s(self.latest), "done": False})
        await self.alive()

    async def flush(self) -> None:
        """Hand the pending frames to the writer; batches are written one after the other, in order."""
        if not self.pending:
            return
        frame = pl.concat(self.pending)
        self.pending, self.pending_rows = [], 0
        if self.writing is not None:
            await self.writing
        self.writing = asyncio.create_task(self._write(frame)) if frame.height else None

    async def close(self) -> None:
        """Write what is pending and wait until it is written."""
        await self.flush()
        if self.writing is not None:
            await self.writing

    def abort(self) -> None:
        if self.writing is not None and not self.writing.done():
            self.writing.cancel()


async def run_import(
    job: StartImport,
    exchange: Any,
    symbol: str,
    store: CandleStore,
    progress: Callable[[dict[str, Any]], Awaitable[None]],
    alive: Callable[[], Awaitable[None]],
    parallel: int = 8,
) -> int:
    """Import ``job``; returns the number of new rows.

    The range is cut into windows of PAGE minutes fetched ``parallel`` at a time, and written in order
    in batches, so the newest stored candle is always a safe place to resume from. Temporary errors
    are retried with backoff; a permanent one raises PermanentExchangeError (the caller reports it).
    """
    market = Market(job.exchange, job.currency, job.asset)
    cursor = await resume_point(store, market, job)
    windows = [(s, min(s + (PAGE - 1) * 60, job.end)) for s in range(cursor, job.end + 1, PAGE * 60)]
    writer = _Writer(store, market, cursor - 60, progress, alive)
    tasks: list[asyncio.Task[pl.DataFrame]] = []
    try:
        for i in range(len(windows)):
            while len(tasks) < parallel and len(tasks) + i < len(windows):
                a, b = windows[i + len(tasks)]
                tasks.append(asyncio.create_task(fetch_window(exchange, symbol, a, b, alive)))
            await writer.add(await tasks.pop(0))
        await writer.close()
    finally:
        for t in tasks:
            t.cancel()
        writer.abort()
    await progress({"latest": iso_s(max(writer.latest, job.start)), "done": True})
    return writer.written
