"""The tradebot's rules (engine §8) without servers: events in, the next state and effects out."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from msgspec import UNSET

from gekko_common.events import (
    Advice,
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
from gekko_runner import rules
from gekko_runner.rules import (
    AdviceGiven,
    BidSeen,
    Booked,
    Cancel,
    CandleClosed,
    Emit,
    Fill,
    MarketRules,
    OrderEnded,
    OrderFailed,
    Place,
    State,
    StopRequested,
    Sync,
    Unwatch,
    Watch,
)

T0 = 1747735200
BINANCE = MarketRules(price_tick=0.01, amount_tick=0.00001, min_amount=0.00001, min_price=0.01, min_cost=5.0)


def advice(n: int, recommendation: str, trigger: Trigger | None = None) -> Advice:
    if trigger is None:
        return Advice(id=f"advice-{n}", recommendation=recommendation, date=Moment(T0 + 60 * n))
    return Advice(id=f"advice-{n}", recommendation=recommendation, date=Moment(T0 + 60 * n), trigger=trigger)


@dataclass
class World:
    """Runs the rules like the executor does, with the exchange's balances at hand: syncs and feeds are
    performed at once, every other effect is recorded."""

    state: State
    balances: Portfolio = field(default_factory=lambda: Portfolio(asset=0.0, currency=10_000.0))
    bid: float = 100_000.0
    effects: list[rules.Effect] = field(default_factory=list)

    def feed(self, event: rules.Input) -> list[rules.Effect]:
        start = len(self.effects)
        self._step(event)
        return self.effects[start:]

    def _step(self, event: rules.Input) -> None:
        before = self.state
        self.state, effects = rules.step(self.state, event)
        assert self.state is not before
        for effect in effects:
            match effect:
                case Sync():
                    self._step(rules.Synced(self.balances, self.bid if effect.ticker else None, effect.key, 0.0))
                case rules.Feed():
                    self._step(effect.event)
                case _:
                    self.effects.append(effect)

    def emitted(self, since: int = 0) -> list[object]:
        return [e.event for e in self.effects[since:] if isinstance(e, Emit)]

    def kinds(self, since: int = 0) -> list[str]:
        return [type(e).__name__ for e in self.emitted(since)]


def started(balances: Portfolio | None = None, price: float = 100_000.0) -> World:
    world = World(State(BINANCE))
    if balances is not None:
        world.balances = balances
    world.bid = price
    world.feed(CandleClosed(T0, price, clock=10_000.0))
    return world


def filled(trade_id: str, amount: float, price: float, fee: float | None = 0.1, at: float = T0 + 5) -> OrderEnded:
    return OrderEnded(trade_id, "filled", None, amount, (Fill(price, amount, int(at * 1000), fee),), at)


# --- §8.1 portfolio -------------------------------------------------------------------------------------


def test_the_first_candle_publishes_the_portfolio_and_its_value() -> None:
    world = started()
    assert world.emitted() == [
        PortfolioChange(asset=0.0, currency=10_000.0),
        PortfolioValueChange(balance=10_000.0),
    ]
    assert [e.key for e in world.effects if isinstance(e, Emit)] == [f"portfolio:{T0}", f"value:{T0}"]


def test_the_value_is_published_when_it_changes_and_the_balances_are_synced_every_ten_minutes() -> None:
    world = started(Portfolio(asset=0.1, currency=0.0))
    assert world.emitted()[-1] == PortfolioValueChange(balance=10_000.0)
    assert world.feed(CandleClosed(T0 + 60, 100_000.0, clock=10_060.0)) == []  # same value, no sync
    world.balances = Portfolio(asset=0.2, currency=0.0)  # deposited meanwhile
    effects = world.feed(CandleClosed(T0 + 660, 101_000.0, clock=10_000.0 + rules.SYNC_S))
    assert [e.event for e in effects if isinstance(e, Emit)] == [
        PortfolioChange(asset=0.2, currency=0.0),
        PortfolioValueChange(balance=pytest.approx(20_200.0)),
    ]


def test_exposure_is_more_than_a_tenth_of_the_value_in_asset() -> None:
    state = State(BINANCE, price=100.0, balances=Portfolio(asset=10.0, currency=9_000.0))
    assert not rules.exposed(state)  # exactly 10 %
    state.balances = Portfolio(asset=10.01, currency=9_000.0)
    assert rules.exposed(state)


# --- §8.2 advice -----------------------------------------------------------------------------------------


def test_a_buy_spends_95_percent_of_the_currency_floored_to_the_lot_step() -> None:
    world = started()
    effects = world.feed(AdviceGiven(advice(1, "long"), T0 + 1))
    assert world.kinds(2) == ["TradeInitiated"]
    assert world.emitted()[-1] == TradeInitiated(
        id="trade-1",
        adviceId="advice-1",
        action="buy",
        portfolio=Portfolio(asset=0.0, currency=10_000.0),
        balance=10_000.0,
    )
    assert effects[-1] == Place("trade-1", "advice-1", "buy", 0.095)
    assert world.state.flight is not None


def test_advice_in_position_is_aborted_and_consumes_its_trade_id() -> None:
    world = started(Portfolio(asset=0.1, currency=0.0))
    world.feed(AdviceGiven(advice(1, "long"), T0 + 1))
    aborted = world.emitted()[-1]
    assert aborted == TradeAborted(
        id="trade-1",
        adviceId="advice-1",
        action="buy",
        portfolio=Portfolio(asset=0.1, currency=0.0),
        balance=10_000.0,
        reason=rules.IN_POSITION,
    )
    world.feed(AdviceGiven(advice(2, "short"), T0 + 2))
    assert world.emitted()[-1] == TradeInitiated(
        id="trade-2", adviceId="advice-2", action="sell", portfolio=Portfolio(asset=0.1, currency=0.0), balance=10_000.0
    )
    assert world.effects[-1] == Place("trade-2", "advice-2", "sell", 0.1)


def test_a_sell_without_asset_is_aborted() -> None:
    world = started()
    world.feed(AdviceGiven(advice(1, "short"), T0 + 1))
    assert world.kinds(2) == ["TradeAborted"]
    assert not any(isinstance(e, Place) for e in world.effects)


@pytest.mark.parametrize(
    ("currency", "price", "reason"),
    [
        (4.0, 100_000.0, "Lot size is too small"),  # 0.00003 BTC: lot step and price fine, notional below 5
        (0.5, 100_000.0, "Lot size is too small"),  # amount 0 ("too small") overwritten by the later check
        (10_000.0, 0.001, "Lot size is too small"),  # invalid price, overwritten as well
    ],
)
def test_an_order_breaking_the_market_limits_is_aborted_with_gekkos_last_reason(
    currency: float, price: float, reason: str
) -> None:
    world = started(Portfolio(asset=0.0, currency=currency), price=price)
    world.feed(AdviceGiven(advice(1, "long"), T0 + 1))
    aborted = world.emitted()[-1]
    assert isinstance(aborted, TradeAborted)
    assert aborted.reason == reason


def test_market_rules_floor_to_the_tick_and_report_each_reason() -> None:
    assert BINANCE.round_amount(0.01234567) == 0.01234
    assert BINANCE.round_price(100_000.019) == 100_000.01
    assert BINANCE.round_amount(0.29999999999999998) == 0.3  # a float just below a multiple counts as on it
    assert MarketRules(min_amount=0.001).invalid(0.0005, 10.0) == "Amount is too small"
    assert MarketRules(min_price=1.0).invalid(1.0, 0.5) == "Price is not valid"
    assert MarketRules(min_cost=5.0).invalid(1.0, 4.0) == "Lot size is too small"
    assert BINANCE.invalid(0.001, 100_000.0) is None


def test_an_unknown_recommendation_is_ignored_without_consuming_a_trade_id() -> None:
    world = started()
    assert world.feed(AdviceGiven(advice(1, "sideways"), T0 + 1)) == []
    world.feed(AdviceGiven(advice(2, "long"), T0 + 2))
    assert world.emitted()[-1].id == "trade-1"  # type: ignore[attr-defined]


def test_the_state_passed_in_is_left_as_it_was() -> None:
    state = State(BINANCE, price=100_000.0, balances=Portfolio(asset=0.0, currency=10_000.0))
    after, effects = rules.step(state, AdviceGiven(advice(1, "long"), T0))
    assert (state.counter, after.counter) == (0, 1)
    assert effects == [Sync("sync:trade-1"), rules.Feed(rules._Decide(advice(1, "long"), "trade-1", T0))]


# --- advice while an order is in flight -----------------------------------------------------------


def test_same_side_advice_in_flight_is_ignored_and_opposite_advice_cancels_then_is_handled_again() -> None:
    world = started()
    world.feed(AdviceGiven(advice(1, "long"), T0 + 1))
    assert world.feed(AdviceGiven(advice(2, "long"), T0 + 2)) == []  # already buying; trade-2 consumed
    assert world.feed(AdviceGiven(advice(3, "short"), T0 + 3)) == [Cancel("trade-1")]
    assert world.feed(AdviceGiven(advice(4, "short"), T0 + 4)) == []  # already cancelling
    mark = len(world.effects)
    world.feed(OrderEnded("trade-1", "cancelled", None, 0.0, (), T0 + 5))
    # nothing was bought: the cancel is reported under the opposite advice's id, which is handled
    # again with a new id and aborted (nothing to sell)
    assert world.emitted(mark) == [
        TradeCancelled(id="trade-3", adviceId="advice-3", date=Moment(T0 + 5)),
        TradeAborted(
            id="trade-5",
            adviceId="advice-3",
            action="sell",
            portfolio=Portfolio(asset=0.0, currency=10_000.0),
            balance=10_000.0,
            reason=rules.IN_POSITION,
        ),
    ]
    assert world.state.flight is None


def test_a_partly_filled_order_cancelled_by_opposite_advice_reports_its_fill_first() -> None:
    world = started()
    world.feed(AdviceGiven(advice(1, "long"), T0 + 1))
    world.feed(AdviceGiven(advice(2, "short"), T0 + 2))
    world.balances = Portfolio(asset=0.04, currency=6_000.0)  # what the partial fill left
    mark = len(world.effects)
    fills = (Fill(100_000.0, 0.01, (T0 + 3) * 1000, 0.1), Fill(100_000.0, 0.03, (T0 + 4) * 1000, 0.1))
    world.feed(OrderEnded("trade-1", "cancelled", None, 0.04, fills, T0 + 5))
    # the sync after the fill publishes the changed portfolio, then the trade
    assert world.kinds(mark) == ["PortfolioChange", "TradeCompleted", "TradeCancelled", "TradeInitiated"]
    _, completed, cancelled, initiated = world.emitted(mark)
    assert isinstance(completed, TradeCompleted)
    assert (completed.id, completed.amount, completed.portfolio) == ("trade-1", 0.04, world.balances)
    assert completed.date == Moment(T0 + 4)
    assert cancelled == TradeCancelled(id="trade-2", adviceId="advice-2", date=Moment(T0 + 5))
    assert isinstance(initiated, TradeInitiated)
    assert (initiated.id, initiated.action) == ("trade-3", "sell")  # now in position: the asset is sold
    assert world.effects[-1] == Place("trade-3", "advice-2", "sell", 0.04)


def test_the_end_of_an_order_reported_twice_is_taken_once() -> None:
    world = started()
    world.feed(AdviceGiven(advice(1, "long"), T0 + 1))
    world.feed(filled("trade-1", 0.095, 100_000.0))
    assert world.feed(filled("trade-1", 0.095, 100_000.0)) == []


# --- §8.4 the order's end --------------------------------------------------------------------------


def test_partial_fills_make_one_trade_at_the_volume_weighted_price_with_fees() -> None:
    fills = (
        Fill(100.0, 1.0, 1_000, 0.1),
        Fill(103.0, 2.0, 3_000, 0.2),
        Fill(101.0, 1.0, 2_000, None),  # no fee reported for this one
    )
    amount, price, last_ms, fee = rules.summarize(fills)
    assert amount == 4.0
    assert price == pytest.approx((100 + 206 + 101) / 4)
    assert last_ms == 3_000
    assert fee == pytest.approx((0.1 * 1 + 0.2 * 2) / 3)


@pytest.mark.parametrize(("side", "sign"), [("buy", 1), ("sell", -1)])
def test_a_completed_trade_carries_cost_fee_and_effective_price(side: str, sign: int) -> None:
    world = started(Portfolio(asset=0.1, currency=0.0) if side == "sell" else None)
    world.feed(AdviceGiven(advice(1, "long" if side == "buy" else "short"), T0 + 1))
    amount = 0.095 if side == "buy" else 0.1
    world.feed(filled("trade-1", amount, 100_000.0, fee=0.1))
    trade = next(e for e in world.emitted() if isinstance(e, TradeCompleted))
    assert trade.cost == pytest.approx(0.001 * amount * 100_000.0)
    assert trade.feePercent == pytest.approx(0.1)
    assert trade.effectivePrice == pytest.approx(100_000.0 * (1 + sign * 0.001))
    booked = [e for e in world.effects if isinstance(e, Booked)]
    assert [(b.trade, b.advice.id) for b in booked] == [(trade, "advice-1")]


def test_a_trade_without_fee_information_has_no_cost_and_its_price_is_effective() -> None:
    world = started()
    world.feed(AdviceGiven(advice(1, "long"), T0 + 1))
    world.feed(filled("trade-1", 0.095, 100_000.0, fee=None))
    trade = next(e for e in world.emitted() if isinstance(e, TradeCompleted))
    assert (trade.effectivePrice, trade.cost, trade.feePercent) == (100_000.0, UNSET, UNSET)


def test_an_order_without_listed_fills_is_reported_from_what_the_order_said() -> None:
    world = started()
    world.feed(AdviceGiven(advice(1, "long"), T0 + 1))
    world.feed(OrderEnded("trade-1", "filled", None, 0.095, (), T0 + 7))
    trade = next(e for e in world.emitted() if isinstance(e, TradeCompleted))
    assert (trade.amount, trade.price, trade.date) == (0.095, 100_000.0, Moment(T0 + 7))


def test_a_rejected_or_failing_order_is_a_trade_error() -> None:
    world = started()
    world.feed(AdviceGiven(advice(1, "long"), T0 + 1))
    world.feed(OrderEnded("trade-1", "rejected", "order expired by the exchange", 0.0, (), T0 + 2))
    world.feed(AdviceGiven(advice(2, "long"), T0 + 3))
    world.feed(OrderFailed("trade-2", "exchange down", T0 + 4))
    errors = [e for e in world.emitted() if isinstance(e, TradeErrored)]
    assert errors == [
        TradeErrored(id="trade-1", adviceId="advice-1", date=Moment(T0 + 2), reason="order expired by the exchange"),
        TradeErrored(id="trade-2", adviceId="advice-2", date=Moment(T0 + 4), reason="exchange down"),
    ]
    assert world.state.flight is None


# --- §8.5 trailing stop ----------------------------------------------------------------------------


def bought_with_stop(trail: float = 60.0) -> World:
    world = started()
    world.feed(AdviceGiven(advice(1, "long", Trigger(type="trailingStop", trailValue=trail)), T0 + 1))
    world.balances = Portfolio(asset=0.095, currency=500.0)
    world.feed(filled("trade-1", 0.095, 100_000.0))
    return world


def test_a_buy_with_a_trailing_stop_arms_it_at_the_fill_price() -> None:
    world = bought_with_stop()
    created = world.emitted()[-1]
    assert created == TriggerCreated(
        id="trigger-1",
        at=Moment(T0 + 60),
        type="trailingStop",
        properties={"trail": 60.0, "initialPrice": 100_000.0},
    )
    assert world.effects[-1] == Watch("trigger-1")


def test_the_stop_trails_the_best_bid_and_fires_a_sale_of_the_buys_advice() -> None:
    world = bought_with_stop()
    assert world.feed(BidSeen(100_050.0, T0 + 100)) == []  # the trailing point rises to 99 990
    assert world.feed(BidSeen(99_995.0, T0 + 110)) == []
    mark = len(world.effects)
    world.feed(BidSeen(99_990.0, T0 + 120))
    assert world.kinds(mark) == ["TriggerFired", "TradeInitiated"]
    fired, sale = world.emitted(mark)
    assert fired == TriggerFired(id="trigger-1", date=Moment(T0 + 120))
    assert isinstance(sale, TradeInitiated)
    assert (sale.id, sale.adviceId, sale.action) == ("trade-2", "advice-1", "sell")
    assert world.state.armed is None
    assert world.feed(BidSeen(90_000.0, T0 + 130)) == []  # fires once


def test_a_short_advice_aborts_the_armed_stop_with_the_advice_date() -> None:
    world = bought_with_stop()
    mark = len(world.effects)
    world.feed(AdviceGiven(advice(5, "short"), T0 + 400))
    assert world.effects[mark] == Unwatch()
    assert world.kinds(mark) == ["TriggerAborted", "TradeInitiated"]
    assert world.emitted(mark)[0] == TriggerAborted(id="trigger-1", date=Moment(T0 + 300))


def test_a_trigger_of_another_type_is_ignored() -> None:
    world = started()
    world.feed(AdviceGiven(advice(1, "long", Trigger(type="takeProfit", trailValue=5.0)), T0 + 1))
    world.feed(filled("trade-1", 0.095, 100_000.0))
    assert "TriggerCreated" not in world.kinds()
    assert world.state.armed is None


# --- a stopped tradebot ---------------------------------------------------------------------------


def test_a_stop_during_a_sticky_move_cancels_the_order_and_places_nothing_more() -> None:
    world = started()
    world.feed(AdviceGiven(advice(1, "long"), T0 + 1))
    assert world.feed(StopRequested(T0 + 10)) == [Cancel("trade-1")]
    mark = len(world.effects)
    world.feed(OrderEnded("trade-1", "cancelled", None, 0.0, (), T0 + 11))  # cancelled between two sub-orders
    assert world.emitted(mark) == [TradeCancelled(id="trade-1", adviceId="advice-1", date=Moment(T0 + 11))]
    assert world.feed(AdviceGiven(advice(2, "short"), T0 + 12)) == []
    assert world.feed(AdviceGiven(advice(3, "long"), T0 + 13)) == []
    assert [e for e in world.effects if isinstance(e, Place)] == [Place("trade-1", "advice-1", "buy", 0.095)]


def test_a_stopped_tradebot_reports_the_fill_of_its_cancelled_order_before_the_cancel() -> None:
    world = started()
    world.feed(AdviceGiven(advice(1, "long", Trigger(type="trailingStop", trailValue=60.0)), T0 + 1))
    world.feed(StopRequested(T0 + 10))
    mark = len(world.effects)
    world.feed(OrderEnded("trade-1", "cancelled", None, 0.02, (Fill(100_000.0, 0.02, (T0 + 9) * 1000, 0.1),), T0 + 11))
    assert world.kinds(mark) == ["TradeCompleted", "TradeCancelled"]  # and no stop is armed any more
    assert not any(isinstance(e, Watch) for e in world.effects)


def test_a_stopped_tradebot_whose_order_filled_at_the_cancel_reports_no_cancel() -> None:
    world = started()
    world.feed(AdviceGiven(advice(1, "long"), T0 + 1))
    world.feed(StopRequested(T0 + 10))
    mark = len(world.effects)
    world.feed(filled("trade-1", 0.095, 100_000.0))
    assert world.kinds(mark) == ["TradeCompleted"]


def test_stopping_disarms_the_stop_and_ignores_the_bid_afterwards() -> None:
    world = bought_with_stop()
    mark = len(world.effects)
    assert world.feed(StopRequested(T0 + 500)) == [
        Unwatch(),
        Emit(TriggerAborted(id="trigger-1", date=Moment(T0 + 500)), "stopAborted:trigger-1"),
    ]
    assert world.feed(BidSeen(1.0, T0 + 510)) == []
    assert world.kinds(mark) == ["TriggerAborted"]
