"""Crashes for fault tests and the chaos suite: kill -9 of a server with every process it started."""

from __future__ import annotations

import contextlib
import signal

import psutil

from gekko_common.infra.localstack import NatsServer, PostgresServer


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid`` and its descendants (a crashed machine or container leaves nothing behind) and
    wait until they are gone."""
    with contextlib.suppress(psutil.NoSuchProcess):
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
        for p in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.send_signal(signal.SIGKILL)
        psutil.wait_procs(procs, timeout=10)


def kill_nats(server: NatsServer) -> None:
    """kill -9 the nats-server; ``server.start()`` brings it back on the same port with its JetStream data."""
    assert server.proc is not None
    kill_tree(server.proc.pid)
    server.proc.wait(5)


def kill_postgres(server: PostgresServer) -> None:
    """kill -9 the postmaster and its backends; ``server.start()`` recovers the cluster on the same port."""
    assert server.proc is not None
    kill_tree(server.proc.pid)
    server.proc.wait(5)
