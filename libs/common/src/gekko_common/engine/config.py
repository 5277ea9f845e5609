"""The engine's own check of a config: the trading advisor block."""

from __future__ import annotations

from typing import Any

from gekko_common.errors import ConfigError


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


def plugin_enabled(config: dict[str, Any], name: str) -> bool:
    """Whether plugin ``name`` runs: unless its section says ``enabled: false`` (the original also skips a
    section without ``enabled: true``; here a missing flag keeps the defaults running, see compatibility.md)."""
    section = config.get(name)
    return not (isinstance(section, dict) and "enabled" in section and not section["enabled"])
