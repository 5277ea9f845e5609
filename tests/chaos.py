"""``make chaos``: a steady mix of work while every part of the system is killed (-9) in turn.

The mix: backtests (each answer compared with the first one), scans, ``/api/gekkos`` reads, imports
of the 90-day market in 5-day parts from the exchange emulator, websocket listeners, and a paper
trader over stored data. The faults, one after the other: kill -9 of the gateway, importer,
backtester, runner (this script restarts a dead service after a second, as ``gekko up`` or
Kubernetes would), then of NATS and of PostgreSQL (restarted after a few seconds on the same port
and data). Printed per fault: the recovery time (until a backtest, a scan and ``/api/gekkos`` all
succeed again) and the failed requests by class. Checked at the end: no candle lost or duplicated
(the store equals the exchange's data for the imported range), no event lost or duplicated (the
paper trader's log has every minute once, its trades are unique), and the paper trader's trades
equal its backtest. Exit status 1 when a check fails.

Everything runs on loopback, in a temporary directory: ``python -m tests.chaos [--steady S]``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import websockets

from gekko_common import subjects
from gekko_common.dates import parse_date
from gekko_common.infra import bus, migrate
from gekko_common.infra.localstack import NatsServer, PostgresServer, free_port, stop_process, wait_for_port
from gekko_common.infra.procs import ServiceProcess, wait_http_ok
from gekko_common.infra.store import CandleStore
from gekko_common.market import Market
from tests.conftest import FULL_CSV, Emulator, read_candles_csv
from tests.faults import kill_nats, kill_postgres

MARKET = Market("binance", "USDT", "BTC")
WATCH = {"exchange": "binance", "currency": "USDT", "asset": "BTC"}
LAST = 1755541620
"""The data's last candle."""
FIRST = 1747699200
"""The data's first candle (2025-05-20)."""
STORED_FROM = LAST - 30 * 86400 + 60
"""Candles from here on are stored before the run (backtests, the paper trader); older ones are imported
(disjoint: an import resumes after the newest candle stored in its range)."""
IMPORT_PART_S = 5 * 86400
SERVICES = ("backtester", "importer", "runner", "gateway")
FAULTS = ("gateway", "importer", "backtester", "runner", "nats", "postgres")
MACD = {"short": 10, "long": 21, "signal": 9, "thresholds": {"down": -0.025, "up": 0.025, "persistence": 1}}


def iso(unix: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(unix))


def backtest_body(days: int = 3) -> dict[str, Any]:
    return {
        "watch": WATCH,
        "tradingAdvisor": {"enabled": True, "method": "MACD", "candleSize": 60, "historySize": 10},
        "MACD": MACD,
        "backtest": {"daterange": {"from": (LAST - days * 86400) * 1000, "to": LAST * 1000}},
    }


def paper_trader_body(live_from: int) -> dict[str, Any]:
    return {
        "market": {"type": "leech", "from": iso(live_from)},
        "mode": "realtime",
        "watch": WATCH,
        "tradingAdvisor": {"enabled": True, "method": "MACD", "candleSize": 10, "historySize": 10},
        "MACD": MACD,
        "paperTrader": {
            "feeMaker": 0.25,
            "feeTaker": 0.25,
            "feeUsing": "maker",
            "slippage": 0.05,
            "simulationBalance": {"asset": 1, "currency": 100},
            "reportRoundtrips": True,
            "enabled": True,
        },
        "candleWriter": {"enabled": True},
        "type": "paper trader",
        "performanceAnalyzer": {"riskFreeReturn": 2, "enabled": True},
        "valid": True,
    }


