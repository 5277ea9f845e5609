"""The runner's composition root: follows the gekko log, takes free gekkos through KV leases, runs them."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import time
from typing import Any

from gekko_common import subjects
from gekko_common.engine import load_strategy_dir
from gekko_common.infra import bus, metrics
from gekko_common.infra.exchange import make_exchange
from gekko_common.infra.faults import backoff, is_transient
from gekko_common.infra.service import ServiceRuntime, main
from gekko_common.infra.store import CandleStore
from gekko_common.messages import Envelope, encoder
from gekko_runner.directory import Directory, Leases
from gekko_runner.exchange_client import ExchangeClient
from gekko_runner.tasks import run_leech, run_watcher
from gekko_runner.trader import Trader, TraderLog, decrypt_credentials

log = logging.getLogger(__name__)

RENEW_S = 4.0
POLL_S = 1.0


async def setup(runtime: ServiceRuntime) -> None:
    """Wire the runner."""
    assert runtime.nc is not None
    assert runtime.js is not None
    js, settings = runtime.js, runtime.settings
    if settings.strategy_dir:
        load_strategy_dir(settings.strategy_dir)  # user strategies (Python and JavaScript) for live gekkos
    store = await CandleStore.connect(settings.database_url, min_size=1, max_size=4)
    runtime.on_stop(store.close)
    runtime.ready_checks.append(store.ping)
    directory = Directory()
    await directory.start(runtime.nc, js)
    leases = Leases(await js.key_value(subjects.KV_LEASES), runtime.instance)
    keys = await js.key_value(subjects.KV_API_KEYS)
    running: dict[str, asyncio.Task[None]] = {}
    runtime.details = lambda: {"gekkos": sorted(running)}

    def publisher(gekko_id: str) -> Any:
        async def publish(kind: str, payload: Any, key: str) -> None:
            env = Envelope(
                id=f"gekko-{gekko_id}:{key}",
                type=kind,
                source=f"gekko-{gekko_id}",
                seq=0,
                time=time.time(),
                payload=payload,
            )
            await js.publish(subjects.gekko_event(gekko_id), encoder.encode(env), headers={"Nats-Msg-Id": env.id})

        return publish

    async def fail(gekko_id: str, message: str) -> None:
        pub = bus.EventPublisher(js, subjects.gekko_event(gekko_id), f"gekko-{gekko_id}", epoch=f"r{time.time_ns()}")
        await pub.publish("gekko_error", message)
        await pub.publish("gekko_archived", None)

    async def run(gekko_id: str, state: dict[str, Any]) -> None:
        """Run a gekko; a passing fault (NATS or PostgreSQL away) is ridden out: after a back-off the gekko
        resumes from its last logged event (republished events are duplicates JetStream drops)."""
        started = time.time()
        attempt = 0
        while True:
            try:
                await run_once(gekko_id, state, started)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not is_transient(exc):
                    log.exception("gekko %s failed", gekko_id)
                    await fail(gekko_id, f"{type(exc).__name__}: {exc}")
                    return
                attempt += 1
                metrics.GEKKO_RESUMES.inc()
                fields = {"gekko": gekko_id, "error": f"{type(exc).__name__}: {exc}", "attempt": attempt}
                log.warning("gekko waits for a dependency, then resumes", extra={"fields": fields})
                await asyncio.sleep(backoff(attempt))

    async def run_once(gekko_id: str, state: dict[str, Any], started: float) -> None:
        config = state["config"]
        publish = publisher(gekko_id)
        last = directory.last_candle.get(gekko_id)
        if state.get("logType") == "watcher":
            await run_watcher(gekko_id, config, store, dict(settings.exchange_urls), publish, last, POLL_S)
        elif state.get("logType") == "tradebot":
            await run_tradebot(gekko_id, state, publish, last)
        else:
            resume = directory.last_event.get(gekko_id)
            await run_leech(gekko_id, config, store, publish, resume, POLL_S, started)

    async def run_tradebot(gekko_id: str, state: dict[str, Any], publish: Any, last: str | None) -> None:
        config = state["config"]
        watch = config["watch"]
        if not settings.secret_key:
            raise RuntimeError("GEKKO_SECRET_KEY is not set: stored API keys cannot be read")
        try:
            entry = await keys.get(watch["exchange"])
        except Exception:
            raise RuntimeError(f"no API keys stored for {watch['exchange']}") from None
        credentials = decrypt_credentials(entry.value, settings.secret_key)
        exchange = make_exchange(watch["exchange"], dict(settings.exchange_urls), credentials)
        try:
            await exchange.load_markets()
            client = ExchangeClient(exchange, f"{watch['asset']}/{watch['currency']}")
            history = copy.deepcopy(directory.trading.get(gekko_id) or TraderLog())
            trader = Trader(gekko_id, client, publish, history, interval_s=settings.order_interval_s)
            try:
                resume = directory.last_event.get(gekko_id)
                await run_leech(gekko_id, config, store, publish, resume, POLL_S, time.time(), trader)
            except asyncio.CancelledError:
                if gekko_id not in directory.live:  # stopped, not handed over: leave no order behind
                    await asyncio.shield(trader.wind_down())
                raise
            except Exception:
                await asyncio.shield(trader.wind_down())  # it ends in gekko_error: no order left behind
                raise
            finally:
                await trader.close()
        finally:
            await exchange.close()

    async def reconcile() -> None:
        for gekko_id in list(running):
            if gekko_id not in directory.live:
                running.pop(gekko_id).cancel()
                await leases.release(gekko_id)
        for gekko_id, state in list(directory.live.items()):
            if gekko_id in running:
                if not await leases.renew(gekko_id):
                    running.pop(gekko_id).cancel()
            elif await leases.acquire(gekko_id):
                log.info("running gekko", extra={"fields": {"gekko": gekko_id}})
                running[gekko_id] = asyncio.create_task(run(gekko_id, state))

    def measure() -> None:
        kinds = [str(directory.live.get(g, {}).get("logType", "unknown")) for g in running]
        for kind in {"watcher", "papertrader", "tradebot", *kinds}:
            metrics.RUNNING_GEKKOS.labels(kind).set(kinds.count(kind))

    async def loop() -> None:
        while not runtime.stopping.is_set():
            try:
                await reconcile()
            except Exception:
                log.exception("reconcile failed")
            measure()
            directory.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(directory.changed.wait(), RENEW_S)

    main_task = asyncio.create_task(loop())

    async def stop() -> None:
        main_task.cancel()
        for gekko_id, task in list(running.items()):
            task.cancel()
            await leases.release(gekko_id)

    runtime.on_stop(stop)


def run() -> None:
    """Process entry point."""
    main("runner", setup)
