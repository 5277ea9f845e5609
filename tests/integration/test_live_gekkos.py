"""Live gekkos: API keys, paper traders that match the backtest and survive a killed runner, restarts."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import httpx
import pytest
import websockets

from gekko_common import subjects
from gekko_common.infra import bus
from gekko_common.infra.store import CandleStore
from gekko_common.market import Market
from tests.conftest import FULL_CSV, read_candles_csv

pytestmark = pytest.mark.integration

LAST = 1755541620  # the data's last candle
MACD = {"short": 10, "long": 21, "signal": 9, "thresholds": {"down": -0.025, "up": 0.025, "persistence": 1}}


@pytest.fixture(scope="module")
async def binance(stack, database_url) -> None:
    store = await CandleStore.connect(database_url)
    await store.write(Market("binance", "USDT", "BTC"), read_candles_csv(FULL_CSV))
    await store.close()


def leech_body(live_from: str, size: int = 15, method: str = "MACD") -> dict:
    return {
        "market": {"type": "leech", "from": live_from},
        "mode": "realtime",
        "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
        "tradingAdvisor": {"enabled": True, "method": method, "candleSize": size, "historySize": 10},
        method: MACD,
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


async def wait_until(url: str, gekko_id: str, last_candle_iso: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            state = (await client.get(url + "/api/gekkos")).json()["live"].get(gekko_id)
            if state and state["events"]["latest"].get("candle", {}).get("start") == last_candle_iso:
                return state
            await asyncio.sleep(0.5)
    raise AssertionError(f"gekko {gekko_id} did not reach {last_candle_iso}")


def backtest_trades(url: str, body: dict, live_from: int) -> list[dict]:
    size = body["tradingAdvisor"]["candleSize"]
    origin = live_from - size * 10 * 60
    request = {
        **body,
        "backtest": {"daterange": {"from": origin * 1000, "to": LAST * 1000}},
        "backtestResultExporter": {"enabled": True, "data": {"trades": True, "stratCandles": False}},
    }
    answer = httpx.post(url + "/api/backtest", json=request, timeout=120)
    assert answer.status_code == 200, answer.text
    return answer.json()["trades"]


def same_trades(live: list[dict], backtest: list[dict]) -> None:
    from gekko_common.dates import parse_date

    assert [
        (t["id"], t["action"], t["price"], t["amount"], t["balance"], parse_date(t["date"], "d")) for t in live
    ] == [(t["id"], t["action"], t["price"], t["amount"], t["balance"], t["date"]) for t in backtest]


async def test_paper_trader_makes_the_backtests_trades_and_the_gateway_restart_keeps_it(stack, binance) -> None:
    live_from = LAST - 3 * 86400 + 60
    body = leech_body(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(live_from)))
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(stack.gateway_url + "/api/startGekko", json=body)
        assert answer.status_code == 200, answer.text
        gekko = answer.json()
        assert gekko["logType"] == "papertrader"
        assert gekko["type"] == "leech"
        assert gekko["id"].split("-")[5] == "papertrader"
        state = await wait_until(stack.gateway_url, gekko["id"], "2025-08-18T18:27:00.000Z")
        expected = backtest_trades(stack.gateway_url, body, live_from)
        assert len(expected) > 3
        same_trades(state["events"]["tradeCompleted"], expected)
        assert state["events"]["latest"]["performanceReport"]["trades"] == len(expected)
        watchers = [
            s
            for s in (await client.get(stack.gateway_url + "/api/gekkos")).json()["live"].values()
            if s["logType"] == "watcher"
        ]
        assert watchers, "a leech starts a watcher of its market"

        before = (await client.get(stack.gateway_url + "/api/gekkos")).json()
        stack.procs["gateway"].stop()
        stack.start("gateway")
        after = (await client.get(stack.gateway_url + "/api/gekkos")).json()
        assert after["live"][gekko["id"]] == before["live"][gekko["id"]]

        assert (await client.post(stack.gateway_url + "/api/deleteGekko", json={"id": gekko["id"]})).status_code == 409
        assert (await client.post(stack.gateway_url + "/api/stopGekko", json={"id": gekko["id"]})).json() == {
            "status": "ok"
        }
        listed = (await client.get(stack.gateway_url + "/api/gekkos")).json()
        assert gekko["id"] in listed["archive"]
        assert listed["archive"][gekko["id"]]["stopped"] is True
        assert (await client.post(stack.gateway_url + "/api/deleteGekko", json={"id": gekko["id"]})).json() == {
            "status": "ok"
        }
        assert gekko["id"] not in (await client.get(stack.gateway_url + "/api/gekkos")).json()["archive"]


@pytest.mark.parametrize("method", ["MACD", "js_MACD"])  # js_MACD: tests/strategies/js_MACD.js
async def test_killed_runner_hands_the_paper_trader_to_another_with_the_same_trades(stack, binance, method) -> None:
    if "runner-2" not in stack.procs or not stack.procs["runner-2"].alive:
        stack.start("runner-2")
    live_from = LAST - 6 * 86400 + 60
    body = leech_body(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(live_from)), size=10, method=method)
    async with httpx.AsyncClient(timeout=30) as client:
        gekko = (await client.post(stack.gateway_url + "/api/startGekko", json=body)).json()
        nc = await bus.connect(stack.env["GEKKO_NATS_URL"], "test-owner")
        try:
            owner = None
            for _ in range(100):
                await asyncio.sleep(0.2)
                inbox = nc.new_inbox()
                answers: list[dict] = []

                async def collect(msg, answers=answers) -> None:
                    answers.append(json.loads(msg.data))

                sub = await nc.subscribe(inbox, cb=collect)
                await nc.publish(subjects.health("runner"), b"", reply=inbox)
                await asyncio.sleep(0.3)
                await sub.unsubscribe()
                owner = next((a for a in answers if gekko["id"] in a["details"].get("gekkos", [])), None)
                state = (await client.get(stack.gateway_url + "/api/gekkos")).json()["live"][gekko["id"]]
                if owner and state["events"]["latest"].get("candle"):
                    break
        finally:
            await nc.close()
        assert owner is not None
        name = next(n for n, p in stack.procs.items() if p.proc and str(p.proc.pid) in owner["instance"])
        stack.procs[name].kill()
        state = await wait_until(stack.gateway_url, gekko["id"], "2025-08-18T18:27:00.000Z", timeout=240)
        stack.start(name)
    same_trades(state["events"]["tradeCompleted"], backtest_trades(stack.gateway_url, body, live_from))


async def test_api_keys_are_stored_encrypted_and_never_shown(stack) -> None:
    async with httpx.AsyncClient() as client:
        add = await client.post(
            stack.gateway_url + "/api/addApiKey",
            json={"exchange": "binance", "values": {"key": "k-123", "secret": "s-456"}},
        )
        assert add.json() == {"status": "ok"}
        listed = await client.get(stack.gateway_url + "/api/apiKeys")
        assert listed.json() == ["binance"]
        assert "s-456" not in listed.text
        bad = await client.post(
            stack.gateway_url + "/api/addApiKey", json={"exchange": "nosuch", "values": {"key": "x"}}
        )
        assert bad.status_code == 400
        assert bad.json()["field"] == "exchange"
    nc = await bus.connect(stack.env["GEKKO_NATS_URL"], "test-keys")
    try:
        raw = await (await nc.jetstream().key_value(subjects.KV_API_KEYS)).get("binance")
        assert b"s-456" not in raw.value
        assert b"k-123" not in raw.value
    finally:
        await nc.close()
    async with httpx.AsyncClient() as client:
        assert (await client.post(stack.gateway_url + "/api/removeApiKey", json={"exchange": "binance"})).json() == {
            "status": "ok"
        }
        assert (await client.get(stack.gateway_url + "/api/apiKeys")).json() == []
        missing = await client.post(stack.gateway_url + "/api/removeApiKey", json={"exchange": "binance"})
        assert missing.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "watch": {"exchange": "nosuch", "currency": "USDT", "asset": "BTC"},
                "type": "market watcher",
                "mode": "realtime",
            },
            "watch.exchange",
        ),
        (
            {
                **leech_body("2025-08-01T00:00:00Z"),
                "tradingAdvisor": {"method": "Nope", "candleSize": 60, "historySize": 10},
            },
            "tradingAdvisor.method",
        ),
    ],
)
def test_bad_start_gekko_gets_400_naming_the_field(stack, body, field) -> None:
    answer = httpx.post(stack.gateway_url + "/api/startGekko", json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == field


def test_stop_of_an_unknown_gekko_is_404(stack) -> None:
    answer = httpx.post(stack.gateway_url + "/api/stopGekko", json={"id": "nope"})
    assert answer.status_code == 404
    assert answer.json()["field"] == "id"


async def test_market_watcher_on_a_replayed_market_stores_and_publishes_new_candles(
    stack, emulator, database_url
) -> None:
    start = 1755000000 // 60 * 60  # 2025-08-12
    store = await CandleStore.connect(database_url)
    await store.delete_range(Market("binance", "USDT", "BTC"), start - 3600, start + 86400)
    await store.close()
    httpx.post(emulator.url + "/_emulator/replay", json={"start": start, "speed": 600}).raise_for_status()
    try:
        body = {
            "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
            "candleWriter": {"enabled": True},
            "type": "market watcher",
            "mode": "realtime",
        }
        async with httpx.AsyncClient(timeout=30) as client:
            watcher = (await client.post(stack.gateway_url + "/api/startGekko", json=body)).json()
            assert watcher["logType"] == "watcher"
            state = {}
            for _ in range(60):
                await asyncio.sleep(0.5)
                state = (await client.get(stack.gateway_url + "/api/gekkos")).json()["live"][watcher["id"]]
                latest = state["events"]["latest"].get("candle")
                if latest and latest["start"] > state["events"]["initial"]["candle"]["start"]:
                    break
            await client.post(stack.gateway_url + "/api/stopGekko", json={"id": watcher["id"]})
    finally:
        httpx.post(emulator.url + "/_emulator/replay", json={"start": None})
    first = state["events"]["initial"]["candle"]
    latest = state["events"]["latest"]["candle"]
    assert latest["start"] > first["start"]
    assert "marketStart" in state["events"]["initial"]
    store = await CandleStore.connect(database_url)
    try:
        stored = await store.read(Market("binance", "USDT", "BTC"), start - 3600, start + 86400)
    finally:
        await store.close()
    assert stored.height >= 2
    assert stored["start"].to_list() == list(range(int(stored["start"][0]), int(stored["start"][-1]) + 60, 60))


async def owner_of(stack, gekko_id: str) -> str | None:
    """The stack process name of the runner that runs ``gekko_id``."""
    nc = await bus.connect(stack.env["GEKKO_NATS_URL"], "test-owner-of")
    try:
        answers: list[dict] = []

        async def collect(msg) -> None:
            answers.append(json.loads(msg.data))

        inbox = nc.new_inbox()
        sub = await nc.subscribe(inbox, cb=collect)
        await nc.publish(subjects.health("runner"), b"", reply=inbox)
        await asyncio.sleep(0.5)
        await sub.unsubscribe()
    finally:
        await nc.close()
    owner = next((a for a in answers if gekko_id in a["details"].get("gekkos", [])), None)
    if owner is None:
        return None
    return next((n for n, p in stack.procs.items() if p.proc and str(p.proc.pid) in owner["instance"]), None)


def tradebot_body(live_from: int) -> dict:
    body = leech_body(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(live_from)), size=30)
    body.pop("paperTrader")
    body["trader"] = {"enabled": True}
    body["type"] = "tradebot"
    return body


async def test_tradebot_resumes_its_open_order_on_another_runner_without_a_duplicate(stack, emulator, binance) -> None:
    if "runner-2" not in stack.procs or not stack.procs["runner-2"].alive:
        stack.start("runner-2")
    key = f"key-{time.time_ns()}"
    # limit orders at the top of the book wait 3 s for the queue: long enough to kill their owner
    httpx.post(emulator.url + "/_emulator/book", json={"maker_delay_s": 3.0}).raise_for_status()
    frames: list[str] = []

    async def listen() -> None:  # every websocket frame a UI would have received meanwhile
        async with websockets.connect(stack.gateway_url.replace("http://", "ws://") + "/api") as ws:
            async for frame in ws:
                frames.append(str(frame))

    listener = asyncio.create_task(listen())
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            refused = await client.post(stack.gateway_url + "/api/startGekko", json=tradebot_body(LAST - 86400))
            if "binance" not in (await client.get(stack.gateway_url + "/api/apiKeys")).json():
                assert refused.status_code == 400
            added = await client.post(
                stack.gateway_url + "/api/addApiKey",
                json={"exchange": "binance", "values": {"key": key, "secret": "s3cr3t-value"}},
            )
            assert added.status_code == 200
            answer = await client.post(stack.gateway_url + "/api/startGekko", json=tradebot_body(LAST - 2 * 86400 + 60))
            assert answer.status_code == 200, answer.text
            bot = answer.json()
            assert bot["logType"] == "tradebot"
            assert key not in answer.text
            assert "s3cr3t-value" not in answer.text
            # wait for a completed trade and then for the next order to rest on the exchange
            open_order = None
            for _ in range(480):
                state = (await client.get(stack.gateway_url + "/api/gekkos")).json()["live"].get(bot["id"], {})
                orders = (await client.get(emulator.url + "/_emulator/orders", headers={"X-MBX-APIKEY": key})).json()
                if state.get("events", {}).get("tradeCompleted"):
                    open_order = next((o for o in orders if o["status"] == "NEW"), None)
                    if open_order is not None:
                        break
                await asyncio.sleep(0.25)
            assert open_order is not None, "the tradebot never had an order open after its first trade"
            owner = await owner_of(stack, bot["id"])
            assert owner is not None
            stack.procs[owner].kill()
            state = await wait_until(stack.gateway_url, bot["id"], "2025-08-18T18:27:00.000Z", timeout=300)
            for _ in range(120):  # the last advice's order may still be working
                state = (await client.get(stack.gateway_url + "/api/gekkos")).json()["live"][bot["id"]]
                if len(state["events"]["tradeCompleted"]) + len(state["events"].get("tradeAborted", [])) >= len(
                    state["events"]["advice"]
                ):
                    break
                await asyncio.sleep(0.5)
            everything = (await client.get(stack.gateway_url + "/api/gekkos")).text
            await client.post(stack.gateway_url + "/api/stopGekko", json={"id": bot["id"]})
    finally:
        listener.cancel()
        httpx.post(emulator.url + "/_emulator/book", json={"maker_delay_s": 1.0}).raise_for_status()
        for name, proc in list(stack.procs.items()):
            if name.startswith("runner") and not proc.alive:
                stack.start(name)
    orders = httpx.get(emulator.url + "/_emulator/orders", headers={"X-MBX-APIKEY": key}).json()
    events = state["events"]
    completed, advices = events["tradeCompleted"], events["advice"]
    assert len(advices) >= 2
    assert len(orders) == len({o["clientOrderId"] for o in orders})  # no order twice
    assert [o["status"] for o in orders] == ["FILLED"] * len(orders)  # nothing left open, nothing dropped
    # the order that was open when its runner died was resumed, not placed again: one order per trade
    assert open_order["clientOrderId"] in {o["clientOrderId"] for o in orders}
    assert len(orders) == len(completed)
    assert [o["side"].lower() for o in orders] == [t["action"] for t in completed]
    assert [float(o["executedQty"]) for o in orders] == [pytest.approx(t["amount"]) for t in completed]
    assert len({t["id"] for t in completed}) == len(completed)
    assert {t["adviceId"] for t in completed} <= {a["id"] for a in advices}
    # the performance report carried on over the takeover instead of starting again
    first, report = events["initial"]["performanceReport"], events["latest"]["performanceReport"]
    assert report["trades"] == len(completed)
    assert (report["startTime"], report["startBalance"]) == (first["startTime"], first["startBalance"])
    assert key not in everything
    assert "s3cr3t-value" not in everything
    assert any('"tradeCompleted"' in f for f in frames)  # the frames did flow
    assert not [f for f in frames if key in f or "s3cr3t-value" in f]
    for log in stack.log_dir.glob("*.log"):
        text = log.read_text(errors="replace")
        assert key not in text, log.name
        assert "s3cr3t-value" not in text, log.name


async def leech_events(store, body: dict, resume: tuple[int, int] | None, last_start: int) -> list[tuple[str, str]]:
    """Run a paper-trading leech until it has published the candle starting at ``last_start``."""
    from gekko_runner.tasks import run_leech

    published: list[tuple[str, str]] = []
    done = asyncio.Event()

    async def publish(kind: str, payload, key: str) -> None:
        published.append((kind, key))
        if kind == "candle" and key.startswith(f"{last_start}:"):
            done.set()

    task = asyncio.create_task(run_leech("g-resume", body, store, publish, resume, 0.05, 0.0))
    try:
        await asyncio.wait_for(done.wait(), 120)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return published


async def test_a_restart_in_the_middle_of_a_candles_events_publishes_the_rest_of_them(store, binance) -> None:
    live_from = LAST - 86400 + 60
    body = leech_body(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(live_from)), size=10)
    everything = await leech_events(store, body, None, LAST)
    trades = [i for i, (kind, _) in enumerate(everything) if kind == "tradeCompleted"]
    assert len(trades) >= 3
    # the runner died right before the third trade's event: the candle event of its minute was out
    cut = trades[2] - 1
    start, index = (int(x) for x in everything[cut][1].split(":"))
    rest = await leech_events(store, body, (start, index), LAST)
    assert rest == everything[cut + 1 :]
