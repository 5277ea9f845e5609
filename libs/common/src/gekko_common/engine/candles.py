"""1-minute candles as numpy arrays, and Gekko's count-based batching into strategy candles (engine §1.3)."""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
PRICE_COLUMNS = ("open", "high", "low", "close", "vwp", "volume", "trades")
ALL_COLUMNS = ("start", *PRICE_COLUMNS)
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Candles:
    """Columns of 1-minute candles; ``start`` in unix seconds, oldest first."""

    start: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    vwp: FloatArray
    volume: FloatArray
    trades: FloatArray

    def __len__(self) -> int:
        return len(self.start)

    @classmethod
    def from_columns(cls, columns: dict[str, Any]) -> Candles:
        """From any mapping of column name to a sequence/array."""
        return cls(
            start=np.asarray(columns["start"], dtype=np.int64),
            **{
                k: np.asarray(columns[k], dtype=np.float64)
                for k in ("open", "high", "low", "close", "vwp", "volume", "trades")
            },
        )

    @classmethod
    def from_frame(cls, frame: Any) -> Candles:
        """From a polars DataFrame with the candle columns."""
        return cls.from_columns(
            {c: frame[c].to_numpy() for c in ("start", "open", "high", "low", "close", "vwp", "volume", "trades")}
        )

    @classmethod
    def from_csv(cls, path: str | Path) -> Candles:
        """From a candle CSV (``start,open,high,low,close,vwp,volume,trades``; ``.gz`` allowed)."""
        raw = Path(path).read_bytes()
        if str(path).endswith(".gz"):
            raw = gzip.decompress(raw)
        data = np.genfromtxt(io.BytesIO(raw), delimiter=",", names=True, dtype=None, encoding="utf-8")
        return cls.from_columns({name: data[name] for name in data.dtype.names or ()})

    def take(self, mask: npt.NDArray[np.bool_] | slice) -> Candles:
        """A subset (boolean mask or slice)."""
        return Candles(
            **{k: getattr(self, k)[mask] for k in ("start", "open", "high", "low", "close", "vwp", "volume", "trades")}
        )

    def between(self, start_from: int, start_to: int) -> Candles:
        """Candles with ``start_from <= start <= start_to``."""
        lo = int(np.searchsorted(self.start, start_from, side="left"))
        hi = int(np.searchsorted(self.start, start_to, side="right"))
        return self.take(slice(lo, hi))


@dataclass(frozen=True)
class StrategyCandles:
    """The merged strategy candles of a run and, for each, the index of the 1-minute candle that ends it."""

    start: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    vwp: FloatArray
    volume: FloatArray
    trades: FloatArray
    last_index: IntArray

    def __len__(self) -> int:
        return len(self.start)


def batch(candles: Candles, size: int) -> StrategyCandles:
    """Merge consecutive runs of ``size`` rows (not clock-aligned); the trailing partial run is dropped.

    Sums run left to right exactly as the original's loop (a cumulative sum along each run), so
    ``vwp`` and ``volume`` are identical to the last bit.
    """
    k = len(candles) // size
    n = k * size

    def grid(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return a[:n].reshape(k, size)

    volume = np.cumsum(grid(candles.volume), axis=1)[:, -1] if k else np.empty(0)
    vwp_sum = np.cumsum(grid(candles.vwp) * grid(candles.volume), axis=1)[:, -1] if k else np.empty(0)
    opens = grid(candles.open)[:, 0] if k else np.empty(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        vwp = np.where(volume != 0, vwp_sum / np.where(volume != 0, volume, 1), opens)
    return StrategyCandles(
        start=grid(candles.start)[:, 0] if k else np.empty(0, dtype=np.int64),
        open=opens,
        high=grid(candles.high).max(axis=1) if k else np.empty(0),
        low=grid(candles.low).min(axis=1) if k else np.empty(0),
        close=grid(candles.close)[:, -1] if k else np.empty(0),
        vwp=vwp,
        volume=volume,
        trades=np.cumsum(grid(candles.trades), axis=1)[:, -1] if k else np.empty(0),
        last_index=np.arange(size - 1, n, size, dtype=np.int64),
    )


class Batcher:
    """The same batching, one candle at a time (live runs)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.rows: list[tuple[int, float, float, float, float, float, float, float]] = []

    def add(self, row: tuple[int, float, float, float, float, float, float, float]) -> tuple[Any, ...] | None:
        """Add a 1-minute row; returns the merged strategy candle when this row completes one."""
        self.rows.append(row)
        if len(self.rows) < self.size:
            return None
        rows, self.rows = self.rows, []
        start, open_, high, low, close, vwp, volume, trades = rows[0]
        vwp_sum = vwp * volume
        for r in rows[1:]:
            high = max(high, r[2])
            low = min(low, r[3])
            close = r[4]
            volume = volume + r[6]
            vwp_sum = vwp_sum + (r[5] * r[6])
            trades = trades + r[7]
        return (start, open_, high, low, close, vwp_sum / volume if volume else open_, volume, trades)
