"""The importer's composition root: market-data queries on the bus and the import work queue."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from nats.aio.msg import Msg

from gekko_common import events, subjects
from gekko_common.config import decode_body
from gekko_common.errors import ConfigError
from gekko_common.exchanges import find_market
from gekko_common.infra import bus, metrics
from gekko_common.infra.exchange import make_exchange
from gekko_common.infra.exchange_retry import PermanentExchangeError
from gekko_common.infra.faults import ride_out
from gekko_common.infra.service import ServiceRuntime, main
from gekko_common.infra.store import CandleStore
from gekko_common.messages import Reply, StartImport, new_id
from gekko_importer import queries
from gekko_importer.job import run_import

log = logging.getLogger(__name__)


def query_handler(fn: Callable[[dict[str, Any]], Awaitable[Any]]) -> bus.Handler:
    """A bus handler for a read query: JSON body in, Reply out; bad input is a 400 naming the field."""

    async def handle(msg: Msg) -> Reply:
        try:
            return Reply(result=await fn(decode_body(msg.data)))
        except ConfigError as exc:
            return Reply(error=exc.message, status=400, field=exc.field)

    return handle


class Importer:
    """Works import jobs: one exchange client per job, its progress and its end as import events."""

    def __init__(self, runtime: ServiceRuntime, store: CandleStore) -> None:
        assert runtime.js is not None
        self.js = runtime.js
        self.settings = runtime.settings
        self.store = store
        self.stats = {"imports_done": 0, "imports_failed": 0, "rows_written": 0}

    async def handle(self, msg: Msg) -> Reply:
        """One import job from the work queue."""
        job = msgspec.json.decode(msg.data, type=StartImport)
        publisher = bus.EventPublisher(
            self.js, subjects.import_event(job.import_id), f"import-{job.import_id}", epoch=new_id()[:8]
        )
        market = find_market(job.exchange, job.currency, job.asset)
        symbol = market["symbol"] if market else f"{job.asset}/{job.currency}"
        exchange: Any = None

        async def progress(update: dict[str, Any]) -> None:
            await publisher.publish(events.IMPORT_UPDATE, update)

        try:
            exchange = make_exchange(job.exchange, self.settings.exchange_urls)
            written = await ride_out(
                lambda: run_import(job, exchange, symbol, self.store, progress, msg.in_progress), "import"
            )
            self._done(written)
        except Exception as exc:  # a permanent exchange error, or a bug: the import ends with a clear error
            if not isinstance(exc, PermanentExchangeError):
                log.exception("import %s failed", job.import_id)
            self.stats["imports_failed"] += 1
            metrics.IMPORTS.labels("failed").inc()
            await publisher.publish(
                events.IMPORT_ERROR, f"import of {job.exchange} {job.currency}/{job.asset} failed: {exc}"
            )
        finally:
            if exchange is not None:
                await exchange.close()
        return Reply(result={"import_id": job.import_id})

    def _done(self, written: int) -> None:
        self.stats["rows_written"] += written
        self.stats["imports_done"] += 1
        metrics.IMPORTS.labels("ok").inc()
        metrics.IMPORT_CANDLES.inc(written)


async def serve_queries(nc: Any, store: CandleStore) -> None:
    """The market-data queries (scan, scansets, candles), shared by the importers."""
    routes: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
        subjects.SCAN: lambda b: queries.scan(store, b),
        subjects.SCANSETS: lambda b: queries.scansets(store),
        subjects.CANDLES_GET: lambda b: queries.get_candles(store, b),
    }
    for subject, fn in routes.items():
        await bus.serve(nc, subject, query_handler(fn), queue=subjects.Q_IMPORTERS)


async def setup(runtime: ServiceRuntime) -> None:
    """Wire the importer."""
    assert runtime.nc is not None
    assert runtime.js is not None
    nc, js, settings = runtime.nc, runtime.js, runtime.settings
    store = await CandleStore.connect(settings.database_url, min_size=1, max_size=6)
    runtime.on_stop(store.close)
    runtime.ready_checks.append(store.ping)
    importer = Importer(runtime, store)
    runtime.details = lambda: dict(importer.stats)
    await serve_queries(nc, store)
    workers = await bus.serve_queue(
        nc,
        js,
        subjects.STREAM_IMPORT_JOBS,
        subjects.DURABLE_IMPORTERS,
        importer.handle,
        concurrency=4,
        stopping=runtime.stopping,
        reply_required=False,
    )

    async def stop_workers() -> None:
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)

    runtime.on_stop(stop_workers)


def run() -> None:
    """Process entry point."""
    main("importer", setup)
