"""Market data through the gateway: import from the exchange emulator, scan, scansets, getCandles, exchanges."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from gekko_common.dates import parse_date
from gekko_common.infra.store import CandleStore
from gekko_common.market import Market
from tests.conftest import GAPPED_CSV, read_candles_csv, reference

pytestmark = pytest.mark.integration


def recorded(name: str) -> dict:
    return reference(f"api/{name}")


async def wait_import_done(url: str, import_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            records = (await client.get(url + "/api/imports")).json()
            record = next((r for r in records if r["id"] == import_id), None)
            if record and (record.get("done") or record.get("error")):
                return record
            await asyncio.sleep(0.3)
    raise AssertionError(f"import {import_id} did not finish")


@pytest.fixture(scope="module")
async def gaptest(stack, database_url) -> None:
    store = await CandleStore.connect(database_url)
    await store.write(Market("gaptest", "USDT", "BTC"), read_candles_csv(GAPPED_CSV))
    await store.close()


async def forget(database_url: str, start: int, end: int) -> None:
    """Remove a range of binance candles other tests may have stored, so the import has work to do."""
    store = await CandleStore.connect(database_url)
    await store.delete_range(Market("binance", "USDT", "BTC"), start, end)
    await store.close()


async def test_import_from_the_emulator_then_scan_gives_the_imported_range(stack, emulator, database_url) -> None:
    await forget(database_url, 1748131200, 1748822340)
    body = {
        "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
        "importer": {"daterange": {"from": "2025-05-25 00:00", "to": "2025-06-01 23:59"}},
        "candleWriter": {"enabled": True},
    }
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(stack.gateway_url + "/api/import", json=body)
        assert answer.status_code == 200, answer.text
        started = answer.json()
        assert set(started) == {"watch", "id", "latest", "from", "to"}
        record = await wait_import_done(stack.gateway_url, started["id"])
        assert record["done"] is True
        assert record["latest"] == "2025-06-01T23:59:00Z"
        ranges = (await client.post(stack.gateway_url + "/api/scan", json={"watch": body["watch"]})).json()
    assert {"from": 1748131200, "to": 1748822340} in ranges or any(
        r["from"] <= 1748131200 and r["to"] >= 1748822340 for r in ranges
    )


async def test_import_with_429s_and_500s_still_completes_without_duplicates(stack, emulator, database_url) -> None:
    await forget(database_url, 1751328000, 1751500800)
    emulator.faults(rate_429=0.2, rate_500=0.2, short_pages=True, seed=3)
    try:
        body = {
            "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
            "importer": {"daterange": {"from": "2025-07-01 00:00", "to": "2025-07-03 00:00"}},
        }
        async with httpx.AsyncClient(timeout=30) as client:
            started = (await client.post(stack.gateway_url + "/api/import", json=body)).json()
            record = await wait_import_done(stack.gateway_url, started["id"])
    finally:
        emulator.faults(rate_429=0.0, rate_500=0.0, short_pages=False)
    assert record["done"] is True, record
    assert emulator.stats()["failed"] > 0
    store = await CandleStore.connect(database_url)
    try:
        first, last, n = await store.bounds_between(Market("binance", "USDT", "BTC"), 1751328000, 1751500800)
    finally:
        await store.close()
    assert (first, last, n) == (1751328000, 1751500800, 2881)


async def test_killed_importer_is_resumed_and_the_range_is_complete(stack, emulator, database_url) -> None:
    start, end = 1748736000, 1752192000  # 2025-06-01 .. 2025-07-11: 40 days, three stored batches
    await forget(database_url, start, end)
    emulator.faults(delay_ms=250)
    try:
        body = {
            "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
            "importer": {"daterange": {"from": "2025-06-01 00:00", "to": "2025-07-11 00:00"}},
        }
        async with httpx.AsyncClient(timeout=30) as client:
            started = (await client.post(stack.gateway_url + "/api/import", json=body)).json()
            record: dict = {}
            for _ in range(300):
                records = (await client.get(stack.gateway_url + "/api/imports")).json()
                record = next(r for r in records if r["id"] == started["id"])
                if record["latest"]:
                    break
                await asyncio.sleep(0.05)
            assert record["latest"], "some candles are stored"
            assert not record["done"], "killed in the middle of the import"
            stack.procs["importer"].kill()
            stack.start("importer")
            record = await wait_import_done(stack.gateway_url, started["id"])
    finally:
        emulator.faults(delay_ms=0)
    assert record["done"] is True
    store = await CandleStore.connect(database_url)
    try:
        first, last, n = await store.bounds_between(Market("binance", "USDT", "BTC"), start, end)
    finally:
        await store.close()
    assert (first, last, n) == (start, end, (end - start) // 60 + 1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "watch": {"exchange": "nosuch", "currency": "USDT", "asset": "BTC"},
                "importer": {"daterange": {"from": "2025-05-25 00:00"}},
            },
            "watch.exchange",
        ),
        (
            {
                "watch": {"exchange": "binance", "currency": "USDT", "asset": "NOPE"},
                "importer": {"daterange": {"from": "2025-05-25 00:00"}},
            },
            "watch.asset",
        ),
        (
            {
                "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
                "importer": {"daterange": {"from": "2025-06-25 00:00", "to": "2025-06-01 00:00"}},
            },
            "importer.daterange",
        ),
        (
            {
                "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
                "importer": {"daterange": {"from": "2999-01-01 00:00"}},
            },
            "importer.daterange.from",
        ),
        ({"watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"}}, "importer.daterange"),
    ],
)
def test_bad_import_gets_400_naming_the_field(stack, body, field) -> None:
    answer = httpx.post(stack.gateway_url + "/api/import", json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == field


def test_scan_of_the_gapped_week_splits_at_every_missing_minute(stack, gaptest) -> None:
    ranges = httpx.post(
        stack.gateway_url + "/api/scan", json={"watch": {"exchange": "gaptest", "currency": "USDT", "asset": "BTC"}}
    ).json()
    assert len(ranges) == 11
    assert ranges[0] == {"from": 1748736000, "to": 1748736960}
    assert ranges[-1]["to"] == 1749340740
    # the original's windowed ranges span our gaps; each of ours lies within the original's span
    originals = recorded("152_gap_scan.json")["response"]
    assert min(o["from"] for o in originals) > ranges[0]["from"]  # it never reports the first hour


def test_scan_of_an_unknown_market_is_empty(stack) -> None:
    answer = httpx.post(
        stack.gateway_url + "/api/scan", json={"watch": {"exchange": "nosuch", "currency": "USDT", "asset": "BTC"}}
    )
    assert answer.status_code == 200
    assert answer.json() == []


def test_scansets_lists_every_market_with_ranges(stack, gaptest) -> None:
    body = httpx.post(stack.gateway_url + "/api/scansets", json={}).json()
    assert body["errors"] == []
    gap = next(d for d in body["datasets"] if d["exchange"] == "gaptest")
    assert (gap["currency"], gap["asset"], len(gap["ranges"])) == ("USDT", "BTC", 11)


@pytest.mark.parametrize(
    "case",
    [
        "154_gap_getCandles_cs60_days1-5.json",
        "155_gap_getCandles_cs1_day3.json",
        "156_gap_getCandles_cs60_full_week.json",
    ],
)
def test_get_candles_matches_the_original_up_to_the_requested_end(stack, gaptest, case) -> None:
    rec = recorded(case)
    answer = httpx.post(stack.gateway_url + "/api/getCandles", json=rec["request"])
    assert answer.status_code == 200
    ours = answer.json()
    # the original returns whole 1000-minute pages past `to`; we stop at `to`
    assert ours == rec["response"][: len(ours)]
    to = parse_date(rec["request"]["daterange"]["to"], "to")
    assert ours[-1]["start"] <= to
    if rec["request"]["candleSize"] == 1:
        assert len(ours) == sum(1 for c in rec["response"] if c["start"] <= to)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"candleSize": 0}, "candleSize"),
        ({"candleSize": "60"}, "candleSize"),
        ({"daterange": {"from": "2025-06-02", "to": "2025-06-01"}}, "daterange"),
        ({"watch": {"exchange": "gaptest"}}, "watch.currency"),
    ],
)
def test_bad_get_candles_gets_400_naming_the_field(stack, change, field) -> None:
    body = {**recorded("154_gap_getCandles_cs60_days1-5.json")["request"], **change}
    answer = httpx.post(stack.gateway_url + "/api/getCandles", json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == field


def test_exchanges_list_poloniex_tradable_and_importable_for_the_ui(stack) -> None:
    exchanges = {e["slug"]: e for e in httpx.get(stack.gateway_url + "/api/exchanges").json()}
    assert {"binance", "kraken", "bitfinex", "coinbase", "poloniex", "bitstamp"} <= set(exchanges)
    polo = exchanges["poloniex"]
    assert polo["tradable"] is True
    assert polo["providesFullHistory"] is True
    assert ["USDT", "BTC"] in [m["pair"] for m in polo["markets"]]
    assert exchanges["binance"]["requires"] == ["key", "secret"]


async def test_imports_survive_a_gateway_restart(stack) -> None:
    before = httpx.get(stack.gateway_url + "/api/imports").json()
    stack.procs["gateway"].stop()
    stack.start("gateway")
    after = httpx.get(stack.gateway_url + "/api/imports").json()
    assert after == before
