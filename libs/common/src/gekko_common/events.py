"""Every Gekko event (gekko-server.md §6) as a frozen msgspec Struct with its payload.

The Struct's tag is Gekko's event name and its fields are Gekko's camelCase wire names, so
``encode(event)`` is exactly the ``payload`` a Gekko client sees; ``EVENTS`` maps each name to its
type. Dates are ISO-8601 strings with milliseconds (``2018-07-03T05:40:00.000Z``), as the original
serialises them on the websocket. Payload fields the original leaves out in some cases default to
``UNSET`` and are then left out here too.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

TAG_FIELD = "gekkoEvent"
"""Where the event name sits when an event is encoded as a whole (the Gekko payload leaves it out)."""


class Event(msgspec.Struct, frozen=True, kw_only=True, tag_field=TAG_FIELD, omit_defaults=True):
    """Base of every Gekko event; the tag is its name."""


class CandleEvent(Event, frozen=True, tag="candle"):
    """A new 1-minute candle (``id`` only on candles read back from a database)."""

    start: str
    open: float
    high: float
    low: float
    close: float
    vwp: float
    volume: float
    trades: int
    id: int | UnsetType = UNSET


class StratCandle(Event, frozen=True, tag="stratCandle"):
    """A completed strategy candle of ``candleSize`` minutes."""

    start: str
    open: float
    high: float
    low: float
    close: float
    vwp: float
    volume: float
    trades: int


class StratWarmupCompleted(Event, frozen=True, tag="stratWarmupCompleted"):
    """Warm-up done: ``start`` of the strategy candle that completed it."""

    start: str


class StratUpdate(Event, frozen=True, tag="stratUpdate"):
    """The strategy's indicator results after a strategy candle."""

    date: str
    indicators: dict[str, Any]


class StratNotification(Event, frozen=True, tag="stratNotification"):
    """A strategy's ``notify`` call."""

    content: Any
    date: str


class Trigger(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """An advice's optional trailing stop."""

    type: str
    trailValue: float | UnsetType = UNSET
    trailPercentage: float | UnsetType = UNSET


class Advice(Event, frozen=True, tag="advice"):
    """The strategy changed direction."""

    id: str
    recommendation: str
    date: str
    trigger: Trigger | UnsetType = UNSET


class Portfolio(msgspec.Struct, frozen=True):
    """Asset and currency held."""

    asset: float
    currency: float


class PortfolioChange(Event, frozen=True, tag="portfolioChange"):
    """The portfolio's contents changed."""

    asset: float
    currency: float


class PortfolioValueChange(Event, frozen=True, tag="portfolioValueChange"):
    """The portfolio's value in currency changed."""

    balance: float


class TradeInitiated(Event, frozen=True, tag="tradeInitiated"):
    """About to act on an advice (the live trader sends no ``date``)."""

    id: str
    adviceId: str
    action: str
    portfolio: Portfolio
    balance: float
    date: str | UnsetType = UNSET


class TradeCompleted(Event, frozen=True, tag="tradeCompleted"):
    """A trade was done; ``portfolio`` and ``balance`` are after it."""

    id: str
    adviceId: str
    action: str
    cost: float | None
    amount: float
    price: float
    portfolio: Portfolio
    balance: float
    date: str
    effectivePrice: float
    feePercent: float | None


class TradeAborted(Event, frozen=True, tag="tradeAborted"):
    """An advice was not acted upon."""

    id: str
    adviceId: str
    action: str
    portfolio: Portfolio
    balance: float
    reason: str


class TradeCancelled(Event, frozen=True, tag="tradeCancelled"):
    """An open order was cancelled because of an opposite advice."""

    id: str
    adviceId: str
    date: str


class TradeErrored(Event, frozen=True, tag="tradeErrored"):
    """An order failed."""

    id: str
    adviceId: str
    date: str
    reason: str


class TriggerCreated(Event, frozen=True, tag="triggerCreated"):
    """A trailing stop was set. The paper trader's key really is spelled ``proprties``."""

    id: str
    at: str
    type: str
    proprties: dict[str, float] | UnsetType = UNSET
    properties: dict[str, float] | UnsetType = UNSET


class TriggerFired(Event, frozen=True, tag="triggerFired"):
    """A trailing stop fired."""

    id: str
    date: str


class TriggerAborted(Event, frozen=True, tag="triggerAborted"):
    """A sell advice arrived while a stop was active."""

    id: str
    date: str


class PerformanceReport(Event, frozen=True, tag="performanceReport"):
    """The performance analyzer's report (gekko-server.md §6.5)."""

    startTime: str
    endTime: str
    timespan: str
    market: float
    balance: float
    profit: float
    relativeProfit: float
    yearlyProfit: float
    relativeYearlyProfit: float
    startPrice: float
    endPrice: float
    trades: int
    startBalance: float
    exposure: float
    sharpe: float | None
    downside: float | None
    ratioRoundTrips: str | float
    alpha: float


class RoundtripUpdate(Event, frozen=True, tag="roundtripUpdate"):
    """An open position's unrealised result, every minute."""

    at: str
    duration: float
    uPnl: float
    uProfit: float


class Roundtrip(Event, frozen=True, tag="roundtrip"):
    """A buy closed by a sell."""

    id: int
    entryAt: str
    entryPrice: float
    entryBalance: float
    exitAt: str
    exitPrice: float
    exitBalance: float
    duration: float
    pnl: float
    profit: float


GekkoEvent = (
    CandleEvent
    | StratCandle
    | StratWarmupCompleted
    | StratUpdate
    | StratNotification
    | Advice
    | PortfolioChange
    | PortfolioValueChange
    | TradeInitiated
    | TradeCompleted
    | TradeAborted
    | TradeCancelled
    | TradeErrored
    | TriggerCreated
    | TriggerFired
    | TriggerAborted
    | PerformanceReport
    | RoundtripUpdate
    | Roundtrip
)

EVENTS: dict[str, type[Event]] = {
    cls.__struct_config__.tag: cls  # type: ignore[misc]
    for cls in GekkoEvent.__args__  # type: ignore[attr-defined]
}
"""Gekko event name -> Struct."""

MARKET_EVENTS = ("marketStart", "marketUpdate")
"""Events whose payload is a bare ISO date string rather than an object."""


def decode_event(type_: str, payload: Any) -> Event | str:
    """Validate a (type, payload) pair; a market event's payload is its date string."""
    if type_ in MARKET_EVENTS:
        if not isinstance(payload, str):
            raise msgspec.ValidationError(f"{type_} carries an ISO date string")
        return payload
    cls = EVENTS.get(type_)
    if cls is None:
        raise msgspec.ValidationError(f"unknown gekko event {type_!r}")
    return msgspec.convert(payload, cls)


def payload_of(event: Event) -> dict[str, Any]:
    """The Gekko payload of an event (its fields, without the ``type`` tag)."""
    data = msgspec.to_builtins(event)
    data.pop(TAG_FIELD, None)
    return data  # type: ignore[no-any-return]
