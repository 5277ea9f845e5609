"""Authenticated Binance spot endpoints ccxt uses for trading, with a small matching engine.

Accounts are keyed by API key (``X-MBX-APIKEY``; signatures are accepted unchecked). Market orders
fill at the current price (the close of the newest finished minute on the market clock); limit
orders fill when marketable and otherwise rest until a later request finds them marketable. A
repeated ``newClientOrderId`` is refused like Binance does (``-2010 Duplicate order sent.``), which
is what lets a trader retry without placing a second order.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from aiohttp import web

FEE = 0.001  # 0.1 % taker, taken from what is received


@dataclass
class Order:
    """One order as the exchange keeps it."""

    order_id: int
    client_id: str
    symbol: str
    side: str
    type: str
    qty: float
    price: float | None
    status: str = "NEW"
    filled: float = 0.0
    quote: float = 0.0
    time_ms: int = 0

    def wire(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "orderId": self.order_id,
            "orderListId": -1,
            "clientOrderId": self.client_id,
            "transactTime": self.time_ms,
            "time": self.time_ms,
            "updateTime": self.time_ms,
            "price": f"{self.price or 0:.8f}",
            "origQty": f"{self.qty:.8f}",
            "executedQty": f"{self.filled:.8f}",
            "cummulativeQuoteQty": f"{self.quote:.8f}",
            "status": self.status,
            "timeInForce": "GTC",
            "type": self.type,
            "side": self.side,
            "fills": [],
        }


@dataclass
class Account:
    """Balances and orders of one API key."""

    balances: dict[str, float] = field(default_factory=lambda: {"USDT": 10_000.0, "BTC": 0.0})
    orders: dict[int, Order] = field(default_factory=dict)


class Broker:
    """Accounts and matching against the emulator's market data."""

    def __init__(self, exchange: Any) -> None:
        self.exchange = exchange
        self.accounts: dict[str, Account] = {}
        self._ids = itertools.count(1)

    def account(self, request: web.Request) -> Account:
        key = request.headers.get("X-MBX-APIKEY")
        if not key:
            raise web.HTTPUnauthorized(
                text='{"code":-2014,"msg":"API-key format invalid."}', content_type="application/json"
            )
        return self.accounts.setdefault(key, Account())

    def price(self, symbol: str) -> float:
        series = self.exchange.markets[symbol][2]
        now = int(self.exchange.now()) // 60 * 60 - 60
        i = int(np.searchsorted(series.start, now, side="right")) - 1
        return float(series.close[max(i, 0)])

    def match(self, account: Account) -> None:
        for order in account.orders.values():
            if order.status != "NEW":
                continue
            base, quote, _ = self.exchange.markets[order.symbol]
            price = self.price(order.symbol)
            if order.type == "LIMIT" and order.price is not None:
                if (order.side == "BUY" and price > order.price) or (order.side == "SELL" and price < order.price):
                    continue
                price = order.price
            cost = order.qty * price
            if order.side == "BUY":
                if account.balances.get(quote, 0) + 1e-9 < cost:
                    order.status = "REJECTED"
                    continue
                account.balances[quote] -= cost
                account.balances[base] = account.balances.get(base, 0) + order.qty * (1 - FEE)
            else:
                if account.balances.get(base, 0) + 1e-12 < order.qty:
                    order.status = "REJECTED"
                    continue
                account.balances[base] -= order.qty
                account.balances[quote] = account.balances.get(quote, 0) + cost * (1 - FEE)
            order.filled, order.quote, order.status = order.qty, cost, "FILLED"


def add_routes(app: web.Application, broker: Broker) -> None:
    """Mount the private endpoints on the emulator's application."""

    def params(request: web.Request, body: dict[str, str]) -> dict[str, str]:
        return {**request.query, **body}

    async def account(request: web.Request) -> web.Response:
        acc = broker.account(request)
        broker.match(acc)
        balances = [{"asset": a, "free": f"{v:.8f}", "locked": "0.00000000"} for a, v in acc.balances.items()]
        return web.json_response(
            {
                "makerCommission": 10,
                "takerCommission": 10,
                "canTrade": True,
                "accountType": "SPOT",
                "balances": balances,
                "permissions": ["SPOT"],
                "updateTime": int(time.time() * 1000),
            }
        )

    async def create(request: web.Request) -> web.Response:
        acc = broker.account(request)
        p = params(request, dict(await request.post()))
        client_id = p.get("newClientOrderId") or f"emu-{next(broker._ids)}"
        if any(o.client_id == client_id for o in acc.orders.values()):
            return web.json_response({"code": -2010, "msg": "Duplicate order sent."}, status=400)
        if p.get("symbol") not in broker.exchange.markets:
            return web.json_response({"code": -1121, "msg": "Invalid symbol."}, status=400)
        order = Order(
            next(broker._ids),
            client_id,
            p["symbol"],
            p["side"],
            p["type"],
            float(p["quantity"]),
            float(p["price"]) if p.get("price") else None,
            time_ms=int(broker.exchange.now() * 1000),
        )
        acc.orders[order.order_id] = order
        broker.match(acc)
        return web.json_response(order.wire())

    def find(acc: Account, p: dict[str, str]) -> Order | None:
        if p.get("orderId"):
            return acc.orders.get(int(p["orderId"]))
        return next((o for o in acc.orders.values() if o.client_id == p.get("origClientOrderId")), None)

    async def get_order(request: web.Request) -> web.Response:
        acc = broker.account(request)
        broker.match(acc)
        order = find(acc, params(request, {}))
        if order is None:
            return web.json_response({"code": -2013, "msg": "Order does not exist."}, status=400)
        return web.json_response(order.wire())

    async def cancel(request: web.Request) -> web.Response:
        acc = broker.account(request)
        order = find(acc, params(request, dict(await request.post())))
        if order is None or order.status != "NEW":
            return web.json_response({"code": -2011, "msg": "Unknown order sent."}, status=400)
        order.status = "CANCELED"
        return web.json_response(order.wire())

    async def open_orders(request: web.Request) -> web.Response:
        acc = broker.account(request)
        broker.match(acc)
        symbol = request.query.get("symbol")
        return web.json_response(
            [o.wire() for o in acc.orders.values() if o.status == "NEW" and (symbol is None or o.symbol == symbol)]
        )

    async def orders(request: web.Request) -> web.Response:
        acc = broker.account(request)
        return web.json_response([o.wire() for o in acc.orders.values()])

    app.router.add_get("/api/v3/account", account)
    app.router.add_post("/api/v3/order", create)
    app.router.add_get("/api/v3/order", get_order)
    app.router.add_delete("/api/v3/order", cancel)
    app.router.add_get("/api/v3/openOrders", open_orders)
    app.router.add_get("/_emulator/orders", orders)
