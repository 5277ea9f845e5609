"""The advice rules both backends run (engine/rules.py), one candle at a time."""

from __future__ import annotations

from gekko_common.engine import rules


def fold(step, values: list) -> list:
    """Run a trend rule over ``values`` from the start state; what it says on each."""
    state = rules.TREND_START
    out = []
    for value in values:
        *trend, said = step(value, state)
        state = tuple(trend)
        out.append(said)
    return out


def run_zones(zones: list[int], persistence: float) -> list[bool]:
    return fold(lambda zone, state: rules.enter_zone(zone, *state, persistence), zones)


def test_a_trend_advises_once_after_persisting() -> None:
    assert run_zones([1, 1, 1, 1], 2) == [False, True, False, False]
    assert run_zones([1, 2, 1, 1], 2) == [False, False, False, True]  # a zone change starts the count over
    assert run_zones([1, 1], 0) == [True, False]


def run_cci(values: list[float], persistence: float) -> list[int]:
    return fold(lambda value, state: rules.cci_trend(value, 100, -100, persistence, *state), values)


def test_cci_trend_advises_at_once_without_persistence_and_after_it_otherwise() -> None:
    assert run_cci([150, 150, 0, -150], 0) == [rules.SHORT, 0, 0, rules.LONG]
    # with persistence 2: the zone is entered (duration 1), persists at 2, advises on the next candle
    assert run_cci([150, 150, 150, 150], 2) == [0, 0, rules.SHORT, 0]
    assert run_cci([100, -100], 0) == [rules.SHORT, rules.LONG]  # the bounds count (>= and <=)


def test_tma_orders_the_three_averages() -> None:
    assert rules.tma_advice(3, 2, 1) == rules.LONG
    assert rules.tma_advice(1, 3, 2) == rules.SHORT  # medium above both
    assert rules.tma_advice(3, 1, 2) == rules.SHORT  # medium below both
    assert rules.tma_advice(1, 2, 3) == rules.NO_ADVICE


def test_the_ema_step_is_seeded_with_the_first_price() -> None:
    assert rules.ema_step(0.0, 10.0, 0.5, True) == 10.0
    assert rules.ema_step(10.0, 20.0, 0.5, False) == 15.0
