"""Live gekkos (startGekko, stopGekko, deleteGekko, gekkos) and exchange API keys."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from cryptography.fernet import Fernet
from litestar import Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import KeyNotFoundError, NoKeysError

from gekko_common import subjects
from gekko_common.config import (
    AddApiKeyRequest,
    GekkoConfig,
    GekkoRef,
    RemoveApiKeyRequest,
    decode_config,
    merge_base_config,
    validate_run,
)
from gekko_common.dates import parse_date
from gekko_common.errors import ConfigError
from gekko_common.events import API_KEYS, GEKKO_ARCHIVED, GEKKO_DELETED, GEKKO_NEW, GEKKO_STOPPED
from gekko_common.exchanges import snapshots
from gekko_common.gekko_state import initial_state, kind, new_id
from gekko_common.infra import bus
from gekko_common.messages import encoder
from gekko_common.messages import new_id as new_request_id
from gekko_gateway.errors import ApiError, bad_request, json_body
from gekko_gateway.gekkos_view import GekkosView
from gekko_gateway.schemas import Gekko, Gekkos, Ok, responses

OK = {"status": "ok"}
STOP_WAIT_S = 10.0
"""How long stopGekko waits for a tradebot's runner to cancel its order before archiving it anyway."""

log = logging.getLogger(__name__)


async def publish(state: State, gekko_id: str, event_type: str, payload: Any, correlation_id: str) -> None:
    """Append a lifecycle event of a gekko to the log (the gateway's view and the runners follow it),
    numbered on from the last event of the gekko the view has seen; ``correlation_id`` names the request."""
    view: GekkosView = state.gekkos
    publisher = bus.EventPublisher(
        state.runtime.js,
        subjects.gekko_event(gekko_id),
        subjects.gekko_source(gekko_id),
        seq=view.seen.get(gekko_id, 0),
        epoch=f"gw{time.time_ns()}",
        correlation_id=correlation_id,
    )
    await publisher.publish(event_type, payload)


def known_strategies(strategy_dir: str | None) -> set[str]:
    """Names of every strategy, built in and user: those added since the last start count (the engine
    is heavy: loaded on first use)."""
    from gekko_common.engine import strategy_catalog

    return {s["name"] for s in strategy_catalog(strategy_dir)}


def validate_gekko(config: dict[str, Any], strategy_dir: str | None) -> str:
    """Refuse at once what the original only reported later as gekko_error: a strat runner gets the
    checks a backtest gets (the same typed config). Returns the gekko's log type."""
    _, log_type = kind(config, "realtime")
    if log_type in ("papertrader", "tradebot"):
        typed = validate_run(config, known_strategies(strategy_dir)).typed
    elif log_type == "watcher":
        typed = decode_config(config)
    else:
        raise bad_request(f"unknown market type {log_type!r}", "market.type")
    if typed.watch is None:  # a watcher's market (a strat runner's is checked by validate_run)
        raise ConfigError("watch", "watch must be an object with exchange, currency and asset")
    if typed.watch.exchange not in snapshots():
        raise bad_request(f"unknown exchange {typed.watch.exchange!r}", "watch.exchange")
    if (typed.mode or "realtime") != "realtime":
        raise bad_request("mode must be realtime", "mode")
    if typed.market is not None and typed.market.from_ is not None:
        parse_date(typed.market.from_, "market.from")
    return log_type


@get("/api/gekkos", responses=responses(Gekkos))
async def gekkos(state: State) -> dict[str, Any]:
    """Live and archived gekkos (rebuilt from the event log)."""
    view: GekkosView = state.gekkos
    return view.snapshot()


@post("/api/startGekko", status_code=200, responses=responses(Gekko, 400, 413))
async def start_gekko(
    request: Request[Any, Any, Any], state: State, data: JSONBody[GekkoConfig | None] = None
) -> dict[str, Any]:
    """Start a market watcher or a strat runner; a leech gets a watcher of its market if none runs.

    All or nothing: every event is checked to fit on the bus before the first is published."""
    body = await json_body(request)
    mode = body.get("mode", "realtime")
    config = merge_base_config(body)
    config["childToParent"] = {"enabled": True}
    log_type = validate_gekko(config, state.settings.strategy_dir)
    if log_type == "tradebot" and config["watch"]["exchange"] not in await _exchanges(state):
        raise bad_request("No API keys found for this exchange (add them with /api/addApiKey).", "watch.exchange")
    now = time.time()
    events: list[tuple[str, dict[str, Any]]] = []
    if log_type in ("papertrader", "tradebot") and state.gekkos.watcher_of(config["watch"]) is None:
        watcher_cfg = merge_base_config(
            {"watch": config["watch"], "candleWriter": {"enabled": True}, "type": "market watcher", "mode": "realtime"}
        )
        watcher_id = new_id("watcher", now)
        events.append((watcher_id, initial_state(watcher_id, watcher_cfg, mode, now)))
    gekko_id = new_id(log_type, now)
    gekko = initial_state(gekko_id, config, mode, now)
    events.append((gekko_id, gekko))
    for _, payload in events:  # all or nothing: no orphan watcher when the gekko is too large for the bus
        bus.ensure_fits(state.runtime.nc, encoder.encode(payload), reserve=1024)
    request_id = new_request_id()
    for event_id, payload in events:
        await publish(state, event_id, GEKKO_NEW, payload, request_id)
    return gekko


