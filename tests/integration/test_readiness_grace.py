"""Crash-only services (#12): a service that cannot reach NATS or PostgreSQL, or whose readiness stays
false past ``GEKKO_READY_GRACE_S``, exits non-zero with one clear line so its supervisor restarts it;
with its dependencies up it stays up.

Each test runs an importer (the lightest service that needs both) against servers of its own, so
killing them disturbs no other test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gekko_common.infra import migrate
from gekko_common.infra.localstack import NatsServer, PostgresServer, free_port
from gekko_common.infra.procs import ServiceProcess, wait_http_ok
from tests.faults import kill_nats, kill_postgres

pytestmark = pytest.mark.integration

GRACE_S = 3
EXIT_BOUND_S = GRACE_S + 60
"""How long a process may take to give up: the grace plus a loaded machine's start-up and teardown."""


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "nats" / "js").start(log_file=tmp_path / "nats.log")
    yield server
    server.stop()


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[PostgresServer]:
    server = PostgresServer(tmp_path / "pg" / "data").start()
    migrate.upgrade(server.url)
    yield server
    server.stop()


class Importer:
    """An importer process with a short grace and its log."""

    def __init__(self, tmp_path: Path, nats_url: str, database_url: str) -> None:
        self.health = free_port()
        self.log = tmp_path / "importer.log"
        env = {
            "GEKKO_NATS_URL": nats_url,
            "GEKKO_DATABASE_URL": database_url,
            "GEKKO_HEALTH_PORT": str(self.health),
            "GEKKO_READY_GRACE_S": str(GRACE_S),
            "GEKKO_LOG_LEVEL": "INFO",
        }
        self.proc = ServiceProcess("importer", env, self.log).start()

    def wait_ready(self) -> None:
        wait_http_ok(f"http://127.0.0.1:{self.health}/readyz", self.proc, timeout=90)

    def wait_exit(self) -> int:
        """The exit code; fails when the process is still running after EXIT_BOUND_S."""
        assert self.proc.proc is not None
        deadline = time.monotonic() + EXIT_BOUND_S
        while self.proc.alive and time.monotonic() < deadline:
            time.sleep(0.2)
        if self.proc.alive:
            self.proc.stop()
            pytest.fail(f"the importer still ran {EXIT_BOUND_S} s later:\n{self.text()[-3000:]}")
        return self.proc.proc.returncode

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def closed_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()


def test_importer_with_postgres_unreachable_exits_non_zero_naming_it(tmp_path, nats_server) -> None:
    port = closed_port()
    importer = Importer(tmp_path, nats_server.url, f"postgresql://gekko@127.0.0.1:{port}/gekko")
    code = importer.wait_exit()
    log = importer.text()
    assert code != 0
    assert f"cannot reach PostgreSQL at 127.0.0.1:{port}" in log, log[-2000:]
    assert "Traceback" not in log, log[-3000:]


def test_importer_with_nats_unreachable_exits_non_zero_naming_it(tmp_path, database_url) -> None:
    port = closed_port()
    importer = Importer(tmp_path, f"nats://127.0.0.1:{port}", database_url)
    code = importer.wait_exit()
    log = importer.text()
    assert code != 0
    assert f"cannot connect to NATS at nats://127.0.0.1:{port} within {GRACE_S} s" in log, log[-2000:]
    assert "Traceback" not in log, log[-3000:]


def test_importer_stays_up_with_its_dependencies_then_exits_once_postgres_is_gone_past_the_grace(
    tmp_path, nats_server, own_postgres
) -> None:
    importer = Importer(tmp_path, nats_server.url, own_postgres.url)
    importer.wait_ready()
    time.sleep(3 * GRACE_S)  # well past the grace with everything up: still running and ready
    assert importer.proc.alive, importer.text()[-3000:]
    importer.wait_ready()
    kill_postgres(own_postgres)
    code = importer.wait_exit()
    assert code != 0
    assert f"not ready for {GRACE_S} s" in importer.text()


def test_importer_exits_once_nats_is_gone_past_the_grace(tmp_path, own_nats, database_url) -> None:
    importer = Importer(tmp_path, own_nats.url, database_url)
    importer.wait_ready()
    kill_nats(own_nats)
    code = importer.wait_exit()
    assert code != 0
    assert f"not ready for {GRACE_S} s" in importer.text()
