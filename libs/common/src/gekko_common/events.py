"""Every Gekko event (gekko-server.md §6) as a frozen msgspec Struct: the one vocabulary of events.

The engine emits these Structs, the runner publishes them, the gateway's reducers and frames match
on their types. A Struct's ``name`` is Gekko's event name and its fields are Gekko's camelCase wire
names, so encoding an event with :data:`wire_encoder` gives exactly the ``payload`` a Gekko client
sees. Dates are :class:`Moment` values (unix seconds); the wire encoder writes them as ISO-8601
strings with milliseconds (``2018-07-03T05:40:00.000Z``), :func:`exported` as unix seconds (what a
backtest answer carries). Payload fields the original leaves out in some cases default to ``UNSET``
and are then left out here too.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from gekko_common.dates import iso_ms, parse_date


class Moment(int):
    """A date in unix seconds; ``ms`` keeps the milliseconds of a real trade's fill time."""

    ms: int = 0

    @classmethod
    def of(cls, unix: float) -> Moment:
        """The moment ``unix`` (seconds, milliseconds kept)."""
        moment = cls(int(unix))
        moment.ms = round((unix - int(unix)) * 1000)
        return moment

    def iso(self) -> str:
        """ISO-8601 with milliseconds, UTC."""
        return iso_ms(int(self) + self.ms / 1000) if self.ms else iso_ms(self)


def _wire_hook(value: Any) -> Any:
    if isinstance(value, Moment):
        return value.iso()
    raise NotImplementedError(f"cannot encode {type(value).__name__}")


def _unix_hook(value: Any) -> Any:
    if isinstance(value, Moment):
        return int(value)
    raise NotImplementedError(f"cannot encode {type(value).__name__}")


def _decode_hook(type_: type, value: Any) -> Any:
    if type_ is Moment:
        if isinstance(value, str):
            moment = Moment(parse_date(value, "date"))
            fraction = value.rstrip("Z").rpartition(".")[2]
            moment.ms = int(fraction[:3].ljust(3, "0")) if "." in value and fraction.isdigit() else 0
            return moment
        if isinstance(value, int):
            return Moment(value)
    raise NotImplementedError(f"cannot decode {type_.__name__}")


