"""``gekko up``: the whole system on this machine (``make run``), supervised.

Starts nats-server (JetStream) and PostgreSQL from their wheels unless GEKKO_NATS_URL /
GEKKO_DATABASE_URL point at existing servers, runs the migrations, starts the four services as
separate processes and keeps every one of them running: whatever exits is restarted with back-off
(a PostgreSQL killed with -9 gets its stale lock files cleared first). Defaults ports that are taken
are replaced by free ones; the addresses are recorded in GEKKO_DATA_DIR for the other commands and
printed as ``export`` lines. Ctrl-C stops the services in parallel, then the servers.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import click

from gekko_common.cli import stackinfo
from gekko_common.cli.common import CliError

SERVICE_STOP_S = 2.0
"""How long a service may take to stop before it is killed (Ctrl-C must return within 5 s); a service
is done in well under a second, after which only the interpreter's teardown is cut short."""
READY_S = 120.0
"""How long a service may take to become ready (its first start imports the engine and compiles)."""


def local_secret_key(data: Path) -> str:
    """The key that encrypts stored exchange API keys on this machine (made once, kept in the data dir)."""
    path = data / "secret.key"
    if not path.exists():
        from cryptography.fernet import Fernet

        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return path.read_text().strip()


def _port(preferred: int) -> int:
    from gekko_common.infra.localstack import free_port, port_open

    return preferred if not port_open("127.0.0.1", preferred) else free_port()


def _stop_on_signals() -> None:
    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background


def _say(line: str) -> None:
    click.echo(f"{time.strftime('%H:%M:%S')} {line}", err=True)


class Stack:
    """What ``gekko up`` started, under one supervisor."""

    def __init__(self, data: Path) -> None:
        from gekko_common.infra.procs import Supervisor
        from gekko_common.settings import Settings

        self.settings = Settings.from_env()
        self.data = data
        self.logs = data / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.supervisor = Supervisor(announce=_say)
        self.env = {
            "GEKKO_DATA_DIR": str(data),
            "GEKKO_SECRET_KEY": self.settings.secret_key or local_secret_key(data),
        }
        self.urls: dict[str, str] = {}

    def servers(self) -> None:
        """NATS and PostgreSQL: started here unless their variables name running ones."""
        from gekko_common.infra import migrate
        from gekko_common.infra.localstack import NatsServer, PostgresServer

        if os.environ.get("GEKKO_NATS_URL"):
            self.urls["nats"] = self.settings.nats_url
        else:
            nats = NatsServer(self.data / "nats", port=_port(4222))
            nats.start(log_file=self.logs / "nats.log")
            self.supervisor.add("nats-server", _NatsChild(nats, self.logs / "nats.log"), tier=0)
            self.urls["nats"] = nats.url
            _say(f"nats-server  {nats.url}  (JetStream data in {nats.store_dir})")
        if os.environ.get("GEKKO_DATABASE_URL"):
            self.urls["database"] = self.settings.database_url
        else:
            pg = PostgresServer(self.data / "postgres", port=_port(5432)).start()
            self.supervisor.add("postgresql", pg, tier=0)
            self.urls["database"] = pg.url
            _say(f"postgresql   {pg.url}  (data in {pg.data_dir})")
        self.env["GEKKO_NATS_URL"] = self.urls["nats"]
        self.env["GEKKO_DATABASE_URL"] = self.urls["database"]
        migrate.upgrade(self.urls["database"])

    def services(self, counts: dict[str, int]) -> None:
        """The services, all started at once, then each waited for until ready."""
        from gekko_common.infra.localstack import free_port
        from gekko_common.infra.procs import ServiceProcess, wait_http_ok

        port = self.settings.http_port if os.environ.get("GEKKO_HTTP_PORT") else _port(self.settings.http_port)
        self.urls["gateway"] = f"http://{self.settings.http_host}:{port}"
        replicas = [f"{name}-{i}" for name, n in counts.items() for i in range(1, n + 1)] + ["gateway"]
        started = []
        for replica in replicas:
            env = {**self.env, "GEKKO_HEALTH_PORT": str(free_port())}
            if replica == "gateway":
                env["GEKKO_HTTP_PORT"] = str(port)
            proc = ServiceProcess(replica, env, self.logs / f"{replica}.log", stop_timeout=SERVICE_STOP_S)
            proc.start()
            self.supervisor.add(replica, proc, tier=1)
            ready = self.urls["gateway"] if replica == "gateway" else f"http://127.0.0.1:{env['GEKKO_HEALTH_PORT']}"
            started.append((proc, ready + "/readyz"))
        for proc, url in started:
            wait_http_ok(url, proc, timeout=READY_S)
            _say(f"{proc.name:<12} ready  (log: {proc.log_file})")


class _NatsChild:
    """A NatsServer restarted with its log file (its ``start`` takes one)."""

    def __init__(self, server: Any, log_file: Path) -> None:
        self.server = server
        self.log_file = log_file

    @property
    def proc(self) -> Any:
        return self.server.proc

    def start(self) -> object:
        return self.server.start(log_file=self.log_file)

    def stop(self) -> None:
        self.server.stop()


@click.command("up")
@click.option("--backtesters", type=click.IntRange(1, 64), default=1, show_default=True, help="backtester processes")
@click.option("--importers", type=click.IntRange(1, 64), default=1, show_default=True, help="importer processes")
@click.option("--runners", type=click.IntRange(1, 64), default=1, show_default=True, help="runner processes")
def up_command(backtesters: int, importers: int, runners: int) -> None:
    """Run NATS, PostgreSQL and the four services on this machine until Ctrl-C.

    Everything started is supervised: a process that exits (a crash, a kill -9) is restarted with
    back-off and one line says so. Default ports that are taken (4222, 5432, 3000) are replaced by
    free ones; the addresses are recorded in GEKKO_DATA_DIR/stack.json, where every other command
    finds them, and printed as export lines. Data stays in GEKKO_DATA_DIR (default .gekko).

    \b
    Examples:
      gekko up
      gekko up --backtesters 4
      GEKKO_DATA_DIR=/var/lib/gekko GEKKO_HTTP_PORT=3100 gekko up
    """
    from gekko_common.infra.localstack import ServerStartError

    data = stackinfo.data_dir().resolve()
    running = stackinfo.recorded(data)
    if running:
        raise CliError(f"a stack already runs from {data} ({running.get('gateway', '?')}); stop it first")
    _stop_on_signals()
    stack = Stack(data)
    try:
        stack.servers()
        stack.services({"backtester": backtesters, "importer": importers, "runner": runners})
        stackinfo.record(data, stack.urls)
        click.echo(f"\nGekko API and websocket on {stack.urls['gateway']}/api  (Ctrl-C stops everything)")
        click.echo("Commands in other shells of this directory use this stack; elsewhere:")
        click.echo(stackinfo.export_lines(stack.urls) + "\n", nl=True)
        sys.stdout.flush()
        while True:
            stack.supervisor.check()
            time.sleep(0.25)
    except KeyboardInterrupt:
        pass
    except ServerStartError as exc:
        raise CliError(str(exc)) from None
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stackinfo.forget(data)
        _say("stopping ...")
        stack.supervisor.stop()
        _say("stopped")