@dataclass
class Stack:
    """NATS, PostgreSQL, the emulator and the four services, with a supervisor restarting dead services."""

    base: Path
    nats: NatsServer = field(init=False)
    pg: PostgresServer = field(init=False)
    emulator: Emulator = field(init=False)
    env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, ServiceProcess] = field(default_factory=dict)
    restarts: collections.Counter[str] = field(default_factory=collections.Counter)
    servers_down: set[str] = field(default_factory=set)

    def start(self) -> None:
        self.nats = NatsServer(self.base / "js").start(log_file=self.base / "nats.log")
        self.pg = PostgresServer(self.base / "pg").start()
        migrate.upgrade(self.pg.url)
        self.emulator = Emulator(self.base / "emulator.log")
        wait_for_port("127.0.0.1", self.emulator.port, self.emulator.proc, "exchange emulator", timeout=60)
        self.env = {
            "GEKKO_NATS_URL": self.nats.url,
            "GEKKO_DATABASE_URL": self.pg.url,
            "GEKKO_HTTP_PORT": str(free_port()),
            "GEKKO_LOG_LEVEL": "INFO",
            "GEKKO_EXCHANGE_URLS": f"binance={self.emulator.url}",
            "GEKKO_RATE_LIMIT": "0",  # the load is one client: measure faults, not the rate limit
            "GEKKO_TOKEN_RATE_LIMIT": "0",
        }
        for name in SERVICES:
            env = {**self.env, "GEKKO_HEALTH_PORT": str(free_port())}
            self.procs[name] = ServiceProcess(name, env, self.base / f"{name}.log").start()
        for name, proc in self.procs.items():
            wait_http_ok(self.ready_url(name), proc, timeout=120)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['GEKKO_HTTP_PORT']}"

    def ready_url(self, name: str) -> str:
        if name == "gateway":
            return self.url + "/readyz"
        return f"http://127.0.0.1:{self.procs[name].env['GEKKO_HEALTH_PORT']}/readyz"

    async def supervise(self) -> None:
        """Restart a service that died (killed, or exited to be restarted) after a second."""
        while True:
            await asyncio.sleep(1)
            for name, proc in self.procs.items():
                if not proc.alive:
                    self.restarts[name] += 1
                    proc.start()

    def kill(self, target: str) -> None:
        if target == "nats":
            kill_nats(self.nats)
        elif target == "postgres":
            kill_postgres(self.pg)
        else:
            self.procs[target].kill()

    def restart_server(self, target: str) -> None:
        (self.nats if target == "nats" else self.pg).start()

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.stop()
        with contextlib.suppress(Exception):
            self.nats.stop()
        with contextlib.suppress(Exception):
            self.pg.stop()
        with contextlib.suppress(Exception):
            stop_process(self.emulator.proc)


class Load:
    """The steady mix; every request's outcome is recorded with its time."""

    def __init__(self, stack: Stack, expected_backtest: bytes) -> None:
        self.stack = stack
        self.expected = json.loads(expected_backtest)
        self.outcomes: list[tuple[float, str, str]] = []
        self.frames = 0
        self.ws_drops = 0
        self.imports: list[tuple[int, int, str]] = []

    def record(self, kind: str, outcome: str) -> None:
        self.outcomes.append((time.monotonic(), kind, outcome))

    async def request(self, client: httpx.AsyncClient, kind: str, method: str, path: str, **kw: Any) -> Any:
        try:
            answer = await client.request(method, self.stack.url + path, **kw)
        except httpx.TimeoutException:
            self.record(kind, "timeout")
            return None
        except httpx.HTTPError:
            self.record(kind, "connection refused/reset")
            return None
        if answer.status_code != 200:
            self.record(kind, f"HTTP {answer.status_code}")
            return None
        self.record(kind, "ok")
        return answer

    async def backtests(self) -> None:
        async with httpx.AsyncClient(timeout=180) as client:
            while True:
                answer = await self.request(client, "backtest", "POST", "/api/backtest", json=backtest_body())
                if answer is not None and answer.json() != self.expected:
                    self.record("backtest", "wrong answer")
                await asyncio.sleep(0.5)

    async def reads(self) -> None:
        body = {"watch": WATCH}
        async with httpx.AsyncClient(timeout=30) as client:
            while True:
                await self.request(client, "scan", "POST", "/api/scan", json=body)
                await self.request(client, "scansets", "POST", "/api/scansets", json={})
                await self.request(client, "gekkos", "GET", "/api/gekkos")
                await asyncio.sleep(0.3)

    async def importer(self) -> None:
        """Import the older candles in parts, one started every 20 s."""
        async with httpx.AsyncClient(timeout=30) as client:
            for start in range(FIRST, STORED_FROM, IMPORT_PART_S):
                end = min(start + IMPORT_PART_S - 60, STORED_FROM - 60)
                body = {"watch": WATCH, "importer": {"daterange": {"from": iso(start), "to": iso(end)}}}
                answer = None
                while answer is None:
                    answer = await self.request(client, "import", "POST", "/api/import", json=body)
                    if answer is None:
                        await asyncio.sleep(1)
                self.imports.append((start, end, answer.json()["id"]))
                await asyncio.sleep(20)

    async def listener(self) -> None:
        uri = self.stack.url.replace("http://", "ws://") + "/api"
        while True:
            try:
                async with websockets.connect(uri, open_timeout=10) as ws:
                    async for _ in ws:
                        self.frames += 1
            except (OSError, websockets.WebSocketException, TimeoutError):
                pass
            self.ws_drops += 1
            await asyncio.sleep(0.5)

    def failures_between(self, start: float, end: float) -> collections.Counter[str]:
        return collections.Counter(
            f"{kind}: {outcome}" for t, kind, outcome in self.outcomes if start <= t < end and outcome != "ok"
        )


