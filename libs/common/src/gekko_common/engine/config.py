"""Config handling of the engine: the server's base-config merge, date parsing, validation."""

from __future__ import annotations

import copy
import math
import re
from datetime import UTC, datetime
from typing import Any

from gekko_common.engine.errors import ConfigError
from gekko_common.market import Market

BASE_CONFIG: dict[str, Any] = {
    "silent": False,
    "debug": True,
    "tradingAdvisor": {},
    "candleWriter": {"enabled": False},
    "backtestResultExporter": {
        "enabled": False,
        "writeToDisk": False,
        "data": {"stratUpdates": False, "roundtrips": True, "stratCandles": True, "trades": True},
    },
    "childToParent": {"enabled": False},
    "adviceWriter": {"enabled": False, "muteSoft": True},
    "backtest": {"daterange": "scan", "batchSize": 50},
    "importer": {"daterange": {"from": "2016-06-01 12:00:00"}},
}
"""What the original server merges every request into (without its storage adapter sections)."""


def lodash_merge(target: Any, source: Any) -> Any:
    """lodash 2 ``merge``: objects recursively, arrays element by element, None (JSON null) overwrites."""
    if isinstance(source, dict):
        out = target if isinstance(target, dict) else {}
        for key, value in source.items():
            out[key] = lodash_merge(out.get(key), value) if isinstance(value, dict | list) else value
        return out
    if isinstance(source, list):
        out_list = target if isinstance(target, list) else []
        for i, value in enumerate(source):
            if i < len(out_list):
                out_list[i] = lodash_merge(out_list[i], value) if isinstance(value, dict | list) else value
            else:
                out_list.append(lodash_merge(None, value) if isinstance(value, dict | list) else value)
        return out_list
    return source


def merge_base_config(body: dict[str, Any]) -> dict[str, Any]:
    """``{}`` merged with the base config, then with the request body (gekko-server.md §2.2)."""
    config = lodash_merge({}, copy.deepcopy(BASE_CONFIG))
    return lodash_merge(config, copy.deepcopy(body))  # type: ignore[no-any-return]


_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$")


def parse_date(value: Any, field: str) -> int:
    """A date as the original accepts it, in unix seconds (UTC; a number means milliseconds)."""
    if isinstance(value, bool) or value is None:
        raise ConfigError(field, f"{field} is missing")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ConfigError(field, f"{field} is not a date")
        return math.floor(value / 1000)
    if not isinstance(value, str):
        raise ConfigError(field, f"{field} must be a date string")
    m = _ISO.match(value.strip())
    if not m:
        raise ConfigError(field, f"{field} is not a date: {value!r} (use e.g. 2018-07-03T05:40:00Z)")
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
    return unix


def select_daterange(config: dict[str, Any]) -> tuple[int, int]:
    """(from, to) in unix seconds, both inclusive on candle starts, from ``backtest.daterange``."""
    daterange = (config.get("backtest") or {}).get("daterange")
    if not isinstance(daterange, dict):
        raise ConfigError("backtest.daterange", "backtest.daterange needs from and to (explicit dates)")
    start = parse_date(daterange.get("from"), "backtest.daterange.from")
    end = parse_date(daterange.get("to"), "backtest.daterange.to")
    if end <= start:
        raise ConfigError("backtest.daterange", "backtest.daterange.to must be after backtest.daterange.from")
    return start, end


def market_of(config: dict[str, Any]) -> Market:
    """The ``watch`` block as a Market, or ConfigError naming the missing or malformed field."""
    watch = config.get("watch")
    if not isinstance(watch, dict):
        raise ConfigError("watch", "watch must be an object with exchange, currency and asset")
    for key in ("exchange", "currency", "asset"):
        if not isinstance(watch.get(key), str) or not watch[key]:
            raise ConfigError(f"watch.{key}", f"watch.{key} must be a non-empty string")
    return Market(watch["exchange"], watch["currency"], watch["asset"])


def _positive_int(value: Any, field: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not float(value).is_integer():
        raise ConfigError(field, f"{field} must be an integer, got {value!r}")
    if value < minimum:
        raise ConfigError(field, f"{field} must be at least {minimum}, got {value!r}")
    return int(value)


def validate_advisor(config: dict[str, Any], known: set[str]) -> tuple[str, int, int]:
    """(method, candleSize, historySize) of ``tradingAdvisor``, or ConfigError naming the field."""
    advisor = config.get("tradingAdvisor")
    if not isinstance(advisor, dict):
        raise ConfigError("tradingAdvisor", "tradingAdvisor must be an object with method, candleSize, historySize")
    method = advisor.get("method")
    if not isinstance(method, str) or method not in known:
        raise ConfigError(
            "tradingAdvisor.method", f"unknown strategy {method!r}; known: {', '.join(sorted(known, key=str.lower))}"
        )
    size = _positive_int(advisor.get("candleSize"), "tradingAdvisor.candleSize", 1)
    history = _positive_int(advisor.get("historySize", 0), "tradingAdvisor.historySize", 0)
    params = config.get(method)
    if params is not None and not isinstance(params, dict):
        raise ConfigError(method, f"the {method} parameters must be an object")
    return method, size, history
