"""Real trading (engine §8): advice becomes sticky limit orders through ccxt, idempotent across restarts.

The trader keeps Gekko's portfolio bookkeeping (§8.1), turns advice into orders with its checks and
trade-id consumption (§8.2), works each order as a sticky limit order (§8.3, :mod:`gekko_runner.sticky`),
reports fills as ``tradeCompleted`` (§8.4) and runs live trailing stops (§8.5).

Every order's client id is derived from the gekko, the advice and the side, so a runner that takes a
gekko over (:meth:`Trader.recover`) finds the orders its predecessor placed, resumes an unfinished one
and cancels strays before it trades again. What was already published is known from the gekko's own
events (:class:`TraderLog`) and never published twice. Credentials never leave this module and ccxt.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import Fernet

from gekko_common.dates import iso_ms
from gekko_common.engine.paper_trader import TrailingStop
from gekko_runner.exchange_client import ExchangeClient, Fenced
from gekko_runner.sticky import StickyOrder

log = logging.getLogger(__name__)

BUY_SHARE = 0.95
"""A buy spends this share of the currency balance (Gekko's live trader)."""
EXPOSED = 0.10
"""Holding more than this share of the portfolio's value in asset counts as being in position."""
SYNC_S = 600.0
"""Balances are fetched again this often (and after every trade)."""
IN_POSITION = "Portfolio already in position."

Publish = Callable[[str, Any, str], Awaitable[None]]
OnTrade = Callable[[dict[str, Any], dict[str, Any]], Awaitable[None]]
"""on_trade(tradeCompleted payload, the advice it came from)."""

TRADE_EVENTS = frozenset(
    {
        "tradeInitiated",
        "tradeCompleted",
        "tradeAborted",
        "tradeCancelled",
        "tradeErrored",
        "triggerCreated",
        "triggerFired",
        "triggerAborted",
    }
)


def decrypt_credentials(token: bytes, secret_key: str) -> dict[str, str]:
    """The stored credentials of an exchange (Fernet-encrypted JSON)."""
    values = json.loads(Fernet(secret_key.encode()).decrypt(token))
    assert isinstance(values, dict)
    return {str(k): str(v) for k, v in values.items()}


def gekko_prefix(gekko_id: str) -> str:
    """The start of every client order id of one gekko."""
    return "gk" + hashlib.sha256(gekko_id.encode()).hexdigest()[:12]


def order_prefix(gekko_id: str, advice_id: str, side: str) -> str:
    """Client order ids of the sticky order for one advice: this prefix plus the sub-order number
    (at most 36 characters, Binance's limit)."""
    number = advice_id.rsplit("-", 1)[-1]
    return f"{gekko_prefix(gekko_id)}-a{number}{side[0]}-"


async def finish(*tasks: asyncio.Task[None] | None) -> None:
    """Cancel background tasks and wait until they are over, logging what failed in them.

    Their cancellation is theirs: if the caller is cancelled meanwhile, that propagates."""
    running = [t for t in tasks if t is not None]
    for task in running:
        task.cancel()
    if running:
        await asyncio.wait(running)
    for task in running:
        if not task.cancelled() and task.exception() is not None:
            log.warning("%s failed", task.get_name(), exc_info=task.exception())


def _number(trade_id: str) -> int:
    tail = trade_id.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


@dataclass
class TraderLog:
    """What a gekko's own events say about its trading, folded in log order (for a takeover)."""

    keys: set[str] = field(default_factory=set)
    """Event keys already published."""
    last_trade: int = 0
    last_trigger: int = 0
    by_advice: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    completed: list[dict[str, Any]] = field(default_factory=list)
    armed: dict[str, Any] | None = None
    """The trailing stop in force: triggerCreated's fields plus the buy's ``adviceId``."""
    fired: dict[str, Any] | None = None
    """A stop that fired: its fields and ``date``; cleared when its sale ended."""
    start_portfolio: dict[str, float] | None = None
    start_balance: float | None = None
    delivered: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    """Completed trades by the start of the candle after which the strategy was told of them."""
    open_trade: dict[str, Any] | None = None
    """The newest trade event when it is a ``tradeInitiated``: an order may be on the exchange."""
    _last_buy: str | None = None

    def add(self, kind: str, payload: Any, key: str) -> None:
        if kind == "portfolioChange" and self.start_portfolio is None and isinstance(payload, dict):
            self.start_portfolio = {k: float(v) for k, v in payload.items()}
            return
        if kind == "portfolioValueChange" and self.start_balance is None and isinstance(payload, dict):
            self.start_balance = float(payload["balance"])
            return
        if kind not in TRADE_EVENTS or not isinstance(payload, dict):
            return
        self.keys.add(key)
        if kind.startswith("trigger"):
            self.last_trigger = max(self.last_trigger, _number(str(payload.get("id", ""))))
            if kind == "triggerCreated":
                self.armed = {**payload, "adviceId": self._last_buy}
            elif kind == "triggerFired" and self.armed is not None:
                self.fired, self.armed = {**self.armed, "date": payload.get("date")}, None
            elif kind == "triggerAborted":
                self.armed = None
            return
        self.last_trade = max(self.last_trade, _number(str(payload.get("id", ""))))
        self.open_trade = payload if kind == "tradeInitiated" else None
        advice_id = str(payload.get("adviceId"))
        self.by_advice.setdefault(advice_id, []).append((kind, payload))
        if kind == "tradeCompleted":
            self.completed.append(payload)
            _, at, position = key.partition("@")
            if at and position.isdigit():
                self.delivered.setdefault(int(position), []).append(payload)
            if payload.get("action") == "buy":
                self._last_buy = advice_id
        if (
            self.fired is not None
            and advice_id == self.fired.get("adviceId")
            and payload.get("action", "sell") == "sell"
            and kind in ("tradeCompleted", "tradeAborted", "tradeErrored")
        ):
            self.fired = None

    def unfinished(self) -> bool:
        """An order may be open or a stop armed: what a stopped tradebot must not leave behind."""
        return self.open_trade is not None or self.armed is not None or self.fired is not None

    def outcome(self, advice_id: str, side: str) -> tuple[str, str] | None:
        """The newest (event type, trade id) of an advice's trade on ``side``."""
        for kind, payload in reversed(self.by_advice.get(advice_id, [])):
            if payload.get("action", side) == side:
                return kind, str(payload.get("id"))
        return None


@dataclass
class _Flight:
    """An order being worked."""

    trade_id: str
    advice: dict[str, Any]
    side: str
    sticky: StickyOrder
    task: asyncio.Task[None] | None = None


@dataclass
class _Stop:
    trigger_id: str
    advice_id: str
    stop: TrailingStop
    task: asyncio.Task[None] | None = None


class Trader:
    """Gekko's live trader on one exchange market; publishes Gekko's portfolio, trade and trigger events."""

    def __init__(
        self,
        gekko_id: str,
        client: ExchangeClient,
        publish: Publish,
        history: TraderLog | None = None,
        interval_s: float = 1.5,
        on_trade: OnTrade | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.gekko_id = gekko_id
        self.client = client
        self._publish = publish
        self.history = history or TraderLog()
        self.interval_s = interval_s
        self.on_trade = on_trade
        self.clock = clock
        self.counter = self.history.last_trade
        self.trigger_counter = self.history.last_trigger
        self.price: float | None = None
        self.balances: dict[str, float] = {"currency": 0.0, "asset": 0.0}
        self.last_sync = 0.0
        self.published_portfolio: dict[str, float] | None = None
        self.published_balance: float | None = None
        self.flight: _Flight | None = None
        self.cancelling = False
        self.stop: _Stop | None = None
        """The trailing stop armed (not yet fired)."""
        self.stop_task: asyncio.Task[None] | None = None
        """The stop's watch, also while it sells after firing."""
        self.stopped = False
        """Wound down: no order is placed any more."""
        self._lock = asyncio.Lock()
        self.position: int | None = None
        """Start of the newest candle the strategy has seen; a completed trade's event key records it,
        so that after a takeover the replayed strategy learns of the trade at the same point."""

    # publishing -----------------------------------------------------------------------------------

    async def emit(self, kind: str, payload: Any, key: str) -> None:
        """Publish unless the gekko's log already has this event."""
        if key in self.history.keys:
            return
        self.history.keys.add(key)
        await self._publish(kind, payload, key)

    def now_iso(self) -> str:
        return iso_ms(self.clock())

    # portfolio (§8.1) -----------------------------------------------------------------------------

    def portfolio(self) -> tuple[dict[str, float], float]:
        price = self.price or 0.0
        portfolio = {"asset": self.balances["asset"], "currency": self.balances["currency"]}
        return portfolio, portfolio["currency"] + portfolio["asset"] * price

    def exposed(self) -> bool:
        portfolio, balance = self.portfolio()
        return balance > 0 and portfolio["asset"] * (self.price or 0.0) / balance > EXPOSED

    async def sync(self, key: str | None = None) -> None:
        """Fetch the ticker (for a first price) and the balances; a changed portfolio is published."""
        if self.price is None:
            self.price = (await self.client.ticker())[0]
        self.balances = await self.client.balances()
        self.last_sync = time.monotonic()
        portfolio, _ = self.portfolio()
        if self.published_portfolio is not None and portfolio != self.published_portfolio and key is not None:
            self.published_portfolio = portfolio
            await self.emit("portfolioChange", portfolio, key)

    async def on_candle(self, start: int, close: float) -> None:
        """A live 1-minute candle: new price, the periodic sync, portfolio value events."""
        self.price = close
        if time.monotonic() - self.last_sync >= SYNC_S:
            await self.sync(f"sync:{start}")
        portfolio, balance = self.portfolio()
        if self.published_portfolio is None:
            self.published_portfolio = portfolio
            await self.emit("portfolioChange", portfolio, f"portfolio:{start}")
        if balance != self.published_balance:
            self.published_balance = balance
            await self.emit("portfolioValueChange", {"balance": balance}, f"value:{start}")

    # advice (§8.2) ---------------------------------------------------------------------------------

    async def advice(self, advice: dict[str, Any], trade_id: str | None = None) -> None:
        """Act on one advice; the order is worked in the background (see :meth:`settle`)."""
        async with self._lock:
            await self._advice(advice, trade_id)

    async def _advice(self, advice: dict[str, Any], trade_id: str | None) -> None:
        if self.stopped:
            log.info("stopped: ignoring advice %r", advice.get("id"))
            return
        recommendation = advice.get("recommendation")
        if recommendation not in ("long", "short"):
            log.error("ignoring advice %r: unknown recommendation", advice.get("id"))
            return
        side = "buy" if recommendation == "long" else "sell"
        if trade_id is None:
            self.counter += 1
            trade_id = f"trade-{self.counter}"
        flight = self.flight
        if flight is not None and flight.task is not None and not flight.task.done():
            if flight.side == side:
                log.info("already in the process to %s, ignoring %s", side, advice["id"])
                return
            if self.cancelling:
                return
            self.cancelling = True
            try:
                flight.sticky.cancel()
                await self.settle()
            finally:
                self.cancelling = False
            await self.emit(
                "tradeCancelled",
                {"id": trade_id, "adviceId": advice["id"], "date": self.now_iso()},
                f"cancel:{trade_id}",
            )
            await self.sync(f"sync:{trade_id}")
            await self._advice(advice, None)
            return
        await self.sync(f"sync:{trade_id}")
        portfolio, balance = self.portfolio()
        price = self.price or 0.0
        base = {"id": trade_id, "adviceId": advice["id"], "action": side, "portfolio": portfolio, "balance": balance}
        if (side == "buy" and self.exposed()) or (side == "sell" and not self.exposed()):
            await self.emit("tradeAborted", {**base, "reason": IN_POSITION}, f"aborted:{trade_id}")
            return
        if side == "sell" and self.stop is not None:
            await self.emit(
                "triggerAborted", {"id": self.stop.trigger_id, "date": advice.get("date")}, f"stopAborted:{trade_id}"
            )
            self._disarm()
        raw = portfolio["currency"] / price * BUY_SHARE if side == "buy" else portfolio["asset"]
        amount = self.client.round_amount(raw)
        reason = self.client.invalid(amount, self.client.round_price(price))
        if reason is not None:
            await self.emit("tradeAborted", {**base, "reason": reason}, f"aborted:{trade_id}")
            return
        await self.emit("tradeInitiated", base, f"initiated:{trade_id}")
        sticky = StickyOrder(
            self.client, side, amount, order_prefix(self.gekko_id, advice["id"], side), self.interval_s
        )
        self._fly(_Flight(trade_id, advice, side, sticky))

    def _fly(self, flight: _Flight) -> None:
        self.flight = flight
        flight.task = asyncio.create_task(self._work(flight), name=f"order {flight.trade_id}")

    async def _work(self, flight: _Flight) -> None:
        """Work the sticky order to its end and report it."""
        try:
            status = await flight.sticky.run()
        except Fenced:
            raise  # another runner owns the gekko now and reports this order
        except Exception as exc:
            log.warning("order %s failed", flight.trade_id, exc_info=True)
            await self.emit(
                "tradeErrored",
                {"id": flight.trade_id, "adviceId": flight.advice["id"], "date": self.now_iso(), "reason": str(exc)},
                f"errored:{flight.trade_id}",
            )
            return
        if status == "rejected":
            await self.emit(
                "tradeErrored",
                {
                    "id": flight.trade_id,
                    "adviceId": flight.advice["id"],
                    "date": self.now_iso(),
                    "reason": flight.sticky.reason,
                },
                f"errored:{flight.trade_id}",
            )
            return
        if flight.sticky.filled <= 0:
            return  # cancelled before anything was filled
        # filled, or cancelled after a (partial) fill: what was executed is reported, never dropped
        await self._complete(flight)

    async def _complete(self, flight: _Flight) -> None:
        """§8.4: the fills of every sub-order become one tradeCompleted."""
        price = amount = 0.0
        last_ms = 0
        fee_weight = fee_amount = 0.0
        for order_id in flight.sticky.sub_orders:
            for fill in await self.client.fills(order_id):
                price = ((price * amount) + (fill.price * fill.amount)) / (fill.amount + amount)
                amount += fill.amount
                last_ms = max(last_ms, fill.timestamp_ms)
                if fill.fee_percent:
                    fee_weight += fill.fee_percent * fill.amount
                    fee_amount += fill.amount
        if amount <= 0:  # the exchange lists no fills: what the orders said
            amount, price, last_ms = flight.sticky.filled, self.price or 0.0, int(self.clock() * 1000)
        fee_percent = fee_weight / fee_amount if fee_amount else None
        await self.sync(f"sync:done:{flight.trade_id}")
        portfolio, balance = self.portfolio()
        trade: dict[str, Any] = {
            "id": flight.trade_id,
            "adviceId": flight.advice["id"],
            "action": flight.side,
            "amount": amount,
            "price": price,
            "portfolio": portfolio,
            "balance": balance,
            "date": iso_ms(last_ms / 1000),
        }
        if fee_percent is None:
            log.warning("the exchange reports no fees for %s: effective price = price", flight.trade_id)
            trade["effectivePrice"] = price
        else:
            trade["cost"] = fee_percent / 100 * amount * price
            trade["feePercent"] = fee_percent
            sign = 1 if flight.side == "buy" else -1
            trade["effectivePrice"] = price * (1 + sign * fee_percent / 100)
        at = "" if self.position is None else f"@{self.position}"
        await self.emit("tradeCompleted", trade, f"completed:{flight.trade_id}{at}")
        if self.on_trade is not None:
            await self.on_trade(trade, flight.advice)
        trigger = flight.advice.get("trigger")
        if flight.side == "buy" and isinstance(trigger, dict):
            await self._arm(flight.advice, trigger, price)

    async def settle(self) -> None:
        """Wait until the order in flight (if any) is over.

        Cancelling the caller cancels only the wait: the order is left to :meth:`wind_down` (a stop)
        or :meth:`close` (a handover). An order whose lease was lost raises :class:`Fenced` here."""
        flight = self.flight
        if flight is None or flight.task is None:
            return
        await asyncio.wait([flight.task])
        if not flight.task.cancelled() and isinstance(flight.task.exception(), Fenced):
            raise Fenced(self.gekko_id)

    # trailing stops (§8.5) -------------------------------------------------------------------------

    async def _arm(self, advice: dict[str, Any], trigger: dict[str, Any], price: float) -> None:
        if trigger.get("type") != "trailingStop" or not trigger.get("trailValue"):
            log.warning("ignoring trigger %r of %s", trigger.get("type"), advice["id"])
            return
        self.trigger_counter += 1
        trigger_id = f"trigger-{self.trigger_counter}"
        trail = float(trigger["trailValue"])
        await self.emit(
            "triggerCreated",
            {
                "id": trigger_id,
                "at": advice.get("date"),
                "type": "trailingStop",
                "properties": {"trail": trail, "initialPrice": price},
            },
            f"trigger:{trigger_id}",
        )
        self._watch(_Stop(trigger_id, advice["id"], TrailingStop(price, trail)))

    def _watch(self, stop: _Stop) -> None:
        self.stop = stop
        stop.task = self.stop_task = asyncio.create_task(self._poll_stop(stop), name=f"stop {stop.trigger_id}")

    def _disarm(self) -> None:
        if self.stop is not None and self.stop.task is not None:
            self.stop.task.cancel()
        self.stop = None

    async def _poll_stop(self, stop: _Stop) -> None:
        """Feed the best bid to the stop every ten intervals; when it fires, sell everything."""
        while True:
            await asyncio.sleep(10 * self.interval_s)
            try:
                bid, _ = await self.client.ticker()
            except Exception:
                log.warning("ticker for %s failed", stop.trigger_id, exc_info=True)
                continue
            if stop.stop.update(bid):
                break
        if self.stop is stop:
            self.stop = None
        await self.emit("triggerFired", {"id": stop.trigger_id, "date": self.now_iso()}, f"fired:{stop.trigger_id}")
        await self.advice({"id": stop.advice_id, "recommendation": "short", "date": self.now_iso()})

    # takeover ---------------------------------------------------------------------------------------

    async def recover(self, pending: dict[str, Any] | None, highest_since_stop: float | None = None) -> None:
        """Before trading again after a takeover: resume what the previous owner left unfinished.

        ``pending`` is the newest advice of the replayed history; ``highest_since_stop`` the highest
        close since an armed stop was created (its trailing point moved up while nobody watched)."""
        await self.sync()
        keep: set[str] = set()
        log_ = self.history
        if log_.fired is not None:
            advice = {"id": log_.fired["adviceId"], "recommendation": "short", "date": log_.fired.get("date")}
            keep.add(await self._resume(advice))
        elif log_.armed is not None and log_.armed.get("adviceId"):
            props = log_.armed.get("properties") or {}
            stop = TrailingStop(float(props["initialPrice"]), float(props["trail"]))
            if highest_since_stop is not None:
                stop.update(max(highest_since_stop, float(props["initialPrice"])))
            self._watch(_Stop(str(log_.armed["id"]), str(log_.armed["adviceId"]), stop))
        if pending is not None and (self.flight is None or self.flight.advice["id"] != pending["id"]):
            keep.add(await self._resume(pending))
        for order in await self.client.open_orders():
            if order.client_id.startswith(gekko_prefix(self.gekko_id)) and not any(
                order.client_id.startswith(k) for k in keep if k
            ):
                log.info("cancelling a stray order of %s", self.gekko_id)
                await self.client.cancel(order.id)

    async def _resume(self, advice: dict[str, Any]) -> str:
        """Resume one advice's order if it was initiated, handle it if it never was; its order prefix."""
        side = "buy" if advice["recommendation"] == "long" else "sell"
        prefix = order_prefix(self.gekko_id, advice["id"], side)
        outcome = self.history.outcome(advice["id"], side)
        if outcome is None or outcome[0] == "tradeCancelled":
            await self.advice(advice)
            return prefix
        kind, trade_id = outcome
        if kind != "tradeInitiated":
            return ""  # it ended (completed, aborted or errored) before the takeover
        sticky = StickyOrder(self.client, side, 0.0, prefix, self.interval_s)
        if await sticky.resume():
            log.info("resuming order %s of %s", trade_id, self.gekko_id)
            self._fly(_Flight(trade_id, advice, side, sticky))
        else:  # initiated, but the order never reached the exchange
            await self.advice(advice, trade_id)
        return prefix

    async def wind_down(self) -> None:
        """The gekko was stopped: from now on no order is placed; the trailing stop is disarmed
        (``triggerAborted``, also while it sells) and the order in flight cancelled, its fill reported
        (``tradeCompleted``) before its ``tradeCancelled``; nothing is left on the exchange."""
        self.stopped = True
        armed, self.stop = self.stop, None
        await finish(self.stop_task)
        if armed is not None:
            await self._abort_trigger(armed.trigger_id)
        async with self._lock:
            flight = self.flight
            if flight is None or flight.task is None or flight.task.done():
                return
            flight.sticky.cancel()
            await self.settle()
            if flight.sticky.status == "cancelled":
                await self.emit(
                    "tradeCancelled",
                    {"id": flight.trade_id, "adviceId": flight.advice["id"], "date": self.now_iso()},
                    f"cancel:{flight.trade_id}",
                )

    async def _abort_trigger(self, trigger_id: str) -> None:
        await self.emit("triggerAborted", {"id": trigger_id, "date": self.now_iso()}, f"stopAborted:{trigger_id}")

    async def wind_down_left(self) -> None:
        """Wind down a stopped tradebot whose runner was gone when it was stopped: its open order is
        found by its client ids, cancelled and reported, its stop aborted; nothing new is placed."""
        self.stopped = True
        await self.sync()
        h = self.history
        if h.fired is not None:
            await self._resume({"id": h.fired["adviceId"], "recommendation": "short"})
        elif h.armed is not None:
            await self._abort_trigger(str(h.armed["id"]))
        if h.open_trade is not None and (self.flight is None or self.flight.trade_id != h.open_trade.get("id")):
            side = "long" if h.open_trade.get("action") == "buy" else "short"
            await self._resume({"id": h.open_trade["adviceId"], "recommendation": side})
        await self.wind_down()
        for order in await self.client.open_orders():
            if order.client_id.startswith(gekko_prefix(self.gekko_id)):
                await self.client.cancel(order.id)

    async def close(self) -> None:
        """Stop working (orders stay on the exchange, for whoever takes the gekko over)."""
        await finish(self.flight.task if self.flight is not None else None, self.stop_task)
