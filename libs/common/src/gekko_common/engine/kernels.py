"""Compiled fast paths for built-in strategies whose advice depends only on their indicators.

Each kernel runs a strategy's indicators and its check logic over all strategy candles in one
numba loop, in the original's order of floating-point operations, and returns the raw advice per
candle (0 none, 1 long, -1 short). The pipeline then only has to process the candles that advise.
Parity tests run every recorded backtest through both paths.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

Codes = npt.NDArray[np.int8]


@njit(cache=True)  # type: ignore[misc]
def _zone(
    values: Any, first_check: int, up: float, down: float, up_action: int, down_action: int, persistence: float
) -> Any:
    """The persistent-trend pattern (engine §4.1): value > up -> zone 1, value < down -> zone 2."""
    n = len(values)
    out = np.zeros(n, dtype=np.int8)
    direction = 0
    duration = 0
    persisted = False
    adviced = False
    for i in range(first_check, n):
        v = values[i]
        if v > up:
            zone, action = 1, up_action
        elif v < down:
            zone, action = 2, down_action
        else:
            continue
        if direction != zone:
            direction = zone
            duration = 0
            persisted = False
            adviced = False
        duration += 1
        if duration >= persistence:
            persisted = True
        if persisted and not adviced:
            adviced = True
            out[i] = action
    return out


@njit(cache=True)  # type: ignore[misc]
def _ema_step(result: float, price: float, k: float, first: bool) -> float:
    if first:
        result = price
    return (price * k) + (result * (1 - k))


@njit(cache=True)  # type: ignore[misc]
def _macd(close: Any, short: float, long: float, signal: float) -> Any:
    n = len(close)
    out = np.empty(n)
    ks, kl, kg = 2 / (short + 1), 2 / (long + 1), 2 / (signal + 1)
    es = el = eg = 0.0
    for i in range(n):
        p = close[i]
        es = _ema_step(es, p, ks, i == 0)
        el = _ema_step(el, p, kl, i == 0)
        diff = es - el
        eg = _ema_step(eg, diff, kg, i == 0)
        out[i] = diff - eg
    return out


@njit(cache=True)  # type: ignore[misc]
def _ppo_hist(close: Any, short: float, long: float, signal: float) -> Any:
    """``ppo - PPOsignal`` per candle (what the PPO strategy compares)."""
    n = len(close)
    out = np.empty(n)
    ks, kl, kg = 2 / (short + 1), 2 / (long + 1), 2 / (signal + 1)
    es = el = eg = 0.0
    for i in range(n):
        p = close[i]
        es = _ema_step(es, p, ks, i == 0)
        el = _ema_step(el, p, kl, i == 0)
        macd = es - el
        ppo = 100 * (macd / el) if el != 0 else (np.nan if macd == 0 else np.inf * np.sign(macd))
        eg = _ema_step(eg, ppo, kg, i == 0)
        out[i] = ppo - eg
    return out


@njit(cache=True)  # type: ignore[misc]
def _rsi(close: Any, interval: int) -> Any:
    """RSI with Wilder smoothing seeded by a running-sum SMA (engine §3.4, §3.7)."""
    n = len(close)
    out = np.zeros(n)
    sum_u = sum_d = 0.0
    ring_u = np.zeros(interval)
    ring_d = np.zeros(interval)
    avg_u = avg_d = 0.0
    last = close[0] if n else 0.0
    for i in range(1, n):
        c = close[i]
        if c > last:
            u, d = c - last, 0.0
        else:
            u, d = 0.0, last - c
        count = i  # the number of price changes seen so far
        if count <= interval:
            idx = count - 1
            sum_u = sum_u + (u - ring_u[idx])
            sum_d = sum_d + (d - ring_d[idx])
            ring_u[idx] = u
            ring_d[idx] = d
            if count == interval:
                avg_u = sum_u / count
                avg_d = sum_d / count
        else:
            avg_u = ((avg_u * (interval - 1)) + u) / interval
            avg_d = ((avg_d * (interval - 1)) + d) / interval
        if avg_d == 0 and avg_u != 0:
            out[i] = 100.0
        elif avg_d == 0:
            out[i] = 0.0
        else:
            out[i] = 100 - (100 / (1 + (avg_u / avg_d)))
        last = c
    return out


def _thresholds(settings: dict[str, Any]) -> dict[str, Any]:
    t = settings["thresholds"]
    assert isinstance(t, dict)
    return t


def macd_codes(close: Any, settings: dict[str, Any], first_check: int) -> Codes:
    """MACD: histogram above ``up`` -> long, below ``down`` -> short."""
    t = _thresholds(settings)
    values = _macd(close, float(settings["short"]), float(settings["long"]), float(settings["signal"]))
    return _zone(values, first_check, float(t["up"]), float(t["down"]), 1, -1, float(t["persistence"]))  # type: ignore[no-any-return]


def ppo_codes(close: Any, settings: dict[str, Any], first_check: int) -> Codes:
    """PPO: ``ppo - signal`` above ``up`` -> long, below ``down`` -> short."""
    t = _thresholds(settings)
    values = _ppo_hist(close, float(settings["short"]), float(settings["long"]), float(settings["signal"]))
    return _zone(values, first_check, float(t["up"]), float(t["down"]), 1, -1, float(t["persistence"]))  # type: ignore[no-any-return]


def rsi_codes(close: Any, settings: dict[str, Any], first_check: int) -> Codes:
    """RSI: above ``high`` -> short, below ``low`` -> long."""
    t = _thresholds(settings)
    values = _rsi(close, int(settings["interval"]))
    return _zone(values, first_check, float(t["high"]), float(t["low"]), -1, 1, float(t["persistence"]))  # type: ignore[no-any-return]


KERNELS: dict[str, Callable[[Any, dict[str, Any], int], Codes]] = {
    "MACD": macd_codes,
    "PPO": ppo_codes,
    "RSI": rsi_codes,
}
"""Strategies with a compiled path (their advice never depends on trades: no triggers)."""
