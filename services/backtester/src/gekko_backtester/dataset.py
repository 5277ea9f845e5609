"""Recently used candle datasets, kept in memory and bounded by size (least recently used goes first)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable

import polars as pl

from gekko_common.market import Market

Key = tuple[Market, int, int]


class DatasetCache:
    """An LRU of candle frames keyed by (market, from, to), at most ``max_bytes`` in all."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._frames: OrderedDict[Key, pl.DataFrame] = OrderedDict()
        self._bytes = 0
        self._loading: dict[Key, asyncio.Future[pl.DataFrame]] = {}
        self.hits = 0
        self.misses = 0

    async def get(self, key: Key, load: Callable[[], Awaitable[pl.DataFrame]]) -> pl.DataFrame:
        """The frame for ``key``; concurrent misses of one key share a single load."""
        frame = self._frames.get(key)
        if frame is not None:
            self._frames.move_to_end(key)
            self.hits += 1
            return frame
        pending = self._loading.get(key)
        if pending is not None:
            self.hits += 1
            return await asyncio.shield(pending)
        self.misses += 1
        fut: asyncio.Future[pl.DataFrame] = asyncio.get_running_loop().create_future()
        self._loading[key] = fut
        try:
            frame = await load()
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # consumed: waiters re-raise it, nobody logs it twice
            raise
        finally:
            self._loading.pop(key, None)
        fut.set_result(frame)
        self._put(key, frame)
        return frame

    def _put(self, key: Key, frame: pl.DataFrame) -> None:
        size = int(frame.estimated_size())
        if size > self.max_bytes:
            return
        self._frames[key] = frame
        self._bytes += size
        while self._bytes > self.max_bytes:
            _, old = self._frames.popitem(last=False)
            self._bytes -= int(old.estimated_size())

    @property
    def size_bytes(self) -> int:
        """Bytes held now."""
        return self._bytes
