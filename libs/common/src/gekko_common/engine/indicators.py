"""Gekko's native indicators (``strategies/indicators/*.js``), operation for operation.

``result`` starts as ``False`` where the original's does (it is exported as ``false``); a
division by zero gives ±Infinity or NaN as in JavaScript, never an exception.
"""

from __future__ import annotations

import math
from typing import Any

from gekko_common.engine import rules
from gekko_common.engine.arith import div


class Indicator:
    """Base: ``input`` is ``"price"`` (fed the close) or ``"candle"`` (fed the strategy candle)."""

    input = "price"
    result: Any = False

    def __init__(self, *args: Any) -> None:  # pragma: no cover - every indicator defines its own
        del args

    def update(self, value: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class EMA(Indicator):
    """Exponential moving average seeded with the first price (the smoothing applies to it too)."""

    def __init__(self, weight: float) -> None:
        self.weight = weight
        self.k = 2 / (weight + 1)
        self.result: float | bool = False
        self.age = 0

    def update(self, price: float) -> None:
        self.age += 1
        self.result = rules.ema_step(self.result, price, self.k, self.result is False)  # type: ignore[arg-type]


class SMA(Indicator):
    """Simple moving average over a running sum that is never recomputed (its drift is part of the result)."""

    def __init__(self, window: int) -> None:
        self.window = int(window)
        self.prices: list[float] = [0.0] * self.window
        self.age = 0
        self.count = 0
        self.sum = 0.0
        self.result: float = 0

    def update(self, price: float) -> None:
        self.age, self.count, self.sum, self.result = rules.sma_step(self.prices, self.age, self.count, self.sum, price)


class DEMA(Indicator):
    """Double EMA: ``2 * inner - outer``."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.inner = EMA(settings["weight"])
        self.outer = EMA(settings["weight"])
        self.result: float | bool = False

    def update(self, price: float) -> None:
        self.inner.update(price)
        self.outer.update(self.inner.result)  # type: ignore[arg-type]
        self.result = (2 * self.inner.result) - self.outer.result  # type: ignore[operator]


class SMMA(Indicator):
    """Wilder's smoothing, seeded with the simple average of the first ``weight`` values."""

    def __init__(self, weight: int) -> None:
        self.weight = weight
        self.prices: list[float] = [0.0] * int(weight)
        self.n = self.age = self.count = 0
        self.sum = 0.0
        self.result: float = 0

    def update(self, price: float) -> None:
        self.n, self.age, self.count, self.sum, self.result = rules.smma_step(
            self.prices, self.n, self.age, self.count, self.sum, self.result, price, self.weight
        )


class MACD(Indicator):
    """MACD histogram: ``(short - long) - signal``."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.short = EMA(settings["short"])
        self.long = EMA(settings["long"])
        self.signal = EMA(settings["signal"])
        self.diff: float | bool = False
        self.result: float | bool = False

    def update(self, price: float) -> None:
        self.short.update(price)
        self.long.update(price)
        self.diff = self.short.result - self.long.result  # type: ignore[operator]
        self.signal.update(self.diff)  # type: ignore[arg-type]
        self.result = self.diff - self.signal.result  # type: ignore[operator]


class PPO(Indicator):
    """Percentage price oscillator; ``result`` is an object of eight fields."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.short = EMA(settings["short"])
        self.long = EMA(settings["long"])
        self.macd_signal = EMA(settings["signal"])
        self.ppo_signal = EMA(settings["signal"])
        self.result: dict[str, float] = {}

    def update(self, price: float) -> None:
        self.short.update(price)
        self.long.update(price)
        r: dict[str, float] = {}
        r["shortEMA"] = self.short.result  # type: ignore[assignment]
        r["longEMA"] = self.long.result  # type: ignore[assignment]
        r["macd"] = r["shortEMA"] - r["longEMA"]
        r["ppo"] = 100 * div(r["macd"], r["longEMA"])
        self.macd_signal.update(r["macd"])
        macd_hist = r["macd"] - self.macd_signal.result  # type: ignore[operator]
        self.ppo_signal.update(r["ppo"])
        ppo_hist = r["ppo"] - self.ppo_signal.result  # type: ignore[operator]
        r["MACDsignal"] = self.macd_signal.result  # type: ignore[assignment]
        r["MACDhist"] = macd_hist
        r["PPOsignal"] = self.ppo_signal.result  # type: ignore[assignment]
        r["PPOhist"] = ppo_hist
        self.result = r


class RSI(Indicator):
    """Relative strength index on closes, with Wilder-smoothed gains and losses."""

    input = "candle"

    def __init__(self, settings: dict[str, Any]) -> None:
        self.avg_u = SMMA(settings["interval"])
        self.avg_d = SMMA(settings["interval"])
        self.last_close: float | None = None
        self.u = 0.0
        self.d = 0.0
        self.rs = 0.0
        self.result: float = 0

    def update(self, candle: Any) -> None:
        close = candle.close
        if self.last_close is None:
            self.last_close = close
            return
        self.u, self.d = rules.gain_loss(close, self.last_close)
        self.avg_u.update(self.u)
        self.avg_d.update(self.d)
        self.rs = div(self.avg_u.result, self.avg_d.result)
        self.result = rules.rsi_value(self.avg_u.result, self.avg_d.result)
        self.last_close = close


class CCI(Indicator):
    """Commodity channel index over the last ``history`` typical prices."""

    input = "candle"

    def __init__(self, settings: dict[str, Any]) -> None:
        self.constant = settings["constant"]
        self.max_size = int(settings["history"])
        self.hist: list[float] = []
        self.result: float | bool = False
        self.tp = 0.0
        self.avgtp = 0.0
        self.mean = 0.0

    def update(self, candle: Any) -> None:
        tp = (candle.high + candle.close + candle.low) / 3
        hist = self.hist
        if len(hist) >= self.max_size:
            del hist[0]
        hist.append(tp)
        if len(hist) < self.max_size:
            self.result = False
            return
        self.tp = tp
        self.avgtp, self.mean, self.result = rules.cci_value(hist, 0, len(hist), tp, self.constant)


class TSI(Indicator):
    """True strength index; the value is in ``tsi`` (there is no ``result``)."""

    input = "candle"

    def __init__(self, settings: dict[str, Any]) -> None:
        self.kl = 2 / (settings["long"] + 1)
        self.ks = 2 / (settings["short"] + 1)
        self.inner = self.outer = self.abs_inner = self.abs_outer = 0.0
        self.prev_close: float | None = None
        self.first = True
        self.tsi: float = 0

    def update(self, candle: Any) -> None:
        close = candle.close
        if self.prev_close is None:
            self.prev_close = close
            return
        self.inner, self.outer, self.abs_inner, self.abs_outer, self.tsi = rules.tsi_step(
            close - self.prev_close,
            self.inner,
            self.outer,
            self.abs_inner,
            self.abs_outer,
            self.kl,
            self.ks,
            self.first,
        )
        self.first = False
        self.prev_close = close


class UO(Indicator):
    """Ultimate oscillator; the value is in ``uo``; the previous close starts at 0."""

    input = "candle"

    def __init__(self, settings: dict[str, Any]) -> None:
        self.w1 = settings["first"]["weight"]
        self.w2 = settings["second"]["weight"]
        self.w3 = settings["third"]["weight"]
        self.tr = [SMA(settings[k]["period"]) for k in ("first", "second", "third")]
        self.bp = [SMA(settings[k]["period"]) for k in ("first", "second", "third")]
        self.last_close = 0.0
        self.uo: float = 0

    def update(self, candle: Any) -> None:
        bp, tr = rules.uo_inputs(candle.high, candle.low, candle.close, self.last_close)
        for s in self.tr:
            s.update(tr)
        for s in self.bp:
            s.update(bp)
        a1 = div(self.bp[0].result, self.tr[0].result)
        a2 = div(self.bp[1].result, self.tr[1].result)
        a3 = div(self.bp[2].result, self.tr[2].result)
        self.uo = rules.uo_value(a1, a2, a3, self.w1, self.w2, self.w3)
        self.last_close = candle.close


class LRC(Indicator):
    """Linear regression curve: the fitted value at the newest of the last ``depth`` prices."""

    def __init__(self, depth: int) -> None:
        self.depth = int(depth)
        self.window: list[float] = []
        self.result: float | bool = False

    def update(self, price: float) -> None:
        if len(self.window) < self.depth:
            self.window.append(price)
            return
        del self.window[0]
        self.window.append(price)
        n = self.depth
        sx = sy = sxy = sxx = 0.0
        for x, y in enumerate(self.window):
            sx += x
            sy += y
            sxy += x * y
            sxx += x * x
        m = div((n * sxy) - (sx * sy), (n * sxx) - (sx * sx))
        b = (sy / n) - ((m * sx) / n)
        self.result = ((n - 1) * m) + b


INDICATORS: dict[str, type[Indicator]] = {
    "EMA": EMA,
    "SMA": SMA,
    "DEMA": DEMA,
    "SMMA": SMMA,
    "MACD": MACD,
    "PPO": PPO,
    "RSI": RSI,
    "CCI": CCI,
    "TSI": TSI,
    "UO": UO,
    "LRC": LRC,
}
"""Indicator names a strategy may pass to ``add_indicator``."""


def indicator_value(indicator: Indicator) -> Any:
    """What ``stratUpdate.indicators`` shows: ``result`` (a copy for PPO's object); None when absent."""
    if isinstance(indicator, TSI | UO):
        return None
    value = indicator.result
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
