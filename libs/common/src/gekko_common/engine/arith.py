"""Gekko's JavaScript arithmetic in one place: division, fee flooring, rounding, dates, stats-lite.

Every function keeps the original's order of floating-point operations so results compare with ``==``.
"""

from __future__ import annotations

import functools
import math
import time
from decimal import ROUND_HALF_UP, Decimal

MINUTE = 60


def div(a: float, b: float) -> float:
    """JavaScript ``a / b``: never raises; ``x/0`` is ±Infinity, ``0/0`` is NaN (compiled kernels call it too)."""
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a):
        return math.nan
    return -math.inf if (a < 0) != (math.copysign(1.0, b) < 0) else math.inf


def sqrt(x: float) -> float:
    """``Math.sqrt``: NaN for negatives instead of raising."""
    if math.isnan(x) or x < 0:
        return math.nan
    return math.sqrt(x)


def extract_fee(amount: float, fee: float) -> float:
    """The paper trader's fee: ``floor((x * 1e8) * fee) / 1e8`` (rounds down to 8 decimals)."""
    return math.floor((amount * 1e8) * fee) / 1e8


def js_round(x: float) -> float:
    """``Math.round``: half up."""
    return math.floor(x + 0.5)


def to_fixed4(x: float) -> str:
    """``Number.prototype.toFixed(4)``: the exact binary value rounded half up."""
    return str(Decimal(x).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


@functools.lru_cache(maxsize=4096)  # a sweep reports the same few dates thousands of times
def human_time(unix: int) -> str:
    """``YYYY-MM-DD HH:mm:ss`` in UTC."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(unix))


def years(span_ms: float) -> float:
    """moment's ``duration.asYears()``: ``(((ms / 86400000) * 4800) / 146097) / 12``."""
    return (((span_ms / 86400000) * 4800) / 146097) / 12


@functools.lru_cache(maxsize=4096)
def humanize(span_ms: float) -> str:
    """moment 2.22 ``humanize()`` without suffix, English."""
    s = js_round(span_ms / 1000)
    m = js_round(span_ms / 60000)
    h = js_round(span_ms / 3600000)
    d = js_round(span_ms / 86400000)
    months = js_round((span_ms / 86400000) * 4800 / 146097)
    y = js_round(((span_ms / 86400000) * 4800 / 146097) / 12)
    if s <= 44:
        return "a few seconds"
    if s < 45:
        return f"{int(s)} seconds"
    if m <= 1:
        return "a minute"
    if m < 45:
        return f"{int(m)} minutes"
    if h <= 1:
        return "an hour"
    if h < 22:
        return f"{int(h)} hours"
    if d <= 1:
        return "a day"
    if d < 26:
        return f"{int(d)} days"
    if months <= 1:
        return "a month"
    if months < 11:
        return f"{int(months)} months"
    if y <= 1:
        return "a year"
    return f"{int(y)} years"


def _finite(values: list[float]) -> list[float]:
    return [v for v in values if isinstance(v, int | float) and math.isfinite(v)]


def mean(values: list[float]) -> float:
    """stats-lite ``mean``: sequential sum / count of the finite values; NaN when empty."""
    v = _finite(values)
    if not v:
        return math.nan
    total = 0.0
    for x in v:
        total += x
    return total / len(v)


def stdev(values: list[float]) -> float:
    """stats-lite ``stdev``: population standard deviation of the finite values."""
    v = _finite(values)
    if not v:
        return math.nan
    mu = mean(v)
    return math.sqrt(mean([(x - mu) ** 2 for x in v]))


def percentile(values: list[float], p: float) -> float:
    """stats-lite ``percentile``: linear interpolation, ``i = len * p - 0.5``, truncation toward zero."""
    v = sorted(_finite(values))
    if not v:
        return math.nan
    i = (len(v) * p) - 0.5
    if float(i).is_integer():
        return v[int(i)]
    ip = math.trunc(i)
    f = i - ip
    return ((1 - f) * v[ip]) + (f * v[min(ip + 1, len(v) - 1)])


def json_number(x: float) -> float | None:
    """``JSON.stringify`` of a number: NaN and ±Infinity become null."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x
