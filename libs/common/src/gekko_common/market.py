"""Markets and the 1-minute candle: market data, not events."""

from __future__ import annotations

import msgspec


class Market(msgspec.Struct, frozen=True, order=True):
    """One market of one exchange: Gekko's ``watch`` block (exchange, currency, asset)."""

    exchange: str
    currency: str
    asset: str

    @property
    def label(self) -> str:
        """A short human name, e.g. ``binance USDT/BTC``."""
        return f"{self.exchange} {self.currency}/{self.asset}"


class Candle(msgspec.Struct, frozen=True):
    """A 1-minute candle; ``start`` is the minute's open time in unix seconds (UTC)."""

    start: int
    open: float
    high: float
    low: float
    close: float
    vwp: float
    volume: float
    trades: int


CANDLE_COLUMNS: tuple[str, ...] = ("start", "open", "high", "low", "close", "vwp", "volume", "trades")
"""Column order of candles everywhere: CSV files, the store, data frames."""
