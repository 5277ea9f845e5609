"""The runner's composition root: follows the gekko log, takes free gekkos through KV leases, runs them."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import Fernet
from nats.aio.msg import Msg

from gekko_common import events, subjects
from gekko_common.engine import load_strategy_dir
from gekko_common.infra import bus, metrics
from gekko_common.infra.exchange import make_exchange
from gekko_common.infra.faults import backoff, is_transient
from gekko_common.infra.service import ServiceRuntime, main
from gekko_common.infra.store import CandleStore
from gekko_common.messages import Envelope, encoder
from gekko_runner.directory import Directory, Leases
from gekko_runner.exchange_client import ExchangeClient, Fenced
from gekko_runner.tasks import Publish, run_leech, run_watcher
from gekko_runner.trader import Trader
from gekko_runner.trader_log import TraderLog

log = logging.getLogger(__name__)

RENEW_S = 4.0
POLL_S = 1.0
GUARD_S = 0.5
"""How often the leases' renewal deadlines are checked."""


def decrypt_credentials(token: bytes, secret_key: str) -> dict[str, str]:
    """The stored credentials of an exchange (Fernet-encrypted JSON)."""
    values = json.loads(Fernet(secret_key.encode()).decrypt(token))
    assert isinstance(values, dict)
    return {str(k): str(v) for k, v in values.items()}


@dataclass
class GekkoRun:
    """A gekko this runner runs: its task, and how that task is being ended."""

    gekko_id: str
    task: asyncio.Task[None] = field(init=False)
    stopping: bool = False
    """Stopped by its user: a tradebot cancels its order and its stop before it ends."""
    handed_over: bool = False
    """Ended without touching the exchange again: the lease was lost, or the runner shuts down."""

    async def stop(self) -> None:
        """End the gekko for good and wait until it has (the tradebot's wind-down included)."""
        if not self.stopping and not self.handed_over:
            self.stopping = True
            self.task.cancel()
        await asyncio.wait([self.task])

    def hand_over(self) -> None:
        """End at once, leaving orders to the next owner (which resumes them)."""
        self.handed_over = True
        self.task.cancel()


