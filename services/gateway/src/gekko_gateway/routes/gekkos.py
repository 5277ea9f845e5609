"""Live gekkos (startGekko, stopGekko, deleteGekko, gekkos) and exchange API keys."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from cryptography.fernet import Fernet
from litestar import Request, get, post
from litestar.datastructures import State
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import KeyNotFoundError, NoKeysError

from gekko_common import subjects
from gekko_common.config import merge_base_config
from gekko_common.engine import load_strategy_dir, registered
from gekko_common.exchanges import snapshots
from gekko_common.gekko_state import initial_state, kind, new_id
from gekko_common.infra import bus
from gekko_common.messages import encoder
from gekko_gateway.errors import ApiError, bad_request, json_body, market_or_400

OK = {"status": "ok"}
STOP_WAIT_S = 10.0
"""How long stopGekko waits for a tradebot's runner to cancel its order before archiving it anyway."""

log = logging.getLogger(__name__)


async def publish(state: State, gekko_id: str, event_type: str, payload: Any) -> None:
    """Append a lifecycle event of a gekko to the log (the gateway's view and the runners follow it)."""
    publisher = bus.EventPublisher(
        state.runtime.js, subjects.gekko_event(gekko_id), f"gekko-{gekko_id}", epoch=f"gw{time.time_ns()}"
    )
    await publisher.publish(event_type, payload)


def validate_gekko(config: dict[str, Any]) -> None:
    """Refuse at once what the original only reported later as gekko_error."""
    market = market_or_400(config)
    if market.exchange not in snapshots():
        raise bad_request(f"unknown exchange {market.exchange!r}", "watch.exchange")
    mode = config.get("mode", "realtime")
    if mode != "realtime":
        raise bad_request("mode must be realtime", "mode")
    _, log_type = kind(config, mode)
    if log_type in ("papertrader", "tradebot"):
        advisor = config.get("tradingAdvisor") or {}
        if advisor.get("method") not in registered():
            raise bad_request(f"unknown strategy {advisor.get('method')!r}", "tradingAdvisor.method")
        for field in ("candleSize", "historySize"):
            value = advisor.get(field)
            if isinstance(value, bool) or not isinstance(value, int) or value < (1 if field == "candleSize" else 0):
                raise bad_request(f"tradingAdvisor.{field} must be a positive integer", f"tradingAdvisor.{field}")
    elif log_type != "watcher":
        raise bad_request(f"unknown market type {log_type!r}", "market.type")


@get("/api/gekkos")
async def gekkos(state: State) -> dict[str, Any]:
    """Live and archived gekkos (rebuilt from the event log)."""
    return state.gekkos.snapshot()


@post("/api/startGekko", status_code=200)
async def start_gekko(request: Request[Any, Any, Any], state: State) -> dict[str, Any]:
    """Start a market watcher or a strat runner; a leech gets a watcher of its market if none runs."""
    body = await json_body(request)
    mode = body.get("mode", "realtime")
    config = merge_base_config(body)
    config["childToParent"] = {"enabled": True}
    if state.settings.strategy_dir:
        load_strategy_dir(state.settings.strategy_dir)  # user strategies added since the last start count
    validate_gekko(config)
    _, log_type = kind(config, mode)
    if log_type == "tradebot" and config["watch"]["exchange"] not in await _exchanges(state):
        raise bad_request("No API keys found for this exchange (add them with /api/addApiKey).", "watch.exchange")
    now = time.time()
    gekko_id = new_id(log_type, now)
    gekko = initial_state(gekko_id, config, mode, now)
    bus.ensure_fits(state.runtime.nc, encoder.encode(gekko), reserve=1024)  # all or nothing: no orphan watcher
    if log_type in ("papertrader", "tradebot") and state.gekkos.watcher_of(config["watch"]) is None:
        watcher_cfg = merge_base_config(
            {"watch": config["watch"], "candleWriter": {"enabled": True}, "type": "market watcher", "mode": "realtime"}
        )
        watcher_id = new_id("watcher", now)
        await publish(state, watcher_id, "gekko_new", initial_state(watcher_id, watcher_cfg, mode, now))
    await publish(state, gekko_id, "gekko_new", gekko)
    return gekko


