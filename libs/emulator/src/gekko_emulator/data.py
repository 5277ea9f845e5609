"""The market data the emulator serves: real 1-minute candles loaded from CSV files."""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

CANDLES_DIR = Path(__file__).resolve().parent / "candles"
"""The candle files shipped with the package (see the README there)."""
BTCUSDT_90_DAYS = CANDLES_DIR / "btcusdt-binance-1m-20250520-20250818.csv.gz"
"""Binance BTC/USDT spot, 130,708 real 1-minute candles, 2025-05-20 00:00 .. 2025-08-18 18:27 UTC."""


@dataclass
class Series:
    """One market's candles as columns (``start`` in unix seconds, ascending)."""

    start: npt.NDArray[np.int64]
    open: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    low: npt.NDArray[np.float64]
    close: npt.NDArray[np.float64]
    volume: npt.NDArray[np.float64]

    @classmethod
    def from_csv(cls, path: str | Path) -> Series:
        """Load a candle CSV (``start,open,high,low,close,vwp,volume,trades``; gzip or plain)."""
        raw = Path(path).read_bytes()
        if str(path).endswith(".gz"):
            raw = gzip.decompress(raw)
        table = np.genfromtxt(io.BytesIO(raw), delimiter=",", names=True, dtype=None, encoding="utf-8")
        return cls(
            start=table["start"].astype(np.int64),
            open=table["open"].astype(np.float64),
            high=table["high"].astype(np.float64),
            low=table["low"].astype(np.float64),
            close=table["close"].astype(np.float64),
            volume=table["volume"].astype(np.float64),
        )

    def kline_rows(self) -> list[str]:
        """Each candle as a rendered Binance kline JSON array (built once, served by slicing)."""
        cached: list[str] | None = getattr(self, "_klines", None)
        if cached is None:
            cached = [
                f'[{t * 1000},"{o!r}","{h!r}","{lo!r}","{c!r}","{v!r}",{t * 1000 + 59_999},"{v * c!r}",0,"0","0","0"]'
                for t, o, h, lo, c, v in zip(
                    self.start.tolist(),
                    self.open.tolist(),
                    self.high.tolist(),
                    self.low.tolist(),
                    self.close.tolist(),
                    self.volume.tolist(),
                    strict=True,
                )
            ]
            self._klines = cached
        return cached

    def window(self, start_s: int | None, end_s: int | None, limit: int) -> slice:
        """Rows with ``start_s <= start <= end_s``, at most ``limit`` of them."""
        lo = 0 if start_s is None else int(np.searchsorted(self.start, start_s, side="left"))
        hi = len(self.start) if end_s is None else int(np.searchsorted(self.start, end_s, side="right"))
        return slice(lo, min(hi, lo + limit))
