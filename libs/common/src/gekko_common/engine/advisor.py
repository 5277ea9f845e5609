"""The trading advisor: batches 1-minute candles, ticks the strategy, filters its advice (engine §2)."""

from __future__ import annotations

from collections import deque
from typing import Any

import msgspec
from msgspec import UNSET

from gekko_common.engine.arith import MINUTE
from gekko_common.engine.indicators import TSI, UO, indicator_value
from gekko_common.engine.strategy import Strategy, StrategyCandle
from gekko_common.errors import ConfigError, EngineError, StrategyError
from gekko_common.events import (
    Advice,
    Event,
    Moment,
    StratNotification,
    StratUpdate,
    StratWarmupCompleted,
    TradeCompleted,
    Trigger,
    exported,
)


class TradingAdvisor:
    """Owns the strategy; queues stratCandle, stratWarmupCompleted, advice and stratUpdate events."""

    def __init__(
        self, strategy: Strategy, history_size: int, candle_size: int, debug: bool, updates: bool = True
    ) -> None:
        self.strategy = strategy
        self.required_history = history_size
        self.candle_size = candle_size
        self.debug = debug
        self.updates = updates
        self.queue: deque[Event] = deque()
        self.age = 0
        self.warmed_up = False
        self.direction: str | None = None
        self.advice_counter = 0
        self.pending_trigger_advice: str | None = None
        self.last_minute_start = 0
        self.realtime_since: int | None = None
        strategy._advice_sink = self._advice
        strategy._notify_sink = self._notify
        self._guard(strategy.init)
        strategy._initialised = True
        strategy.requiredHistory = history_size
        self._has_log = type(strategy).log is not Strategy.log
        self._replaces_trade_hook = bool(getattr(strategy, "replaces_process_trade", False))
        overrides = type(strategy).on_trade is not Strategy.on_trade
        self._hears_trades = overrides and bool(getattr(strategy, "hears_trades", True))
        """False when the strategy's ``on_trade`` does nothing: the trade is then not exported for it."""

    def _guard(self, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except EngineError:
            raise
        except Exception as exc:
            raise StrategyError(
                f"strategy {self.strategy.name or type(self.strategy).__name__} failed in {fn.__name__}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    def tick(self, candle: StrategyCandle, last_minute_start: int) -> None:
        """One strategy candle (engine §2.2); events go to the queue."""
        self.last_minute_start = last_minute_start
        self.queue.append(candle)
        strategy = self.strategy
        self.age += 1
        for indicator in strategy.indicators.values():
            if indicator.input == "price":
                indicator.update(candle.close)
            else:
                indicator.update(candle)
        strategy.candle = candle
        strategy.age = self.age
        try:
            strategy.update(candle)
        except EngineError:
            raise
        except Exception:
            self._guard(strategy.update, candle)  # re-raise wrapped
        if not self.warmed_up and self.required_history <= self.age:
            premature = self.realtime_since is not None and candle.start < self.realtime_since - self.candle_size * 60
            if not premature:
                self.warmed_up = True
                self.queue.append(StratWarmupCompleted(start=candle.start))
        if self.warmed_up:
            if self.debug and self._has_log:
                self._guard(strategy.log, candle)
            try:
                strategy.check(candle)
            except EngineError:
                raise
            except Exception as exc:
                raise StrategyError(
                    f"strategy {strategy.name or type(strategy).__name__} failed in check: {type(exc).__name__}: {exc}"
                ) from exc
        if self.updates:
            indicators = {
                name: indicator_value(ind) for name, ind in strategy.indicators.items() if not isinstance(ind, TSI | UO)
            }
            self.queue.append(StratUpdate(date=candle.start, indicators=indicators))

    def _advice(self, advice: Any) -> None:
        if not advice:
            return
        trigger = None
        if isinstance(advice, dict):
            direction = advice.get("direction")
            if not isinstance(direction, str):
                return
            if direction == self.direction:
                return
            trigger = advice.get("trigger")
            if isinstance(trigger, dict):
                if direction != "long":
                    trigger = None
                elif trigger.get("trailPercentage") and not trigger.get("trailValue"):
                    assert self.strategy.candle is not None
                    trigger["trailValue"] = trigger["trailPercentage"] / 100 * self.strategy.candle.close
            else:
                trigger = None
        elif isinstance(advice, str):
            direction = advice
        else:
            raise ConfigError(self.strategy.name or "strategy", f"advice must be a string or an object, got {advice!r}")
        if direction == self.direction:
            return
        if direction == "short" and self.pending_trigger_advice:
            self.pending_trigger_advice = None
        self.direction = direction
        self.advice_counter += 1
        advice_id = f"advice-{self.advice_counter}"
        self.pending_trigger_advice = advice_id if trigger is not None else None
        self.queue.append(
            Advice(
                id=advice_id,
                recommendation=direction,
                date=Moment(self.last_minute_start + MINUTE),
                trigger=UNSET if trigger is None else msgspec.convert(trigger, Trigger, strict=False),
            )
        )

    def _notify(self, content: Any) -> None:
        self.queue.append(StratNotification(content=content, date=Moment(self.last_minute_start + MINUTE)))

    def process_trade(self, trade: TradeCompleted) -> None:
        """A completed trade flows back to the strategy (a fired stop flips the direction to short)."""
        if not self._replaces_trade_hook and (
            self.pending_trigger_advice and trade.action == "sell" and trade.adviceId == self.pending_trigger_advice
        ):
            self.direction = "short"
            self.pending_trigger_advice = None
        if self._hears_trades:
            self._guard(self.strategy.on_trade, exported(trade))

    def end(self) -> None:
        """The data ended."""
        self._guard(self.strategy.end)
