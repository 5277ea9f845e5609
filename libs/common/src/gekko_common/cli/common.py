"""What every ``gekko`` command shares: one-line errors, ``--json`` and ``-v``, running coroutines."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import IO, Any, TypeVar

import click

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class CliError(click.ClickException):
    """A user-facing failure: printed as one line ``gekko <command>: <message>``, exit code 1."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        ctx = click.get_current_context(silent=True)
        name = ctx.command_path if ctx else "gekko"
        click.echo(f"{name}: {self.format_message()}", err=True, file=file)


@dataclass(frozen=True)
class Output:
    """How a command reports: human text (rich) or one JSON document on stdout; ``-v`` notes on stderr."""

    json: bool = False
    verbose: bool = False

    def note(self, message: str) -> None:
        """A ``-v`` line (stderr, so JSON output stays clean)."""
        if self.verbose:
            click.echo(message, err=True)

    def info(self, message: str) -> None:
        """A progress or summary line for people: stderr in JSON mode, stdout otherwise."""
        click.echo(message, err=self.json)

    def emit(self, document: Any) -> None:
        """The command's JSON document (only in JSON mode)."""
        if self.json:
            click.echo(json.dumps(document, indent=2, default=str))


def output_options(fn: F) -> F:
    """Add ``--json`` and ``-v/--verbose`` (parameters ``as_json`` and ``verbose``; see make_output)."""
    fn = click.option("-v", "--verbose", is_flag=True, help="say which stack and files are used")(fn)
    return click.option("--json", "as_json", is_flag=True, help="print one JSON document (for scripts)")(fn)


def make_output(as_json: bool, verbose: bool) -> Output:
    """The Output of a command's ``--json`` and ``-v`` flags."""
    return Output(json=as_json, verbose=verbose)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine; Ctrl-C ends it with exit code 130 and no traceback."""
    import asyncio  # here, not at the top: commands without a coroutine (``gekko sweep``) start faster

    try:
        return asyncio.run(coro)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
