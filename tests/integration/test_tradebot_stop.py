"""Stopping a tradebot stops its trading, and only the runner holding a gekko's lease ever trades it
(issue #16): the real stack, the exchange emulator's order log as the witness."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from nats.errors import TimeoutError as NatsTimeoutError

from gekko_common import subjects
from gekko_common.infra import bus
from gekko_common.infra.store import CandleStore
from gekko_common.market import Market
from gekko_common.messages import envelope_decoder
from tests.conftest import FULL_CSV, read_candles_csv
from tests.integration.test_live_gekkos import owner_of

pytestmark = pytest.mark.integration

LAST = 1755541620  # the data's last candle
OPEN = ("NEW", "PARTIALLY_FILLED")


@pytest.fixture(scope="module")
async def candles(stack, database_url) -> None:
    store = await CandleStore.connect(database_url)
    market = Market("binance", "USDT", "BTC")
    if (await store.read(market, LAST, LAST + 60)).height == 0:
        await store.write(market, read_candles_csv(FULL_CSV))
    await store.close()


@pytest.fixture
async def api(stack, emulator, candles) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A client of the gateway, with fresh API keys (a fresh emulator account) stored for binance."""
    key = f"key-{time.time_ns()}"
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=60) as client:
        added = await client.post("/api/addApiKey", json={"exchange": "binance", "values": {"key": key, "secret": "s"}})
        assert added.status_code == 200
        yield client, key
    httpx.post(emulator.url + "/_emulator/book", json={"maker_delay_s": 1.0, "fill_ratio": 1.0}).raise_for_status()
    httpx.post(emulator.url + "/_emulator/replay", json={"start": None}).raise_for_status()


def tradebot(method: str, minutes: int) -> dict[str, Any]:
    """A 1-minute tradebot that starts ``minutes`` before the end of the stored candles."""
    return {
        "market": {"type": "leech", "from": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(LAST - minutes * 60))},
        "mode": "realtime",
        "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
        "tradingAdvisor": {"enabled": True, "method": method, "candleSize": 1, "historySize": 1},
        "trader": {"enabled": True},
        "type": "tradebot",
        "performanceAnalyzer": {"riskFreeReturn": 2, "enabled": True},
        "valid": True,
    }


async def start(client: httpx.AsyncClient, body: dict[str, Any]) -> str:
    answer = await client.post("/api/startGekko", json=body)
    assert answer.status_code == 200, answer.text
    gekko_id: str = answer.json()["id"]
    return gekko_id


