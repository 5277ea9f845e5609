"""Dates as Gekko's clients write and read them: parsing to unix seconds, ISO-8601 with milliseconds.

Outside ``engine/`` so that services which only parse dates (the gateway, the importer) never load
the engine's compiled kernels.
"""

from __future__ import annotations

import math
import re
import time
from datetime import UTC, datetime
from typing import Any

from gekko_common.errors import ConfigError

MAX_DATE_MS = 253_402_300_799_999
"""9999-12-31T23:59:59.999Z in milliseconds: dates past it (or before 1970) are refused, so a date of
-1e300 or of 400 digits is a 400 naming the field, never an overflow in the store."""

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$")


def iso_ms(unix: float) -> str:
    """``2018-07-03T05:40:00.000Z``: how a moment date is serialised on the websocket (UTC)."""
    whole, ms = divmod(round(unix * 1000), 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{ms:03d}Z"


def parse_date(value: Any, field: str) -> int:
    """A date as the original accepts it, in unix seconds (UTC; a number means milliseconds)."""
    if isinstance(value, bool) or value is None:
        raise ConfigError(field, f"{field} is missing")
    if isinstance(value, int | float):
        if not math.isfinite(value) or not 0 <= value <= MAX_DATE_MS:
            raise ConfigError(field, f"{field} is not a date between 1970 and 9999 (unix milliseconds)")
        return math.floor(value / 1000)
    if not isinstance(value, str):
        raise ConfigError(field, f"{field} must be a date string")
    m = _ISO.match(value.strip())
    if not m:
        raise ConfigError(field, f"{field} is not a date: {value[:64]!r} (use e.g. 2018-07-03T05:40:00Z)")
    year, month, day, hour, minute, second, _frac, zone = m.groups()
    try:
        dt = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=UTC)
    except ValueError as exc:
        raise ConfigError(field, f"{field} is not a date: {value!r} ({exc})") from None
    unix = int(dt.timestamp())
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        unix -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    if not 0 <= unix <= MAX_DATE_MS // 1000:
        raise ConfigError(field, f"{field} is not a date between 1970 and 9999")
    return unix
