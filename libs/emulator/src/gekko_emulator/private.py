"""Authenticated Binance spot endpoints ccxt uses for trading, with a small matching engine.

Accounts are keyed by API key (``X-MBX-APIKEY``; signatures are accepted unchecked) and start with
10,000 USDT. The book is one tick wide around the market: best bid = the close of the newest finished
minute on the market clock, best ask = bid + 0.01.

Matching (evaluated whenever the account is looked at):

* a market order, or a limit order that crosses the book when placed, fills at once at the top of the
  other side (taker);
* a resting limit order fills completely at its own price when a minute that finished after it was
  placed traded through it (a low below a buy, a high above a sell);
* a resting limit order at (or better than) the top of its side of the book is reached by the queue
  after ``maker_delay_s`` seconds of wall time, and then fills ``fill_ratio`` of its size per such
  period (partial fills when below 1) until done.

Funds are locked while an order rests and released by a cancel. Fees (``FEE``) are taken from what is
received, as Binance does without BNB. A repeated ``newClientOrderId`` is refused like Binance does
(``-2010 Duplicate order sent.``), which is what lets a trader retry without placing a second order.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from aiohttp import web

FEE = 0.001  # 0.1 % maker and taker
TICK = 0.01
STEP = 0.00001


def _error(code: int, msg: str, status: int = 400) -> web.Response:
    return web.json_response({"code": code, "msg": msg}, status=status)


@dataclass
class Fill:
    """One execution of an order (``GET /api/v3/myTrades``)."""

    trade_id: int
    price: float
    qty: float
    commission: float
    commission_asset: str
    time_ms: int
    maker: bool


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
    update_ms: int = 0
    placed_minute: int = 0
    locked: float = 0.0
    """Funds still locked for the unfilled part (quote for buys, base for sells)."""
    top_since: float | None = None
    """Wall time since which the order has been at the top of its side of the book."""
    fills: list[Fill] = field(default_factory=list)
    placed_by: str = ""
    """The User-Agent of the request that placed it (which client traded, for tests of fencing)."""
    cancelled_by: str | None = None

    @property
    def open(self) -> bool:
        return self.status in ("NEW", "PARTIALLY_FILLED")

    def wire(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "orderId": self.order_id,
            "orderListId": -1,
            "clientOrderId": self.client_id,
            "transactTime": self.update_ms,
            "time": self.time_ms,
            "updateTime": self.update_ms,
            "price": f"{self.price or 0:.8f}",
            "origQty": f"{self.qty:.8f}",
            "executedQty": f"{self.filled:.8f}",
            "cummulativeQuoteQty": f"{self.quote:.8f}",
            "status": self.status,
            "timeInForce": "GTC",
            "type": self.type,
            "side": self.side,
            "workingTime": self.time_ms,
            "selfTradePreventionMode": "NONE",
            "fills": [
                {
                    "price": f"{f.price:.8f}",
                    "qty": f"{f.qty:.8f}",
                    "commission": f"{f.commission:.8f}",
                    "commissionAsset": f.commission_asset,
                    "tradeId": f.trade_id,
                }
                for f in self.fills
            ],
        }


@dataclass
class Account:
    """Balances (free and locked) and orders of one API key."""

    free: dict[str, float] = field(default_factory=lambda: {"USDT": 10_000.0, "BTC": 0.0})
    locked: dict[str, float] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)


class Broker:
    """Accounts and matching against the emulator's market data."""

    def __init__(self, exchange: Any) -> None:
        self.exchange = exchange
        self.accounts: dict[str, Account] = {}
        self._ids = itertools.count(1)
        self.maker_delay_s = 1.0
        self.fill_ratio = 1.0

    def account(self, request: web.Request) -> Account:
        key = request.headers.get("X-MBX-APIKEY")
        if not key:
            raise web.HTTPUnauthorized(
                text='{"code":-2014,"msg":"API-key format invalid."}', content_type="application/json"
            )
        return self.accounts.setdefault(key, Account())

    def _minute_index(self, symbol: str) -> int:
        series = self.exchange.markets[symbol][2]
        now = int(self.exchange.now()) // 60 * 60 - 60
        return max(int(np.searchsorted(series.start, now, side="right")) - 1, 0)

    def book(self, symbol: str) -> tuple[float, float]:
        """Best bid and best ask."""
        series = self.exchange.markets[symbol][2]
        bid = round(float(series.close[self._minute_index(symbol)]), 2)
        return bid, round(bid + TICK, 2)

    def _traded_through(self, order: Order) -> bool:
        """Did a minute that finished after the order was placed trade through its price?"""
        series = self.exchange.markets[order.symbol][2]
        first = int(np.searchsorted(series.start, order.placed_minute, side="right"))
        last = self._minute_index(order.symbol) + 1
        if first >= last or order.price is None:
            return False
        if order.side == "BUY":
            return bool(series.low[first:last].min() < order.price)
        return bool(series.high[first:last].max() > order.price)

    def _execute(self, account: Account, order: Order, qty: float, price: float, maker: bool) -> None:
        base, quote, _ = self.exchange.markets[order.symbol]
        qty = round(min(qty, order.qty - order.filled), 8)
        cost = qty * price
        now_ms = int(self.exchange.now() * 1000)
        if order.side == "BUY":
            release = qty * (order.price if order.type == "LIMIT" and order.price else price)
            release = min(release, order.locked)
            order.locked -= release
            account.locked[quote] = account.locked.get(quote, 0.0) - release
            account.free[quote] = account.free.get(quote, 0.0) + release - cost
            fee, fee_asset = qty * FEE, base
            account.free[base] = account.free.get(base, 0.0) + qty - fee
        else:
            order.locked -= qty
            account.locked[base] = account.locked.get(base, 0.0) - qty
            fee, fee_asset = cost * FEE, quote
            account.free[quote] = account.free.get(quote, 0.0) + cost - fee
        order.fills.append(Fill(next(self._ids), price, qty, fee, fee_asset, now_ms, maker))
        order.filled = round(order.filled + qty, 8)
        order.quote += cost
        order.update_ms = now_ms
        if order.filled >= order.qty - 1e-12:
            order.status = "FILLED"
            if order.side == "BUY" and order.locked > 0:  # a taker fill below the limit frees the rest
                account.locked[quote] = account.locked.get(quote, 0.0) - order.locked
                account.free[quote] = account.free.get(quote, 0.0) + order.locked
                order.locked = 0.0
        else:
            order.status = "PARTIALLY_FILLED"

    def match(self, account: Account) -> None:
        """Fill whatever the market reached since the last look."""
        wall = time.monotonic()
        for order in account.orders.values():
            if not order.open:
                continue
            bid, ask = self.book(order.symbol)
            remaining = order.qty - order.filled
            if order.type == "MARKET":
                self._execute(account, order, remaining, ask if order.side == "BUY" else bid, maker=False)
                continue
            assert order.price is not None
            if self._traded_through(order):
                self._execute(account, order, remaining, order.price, maker=True)
                continue
            at_top = order.price >= bid if order.side == "BUY" else order.price <= ask
            if not at_top:
                order.top_since = None
                continue
            if order.top_since is None:
                order.top_since = wall
                continue
            while order.open and wall - order.top_since >= self.maker_delay_s:
                order.top_since += self.maker_delay_s
                part = max(math.floor(order.qty * self.fill_ratio / STEP + 1e-9) * STEP, STEP)
                self._execute(account, order, part, order.price, maker=True)

    def place(self, account: Account, order: Order) -> web.Response | None:
        """Lock the funds of a new order and fill what crosses the book; an error response if refused."""
        base, quote, _ = self.exchange.markets[order.symbol]
        bid, ask = self.book(order.symbol)
        if order.side == "BUY":
            need = order.qty * (order.price if order.type == "LIMIT" and order.price else ask)
            asset = quote
        else:
            need, asset = order.qty, base
        if account.free.get(asset, 0.0) + 1e-9 < need:
            return _error(-2010, "Account has insufficient balance for requested action.")
        account.free[asset] = account.free.get(asset, 0.0) - need
        account.locked[asset] = account.locked.get(asset, 0.0) + need
        order.locked = need
        order.placed_minute = int(self.exchange.markets[order.symbol][2].start[self._minute_index(order.symbol)])
        account.orders[order.order_id] = order
        if order.type == "MARKET":
            self._execute(account, order, order.qty, ask if order.side == "BUY" else bid, maker=False)
        elif order.side == "BUY" and order.price is not None and order.price >= ask:
            self._execute(account, order, order.qty, ask, maker=False)
        elif order.side == "SELL" and order.price is not None and order.price <= bid:
            self._execute(account, order, order.qty, bid, maker=False)
        return None

    def cancel(self, account: Account, order: Order) -> None:
        """Cancel the unfilled part and release its funds."""
        base, quote, _ = self.exchange.markets[order.symbol]
        asset = quote if order.side == "BUY" else base
        account.locked[asset] = account.locked.get(asset, 0.0) - order.locked
        account.free[asset] = account.free.get(asset, 0.0) + order.locked
        order.locked = 0.0
        order.status = "CANCELED"
        order.update_ms = int(self.exchange.now() * 1000)


