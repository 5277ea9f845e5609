"""The numeric steps of the built-in strategies, written once as plain scalar functions: their
advice rules and their indicators' updates.

The step-by-step backend (``strategies.py``, ``indicators.py``) calls these functions candle by
candle; the compiled kernels (``kernels.py``) compile the very same functions with numba and call
them in their loops, so both backends run one definition with the same floating-point operations.
Only scalars, tuples and a buffer (a list, or an array in the kernels) go in and out, so numba can
compile them unchanged. The kernels register them (and ``arith.div``) with numba's ``register_jitable``
when they are loaded, so this module stays free of numba (the importer loads the engine without it).
"""

from __future__ import annotations

from typing import Any

from gekko_common.engine.arith import div

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


# --- the indicators' steps: one candle (or price) at a time, the state in and out ---


def sma_step(ring: Any, idx: int, count: int, total: float, price: float) -> tuple[int, int, float, float]:
    """Gekko's running-sum SMA (never recomputed: its drift is part of the result). ``ring`` holds the
    last ``len(ring)`` prices, ``idx`` is the slot of the oldest, ``count`` how many are held. Returns the
    new (idx, count, total) and the average."""
    if idx < count:
        tail = ring[idx]
    else:
        tail = 0.0
        count += 1
    ring[idx] = price
    total = total + (price - tail)
    return (idx + 1) % len(ring), count, total, total / count


def smma_step(
    ring: Any, n: int, idx: int, count: int, total: float, result: float, price: float, weight: float
) -> tuple[int, int, int, float, float]:
    """Wilder's smoothing, seeded with the SMA of the first ``weight`` values. Returns the new (n, idx,
    count, total) and the result."""
    n += 1
    if n <= weight:
        idx, count, total, mean = sma_step(ring, idx, count, total, price)
        if n == weight:
            result = mean
    else:
        result = ((result * (weight - 1)) + price) / weight
    return n, idx, count, total, result


def gain_loss(close: float, last: float) -> tuple[float, float]:
    """RSI's up and down move from the previous close to this one."""
    if close > last:
        return close - last, 0.0
    return 0.0, last - close


def rsi_value(avg_u: float, avg_d: float) -> float:
    """RSI from the smoothed gains and losses: 100 with no loss (0 with neither)."""
    if avg_d == 0:
        return 100 if avg_u != 0 else 0
    return 100 - (100 / (1 + (avg_u / avg_d)))


def cci_value(tps: Any, start: int, size: int, tp: float, constant: float) -> tuple[float, float, float]:
    """(mean typical price, mean deviation, CCI) of the ``size`` typical prices from ``tps[start]``,
    summed oldest first; ``tp`` is the newest."""
    total = 0.0
    for j in range(start, start + size):
        total += tps[j]
    avg = total / size
    dev = 0.0
    for j in range(start, start + size):
        z = tps[j] - avg
        if z < 0:
            z = z * -1.0
        dev = dev + z
    mean = dev / size
    return avg, mean, div(tp - avg, constant * mean)


def tsi_step(
    momentum: float, inner: float, outer: float, abs_inner: float, abs_outer: float, kl: float, ks: float, first: bool
) -> tuple[float, float, float, float, float]:
    """True strength index: the momentum and its absolute value each smoothed by a long then a short
    EMA. Returns the four EMAs and the index."""
    inner = ema_step(inner, momentum, kl, first)
    outer = ema_step(outer, inner, ks, first)
    abs_inner = ema_step(abs_inner, abs(momentum), kl, first)
    abs_outer = ema_step(abs_outer, abs_inner, ks, first)
    return inner, outer, abs_inner, abs_outer, div(100 * outer, abs_outer)


def uo_inputs(high: float, low: float, close: float, prev: float) -> tuple[float, float]:
    """The ultimate oscillator's buying pressure and true range of a candle after close ``prev``."""
    lo = low if low <= prev else prev
    return close - lo, (high if high >= prev else prev) - lo


def uo_value(a1: float, a2: float, a3: float, w1: float, w2: float, w3: float) -> float:
    """The ultimate oscillator: the weighted mean of the three averages' ratios, times 100."""
    return div(100 * (((w1 * a1) + (w2 * a2)) + (w3 * a3)), (w1 + w2) + w3)


STEPS = (ema_step, sma_step, smma_step, gain_loss, rsi_value, cci_value, tsi_step, uo_inputs, uo_value)
"""The steps compiled code calls (``kernels.py`` registers them with numba)."""
