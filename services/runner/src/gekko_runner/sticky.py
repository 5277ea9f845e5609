"""Gekko's sticky limit order (engine §8.3): a limit order that stays at the top of the book until filled.

A buy rests at the best bid and a sell at the best ask. Every ``interval_s`` the order is checked; while
it is open and the top of the book has moved away from its price, it is cancelled (booking what was
filled) and the rest is placed again at the new top. Each placement is a sub-order with its own client
order id, ``<prefix><n>``, so after a crash :meth:`StickyOrder.resume` finds every sub-order on the
exchange and carries on from the newest one instead of placing anything twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from gekko_runner.exchange_client import ExchangeClient, OrderState

log = logging.getLogger(__name__)


def gekko_prefix(gekko_id: str) -> str:
    """The start of every client order id of one gekko."""
    return "gk" + hashlib.sha256(gekko_id.encode()).hexdigest()[:12]


def order_prefix(gekko_id: str, advice_id: str, side: str) -> str:
    """Client order ids of the sticky order for one advice: this prefix plus the sub-order number
    (at most 36 characters, Binance's limit)."""
    number = advice_id.rsplit("-", 1)[-1]
    return f"{gekko_prefix(gekko_id)}-a{number}{side[0]}-"


def _minus(a: float, b: float) -> float:
    return float(Decimal(repr(a)) - Decimal(repr(b)))


@dataclass
class StickyOrder:
    """One sticky order of ``amount`` on ``side`` ("buy" or "sell")."""

    client: ExchangeClient
    side: str
    amount: float
    prefix: str
    interval_s: float = 1.5
    status: str = "new"
    """new, open, filled, rejected or cancelled."""
    reason: str | None = None
    filled_before: float = 0.0
    """Filled by the sub-orders that are over."""
    sub_orders: list[str] = field(default_factory=list)
    """Ids of the sub-orders with a fill."""
    current: OrderState | None = None
    next_sub: int = 0
    moves: int = 0
    _cancel: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def filled(self) -> float:
        return self.filled_before + (self.current.filled if self.current is not None else 0.0)

    def _client_id(self, n: int) -> str:
        return f"{self.prefix}{n}"

    async def resume(self) -> bool:
        """Pick up the sub-orders placed before a restart; False if there are none."""
        found: list[OrderState] = []
        while (order := await self.client.by_client_id(self._client_id(len(found)))) is not None:
            found.append(order)
        if not found:
            return False
        self.amount = found[0].amount
        self.next_sub = len(found)
        for order in found[:-1]:
            self._book(order)
        last = found[-1]
        if last.open:
            self.current, self.status = last, "open"
        else:
            self._book(last)
            self.status = "filled" if last.status == "closed" else "open"
        return True

    def _book(self, order: OrderState) -> None:
        if order.filled > 0:
            self.filled_before = round(self.filled_before + order.filled, 12)
            if order.id not in self.sub_orders:
                self.sub_orders.append(order.id)

    def remaining(self) -> float:
        return self.client.round_amount(_minus(self.amount, self.filled_before))

    async def _top(self) -> float:
        bid, ask = await self.client.ticker()
        return self.client.round_price(bid if self.side == "buy" else ask)

    async def _place(self, price: float | None = None) -> None:
        """Place the unfilled rest at the top of the book (or finish when nothing placeable is left).

        Nothing is placed once a cancel was asked for: a stop during a move ends the order there."""
        price = await self._top() if price is None else price
        if self._cancel.is_set():
            self.current, self.status = None, "cancelled"
            return
        amount = self.remaining()
        reason = self.client.invalid(amount, price)
        if reason is not None:
            self.current = None
            if self.filled_before > 0:
                self.status = "filled"
            else:
                self.status, self.reason = "rejected", reason
            return
        client_id = self._client_id(self.next_sub)
        self.next_sub += 1
        self.current = await self.client.create_limit(self.side, amount, price, client_id)
        self.status = "open"

    def cancel(self) -> None:
        """Ask the order to stop; it does so once the exchange call in progress is over, and it places
        nothing more."""
        self._cancel.set()

    async def run(self) -> str:
        """Work the order until it is filled, rejected or cancelled; returns that status."""
        if self.status == "new" or (self.status == "open" and self.current is None):
            await self._place()
        while self.status == "open":
            assert self.current is not None
            if not self._cancel.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._cancel.wait(), self.interval_s)
            if self._cancel.is_set():
                await self._stop()
                break
            order = await self.client.order(self.current.id)
            self.current = order
            if not order.open:
                self._book(order)
                self.current = None
                if order.status == "closed" or self.filled_before > 0:
                    self.status = "filled"  # what was executed is the trade
                else:
                    self.status, self.reason = "rejected", f"order {order.status} by the exchange"
                continue
            top = await self._top()
            if top != order.price:
                await self._move(top)
        return self.status

    async def _cancel_current(self) -> bool:
        """Cancel the sub-order on the exchange, booking its fill; True if it had filled completely."""
        assert self.current is not None
        cancelled = await self.client.cancel(self.current.id)
        self._book(cancelled)
        self.current = None
        if cancelled.status == "closed":
            self.status = "filled"
            return True
        return False

    async def _move(self, top: float) -> None:
        """Cancel the order (booking any fill) and place the rest at the new top."""
        if await self._cancel_current():
            return
        self.moves += 1
        await self._place(top)

    async def _stop(self) -> None:
        """A requested cancel: a cancel that reveals a full fill completes the order as filled."""
        if self.current is not None and await self._cancel_current():
            return
        self.status = "cancelled"
