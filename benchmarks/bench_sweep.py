"""Sweeps as server-side jobs: backtests/s end to end, `gekko sweep` process start included.

Starts its own nats-server and PostgreSQL (temporary directories), loads the real 90-day file, runs
the gateway and backtesters, and times the `gekko sweep` command as a whole (start, submit, chunks on
the backtesters, results, ranking). Every figure is checked against single POST /api/backtest on a
sample of points. Run: ``.venv/bin/python benchmarks/bench_sweep.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from gekko_common.infra import migrate
from gekko_common.infra.localstack import NatsServer, PostgresServer, free_port
from gekko_common.infra.procs import ServiceProcess, wait_http_ok
from gekko_common.infra.store import CandleStore
from gekko_common.market import Market
from gekko_emulator.data import BTCUSDT_90_DAYS as FULL_CSV

ROOT = Path(__file__).resolve().parents[1]
MACD_REQUEST = ROOT / "tests" / "reference" / "backtests" / "026_MACD_cs60_h10_full.json.gz"
MACD_GRID = ["MACD.short=4..13", "MACD.long=18..37", "MACD.signal=5..9"]
MACD_10K = ["MACD.short=3..27", "MACD.long=20..59", "MACD.signal=3..12"]
RSI_GRID = ["RSI.interval=5..24", "RSI.thresholds.high=60..78:2", "RSI.thresholds.low=20..40:5"]
USER_GRID = ["varPPO.thresholds.weightLow=50..249:10", "varPPO.thresholds.persistence=0..9"]


async def load_data(url: str) -> None:
    import polars as pl

    store = await CandleStore.connect(url)
    await store.write(Market("binance", "USDT", "BTC"), pl.read_csv(FULL_CSV))
    await store.close()


class Bench:
    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.tmp = tmp
        self.env = env
        self.url = f"http://127.0.0.1:{env['GEKKO_HTTP_PORT']}"
        self.procs: list[ServiceProcess] = []
        self.cpu = 0.0
        self.service_cpu: dict[str, float] = {}
        self.command_cpu = 0.0

    def start(self, name: str) -> ServiceProcess:
        penv = {**self.env, "GEKKO_HEALTH_PORT": str(free_port())}
        proc = ServiceProcess(name, penv, self.tmp / f"{name}.log").start()
        health = self.url if name == "gateway" else f"http://127.0.0.1:{penv['GEKKO_HEALTH_PORT']}"
        wait_http_ok(health + "/readyz", proc, timeout=180)
        self.procs.append(proc)
        return proc

    def cpu_by_service(self) -> dict[str, float]:
        """CPU time used so far by each service of this benchmark (from /proc; 0 where unavailable)."""
        used = {}
        for p in self.procs:
            stat = Path(f"/proc/{p.proc.pid}/stat") if p.proc else None
            used[p.name] = 0.0
            if stat is not None and stat.exists():
                fields = stat.read_text().rsplit(")", 1)[1].split()
                used[p.name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return used

    def cpu_seconds(self) -> float:
        """CPU time used so far by the services of this benchmark."""
        return sum(self.cpu_by_service().values())

    def sweep(self, config: dict, grid: list[str], *extra: str) -> tuple[float, list[dict]]:
        """Run `gekko sweep` as a process; (seconds from its start to its exit, its ranked results).

        Also records ``self.cpu``: CPU seconds of the command and of the services during it, a figure
        that a machine shared with other work does not inflate the way wall time is.
        """
        services = self.cpu_seconds()
        by_service = self.cpu_by_service()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        path = self.tmp / "config.json"
        path.write_text(json.dumps(config))
        out = self.tmp / "out.json"
        args = [sys.executable, "-m", "gekko_common.cli.main", "sweep", "--config", str(path), "--output", str(out)]
        for g in grid:
            args += ["--grid", g]
        t = time.perf_counter()
        done = subprocess.run([*args, *extra], env={**os.environ, **self.env}, capture_output=True, text=True)
        elapsed = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.command_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
        self.cpu = self.command_cpu + (self.cpu_seconds() - services)
        self.service_cpu = {k: v - by_service.get(k, 0.0) for k, v in self.cpu_by_service().items()}
        if done.returncode != 0:
            raise SystemExit(f"gekko sweep failed: {done.stderr[-2000:]}")
        return elapsed, json.loads(out.read_text())

    def check_sample(self, config: dict, results: list[dict], count: int = 10) -> str:
        """Compare a sample of sweep results with single POST /api/backtest."""
        rng = random.Random(1)
        with httpx.Client(timeout=600) as client:
            for r in rng.sample(results, min(count, len(results))):
                single = json.loads(json.dumps(config))
                for path, value in r["params"].items():
                    node = single
                    *parents, leaf = path.split(".")
                    for part in parents:
                        node = node.setdefault(part, {})
                    node[leaf] = value
                answer = client.post(self.url + "/api/backtest", json=single).json()
                if answer.get("performanceReport") != r["report"]:
                    raise SystemExit(f"sweep result differs from a single backtest at {r['params']}")
        return f"{min(count, len(results))} sampled points identical to single backtests"


def report(label: str, points: int, elapsed: float, note: str, target: float | None = None, cpu: float = 0) -> float:
    rate = points / elapsed
    verdict = f" (target >= {target:.0f}/s: {'ok' if rate >= target else 'MISSED'})" if target else ""
    used = f"; CPU {cpu:.2f} s in all = {points / cpu:.0f} backtests per CPU-second" if cpu else ""
    print(f"{label}: {points} points in {elapsed:.2f} s = {rate:.0f} backtests/s{verdict}{used}; {note}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-user", action="store_true", help="skip the interpreted-strategy replica scaling")
    args = parser.parse_args()
    # the sources changed since `make install` compiled to bytecode as it does (with PYTHONDONTWRITEBYTECODE
    # set, each `gekko sweep` would compile them again at its start: timed as part of the sweep)
    for tree in ("libs", "services"):
        compileall.compile_dir(ROOT / tree, quiet=1, workers=0)
    tmp = Path(tempfile.mkdtemp(prefix="gekko-bench-sweep-"))
    nats = NatsServer(tmp / "nats").start()
    pg = PostgresServer(tmp / "pg").start()
    port = free_port()
    bench = Bench(
        tmp,
        {"GEKKO_NATS_URL": nats.url, "GEKKO_DATABASE_URL": pg.url, "GEKKO_LOG_LEVEL": "WARNING",
         "GEKKO_HTTP_PORT": str(port), "GEKKO_GATEWAY_URL": f"http://127.0.0.1:{port}"},
    )  # fmt: skip
    try:
        migrate.upgrade(pg.url)
        asyncio.run(load_data(pg.url))
        print(f"== {sys.executable} benchmarks/bench_sweep.py")
        print("(the backtester loads its compiled kernels in the background from its start, not in a sweep)")
        bench.start("gateway")
        bench.start("backtester-1")
        macd = json.loads(gzip.decompress(MACD_REQUEST.read_bytes()))["request"]
        elapsed, results = bench.sweep(macd, MACD_GRID)  # as soon as the backtester is ready
        report("MACD 1,000-point grid cs60, 90 days, 1 backtester, the first sweep after its start", 1000, elapsed,
               "its candles read from PostgreSQL, the rest of the kernels' loading waited for", cpu=bench.cpu)  # fmt: skip
        runs = sorted((*bench.sweep(macd, MACD_GRID), bench.cpu, bench.command_cpu) for _ in range(3))
        elapsed, results, cpu, command_cpu = runs[1]
        times = ", ".join(f"{r[0]:.2f}" for r in runs)
        note = f"the median of 3 ({times} s); the gekko sweep process {command_cpu:.2f} CPU-s of it"
        report("MACD 1,000-point grid cs60, 90 days, 1 backtester, the next sweeps", 1000, elapsed,
               f"{note}; {bench.check_sample(macd, results)}", target=3000, cpu=cpu)  # fmt: skip
        elapsed, results = bench.sweep(macd, MACD_10K)
        cpu = bench.cpu
        report("MACD 10,000-point grid cs60, 90 days, 1 backtester", 10_000, elapsed,
               bench.check_sample(macd, results), cpu=cpu)  # fmt: skip
        rsi = {**macd, "tradingAdvisor": {"enabled": True, "method": "RSI", "candleSize": 1, "historySize": 10},
               "RSI": {"interval": 14, "thresholds": {"low": 30, "high": 70, "persistence": 1}}}  # fmt: skip
        elapsed, results = bench.sweep(rsi, RSI_GRID)
        cpu = bench.cpu
        report("RSI 1,000-point grid cs1, 90 days, 1 backtester", len(results), elapsed,
               bench.check_sample(rsi, results, 5), cpu=cpu)  # fmt: skip
        elapsed, results = bench.sweep(
            macd, ["MACD.short=3..20", "MACD.long=15..60", "MACD.signal=3..15"],
            "--search", "tpe", "--trials", "500", "--seed", "7",
        )  # fmt: skip
        again = bench.sweep(macd, ["MACD.short=3..20", "MACD.long=15..60", "MACD.signal=3..15"],
                            "--search", "tpe", "--trials", "500", "--seed", "7")[1]  # fmt: skip
        same = sorted(json.dumps(r["params"]) for r in results) == sorted(json.dumps(r["params"]) for r in again)
        report("Optuna TPE 500 trials on MACD, 1 backtester", len(results), elapsed,
               f"same seed, same trials: {'yes' if same else 'NO'}")  # fmt: skip
        if args.skip_user:
            return
        user = {**macd, "tradingAdvisor": {"enabled": True, "method": "varPPO", "candleSize": 5, "historySize": 10},
                "varPPO": {"momentum": "RSI", "thresholds": {"weightLow": 120, "weightHigh": -120, "persistence": 0}},
                "backtest": {"daterange": {"from": "2025-06-01T00:00:00Z", "to": "2025-06-21T00:00:00Z"}}}  # fmt: skip
        bench.sweep(user, ["varPPO.thresholds.weightLow=50,60"])
        one_s, results = bench.sweep(user, USER_GRID)
        one = report("interpreted varPPO (RSI momentum) 200-point sweep cs5, 20 days, 1 backtester", 200, one_s,
                     bench.check_sample(user, results, 3), cpu=bench.cpu)  # fmt: skip
        bench.start("backtester-2")
        bench.sweep(user, ["varPPO.thresholds.weightLow=70,80,90,100"])
        two_s, _ = bench.sweep(user, USER_GRID)
        split = ", ".join(f"{k} {v:.1f} s" for k, v in bench.service_cpu.items() if k.startswith("backtester"))
        two = report("interpreted varPPO (RSI momentum) 200-point sweep cs5, 20 days, 2 backtesters", 200, two_s,
                     f"CPU by replica: {split}", cpu=bench.cpu)  # fmt: skip
        print(f"2 backtesters / 1: {two / one:.2f}x (target >= 1.7x: {'ok' if two / one >= 1.7 else 'MISSED'})")
    finally:
        for p in bench.procs:
            p.stop()
        pg.stop()
        nats.stop()


if __name__ == "__main__":
    main()
