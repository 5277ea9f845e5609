"""Compiled fast paths for built-in strategies whose advice depends only on their indicators.

Each kernel runs a strategy's indicators and its check logic over all strategy candles in one
numba loop, in the original's order of floating-point operations, and returns the raw advice per
candle (0 none, 1 long, -1 short). The pipeline then only has to process the candles that advise.
Parity tests run every recorded backtest through both paths.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit
from numba.extending import register_jitable

from gekko_common.engine import rules
from gekko_common.engine import strategies as builtin
from gekko_common.engine.arith import div
from gekko_common.engine.rules import (
    cci_value,
    gain_loss,
    rsi_value,
    sma_step,
    smma_step,
    tsi_step,
    uo_inputs,
    uo_value,
)
from gekko_common.engine.strategies import varppo_inputs
from gekko_common.engine.strategy import Strategy

Codes = npt.NDArray[np.int8]


for _step in (div, *rules.STEPS):  # plain functions that compiled code may call (and inline)
    register_jitable(_step)

_enter = njit(cache=True)(rules.enter_zone)
_ema_step = rules.ema_step
_cci_trend = njit(cache=True)(rules.cci_trend)
_tma_advice = njit(cache=True)(rules.tma_advice)


@njit(cache=True)  # type: ignore[misc]
def _emas(close: Any, short: float, long: float) -> Any:
    """The short and the long EMA of every close (Gekko's EMA: seeded with the first value)."""
    n = len(close)
    es, el = np.empty(n), np.empty(n)
    ks, kl = 2 / (short + 1), 2 / (long + 1)
    a = b = 0.0
    for i in range(n):
        a = _ema_step(a, close[i], ks, i == 0)
        b = _ema_step(b, close[i], kl, i == 0)
        es[i], el[i] = a, b
    return es, el


@njit(cache=True)  # type: ignore[misc]
def _minus_signal(values: Any, signal: float) -> Any:
    """``value - EMA(signal) of value`` for every value (MACD's and PPO's histogram)."""
    out = np.empty(len(values))
    kg = 2 / (signal + 1)
    g = 0.0
    for i in range(len(values)):
        g = _ema_step(g, values[i], kg, i == 0)
        out[i] = values[i] - g
    return out


@njit(cache=True)  # type: ignore[misc]
def _ppo(es: Any, el: Any) -> Any:
    """``100 * ((short - long) / long)`` with JavaScript's division by zero."""
    out = np.empty(len(es))
    for i in range(len(es)):
        out[i] = 100 * div(es[i] - el[i], el[i])
    return out


@njit(cache=True)  # type: ignore[misc]
def _rsi(close: Any, interval: int) -> Any:
    """RSI with Wilder smoothing seeded by a running-sum SMA (engine §3.4, §3.7): the RSI indicator's steps."""
    n = len(close)
    out = np.zeros(n)
    ring_u, ring_d = np.zeros(interval), np.zeros(interval)
    n_u = idx_u = count_u = n_d = idx_d = count_d = 0
    sum_u = avg_u = sum_d = avg_d = 0.0
    last = close[0] if n else 0.0
    for i in range(1, n):
        u, d = gain_loss(close[i], last)
        n_u, idx_u, count_u, sum_u, avg_u = smma_step(ring_u, n_u, idx_u, count_u, sum_u, avg_u, u, interval)
        n_d, idx_d, count_d, sum_d, avg_d = smma_step(ring_d, n_d, idx_d, count_d, sum_d, avg_d, d, interval)
        out[i] = rsi_value(avg_u, avg_d)
        last = close[i]
    return out


@njit(cache=True)  # type: ignore[misc]
def _stoch(rsi: Any, interval: int) -> Any:
    """``(rsi - lowest) / (highest - lowest) * 100`` over the last ``interval`` RSI values, with
    JavaScript's division by zero."""
    n = len(rsi)
    out = np.empty(n)
    for i in range(n):
        first = max(0, i - interval + 1)
        lowest = highest = rsi[first]
        for j in range(first + 1, i + 1):
            if rsi[j] < lowest:
                lowest = rsi[j]
            if rsi[j] > highest:
                highest = rsi[j]
        out[i] = div(rsi[i] - lowest, highest - lowest) * 100
    return out


@njit(cache=True)  # type: ignore[misc]
def _cci(high: Any, low: Any, close: Any, size: int, constant: float) -> Any:
    """CCI over the last ``size`` typical prices, summed oldest first as the indicator does; NaN
    marks the candles before the history is full (the indicator's ``false``)."""
    n = len(close)
    tp = np.empty(n)
    out = np.full(n, np.nan)
    valid = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        tp[i] = (high[i] + close[i] + low[i]) / 3
        if i + 1 < size:
            continue
        out[i] = cci_value(tp, i - size + 1, size, tp[i], constant)[2]
        valid[i] = True
    return out, valid


@njit(cache=True)  # type: ignore[misc]
def _cci_zone(values: Any, valid: Any, first_check: int, up: float, down: float, p: float) -> Any:
    """The CCI strategy's own trend rules (>= and <=, persistence 0 advises at once)."""
    n = len(values)
    out = np.zeros(n, dtype=np.int8)
    direction, duration, persisted, adviced = 0, 0, False, False
    for i in range(first_check, n):
        if valid[i]:
            direction, duration, persisted, adviced, out[i] = _cci_trend(
                values[i], up, down, p, direction, duration, persisted, adviced
            )
    return out


@njit(cache=True)  # type: ignore[misc]
def _tsi(close: Any, short: float, long: float) -> Any:
    """True strength index: double-smoothed momentum over double-smoothed absolute momentum (0 on
    the first candle, which only sets the previous close)."""
    n = len(close)
    out = np.zeros(n)
    kl, ks = 2 / (long + 1), 2 / (short + 1)
    inner = outer = abs_inner = abs_outer = 0.0
    for i in range(1, n):
        inner, outer, abs_inner, abs_outer, out[i] = tsi_step(
            close[i] - close[i - 1], inner, outer, abs_inner, abs_outer, kl, ks, i == 1
        )
    return out


@njit(cache=True)  # type: ignore[misc]
def _uo(high: Any, low: Any, close: Any, periods: Any, weights: Any) -> Any:
    """Ultimate oscillator (the previous close starts at 0): the UO indicator's steps."""
    n = len(close)
    out = np.zeros(n)
    rings_tr = [np.zeros(int(p)) for p in periods]
    rings_bp = [np.zeros(int(p)) for p in periods]
    idx = np.zeros((2, 3), dtype=np.int64)
    count = np.zeros((2, 3), dtype=np.int64)
    total = np.zeros((2, 3))
    a = np.zeros(3)
    prev = 0.0
    for i in range(n):
        bp, tr = uo_inputs(high[i], low[i], close[i], prev)
        for k in range(3):
            idx[0, k], count[0, k], total[0, k], t = sma_step(rings_tr[k], idx[0, k], count[0, k], total[0, k], tr)
            idx[1, k], count[1, k], total[1, k], b = sma_step(rings_bp[k], idx[1, k], count[1, k], total[1, k], bp)
            a[k] = div(b, t)
        out[i] = uo_value(a[0], a[1], a[2], weights[0], weights[1], weights[2])
        prev = close[i]
    return out


@njit(cache=True)  # type: ignore[misc]
def _sma(values: Any, window: int, feeds: int) -> Any:
    """Gekko's running-sum SMA of every value, each value fed ``feeds`` times in a row."""
    out = np.empty(len(values))
    ring = np.zeros(window)
    idx = count = 0
    total = 0.0
    for i in range(len(values)):
        for _ in range(feeds):
            idx, count, total, out[i] = sma_step(ring, idx, count, total, values[i])
    return out


@njit(cache=True)  # type: ignore[misc]
def _dema_codes(close: Any, weight: float, window: int, first_check: int, up: float, down: float) -> Any:
    """DEMA: ``SMA - DEMA`` above ``up`` -> long, below ``down`` -> short, once per trend."""
    n = len(close)
    out = np.zeros(n, dtype=np.int8)
    sma = _sma(close, window, 1)
    k = 2 / (weight + 1)
    inner = outer = 0.0
    trend = 0
    for i in range(n):
        inner = _ema_step(inner, close[i], k, i == 0)
        outer = _ema_step(outer, inner, k, i == 0)
        if i < first_check:
            continue
        diff = sma[i] - ((2 * inner) - outer)
        if diff > up:
            if trend != 1:
                trend = 1
                out[i] = 1
        elif diff < down and trend != -1:
            trend = -1
            out[i] = -1
    return out


@njit(cache=True)  # type: ignore[misc]
def _tma_codes(close: Any, short: int, medium: int, long: int, first_check: int) -> Any:
    """TMA: short > medium > long -> long; medium above both or below both -> short."""
    n = len(close)
    out = np.zeros(n, dtype=np.int8)
    s, m, lg = _sma(close, short, 2), _sma(close, medium, 2), _sma(close, long, 2)
    for i in range(first_check, n):
        out[i] = _tma_advice(s[i], m[i], lg[i])
    return out


@njit(cache=True)  # type: ignore[misc]
def _zones(
    values: Any,
    ups: Any,
    downs: Any,
    first_check: int,
    up_action: int,
    down_action: int,
    persistence: float,
    reset_in_band: bool,
    down_first: bool,
) -> Any:
    """The persistent-trend pattern over per-candle thresholds: ``value > up`` is zone 1, ``value <
    down`` zone 2 (``down_first``: tested first); between them nothing happens, or (``reset_in_band``)
    only the duration starts over."""
    n = len(values)
    out = np.zeros(n, dtype=np.int8)
    direction = 0
    duration = 0
    persisted = False
    adviced = False
    for i in range(first_check, n):
        v = values[i]
        above, below = v > ups[i], v < downs[i]
        if below and (down_first or not above):
            zone, action = 2, down_action
        elif above:
            zone, action = 1, up_action
        else:
            if reset_in_band:
                duration = 0
            continue
        direction, duration, persisted, adviced, advise = _enter(
            zone, direction, duration, persisted, adviced, persistence
        )
        if advise:
            out[i] = action
    return out


def _zone(
    values: Any, first_check: int, up: float, down: float, up_action: int, down_action: int, persistence: float
) -> Codes:
    """Fixed thresholds: MACD, PPO, RSI, TSI, UO (engine §4.1)."""
    n = len(values)
    return _zones(  # type: ignore[no-any-return]
        values, np.full(n, up), np.full(n, down), first_check, up_action, down_action, persistence, False, False
    )


def _thresholds(settings: dict[str, Any]) -> dict[str, Any]:
    t: dict[str, Any] = settings["thresholds"]
    return t


def macd_codes(strat: Any, settings: dict[str, Any], first_check: int, config: dict[str, Any]) -> Codes:
    """MACD: histogram above ``up`` -> long, below ``down`` -> short."""
    t = _thresholds(settings)
    es, el = _emas(strat.close, float(settings["short"]), float(settings["long"]))
    values = _minus_signal(es - el, float(settings["signal"]))
    return _zone(values, first_check, float(t["up"]), float(t["down"]), 1, -1, float(t["persistence"]))  # type: ignore[no-any-return]


def ppo_codes(strat: Any, settings: dict[str, Any], first_check: int, config: dict[str, Any]) -> Codes:
    """PPO: ``ppo - signal`` above ``up`` -> long, below ``down`` -> short."""
    t = _thresholds(settings)
    es, el = _emas(strat.close, float(settings["short"]), float(settings["long"]))
    values = _minus_signal(_ppo(es, el), float(settings["signal"]))
    return _zone(values, first_check, float(t["up"]), float(t["down"]), 1, -1, float(t["persistence"]))  # type: ignore[no-any-return]


def rsi_codes(strat: Any, settings: dict[str, Any], first_check: int, config: dict[str, Any]) -> Codes:
    """RSI: above ``high`` -> short, below ``low`` -> long."""
    t = _thresholds(settings)
    values = _rsi(strat.close, int(settings["interval"]))
    return _zone(values, first_check, float(t["high"]), float(t["low"]), -1, 1, float(t["persistence"]))  # type: ignore[no-any-return]


def stochrsi_codes(strat: Any, settings: dict[str, Any], first_check: int, config: dict[str, Any]) -> Codes:
    """StochRSI: the stochastic of the RSI above ``high`` -> short, below ``low`` -> long."""
    t = _thresholds(settings)
    interval = int(settings["interval"])
    values = _stoch(_rsi(strat.close, interval), interval)
    n = len(values)
    high, low = np.full(n, float(t["high"])), np.full(n, float(t["low"]))
    return _zones(values, high, low, first_check, -1, 1, float(t["persistence"]), True, False)  # type: ignore[no-any-return]


def cci_codes(strat: Any, settings: dict[str, Any], first_check: int, config: dict[str, Any]) -> Codes:
    """CCI: at or above ``up`` -> short, at or below ``down`` -> long, with its persistence rules."""
    t = _thresholds(settings)
    size = settings["history"]
    values, valid = _cci(strat.high, strat.low, strat.close, int(size), float(settings["constant"]))
    return _cci_zone(values, valid, first_check, float(t["up"]), float(t["down"]), float(t["persistence"]))  # type: ignore[no-any-return]


def tsi_values(strat: Any, settings: dict[str, Any]) -> Any:
    return _tsi(strat.close, float(settings["short"]), float(settings["long"]))


def uo_values(strat: Any, settings: dict[str, Any]) -> Any:
    parts = [settings[k] for k in ("first", "second", "third")]
    periods = np.array([int(p["period"]) for p in parts], dtype=np.int64)
    weights = np.array([float(p["weight"]) for p in parts])
    return _uo(strat.high, strat.low, strat.close, periods, weights)


def tsi_codes(strat: Any, settings: dict[str, Any], first_check: int, config: dict[str, Any]) -> Codes:
    """TSI: above ``high`` -> short, below ``low`` -> long."""
    t = _thresholds(settings)
    values = tsi_values(strat, settings)
    return _zone(values, first_check, float(t["high"]), float(t["low"]), -1, 1, float(t["persistence"]))  # type: ignore[no-any-return]


def uo_codes(strat: Any, settings: dict[str, Any], first_check: int, config: dict[str, Any]) -> Codes:
    """UO: above ``high`` -> short, below ``low`` -> long."""
    t = _thresholds(settings)
    values = uo_values(strat, settings)
    return _zone(values, first_check, float(t["high"]), float(t["low"]), -1, 1, float(t["persistence"]))  # type: ignore[no-any-return]


def varppo_codes(strat: Any, settings: dict[str, Any], first_check: int, config: dict[str, Any]) -> Codes:
    """varPPO: the momentum below ``low + hist * weightLow`` -> long, above ``high + hist * weightHigh``
    -> short; PPO and momentum settings from their own config blocks (else their defaults)."""
    momentum, ppo, m_settings, thresholds = varppo_inputs(settings, config)
    es, el = _emas(strat.close, float(ppo["short"]), float(ppo["long"]))
    hist = _minus_signal(_ppo(es, el), float(ppo["signal"]))
    values = tsi_values(strat, m_settings) if momentum == "TSI" else uo_values(strat, m_settings)
    t = _thresholds(m_settings)
    lows = float(t["low"]) + (hist * float(thresholds.get("weightLow", 120)))
    highs = float(t["high"]) + (hist * float(thresholds.get("weightHigh", -120)))
    persistence = float(thresholds.get("persistence", 0))
    return _zones(values, highs, lows, first_check, -1, 1, persistence, False, True)  # type: ignore[no-any-return]


def dema_codes(strat: Any, settings: dict[str, Any], first_check: int, config: dict[str, Any]) -> Codes:
    """DEMA: the SMA above the DEMA by ``up`` -> long, below by ``down`` -> short."""
    t = _thresholds(settings)
    weight = settings["weight"]
    return _dema_codes(strat.close, float(weight), int(weight), first_check, float(t["up"]), float(t["down"]))  # type: ignore[no-any-return]


def tma_codes(strat: Any, settings: dict[str, Any], first_check: int, config: dict[str, Any]) -> Codes:
    """TMA: three SMAs (each fed every close twice, as the original)."""
    windows = [int(settings[k]) for k in ("short", "medium", "long")]
    short, medium, long = windows
    return _tma_codes(strat.close, short, medium, long, first_check)  # type: ignore[no-any-return]


def _path(settings: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(settings, dict) or key not in settings:
            return None
        settings = settings[key]
    return settings


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _not_taken(settings: Any, numbers: tuple[str, ...], windows: tuple[str, ...] = ()) -> str | None:
    """Why ``settings`` do not have a number at each path of ``numbers`` and a whole count of at least 1
    at each path of ``windows``; None when they do."""
    for path in numbers + windows:
        value = _path(settings, path)
        if not _is_number(value):
            return f"{path} is not a number"
        if path in windows and (value < 1 or not float(value).is_integer()):
            return f"{path} is not a whole number of at least 1"
    return None


@dataclass(frozen=True)
class Kernel:
    """The compiled backend of one built-in strategy and the parameters it can take.

    ``numbers`` are the dotted paths of the strategy's parameters the kernel reads as numbers,
    ``windows`` those it reads as whole counts of at least 1, ``check`` any further condition.
    Parameters outside that are left to the step-by-step strategy, which reports or handles them.
    """

    codes: Callable[[Any, dict[str, Any], int, dict[str, Any]], Codes]
    numbers: tuple[str, ...] = ()
    windows: tuple[str, ...] = ()
    check: Callable[[Any, dict[str, Any]], str | None] | None = None

    def unsupported(self, settings: Any, config: dict[str, Any]) -> str | None:
        """Why this kernel cannot run these parameters; None when it can."""
        reason = _not_taken(settings, self.numbers, self.windows)
        if reason is None and self.check is not None:
            reason = self.check(settings, config)
        return reason


_ZONE = ("thresholds.up", "thresholds.down", "thresholds.persistence")
_OSCILLATOR = ("thresholds.high", "thresholds.low", "thresholds.persistence")
_TSI = ("short", "long")
_UO = ("first.weight", "second.weight", "third.weight")
_UO_WINDOWS = ("first.period", "second.period", "third.period")


def _varppo_check(settings: Any, config: dict[str, Any]) -> str | None:
    momentum, ppo, m_settings, thresholds = varppo_inputs(settings, config)
    if momentum not in ("TSI", "UO"):
        return f"momentum {momentum} (with RSI varPPO never trades)"
    if not all(_is_number(v) for k, v in thresholds.items() if k in ("weightLow", "weightHigh", "persistence")):
        return "a varPPO threshold is not a number"
    inputs = (_TSI, ()) if momentum == "TSI" else (_UO, _UO_WINDOWS)
    return (
        _not_taken(ppo, ("short", "long", "signal"))
        or _not_taken(m_settings, ("thresholds.low", "thresholds.high"))
        or _not_taken(m_settings, *inputs)
    )


KERNELS: dict[type[Strategy], Kernel] = {
    builtin.MACDStrategy: Kernel(macd_codes, ("short", "long", "signal", *_ZONE)),
    builtin.PPOStrategy: Kernel(ppo_codes, ("short", "long", "signal", *_ZONE)),
    builtin.RSIStrategy: Kernel(rsi_codes, _OSCILLATOR, ("interval",)),
    builtin.StochRSIStrategy: Kernel(stochrsi_codes, _OSCILLATOR, ("interval",)),
    builtin.CCIStrategy: Kernel(cci_codes, ("constant", *_ZONE), ("history",)),
    builtin.TSIStrategy: Kernel(tsi_codes, ("short", "long", *_OSCILLATOR)),
    builtin.UOStrategy: Kernel(uo_codes, ("first.weight", "second.weight", "third.weight", *_OSCILLATOR), _UO_WINDOWS),
    builtin.DEMAStrategy: Kernel(dema_codes, ("thresholds.up", "thresholds.down"), ("weight",)),
    builtin.TMAStrategy: Kernel(tma_codes, (), ("short", "medium", "long")),
    builtin.VarPPOStrategy: Kernel(varppo_codes, check=_varppo_check),
}
"""The built-in strategies with a compiled backend (their advice never depends on trades: no triggers)."""