def _number(p: dict[str, str], name: str) -> float | None:
    if not p.get(name):
        return None
    value = float(p[name])
    return value if math.isfinite(value) and value > 0 else None


def add_routes(app: web.Application, broker: Broker) -> None:
    """Mount the private endpoints and the book's public ones on the emulator's application."""

    def failed(placed: bool = False) -> web.Response | None:
        if broker.exchange.faults.draw_trade(placed):
            return _error(-1000, "An unknown error occured while processing the request.", status=500)
        return None

    def params(request: web.Request, body: dict[str, str]) -> dict[str, str]:
        return {**request.query, **body}

    async def account(request: web.Request) -> web.Response:
        if (failure := failed()) is not None:
            return failure
        acc = broker.account(request)
        broker.match(acc)
        balances = [
            {"asset": a, "free": f"{v:.8f}", "locked": f"{max(acc.locked.get(a, 0.0), 0.0):.8f}"}
            for a, v in acc.free.items()
        ]
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
        broker.match(acc)
        p = params(request, dict(await request.post()))
        client_id = p.get("newClientOrderId") or f"emu-{next(broker._ids)}"
        if any(o.client_id == client_id for o in acc.orders.values()):
            return _error(-2010, "Duplicate order sent.")
        if p.get("symbol") not in broker.exchange.markets:
            return _error(-1121, "Invalid symbol.")
        if p.get("side") not in ("BUY", "SELL") or p.get("type") not in ("LIMIT", "MARKET"):
            return _error(-1106, "Parameter 'side' or 'type' is not valid.")
        qty, price = _number(p, "quantity"), _number(p, "price")
        if qty is None or (p["type"] == "LIMIT" and price is None):
            return _error(-1013, "Invalid quantity or price.")
        if qty + 1e-12 < STEP or (price is not None and price < TICK):
            return _error(-1013, "Filter failure: LOT_SIZE")
        if qty * (price or broker.book(p["symbol"])[1]) < 5:
            return _error(-1013, "Filter failure: NOTIONAL")
        now_ms = int(broker.exchange.now() * 1000)
        order = Order(next(broker._ids), client_id, p["symbol"], p["side"], p["type"], qty, price, time_ms=now_ms)
        order.update_ms = now_ms
        order.placed_by = request.headers.get("User-Agent", "")
        refused = broker.place(acc, order)
        if refused is not None:
            return refused
        return failed(placed=True) or web.json_response(order.wire())  # placed, but the answer may get lost

    def find(acc: Account, p: dict[str, str]) -> Order | None:
        if p.get("orderId"):
            return acc.orders.get(int(p["orderId"]))
        return next((o for o in acc.orders.values() if o.client_id == p.get("origClientOrderId")), None)

    async def get_order(request: web.Request) -> web.Response:
        if (failure := failed()) is not None:
            return failure
        acc = broker.account(request)
        broker.match(acc)
        order = find(acc, params(request, {}))
        if order is None:
            return _error(-2013, "Order does not exist.")
        return web.json_response(order.wire())

    async def cancel(request: web.Request) -> web.Response:
        if (failure := failed()) is not None:
            return failure
        acc = broker.account(request)
        broker.match(acc)
        order = find(acc, params(request, dict(await request.post())))
        if order is None or not order.open:
            return _error(-2011, "Unknown order sent.")
        broker.cancel(acc, order)
        order.cancelled_by = request.headers.get("User-Agent", "")
        return web.json_response(order.wire())

    async def open_orders(request: web.Request) -> web.Response:
        if (failure := failed()) is not None:
            return failure
        acc = broker.account(request)
        broker.match(acc)
        symbol = request.query.get("symbol")
        return web.json_response(
            [o.wire() for o in acc.orders.values() if o.open and (symbol is None or o.symbol == symbol)]
        )

    async def my_trades(request: web.Request) -> web.Response:
        if (failure := failed()) is not None:
            return failure
        acc = broker.account(request)
        broker.match(acc)
        q = request.query
        wanted = int(q["orderId"]) if q.get("orderId") else None
        rows = []
        for order in acc.orders.values():
            if order.symbol != q.get("symbol") or (wanted is not None and order.order_id != wanted):
                continue
            for f in order.fills:
                rows.append(
                    {
                        "symbol": order.symbol,
                        "id": f.trade_id,
                        "orderId": order.order_id,
                        "orderListId": -1,
                        "price": f"{f.price:.8f}",
                        "qty": f"{f.qty:.8f}",
                        "quoteQty": f"{f.price * f.qty:.8f}",
                        "commission": f"{f.commission:.8f}",
                        "commissionAsset": f.commission_asset,
                        "time": f.time_ms,
                        "isBuyer": order.side == "BUY",
                        "isMaker": f.maker,
                        "isBestMatch": True,
                    }
                )
        rows.sort(key=lambda r: (r["time"], r["id"]))
        return web.json_response(rows)

    def ticker_row(symbol: str) -> dict[str, Any]:
        bid, ask = broker.book(symbol)
        now_ms = int(broker.exchange.now() * 1000)
        return {
            "symbol": symbol,
            "lastPrice": f"{bid:.8f}",
            "bidPrice": f"{bid:.8f}",
            "bidQty": "1.00000000",
            "askPrice": f"{ask:.8f}",
            "askQty": "1.00000000",
            "openTime": now_ms - 86_400_000,
            "closeTime": now_ms,
            "count": 0,
        }

    async def ticker(request: web.Request) -> web.Response:
        symbol = request.query.get("symbol")
        if symbol is None:
            return web.json_response([ticker_row(s) for s in broker.exchange.markets])
        if symbol not in broker.exchange.markets:
            return _error(-1121, "Invalid symbol.")
        return web.json_response(ticker_row(symbol))

    async def orders(request: web.Request) -> web.Response:
        acc = broker.account(request)
        broker.match(acc)
        return web.json_response(
            [{**o.wire(), "placedBy": o.placed_by, "cancelledBy": o.cancelled_by} for o in acc.orders.values()]
        )

    async def set_book(request: web.Request) -> web.Response:
        """``{"maker_delay_s": 1.0, "fill_ratio": 1.0}``: how fast resting orders at the top fill."""
        body = await request.json()
        try:
            delay = float(body.get("maker_delay_s", broker.maker_delay_s))
            ratio = float(body.get("fill_ratio", broker.fill_ratio))
        except (TypeError, ValueError):
            return web.json_response({"error": "maker_delay_s and fill_ratio must be numbers"}, status=400)
        if delay < 0 or not 0 < ratio <= 1:
            return web.json_response({"error": "maker_delay_s >= 0 and 0 < fill_ratio <= 1"}, status=400)
        broker.maker_delay_s, broker.fill_ratio = delay, ratio
        return web.json_response({"ok": True})

    async def fund(request: web.Request) -> web.Response:
        """``{"key": "...", "free": {"USDT": 4.0, "BTC": 0}}``: set an account's free balances."""
        body = await request.json()
        free = body.get("free")
        if not isinstance(body.get("key"), str) or not isinstance(free, dict):
            return web.json_response({"error": "key (a string) and free (an object) are required"}, status=400)
        try:
            values = {str(asset): float(amount) for asset, amount in free.items()}
        except (TypeError, ValueError):
            return web.json_response({"error": "free balances must be numbers"}, status=400)
        broker.accounts.setdefault(body["key"], Account()).free.update(values)
        return web.json_response({"ok": True})

    app.router.add_get("/api/v3/account", account)
    app.router.add_post("/api/v3/order", create)
    app.router.add_get("/api/v3/order", get_order)
    app.router.add_delete("/api/v3/order", cancel)
    app.router.add_get("/api/v3/openOrders", open_orders)
    app.router.add_get("/api/v3/myTrades", my_trades)
    app.router.add_get("/api/v3/ticker/24hr", ticker)
    app.router.add_get("/api/v3/ticker/bookTicker", ticker)
    app.router.add_get("/_emulator/orders", orders)
    app.router.add_post("/_emulator/book", set_book)
    app.router.add_post("/_emulator/account", fund)