async def recovered(stack: Stack, target: str) -> bool:
    """A backtest, a scan and /api/gekkos all succeed (and a restarted runner is ready)."""
    async with httpx.AsyncClient(timeout=60) as client:
        try:
            checks = [
                await client.get(stack.url + "/api/gekkos"),
                await client.post(stack.url + "/api/scansets", json={}),
                await client.post(stack.url + "/api/backtest", json=backtest_body(1)),
            ]
            if target == "runner":
                checks.append(await client.get(stack.ready_url("runner")))
        except httpx.HTTPError:
            return False
    return all(c.status_code == 200 for c in checks)


async def inject(stack: Stack, load: Load, steady_s: float, down_s: float) -> list[dict[str, Any]]:
    report = []
    for target in FAULTS:
        await asyncio.sleep(steady_s)
        killed = time.monotonic()
        stack.kill(target)
        if target in ("nats", "postgres"):
            await asyncio.sleep(down_s)
            await asyncio.to_thread(stack.restart_server, target)
        back = time.monotonic()
        while not await recovered(stack, target):
            await asyncio.sleep(0.2)
        report.append({"fault": target, "killed": killed, "back": back, "recovered": time.monotonic()})
        print(f"  kill -9 {target}: recovered {time.monotonic() - killed:.1f} s after the kill", flush=True)
    return report


async def gekko_events(stack: Stack, gekko_id: str) -> list[dict[str, Any]]:
    """Every envelope in the gekko's event log."""
    nc = await bus.connect(stack.nats.url, "chaos-check")
    envelopes: list[dict[str, Any]] = []
    try:
        js = nc.jetstream()

        async def collect(msg: Any) -> None:
            envelopes.append(json.loads(msg.data))

        sub = await js.subscribe(subjects.gekko_event(gekko_id), cb=collect, ordered_consumer=True)
        while (await sub.consumer_info()).num_pending:
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)
        await sub.unsubscribe()
    finally:
        await nc.close()
    return envelopes


async def wait_paper_trader(stack: Stack, gekko_id: str, timeout: float = 900) -> dict[str, Any]:
    last = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(LAST))
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=30) as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError, KeyError):
                gekkos = (await client.get(stack.url + "/api/gekkos")).json()
                if gekko_id in gekkos["archive"]:
                    raise AssertionError(f"the paper trader ended early: {str(gekkos['archive'][gekko_id])[:2000]}")
                state = gekkos["live"][gekko_id]
                if state["events"]["latest"].get("candle", {}).get("start") == last:
                    return dict(state)
            await asyncio.sleep(1)
    raise AssertionError(f"the paper trader did not reach {last}")


async def wait_imports(stack: Stack, load: Load, timeout: float = 600) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    ids = {i for _, _, i in load.imports}
    async with httpx.AsyncClient(timeout=30) as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                records = [r for r in (await client.get(stack.url + "/api/imports")).json() if r["id"] in ids]
                if len(records) == len(ids) and all(r.get("done") for r in records):
                    return records
            await asyncio.sleep(1)
    raise AssertionError("imports did not finish")


def check_paper_trader(
    state: dict[str, Any], envelopes: list[dict[str, Any]], backtest: list[dict[str, Any]]
) -> list[str]:
    problems = []
    ids = [e["id"] for e in envelopes]
    if len(ids) != len(set(ids)):
        problems.append(f"{len(ids) - len(set(ids))} duplicated events in the paper trader's log")
    starts = [parse_date(e["payload"]["start"], "start") for e in envelopes if e["type"] == "candle"]
    if starts != list(range(starts[0], starts[-1] + 60, 60)):
        missing = len(range(starts[0], starts[-1] + 60, 60)) - len(set(starts))
        problems.append(f"candle events not once per minute: {missing} missing, {len(starts) - len(set(starts))} twice")
    trades = [e["payload"] for e in envelopes if e["type"] == "tradeCompleted"]
    if len({t["id"] for t in trades}) != len(trades):
        problems.append("a trade was published twice")
    live = [(t["id"], t["action"], t["price"], t["amount"], parse_date(t["date"], "d")) for t in trades]
    expected = [(t["id"], t["action"], t["price"], t["amount"], t["date"]) for t in backtest]
    if live != expected:
        problems.append(f"paper trader made {len(live)} trades, its backtest {len(expected)}; they differ")
    if state.get("errored"):
        problems.append("the paper trader is marked errored")
    return problems


