"""Run the candle-store migrations: ``python -m gekko_common.infra.migrate``.

Creates the target database first when it does not exist (a fresh local PostgreSQL has only
``postgres``), then upgrades alembic to head.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlalchemy_url(database_url: str) -> str:
    scheme, rest = database_url.split("://", 1)
    del scheme
    return "postgresql+asyncpg://" + rest


async def ensure_database(database_url: str) -> None:
    """Create the database named in ``database_url`` if the server does not have it yet."""
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/") or "postgres"
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = await asyncpg.connect(admin)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            quoted = '"' + name.replace('"', '""') + '"'
            await conn.execute(f"CREATE DATABASE {quoted}")
    finally:
        await conn.close()


def upgrade(database_url: str) -> None:
    """Bring the schema of ``database_url`` to the newest revision (safe to run repeatedly)."""
    asyncio.run(ensure_database(database_url))
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", _sqlalchemy_url(database_url).replace("%", "%%"))
    command.upgrade(cfg, "head")


def main() -> None:
    """Entry point: migrate the database of ``GEKKO_DATABASE_URL``."""
    from gekko_common.settings import Settings

    url = sys.argv[1] if len(sys.argv) > 1 else Settings.from_env().database_url
    upgrade(url)
    print(f"migrated {urlsplit(url)._replace(netloc=urlsplit(url).hostname or '').geturl()}")


if __name__ == "__main__":
    main()
