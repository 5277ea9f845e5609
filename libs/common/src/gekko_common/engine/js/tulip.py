"""Tulip indicators for JavaScript strategies (``addTulipIndicator``), computed by tulipy.

tulipy binds the same C library (tulip indicators 0.8.4) as Node's ``tulind`` that Gekko uses, so the
numbers are the original's. As in Gekko, every strategy candle recomputes each indicator over the
newest 1,000 candles and keeps the last value of each output. The table gives, per indicator, the
names Gekko's strategies use for its options (``optIn...``) and outputs; inputs follow tulip's own
metadata (``real`` is the close).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tulipy

from gekko_common.errors import ConfigError

WINDOW = 1000
"""Gekko keeps the newest 1,000 candles for its asynchronous indicators."""

_TP = ("optInTimePeriod",)
_FAST_SLOW = ("optInFastPeriod", "optInSlowPeriod")
_R = ("result",)
_PERIOD_ONLY = (
    *("adx", "adxr", "aroonosc", "atr", "cci", "cmo", "cvi", "dema", "dpo", "dx", "ema", "fosc", "hma", "kama"),
    *("linreg", "linregintercept", "linregslope", "mass", "mfi", "natr", "qstick", "roc", "rocr", "rsi", "sma"),
    *("sum", "tema", "trima", "trix", "tsf", "vhf", "volatility", "vwma", "wilders", "willr", "wma", "zlema"),
)

TULIP: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # name: (option names in tulip's order, output names)
    **{n: ((), _R) for n in ("ad", "ao", "avgprice", "bop", "marketfi", "medprice", "nvi", "obv", "pvi", "tr")},
    **{n: ((), _R) for n in ("typprice", "wad", "wcprice")},
    **{n: (_FAST_SLOW, _R) for n in ("adosc", "apo", "kvo", "ppo", "vosc")},
    **{n: (_TP, _R) for n in _PERIOD_ONLY},
    "aroon": (_TP, ("aroonDown", "aroonUp")),
    "bbands": (("optInTimePeriod", "optInNbStdDevs"), ("bbandsLower", "bbandsMiddle", "bbandsUpper")),
    "di": (_TP, ("diPlus", "diMinus")),
    "dm": (_TP, ("dmPlus", "dmLow")),
    "emv": ((), ()),
    "fisher": (_TP, ("fisher", "fisherPeriod")),
    "macd": (("optInFastPeriod", "optInSlowPeriod", "optInSignalPeriod"), ("macd", "macdSignal", "macdHistogram")),
    "msw": (_TP, ("mswSine", "mswLead")),
    "psar": (("optInAcceleration", "optInMaximum"), _R),
    "stoch": (("optInFastKPeriod", "optInSlowKPeriod", "optInSlowDPeriod"), ("stochK", "stochD")),
    "ultosc": (("optInTimePeriod1", "optInTimePeriod2", "optInTimePeriod3"), _R),
    "vidya": (("optInFastPeriod", "optInSlowPeriod", "optInAlpha"), _R),
}

_COLUMNS = ("open", "high", "low", "close", "volume")


class TulipSet:
    """The tulip indicators of one strategy over a sliding window of its candles."""

    def __init__(self, strategy: str) -> None:
        self.strategy = strategy
        self.window: dict[str, list[float]] = {c: [] for c in _COLUMNS}
        self.indicators: list[tuple[Any, list[str], list[float], int]] = []  # fn, inputs, options, outputs

    def add(self, name: str, kind: str, params: Any) -> list[str]:
        """Register ``kind`` with Gekko's parameter object; returns its output names."""
        spec = TULIP.get(kind)
        if spec is None:
            raise ConfigError(self.strategy, f"addTulipIndicator {name}: unknown tulip indicator {kind!r}")
        option_names, outputs = spec
        options = []
        for option in option_names:
            value = params.get(option) if isinstance(params, dict) else None
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(self.strategy, f"addTulipIndicator {name} ({kind}) needs the number {option}")
            options.append(float(value))
        fn = getattr(tulipy, kind)
        inputs = ["close" if i == "real" else i for i in fn.inputs]
        self.indicators.append((fn, inputs, options, len(outputs)))
        return list(outputs)

    def update(self, candle: Any) -> list[float | None]:
        """Add a strategy candle and return every indicator's last outputs, flattened (None: no value yet)."""
        window = self.window
        for column in _COLUMNS:
            values = window[column]
            values.append(float(getattr(candle, column)))
            if len(values) > WINDOW:
                del values[0]
        arrays = {c: np.asarray(v, dtype=np.float64) for c, v in window.items()}
        out: list[float | None] = []
        for fn, inputs, options, n in self.indicators:
            out.extend(_last(fn, [arrays[i] for i in inputs], options, n))
        return out


def _last(fn: Any, inputs: list[Any], options: list[float], n: int) -> list[float | None]:
    if n == 0:
        return []
    try:
        result = fn(*inputs, *options)
    except tulipy.InvalidOptionError:
        return [None] * n  # too few candles yet: tulind answers empty arrays, Gekko reads undefined
    arrays = result if isinstance(result, tuple) else (result,)
    return [float(a[-1]) if len(a) else None for a in arrays]
