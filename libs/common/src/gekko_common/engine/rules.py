"""The advice rules of the built-in strategies (and the EMA step), written once as plain scalar steps.

The step-by-step strategies (``strategies.py``) call these functions candle by candle; the compiled
kernels (``kernels.py``) compile the very same functions with numba and call them in their loops, so
both backends run one definition with the same floating-point operations. Only scalars and tuples go
in and out, so numba can compile them unchanged.
"""

from __future__ import annotations

NO_ADVICE = 0
LONG = 1
SHORT = -1

# the state of a persistent trend: (direction, duration, persisted, adviced); direction 0 is none
TREND_START = (0, 0, False, False)


def enter_zone(
    zone: int, direction: int, duration: int, persisted: bool, adviced: bool, persistence: float
) -> tuple[int, int, bool, bool, bool]:
    """One candle in ``zone`` of the persistent-trend pattern (engine §4.1): a new zone starts over;
    the trend persists after ``persistence`` candles and advises once. Returns the new state and
    whether to advise."""
    if direction != zone:
        direction, duration, persisted, adviced = zone, 0, False, False
    duration += 1
    if duration >= persistence:
        persisted = True
    advise = persisted and not adviced
    return direction, duration, persisted, adviced or advise, advise


def cci_trend(
    value: float,
    up: float,
    down: float,
    persistence: float,
    direction: int,
    duration: int,
    persisted: bool,
    adviced: bool,
) -> tuple[int, int, bool, bool, int]:
    """The CCI strategy's own trend rules: at or above ``up`` is overbought (advise short), at or below
    ``down`` oversold (advise long), persistence 0 advises at once; direction 0 undefined, 1
    overbought, 2 oversold, 3 no direction. Returns the new state and the advice."""
    advice = NO_ADVICE
    if value >= up or value <= down:
        zone, action = (1, SHORT) if value >= up else (2, LONG)
        if (persisted or persistence == 0) and not adviced and direction == zone:
            adviced = True
            duration += 1
            advice = action
        elif direction != zone:
            direction, duration, persisted, adviced = zone, 1, False, False
            if persistence == 0:
                adviced = True
                advice = action
        else:
            duration += 1
            if duration >= persistence:
                persisted = True
    elif direction != 3:
        direction, duration, persisted, adviced = 3, 0, False, False
    else:
        duration += 1
    return direction, duration, persisted, adviced, advice


def tma_advice(short: float, medium: float, long: float) -> int:
    """TMA: short > medium > long -> long; medium above both or below both -> short."""
    if short > medium and medium > long:
        return LONG
    if (short < medium and medium > long) or (short > medium and medium < long):
        return SHORT
    return NO_ADVICE


def ema_step(result: float, price: float, k: float, first: bool) -> float:
    """Gekko's EMA step, seeded with the first price (the smoothing applies to it too)."""
    if first:
        result = price
    return (price * k) + (result * (1 - k))
