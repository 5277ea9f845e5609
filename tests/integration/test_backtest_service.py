"""POST /api/backtest through the gateway and the backtester queue group, on the real 90-day data."""

from __future__ import annotations

import asyncio
import copy
import json

import httpx
import pytest

from gekko_common.infra.store import CandleStore
from gekko_common.market import Market
from tests.conftest import FULL_CSV, read_candles_csv, reference

pytestmark = pytest.mark.integration

BINANCE = Market("binance", "USDT", "BTC")


@pytest.fixture(scope="module")
async def binance_data(stack, database_url) -> None:
    store = await CandleStore.connect(database_url)
    await store.write(BINANCE, read_candles_csv(FULL_CSV))
    await store.close()


def without_portfolio(trades: list[dict]) -> list[dict]:
    # the original exports the final portfolio on every trade (a bug we do not copy)
    return [{k: v for k, v in t.items() if k != "portfolio"} for t in trades]


async def test_macd_over_90_days_matches_the_original(stack, binance_data) -> None:
    case = reference("backtests/026_MACD_cs60_h10_full.json")
    async with httpx.AsyncClient(timeout=120) as client:
        answer = await client.post(stack.gateway_url + "/api/backtest", json=case["request"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    expected = case["response"]
    assert body["performanceReport"] == expected["performanceReport"]
    assert body["roundtrips"] == expected["roundtrips"]
    assert without_portfolio(body["trades"]) == without_portfolio(expected["trades"])
    assert body["stratCandles"] == expected["stratCandles"]


async def test_twenty_concurrent_backtests_on_two_backtesters_all_succeed(stack, binance_data) -> None:
    stack.start("backtester-2")
    base = reference("backtests/026_MACD_cs60_h10_full.json")["request"]
    bodies = []
    for i in range(20):
        body = copy.deepcopy(base)
        body["MACD"]["short"] = 5 + i
        bodies.append(body)
    async with httpx.AsyncClient(timeout=300) as client:
        answers = await asyncio.gather(*(client.post(stack.gateway_url + "/api/backtest", json=b) for b in bodies))
    assert [a.status_code for a in answers] == [200] * 20
    assert all("performanceReport" in a.json() or a.json()["trades"] == [] for a in answers)


def bad(body_change) -> dict:
    body = copy.deepcopy(reference("backtests/026_MACD_cs60_h10_full.json")["request"])
    body_change(body)
    return body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b["tradingAdvisor"].update(method="NoSuchStrategy"), "tradingAdvisor.method"),
        (lambda b: b["tradingAdvisor"].update(candleSize="60"), "tradingAdvisor.candleSize"),
        (lambda b: b["tradingAdvisor"].update(candleSize=0), "tradingAdvisor.candleSize"),
        (lambda b: b["tradingAdvisor"].update(historySize=-1), "tradingAdvisor.historySize"),
        (lambda b: b["backtest"]["daterange"].update(to="2025-05-01T00:00:00Z"), "backtest.daterange"),
        (lambda b: b["backtest"]["daterange"].pop("from"), "backtest.daterange"),
        (
            lambda b: b["backtest"]["daterange"].update(
                **{"from": "2020-01-01T00:00:00Z", "to": "2020-02-01T00:00:00Z"}
            ),
            "backtest.daterange",
        ),
        (lambda b: b.update(watch={"exchange": "binance"}), "watch.currency"),
        (lambda b: b.update(MACD="not an object"), "MACD"),
    ],
)
def test_bad_backtest_request_gets_400_naming_the_field(stack, binance_data, change, field) -> None:
    answer = httpx.post(stack.gateway_url + "/api/backtest", json=bad(change), timeout=60)
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"].startswith(field), answer.json()


async def backtester_health(nats_url: str) -> list[dict]:
    """Every backtester replica's health answer."""
    from gekko_common import subjects
    from gekko_common.infra import bus

    nc = await bus.connect(nats_url, "test-health-all")
    answers: list[dict] = []
    try:
        inbox = nc.new_inbox()

        async def collect(msg) -> None:
            answers.append(json.loads(msg.data))

        sub = await nc.subscribe(inbox, cb=collect)
        await nc.publish(subjects.health("backtester"), b"", reply=inbox)
        await asyncio.sleep(0.5)
        await sub.unsubscribe()
    finally:
        await nc.close()
    return answers


async def test_backtest_whose_replica_is_killed_is_finished_by_another(stack, nats_server, binance_data) -> None:
    import os
    import signal

    if "backtester-2" not in stack.procs or not stack.procs["backtester-2"].alive:
        stack.start("backtester-2")
    body = reference("backtests/026_MACD_cs60_h10_full.json")["request"]
    body["tradingAdvisor"] = {"enabled": True, "method": "test-slow", "candleSize": 5, "historySize": 1}
    body["backtest"]["daterange"] = {"from": "2025-06-01T00:00:00Z", "to": "2025-06-02T00:00:00Z"}
    async with httpx.AsyncClient(timeout=120) as client:
        pending = asyncio.create_task(client.post(stack.gateway_url + "/api/backtest", json=body))
        busy = []
        for _ in range(40):
            await asyncio.sleep(0.25)
            busy = [h for h in await backtester_health(nats_server.url) if h["details"].get("in_flight")]
            if busy:
                break
        assert busy, "a backtester took the request"
        pid = int(busy[0]["instance"].split("-")[-2])
        os.kill(pid, signal.SIGKILL)
        answer = await pending
    assert answer.status_code == 200, answer.text
    assert answer.json()["performanceReport"]["trades"] > 100
    for name, proc in list(stack.procs.items()):
        if name.startswith("backtester") and not proc.alive:
            stack.start(name)


