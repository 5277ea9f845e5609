"""Native indicator values for a whole backtest at once, from compiled loops (engine/kernels.py).

Each loop does the Python indicator's floating-point operations in the same order (numba keeps IEEE
semantics: no fused or reordered operations), so the values are bit-identical to stepping the
indicator in :mod:`gekko_common.engine.indicators`; the parity tests compare both. Indicators without
a loop here are stepped in Python by the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

from gekko_common.engine.indicators import DEMA, EMA, MACD, SMA, Indicator
from gekko_common.engine.kernels import _ema_step, _sma

Column = npt.NDArray[np.float64]


@njit(cache=True)  # type: ignore[misc]
def _ema(values: Any, k: float) -> Any:
    """Gekko's EMA (seeded with the first value) after every value."""
    out = np.empty(len(values))
    result = 0.0
    for i in range(len(values)):
        result = _ema_step(result, values[i], k, i == 0)
        out[i] = result
    return out


def _ema_columns(ind: EMA, close: Column) -> list[Column]:
    return [_ema(close, float(ind.k))]


def _sma_columns(ind: SMA, close: Column) -> list[Column]:
    return [_sma(close, ind.window, 1)]


def _dema_columns(ind: DEMA, close: Column) -> list[Column]:
    inner = _ema(close, float(ind.inner.k))
    outer = _ema(inner, float(ind.outer.k))
    return [2 * inner - outer, inner, outer]


def _macd_columns(ind: MACD, close: Column) -> list[Column]:
    short = _ema(close, float(ind.short.k))
    long = _ema(close, float(ind.long.k))
    diff = short - long
    signal = _ema(diff, float(ind.signal.k))
    return [diff - signal, diff, short, long, signal]


_COLUMNS: dict[str, Callable[[Any, Column], list[Column]]] = {
    "EMA": _ema_columns,
    "SMA": _sma_columns,
    "DEMA": _dema_columns,
    "MACD": _macd_columns,
}
"""Per native indicator type: its fields (in ``runtime.NATIVE_FIELDS`` order) after every close."""


def native_columns(kind: str, indicator: Indicator, close: Column) -> list[Column] | None:
    """The values of a fresh ``indicator`` after each close, or None when it has no compiled loop."""
    columns = _COLUMNS.get(kind)
    if columns is None or (isinstance(indicator, SMA) and indicator.window < 1):
        return None
    return columns(indicator, close)
