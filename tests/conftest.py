"""Session fixtures: one real nats-server and one real PostgreSQL on free loopback ports.

Both start lazily, only for tests that ask for them, so tests that need only Python run even when
a server cannot start; a server that cannot start is a clear error in the tests that need it.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import polars as pl
import pytest

from gekko_common.infra import migrate
from gekko_common.infra.localstack import NatsServer, PostgresServer, ServerStartError, free_port
from gekko_common.infra.procs import ServiceProcess, wait_http_ok
from gekko_common.infra.store import CandleStore
from gekko_emulator.data import BTCUSDT_90_DAYS

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "reference"
DATA = ROOT / "tests" / "data"
FULL_CSV = BTCUSDT_90_DAYS

# The smaller sets are row subsets of the 90-day file, cut from it on first use (tests/data/README.md).
_JUNE_1 = 1748736000
_GAPS = {
    *(_JUNE_1 + 60 * k for k in (17, 133, 134, 407, 1001, 1002, 1003, 2000, 2222, 2500)),
    *(_JUNE_1 + 2 * 86400 + 12 * 3600 + 600 + 60 * k for k in range(5)),
    *(_JUNE_1 + 3 * 86400 + 6 * 3600 + 60 * k for k in range(40)),
    *(_JUNE_1 + 5 * 86400 + 9 * 3600 + 60 * k for k in range(180)),
}


def _cut(name: str, keep: Callable[[int, int], bool]) -> Path:
    """``tests/data/<name>``: the 90-day file's header and the rows ``keep(index, start)`` selects."""
    path = DATA / name
    if not path.exists():
        header, *rows = gzip.decompress(FULL_CSV.read_bytes()).decode().splitlines(keepends=True)
        kept = [row for i, row in enumerate(rows) if keep(i, int(row.split(",", 1)[0]))]
        partial = path.with_name(f"{name}.{os.getpid()}.tmp")  # concurrent sessions: write aside, rename
        partial.write_text(header + "".join(kept))
        partial.replace(path)
    return path


SMALL_CSV = _cut("btcusdt-binance-1m-20250520-20250522-small.csv", lambda i, _: i < 3 * 1440)
GAPPED_CSV = _cut(
    "btcusdt-binance-1m-20250601-20250607-gapped.csv",
    lambda _, start: _JUNE_1 <= start < _JUNE_1 + 7 * 86400 and start not in _GAPS,
)


def reference(name: str) -> dict:
    """A recorded answer of the original Gekko, e.g. ``reference("api/001_info.json")``."""
    return load_reference(REFERENCE / f"{name}.gz")


def load_reference(path: Path) -> dict:
    """One gzipped recording of tests/reference."""
    return json.loads(gzip.decompress(path.read_bytes()))


def read_candles_csv(path: Path) -> pl.DataFrame:
    """A candle CSV (the 90-day file or one cut from it) as a frame (gzip or plain)."""
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    return pl.read_csv(io.BytesIO(raw), schema_overrides={"start": pl.Int64, "trades": pl.Int64})


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    """A nats-server with JetStream for the whole session."""
    server = NatsServer(tmp_path_factory.mktemp("nats") / "js")
    try:
        server.start(log_file=server.store_dir.parent / "nats.log")
    except ServerStartError as exc:
        pytest.fail(f"cannot start nats-server: {exc}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """A PostgreSQL server with the migrated ``gekko`` database for the whole session."""
    server = PostgresServer(tmp_path_factory.mktemp("pg") / "data")
    try:
        server.start()
        migrate.upgrade(server.url)
    except ServerStartError as exc:
        pytest.fail(f"cannot start PostgreSQL: {exc}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def database_url(postgres: PostgresServer) -> str:
    """URL of the migrated test database."""
    return postgres.url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[CandleStore]:
    """A candle store on the test database (shared data: use a market name unique to your test)."""
    s = await CandleStore.connect(database_url, max_size=4)
    yield s
    await s.close()


class Stack:
    """The four services as real processes against the session's NATS and PostgreSQL."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.procs: dict[str, ServiceProcess] = {}
        self.gateway_url = f"http://127.0.0.1:{env['GEKKO_HTTP_PORT']}"

    def start(self, name: str, **extra_env: str) -> ServiceProcess:
        """Start (or restart) one service replica, e.g. ``backtester-2``."""
        env = {**self.env, "GEKKO_HEALTH_PORT": str(free_port()), **extra_env}
        proc = ServiceProcess(name, env, self.log_dir / f"{name}.log").start()
        self.procs[name] = proc
        health = (
            self.gateway_url + "/readyz" if name == "gateway" else f"http://127.0.0.1:{env['GEKKO_HEALTH_PORT']}/readyz"
        )
        try:
            wait_http_ok(health, proc, timeout=90)  # a loaded machine imports numba slowly
        except ServerStartError as exc:
            log = (self.log_dir / f"{name}.log").read_text()[-3000:]
            pytest.fail(f"{exc}\n--- {name} log ---\n{log}", pytrace=False)
        return proc

    def stop(self) -> None:
        """Stop every process."""
        for proc in self.procs.values():
            proc.stop()


class Emulator:
    """The exchange emulator (Binance spot, serving its packaged 90-day file) as a process on a free port."""

    def __init__(self, log_file: Path) -> None:
        import subprocess
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gekko_emulator", "--port", str(self.port)],
            stdout=open(log_file, "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )

    def faults(self, **settings: object) -> None:
        """Switch faults (rate_429, rate_500, delay_ms, short_pages, seed)."""
        import httpx

        httpx.post(self.url + "/_emulator/faults", json=settings).raise_for_status()

    def stats(self) -> dict:
        import httpx

        return httpx.get(self.url + "/_emulator/stats").json()


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """The exchange emulator for the whole session."""
    from gekko_common.infra.localstack import stop_process, wait_for_port

    emu = Emulator(tmp_path_factory.mktemp("emulator") / "emulator.log")
    try:
        wait_for_port("127.0.0.1", emu.port, emu.proc, "exchange emulator", timeout=60)
    except ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield emu
    stop_process(emu.proc)


@pytest.fixture(scope="session")
def stack_env(nats_server: NatsServer, postgres: PostgresServer, emulator: Emulator) -> dict[str, str]:
    """Environment of service processes (and of the CLI, which finds the gateway by its URL) for this session."""
    port = free_port()
    return {
        "GEKKO_NATS_URL": nats_server.url,
        "GEKKO_DATABASE_URL": postgres.url,
        "GEKKO_HTTP_HOST": "127.0.0.1",
        "GEKKO_HTTP_PORT": str(port),
        "GEKKO_GATEWAY_URL": f"http://127.0.0.1:{port}",
        "GEKKO_LOG_LEVEL": "INFO",
        "GEKKO_SECRET_KEY": "Wq8lS3kmM3qgUUyHl2C7sVyVvn9S6r4ZpZtq2Wl6G9E=",
        "GEKKO_STRATEGY_DIR": str(ROOT / "tests" / "strategies"),
        "GEKKO_EXCHANGE_URLS": f"binance={emulator.url}",
        "GEKKO_ORDER_INTERVAL_S": "0.2",
        "GEKKO_CORS_ORIGINS": "http://ui",  # a UI served from elsewhere than loopback
    }


@pytest.fixture(scope="session")
def stack(stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """All four services running as separate processes (one replica each)."""
    s = Stack(stack_env, tmp_path_factory.mktemp("logs"))
    for name in ("backtester", "importer", "runner", "gateway"):
        s.start(name)
    yield s
    s.stop()
