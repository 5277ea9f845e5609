"""``gekko up`` as a user runs it (``make run``): default ports taken, commands from another shell with no
variables, supervision of NATS and PostgreSQL (kill -9), failed imports, Ctrl-C, the stopped stack."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from gekko_common.infra.localstack import stop_process
from tests.conftest import SMALL_CSV
from tests.unit.common.test_cli import GEKKO_STYLE_CONFIG_JS

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DEFAULT_PORTS = (4222, 5432, 3000)
NO_GEKKO_VARIABLES = {k: v for k, v in os.environ.items() if not k.startswith("GEKKO_")}
START_S = 600  # a cold start on a loaded 2-core machine compiles the engine in every service


@dataclass
class Up:
    """A running ``gekko up`` and the directory it was started in."""

    work: Path
    proc: subprocess.Popen[bytes]
    output: Path
    urls: dict[str, str]

    @property
    def stack(self) -> dict[str, str]:
        return json.loads((self.work / ".gekko" / "stack.json").read_text())

    def printed(self) -> str:
        return self.output.read_text()


def gekko(up: Up, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """A command in another shell of the same directory, no GEKKO_ variable set."""
    return subprocess.run(
        [sys.executable, "-m", "gekko_common.cli.main", *args],
        cwd=up.work,
        env={**NO_GEKKO_VARIABLES, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


def _occupy(port: int) -> socket.socket | None:
    """Listen on a default port (unless something already does) so that gekko up must pick another."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        return None
    sock.listen()
    return sock


def _processes_under(path: Path) -> list[int]:
    """Pids whose command line names ``path`` (the stack's servers keep their data there)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if str(path) in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                found.append(int(entry.name))
    return found


def _child(up: Up, name: str) -> int:
    """The pid of gekko up's child whose command line contains ``name``."""
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent == up.proc.pid and name.encode() in (entry / "cmdline").read_bytes():
                return int(entry.name)
    raise AssertionError(f"gekko up has no child {name}")


