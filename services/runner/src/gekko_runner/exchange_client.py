"""What a live trader needs from an exchange (engine §8.6), over one ccxt market.

Ticker (best bid/ask), balances, limit orders under client order ids, order status, cancels that
report partial fills, the fills of an order, and the market's rounding and minimums
(:class:`gekko_runner.rules.MarketRules`).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import ccxt.async_support as ccxt

from gekko_common.infra.exchange_retry import WAIT_INITIAL_S, with_retries
from gekko_runner.rules import Fill, MarketRules

T = TypeVar("T")


class Fenced(Exception):
    """This runner no longer holds the gekko's lease: it must not write to the exchange (nor publish)
    for that gekko, whose new owner carries on."""


Fence = Callable[[], Awaitable[None]]
"""Raises :class:`Fenced` unless this runner still owns the gekko; awaited before every exchange write."""


def retried(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """The exchange retry policy (:func:`with_retries`) around a method of :class:`ExchangeClient`.

    Every call here may be repeated safely: reads, cancels (an order already gone is fetched) and
    placements under a client order id (a repeat is refused as a duplicate and fetched)."""

    @functools.wraps(method)
    async def wrapper(self: ExchangeClient, *args: Any, **kwargs: Any) -> T:
        return await with_retries(functools.partial(method, self, *args, **kwargs), self.retry_delay_s)

    return wrapper


@dataclass(frozen=True)
class OrderState:
    """An order as the exchange reports it (``status``: open, closed, canceled, rejected, expired)."""

    id: str
    client_id: str
    status: str
    price: float
    amount: float
    filled: float

    @property
    def open(self) -> bool:
        return self.status == "open"


class ExchangeClient:
    """One market (``BTC/USDT``) of an authenticated ccxt exchange."""

    def __init__(
        self, exchange: Any, symbol: str, retry_delay_s: float = WAIT_INITIAL_S, fence: Fence | None = None
    ) -> None:
        self.exchange = exchange
        self.fence = fence
        self.retry_delay_s = retry_delay_s
        self.symbol = symbol
        self.base, self.quote = symbol.split("/")
        market = exchange.market(symbol)
        precision = market.get("precision") or {}
        limits = market.get("limits") or {}
        self.rules = MarketRules(
            price_tick=float(precision.get("price") or 0),
            amount_tick=float(precision.get("amount") or 0),
            min_amount=float((limits.get("amount") or {}).get("min") or 0),
            min_price=float((limits.get("price") or {}).get("min") or 0),
            min_cost=float((limits.get("cost") or {}).get("min") or 0),
        )
        self.round_price = self.rules.round_price
        self.round_amount = self.rules.round_amount
        self.invalid = self.rules.invalid

    # market data and account --------------------------------------------------------------------

    @retried
    async def ticker(self) -> tuple[float, float]:
        """Best bid and best ask."""
        t = await self.exchange.fetch_ticker(self.symbol)
        return float(t["bid"]), float(t["ask"])

    @retried
    async def balances(self) -> dict[str, float]:
        """Free amounts of the market's two currencies (missing ones count as 0)."""
        balance = await self.exchange.fetch_balance()
        return {
            "currency": float((balance.get(self.quote) or {}).get("free") or 0),
            "asset": float((balance.get(self.base) or {}).get("free") or 0),
        }

    # orders -------------------------------------------------------------------------------------

    async def _fenced(self) -> None:
        """Before a write (each attempt of it): raise :class:`Fenced` if the gekko's lease is gone."""
        if self.fence is not None:
            await self.fence()

    def _state(self, order: dict[str, Any]) -> OrderState:
        return OrderState(
            id=str(order["id"]),
            client_id=str(order.get("clientOrderId") or ""),
            status=str(order.get("status") or "open"),
            price=float(order.get("price") or 0),
            amount=float(order.get("amount") or 0),
            filled=float(order.get("filled") or 0),
        )

    @retried
    async def create_limit(self, side: str, amount: float, price: float, client_id: str) -> OrderState:
        """Place a limit order; if the exchange already has ``client_id`` (a retry), that order is returned."""
        await self._fenced()
        try:
            order = await self.exchange.create_order(
                self.symbol, "limit", side, amount, price, params={"clientOrderId": client_id}
            )
        except ccxt.InvalidOrder as exc:
            if "Duplicate" not in str(exc):
                raise
            existing = await self.by_client_id(client_id)
            if existing is None:
                raise
            return existing
        return self._state(order)

    @retried
    async def order(self, order_id: str) -> OrderState:
        return self._state(await self.exchange.fetch_order(order_id, self.symbol))

    @retried
    async def by_client_id(self, client_id: str) -> OrderState | None:
        """The order placed under ``client_id``, or None if there is none."""
        try:
            order = await self.exchange.fetch_order(None, self.symbol, params={"clientOrderId": client_id})
        except ccxt.OrderNotFound:
            return None
        return self._state(order)

    @retried
    async def cancel(self, order_id: str) -> OrderState:
        """Cancel an order; the answer tells what was filled before. An order that finished meanwhile
        is fetched instead."""
        await self._fenced()
        try:
            order = self._state(await self.exchange.cancel_order(order_id, self.symbol))
        except (ccxt.OrderNotFound, ccxt.OperationRejected):  # e.g. Binance -2011: not open any more
            return await self.order(order_id)
        if order.status == "open":  # some exchanges answer a cancel before it is processed
            order = await self.order(order_id)
        return order

    @retried
    async def open_orders(self) -> list[OrderState]:
        return [self._state(o) for o in await self.exchange.fetch_open_orders(self.symbol)]

    @retried
    async def fills(self, order_id: str) -> list[Fill]:
        """The executions of an order, oldest first."""
        trades = await self.exchange.fetch_order_trades(order_id, self.symbol)
        out = []
        for t in trades:
            price, amount = float(t["price"]), float(t["amount"])
            fee = t.get("fee") or {}
            percent = None
            if fee.get("cost") is not None and amount > 0:
                if fee.get("currency") == self.base:
                    percent = float(fee["cost"]) / amount * 100
                elif fee.get("currency") == self.quote:
                    percent = float(fee["cost"]) / (amount * price) * 100
            out.append(Fill(price, amount, int(t["timestamp"]), percent))
        return out
