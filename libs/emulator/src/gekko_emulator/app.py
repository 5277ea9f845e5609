"""The emulator's HTTP application: Binance spot public REST endpoints ccxt calls, plus an admin API.

Admin: ``POST /_emulator/faults`` (429s, 500s, delays, short pages), ``POST /_emulator/replay``
(``{"start": unix, "speed": 600}``: the data is served as a live market whose clock starts at
``start`` and runs ``speed`` times faster, ``speed: 0`` freezes it; ``{"start": null}`` ends it),
``GET /_emulator/stats``; for trading (:mod:`gekko_emulator.private`) ``POST /_emulator/book`` (how
fast resting orders fill), ``POST /_emulator/account`` (set balances), ``GET /_emulator/orders`` (the
account's orders as Binance reports them, plus the User-Agent that placed and cancelled each).

Point ccxt at it with ``options={"fetchMarkets": {"types": ["spot"]}}`` and
``urls["api"]["public"] = "http://127.0.0.1:PORT/api/v3"``.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from gekko_emulator.data import BTCUSDT_90_DAYS, Series
from gekko_emulator.faults import Faults
from gekko_emulator.private import Broker, add_routes

MAX_KLINES = 1000


class Exchange:
    """Markets (``BTCUSDT`` -> series) and the current faults."""

    def __init__(self) -> None:
        self.markets: dict[str, tuple[str, str, Series]] = {}
        self.faults = Faults()
        self.requests = 0
        self.replay: tuple[float, float, float] | None = None  # (market start, speed, wall start)

    def now(self) -> float:
        """The market's clock: wall time, or the replay clock (accelerated from a point in the data)."""
        if self.replay is None:
            return time.time()
        start, speed, wall = self.replay
        return start + (time.time() - wall) * speed

    def add_market(self, base: str, quote: str, series: Series) -> None:
        """Serve ``series`` as the market base/quote (e.g. BTC/USDT)."""
        self.markets[f"{base}{quote}"] = (base, quote, series)


def _symbol_info(symbol: str, base: str, quote: str) -> dict[str, Any]:
    return {
        "symbol": symbol,
        "status": "TRADING",
        "baseAsset": base,
        "baseAssetPrecision": 8,
        "quoteAsset": quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
        "icebergAllowed": True,
        "ocoAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "permissions": ["SPOT"],
        "permissionSets": [["SPOT"]],
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": "0.01000000",
                "maxPrice": "1000000.00000000",
                "tickSize": "0.01000000",
            },
            {"filterType": "LOT_SIZE", "minQty": "0.00001000", "maxQty": "9000.00000000", "stepSize": "0.00001000"},
            {"filterType": "NOTIONAL", "minNotional": "5.00000000", "maxNotional": "9000000.00000000"},
        ],
    }


def build_app(exchange: Exchange) -> web.Application:
    """The aiohttp application serving ``exchange``."""

    async def faulty(request: web.Request) -> web.Response | None:
        exchange.requests += 1
        if exchange.faults.delay_ms:
            await asyncio.sleep(exchange.faults.delay_ms / 1000)
        status = exchange.faults.draw()
        if status == 429:
            return web.json_response({"code": -1003, "msg": "Too many requests."}, status=429)
        if status == 500:
            return web.json_response({"code": -1000, "msg": "An unknown error occured."}, status=500)
        return None

    async def ping(_: web.Request) -> web.Response:
        return web.json_response({})

    async def server_time(_: web.Request) -> web.Response:
        return web.json_response({"serverTime": int(exchange.now() * 1000)})

    async def exchange_info(_: web.Request) -> web.Response:
        return web.json_response(
            {
                "timezone": "UTC",
                "serverTime": int(time.time() * 1000),
                "rateLimits": [
                    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000}
                ],
                "exchangeFilters": [],
                "symbols": [_symbol_info(s, b, q) for s, (b, q, _) in exchange.markets.items()],
            }
        )

    async def klines(request: web.Request) -> web.Response:
        failure = await faulty(request)
        if failure is not None:
            return failure
        q = request.query
        symbol = q.get("symbol", "")
        if symbol not in exchange.markets:
            return web.json_response({"code": -1121, "msg": "Invalid symbol."}, status=400)
        if q.get("interval") != "1m":
            return web.json_response({"code": -1120, "msg": "Invalid interval (the emulator serves 1m)."}, status=400)
        limit = min(int(q.get("limit", 500)), MAX_KLINES)
        limit = exchange.faults.page_size(limit)
        series = exchange.markets[symbol][2]
        start = int(q["startTime"]) // 1000 if "startTime" in q else None
        end = int(q["endTime"]) // 1000 if "endTime" in q else None
        if start is None and end is not None:
            start = end - (limit - 1) * 60
        if exchange.replay is not None:  # only minutes that are over on the replay clock exist yet
            horizon = int(exchange.now()) // 60 * 60 - 60
            end = horizon if end is None else min(end, horizon)
        rows = series.window(start, end, limit)
        text = "[" + ",".join(series.kline_rows()[rows]) + "]"
        return web.Response(text=text, content_type="application/json")

    async def set_faults(request: web.Request) -> web.Response:
        try:
            exchange.faults.update(**(await request.json()))
        except (ValueError, TypeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"ok": True})

    async def set_replay(request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("start") is None:
            exchange.replay = None
        else:
            exchange.replay = (float(body["start"]), float(body.get("speed", 60)), time.time())
        return web.json_response({"ok": True, "now": exchange.now()})

    async def stats(_: web.Request) -> web.Response:
        f = exchange.faults
        return web.json_response({"requests": exchange.requests, "served": f.served, "failed": f.failed})

    app = web.Application()
    app.router.add_get("/api/v3/ping", ping)
    app.router.add_get("/api/v3/time", server_time)
    app.router.add_get("/api/v3/exchangeInfo", exchange_info)
    app.router.add_get("/api/v3/klines", klines)
    app.router.add_post("/_emulator/faults", set_faults)
    app.router.add_get("/_emulator/stats", stats)
    app.router.add_post("/_emulator/replay", set_replay)
    add_routes(app, Broker(exchange))
    return app


def load_default(exchange: Exchange, data_dir: Path) -> None:
    """BTC/USDT from the 90-day file in ``data_dir`` (by default the package's own copy)."""
    exchange.add_market("BTC", "USDT", Series.from_csv(data_dir / BTCUSDT_90_DAYS.name))
