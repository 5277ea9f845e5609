"""The candle store: 1-minute candles in PostgreSQL/TimescaleDB, keyed (exchange, currency, asset, start).

Writes are idempotent (COPY into a temporary table, then INSERT ... ON CONFLICT DO NOTHING; a batch
whose span holds nothing yet is copied straight into the table, which is twice as fast), reads
come back as polars DataFrames through COPY, and contiguous ranges are found in the database with a
gaps-and-islands query.
"""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import asyncpg
import polars as pl

from gekko_common.infra.faults import StoreUnavailable
from gekko_common.market import CANDLE_COLUMNS, Market

_SCHEMA = {
    "start": pl.Int64,
    "open": pl.Float64,
    "high": pl.Float64,
    "low": pl.Float64,
    "close": pl.Float64,
    "vwp": pl.Float64,
    "volume": pl.Float64,
    "trades": pl.Int64,
}
_COLS = ", ".join(CANDLE_COLUMNS)


def empty_frame() -> pl.DataFrame:
    """A candle frame with no rows and the store's schema."""
    return pl.DataFrame(schema=_SCHEMA)


def as_candle_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Select and cast the candle columns of ``frame`` in the store's order and types."""
    missing = [c for c in CANDLE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"candle frame lacks columns {missing}")
    return frame.select([pl.col(c).cast(t) for c, t in _SCHEMA.items()])


_LOST = (
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.CannotConnectNowError,
    asyncpg.ConnectionFailureError,
    asyncpg.InterfaceError,
    ConnectionError,
)
"""A connection the pool handed out died (the database restarted): worth one more try."""

T = TypeVar("T")