def _id_of(body: dict[str, Any]) -> str:
    gekko_id = body.get("id")
    if not isinstance(gekko_id, str) or not gekko_id:
        raise bad_request("id must be the id of a gekko", "id")
    return gekko_id


@post("/api/stopGekko", status_code=200)
async def stop_gekko(request: Request[Any, Any, Any], state: State) -> dict[str, str]:
    """Stop a live gekko and move it to the archive."""
    gekko_id = _id_of(await json_body(request))
    if gekko_id not in state.gekkos.live:
        raise ApiError(404, f"no live gekko {gekko_id!r}", "id")
    if state.gekkos.live[gekko_id].get("logType") == "tradebot":
        await wind_down(state, gekko_id)
    await publish(state, gekko_id, "gekko_stopped", None)
    await publish(state, gekko_id, "gekko_archived", None)
    return OK


async def wind_down(state: State, gekko_id: str) -> None:
    """Have the tradebot's runner cancel its order and disarm its stop, so that its last events (the
    fill, ``tradeCancelled``) come before ``gekko_stopped``; with no runner answering in time it is
    archived anyway (its runner still winds it down when it sees the archive)."""
    try:
        await state.runtime.nc.request(subjects.gekko_stop(gekko_id), b"", timeout=STOP_WAIT_S)
    except (NatsTimeoutError, NoRespondersError):
        log.warning("no runner wound tradebot %s down within %s s", gekko_id, STOP_WAIT_S)


@post("/api/deleteGekko", status_code=200)
async def delete_gekko(request: Request[Any, Any, Any], state: State) -> dict[str, str]:
    """Delete an archived gekko."""
    gekko_id = _id_of(await json_body(request))
    if gekko_id in state.gekkos.live:
        raise ApiError(409, f"gekko {gekko_id!r} is still running; stop it first", "id")
    if gekko_id not in state.gekkos.archive:
        raise ApiError(404, f"no archived gekko {gekko_id!r}", "id")
    await publish(state, gekko_id, "gekko_deleted", None)
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
    await publisher.publish("apiKeys", await _exchanges(state))


@get("/api/apiKeys")
async def api_keys(state: State) -> list[str]:
    """Exchanges that have stored credentials (never the credentials)."""
    return await _exchanges(state)


@post("/api/addApiKey", status_code=200)
async def add_api_key(request: Request[Any, Any, Any], state: State) -> dict[str, str]:
    """Store an exchange's credentials, encrypted at rest."""
    body = await json_body(request)
    exchange, values = body.get("exchange"), body.get("values")
    if not isinstance(exchange, str) or exchange not in snapshots():
        raise bad_request(f"unknown exchange {exchange!r}", "exchange")
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()) or not values:
        raise bad_request("values must be an object of credential strings (key, secret, ...)", "values")
    token = _fernet(state).encrypt(json.dumps(values).encode())
    await (await _bucket(state)).put(exchange, token)
    await _announce(state)
    return OK


@post("/api/removeApiKey", status_code=200)
async def remove_api_key(request: Request[Any, Any, Any], state: State) -> dict[str, str]:
    """Forget an exchange's credentials."""
    exchange = (await json_body(request)).get("exchange")
    if not isinstance(exchange, str) or not exchange:
        raise bad_request("exchange must be an exchange slug", "exchange")
    bucket = await _bucket(state)
    try:
        await bucket.get(exchange)
    except KeyNotFoundError:
        raise ApiError(404, f"no API key stored for {exchange!r}", "exchange") from None
    await bucket.purge(exchange)
    await _announce(state)
    return OK


ROUTES = [gekkos, start_gekko, stop_gekko, delete_gekko, api_keys, add_api_key, remove_api_key]