def _answers(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.post(url + "/api/scansets", json={}, timeout=5).status_code == 200
    return False


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory, emulator) -> Iterator[Up]:
    work = tmp_path_factory.mktemp("up")
    (work / "strategies").mkdir()
    blockers = [s for s in map(_occupy, DEFAULT_PORTS) if s is not None]
    output = work / "up.out"
    env = {
        **NO_GEKKO_VARIABLES,
        "GEKKO_EXCHANGE_URLS": f"binance={emulator.url}",
        "GEKKO_STRATEGY_DIR": str(work / "strategies"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "gekko_common.cli.main", "up"],
        cwd=work,
        env=env,
        stdout=open(output, "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    running = Up(work, proc, output, {})
    deadline = time.monotonic() + START_S
    while "Ctrl-C stops everything" not in running.printed():
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_process(proc)
            pytest.fail(f"gekko up did not start:\n{running.printed()[-3000:]}", pytrace=False)
        time.sleep(0.5)
    running.urls = running.stack
    yield running
    for sock in blockers:
        sock.close()
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        stop_process(proc, timeout=30)


def test_up_with_the_default_ports_taken_records_the_ports_it_took_and_prints_exports(up) -> None:
    stack = up.stack
    ports = {int(stack[k].rsplit(":", 1)[1].split("/")[0]) for k in ("nats", "database", "gateway")}
    assert not ports & set(DEFAULT_PORTS)
    assert f"export GEKKO_NATS_URL={stack['nats']}" in up.printed()
    assert f"export GEKKO_GATEWAY_URL={stack['gateway']}" in up.printed()
    shown = json.loads(gekko(up, "stack", "--json").stdout)
    assert all(row["up"] for row in shown)
    assert {row["url"] for row in shown} == {stack["nats"], stack["database"], stack["gateway"]}


def test_commands_in_another_shell_without_variables_use_that_stack(up) -> None:
    imported = gekko(
        up, "import-csv", str(SMALL_CSV), "--exchange", "binance", "--currency", "USDT", "--asset", "BTC", "-v"
    )
    assert imported.returncode == 0, imported.stderr
    assert "4320 new of 4320" in imported.stdout
    assert f"using PostgreSQL at {up.stack['database']}" in imported.stderr

    config = GEKKO_STYLE_CONFIG_JS.replace(
        "daterange: { from: '2025-05-20 00:00:00', to: '2025-05-22 23:59:00' }", "daterange: 'scan'"
    )
    (up.work / "config.js").write_text(config)
    service = gekko(up, "backtest", "--config", "config.js", "--json")
    assert service.returncode == 0, service.stderr
    local = gekko(up, "backtest", "--config", "config.js", "--local", "--json")
    assert local.returncode == 0, local.stderr
    on_service, in_process = json.loads(service.stdout), json.loads(local.stdout)
    assert on_service["performanceReport"]["trades"] > 0
    assert on_service["performanceReport"] == in_process["performanceReport"]
    assert on_service["roundtrips"] == in_process["roundtrips"]
    assert on_service["extraMetrics"] == in_process["extraMetrics"]

    exported = gekko(up, "export-csv", "out.csv", "--exchange", "binance", "--currency", "USDT", "--asset", "BTC")
    assert exported.returncode == 0, exported.stderr
    assert len((up.work / "out.csv").read_text().splitlines()) == 4321

    swept = gekko(up, "sweep", "--config", "config.js", "--grid", "MACD.short=8,10")
    assert swept.returncode == 0, swept.stderr
    assert "2 backtests in" in swept.stdout


def test_a_strategy_file_added_while_the_stack_runs_is_backtested_without_a_restart(up) -> None:
    created = gekko(up, "new-strategy", "added-later", "--dir", "strategies")
    assert created.returncode == 0, created.stderr
    config = (up.work / "config.js").read_text().replace("method: 'MACD'", "method: 'added-later'")
    (up.work / "later.js").write_text(config)
    done = gekko(up, "backtest", "--config", "later.js", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["tradingAdvisor"]["method"] == "added-later"


def test_a_market_without_candles_names_the_market_and_the_stored_ranges(up) -> None:
    (up.work / "empty.js").write_text(
        (up.work / "config.js")
        .read_text()
        .replace("daterange: 'scan'", "daterange: {from: '2024-01-01', to: '2024-01-02'}")
    )
    done = gekko(up, "backtest", "--config", "empty.js")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert "binance USDT/BTC" in done.stderr
    assert "stored ranges: 2025-05-20 00:00 to 2025-05-22 23:59" in done.stderr


def test_import_shows_progress_and_a_failed_import_keeps_its_error_across_a_gateway_restart(up, emulator) -> None:
    done = gekko(
        up, "import", "--exchange", "binance", "--pair", "USDT/BTC", "--from", "2025-06-01", "--to", "2025-06-02"
    )
    assert done.returncode == 0, done.stderr
    assert "done: binance USDT/BTC up to 2025-06-02" in done.stdout
    emulator.faults(rate_500=1.0)
    try:
        failed = gekko(
            up,
            "import",
            "--exchange",
            "binance",
            "--pair",
            "USDT/BTC",
            "--from",
            "2025-07-01",
            "--to",
            "2025-07-02",
            "--json",
        )
    finally:
        emulator.faults(rate_500=0.0)
    assert failed.returncode == 1
    record = json.loads(failed.stdout)
    assert "failed" in record["error"]
    assert failed.stderr.count("\n") == 1

    os.kill(_child(up, "gekko_gateway"), signal.SIGKILL)
    deadline = time.monotonic() + START_S
    while not _answers(up.stack["gateway"]):
        assert time.monotonic() < deadline, up.printed()[-2000:]
        time.sleep(0.5)
    imports = httpx.get(up.stack["gateway"] + "/api/imports").json()
    again = next(i for i in imports if i["id"] == record["id"])
    assert again["error"] == record["error"]
    assert "gateway exited with code -9; restarting" in up.printed()


def test_kill_9_of_nats_and_postgresql_is_healed_and_the_api_answers_within_30_s(up) -> None:
    for name in ("nats-server", "bin/postgres"):
        os.kill(_child(up, name), signal.SIGKILL)
    killed = time.monotonic()
    while not _answers(up.stack["gateway"]):
        assert time.monotonic() - killed < 30, up.printed()[-2000:]
        time.sleep(0.25)
    while "postgresql restarted (pid " not in up.printed() or "nats-server restarted (pid " not in up.printed():
        assert time.monotonic() - killed < 60, up.printed()[-2000:]  # both restarts announced
        time.sleep(0.25)
    printed = up.printed()
    assert "nats-server exited with code -9; restarting" in printed
    assert "postgresql exited with code -9; restarting" in printed


def test_ctrl_c_stops_everything_within_5_s_with_no_error_line(up) -> None:
    logs = up.work / ".gekko" / "logs"
    sizes = {f: f.stat().st_size for f in logs.glob("*.log")}
    started = time.monotonic()
    os.killpg(up.proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does to its foreground job
    up.proc.wait(60)
    assert time.monotonic() - started < 5
    assert up.proc.returncode == 0
    assert _processes_under(up.work / ".gekko") == []
    assert not (up.work / ".gekko" / "stack.json").exists()
    for log, size in sizes.items():
        with open(log, "rb") as f:
            f.seek(size)
            stopping = f.read().decode(errors="replace")
        assert '"level": "error"' not in stopping, f"{log.name}: {stopping[-2000:]}"


def test_every_command_with_the_stopped_stack_fails_within_15_s_in_one_line(up, tmp_path) -> None:
    assert up.proc.poll() is not None
    env = {
        "GEKKO_NATS_URL": up.urls["nats"],
        "GEKKO_DATABASE_URL": up.urls["database"],
        "GEKKO_GATEWAY_URL": up.urls["gateway"],
    }
    commands = [
        ["backtest", "--config", "config.js"],
        ["backtest", "--config", "config.js", "--local"],
        ["sweep", "--config", "config.js", "--grid", "MACD.short=5,6"],
        ["import", "--exchange", "binance", "--pair", "USDT/BTC", "--from", "2025-05-20"],
        ["import-csv", str(SMALL_CSV), "--exchange", "binance", "--currency", "USDT", "--asset", "BTC"],
        ["export-csv", str(tmp_path / "o.csv"), "--exchange", "binance", "--currency", "USDT", "--asset", "BTC"],
    ]
    for args in commands:
        started = time.monotonic()
        done = gekko(up, *args, env=env)
        assert time.monotonic() - started < 15, args
        assert done.returncode == 1, (args, done.stderr)
        assert done.stderr.count("\n") == 1, (args, done.stderr)
        assert "cannot reach" in done.stderr, (args, done.stderr)
