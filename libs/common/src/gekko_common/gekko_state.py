"""Live gekkos as the original server shows them: ids, the state object, and the event reducer (§4).

Pure: the gateway folds the event log through :func:`reduce` to answer ``/api/gekkos``; a runner
uses the same functions. No secret ever enters a state: :func:`redact` strips trader credentials.
"""

from __future__ import annotations

import copy
import random
import time
from typing import Any

from gekko_common.dates import iso_ms
from gekko_common.events import (
    EVENTS,
    MARKET_START,
    MARKET_UPDATE,
    Advice,
    Roundtrip,
    StratWarmupCompleted,
    TradeCompleted,
)

ARRAY_EVENTS = (TradeCompleted, Advice, Roundtrip)
"""Events the state keeps every one of (in ``events[name]``), not only the first and the latest."""
UNLATCHED = (MARKET_START, StratWarmupCompleted.name)
"""Events that never become ``events.latest``."""
SECRET_KEYS = ("key", "secret", "passphrase", "username", "password", "apiKey", "uid")


def kind(config: dict[str, Any], mode: str) -> tuple[str, str]:
    """(type, logType) of a gekko (§4.2)."""
    if mode != "realtime":
        return "", ""
    market = config.get("market")
    type_ = market.get("type") if isinstance(market, dict) and market.get("type") else "watcher"
    log_type = type_
    if type_ == "leech":
        trader = config.get("trader")
        log_type = "tradebot" if isinstance(trader, dict) and trader.get("enabled") else "papertrader"
    return str(type_), str(log_type)


def new_id(log_type: str, now: float, rng: random.Random | None = None) -> str:
    """``2018-07-03-13-14-papertrader-384222057313623`` (minute of ``now``, UTC here, and 15 random digits)."""
    digits = (rng or random.SystemRandom()).randrange(10**14, 10**15)
    return f"{time.strftime('%Y-%m-%d-%H-%M', time.gmtime(now))}-{log_type}-{digits}"


def redact(config: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``config`` without exchange credentials (they never leave the runner)."""
    clean = copy.deepcopy(config)
    trader = clean.get("trader")
    if isinstance(trader, dict):
        for key in SECRET_KEYS:
            trader.pop(key, None)
    return clean


def initial_state(gekko_id: str, config: dict[str, Any], mode: str, now: float) -> dict[str, Any]:
    """The state of a gekko just started (what startGekko answers and gekko_new carries)."""
    type_, log_type = kind(config, mode)
    return {
        "mode": mode,
        "config": redact(config),
        "id": gekko_id,
        "type": type_,
        "logType": log_type,
        "active": True,
        "stopped": False,
        "errored": False,
        "errorMessage": False,
        "events": {"initial": {}, "latest": {}},
        "start": iso_ms(now),
    }


def reduce(state: dict[str, Any], event_type: str, payload: Any, now: float) -> dict[str, Any]:
    """Fold one Gekko event into a state (§4.3); returns the same (mutated) state."""
    state["latestUpdate"] = iso_ms(now)
    events = state["events"]
    if EVENTS.get(event_type) in ARRAY_EVENTS:
        events.setdefault(event_type, []).append(payload)
    if not events["initial"].get(event_type) and event_type != MARKET_UPDATE:
        events["initial"][event_type] = payload
    if event_type not in UNLATCHED:
        events["latest"][event_type] = payload
    return state