@post("/api/stopGekko", status_code=200, responses=responses(Ok, 400, 404))
async def stop_gekko(state: State, data: JSONBody[GekkoRef]) -> dict[str, str]:
    """Stop a live gekko and move it to the archive."""
    gekko_id = data.id
    if gekko_id not in state.gekkos.live:
        raise ApiError(404, f"no live gekko {gekko_id!r}", "id")
    if state.gekkos.live[gekko_id].get("logType") == "tradebot":
        await wind_down(state, gekko_id)
    request_id = new_request_id()
    await publish(state, gekko_id, GEKKO_STOPPED, None, request_id)
    await publish(state, gekko_id, GEKKO_ARCHIVED, None, request_id)
    return OK


async def wind_down(state: State, gekko_id: str) -> None:
    """Have the tradebot's runner cancel its order and disarm its stop, so that its last events (the
    fill, ``tradeCancelled``) come before ``gekko_stopped``; with no runner answering in time it is
    archived anyway (its runner still winds it down when it sees the archive)."""
    try:
        await state.runtime.nc.request(subjects.gekko_stop(gekko_id), b"", timeout=STOP_WAIT_S)
    except (NatsTimeoutError, NoRespondersError):
        log.warning("no runner wound tradebot %s down within %s s", gekko_id, STOP_WAIT_S)


@post("/api/deleteGekko", status_code=200, responses=responses(Ok, 400, 404, 409))
async def delete_gekko(state: State, data: JSONBody[GekkoRef]) -> dict[str, str]:
    """Delete an archived gekko."""
    if data.id in state.gekkos.live:
        raise ApiError(409, f"gekko {data.id!r} is still running; stop it first", "id")
    if data.id not in state.gekkos.archive:
        raise ApiError(404, f"no archived gekko {data.id!r}", "id")
    await publish(state, data.id, GEKKO_DELETED, None, new_request_id())
    return OK


# --- API keys ---


async def _bucket(state: State) -> Any:
    return await state.runtime.js.key_value(subjects.KV_API_KEYS)


async def _exchanges(state: State) -> list[str]:
    try:
        return sorted(await (await _bucket(state)).keys())
    except NoKeysError:
        return []


def _fernet(state: State) -> Fernet:
    key = state.settings.secret_key
    if not key:
        raise ApiError(503, "GEKKO_SECRET_KEY is not set: API keys cannot be stored encrypted", "exchange")
    return Fernet(key.encode())


async def _announce(state: State) -> None:
    publisher = bus.EventPublisher(state.runtime.js, subjects.APIKEY_EVENTS, "apikeys", epoch=f"{time.time_ns()}")
    await publisher.publish(API_KEYS, await _exchanges(state))


@get("/api/apiKeys", responses=responses(list[str]))
async def api_keys(state: State) -> list[str]:
    """Exchanges that have stored credentials (never the credentials)."""
    return await _exchanges(state)


@post("/api/addApiKey", status_code=200, responses=responses(Ok, 400, 413, 503))
async def add_api_key(state: State, data: JSONBody[AddApiKeyRequest]) -> dict[str, str]:
    """Store an exchange's credentials, encrypted at rest."""
    if data.exchange not in snapshots():
        raise bad_request(f"unknown exchange {data.exchange!r}", "exchange")
    token = _fernet(state).encrypt(json.dumps(data.values).encode())
    bus.ensure_fits(state.runtime.nc, token, reserve=1024)
    await (await _bucket(state)).put(data.exchange, token)
    await _announce(state)
    return OK


@post("/api/removeApiKey", status_code=200, responses=responses(Ok, 400, 404))
async def remove_api_key(state: State, data: JSONBody[RemoveApiKeyRequest]) -> dict[str, str]:
    """Forget an exchange's credentials."""
    bucket = await _bucket(state)
    try:
        await bucket.get(data.exchange)
    except KeyNotFoundError:
        raise ApiError(404, f"no API key stored for {data.exchange!r}", "exchange") from None
    await bucket.purge(data.exchange)
    await _announce(state)
    return OK


ROUTES = [gekkos, start_gekko, stop_gekko, delete_gekko, api_keys, add_api_key, remove_api_key]
