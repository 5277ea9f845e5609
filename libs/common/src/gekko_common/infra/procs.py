"""Processes on this machine: the four services as children, and the supervisor ``gekko up`` runs them under."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from gekko_common.infra.localstack import ServerStartError, stop_process

SERVICE_MODULES = {
    "gateway": "gekko_gateway",
    "importer": "gekko_importer",
    "runner": "gekko_runner",
    "backtester": "gekko_backtester",
}


@dataclass
class ServiceProcess:
    """One service replica as a child process (``python -m <module>``)."""

    name: str
    env: Mapping[str, str]
    log_file: Path | None = None
    stop_timeout: float = 15.0
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> ServiceProcess:
        """Start the process; its logs go to ``log_file`` (or are inherited)."""
        module = SERVICE_MODULES[self.name.split("-")[0]]
        out = open(self.log_file, "ab") if self.log_file else None  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module],
            env={**os.environ, **self.env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a terminal's Ctrl-C reaches the supervisor only, which stops it
        )
        return self

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float | None = None) -> None:
        """SIGTERM, then SIGKILL after ``timeout`` (default: ``stop_timeout``)."""
        if self.proc:
            stop_process(self.proc, timeout=self.stop_timeout if timeout is None else timeout)

    def kill(self) -> None:
        """SIGKILL: a crash, for recovery tests."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


def wait_http_ok(url: str, proc: ServiceProcess, timeout: float = 30.0) -> None:
    """Wait until ``url`` answers 200; fail clearly when the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if not proc.alive:
            raise ServerStartError(f"{proc.name} exited (code {proc.proc and proc.proc.returncode}); see its log")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback URL we built
                if answer.status == 200:
                    return
        except OSError as exc:
            last = str(exc)
        time.sleep(0.1)
    raise ServerStartError(f"{proc.name} not ready at {url} within {timeout:.0f} s ({last})")


class Child(Protocol):
    """What the supervisor runs: a server or a service with a ``proc`` it starts and stops."""

    @property
    def proc(self) -> subprocess.Popen[bytes] | None: ...

    def start(self) -> object: ...

    def stop(self) -> None: ...


@dataclass
class _Entry:
    name: str
    child: Child
    tier: int
    started_at: float = field(default_factory=time.monotonic)
    failures: int = 0
    due: float | None = None


@dataclass
class Supervisor:
    """Restarts whatever it runs when it exits, with exponential back-off, and stops it all in parallel.

    Hand-written rather than supervisord or circus: the children are this package's own servers
    and services, whose start needs Python (ports picked, the stack file written, PostgreSQL's stale
    locks cleared), and the whole stack must stay one ``pip install``-able command.
    A child that ran ``stable_after`` seconds before it died is restarted after ``min_backoff``;
    each quick death doubles the wait, up to ``max_backoff``. ``announce`` gets one line per event.
    """

    announce: Callable[[str], None]
    min_backoff: float = 0.5
    max_backoff: float = 30.0
    stable_after: float = 60.0
    entries: list[_Entry] = field(default_factory=list)

    def add(self, name: str, child: Child, tier: int) -> None:
        """Watch a started child; higher tiers are stopped first (services before their servers)."""
        self.entries.append(_Entry(name, child, tier))

    def check(self) -> None:
        """Schedule the restart of every dead child and restart those whose wait is over."""
        now = time.monotonic()
        for entry in self.entries:
            proc = entry.child.proc
            if entry.due is None and proc is not None and proc.poll() is not None:
                self._schedule(entry, now, f"exited with code {proc.returncode}")
            elif entry.due is not None and now >= entry.due:
                self._restart(entry)

    def _schedule(self, entry: _Entry, now: float, why: str) -> None:
        entry.failures = 0 if now - entry.started_at >= self.stable_after else entry.failures + 1
        delay = min(self.max_backoff, self.min_backoff * 2**entry.failures)
        entry.due = now + delay
        self.announce(f"{entry.name} {why}; restarting in {delay:.1f} s")

    def _restart(self, entry: _Entry) -> None:
        entry.due = None
        entry.started_at = time.monotonic()
        try:
            entry.child.start()
        except ServerStartError as exc:
            self._schedule(entry, time.monotonic(), f"did not restart ({exc})")
            return
        proc = entry.child.proc
        self.announce(f"{entry.name} restarted (pid {proc.pid if proc else '?'})")

    def stop(self) -> None:
        """Stop every child, tier by tier from the highest, the children of a tier in parallel."""
        for tier in sorted({e.tier for e in self.entries}, reverse=True):
            group = [e.child for e in self.entries if e.tier == tier]
            with ThreadPoolExecutor(max_workers=len(group)) as pool:
                list(pool.map(lambda child: child.stop(), group))
