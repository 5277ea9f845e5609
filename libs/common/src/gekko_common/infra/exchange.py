"""The ccxt adapter: builds exchanges (API URLs overridable for the emulator) and reads pages of candles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ccxt.async_support as ccxt
import polars as pl

from gekko_common.exchanges import ccxt_id
from gekko_common.infra.exchange_retry import PermanentExchangeError, translated
from gekko_common.trades import CandleBuilder, Trade


def make_exchange(slug: str, urls: Mapping[str, str], credentials: Mapping[str, str] | None = None) -> Any:
    """A ccxt async exchange for ``slug``; ``urls[slug]`` (e.g. the emulator) replaces its API URLs.

    ``credentials`` uses Gekko's names (key, secret, passphrase, username)."""
    cls = getattr(ccxt, ccxt_id(slug), None)
    if cls is None:
        raise PermanentExchangeError(f"exchange {slug!r} is not supported by ccxt")
    options: dict[str, Any] = {"fetchMarkets": {"types": ["spot"]}, "fetchCurrencies": False, "fetchMargins": False}
    config: dict[str, Any] = {"enableRateLimit": True, "options": options}
    names = {"key": "apiKey", "secret": "secret", "passphrase": "password", "username": "uid"}
    for gekko_name, value in (credentials or {}).items():
        if gekko_name in names:
            config[names[gekko_name]] = value
    exchange = cls(config)
    base = urls.get(slug)
    if base:
        api = exchange.urls["api"]
        if isinstance(api, dict):
            for name in list(api):  # every endpoint goes to the override: nothing may leave the machine
                api[name] = base.rstrip("/") + "/api/v3"
        exchange.enableRateLimit = False  # a local emulator: no exchange's rate limit to respect
    return exchange


async def _binance_klines(exchange: Any, symbol: str, since_ms: int, limit: int) -> pl.DataFrame:
    """Binance's klines through ccxt's raw endpoint (same request, same rate limiting), parsed in bulk:
    ccxt's row-by-row parsing costs more than everything else in an import."""
    await exchange.load_markets()
    market = exchange.market(symbol)
    raw = await exchange.publicGetKlines(
        {"symbol": market["id"], "interval": "1m", "startTime": since_ms, "limit": min(limit, 1000)}
    )
    if not raw:
        return ohlcv_frame([])
    cols = list(zip(*raw, strict=False))
    return pl.DataFrame(
        {
            "ms": pl.Series(cols[0], dtype=pl.Int64),
            **{name: pl.Series(cols[i], dtype=pl.Utf8).cast(pl.Float64) for i, name in enumerate(OHLCV[1:], 1)},
        }
    )


OHLCV = ("ms", "open", "high", "low", "close", "volume")


async def _candles_from_trades(exchange: Any, symbol: str, since_ms: int, limit: int) -> pl.DataFrame:
    """For exchanges without OHLCV history: a page of trades turned into complete 1-minute candles
    (the minute of the newest trade is left for the next page), with real vwp and trade counts."""
    trades = await exchange.fetch_trades(symbol, since=since_ms, limit=limit)
    builder = CandleBuilder()
    candles = builder.add(
        Trade(float(t.get("id") or t["timestamp"]), t["timestamp"] / 1000, float(t["price"]), float(t["amount"]))
        for t in trades
    )
    frame = pl.DataFrame(
        {
            "ms": [c.start * 1000 for c in candles],
            "open": [c.open for c in candles],
            "high": [c.high for c in candles],
            "low": [c.low for c in candles],
            "close": [c.close for c in candles],
            "volume": [c.volume for c in candles],
            "vwp": [c.vwp for c in candles],
            "trades": [c.trades for c in candles],
        },
        schema={
            "ms": pl.Int64,
            "open": pl.Float64,
            "high": pl.Float64,
            "low": pl.Float64,
            "close": pl.Float64,
            "volume": pl.Float64,
            "vwp": pl.Float64,
            "trades": pl.Int64,
        },
    )
    return frame


def ohlcv_frame(rows: list[list[Any]]) -> pl.DataFrame:
    """ccxt OHLCV rows as a frame (``ms`` and five float columns)."""
    return pl.DataFrame(
        rows,
        schema={
            "ms": pl.Int64,
            "open": pl.Float64,
            "high": pl.Float64,
            "low": pl.Float64,
            "close": pl.Float64,
            "volume": pl.Float64,
        },
        orient="row",
    )


def candles_from_page(page: pl.DataFrame, start: int, end: int) -> pl.DataFrame:
    """A page from :func:`fetch_page` -> store candles (``start`` in unix seconds) within [start, end].

    The one candle builder of the importer and the market watcher: a page built from trades keeps its
    real vwp and trade counts; from OHLCV the vwp is the typical price (h+l+c)/3 and the count 0."""
    frame = page.with_columns((pl.col("ms") // 1000).cast(pl.Int64).alias("start"))
    frame = frame.filter((pl.col("start") >= start) & (pl.col("start") <= end) & (pl.col("start") % 60 == 0))
    typical = ((pl.col("high") + pl.col("low") + pl.col("close")) / 3).alias("vwp")
    return frame.select(
        "start",
        "open",
        "high",
        "low",
        "close",
        pl.col("vwp") if "vwp" in frame.columns else typical,  # from trades: the real volume-weighted price
        "volume",
        pl.col("trades") if "trades" in frame.columns else pl.lit(0, dtype=pl.Int64).alias("trades"),
    )


async def fetch_page(exchange: Any, symbol: str, since_ms: int, limit: int) -> pl.DataFrame:
    """One page of 1-minute OHLCV (columns ``ms, open, high, low, close, volume``) from ``since_ms``."""
    with translated(f"{exchange.id} {symbol}"):
        if exchange.id == "binance":
            return await _binance_klines(exchange, symbol, since_ms, limit)
        if not exchange.has.get("fetchOHLCV"):
            return await _candles_from_trades(exchange, symbol, since_ms, limit)
        return ohlcv_frame(list(await exchange.fetch_ohlcv(symbol, "1m", since=since_ms, limit=limit)))
