"""Passing faults: NATS and PostgreSQL killed (-9) and restarted, oversize messages, a closed bus.

These tests own their NATS and PostgreSQL (the session's are shared by every other test) and kill them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

import httpx
import pytest

from gekko_common.infra import migrate
from gekko_common.infra.localstack import NatsServer, PostgresServer
from gekko_common.infra.service import ServiceFailed, ServiceRuntime
from gekko_common.infra.store import CandleStore
from gekko_common.market import Market
from gekko_common.settings import Settings
from tests.conftest import FULL_CSV, Stack, read_candles_csv
from tests.faults import kill_nats, kill_postgres
from tests.integration.test_live_gekkos import LAST, backtest_trades, leech_body, same_trades, wait_until
from tests.integration.test_sweeps import finished, macd_config

pytestmark = pytest.mark.integration

RECOVERY_S = 30.0
"""The API answers again this long after a dependency is back (the issue's acceptance)."""


@pytest.fixture(scope="module")
def own_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NatsServer, PostgresServer]]:
    base = tmp_path_factory.mktemp("faults")
    nats = NatsServer(base / "js").start(log_file=base / "nats.log")
    pg = PostgresServer(base / "pg").start()
    migrate.upgrade(pg.url)
    yield nats, pg
    nats.stop()
    pg.stop()


@pytest.fixture(scope="module")
async def fault_stack(own_servers, stack_env, tmp_path_factory) -> Iterator[Stack]:
    nats, pg = own_servers
    store = await CandleStore.connect(pg.url)
    await store.write(Market("binance", "USDT", "BTC"), read_candles_csv(FULL_CSV))
    await store.close()
    from gekko_common.infra.localstack import free_port

    env = {**stack_env, "GEKKO_NATS_URL": nats.url, "GEKKO_DATABASE_URL": pg.url, "GEKKO_HTTP_PORT": str(free_port())}
    s = Stack(env, tmp_path_factory.mktemp("fault-logs"))
    try:
        for name in ("backtester", "importer", "runner", "gateway"):
            s.start(name)
        yield s
    finally:
        s.stop()


async def answers_again(url: str, since: float) -> float:
    """Seconds from ``since`` until a bus-backed route answers 200 again (fails after RECOVERY_S)."""
    async with httpx.AsyncClient(timeout=5) as client:
        while time.monotonic() - since < RECOVERY_S + 5:
            try:
                if (await client.post(url + "/api/scansets", json={})).status_code == 200:
                    return time.monotonic() - since
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.25)
    raise AssertionError(f"{url} did not answer within {RECOVERY_S} s")


def test_body_too_large_for_the_bus_is_413_and_the_gateway_stays_connected(fault_stack) -> None:
    url = fault_stack.gateway_url
    body = leech_body("2025-08-01T00:00:00Z")
    padding = 1_048_386 - len(httpx.Request("POST", url, json={**body, "pad": ""}).content)
    before = httpx.get(url + "/api/gekkos").json()
    for route in ("/api/startGekko", "/api/backtest", "/api/scan"):
        answer = httpx.post(url + route, json={**body, "pad": "x" * padding}, timeout=30)
        assert answer.status_code == 413, (route, answer.text[:300])
        assert answer.json()["field"] == "body"
    assert httpx.get(url + "/api/gekkos").json() == before, "nothing was started: no orphan watcher"
    assert httpx.get(url + "/readyz").status_code == 200
    assert httpx.post(url + "/api/scansets", json={}).status_code == 200


async def test_a_service_whose_nats_connection_closes_for_good_exits_to_be_restarted(own_servers) -> None:
    nats, _ = own_servers
    runtime = ServiceRuntime("probe", Settings(nats_url=nats.url), health_http=False)

    async def setup(rt: ServiceRuntime) -> None:
        assert rt.alive()
        assert rt.nc is not None
        await rt.nc.close()  # what nats-py does after a server error other than a stale connection

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        with pytest.raises(ServiceFailed, match="closed for good"):
            await asyncio.wait_for(runtime.run(setup), 30)
    finally:  # the runtime set up a service's logging in this process
        root.handlers[:], root.level = handlers, level
    assert not runtime.alive()


async def test_paper_trader_rides_out_nats_and_postgres_kills_with_its_backtests_trades(
    fault_stack, own_servers
) -> None:
    nats, pg = own_servers
    url = fault_stack.gateway_url
    live_from = LAST - 8 * 86400 + 60
    body = leech_body(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(live_from)), size=10)
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(url + "/api/startGekko", json=body)
        assert answer.status_code == 200, answer.text
        gekko = answer.json()
        for _ in range(200):  # running: it has published candles
            state = (await client.get(url + "/api/gekkos")).json()["live"][gekko["id"]]
            if state["events"]["latest"].get("candle"):
                break
            await asyncio.sleep(0.2)

        kill_nats(nats)
        await asyncio.sleep(3)
        down = await client.post(url + "/api/scansets", json={})
        assert down.status_code == 503, down.text
        assert int(down.headers["retry-after"]) > 0
        nats.start()
        nats_recovery = await answers_again(url, time.monotonic())

        kill_postgres(pg)
        await asyncio.sleep(3)
        down = await client.post(url + "/api/scansets", json={})
        assert down.status_code == 503, down.text
        assert int(down.headers["retry-after"]) > 0
        assert str(pg.port) not in down.text
        assert "127.0.0.1" not in down.text
        assert "request id" in down.json()["error"]
        pg.start()
        pg_recovery = await answers_again(url, time.monotonic())

        state = await wait_until(url, gekko["id"], "2025-08-18T18:27:00.000Z", timeout=300)
        assert "errored" not in state or not state["errored"], state
    print(f"API answers again {nats_recovery:.1f} s after NATS restarts, {pg_recovery:.1f} s after PostgreSQL")
    same_trades(state["events"]["tradeCompleted"], backtest_trades(url, body, live_from))
    for name, proc in fault_stack.procs.items():
        assert proc.alive, f"{name} exited"


