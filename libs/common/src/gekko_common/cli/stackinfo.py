"""Which stack the commands talk to: ``gekko up`` records it in ``GEKKO_DATA_DIR/stack.json``.

Each address comes from its environment variable when set, else from the stack file of a running
``gekko up``, else the default. A command checks that what it needs answers before it starts (a
few tries over a few seconds) and otherwise fails in one line naming the address and the variable.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import click

from gekko_common.cli.common import CliError, make_output, output_options

STACK_FILE = "stack.json"
REACH_TIMEOUT_S = 6.0
"""How long a command keeps trying to reach a server before it gives up."""

ENDPOINTS: dict[str, tuple[str, str, str]] = {
    "nats": ("NATS", "GEKKO_NATS_URL", "nats://127.0.0.1:4222"),
    "database": ("PostgreSQL", "GEKKO_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/gekko"),
    "gateway": ("the gateway", "GEKKO_GATEWAY_URL", "http://127.0.0.1:3000"),
}
"""Key -> (what it is, the variable that overrides it, the default address)."""


@dataclass(frozen=True)
class Endpoint:
    """One server a command may need, and where its address came from."""

    what: str
    variable: str
    url: str
    source: str

    @property
    def host_port(self) -> tuple[str, int]:
        """Host and port of the (first) URL."""
        first = urlsplit(self.url.split(",")[0].strip())
        default = {"nats": 4222, "postgresql": 5432, "postgres": 5432, "https": 443}.get(first.scheme, 80)
        return first.hostname or "127.0.0.1", first.port or default


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """GEKKO_DATA_DIR (default ``.gekko``)."""
    e = os.environ if env is None else env
    return Path(e.get("GEKKO_DATA_DIR") or ".gekko")


def record(directory: Path, urls: Mapping[str, str]) -> Path:
    """Write the stack file of a ``gekko up`` (this process) with its addresses."""
    path = directory / STACK_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), **urls}, indent=2))
    tmp.replace(path)
    return path


def forget(directory: Path) -> None:
    """Remove the stack file (``gekko up`` stopped)."""
    (directory / STACK_FILE).unlink(missing_ok=True)


def recorded(directory: Path) -> dict[str, str] | None:
    """The addresses of the ``gekko up`` still running from ``directory``, or None."""
    try:
        data = json.loads((directory / STACK_FILE).read_text())
        os.kill(int(data["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {k: v for k, v in data.items() if isinstance(v, str)}


def resolve(env: Mapping[str, str] | None = None) -> dict[str, Endpoint]:
    """Every endpoint with its address: the variable, else the running stack's file, else the default."""
    e = os.environ if env is None else env
    directory = data_dir(e)
    stack = recorded(directory) or {}
    found = {}
    for key, (what, variable, default) in ENDPOINTS.items():
        if e.get(variable):
            found[key] = Endpoint(what, variable, e[variable], variable)
        elif key in stack:
            found[key] = Endpoint(what, variable, stack[key], f"gekko up, recorded in {directory / STACK_FILE}")
        else:
            found[key] = Endpoint(what, variable, default, f"the default; no running gekko up in {directory}")
    return found


def answers(host: str, port: int) -> bool:
    """True when host:port accepts a TCP connection."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def reach(endpoint: Endpoint, timeout: float = REACH_TIMEOUT_S) -> None:
    """Wait until the endpoint accepts connections; a CliError naming it and its variable otherwise."""
    host, port = endpoint.host_port
    deadline = time.monotonic() + timeout
    while not answers(host, port):
        if time.monotonic() >= deadline:
            raise CliError(
                f"cannot reach {endpoint.what} at {host}:{port} ({endpoint.source}); "
                f"start the stack with `gekko up` or set {endpoint.variable}"
            )
        time.sleep(0.5)


def need(key: str, verbose: bool = False) -> str:
    """The URL of an endpoint the command needs, checked to answer (``-v`` says which one)."""
    endpoint = resolve()[key]
    if verbose:
        click.echo(f"using {endpoint.what} at {endpoint.url} ({endpoint.source})", err=True)
    reach(endpoint)
    return endpoint.url


def export_lines(urls: Mapping[str, str]) -> str:
    """``export VAR=url`` lines for a shell."""
    return "\n".join(f"export {ENDPOINTS[k][1]}={urls[k]}" for k in ENDPOINTS if k in urls)


@click.command("stack")
@output_options
def stack_command(as_json: bool, verbose: bool) -> None:
    """Show the stack the commands use, where each address comes from, and whether it answers.

    \b
    Examples:
      gekko stack
      eval "$(gekko stack --json | jq -r '.[] | "export \\(.variable)=\\(.url)"')"
    """
    out = make_output(as_json, verbose)
    rows = []
    for endpoint in resolve().values():
        up = answers(*endpoint.host_port)
        rows.append(
            {
                "what": endpoint.what,
                "variable": endpoint.variable,
                "url": endpoint.url,
                "source": endpoint.source,
                "up": up,
            }
        )
        if not out.json:
            click.echo(f"{endpoint.variable:<20} {endpoint.url:<48} {'up' if up else 'DOWN':<5} {endpoint.source}")
    out.emit(rows)
