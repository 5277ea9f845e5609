"""The tradebot's executor: performs the effects of :mod:`gekko_runner.rules` against the exchange.

The rules (engine §8) decide; this module fetches balances and tickers, works orders as sticky limit
orders (:mod:`gekko_runner.sticky`), polls the trailing stop, publishes the events and feeds every
result back into the rules. Every exchange write goes through :class:`ExchangeClient`, which checks the
gekko's lease (fencing) and retries under the one exchange retry policy.

Every order's client id is derived from the gekko, the advice and the side, so a runner that takes a
gekko over (:meth:`Trader.recover`) finds the orders its predecessor placed, resumes an unfinished one
and cancels strays before it trades again. What was already published is known from the gekko's own
events (:class:`gekko_runner.trader_log.TraderLog`) and never published twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from gekko_common.events import (
    Advice,
    Event,
    Moment,
    Portfolio,
    TradeCancelled,
    TradeCompleted,
    TradeInitiated,
    event_from,
)
from gekko_runner import rules
from gekko_runner.exchange_client import ExchangeClient, Fenced
from gekko_runner.sticky import StickyOrder, gekko_prefix, order_prefix
from gekko_runner.trader_log import TraderLog

log = logging.getLogger(__name__)

Publish = Callable[[str, Any, str], Awaitable[None]]
OnTrade = Callable[[TradeCompleted, Advice], Awaitable[None]]
"""on_trade(the completed trade, the advice it came from)."""


async def finish(*tasks: asyncio.Task[Any] | None) -> None:
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


def as_advice(advice: Advice | dict[str, Any], now: float) -> Advice:
    """An advice as the rules take it (one without a date, from a takeover, is dated now)."""
    if isinstance(advice, Advice):
        return advice
    return event_from(Advice, {"date": Moment.of(now), **{k: v for k, v in advice.items() if v is not None}})


def _fenced(*tasks: asyncio.Task[Any] | None) -> bool:
    return any(t is not None and t.done() and not t.cancelled() and isinstance(t.exception(), Fenced) for t in tasks)


@dataclass
class _Flight:
    """An order being worked: ``task`` works it, ``reporter`` feeds its end to the rules."""

    trade_id: str
    advice_id: str
    sticky: StickyOrder
    task: asyncio.Task[rules.OrderEnded | rules.OrderFailed]
    reporter: asyncio.Task[None] | None = None


class Trader:
    """Gekko's live trader on one exchange market: the rules of :mod:`gekko_runner.rules`, executed."""

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
        self.state = rules.State(client.rules, self.history.last_trade, self.history.last_trigger)
        self.flight: _Flight | None = None
        """The newest order worked (also once it is over)."""
        self.stop_task: asyncio.Task[None] | None = None
        """The trailing stop's poll."""
        self._found: dict[str, StickyOrder] = {}
        """Orders a takeover found on the exchange, by trade id, until they are worked on."""
        self._lock = asyncio.Lock()

    # what the leech and the tests read ------------------------------------------------------------

    @property
    def position(self) -> int | None:
        """Start of the newest candle the strategy has seen; a completed trade's event key records it,
        so that after a takeover the replayed strategy learns of the trade at the same point."""
        return self.state.position

    @position.setter
    def position(self, start: int | None) -> None:
        self.state.position = start

    @property
    def stop(self) -> rules.Armed | None:
        """The trailing stop armed (not yet fired)."""
        return self.state.armed

    def portfolio(self) -> tuple[Portfolio, float]:
        return self.state.balances, rules.balance(self.state)

    def exposed(self) -> bool:
        return rules.exposed(self.state)

    # feeding the rules, performing their effects ---------------------------------------------------

    async def feed(self, event: rules.Input) -> None:
        """One event through the rules, its effects performed (one event at a time)."""
        async with self._lock:
            await self._step(event)

    async def _step(self, event: rules.Input) -> None:
        self.state, effects = rules.step(self.state, event)
        for effect in effects:
            await self._perform(effect)

    async def _perform(self, effect: rules.Effect) -> None:
        match effect:
            case rules.Emit():
                await self.emit(effect.event, effect.key)
            case rules.Sync():
                await self._step(await self._sync(effect))
            case rules.Feed():
                await self._step(effect.event)
            case rules.Place():
                self._place(effect)
            case rules.Cancel():
                await self._step(await self._cancel())
            case rules.Watch():
                self.stop_task = asyncio.create_task(self._poll_stop(effect.trigger_id), name=effect.trigger_id)
            case rules.Unwatch():
                await finish(self.stop_task)
            case rules.Booked() if self.on_trade is not None:
                await self.on_trade(effect.trade, effect.advice)

    async def emit(self, event: Event, key: str) -> None:
        """Publish unless the gekko's log already has this event."""
        if key in self.history.keys:
            return
        self.history.keys.add(key)
        await self._publish(event.name, event, key)

    async def _sync(self, effect: rules.Sync) -> rules.Synced:
        bid = (await self.client.ticker())[0] if effect.ticker else None
        b = await self.client.balances()
        return rules.Synced(Portfolio(asset=b["asset"], currency=b["currency"]), bid, effect.key, time.monotonic())

    def _place(self, effect: rules.Place) -> None:
        sticky = self._found.pop(effect.trade_id, None) if effect.resume else None
        if sticky is None:
            prefix = order_prefix(self.gekko_id, effect.advice_id, effect.side)
            sticky = StickyOrder(self.client, effect.side, effect.amount, prefix, self.interval_s)
        task = asyncio.create_task(self._work(effect.trade_id, sticky), name=f"order {effect.trade_id}")
        flight = self.flight = _Flight(effect.trade_id, effect.advice_id, sticky, task)
        flight.reporter = asyncio.create_task(self._report(flight), name=f"report {effect.trade_id}")

    async def _work(self, trade_id: str, sticky: StickyOrder) -> rules.OrderEnded | rules.OrderFailed:
        """Work the sticky order to its end; what the rules need to know of it."""
        try:
            status = await sticky.run()
        except Fenced:
            raise  # another runner owns the gekko now and reports this order
        except Exception as exc:
            log.warning("order %s failed", trade_id, exc_info=True)
            return rules.OrderFailed(trade_id, str(exc), self.clock())
        fills = []
        if sticky.filled > 0:
            for order_id in sticky.sub_orders:
                fills += await self.client.fills(order_id)
        return rules.OrderEnded(trade_id, status, sticky.reason, sticky.filled, tuple(fills), self.clock())

    def _ended(self, flight: _Flight) -> rules.OrderEnded | rules.OrderFailed:
        """The end of a finished order's task (a lost lease raises :class:`Fenced`)."""
        task = flight.task
        if task.cancelled():
            raise asyncio.CancelledError
        exc = task.exception()
        if isinstance(exc, Fenced):
            raise Fenced(self.gekko_id)
        if exc is not None:
            log.warning("order %s failed", flight.trade_id, exc_info=exc)
            return rules.OrderFailed(flight.trade_id, str(exc), self.clock())
        return task.result()

    async def _report(self, flight: _Flight) -> None:
        await asyncio.wait([flight.task])
        if not flight.task.cancelled() and not _fenced(flight.task):
            await self.feed(self._ended(flight))

    async def _cancel(self) -> rules.OrderEnded | rules.OrderFailed:
        """Cancel the order in flight and wait until it is over."""
        assert self.flight is not None
        self.flight.sticky.cancel()
        await asyncio.wait([self.flight.task])
        return self._ended(self.flight)

    async def settle(self) -> None:
        """Wait until the order in flight (if any) is over and reported.

        Cancelling the caller cancels only the wait: the order is left to :meth:`wind_down` (a stop)
        or :meth:`close` (a handover). An order whose lease was lost raises :class:`Fenced` here."""
        while (flight := self.flight) is not None and flight.reporter is not None:
            await asyncio.wait([flight.reporter])
            if _fenced(flight.task, flight.reporter):
                raise Fenced(self.gekko_id)
            if self.flight is flight:
                return

    async def _poll_stop(self, trigger_id: str) -> None:
        """Feed the best bid to the trailing stop every ten intervals, until it is not armed any more."""
        while (armed := self.state.armed) is not None and armed.trigger_id == trigger_id:
            await asyncio.sleep(10 * self.interval_s)
            try:
                bid, _ = await self.client.ticker()
            except Exception:
                log.warning("ticker for %s failed", trigger_id, exc_info=True)
                continue
            await self.feed(rules.BidSeen(bid, self.clock()))

    # what the leech does ---------------------------------------------------------------------------

    async def sync(self) -> None:
        """Fetch the balances (and a first price) without publishing a change."""
        async with self._lock:
            await self._step(await self._sync(rules.Sync(None, ticker=self.state.price is None)))

    async def on_candle(self, start: int, close: float) -> None:
        """A live 1-minute candle: new price, the periodic sync, portfolio value events."""
        await self.feed(rules.CandleClosed(start, close, time.monotonic()))

    async def advice(self, advice: Advice | dict[str, Any], trade_id: str | None = None) -> None:
        """Act on one advice; an order is worked in the background (see :meth:`settle`)."""
        now = self.clock()
        await self.feed(rules.AdviceGiven(as_advice(advice, now), now, trade_id))

    # takeover and wind-down ------------------------------------------------------------------------

    async def recover(self, pending: Advice | dict[str, Any] | None, highest_since_stop: float | None = None) -> None:
        """Before trading again after a takeover: resume what the previous owner left unfinished.

        ``pending`` is the newest advice of the replayed history; ``highest_since_stop`` the highest
        close since an armed stop was created (its trailing point moved up while nobody watched)."""
        await self.sync()
        keep: set[str] = set()
        h = self.history
        if h.fired is not None:
            keep.add(await self._resume(Advice(id=h.fired[0], recommendation="short", date=h.fired[1])))
        elif h.armed is not None and (advice_id := h.armed[1]) is not None:
            created = h.armed[0]
            props = created.properties if isinstance(created.properties, dict) else {}
            initial, trail = float(props["initialPrice"]), float(props["trail"])
            await self.feed(rules.StopRearmed(created.id, advice_id, initial, trail, highest_since_stop))
        if pending is not None:
            advice = as_advice(pending, self.clock())
            if self.flight is None or self.flight.advice_id != advice.id:
                keep.add(await self._resume(advice))
        for order in await self.client.open_orders():
            if order.client_id.startswith(gekko_prefix(self.gekko_id)) and not any(
                order.client_id.startswith(k) for k in keep if k
            ):
                log.info("cancelling a stray order of %s", self.gekko_id)
                await self.client.cancel(order.id)

    async def _resume(self, advice: Advice) -> str:
        """Resume one advice's order if it was initiated, handle it if it never was; its order prefix."""
        side = rules.SIDES[advice.recommendation]
        prefix = order_prefix(self.gekko_id, advice.id, side)
        outcome = self.history.outcome(advice.id, side)
        if outcome is None or isinstance(outcome, TradeCancelled):
            await self.advice(advice)
            return prefix
        if not isinstance(outcome, TradeInitiated):
            return ""  # it ended (completed, aborted or errored) before the takeover
        sticky = StickyOrder(self.client, side, 0.0, prefix, self.interval_s)
        if await sticky.resume():
            log.info("resuming order %s of %s", outcome.id, self.gekko_id)
            self._found[outcome.id] = sticky
            await self.feed(rules.OrderAdopted(outcome.id, advice))
        else:  # initiated, but the order never reached the exchange
            await self.advice(advice, outcome.id)
        return prefix

    async def wind_down(self) -> None:
        """The gekko was stopped: from now on no order is placed; the trailing stop is disarmed
        (``triggerAborted``, also while it sells) and the order in flight cancelled, its fill reported
        (``tradeCompleted``) before its ``tradeCancelled``; nothing is left on the exchange."""
        await self.feed(rules.StopRequested(self.clock()))
        await finish(self.stop_task)

    async def wind_down_left(self) -> None:
        """Wind down a stopped tradebot whose runner was gone when it was stopped: its open order is
        found by its client ids, cancelled and reported, its stop aborted; nothing new is placed."""
        await self.feed(rules.StopRequested(self.clock()))
        await self.sync()
        h, now = self.history, Moment.of(self.clock())
        if h.fired is not None:
            await self._resume(Advice(id=h.fired[0], recommendation="short", date=now))
        elif h.armed is not None:
            await self.feed(rules.TriggerDropped(h.armed[0].id, self.clock()))
        if h.open_trade is not None and (self.flight is None or self.flight.trade_id != h.open_trade.id):
            side = "long" if h.open_trade.action == "buy" else "short"
            await self._resume(Advice(id=h.open_trade.adviceId, recommendation=side, date=now))
        await self.wind_down()
        for order in await self.client.open_orders():
            if order.client_id.startswith(gekko_prefix(self.gekko_id)):
                await self.client.cancel(order.id)

    async def close(self) -> None:
        """Stop working (orders stay on the exchange, for whoever takes the gekko over)."""
        flight = self.flight
        await finish(flight.task if flight else None, flight.reporter if flight else None, self.stop_task)
