"""The candle store on a real PostgreSQL: idempotent writes, reads, contiguous ranges, restarts."""

from __future__ import annotations

import asyncio

import polars as pl
import pytest

from gekko_common.infra import migrate
from gekko_common.infra.localstack import PostgresServer
from gekko_common.infra.store import CandleStore
from gekko_common.market import Market
from tests.conftest import GAPPED_CSV, SMALL_CSV, read_candles_csv

pytestmark = pytest.mark.integration


async def test_write_with_duplicates_stores_each_candle_once(store: CandleStore) -> None:
    market = Market("storetest-dup", "USDT", "BTC")
    frame = read_candles_csv(SMALL_CSV)
    assert await store.write(market, frame) == frame.height
    overlapping = pl.concat([frame.slice(1000, 500), frame.slice(1000, 500)])
    assert await store.write(market, overlapping) == 0
    back = await store.read(market, 0, 2**40)
    assert back.height == frame.height
    assert back.equals(frame.select(back.columns).cast(back.schema))


async def test_write_in_one_batch_with_repeated_rows_keeps_the_first(store: CandleStore) -> None:
    market = Market("storetest-repeat", "USDT", "BTC")
    frame = read_candles_csv(SMALL_CSV).head(10)
    assert await store.write(market, pl.concat([frame, frame])) == 10


async def test_ranges_of_gapped_week_split_at_every_missing_minute(store: CandleStore) -> None:
    market = Market("storetest-gap", "USDT", "BTC")
    frame = read_candles_csv(GAPPED_CSV)
    await store.write(market, frame)
    starts = frame["start"].to_list()
    expected: list[tuple[int, int]] = []
    first = prev = starts[0]
    for s in starts[1:]:
        if s != prev + 60:
            expected.append((first, prev))
            first = s
        prev = s
    expected.append((first, prev))
    assert await store.ranges(market) == expected
    assert len(expected) == 11  # 7 short gaps (adjacent minutes merge) + 3 long ones, as the data README lists


async def test_read_of_a_range_returns_only_that_range_in_order(store: CandleStore) -> None:
    market = Market("storetest-range", "USDT", "BTC")
    frame = read_candles_csv(SMALL_CSV)
    await store.write(market, frame.reverse())
    lo, hi = frame["start"][100], frame["start"][199]
    back = await store.read(market, lo, hi)
    assert back["start"].to_list() == frame["start"][100:200].to_list()


async def test_write_with_unaligned_start_is_refused(store: CandleStore) -> None:
    frame = read_candles_csv(SMALL_CSV).head(2).with_columns(pl.col("start") + 1)
    with pytest.raises(ValueError, match="whole minutes"):
        await store.write(Market("storetest-bad", "USDT", "BTC"), frame)


async def test_markets_lists_every_written_market(store: CandleStore) -> None:
    market = Market("storetest-list", "EUR", "ETH")
    await store.write(market, read_candles_csv(SMALL_CSV).head(3))
    assert market in await store.markets()
    assert await store.bounds(Market("storetest-none", "X", "Y")) is None


async def test_candles_survive_a_postgres_restart(tmp_path) -> None:
    server = PostgresServer(tmp_path / "pg").start()
    try:
        await asyncio.to_thread(migrate.upgrade, server.url)
        s = await CandleStore.connect(server.url)
        await s.write(Market("binance", "USDT", "BTC"), read_candles_csv(SMALL_CSV))
        await s.close()
    finally:
        server.stop()
    again = PostgresServer(tmp_path / "pg").start()
    try:
        await asyncio.to_thread(migrate.upgrade, again.url)  # idempotent
        s = await CandleStore.connect(again.url)
        assert (await s.bounds(Market("binance", "USDT", "BTC"))) == (1747699200, 1747958340, 4320)
        await s.close()
    finally:
        again.stop()


async def test_store_keeps_working_when_postgres_restarts_under_its_pool(tmp_path) -> None:
    server = PostgresServer(tmp_path / "pg").start()
    await asyncio.to_thread(migrate.upgrade, server.url)
    store = await CandleStore.connect(server.url, min_size=2)
    market = Market("binance", "USDT", "BTC")
    try:
        await store.write(market, read_candles_csv(SMALL_CSV))
        await asyncio.to_thread(server.stop)
        again = await asyncio.to_thread(PostgresServer(tmp_path / "pg", port=server.port).start)
        try:
            assert await store.bounds(market) == (1747699200, 1747958340, 4320)
            assert await store.write(market, read_candles_csv(SMALL_CSV).head(10)) == 0
        finally:
            await store.close()
            await asyncio.to_thread(again.stop)
    finally:
        await asyncio.to_thread(server.stop)
