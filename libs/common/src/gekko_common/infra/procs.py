"""Service processes on this machine: how ``gekko up`` and the integration tests run the four services."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

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
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> ServiceProcess:
        """Start the process; its logs go to ``log_file`` (or are inherited)."""
        module = SERVICE_MODULES[self.name.split("-")[0]]
        out = open(self.log_file, "ab") if self.log_file else None  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module], env={**os.environ, **self.env}, stdout=out, stderr=subprocess.STDOUT
        )
        return self

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout``."""
        if self.proc:
            stop_process(self.proc, timeout=timeout)

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
