"""What a takeover learns from a tradebot's own events (TraderLog), folded without servers."""

from __future__ import annotations

from gekko_common.events import (
    Moment,
    Portfolio,
    PortfolioChange,
    PortfolioValueChange,
    TradeAborted,
    TradeCancelled,
    TradeCompleted,
    TradeInitiated,
    TriggerAborted,
    TriggerCreated,
    TriggerFired,
)
from gekko_runner.trader_log import TraderLog

T0 = 1747735200
EMPTY = Portfolio(asset=0.0, currency=100.0)


def initiated(n: int, advice: int, action: str) -> TradeInitiated:
    return TradeInitiated(id=f"trade-{n}", adviceId=f"advice-{advice}", action=action, portfolio=EMPTY, balance=100.0)


def completed(n: int, advice: int, action: str) -> TradeCompleted:
    return TradeCompleted(
        id=f"trade-{n}",
        adviceId=f"advice-{advice}",
        action=action,
        amount=1.0,
        price=10.0,
        portfolio=EMPTY,
        balance=100.0,
        date=Moment(T0),
        effectivePrice=10.0,
    )


def test_the_log_keeps_the_start_counters_keys_and_the_trades_by_candle() -> None:
    log = TraderLog()
    log.add(PortfolioChange(asset=0.0, currency=100.0), "portfolio:1")
    log.add(PortfolioValueChange(balance=100.0), "value:1")
    log.add(PortfolioChange(asset=1.0, currency=0.0), "sync:trade-1")  # only the first counts
    log.add(initiated(1, 1, "buy"), "initiated:trade-1")
    assert log.open_trade is not None
    assert log.unfinished()
    log.add(completed(1, 1, "buy"), f"completed:trade-1@{T0}")
    log.add(TradeAborted("trade-7", "advice-2", "buy", EMPTY, 100.0, "Portfolio already in position."), "aborted:7")
    assert (log.start_portfolio, log.start_balance) == (EMPTY, 100.0)
    assert (log.last_trade, log.open_trade) == (7, None)
    assert log.keys == {"initiated:trade-1", f"completed:trade-1@{T0}", "aborted:7"}
    assert log.delivered == {T0: [completed(1, 1, "buy")]}
    assert log.outcome("advice-1", "buy") == completed(1, 1, "buy")
    assert log.outcome("advice-1", "sell") is None
    assert not log.unfinished()


def test_a_stop_is_armed_for_the_last_buy_fired_and_cleared_when_its_sale_ends() -> None:
    log = TraderLog()
    log.add(completed(1, 3, "buy"), "completed:trade-1")
    created = TriggerCreated(id="trigger-2", at=Moment(T0), type="trailingStop", properties={"trail": 5.0})
    log.add(created, "trigger:trigger-2")
    assert log.armed == (created, "advice-3")
    assert log.last_trigger == 2
    log.add(TriggerFired(id="trigger-2", date=Moment(T0 + 60)), "fired:trigger-2")
    assert (log.armed, log.fired) == (None, ("advice-3", Moment(T0 + 60)))
    assert log.unfinished()
    log.add(initiated(2, 3, "sell"), "initiated:trade-2")
    log.add(completed(2, 3, "sell"), "completed:trade-2")
    assert log.fired is None
    assert not log.unfinished()


def test_an_aborted_stop_and_a_cancelled_trade_leave_nothing_unfinished() -> None:
    log = TraderLog()
    log.add(completed(1, 1, "buy"), "completed:trade-1")
    log.add(TriggerCreated(id="trigger-1", at=Moment(T0), type="trailingStop"), "trigger:trigger-1")
    log.add(TriggerAborted(id="trigger-1", date=Moment(T0)), "stopAborted:trigger-1")
    log.add(initiated(2, 2, "sell"), "initiated:trade-2")
    log.add(TradeCancelled(id="trade-3", adviceId="advice-2", date=Moment(T0)), "cancel:trade-3")
    assert not log.unfinished()
    assert isinstance(log.outcome("advice-2", "sell"), TradeCancelled)
