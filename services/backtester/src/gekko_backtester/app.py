"""The backtester's composition root: store, dataset cache, the backtest queue group."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

import msgspec
from nats.aio.client import Client
from nats.aio.msg import Msg

from gekko_backtester.dataset import DatasetCache
from gekko_backtester.handler import BacktestService
from gekko_backtester.sweeps import Sweeps, warm_up
from gekko_common import subjects
from gekko_common.infra import bus
from gekko_common.infra.service import ServiceRuntime, freeze_startup_objects, main
from gekko_common.infra.store import CandleStore
from gekko_common.messages import BacktestProgress, Reply, RunBacktest, encoder


def progress_publisher(nc: Client) -> Callable[[BacktestProgress], None]:
    """Publishes a backtest's progress reports on core NATS; called from the engine's thread, it hands
    each report to the event loop and never waits for it."""
    loop = asyncio.get_running_loop()

    def publish(report: BacktestProgress) -> None:
        subject = subjects.backtest_progress(report.id)
        asyncio.run_coroutine_threadsafe(nc.publish(subject, encoder.encode(report)), loop)

    return publish


async def serve_sweeps(runtime: ServiceRuntime, sweeps: Sweeps) -> list[asyncio.Task[None]]:
    """Sweep submissions, the sweep drivers and the sweep chunk workers; returns the workers."""
    assert runtime.nc is not None
    assert runtime.js is not None
    await bus.serve(runtime.nc, subjects.SWEEP_SUBMIT, sweeps.submit, queue=subjects.Q_BACKTESTERS)
    workers: list[asyncio.Task[None]] = []
    for durable, handler, concurrency in (
        (subjects.DURABLE_SWEEP_DRIVERS, sweeps.drive, 8),
        (subjects.DURABLE_SWEEP_WORKERS, sweeps.run_chunk, 1),
    ):
        workers += await bus.serve_queue(
            runtime.nc,
            runtime.js,
            subjects.STREAM_SWEEPS,
            durable,
            handler,
            concurrency=concurrency,
            stopping=runtime.stopping,
            reply_required=False,
        )
    return workers


async def warm() -> None:
    """Load the compiled kernels now rather than in the first sweep, then keep what they made out of the
    collector's scans too."""
    await asyncio.to_thread(warm_up)
    freeze_startup_objects()


OMP_WAIT_POLICY = "PASSIVE"
"""How the compiled kernels' OpenMP threads wait between parallel regions: asleep. OpenMP's default spins
for a while after each region, and a sweep's chunk runs several regions per part with Python in
between: measured on 2 cores, 1,000 MACD points took 0.09-0.13 CPU-s for 0.05-0.07 s (up to 0.2 s when
the other core was busy), asleep 0.06 CPU-s for the same wall time. An operator's own setting wins."""


async def setup(runtime: ServiceRuntime) -> None:
    """Wire the backtester."""
    os.environ.setdefault("OMP_WAIT_POLICY", OMP_WAIT_POLICY)  # read when the first parallel kernel runs
    assert runtime.nc is not None
    nc = runtime.nc
    settings = runtime.settings
    store = await CandleStore.connect(settings.database_url, min_size=1, max_size=4)
    runtime.on_stop(store.close)
    cache = DatasetCache(settings.backtest_cache_mb * 1024 * 1024)
    service = BacktestService(store, cache, settings.strategy_dir, progress_publisher(nc))

    async def handle(msg: Msg) -> Reply:
        try:
            command = bus.decode_request(msg, RunBacktest)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            return Reply(error=f"malformed backtest command: {exc}", status=400)
        return await service.run(command)

    async def cancel(msg: Msg) -> None:
        service.cancelled.add(msg.subject.rsplit(".", 1)[-1])

    assert runtime.js is not None
    workers = await bus.serve_queue(
        nc, runtime.js, subjects.STREAM_BACKTESTS, subjects.DURABLE_BACKTESTERS, handle, stopping=runtime.stopping
    )

    sweeps = Sweeps(service, nc, runtime.js)
    workers += await serve_sweeps(runtime, sweeps)
    warming = asyncio.create_task(warm())

    async def stop_workers() -> None:
        warming.cancel()
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)

    runtime.on_stop(stop_workers)
    await nc.subscribe(f"{subjects.BACKTEST_CANCEL}.*", cb=cancel)
    runtime.ready_checks.append(store.ping)
    runtime.details = lambda: {
        "completed": service.completed,
        "sweep_points": sweeps.evaluated,
        "sweeps_driving": sweeps.driving,
        "in_flight": service.in_flight,
        "cache_bytes": service.cache.size_bytes,
        "cache_hits": service.cache.hits,
        "cache_misses": service.cache.misses,
    }


def run() -> None:
    """Process entry point."""
    main("backtester", setup)