class Supervisor:
    """Runs the live gekkos this runner holds the lease of, stops them, hands them over."""

    def __init__(self, runtime: ServiceRuntime, store: CandleStore, directory: Directory, leases: Leases) -> None:
        assert runtime.js is not None
        self.runtime = runtime
        self.js = runtime.js
        self.settings = runtime.settings
        self.store = store
        self.directory = directory
        self.leases = leases
        self.runs: dict[str, GekkoRun] = {}
        self._background: set[asyncio.Task[Any]] = set()

    # lifecycle -----------------------------------------------------------------------------------

    async def loop(self) -> None:
        """Reconcile the gekkos run here with the log, at least every ``RENEW_S`` (lease renewal)."""
        while True:
            try:
                await self.reconcile()
            except Exception:
                log.exception("reconcile failed")
            self.measure()
            self.directory.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.directory.changed.wait(), RENEW_S)

    def measure(self) -> None:
        """The running-gekkos gauge, by kind."""
        kinds = [str(self.directory.live.get(g, {}).get("logType", "unknown")) for g in self.runs]
        for kind in {"watcher", "papertrader", "tradebot", *kinds}:
            metrics.RUNNING_GEKKOS.labels(kind).set(kinds.count(kind))

    async def guard(self) -> None:
        """Hand a gekko over as soon as its lease is not renewed in time (before it can expire)."""
        while True:
            await asyncio.sleep(GUARD_S)
            for gekko_id, run in list(self.runs.items()):
                if not run.handed_over and not run.task.done() and not self.leases.held(gekko_id):
                    log.warning("lease of %s not renewed in time: handed over", gekko_id)
                    run.hand_over()

    async def reconcile(self) -> None:
        """Stop what left the log, renew the leases of what runs here, start what nobody runs."""
        live = self.directory.live
        for gekko_id, run in list(self.runs.items()):
            if run.task.done() and (run.handed_over or gekko_id not in live):
                del self.runs[gekko_id]
                await self.leases.release(gekko_id)
                continue
            if gekko_id not in live:
                self._spawn(run.stop())
            if not run.handed_over and not await self.leases.renew(gekko_id):
                log.warning("lease of %s lost: handed over", gekko_id)
                run.hand_over()
        for gekko_id, state in list(live.items()):
            if gekko_id not in self.runs and await self.leases.acquire(gekko_id):
                log.info("running gekko", extra={"fields": {"gekko": gekko_id}})
                self._start(GekkoRun(gekko_id), functools.partial(self._run, state=state))
        for gekko_id, state in self.directory.left_unfinished().items():
            if gekko_id not in self.runs and await self.leases.acquire(gekko_id):
                log.info("winding down a stopped tradebot", extra={"fields": {"gekko": gekko_id}})
                self._start(GekkoRun(gekko_id, stopping=True), functools.partial(self._wind_down_left, state=state))

    def _start(self, run: GekkoRun, work: Callable[[GekkoRun], Coroutine[Any, Any, None]]) -> None:
        run.task = asyncio.create_task(work(run), name=f"gekko {run.gekko_id}")
        self.runs[run.gekko_id] = run

    async def on_stop_request(self, msg: Msg) -> None:
        """The gateway stops a tradebot: its owner winds it down, then answers (the others stay silent)."""
        run = self.runs.get(msg.subject[len(subjects.gekko_stop("")) :])
        if run is not None and not run.handed_over:
            self._spawn(self._answer_stop(run, msg))

    async def _answer_stop(self, run: GekkoRun, msg: Msg) -> None:
        await run.stop()
        if not run.handed_over:
            await msg.respond(encoder.encode({"stopped": run.gekko_id}))

    async def shutdown(self) -> None:
        """The runner stops: its gekkos are handed over (their orders stay for the next owner)."""
        runs = list(self.runs.values())
        for run in runs:
            run.hand_over()
        if runs:
            await asyncio.wait([run.task for run in runs])
        for run in runs:
            await self.leases.release(run.gekko_id)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # running one gekko ---------------------------------------------------------------------------

    def _publisher(self, gekko_id: str) -> Publish:
        source = subjects.gekko_source(gekko_id)
        run_id = f"{self.runtime.instance}:{time.time_ns()}"  # correlates the events of this run of the gekko
        seq = self.directory.seen.get(gekko_id, 0)

        async def publish(kind: str, payload: Any, key: str) -> None:
            nonlocal seq
            if not self.leases.held(gekko_id):
                raise Fenced(f"the lease of {gekko_id} was not renewed in time")
            seq += 1
            env = Envelope(
                id=subjects.event_id(source, key),
                type=kind,
                source=source,
                seq=seq,
                time=time.time(),
                payload=payload,
                correlation_id=run_id,
            )
            await self.js.publish(subjects.gekko_event(gekko_id), encoder.encode(env), headers={"Nats-Msg-Id": env.id})

        return publish

    async def _fail(self, gekko_id: str, message: str) -> None:
        if not self.leases.held(gekko_id):
            return  # not ours to report any more
        pub = bus.EventPublisher(
            self.js,
            subjects.gekko_event(gekko_id),
            subjects.gekko_source(gekko_id),
            seq=self.directory.seen.get(gekko_id, 0),
            epoch=f"r{time.time_ns()}",
            correlation_id=f"{self.runtime.instance}:failed",
        )
        await pub.publish(events.GEKKO_ERROR, message)
        await pub.publish(events.GEKKO_ARCHIVED, None)

    async def _run(self, run: GekkoRun, state: dict[str, Any]) -> None:
        """Run a gekko; a passing fault (NATS or PostgreSQL away) is ridden out: after a back-off the gekko
        resumes from its last logged event (republished events are duplicates JetStream drops)."""
        started = time.time()
        attempt = 0
        while True:
            try:
                await self._run_once(run, state, started)
                return
            except Fenced as exc:
                run.handed_over = True
                log.warning("gekko %s handed over: %s", run.gekko_id, exc)
                return
            except Exception as exc:
                if not is_transient(exc):
                    log.exception("gekko %s failed", run.gekko_id)
                    await self._fail(run.gekko_id, f"{type(exc).__name__}: {exc}")
                    return
                attempt += 1
                metrics.GEKKO_RESUMES.inc()
                fields = {"gekko": run.gekko_id, "error": f"{type(exc).__name__}: {exc}", "attempt": attempt}
                log.warning("gekko waits for a dependency, then resumes", extra={"fields": fields})
                await asyncio.sleep(backoff(attempt))

    async def _run_once(self, run: GekkoRun, state: dict[str, Any], started: float) -> None:
        gekko_id, config = run.gekko_id, state["config"]
        publish = self._publisher(gekko_id)
        if state.get("logType") == "watcher":
            urls = dict(self.settings.exchange_urls)
            last = self.directory.last_candle.get(gekko_id)
            await run_watcher(gekko_id, config, self.store, urls, publish, last, POLL_S)
        elif state.get("logType") == "tradebot":
            await self._run_tradebot(run, state, publish)
        else:
            resume = self.directory.last_event.get(gekko_id)
            await run_leech(gekko_id, config, self.store, publish, resume, POLL_S, started)

    async def _run_tradebot(self, run: GekkoRun, state: dict[str, Any], publish: Publish) -> None:
        gekko_id = run.gekko_id
        async with self._trader(gekko_id, state, publish) as trader:
            try:
                resume = self.directory.last_event.get(gekko_id)
                await run_leech(gekko_id, state["config"], self.store, publish, resume, POLL_S, time.time(), trader)
            except asyncio.CancelledError:
                if run.stopping and not run.handed_over:
                    await trader.wind_down()  # stopped by its user: nothing stays on the exchange
                raise
            except Fenced:
                raise
            except Exception as exc:
                if not is_transient(exc):
                    await trader.wind_down()  # it ends in gekko_error: no order left behind
                raise

    async def _wind_down_left(self, run: GekkoRun, state: dict[str, Any]) -> None:
        """A tradebot stopped while no runner ran it: cancel and report what it left on the exchange."""
        try:
            async with self._trader(run.gekko_id, state, self._publisher(run.gekko_id)) as trader:
                await trader.wind_down_left()
        except Fenced:
            run.handed_over = True
        except Exception:
            log.warning("winding down %s failed; trying again", run.gekko_id, exc_info=True)
            await asyncio.sleep(RENEW_S)

    @contextlib.asynccontextmanager
    async def _trader(self, gekko_id: str, state: dict[str, Any], publish: Publish) -> AsyncIterator[Trader]:
        """The gekko's trader on its exchange, with what its log says it did; closed on leaving."""
        watch = state["config"]["watch"]
        exchange = await self._exchange(watch["exchange"])
        try:
            await exchange.load_markets()
            fence = functools.partial(self.leases.fence, gekko_id)
            client = ExchangeClient(exchange, f"{watch['asset']}/{watch['currency']}", fence=fence)
            history = copy.deepcopy(self.directory.trading.get(gekko_id) or TraderLog())
            trader = Trader(gekko_id, client, publish, history, interval_s=self.settings.order_interval_s)
            try:
                yield trader
            finally:
                await trader.close()
        finally:
            await exchange.close()

    async def _exchange(self, slug: str) -> Any:
        """An authenticated ccxt exchange with the stored API keys."""
        if not self.settings.secret_key:
            raise RuntimeError("GEKKO_SECRET_KEY is not set: stored API keys cannot be read")
        try:
            token = (await (await self.js.key_value(subjects.KV_API_KEYS)).get(slug)).value
        except Exception:
            token = None
        if token is None:
            raise RuntimeError(f"no API keys stored for {slug}")
        credentials = decrypt_credentials(token, self.settings.secret_key)
        exchange = make_exchange(slug, dict(self.settings.exchange_urls), credentials)
        exchange.userAgent = f"gekko-{self.runtime.instance}"  # names this runner in the exchange's logs
        return exchange


async def setup(runtime: ServiceRuntime) -> None:
    """Wire the runner."""
    assert runtime.nc is not None
    assert runtime.js is not None
    if runtime.settings.strategy_dir:
        load_strategy_dir(runtime.settings.strategy_dir)  # user strategies (Python and JavaScript) for live gekkos
    store = await CandleStore.connect(runtime.settings.database_url, min_size=1, max_size=4)
    runtime.on_stop(store.close)
    runtime.ready_checks.append(store.ping)
    directory = Directory()
    await directory.start(runtime.nc, runtime.js)
    leases = Leases(await runtime.js.key_value(subjects.KV_LEASES), runtime.instance)
    supervisor = Supervisor(runtime, store, directory, leases)
    runtime.details = lambda: {"gekkos": sorted(g for g, r in supervisor.runs.items() if not r.handed_over)}
    await runtime.nc.subscribe(subjects.gekko_stop("*"), cb=supervisor.on_stop_request)
    tasks = [asyncio.create_task(supervisor.loop()), asyncio.create_task(supervisor.guard())]

    async def stop() -> None:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
        await supervisor.shutdown()

    runtime.on_stop(stop)


def run() -> None:
    """Process entry point."""
    main("runner", setup)
