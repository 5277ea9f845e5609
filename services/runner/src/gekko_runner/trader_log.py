"""What a tradebot's own events say about its trading (for a takeover): a fold of its log, in order."""

from __future__ import annotations

from dataclasses import dataclass, field

from gekko_common.events import (
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
    TriggerAborted,
    TriggerCreated,
    TriggerFired,
)

TradeEvent = TradeInitiated | TradeCompleted | TradeAborted | TradeCancelled | TradeErrored
TRADE_EVENTS = (TradeInitiated, TradeCompleted, TradeAborted, TradeCancelled, TradeErrored)
TRIGGER_EVENTS = (TriggerCreated, TriggerFired, TriggerAborted)
TRADING_EVENTS = (*TRADE_EVENTS, *TRIGGER_EVENTS, PortfolioChange, PortfolioValueChange)
"""What a takeover needs to know of a tradebot's log."""


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
    by_advice: dict[str, list[Event]] = field(default_factory=dict)
    completed: list[TradeCompleted] = field(default_factory=list)
    armed: tuple[TriggerCreated, str | None] | None = None
    """The trailing stop in force and the advice id of the buy it guards."""
    fired: tuple[str, Moment] | None = None
    """A stop that fired: the advice id of its buy and when; cleared when its sale ended."""
    start_portfolio: Portfolio | None = None
    start_balance: float | None = None
    delivered: dict[int, list[TradeCompleted]] = field(default_factory=dict)
    """Completed trades by the start of the candle after which the strategy was told of them."""
    open_trade: TradeInitiated | None = None
    """The newest trade event when it is a ``tradeInitiated``: an order may be on the exchange."""
    _last_buy: str | None = None

    def add(self, event: Event, key: str) -> None:
        match event:
            case PortfolioChange() if self.start_portfolio is None:
                self.start_portfolio = Portfolio(asset=event.asset, currency=event.currency)
            case PortfolioValueChange() if self.start_balance is None:
                self.start_balance = event.balance
            case TriggerCreated() | TriggerFired() | TriggerAborted():
                self.keys.add(key)
                self._trigger(event)
            case TradeInitiated() | TradeCompleted() | TradeAborted() | TradeCancelled() | TradeErrored():
                self.keys.add(key)
                self._trade(event, key)

    def _trigger(self, event: TriggerCreated | TriggerFired | TriggerAborted) -> None:
        self.last_trigger = max(self.last_trigger, _number(event.id))
        match event:
            case TriggerCreated():
                self.armed = (event, self._last_buy)
            case TriggerFired() if self.armed is not None and self.armed[1] is not None:
                self.fired, self.armed = (self.armed[1], event.date), None
            case TriggerAborted():
                self.armed = None

    def _trade(
        self, event: TradeInitiated | TradeCompleted | TradeAborted | TradeCancelled | TradeErrored, key: str
    ) -> None:
        self.last_trade = max(self.last_trade, _number(event.id))
        self.open_trade = event if isinstance(event, TradeInitiated) else None
        self.by_advice.setdefault(event.adviceId, []).append(event)
        if isinstance(event, TradeCompleted):
            self.completed.append(event)
            _, at, position = key.partition("@")
            if at and position.isdigit():
                self.delivered.setdefault(int(position), []).append(event)
            if event.action == "buy":
                self._last_buy = event.adviceId
        sale_over = (
            isinstance(event, TradeCompleted | TradeAborted | TradeErrored)
            and getattr(event, "action", "sell") == "sell"
        )
        if self.fired is not None and event.adviceId == self.fired[0] and sale_over:
            self.fired = None

    def unfinished(self) -> bool:
        """An order may be open or a stop armed: what a stopped tradebot must not leave behind."""
        return self.open_trade is not None or self.armed is not None or self.fired is not None

    def outcome(self, advice_id: str, side: str) -> Event | None:
        """The newest trade event of an advice's trade on ``side``."""
        for event in reversed(self.by_advice.get(advice_id, [])):
            if getattr(event, "action", side) == side:
                return event
        return None
