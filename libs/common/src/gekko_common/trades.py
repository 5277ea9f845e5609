"""1-minute candles from trades, for exchanges that offer no OHLCV history (gekko-server.md §8.3).

Pure and incremental: a :class:`CandleBuilder` takes batches of trades, drops what it has seen,
buckets the rest per minute and emits finished minutes in order, filling minutes without trades with
the previous close (volume 0), as the original's candle creator does. The newest minute is held back
until a later trade proves it complete (or :meth:`CandleBuilder.flush` at the end of an import).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gekko_common.market import Candle


@dataclass(frozen=True)
class Trade:
    """One trade: ``tid`` grows monotonically (or use the time), ``time`` in unix seconds."""

    tid: float
    time: float
    price: float
    amount: float


@dataclass
class _Bucket:
    start: int
    open: float
    high: float
    low: float
    close: float
    volume: float = 0.0
    value: float = 0.0
    trades: int = 0

    def add(self, t: Trade) -> None:
        self.high = max(self.high, t.price)
        self.low = min(self.low, t.price)
        self.close = t.price
        self.volume += t.amount
        self.value += t.price * t.amount
        self.trades += 1

    def candle(self) -> Candle:
        vwp = self.value / self.volume if self.volume else self.open
        return Candle(self.start, self.open, self.high, self.low, self.close, vwp, self.volume, self.trades)


@dataclass
class CandleBuilder:
    """Stateful trades-to-candles conversion across batches."""

    last_tid: float = float("-inf")
    threshold: float = float("-inf")
    last_close: float | None = None
    last_emitted: int | None = None
    _open: _Bucket | None = field(default=None, repr=False)

    def add(self, trades: Iterable[Trade]) -> list[Candle]:
        """Feed a batch (oldest first); returns the minutes it completed, gaps filled."""
        buckets: dict[int, _Bucket] = {}
        if self._open is not None:
            buckets[self._open.start] = self._open
        for t in sorted(trades, key=lambda t: t.tid):
            if t.amount <= 0 or t.tid <= self.last_tid:
                continue
            self.last_tid = t.tid
            if t.time <= self.threshold and (self._open is None or int(t.time) // 60 * 60 != self._open.start):
                continue
            minute = int(t.time) // 60 * 60
            bucket = buckets.get(minute)
            if bucket is None:
                buckets[minute] = bucket = _Bucket(minute, t.price, t.price, t.price, t.price)
            bucket.add(t)
        if not buckets:
            return []
        minutes = sorted(buckets)
        self._open = buckets[minutes[-1]]
        self.threshold = self._open.start
        return self._emit([buckets[m].candle() for m in minutes[:-1]])

    def flush(self) -> list[Candle]:
        """Emit the held-back minute too (end of an import)."""
        if self._open is None:
            return []
        candle, self._open = self._open.candle(), None
        return self._emit([candle])

    def _emit(self, candles: list[Candle]) -> list[Candle]:
        out: list[Candle] = []
        for c in candles:
            if self.last_emitted is not None and c.start <= self.last_emitted:
                continue
            if self.last_emitted is not None and self.last_close is not None:
                for minute in range(self.last_emitted + 60, c.start, 60):
                    p = self.last_close
                    out.append(Candle(minute, p, p, p, p, p, 0.0, 0))
            out.append(c)
            self.last_emitted = c.start
            self.last_close = c.close
        return out