def test_sweep_cli_ranks_a_parameter_grid_run_on_the_backtesters(stack, binance_data, tmp_path) -> None:
    import os
    import subprocess
    import sys

    config = reference("backtests/026_MACD_cs60_h10_full.json")["request"]
    (tmp_path / "base.json").write_text(json.dumps(config))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gekko_common.cli.main",
            "sweep",
            "--config",
            str(tmp_path / "base.json"),
            "--grid",
            "MACD.short=6,10,14",
            "--grid",
            "MACD.long=21,30",
            "--output",
            str(tmp_path / "out.json"),
        ],
        env={**os.environ, **stack.env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "6 backtests in" in done.stdout
    results = json.loads((tmp_path / "out.json").read_text())
    profits = [r["report"]["relativeProfit"] for r in results]
    assert profits == sorted(profits, reverse=True)
    default = next(r for r in results if r["params"] == {"MACD.short": 10, "MACD.long": 21})
    assert default["report"] == reference("backtests/026_MACD_cs60_h10_full.json")["response"]["performanceReport"]


async def test_a_runaway_js_strategy_gets_422_naming_it_and_the_call_and_the_next_backtest_is_served(
    stack, binance_data
) -> None:
    body = reference("backtests/026_MACD_cs60_h10_full.json")["request"]
    runaway = copy.deepcopy(body)
    runaway["tradingAdvisor"]["method"] = "js_runaway"  # tests/strategies/js_runaway.js: its own SMA, a worker
    runaway["js_runaway"] = {"runaway": True}
    async with httpx.AsyncClient(timeout=120) as client:
        answer = await client.post(stack.gateway_url + "/api/backtest", json=runaway)
        assert answer.status_code == 422, answer.text
        assert "strategy js_runaway exceeded the time limit of 2 s in check" in answer.text
        runaway["js_runaway"] = {"runaway": False}
        again = await client.post(stack.gateway_url + "/api/backtest", json=runaway)
        assert again.status_code == 200, again.text
        assert again.json()["trades"]
        after = await client.post(stack.gateway_url + "/api/backtest", json=body)
    assert after.status_code == 200, after.text


def long_js_backtest() -> dict:
    """A JavaScript strategy at candle size 1 over the 90 days: a stepwise run of some seconds (with
    portfolio values asked for, one call into JavaScript per candle: running ahead, the same backtest
    takes about the meter's interval, too short to be sure of a report in between)."""
    body = copy.deepcopy(reference("backtests/026_MACD_cs60_h10_full.json")["request"])
    body["tradingAdvisor"].update(method="js_MACD", candleSize=1)
    body["backtestResultExporter"]["data"].update(
        roundtrips=False, stratCandles=False, trades=False, portfolioValues=True
    )
    return body


async def test_a_long_backtest_sends_monotone_progress_frames_ending_at_100_percent(stack, binance_data) -> None:
    import websockets

    uri = stack.gateway_url.replace("http://", "ws://") + "/api"
    frames: list[dict] = []
    async with websockets.connect(uri, origin="http://127.0.0.1:9999") as ws, httpx.AsyncClient(timeout=600) as client:
        await asyncio.sleep(0.2)  # the gateway registers the client
        posted = asyncio.create_task(
            client.post(
                stack.gateway_url + "/api/backtest", json=long_js_backtest(), headers={"X-Gekko-Progress-Id": "long-1"}
            )
        )
        while not frames or frames[-1]["percent"] < 100:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 600))
            if frame["type"] == "backtest_progress" and frame["id"] == "long-1":
                frames.append(frame)
        answer = await posted
    assert answer.status_code == 200, answer.text
    assert "performanceReport" in answer.json()
    percents = [f["percent"] for f in frames]
    assert percents == sorted(percents)
    assert percents[0] == 0
    assert percents[-1] == 100
    assert any(0 < p < 100 for p in percents), percents  # reported while it ran, not only at both ends
    candles = [f["candles"] for f in frames]
    assert candles == sorted(candles)
    total = read_candles_csv(FULL_CSV).height
    assert frames[-1]["candles"] == frames[-1]["total"] == total
    assert frames[-1]["at"] == "2025-08-18T18:27:00.000Z"
    assert all(f["candles_per_s"] > 0 for f in frames[1:])
    assert set(frames[0]) == {"type", "id", "percent", "candles", "total", "candles_per_s", "at"}


async def test_a_progress_id_leaves_the_backtest_answer_byte_identical(stack, binance_data) -> None:
    case = reference("backtests/026_MACD_cs60_h10_full.json")
    async with httpx.AsyncClient(timeout=120) as client:
        plain = await client.post(stack.gateway_url + "/api/backtest", json=case["request"])
        named = await client.post(
            stack.gateway_url + "/api/backtest", json=case["request"], headers={"X-Gekko-Progress-Id": "same-bytes"}
        )
    assert plain.status_code == named.status_code == 200
    assert named.content == plain.content
    assert named.json()["performanceReport"] == case["response"]["performanceReport"]


def test_a_malformed_progress_id_gets_400_naming_the_header(stack, binance_data) -> None:
    answer = httpx.post(
        stack.gateway_url + "/api/backtest",
        json=reference("backtests/026_MACD_cs60_h10_full.json")["request"],
        headers={"X-Gekko-Progress-Id": "a.b*"},
        timeout=30,
    )
    assert answer.status_code == 400
    assert "X-Gekko-Progress-Id" in answer.text