def interpreted_sweep(points: int, daterange: dict[str, str]) -> dict:
    """A sweep of a built-in strategy on its step-by-step path (slow enough to fault it midway)."""
    config = macd_config()
    config["tradingAdvisor"] = {"enabled": True, "method": "varPPO", "candleSize": 60, "historySize": 10}
    config["varPPO"] = {"momentum": "RSI", "thresholds": {"weightLow": 120, "weightHigh": -120, "persistence": 0}}
    config["backtest"] = {"daterange": daterange}
    return {"config": config, "space": {"varPPO.thresholds.weightLow": list(range(50, 50 + 10 * points, 10))}}


def every_point_once(record: dict, points: int) -> None:
    assert record["error"] is None, record["error"]
    assert [r["index"] for r in record["results"]] == list(range(points)), "every result, none twice"
    assert record["done"] == points


async def test_a_sweep_rides_out_a_nats_restart_with_every_result_once(fault_stack, own_servers) -> None:
    nats, _ = own_servers
    url = fault_stack.gateway_url
    body = interpreted_sweep(16, {"from": "2025-05-20T00:00:00Z", "to": "2025-07-20T00:00:00Z"})
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(url + "/api/sweep", json=body)
        assert answer.status_code == 200, answer.text
        sweep_id = answer.json()["id"]
        for _ in range(1200):
            progress = (await client.get(f"{url}/api/sweeps/{sweep_id}?results=false")).json()
            if progress["done"] > 0:
                break
            await asyncio.sleep(0.1)
        assert 0 < progress["done"] < 16, progress
        kill_nats(nats)
        await asyncio.sleep(5)
        nats.start()
        record = await finished(client, url, sweep_id, timeout=600)
    every_point_once(record, 16)
    for name, proc in fault_stack.procs.items():
        assert proc.alive, f"{name} exited"


async def test_a_sweep_rides_out_a_postgres_restart_with_every_result_once(fault_stack, own_servers) -> None:
    _, pg = own_servers
    url = fault_stack.gateway_url
    body = interpreted_sweep(4, {"from": "2025-06-02T00:00:00Z", "to": "2025-06-20T00:00:00Z"})  # not cached yet
    async with httpx.AsyncClient(timeout=30) as client:
        kill_postgres(pg)
        answer = await client.post(url + "/api/sweep", json=body)  # the chunks need candles from PostgreSQL
        assert answer.status_code == 200, answer.text
        await asyncio.sleep(5)
        assert not (await client.get(f"{url}/api/sweeps/{answer.json()['id']}?results=false")).json()["finished"]
        pg.start()
        record = await finished(client, url, answer.json()["id"], timeout=600)
    every_point_once(record, 4)
    for name, proc in fault_stack.procs.items():
        assert proc.alive, f"{name} exited"


async def test_an_import_rides_out_postgres_and_nats_kills_with_every_candle_once(
    fault_stack, own_servers, emulator
) -> None:
    """PostgreSQL and NATS killed while the import writes and reports: it resumes after its newest stored
    candle and ends done, with the whole range stored."""
    nats, pg = own_servers
    url = fault_stack.gateway_url
    market = Market("binance", "USDT", "BTC")
    start, end = 1748736000, 1752192000  # 2025-06-01 .. 2025-07-11: 40 days, several stored batches
    store = await CandleStore.connect(pg.url)
    await store.delete_range(market, start, end)
    await store.close()
    body = {
        "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
        "importer": {"daterange": {"from": "2025-06-01 00:00", "to": "2025-07-11 00:00"}},
    }
    emulator.faults(delay_ms=500)
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            import_id = (await client.post(url + "/api/import", json=body)).json()["id"]
            record = await import_record(client, url, import_id, until=lambda r: bool(r["latest"]))
            assert not record["done"], "faulted in the middle of the import"
            kill_postgres(pg)
            kill_nats(nats)
            await asyncio.sleep(5)
            pg.start()
            nats.start()
            await answers_again(url, time.monotonic())
            record = await import_record(client, url, import_id, until=lambda r: r["done"] or bool(r.get("error")))
    finally:
        emulator.faults(delay_ms=0)
    assert not record.get("error"), record["error"]
    assert record["done"] is True
    store = await CandleStore.connect(pg.url)
    try:
        assert await store.bounds_between(market, start, end) == (start, end, (end - start) // 60 + 1)
    finally:
        await store.close()
    for name, proc in fault_stack.procs.items():
        assert proc.alive, f"{name} exited"


async def import_record(client: httpx.AsyncClient, url: str, import_id: str, until, timeout: float = 300) -> dict:
    """The import's record once ``until(record)`` holds (reads that fail while a dependency is away are retried)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            records = (await client.get(url + "/api/imports")).json()
        except httpx.HTTPError:
            records = []
        record = next((r for r in records if r["id"] == import_id), None)
        if record is not None and until(record):
            return record
        await asyncio.sleep(0.2)
    raise AssertionError(f"import {import_id} did not get there within {timeout} s")
