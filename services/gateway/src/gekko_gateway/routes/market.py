"""Market-data routes: import, imports, scan, scansets, getCandles, exchanges."""

from __future__ import annotations

import secrets
import time
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State

from gekko_common import subjects
from gekko_common.dates import parse_date
from gekko_common.errors import ConfigError
from gekko_common.exchanges import catalog, find_market, snapshots
from gekko_common.infra import bus
from gekko_common.messages import StartImport, encoder
from gekko_gateway.errors import bad_request, json_body, market_or_400
from gekko_gateway.imports import STARTED
from gekko_gateway.routes.backtest import call


@get("/api/exchanges")
async def exchanges() -> list[dict[str, Any]]:
    """Supported exchanges with their markets (offline snapshots of ccxt metadata)."""
    return catalog()


@get("/api/imports")
async def imports(state: State) -> list[dict[str, Any]]:
    """Every import started on this system (survives restarts: rebuilt from the event log)."""
    return state.imports.list()


@post("/api/scan", status_code=200)
async def scan(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    """Contiguous ranges of one market's candles, in unix seconds."""
    body = await json_body(request)
    return await call(state, subjects.SCAN, encoder.encode(body))


@post("/api/scansets", status_code=200)
async def scansets(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    """Ranges of every market in the store."""
    await json_body(request)
    return await call(state, subjects.SCANSETS, b"{}")


@post("/api/getCandles", status_code=200)
async def get_candles(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    """Candles of a range at any candle size."""
    body = await json_body(request)
    return await call(state, subjects.CANDLES_GET, encoder.encode(body))


def import_job(body: dict[str, Any], now: int) -> tuple[StartImport, dict[str, Any]]:
    """Validate an import request; the job and the record ``/api/imports`` shows."""
    market = market_or_400(body)
    slug, currency, asset = market.exchange, market.currency, market.asset
    if slug not in snapshots():
        raise bad_request(f"unknown exchange {slug!r}; importable: {', '.join(sorted(snapshots()))}", "watch.exchange")
    if find_market(slug, currency, asset) is None:
        raise bad_request(f"{slug} has no market {currency}/{asset}", "watch.asset")
    daterange = (body.get("importer") or {}).get("daterange")
    if not isinstance(daterange, dict):
        raise bad_request("importer.daterange must be an object with from (and optionally to)", "importer.daterange")
    try:
        start = parse_date(daterange.get("from"), "importer.daterange.from") // 60 * 60
        end = parse_date(daterange["to"], "importer.daterange.to") // 60 * 60 if daterange.get("to") else now
    except ConfigError as exc:
        raise bad_request(exc.message, exc.field) from None
    if start > now:
        raise bad_request("importer.daterange.from is in the future", "importer.daterange.from")
    end = min(end, now // 60 * 60)
    if end <= start:
        raise bad_request("importer.daterange.to must be after importer.daterange.from", "importer.daterange")
    import_id = str(secrets.randbelow(9 * 10**15) + 10**15)
    job = StartImport(import_id=import_id, exchange=slug, currency=currency, asset=asset, start=start, end=end)
    record = {
        "watch": {"exchange": slug, "currency": currency, "asset": asset},
        "id": import_id,
        "latest": "",
        "from": daterange.get("from"),
        "to": daterange.get("to") or time.strftime("%Y-%m-%d %H:%M", time.gmtime(end)),
        "done": False,
    }
    return job, record


@post("/api/import", status_code=200)
async def start_import(request: Request[Any, Any, Any], state: State) -> dict[str, Any]:
    """Start an import; progress arrives as import_update frames on the websocket."""
    body = await json_body(request)
    job, record = import_job(body, int(time.time()))
    js = state.runtime.js
    publisher = bus.EventPublisher(js, subjects.import_event(job.import_id), f"import-{job.import_id}", epoch="gw")
    await publisher.publish(STARTED, record)
    await js.publish(subjects.IMPORT_START, encoder.encode(job), headers={"Nats-Msg-Id": job.import_id})
    return {k: v for k, v in record.items() if k != "done"}


ROUTES = [exchanges, imports, scan, scansets, get_candles, start_import]
