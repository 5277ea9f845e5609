"""The paper trader (engine §5): simulated fills at the latest close, Gekko's fee flooring, trailing stops."""

from __future__ import annotations

from collections import deque
from typing import Any

from gekko_common.engine.arith import MINUTE, extract_fee
from gekko_common.events import (
    Advice,
    Event,
    Moment,
    Portfolio,
    PortfolioChange,
    PortfolioValueChange,
    TradeCompleted,
    TradeInitiated,
    Trigger,
    TriggerAborted,
    TriggerCreated,
    TriggerFired,
)


class TrailingStop:
    """Gekko's trailing stop: fires (once) when the price falls to ``trail`` below its best level."""

    def __init__(self, initial_price: float, trail: float) -> None:
        self.trail = trail
        self.live = True
        self.previous_price = initial_price
        self.trailing_point = initial_price - trail

    def update(self, price: float) -> bool:
        """Feed a close; True when the stop fires."""
        if not self.live:
            return False
        if price > (self.trailing_point + self.trail):
            self.trailing_point = price - self.trail
        self.previous_price = price
        if price <= self.trailing_point:
            self.live = False
            return True
        return False


class PaperTrader:
    """Simulated portfolio; queues portfolio, trade and trigger events."""

    def __init__(self, settings: dict[str, Any]) -> None:
        fee_using = settings.get("feeUsing", "maker")
        self.raw_fee = settings.get("feeMaker", 0.25) if fee_using == "maker" else settings.get("feeTaker", 0.25)
        self.fee = 1 - (self.raw_fee / 100)
        balance = settings.get("simulationBalance") or {"asset": 1, "currency": 100}
        self.asset: float = balance.get("asset", 1)
        self.currency: float = balance.get("currency", 100)
        self.exposed = self.asset > 0
        self.start_balance_set = False
        self.trade_counter = 0
        self.trigger_counter = 0
        self.warmed_up = False
        self.price = 0.0
        self.candle_start = 0
        self.warmup_candle: tuple[int, float] | None = None
        self.trade_id: str | None = None
        self.stop: TrailingStop | None = None
        self.stop_id: str | None = None
        self.stop_advice_id: str | None = None
        self.queue: deque[Event] = deque()

    def balance(self) -> float:
        """``currency + price * asset``."""
        return self.currency + (self.price * self.asset)

    def portfolio(self) -> Portfolio:
        """A copy of the portfolio."""
        return Portfolio(asset=self.asset, currency=self.currency)

    def _portfolio_events(self) -> None:
        self.queue.append(PortfolioChange(asset=self.asset, currency=self.currency))
        self.queue.append(PortfolioValueChange(balance=self.balance()))

    def process_candle(self, start: int, close: float) -> None:
        """One 1-minute candle (engine §5.2)."""
        if not self.warmed_up:
            self.warmup_candle = (start, close)
            return
        self.price = close
        self.candle_start = start
        if not self.start_balance_set:
            self.start_balance_set = bool(self.balance())
            self._portfolio_events()
        if self.exposed:
            self.queue.append(PortfolioValueChange(balance=self.balance()))
        if self.stop is not None and self.stop.update(close):
            self._stop_fired()

    def on_warmup(self) -> None:
        """Warm-up completed: process the remembered candle now."""
        self.warmed_up = True
        if self.warmup_candle is not None:
            self.process_candle(*self.warmup_candle)

    def _update_position(self, recommendation: str) -> tuple[float, float, float]:
        fee = self.fee
        if recommendation == "long":
            cost = (1 - fee) * self.currency
            self.asset = self.asset + extract_fee(self.currency / self.price, fee)
            amount = self.asset
            self.currency = 0
            self.exposed = True
        else:
            cost = (1 - fee) * (self.asset * self.price)
            self.currency = self.currency + extract_fee(self.asset * self.price, fee)
            amount = self.currency / self.price
            self.asset = 0
            self.exposed = False
        return cost, amount, self.price * fee

    def _completed(
        self, trade_id: str, advice_id: str, action: str, date: Moment, result: tuple[float, float, float]
    ) -> None:
        cost, amount, effective = result
        self._portfolio_events()
        self.queue.append(
            TradeCompleted(
                id=trade_id,
                adviceId=advice_id,
                action=action,
                cost=cost,
                amount=amount,
                price=self.price,
                portfolio=self.portfolio(),
                balance=self.balance(),
                date=date,
                effectivePrice=effective,
                feePercent=self.raw_fee,
            )
        )

    def process_advice(self, advice: Advice) -> None:
        """Execute an advice at the latest close (engine §5.3)."""
        recommendation = advice.recommendation
        date = advice.date
        if recommendation == "short":
            action = "sell"
            self._abort_stop(date)
        elif recommendation == "long":
            action = "buy"
            if advice.trigger:
                self._abort_stop(date)
                self._create_trigger(advice, advice.trigger)
        else:
            return
        self.trade_counter += 1
        self.trade_id = f"trade-{self.trade_counter}"
        self.queue.append(
            TradeInitiated(
                id=self.trade_id,
                adviceId=advice.id,
                action=action,
                portfolio=self.portfolio(),
                balance=self.balance(),
                date=date,
            )
        )
        self._completed(self.trade_id, advice.id, action, date, self._update_position(recommendation))

    def _abort_stop(self, date: Moment) -> None:
        if self.stop is not None:
            assert self.stop_id is not None
            self.queue.append(TriggerAborted(id=self.stop_id, date=date))
            self.stop = None

    def _create_trigger(self, advice: Advice, trigger: Trigger) -> None:
        if trigger.type != "trailingStop" or not trigger.trailValue:
            return
        self.trigger_counter += 1
        self.stop_id = f"trigger-{self.trigger_counter}"
        self.stop_advice_id = advice.id
        trail = trigger.trailValue
        self.queue.append(
            TriggerCreated(
                id=self.stop_id,
                at=advice.date,
                type="trailingStop",
                proprties={"trail": trail, "initialPrice": self.price},
            )
        )
        self.stop = TrailingStop(self.price, trail)

    def _stop_fired(self) -> None:
        date = Moment(self.candle_start + MINUTE)
        assert self.stop_id is not None
        self.queue.append(TriggerFired(id=self.stop_id, date=date))
        result = self._update_position("short")
        assert self.trade_id is not None
        assert self.stop_advice_id is not None
        self._completed(self.trade_id, self.stop_advice_id, "sell", date, result)
        self.stop = None
