"""The ccxt adapter: builds exchanges (API URLs overridable for the emulator) and translates their errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ccxt.async_support as ccxt

from gekko_common.exchanges import ccxt_id


class TemporaryExchangeError(Exception):
    """Worth retrying: rate limits, 5xx, timeouts, network trouble."""


class PermanentExchangeError(Exception):
    """Retrying will not help: unknown market, bad request, no OHLCV history."""


def make_exchange(slug: str, urls: Mapping[str, str]) -> Any:
    """A ccxt async exchange for ``slug``; ``urls[slug]`` (e.g. the emulator) replaces its public API URL."""
    cls = getattr(ccxt, ccxt_id(slug), None)
    if cls is None:
        raise PermanentExchangeError(f"exchange {slug!r} is not supported by ccxt")
    exchange = cls({"enableRateLimit": True, "options": {"fetchMarkets": {"types": ["spot"]}}})
    base = urls.get(slug)
    if base:
        api = exchange.urls["api"]
        if isinstance(api, dict) and "public" in api:
            api["public"] = base.rstrip("/") + "/api/v3"
        exchange.rateLimit = 1
    return exchange


async def fetch_page(exchange: Any, symbol: str, since_ms: int, limit: int) -> list[list[float]]:
    """One page of 1-minute OHLCV rows ``[ms, open, high, low, close, volume]`` from ``since_ms``."""
    try:
        return list(await exchange.fetch_ohlcv(symbol, "1m", since=since_ms, limit=limit))
    except ccxt.OperationFailed as exc:  # rate limits, DDoS protection, timeouts, network, server errors
        raise TemporaryExchangeError(f"{type(exc).__name__}: {str(exc)[:200]}") from exc
    except (ccxt.BadSymbol, ccxt.BadRequest, ccxt.NotSupported, ccxt.AuthenticationError) as exc:
        raise PermanentExchangeError(f"{exchange.id} refused {symbol}: {str(exc)[:200]}") from exc
    except ccxt.ExchangeError as exc:
        text = str(exc)
        if any(code in text for code in (" 500 ", " 502 ", " 503 ", " 504 ", "Internal")):
            raise TemporaryExchangeError(f"{type(exc).__name__}: {text[:200]}") from exc
        raise PermanentExchangeError(f"{exchange.id}: {text[:200]}") from exc
