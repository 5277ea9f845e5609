"""Market-data routes: import, imports, scan, scansets, getCandles, exchanges."""

from __future__ import annotations

import secrets
import time
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from gekko_common import events, subjects
from gekko_common.config import CandlesRequest, ImportRequest, ScanRequest, ScanSetsRequest, date_span
from gekko_common.dates import parse_date
from gekko_common.exchanges import catalog, find_market, snapshots
from gekko_common.infra import bus
from gekko_common.market import Candle
from gekko_common.messages import StartImport, encoder
from gekko_gateway.errors import bad_request, json_body
from gekko_gateway.imports import ImportsView
from gekko_gateway.routes.backtest import call
from gekko_gateway.schemas import ExchangeInfo, ImportRecord, Range, ScanSets, responses


@get("/api/exchanges", responses=responses(list[ExchangeInfo]))
async def exchanges() -> list[dict[str, Any]]:
    """Supported exchanges with their markets (offline snapshots of ccxt metadata)."""
    return catalog()


@get("/api/imports", responses=responses(list[ImportRecord]))
async def imports(state: State) -> list[dict[str, Any]]:
    """Every import started on this system (survives restarts: rebuilt from the event log)."""
    view: ImportsView = state.imports
    return view.list()


@post("/api/scan", status_code=200, responses=responses(list[Range], 400, 503, 504))
async def scan(request: Request[Any, Any, Any], state: State, data: JSONBody[ScanRequest]) -> Response[Any]:
    """Contiguous ranges of one market's candles, in unix seconds."""
    return await call(state, subjects.SCAN, encoder.encode(await json_body(request)), read_only=True)


@post("/api/scansets", status_code=200, responses=responses(ScanSets, 400, 503, 504))
async def scansets(state: State, data: JSONBody[ScanSetsRequest | None] = None) -> Response[Any]:
    """Ranges of every market in the store (the body is ignored)."""
    return await call(state, subjects.SCANSETS, b"{}", read_only=True)


@post("/api/getCandles", status_code=200, responses=responses(list[Candle], 400, 503, 504))
async def get_candles(request: Request[Any, Any, Any], state: State, data: JSONBody[CandlesRequest]) -> Response[Any]:
    """Candles of a range at any candle size."""
    date_span(data.daterange, "daterange")
    return await call(state, subjects.CANDLES_GET, encoder.encode(await json_body(request)), read_only=True)


def import_job(body: ImportRequest, raw: dict[str, Any], now: int) -> tuple[StartImport, dict[str, Any]]:
    """Validate an import request; the job and the record ``/api/imports`` shows (its dates as sent)."""
    slug, currency, asset = body.watch.exchange, body.watch.currency, body.watch.asset
    if slug not in snapshots():
        raise bad_request(f"unknown exchange {slug!r}; importable: {', '.join(sorted(snapshots()))}", "watch.exchange")
    if find_market(slug, currency, asset) is None:
        raise bad_request(f"{slug} has no market {currency}/{asset}", "watch.asset")
    daterange = body.importer.daterange
    if daterange.from_ is None:
        raise bad_request("importer.daterange must be an object with from (and optionally to)", "importer.daterange")
    start = parse_date(daterange.from_, "importer.daterange.from") // 60 * 60
    if start > now:
        raise bad_request("importer.daterange.from is in the future", "importer.daterange.from")
    end = parse_date(daterange.to, "importer.daterange.to") if daterange.to else now
    end = min(end // 60 * 60, now // 60 * 60)
    if end <= start:
        raise bad_request("importer.daterange.to must be after importer.daterange.from", "importer.daterange")
    import_id = str(secrets.randbelow(9 * 10**15) + 10**15)
    job = StartImport(import_id=import_id, exchange=slug, currency=currency, asset=asset, start=start, end=end)
    record = {
        "watch": {"exchange": slug, "currency": currency, "asset": asset},
        "id": import_id,
        "latest": "",
        "from": raw["importer"]["daterange"]["from"],
        "to": raw["importer"]["daterange"].get("to") or time.strftime("%Y-%m-%d %H:%M", time.gmtime(end)),
        "done": False,
    }
    return job, record


@post("/api/import", status_code=200, responses=responses(ImportRecord, 400))
async def start_import(request: Request[Any, Any, Any], state: State, data: JSONBody[ImportRequest]) -> dict[str, Any]:
    """Start an import; progress arrives as import_update frames on the websocket."""
    job, record = import_job(data, await json_body(request), int(time.time()))
    js = state.runtime.js
    publisher = bus.EventPublisher(js, subjects.import_event(job.import_id), f"import-{job.import_id}", epoch="gw")
    await publisher.publish(events.IMPORT_STARTED, record)
    await js.publish(subjects.IMPORT_START, encoder.encode(job), headers={"Nats-Msg-Id": job.import_id})
    return {k: v for k, v in record.items() if k != "done"}


ROUTES = [exchanges, imports, scan, scansets, get_candles, start_import]
