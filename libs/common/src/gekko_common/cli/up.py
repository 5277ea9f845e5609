"""``gekko up``: the whole system on this machine (``make run``).

Starts nats-server (JetStream) and PostgreSQL from their wheels unless GEKKO_NATS_URL /
GEKKO_DATABASE_URL point at existing servers, runs the migrations, starts the four services as
separate processes, prints the gateway URL and stops everything on Ctrl-C. Data lives in
GEKKO_DATA_DIR (default ``.gekko``) and survives restarts.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from gekko_common.infra import migrate
from gekko_common.infra.localstack import NatsServer, PostgresServer, ServerStartError, free_port, port_open
from gekko_common.infra.procs import ServiceProcess, wait_http_ok
from gekko_common.settings import Settings

NATS_PORT = 4222
PG_PORT = 5432


def register(sub: Any) -> None:
    """Add the ``up`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser("up", help="run NATS, PostgreSQL and the four services locally")
    p.add_argument("--backtesters", type=int, default=1, help="backtester processes (default 1)")
    p.add_argument("--importers", type=int, default=1, help="importer processes (default 1)")
    p.add_argument("--runners", type=int, default=1, help="runner processes (default 1)")
    p.set_defaults(func=run)


def local_secret_key(data: Path) -> str:
    """The key that encrypts stored exchange API keys on this machine (made once, kept in the data dir)."""
    path = data / "secret.key"
    if not path.exists():
        from cryptography.fernet import Fernet

        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return path.read_text().strip()


def _port(preferred: int) -> int:
    return preferred if not port_open("127.0.0.1", preferred) else free_port()


def run(args: argparse.Namespace) -> int:
    """Run the stack until Ctrl-C or SIGTERM."""
    settings = Settings.from_env()
    data = Path(settings.data_dir).resolve()
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    servers: list[Any] = []
    services: list[ServiceProcess] = []
    stop = False

    def on_signal(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        env = {"GEKKO_DATA_DIR": str(data), "GEKKO_SECRET_KEY": settings.secret_key or local_secret_key(data)}
        if os.environ.get("GEKKO_NATS_URL"):
            env["GEKKO_NATS_URL"] = settings.nats_url
        else:
            nats = NatsServer(data / "nats", port=_port(NATS_PORT)).start(log_file=logs / "nats.log")
            servers.append(nats)
            env["GEKKO_NATS_URL"] = nats.url
            print(f"nats-server     {nats.url}  (JetStream data in {nats.store_dir})")
        if os.environ.get("GEKKO_DATABASE_URL"):
            env["GEKKO_DATABASE_URL"] = settings.database_url
        else:
            pg = PostgresServer(data / "postgres", port=_port(PG_PORT)).start()
            servers.append(pg)
            env["GEKKO_DATABASE_URL"] = pg.url
            print(f"postgresql      {pg.url}  (data in {pg.data_dir})")
        migrate.upgrade(env["GEKKO_DATABASE_URL"])
        counts = {"backtester": args.backtesters, "importer": args.importers, "runner": args.runners}
        for name, n in counts.items():
            for i in range(1, n + 1):
                replica = f"{name}-{i}"
                proc_env = {**env, "GEKKO_HEALTH_PORT": str(free_port())}
                proc = ServiceProcess(replica, proc_env, logs / f"{replica}.log").start()
                services.append(proc)
                wait_http_ok(f"http://127.0.0.1:{proc_env['GEKKO_HEALTH_PORT']}/readyz", proc)
                print(f"{replica:<15} ready  (log: {proc.log_file})")
        gateway = ServiceProcess("gateway", env, logs / "gateway.log").start()
        services.append(gateway)
        url = f"http://{settings.http_host}:{settings.http_port}"
        wait_http_ok(url + "/readyz", gateway)
        print(f"\nGekko API and websocket on {url}/api  (Ctrl-C stops everything)\n", flush=True)
        while not stop:
            for proc in services:
                if not proc.alive:
                    print(
                        f"{proc.name} exited with code {proc.proc and proc.proc.returncode}; restarting it",
                        file=sys.stderr,
                    )
                    proc.start()
            time.sleep(0.5)
        return 0
    except ServerStartError as exc:
        print(f"gekko up: {exc}", file=sys.stderr)
        return 1
    finally:
        print("stopping ...", flush=True)
        for proc in reversed(services):
            proc.stop()
        for server in reversed(servers):
            server.stop()
        print("stopped", flush=True)