async def check_candles(stack: Stack, load: Load) -> list[str]:
    """The store holds every candle the exchange has for the imported parts, each once; the parts cover
    every candle before the preloaded ones."""
    asked = pl.concat([pl.DataFrame({"start": range(start, end + 60, 60)}) for start, end, _ in load.imports])
    if asked["start"].n_unique() != STORED_FROM // 60 - FIRST // 60 or asked["start"].min() != FIRST:
        return [f"the imported parts ({len(load.imports)}) do not cover the candles before the preloaded ones"]
    source = read_candles_csv(FULL_CSV).filter(pl.col("start") < STORED_FROM)
    store = await CandleStore.connect(stack.pg.url)
    try:
        stored = await store.read(MARKET, FIRST, STORED_FROM - 60)
    finally:
        await store.close()
    problems = []
    if stored.height != stored["start"].n_unique():
        problems.append("duplicated candles in the store")
    lost = set(source["start"].to_list()) - set(stored["start"].to_list())
    if lost:
        problems.append(f"{len(lost)} candles of the imported range are missing from the store")
    return problems


def print_report(report: list[dict[str, Any]], load: Load, stack: Stack) -> None:
    print("\nfault        recovery   failed requests until the next fault (by class)")
    for i, fault in enumerate(report):
        until = report[i + 1]["killed"] if i + 1 < len(report) else time.monotonic()
        failures = load.failures_between(fault["killed"], until)
        classes = ", ".join(f"{n} x {c}" for c, n in failures.most_common()) or "none"
        print(f"{fault['fault']:<12} {fault['recovered'] - fault['killed']:6.1f} s   {classes}")
    total = collections.Counter(outcome for _, _, outcome in load.outcomes)
    print(f"\nrequests: {sum(total.values())} ({', '.join(f'{n} {c}' for c, n in total.most_common())})")
    print(f"websocket frames received: {load.frames}, reconnections: {load.ws_drops}")
    print(f"service restarts by the supervisor: {dict(stack.restarts)}")


async def run(steady_s: float, down_s: float, base: Path) -> int:
    stack = Stack(base)
    print(f"starting NATS, PostgreSQL, the emulator and the services in {base}", flush=True)
    try:
        await asyncio.to_thread(stack.start)
        store = await CandleStore.connect(stack.pg.url)
        await store.write(MARKET, read_candles_csv(FULL_CSV).filter(pl.col("start") >= STORED_FROM))
        await store.close()
        async with httpx.AsyncClient(timeout=180) as client:
            expected = await client.post(stack.url + "/api/backtest", json=backtest_body())
            expected.raise_for_status()
            live_from = LAST - 20 * 86400 + 60
            gekko = (await client.post(stack.url + "/api/startGekko", json=paper_trader_body(live_from))).json()
        load = Load(stack, expected.content)
        tasks = [
            asyncio.create_task(stack.supervise()),
            asyncio.create_task(load.backtests()),
            asyncio.create_task(load.reads()),
            asyncio.create_task(load.importer()),
            *(asyncio.create_task(load.listener()) for _ in range(5)),
        ]
        print("steady mix running; faults:", flush=True)
        report = await inject(stack, load, steady_s, down_s)
        await asyncio.sleep(steady_s)
        state = await wait_paper_trader(stack, gekko["id"])
        await asyncio.wait_for(tasks[3], timeout=600)  # every part of the older candles asked for
        await wait_imports(stack, load)
        for t in tasks[1:]:
            t.cancel()
        print_report(report, load, stack)
        origin = live_from - 10 * 10 * 60
        request = {
            **paper_trader_body(live_from),
            "backtest": {"daterange": {"from": origin * 1000, "to": LAST * 1000}},
            "backtestResultExporter": {"enabled": True, "data": {"trades": True, "stratCandles": False}},
        }
        async with httpx.AsyncClient(timeout=180) as client:
            backtest = (await client.post(stack.url + "/api/backtest", json=request)).json()["trades"]
        problems = check_paper_trader(state, await gekko_events(stack, gekko["id"]), backtest)
        problems += await check_candles(stack, load)
        wrong = sum(1 for _, _, o in load.outcomes if o == "wrong answer")
        if wrong:
            problems.append(f"{wrong} backtests answered differently from the first one")
        print(
            f"paper trader: {len(backtest)} trades, equal to its backtest: {not any('trades' in p for p in problems)}"
        )
        print(f"imports: {len(load.imports)} parts; candles checked against the exchange's data")
        tasks[0].cancel()
        for p in problems:
            print(f"FAILED: {p}")
        print("chaos: no event, candle or trade lost or duplicated" if not problems else "chaos: FAILED")
        return 1 if problems else 0
    finally:
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steady", type=float, default=15.0, help="seconds of steady load before each fault")
    parser.add_argument("--down", type=float, default=5.0, help="seconds NATS or PostgreSQL stays dead")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="gekko-chaos-"))
    status = asyncio.run(run(args.steady, args.down, base))
    if status:
        print(f"logs and data kept in {base}")
    else:
        shutil.rmtree(base, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
