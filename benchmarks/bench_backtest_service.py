"""Backtests as a service: POST /api/backtest latency (cold and warm) and backtests/s with N replicas.

Starts its own nats-server and PostgreSQL (temporary directories), loads the real 90-day file,
then runs the gateway and N backtester processes. Run: ``.venv/bin/python benchmarks/bench_backtest_service.py``
(``--replicas 1,2,4`` to choose N; the machine has 2 cores, so N=4 oversubscribes them).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from gekko_common import subjects
from gekko_common.infra import bus, migrate
from gekko_common.infra.localstack import NatsServer, PostgresServer, free_port
from gekko_common.infra.procs import ServiceProcess, wait_http_ok
from gekko_common.infra.store import CandleStore
from gekko_common.market import Market
from gekko_common.messages import RunBacktest, encoder, new_id
from gekko_emulator.data import BTCUSDT_90_DAYS as FULL_CSV

ROOT = Path(__file__).resolve().parents[1]
RECORDED = ROOT / "tests" / "reference" / "backtests"
MACD_REQUEST = RECORDED / "026_MACD_cs60_h10_full.json.gz"
RSI_REQUEST = RECORDED / "028_RSI_cs60_h10_full.json.gz"


def request_of(path: Path) -> dict:
    return json.loads(gzip.decompress(path.read_bytes()))["request"]


def report_only(config: dict) -> dict:
    config = copy.deepcopy(config)
    config["backtestResultExporter"]["data"] = {
        "stratUpdates": False,
        "roundtrips": False,
        "stratCandles": False,
        "trades": False,
    }
    return config


async def load_data(url: str) -> None:
    import polars as pl

    store = await CandleStore.connect(url)
    frame = pl.read_csv(FULL_CSV)
    await store.write(Market("binance", "USDT", "BTC"), frame)
    await store.close()


def timed_post(client: httpx.Client, url: str, body: dict) -> float:
    t = time.perf_counter()
    answer = client.post(url, json=body, timeout=600)
    elapsed = time.perf_counter() - t
    if answer.status_code != 200:
        raise SystemExit(f"backtest failed: {answer.status_code} {answer.text[:300]}")
    return elapsed


async def throughput(nats_url: str, configs: list[dict]) -> float:
    nc = await bus.connect(nats_url, "bench")
    js = nc.jetstream()
    js = nc.jetstream()
    try:

        async def one(cfg: dict) -> None:
            rid = new_id()
            answer = await bus.request(
                nc,
                subjects.BACKTEST,
                encoder.encode(RunBacktest(request_id=rid, config=cfg)),
                first_timeout=600,
                js=js,
                request_id=rid,
            )
            if answer.error:
                raise SystemExit(f"backtest failed: {answer.error}")

        t = time.perf_counter()
        await asyncio.gather(*(one(c) for c in configs))
        return len(configs) / (time.perf_counter() - t)
    finally:
        await nc.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replicas", default="1,2,4")
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--batch-candle-size", type=int, default=5, help="candleSize of the throughput batch")
    args = parser.parse_args()
    replicas = [int(n) for n in args.replicas.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="gekko-bench-"))
    nats = NatsServer(tmp / "nats").start()
    pg = PostgresServer(tmp / "pg").start()
    procs: list[ServiceProcess] = []
    try:
        migrate.upgrade(pg.url)
        asyncio.run(load_data(pg.url))
        env = {
            "GEKKO_NATS_URL": nats.url,
            "GEKKO_DATABASE_URL": pg.url,
            "GEKKO_LOG_LEVEL": "WARNING",
            "GEKKO_HTTP_PORT": str(free_port()),
        }
        gateway = ServiceProcess("gateway", env, tmp / "gateway.log").start()
        procs.append(gateway)
        base = f"http://127.0.0.1:{env['GEKKO_HTTP_PORT']}"
        wait_http_ok(base + "/readyz", gateway)

        def start_backtesters(n: int) -> list[ServiceProcess]:
            started = []
            for i in range(n):
                penv = {**env, "GEKKO_HEALTH_PORT": str(free_port())}
                p = ServiceProcess(f"backtester-{i}", penv, tmp / f"backtester-{i}.log").start()
                wait_http_ok(f"http://127.0.0.1:{penv['GEKKO_HEALTH_PORT']}/readyz", p)
                started.append(p)
            return started

        print(f"== {sys.executable} benchmarks/bench_backtest_service.py --replicas {args.replicas}")
        one = start_backtesters(1)
        macd = request_of(MACD_REQUEST)
        rsi1 = request_of(RSI_REQUEST)
        rsi1["tradingAdvisor"]["candleSize"] = 1
        with httpx.Client() as client:
            for name, body, target in (("MACD cs60, 90 days", macd, 0.100), ("RSI cs1, 90 days", rsi1, 0.700)):
                cold = timed_post(client, base + "/api/backtest", body)
                warm = statistics.median(timed_post(client, base + "/api/backtest", body) for _ in range(5))
                print(
                    f"POST /api/backtest {name}: cold {cold * 1000:.0f} ms, warm {warm * 1000:.0f} ms "
                    f"(target <= {target * 1000:.0f} ms warm: {'ok' if warm <= target else 'MISSED'})"
                )
        for p in one:
            p.stop()

        configs = []
        for i in range(args.batch):
            # varPPO with RSI momentum runs the general (interpreted) pipeline: each backtest is real
            # work (PPO and RSI on every candle), so the figure measures replicas, not request overhead
            cfg = report_only(macd)
            cfg["tradingAdvisor"] = {"enabled": True, "method": "varPPO", "candleSize": args.batch_candle_size,
                                     "historySize": 10}
            cfg["varPPO"] = {"momentum": "RSI",
                             "thresholds": {"weightLow": 100 + 5 * (i % 10), "weightHigh": -120, "persistence": i // 10}}
            configs.append(cfg)
        rates = {}
        for n in replicas:
            group = start_backtesters(n)
            asyncio.run(throughput(nats.url, configs[: 2 * n]))  # every replica loads the dataset once
            rates[n] = asyncio.run(throughput(nats.url, configs))
            for p in group:
                p.stop()
            print(
                f"{args.batch} different varPPO (RSI momentum, interpreted) cs{args.batch_candle_size} backtests with {n} backtester(s): {rates[n]:.1f} backtests/s"
                + (f"  ({rates[n] / rates[replicas[0]]:.2f}x of {replicas[0]})" if n != replicas[0] else "")
            )
        if 4 in rates:
            print("note: this machine has 2 cores; 4 replicas share them, so 4 cannot beat 2 here.")
    finally:
        for p in procs:
            p.stop()
        pg.stop()
        nats.stop()


if __name__ == "__main__":
    main()