def _reconnecting(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """Run a store operation again on a fresh connection when its connection was lost.

    Every operation is safe to repeat (reads, and writes that ignore rows already stored)."""

    @functools.wraps(method)
    async def wrapper(*args: Any, **kwargs: Any) -> T:
        for attempt in range(3):
            try:
                return await method(*args, **kwargs)
            except _LOST:
                if attempt == 2:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    return wrapper


class CandleStore:
    """Async access to the candle table through an asyncpg pool (built by a composition root)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @classmethod
    async def connect(cls, database_url: str, *, min_size: int = 1, max_size: int = 10) -> CandleStore:
        """Open a pool on ``database_url`` (a ``postgresql://`` URL); StoreUnavailable when it cannot."""
        try:
            pool = await asyncpg.create_pool(database_url, min_size=min_size, max_size=max_size)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            where = urlsplit(database_url)
            reason = str(exc) or type(exc).__name__
            address = f"{where.hostname}:{where.port or 5432}"
            raise StoreUnavailable(f"cannot reach PostgreSQL at {address}: {reason}") from exc
        assert pool is not None
        return cls(pool)

    async def close(self) -> None:
        """Close the pool."""
        await self._pool.close()

    async def ping(self) -> bool:
        """True when the database answers."""
        try:
            async with self._pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT 1"))
        except (OSError, asyncpg.PostgresError):
            return False

    @_reconnecting
    async def write(self, market: Market, frame: pl.DataFrame) -> int:
        """Store candles; rows already stored are left as they are. Returns how many were new."""
        if frame.height == 0:
            return 0
        frame = as_candle_frame(frame)
        if frame.filter(pl.col("start") % 60 != 0).height:
            raise ValueError("candle start times must be whole minutes (unix seconds divisible by 60)")
        buf = io.BytesIO()
        frame.with_columns(
            pl.lit(market.exchange).alias("exchange"),
            pl.lit(market.currency).alias("currency"),
            pl.lit(market.asset).alias("asset"),
        ).select(["exchange", "currency", "asset", *CANDLE_COLUMNS]).write_csv(
            buf, include_header=False, float_precision=None
        )
        columns = ["exchange", "currency", "asset", *CANDLE_COLUMNS]
        unique = frame["start"].n_unique() == frame.height
        lo, hi = int(frame["start"].min()), int(frame["start"].max())  # type: ignore[arg-type]
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO markets (exchange, currency, asset) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                market.exchange,
                market.currency,
                market.asset,
            )
            occupied = await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM candles WHERE exchange = $1 AND currency = $2 AND asset = $3 "
                "AND start BETWEEN $4 AND $5)",
                market.exchange,
                market.currency,
                market.asset,
                lo,
                hi,
            )
            if unique and not occupied:
                # nothing stored in this span: straight in (a concurrent writer makes it fall back below)
                try:
                    async with conn.transaction():
                        buf.seek(0)
                        await conn.copy_to_table("candles", source=buf, columns=columns, format="csv")
                    return frame.height
                except asyncpg.UniqueViolationError:
                    pass
            buf.seek(0)
            await conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS candles_in (LIKE candles INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            )
            await conn.copy_to_table("candles_in", source=buf, columns=columns, format="csv")
            status = await conn.execute(
                f"INSERT INTO candles (exchange, currency, asset, {_COLS}) "
                f"SELECT exchange, currency, asset, {_COLS} FROM candles_in ON CONFLICT DO NOTHING"
            )
        return int(status.rsplit(" ", 1)[-1])

    @_reconnecting
    async def read(self, market: Market, start_from: int, start_to: int) -> pl.DataFrame:
        """Candles with ``start_from <= start <= start_to`` (unix seconds), oldest first."""
        buf = io.BytesIO()
        async with self._pool.acquire() as conn:
            await conn.copy_from_query(
                f"SELECT {_COLS} FROM candles WHERE exchange = $1 AND currency = $2 AND asset = $3 "
                "AND start BETWEEN $4 AND $5 ORDER BY start",
                market.exchange,
                market.currency,
                market.asset,
                int(start_from),
                int(start_to),
                output=buf,
                format="csv",
            )
        if buf.tell() == 0:
            return empty_frame()
        buf.seek(0)
        return pl.read_csv(buf, has_header=False, new_columns=list(CANDLE_COLUMNS), schema_overrides=_SCHEMA)

    @_reconnecting
    async def ranges(self, market: Market) -> list[tuple[int, int]]:
        """Contiguous runs of minutes as (first start, last start), oldest first; one missing minute splits."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                """
                SELECT min(start) AS first, max(start) AS last FROM (
                    SELECT start, start - 60 * row_number() OVER (ORDER BY start) AS island
                    FROM candles WHERE exchange = $1 AND currency = $2 AND asset = $3
                ) runs GROUP BY island ORDER BY first
                """,
                market.exchange,
                market.currency,
                market.asset,
            )
        return [(int(r["first"]), int(r["last"])) for r in rows]

    async def bounds(self, market: Market) -> tuple[int, int, int] | None:
        """(first start, last start, row count) of a market, or None when it has no candles."""
        first, last, n = await self.bounds_between(market, 0, 2**62)
        return (first, last, n) if n else None

    @_reconnecting
    async def bounds_between(self, market: Market, start_from: int, start_to: int) -> tuple[int, int, int]:
        """(first start, last start, row count) within [start_from, start_to]."""
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT min(start) AS first, max(start) AS last, count(*) AS n FROM candles "
                "WHERE exchange = $1 AND currency = $2 AND asset = $3 AND start BETWEEN $4 AND $5",
                market.exchange,
                market.currency,
                market.asset,
                int(start_from),
                int(start_to),
            )
        assert row is not None
        return (row["first"] or 0, row["last"] or 0, int(row["n"]))

    @_reconnecting
    async def markets(self) -> list[Market]:
        """Every market that has ever had candles written, sorted."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch("SELECT exchange, currency, asset FROM markets ORDER BY 1, 2, 3")
        return [Market(r["exchange"], r["currency"], r["asset"]) for r in rows]

    @_reconnecting
    async def delete_range(self, market: Market, start_from: int, start_to: int) -> int:
        """Remove candles of a range (used by tests and re-imports that must replace data)."""
        async with self._pool.acquire() as conn:
            status = await conn.execute(
                "DELETE FROM candles WHERE exchange = $1 AND currency = $2 AND asset = $3 AND start BETWEEN $4 AND $5",
                market.exchange,
                market.currency,
                market.asset,
                int(start_from),
                int(start_to),
            )
        return int(status.rsplit(" ", 1)[-1])