async def orders(emulator, key: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as c:
        answer: list[dict[str, Any]] = (
            await c.get(emulator.url + "/_emulator/orders", headers={"X-MBX-APIKEY": key})
        ).json()
    return answer


async def until_orders(emulator, key: str, found: Any, timeout: float = 120) -> list[dict[str, Any]]:
    """The account's orders once ``found(orders)`` holds."""
    deadline = time.monotonic() + timeout
    while not found(listed := await orders(emulator, key)):
        assert time.monotonic() < deadline, listed
        await asyncio.sleep(0.1)
    return listed


async def gekko_log(stack, gekko_id: str) -> list[tuple[str, Any]]:
    """Every event of the gekko in the log, oldest first."""
    nc = await bus.connect(stack.env["GEKKO_NATS_URL"], "test-gekko-log")
    events = []
    try:
        sub = await nc.jetstream().subscribe(subjects.gekko_event(gekko_id), ordered_consumer=True)
        while True:
            try:
                msg = await sub.next_msg(timeout=1)
            except NatsTimeoutError:
                break
            env = envelope_decoder.decode(msg.data)
            events.append((env.type, env.payload))
    finally:
        await nc.close()
    return events


async def until_event(stack, gekko_id: str, kind: str, timeout: float = 120) -> list[tuple[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        events = await gekko_log(stack, gekko_id)
        if any(k == kind for k, _ in events):
            return events
        assert time.monotonic() < deadline, [k for k, _ in events]
        await asyncio.sleep(0.5)


async def stop(client: httpx.AsyncClient, emulator, key: str, gekko_id: str) -> list[dict[str, Any]]:
    """Stop the gekko; the account's orders once stopGekko answered: none open any more."""
    answer = await client.post("/api/stopGekko", json={"id": gekko_id})
    assert answer.json() == {"status": "ok"}
    after = await orders(emulator, key)
    assert not [o for o in after if o["status"] in OPEN], after  # the resting order is cancelled
    return after


async def unchanged(emulator, key: str, final: list[dict[str, Any]]) -> None:
    """The market goes on for a while: a stopped tradebot places and cancels nothing more."""
    await asyncio.sleep(3)
    assert await orders(emulator, key) == final


def trades(events: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [(k, p) for k, p in events if k.startswith(("trade", "trigger"))]


async def test_a_stop_while_catching_up_cancels_the_partly_filled_order_and_a_delete_changes_nothing(
    stack, emulator, api
) -> None:
    client, key = api
    # the buy rests at the top and fills a tenth of its size every 2 s: stopped after its first fill
    httpx.post(emulator.url + "/_emulator/book", json={"maker_delay_s": 2.0, "fill_ratio": 0.1}).raise_for_status()
    gekko_id = await start(client, tradebot("DEBUG_toggle-advice", 120))
    await until_orders(emulator, key, lambda o: any(float(x["executedQty"]) > 0 for x in o))
    final = await stop(client, emulator, key, gekko_id)
    await unchanged(emulator, key, final)
    assert [(o["side"], o["status"]) for o in final] == [("BUY", "CANCELED")]
    filled = float(final[0]["executedQty"])
    assert 0 < filled < float(final[0]["origQty"])
    events = await gekko_log(stack, gekko_id)
    assert [k for k, _ in trades(events)][-3:] == ["tradeInitiated", "tradeCompleted", "tradeCancelled"]
    completed = [p for k, p in events if k == "tradeCompleted"]
    assert [p["amount"] for p in completed] == [pytest.approx(filled)]  # every fill reported, once
    assert [k for k, _ in events][-2:] == ["gekko_stopped", "gekko_archived"]
    archived = (await client.get("/api/gekkos")).json()["archive"][gekko_id]
    assert [t["amount"] for t in archived["events"]["tradeCompleted"]] == [pytest.approx(filled)]

    assert (await client.post("/api/deleteGekko", json={"id": gekko_id})).json() == {"status": "ok"}
    await unchanged(emulator, key, final)
    assert [k for k, _ in await gekko_log(stack, gekko_id)] == [k for k, _ in events] + ["gekko_deleted"]


async def test_a_stop_of_a_live_tradebot_cancels_its_resting_order(stack, emulator, api) -> None:
    client, key = api
    httpx.post(emulator.url + "/_emulator/book", json={"maker_delay_s": 3600.0}).raise_for_status()
    gekko_id = await start(client, tradebot("DEBUG_toggle-advice", 5))  # its buy comes with the last candle
    await until_orders(emulator, key, lambda o: any(x["status"] == "NEW" for x in o))
    final = await stop(client, emulator, key, gekko_id)
    await unchanged(emulator, key, final)
    assert [(o["side"], o["status"], float(o["executedQty"])) for o in final] == [("BUY", "CANCELED", 0.0)]
    events = await gekko_log(stack, gekko_id)
    assert [k for k, _ in trades(events)][-2:] == ["tradeInitiated", "tradeCancelled"]
    assert "tradeCompleted" not in [k for k, _ in events]
    assert [k for k, _ in events][-2:] == ["gekko_stopped", "gekko_archived"]


async def test_a_stop_disarms_the_trailing_stop(stack, emulator, api) -> None:
    client, key = api
    httpx.post(emulator.url + "/_emulator/book", json={"maker_delay_s": 0.2}).raise_for_status()
    gekko_id = await start(client, tradebot("DEBUG_single-advice", 30))  # buys with a 0.5 % trailing stop
    await until_event(stack, gekko_id, "triggerCreated")
    final = await stop(client, emulator, key, gekko_id)
    # the market falls far below the stop from now on: only a stop still armed would sell
    httpx.post(emulator.url + "/_emulator/replay", json={"start": 1747735200, "speed": 600}).raise_for_status()
    await unchanged(emulator, key, final)
    assert [(o["side"], o["status"]) for o in final] == [("BUY", "FILLED")]
    events = await gekko_log(stack, gekko_id)
    assert [k for k, _ in trades(events)] == ["tradeInitiated", "tradeCompleted", "triggerCreated", "triggerAborted"]
    assert [k for k, _ in events][-2:] == ["gekko_stopped", "gekko_archived"]


async def test_a_paused_runner_places_no_order_for_the_gekko_another_runner_took_over(stack, emulator, api) -> None:
    client, key = api
    if "runner-2" not in stack.procs or not stack.procs["runner-2"].alive:
        stack.start("runner-2")
    httpx.post(emulator.url + "/_emulator/book", json={"maker_delay_s": 3600.0}).raise_for_status()
    httpx.post(emulator.url + "/_emulator/replay", json={"start": LAST - 3600, "speed": 0}).raise_for_status()
    gekko_id = await start(client, tradebot("DEBUG_toggle-advice", 120))
    placed = await until_orders(emulator, key, lambda o: any(x["status"] == "NEW" for x in o))
    paused = await owner_of(stack, gekko_id)
    assert paused is not None
    proc = stack.procs[paused].proc
    assert proc is not None
    agent = f"-{proc.pid}-"
    assert all(agent in o["placedBy"] for o in placed)
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        deadline = time.monotonic() + 60
        while await owner_of(stack, gekko_id) in (None, paused):
            assert time.monotonic() < deadline, "no runner took the gekko over"
        # the market moves: the new owner moves the order; the paused one would as well once it wakes
        httpx.post(emulator.url + "/_emulator/replay", json={"start": LAST - 1800, "speed": 0}).raise_for_status()
        await until_orders(emulator, key, lambda o: any(agent not in x["placedBy"] for x in o))
        log_file = stack.log_dir / f"{paused}.log"
        logged = log_file.stat().st_size
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    await asyncio.sleep(4)  # the paused runner wakes with a stale order, and the market moves again
    httpx.post(emulator.url + "/_emulator/replay", json={"start": LAST - 900, "speed": 0}).raise_for_status()
    await asyncio.sleep(3)
    final = await stop(client, emulator, key, gekko_id)
    await unchanged(emulator, key, final)
    assert [o["clientOrderId"] for o in final if agent in o["placedBy"]] == [placed[0]["clientOrderId"]]
    assert not [o for o in final if agent in (o["cancelledBy"] or "")]
    assert len(final) >= 3  # the new owner moved the order twice
    assert len({o["clientOrderId"] for o in final}) == len(final)
    events = await gekko_log(stack, gekko_id)
    assert "tradeErrored" not in [k for k, _ in events]
    assert [k for k, _ in events][-2:] == ["gekko_stopped", "gekko_archived"]
    with log_file.open() as f:
        f.seek(logged)
        assert "handed over" in f.read()


async def test_a_tradebot_stopped_while_no_runner_runs_is_wound_down_by_the_next_runner(stack, emulator, api) -> None:
    client, key = api
    httpx.post(emulator.url + "/_emulator/book", json={"maker_delay_s": 3600.0}).raise_for_status()
    gekko_id = await start(client, tradebot("DEBUG_toggle-advice", 120))
    await until_orders(emulator, key, lambda o: any(x["status"] == "NEW" for x in o))
    runners = [name for name, proc in stack.procs.items() if name.startswith("runner") and proc.alive]
    for name in runners:
        stack.procs[name].kill()
    try:
        answer = await client.post("/api/stopGekko", json={"id": gekko_id})
        assert answer.json() == {"status": "ok"}  # archived, although no runner could wind it down
        assert [o["status"] for o in await orders(emulator, key)] == ["NEW"]
    finally:
        for name in runners:
            stack.start(name)
    final = await until_orders(emulator, key, lambda o: not any(x["status"] in OPEN for x in o))
    await unchanged(emulator, key, final)
    assert [(o["side"], o["status"]) for o in final] == [("BUY", "CANCELED")]
    kinds = [k for k, _ in await gekko_log(stack, gekko_id)]
    assert kinds[kinds.index("gekko_archived") + 1 :] == ["tradeCancelled"]
