"""Candle store: one table keyed (exchange, currency, asset, start) plus a market index.

A TimescaleDB hypertable with compression when the extension is available, a plain table with the
same key otherwise.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

CHUNK_SECONDS = 7 * 86400
COMPRESS_AFTER_SECONDS = 30 * 86400


def _timescale_available() -> bool:
    bind = op.get_bind()
    return bool(
        bind.execute(sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'")).scalar()
    )


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE candles (
            exchange text NOT NULL,
            currency text NOT NULL,
            asset text NOT NULL,
            start bigint NOT NULL,
            open double precision NOT NULL,
            high double precision NOT NULL,
            low double precision NOT NULL,
            close double precision NOT NULL,
            vwp double precision NOT NULL,
            volume double precision NOT NULL,
            trades bigint NOT NULL,
            PRIMARY KEY (exchange, currency, asset, start),
            CHECK (start % 60 = 0)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE markets (
            exchange text NOT NULL,
            currency text NOT NULL,
            asset text NOT NULL,
            PRIMARY KEY (exchange, currency, asset)
        )
        """
    )
    if _timescale_available():
        op.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
        op.execute(
            f"SELECT create_hypertable('candles', 'start', chunk_time_interval => {CHUNK_SECONDS}::bigint, "
            "migrate_data => true)"
        )
        op.execute(
            "CREATE OR REPLACE FUNCTION gekko_unix_now() RETURNS bigint LANGUAGE sql STABLE "
            "AS $$ SELECT extract(epoch FROM now())::bigint $$"
        )
        op.execute("SELECT set_integer_now_func('candles', 'gekko_unix_now')")
        op.execute(
            "ALTER TABLE candles SET (timescaledb.compress, "
            "timescaledb.compress_segmentby = 'exchange, currency, asset', "
            "timescaledb.compress_orderby = 'start')"
        )
        op.execute(f"SELECT add_compression_policy('candles', compress_after => {COMPRESS_AFTER_SECONDS}::bigint)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS markets")
    op.execute("DROP TABLE IF EXISTS candles")
    op.execute("DROP FUNCTION IF EXISTS gekko_unix_now()")
