"""Market data: import throughput from the exchange emulator, getCandles and scansets latency.

Starts its own nats-server, PostgreSQL, emulator, gateway and importer. Run:
``.venv/bin/python benchmarks/bench_market.py``. Targets (issue 4): >= 200,000 candles/s imported;
getCandles of 90 days at candleSize 60 <= 150 ms.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import polars as pl

from gekko_common.infra import migrate
from gekko_common.infra.localstack import NatsServer, PostgresServer, free_port, stop_process, wait_for_port
from gekko_common.infra.procs import ServiceProcess, wait_http_ok
from gekko_common.infra.store import CandleStore
from gekko_common.market import Market
from gekko_emulator.data import BTCUSDT_90_DAYS as FULL


def timed(fn, repeat: int = 5) -> tuple[float, float]:
    first = time.perf_counter()
    fn()
    cold = time.perf_counter() - first
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return cold, statistics.median(times)


async def load_markets(url: str, n: int) -> None:
    store = await CandleStore.connect(url)
    frame = pl.read_csv(FULL).head(20_000)
    for i in range(n):
        await store.write(Market(f"bench{i}", "USDT", "BTC"), frame)
    await store.close()


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="gekko-bench-market-"))
    nats = NatsServer(tmp / "nats").start()
    pg = PostgresServer(tmp / "pg").start()
    emu_port = free_port()
    emu = subprocess.Popen([sys.executable, "-m", "gekko_emulator", "--port", str(emu_port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    procs: list[ServiceProcess] = []
    try:
        wait_for_port("127.0.0.1", emu_port, emu, "emulator", timeout=60)
        migrate.upgrade(pg.url)
        env = {"GEKKO_NATS_URL": nats.url, "GEKKO_DATABASE_URL": pg.url, "GEKKO_LOG_LEVEL": "WARNING",
               "GEKKO_HTTP_PORT": str(free_port()), "GEKKO_EXCHANGE_URLS": f"binance=http://127.0.0.1:{emu_port}"}
        base = f"http://127.0.0.1:{env['GEKKO_HTTP_PORT']}"
        for name in ("importer", "gateway"):
            penv = {**env, "GEKKO_HEALTH_PORT": str(free_port())}
            p = ServiceProcess(name, penv, tmp / f"{name}.log").start()
            procs.append(p)
            wait_http_ok(base + "/readyz" if name == "gateway" else f"http://127.0.0.1:{penv['GEKKO_HEALTH_PORT']}/readyz", p)
        print(f"== {sys.executable} benchmarks/bench_market.py")
        # the emulator renders its pages once; warm it so the figure measures the importer, not the emulator
        httpx.get(f"http://127.0.0.1:{emu_port}/api/v3/klines", params={"symbol": "BTCUSDT", "interval": "1m", "limit": 1})
        body = {"watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
                "importer": {"daterange": {"from": "2025-05-20 00:00", "to": "2025-08-18 18:27"}}}
        with httpx.Client(timeout=600) as client:
            t = time.perf_counter()
            started = client.post(base + "/api/import", json=body).json()
            while True:
                record = next(r for r in client.get(base + "/api/imports").json() if r["id"] == started["id"])
                if record.get("done") or record.get("error"):
                    break
                time.sleep(0.01)
            elapsed = time.perf_counter() - t
            if record.get("error") or not record.get("done"):
                raise SystemExit(f"import failed: {record}")
            rate = 130_708 / elapsed
            print(f"import of 90 days (130,708 candles) from the emulator: {elapsed:.2f} s = {rate:,.0f} candles/s "
                  f"({rate / 200_000:.2f}x of the 200,000 target)")
            for size, target in ((60, 0.150), (1, None)):
                req = {"watch": body["watch"], "daterange": {"from": "2025-05-20T00:00:00Z", "to": "2025-08-18T18:27:00Z"},
                       "candleSize": size}
                cold, warm = timed(lambda req=req: client.post(base + "/api/getCandles", json=req).raise_for_status())
                verdict = f" (target <= {target * 1000:.0f} ms: {'ok' if warm <= target else 'MISSED'})" if target else ""
                print(f"POST /api/getCandles 90 days candleSize {size}: first {cold * 1000:.0f} ms, median {warm * 1000:.0f} ms{verdict}")
            asyncio.run(load_markets(pg.url, 9))
            cold, warm = timed(lambda: client.post(base + "/api/scansets", json={}).raise_for_status())
            print(f"POST /api/scansets with 10 markets: first {cold * 1000:.0f} ms, median {warm * 1000:.0f} ms")
    finally:
        for p in procs:
            p.stop()
        stop_process(emu)
        pg.stop()
        nats.stop()


if __name__ == "__main__":
    main()