class Event(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Base of every Gekko event; ``name`` is its Gekko event name."""

    name: ClassVar[str]


class CandleEvent(Event, frozen=True):
    """A new 1-minute candle (``id`` only on candles read back from a database)."""

    name: ClassVar[str] = "candle"

    start: Moment
    open: float
    high: float
    low: float
    close: float
    vwp: float
    volume: float
    trades: float
    id: int | UnsetType = UNSET


class StratCandle(Event, frozen=True, kw_only=False):
    """A completed strategy candle of ``candleSize`` minutes: also what a strategy sees as its candle."""

    name: ClassVar[str] = "stratCandle"

    start: Moment
    open: float
    high: float
    low: float
    close: float
    vwp: float
    volume: float
    trades: float


class StratWarmupCompleted(Event, frozen=True):
    """Warm-up done: ``start`` of the strategy candle that completed it."""

    name: ClassVar[str] = "stratWarmupCompleted"

    start: Moment


class StratUpdate(Event, frozen=True):
    """The strategy's indicator results after a strategy candle."""

    name: ClassVar[str] = "stratUpdate"

    date: Moment
    indicators: dict[str, Any]


class StratNotification(Event, frozen=True):
    """A strategy's ``notify`` call."""

    name: ClassVar[str] = "stratNotification"

    content: Any
    date: Moment


class Trigger(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """An advice's optional trailing stop."""

    type: str | UnsetType = UNSET
    trailPercentage: float | UnsetType = UNSET
    trailValue: float | UnsetType = UNSET


class Advice(Event, frozen=True):
    """The strategy changed direction."""

    name: ClassVar[str] = "advice"

    id: str
    recommendation: str
    date: Moment
    trigger: Trigger | UnsetType = UNSET


class Portfolio(msgspec.Struct, frozen=True):
    """Asset and currency held."""

    asset: float
    currency: float


class PortfolioChange(Event, frozen=True):
    """The portfolio's contents changed."""

    name: ClassVar[str] = "portfolioChange"

    asset: float
    currency: float


class PortfolioValueChange(Event, frozen=True):
    """The portfolio's value in currency changed."""

    name: ClassVar[str] = "portfolioValueChange"

    balance: float


class TradeInitiated(Event, frozen=True):
    """About to act on an advice (the live trader sends no ``date``)."""

    name: ClassVar[str] = "tradeInitiated"

    id: str
    adviceId: str
    action: str
    portfolio: Portfolio
    balance: float
    date: Moment | UnsetType = UNSET


class TradeCompleted(Event, frozen=True, kw_only=True):
    """A trade was done; ``portfolio`` and ``balance`` are after it (a live trade without fees has no
    ``cost`` and ``feePercent``)."""

    name: ClassVar[str] = "tradeCompleted"

    id: str
    adviceId: str
    action: str
    cost: float | UnsetType | None = UNSET
    amount: float
    price: float
    portfolio: Portfolio
    balance: float
    date: Moment
    effectivePrice: float
    feePercent: float | UnsetType | None = UNSET


class TradeAborted(Event, frozen=True):
    """An advice was not acted upon."""

    name: ClassVar[str] = "tradeAborted"

    id: str
    adviceId: str
    action: str
    portfolio: Portfolio
    balance: float
    reason: str


class TradeCancelled(Event, frozen=True):
    """An open order was cancelled because of an opposite advice."""

    name: ClassVar[str] = "tradeCancelled"

    id: str
    adviceId: str
    date: Moment


class TradeErrored(Event, frozen=True):
    """An order failed."""

    name: ClassVar[str] = "tradeErrored"

    id: str
    adviceId: str
    date: Moment
    reason: str


class TriggerCreated(Event, frozen=True):
    """A trailing stop was set. The paper trader's key really is spelled ``proprties``."""

    name: ClassVar[str] = "triggerCreated"

    id: str
    at: Moment
    type: str
    proprties: dict[str, float] | UnsetType = UNSET
    properties: dict[str, float] | UnsetType = UNSET


class TriggerFired(Event, frozen=True):
    """A trailing stop fired."""

    name: ClassVar[str] = "triggerFired"

    id: str
    date: Moment


class TriggerAborted(Event, frozen=True):
    """A sell advice arrived while a stop was active."""

    name: ClassVar[str] = "triggerAborted"

    id: str
    date: Moment


class PerformanceReport(Event, frozen=True):
    """The performance analyzer's report (gekko-server.md §6.5)."""

    name: ClassVar[str] = "performanceReport"

    startTime: str
    endTime: str
    timespan: str
    market: float | None
    balance: float | None
    profit: float | None
    relativeProfit: float | None
    yearlyProfit: float | None
    relativeYearlyProfit: float | None
    startPrice: float
    endPrice: float
    trades: float
    startBalance: float
    exposure: float | None
    sharpe: float | None
    downside: float | None
    ratioRoundTrips: str | float
    alpha: float | None


class RoundtripUpdate(Event, frozen=True):
    """An open position's unrealised result, every minute."""

    name: ClassVar[str] = "roundtripUpdate"

    at: Moment
    duration: float
    uPnl: float
    uProfit: float


class Roundtrip(Event, frozen=True):
    """A buy closed by a sell."""

    name: ClassVar[str] = "roundtrip"

    id: int
    entryAt: Moment
    entryPrice: float
    entryBalance: float
    exitAt: Moment
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

EVENTS: dict[str, type[Event]] = {cls.name: cls for cls in GekkoEvent.__args__}  # type: ignore[attr-defined]
"""Gekko event name -> Struct."""

MARKET_START = "marketStart"
MARKET_UPDATE = "marketUpdate"
MARKET_EVENTS = (MARKET_START, MARKET_UPDATE)
"""Events whose payload is a bare ISO date string rather than an object."""

# --- the lifecycle of live gekkos and imports: the server's own frames, not pipeline events ---
GEKKO_NEW = "gekko_new"
GEKKO_STOPPED = "gekko_stopped"
GEKKO_ERROR = "gekko_error"
GEKKO_ARCHIVED = "gekko_archived"
GEKKO_DELETED = "gekko_deleted"
GEKKO_LIFECYCLE = (GEKKO_NEW, GEKKO_STOPPED, GEKKO_ERROR, GEKKO_ARCHIVED, GEKKO_DELETED)
IMPORT_UPDATE = "import_update"
IMPORT_ERROR = "import_error"
IMPORT_STARTED = "_import_started"
"""Internal: carries a new import's record (never relayed to websocket clients)."""
API_KEYS = "apiKeys"
GEKKO_EVENT = "gekko_event"
"""The websocket frame that carries any other event of a live gekko: ``{type, id, event: {type, payload}}``."""
INTERNAL_PREFIX = "_"
"""Envelope types starting with it are bookkeeping (leases, checkpoints) that stay on the bus."""

E = TypeVar("E", bound=Event)

wire_encoder = msgspec.json.Encoder(enc_hook=_wire_hook)
"""Encodes events (and envelopes holding them) as the websocket carries them."""


def event_from(cls: type[E], payload: Any) -> E:
    """A payload as the websocket carries it (or with unix-second dates) as a typed event."""
    return msgspec.convert(payload, cls, dec_hook=_decode_hook)


def decode_event(type_: str, payload: Any) -> Event | str:
    """Validate a (type, payload) pair from the wire; a market event's payload is its date string."""
    if type_ in MARKET_EVENTS:
        if not isinstance(payload, str):
            raise msgspec.ValidationError(f"{type_} carries an ISO date string")
        return payload
    cls = EVENTS.get(type_)
    if cls is None:
        raise msgspec.ValidationError(f"unknown gekko event {type_!r}")
    return event_from(cls, payload)


def payload_of(event: Event) -> dict[str, Any]:
    """The Gekko payload of an event as the websocket carries it (dates as ISO strings)."""
    return msgspec.to_builtins(event, enc_hook=_wire_hook)  # type: ignore[no-any-return]


def exported(event: msgspec.Struct) -> dict[str, Any]:
    """An event as a backtest answer (and a strategy's ``on_trade``) sees it: dates in unix seconds."""
    return msgspec.to_builtins(event, enc_hook=_unix_hook)  # type: ignore[no-any-return]
