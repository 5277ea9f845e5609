"""The tradebot's rules (engine §8) as a pure state machine: an event in, the next state and effects out.

Portfolio bookkeeping (§8.1), turning advice into an order with its checks and trade-id consumption
(§8.2), what an advice does while an order is in flight, the order's end reported as Gekko's trade
events (§8.4), the live trailing stop (§8.5) and the wind-down of a stopped tradebot. Nothing here does
I/O: :class:`gekko_runner.trader.Trader` performs the effects against the exchange and the bus and
feeds their results back as events. Working one order at the top of the book is
:mod:`gekko_runner.sticky`'s job (the ``Place`` effect starts it, ``OrderEnded`` reports its end).
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from gekko_common.engine.paper_trader import TrailingStop
from gekko_common.events import (
    Advice,
    Event,
    Moment,
    Portfolio,
    PortfolioChange,
    PortfolioValueChange,
    TradeAborted,
    TradeCancelled,
    TradeCompleted,
    TradeErrored,
    TradeInitiated,
    Trigger,
    TriggerAborted,
    TriggerCreated,
    TriggerFired,
)

log = logging.getLogger(__name__)

BUY_SHARE = 0.95
"""A buy spends this share of the currency balance (Gekko's live trader)."""
EXPOSED = 0.10
"""Holding more than this share of the portfolio's value in asset counts as being in position."""
SYNC_S = 600.0
"""Balances are fetched again this often (and after every trade)."""
IN_POSITION = "Portfolio already in position."
SIDES = {"long": "buy", "short": "sell"}


def _floor(value: float, tick: float) -> float:
    """``value`` floored to a multiple of ``tick`` (a float just below a multiple counts as on it)."""
    if tick <= 0:
        return value
    step = Decimal(repr(tick))
    return float(((Decimal(repr(value)) / step) + Decimal("1e-9")).to_integral_value(ROUND_FLOOR) * step)


@dataclass(frozen=True)
class MarketRules:
    """A market's ticks and minimums, with Gekko's rounding (floor to the tick) and validation."""

    price_tick: float = 0.0
    amount_tick: float = 0.0
    min_amount: float = 0.0
    min_price: float = 0.0
    min_cost: float = 0.0

    def round_price(self, price: float) -> float:
        return _floor(price, self.price_tick)

    def round_amount(self, amount: float) -> float:
        return _floor(amount, self.amount_tick)

    def invalid(self, amount: float, price: float) -> str | None:
        """Gekko's validation of an order: later checks overwrite earlier reasons."""
        reason = None
        if amount < self.min_amount or amount <= 0:
            reason = "Amount is too small"
        if price < self.min_price or price <= 0:
            reason = "Price is not valid"
        if amount * price < self.min_cost:
            reason = "Lot size is too small"
        return reason


@dataclass(frozen=True)
class Fill:
    """One execution of an order."""

    price: float
    amount: float
    timestamp_ms: int
    fee_percent: float | None


# --- what happens (the machine's input) ---------------------------------------------------------------


@dataclass(frozen=True)
class AdviceGiven:
    """The strategy (or a fired stop) advises; ``trade_id`` reuses an id a takeover found initiated."""

    advice: Advice
    at: float
    trade_id: str | None = None


@dataclass(frozen=True)
class Synced:
    """Balances fetched (and the bid, when the machine had no price yet); ``clock`` is monotonic."""

    balances: Portfolio
    bid: float | None
    key: str | None
    clock: float


@dataclass(frozen=True)
class CandleClosed:
    """A live 1-minute candle; ``clock`` is monotonic (for the periodic sync)."""

    start: int
    close: float
    clock: float


@dataclass(frozen=True)
class OrderEnded:
    """The sticky order of a trade is over: filled, rejected or cancelled, with its fills."""

    trade_id: str
    status: str
    reason: str | None
    filled: float
    fills: tuple[Fill, ...]
    at: float


@dataclass(frozen=True)
class OrderFailed:
    """Working the order of a trade raised an error."""

    trade_id: str
    reason: str
    at: float


@dataclass(frozen=True)
class BidSeen:
    """The trailing stop's poll saw this best bid."""

    bid: float
    at: float


@dataclass(frozen=True)
class StopRequested:
    """The gekko was stopped: place nothing more, disarm the stop, cancel the order in flight."""

    at: float


@dataclass(frozen=True)
class OrderAdopted:
    """A takeover found the order of an initiated trade on the exchange: it is worked on."""

    trade_id: str
    advice: Advice


@dataclass(frozen=True)
class StopRearmed:
    """A takeover re-arms the logged stop; ``highest`` is the highest close since it was created."""

    trigger_id: str
    advice_id: str
    initial_price: float
    trail: float
    highest: float | None


@dataclass(frozen=True)
class TriggerDropped:
    """A stopped tradebot's logged stop, armed when its runner was gone, is aborted."""

    trigger_id: str
    at: float


@dataclass(frozen=True)
class _Decide:
    advice: Advice
    trade_id: str
    at: float


@dataclass(frozen=True)
class _Valued:
    start: int


@dataclass(frozen=True)
class _Summary:
    trade_id: str
    advice: Advice
    side: str
    amount: float
    price: float
    date: Moment
    fee_percent: float | None


Input = (
    AdviceGiven
    | Synced
    | CandleClosed
    | OrderEnded
    | OrderFailed
    | BidSeen
    | StopRequested
    | OrderAdopted
    | StopRearmed
    | TriggerDropped
    | _Decide
    | _Valued
    | _Summary
)


# --- what to do (the machine's output) ----------------------------------------------------------------


@dataclass(frozen=True)
class Emit:
    """Publish a Gekko event under ``key`` (an event key already in the log is not published again)."""

    event: Event
    key: str


@dataclass(frozen=True)
class Sync:
    """Fetch the balances (and the ticker if ``ticker``), then feed :class:`Synced`."""

    key: str | None
    ticker: bool = False


@dataclass(frozen=True)
class Feed:
    """Feed this event back at once (the next step of a sequence, after the effects before it)."""

    event: Input


@dataclass(frozen=True)
class Place:
    """Work a sticky order for a trade (``resume``: the order a takeover found); feed its end back."""

    trade_id: str
    advice_id: str
    side: str
    amount: float
    resume: bool = False


@dataclass(frozen=True)
class Cancel:
    """Cancel the order of a trade, wait until it is over and feed its end back."""

    trade_id: str


@dataclass(frozen=True)
class Watch:
    """Poll the best bid for the armed trailing stop and feed :class:`BidSeen`."""

    trigger_id: str


@dataclass(frozen=True)
class Unwatch:
    """Stop polling for the trailing stop."""


@dataclass(frozen=True)
class Booked:
    """A trade completed: the strategy and the live report learn of it."""

    trade: TradeCompleted
    advice: Advice


Effect = Emit | Sync | Feed | Place | Cancel | Watch | Unwatch | Booked


# --- state ------------------------------------------------------------------------------------------


@dataclass
class Flight:
    """The trade whose order is being worked; ``cancelling``: the opposite advice (and its trade id)
    waiting for the order's cancel."""

    trade_id: str
    advice: Advice
    side: str
    cancelling: tuple[Advice, str] | None = None


@dataclass
class Armed:
    """The trailing stop in force after a buy."""

    trigger_id: str
    advice_id: str
    stop: TrailingStop


@dataclass
class State:
    """Everything the rules decide on."""

    rules: MarketRules = field(default_factory=MarketRules)
    counter: int = 0
    trigger_counter: int = 0
    price: float | None = None
    balances: Portfolio = field(default_factory=lambda: Portfolio(asset=0.0, currency=0.0))
    last_sync: float = float("-inf")
    published_portfolio: Portfolio | None = None
    published_balance: float | None = None
    flight: Flight | None = None
    armed: Armed | None = None
    stopped: bool = False
    position: int | None = None
    """Start of the newest candle the strategy has seen: a completed trade's event key records it."""


def balance(state: State) -> float:
    """The portfolio's value in currency at the last price."""
    return state.balances.currency + state.balances.asset * (state.price or 0.0)


def exposed(state: State) -> bool:
    """More than ``EXPOSED`` of the portfolio's value is in asset."""
    value = balance(state)
    return value > 0 and state.balances.asset * (state.price or 0.0) / value > EXPOSED


def summarize(fills: tuple[Fill, ...]) -> tuple[float, float, int, float | None]:
    """§8.4: amount, volume-weighted price, time of the last fill (ms) and amount-weighted fee percent."""
    price = amount = 0.0
    last_ms = 0
    fee_weight = fee_amount = 0.0
    for fill in fills:
        price = ((price * amount) + (fill.price * fill.amount)) / (fill.amount + amount)
        amount += fill.amount
        last_ms = max(last_ms, fill.timestamp_ms)
        if fill.fee_percent:
            fee_weight += fill.fee_percent * fill.amount
            fee_amount += fill.amount
    return amount, price, last_ms, (fee_weight / fee_amount if fee_amount else None)


def step(state: State, event: Input) -> tuple[State, list[Effect]]:
    """The next state and what to do, for one event (``state`` itself is left as it was)."""
    s = copy.deepcopy(state)
    return s, _handle(s, event)


def _handle(s: State, event: Input) -> list[Effect]:
    match event:
        case AdviceGiven():
            return _advice(s, event)
        case _Decide():
            return _decide(s, event)
        case Synced():
            return _synced(s, event)
        case CandleClosed():
            s.price = event.close
            if event.clock - s.last_sync >= SYNC_S:
                return [Sync(f"sync:{event.start}"), Feed(_Valued(event.start))]
            return _valued(s, event.start)
        case _Valued():
            return _valued(s, event.start)
        case OrderEnded():
            return _ended(s, event)
        case OrderFailed():
            return _failed(s, event)
        case _Summary():
            return _completed(s, event)
        case BidSeen():
            return _bid(s, event)
        case StopRequested():
            return _stop(s, event)
        case OrderAdopted():
            side = SIDES[event.advice.recommendation]
            s.flight = Flight(event.trade_id, event.advice, side)
            return [Place(event.trade_id, event.advice.id, side, 0.0, resume=True)]
        case StopRearmed():
            return _rearm(s, event)
        case TriggerDropped():
            return [
                Emit(TriggerAborted(id=event.trigger_id, date=Moment.of(event.at)), f"stopAborted:{event.trigger_id}")
            ]


# --- §8.1 portfolio ------------------------------------------------------------------------------------


def _synced(s: State, e: Synced) -> list[Effect]:
    if s.price is None and e.bid is not None:
        s.price = e.bid
    s.balances, s.last_sync = e.balances, e.clock
    if s.published_portfolio is None or s.balances == s.published_portfolio or e.key is None:
        return []
    s.published_portfolio = s.balances
    return [Emit(PortfolioChange(asset=s.balances.asset, currency=s.balances.currency), e.key)]


def _valued(s: State, start: int) -> list[Effect]:
    effects: list[Effect] = []
    if s.published_portfolio is None:
        s.published_portfolio = s.balances
        effects.append(
            Emit(PortfolioChange(asset=s.balances.asset, currency=s.balances.currency), f"portfolio:{start}")
        )
    value = balance(s)
    if value != s.published_balance:
        s.published_balance = value
        effects.append(Emit(PortfolioValueChange(balance=value), f"value:{start}"))
    return effects


# --- §8.2 advice -------------------------------------------------------------------------------------------


def _advice(s: State, e: AdviceGiven) -> list[Effect]:
    advice = e.advice
    if s.stopped:
        log.info("stopped: ignoring advice %r", advice.id)
        return []
    side = SIDES.get(advice.recommendation)
    if side is None:
        log.error("ignoring advice %r: unknown recommendation", advice.id)
        return []
    trade_id = e.trade_id
    if trade_id is None:
        s.counter += 1
        trade_id = f"trade-{s.counter}"
    flight = s.flight
    if flight is None:
        return [Sync(f"sync:{trade_id}", ticker=s.price is None), Feed(_Decide(advice, trade_id, e.at))]
    if flight.side == side:
        log.info("already in the process to %s, ignoring %s", side, advice.id)
    elif flight.cancelling is None:
        flight.cancelling = (advice, trade_id)
        return [Cancel(flight.trade_id)]
    return []


def _decide(s: State, e: _Decide) -> list[Effect]:
    """After the sync: abort, or initiate the trade and place its order."""
    advice, trade_id = e.advice, e.trade_id
    side = SIDES[advice.recommendation]
    portfolio, value = s.balances, balance(s)
    if (side == "buy") == exposed(s):
        aborted = TradeAborted(trade_id, advice.id, side, portfolio, value, IN_POSITION)
        return [Emit(aborted, f"aborted:{trade_id}")]
    effects: list[Effect] = []
    if side == "sell" and s.armed is not None:
        trigger = TriggerAborted(id=s.armed.trigger_id, date=advice.date)
        effects += [Unwatch(), Emit(trigger, f"stopAborted:{trade_id}")]
        s.armed = None
    price = s.price or 0.0
    raw = s.balances.currency / price * BUY_SHARE if side == "buy" else s.balances.asset
    amount = s.rules.round_amount(raw)
    reason = s.rules.invalid(amount, s.rules.round_price(price))
    if reason is not None:
        aborted = TradeAborted(trade_id, advice.id, side, portfolio, value, reason)
        return [*effects, Emit(aborted, f"aborted:{trade_id}")]
    s.flight = Flight(trade_id, advice, side)
    initiated = TradeInitiated(id=trade_id, adviceId=advice.id, action=side, portfolio=portfolio, balance=value)
    return [*effects, Emit(initiated, f"initiated:{trade_id}"), Place(trade_id, advice.id, side, amount)]


# --- §8.4 the order's end ------------------------------------------------------------------------------


def _ended(s: State, e: OrderEnded) -> list[Effect]:
    flight = s.flight
    if flight is None or flight.trade_id != e.trade_id:
        return []  # reported already (its cancel was waited for)
    s.flight = None
    effects: list[Effect] = []
    if e.status == "rejected":
        error = TradeErrored(id=flight.trade_id, adviceId=flight.advice.id, date=Moment.of(e.at), reason=e.reason or "")
        effects.append(Emit(error, f"errored:{flight.trade_id}"))
    elif e.filled > 0:  # filled, or cancelled after a (partial) fill: what was executed is reported
        amount, price, last_ms, fee = summarize(e.fills)
        if amount <= 0:  # the exchange lists no fills: what the orders said
            amount, price, last_ms = e.filled, s.price or 0.0, int(e.at * 1000)
        summary = _Summary(flight.trade_id, flight.advice, flight.side, amount, price, Moment.of(last_ms / 1000), fee)
        effects += [Sync(f"sync:done:{flight.trade_id}"), Feed(summary)]
    return effects + _after(s, flight, e.status, e.at)


def _failed(s: State, e: OrderFailed) -> list[Effect]:
    flight = s.flight
    if flight is None or flight.trade_id != e.trade_id:
        return []
    s.flight = None
    error = TradeErrored(id=flight.trade_id, adviceId=flight.advice.id, date=Moment.of(e.at), reason=e.reason)
    return [Emit(error, f"errored:{flight.trade_id}"), *_after(s, flight, "errored", e.at)]


def _after(s: State, flight: Flight, status: str, at: float) -> list[Effect]:
    """An order cancelled for an opposite advice: that advice is handled again with a new trade id; one
    cancelled by a stop is reported cancelled."""
    if flight.cancelling is not None:
        advice, trade_id = flight.cancelling
        cancelled = TradeCancelled(id=trade_id, adviceId=advice.id, date=Moment.of(at))
        return [Emit(cancelled, f"cancel:{trade_id}"), Sync(f"sync:{trade_id}"), Feed(AdviceGiven(advice, at))]
    if s.stopped and status == "cancelled":
        cancelled = TradeCancelled(id=flight.trade_id, adviceId=flight.advice.id, date=Moment.of(at))
        return [Emit(cancelled, f"cancel:{flight.trade_id}")]
    return []


def _completed(s: State, e: _Summary) -> list[Effect]:
    """After the final sync: ``tradeCompleted`` (§8.4), then a buy's trailing stop (§8.5)."""
    fees: dict[str, float] = {}
    if e.fee_percent is None:
        log.warning("the exchange reports no fees for %s: effective price = price", e.trade_id)
        effective = e.price
    else:
        fees = {"cost": e.fee_percent / 100 * e.amount * e.price, "feePercent": e.fee_percent}
        effective = e.price * (1 + (1 if e.side == "buy" else -1) * e.fee_percent / 100)
    trade = TradeCompleted(
        id=e.trade_id,
        adviceId=e.advice.id,
        action=e.side,
        amount=e.amount,
        price=e.price,
        portfolio=s.balances,
        balance=balance(s),
        date=e.date,
        effectivePrice=effective,
        **fees,
    )
    at = "" if s.position is None else f"@{s.position}"
    effects: list[Effect] = [Emit(trade, f"completed:{e.trade_id}{at}"), Booked(trade, e.advice)]
    trigger = e.advice.trigger
    if e.side == "buy" and isinstance(trigger, Trigger) and not s.stopped:
        effects += _arm(s, e.advice, trigger, e.price)
    return effects


# --- §8.5 trailing stop --------------------------------------------------------------------------------


def _arm(s: State, advice: Advice, trigger: Trigger, price: float) -> list[Effect]:
    if trigger.type != "trailingStop" or not trigger.trailValue:
        log.warning("ignoring trigger %r of %s", trigger.type, advice.id)
        return []
    s.trigger_counter += 1
    trigger_id = f"trigger-{s.trigger_counter}"
    trail = float(trigger.trailValue)
    created = TriggerCreated(
        id=trigger_id, at=advice.date, type="trailingStop", properties={"trail": trail, "initialPrice": price}
    )
    effects: list[Effect] = [Unwatch()] if s.armed is not None else []
    s.armed = Armed(trigger_id, advice.id, TrailingStop(price, trail))
    return [*effects, Emit(created, f"trigger:{trigger_id}"), Watch(trigger_id)]


def _rearm(s: State, e: StopRearmed) -> list[Effect]:
    stop = TrailingStop(e.initial_price, e.trail)
    if e.highest is not None:
        stop.update(max(e.highest, e.initial_price))
    s.armed = Armed(e.trigger_id, e.advice_id, stop)
    return [Watch(e.trigger_id)]


def _bid(s: State, e: BidSeen) -> list[Effect]:
    """A fired stop sells everything: the buy's advice, short, through §8.2."""
    armed = s.armed
    if armed is None or s.stopped or not armed.stop.update(e.bid):
        return []
    s.armed = None
    fired = TriggerFired(id=armed.trigger_id, date=Moment.of(e.at))
    sell = Advice(id=armed.advice_id, recommendation="short", date=Moment.of(e.at))
    return [Emit(fired, f"fired:{armed.trigger_id}"), Feed(AdviceGiven(sell, e.at))]


# --- wind-down ---------------------------------------------------------------------------------------------


def _stop(s: State, e: StopRequested) -> list[Effect]:
    """From now on nothing is placed; the stop is aborted and the order in flight cancelled (its fill is
    reported before its ``tradeCancelled``)."""
    s.stopped = True
    effects: list[Effect] = []
    if s.armed is not None:
        aborted = TriggerAborted(id=s.armed.trigger_id, date=Moment.of(e.at))
        effects += [Unwatch(), Emit(aborted, f"stopAborted:{s.armed.trigger_id}")]
        s.armed = None
    if s.flight is not None:
        effects.append(Cancel(s.flight.trade_id))
    return effects
