"""``gekko``: the command-line entry point, on click.

Each subcommand lives in its own module and is imported only when it runs (or when its own help is
asked for), so ``gekko --help`` loads click and nothing of the engine, polars or numba.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click

from gekko_common.version import VERSION

COMMANDS: dict[str, tuple[str, str]] = {
    "up": ("gekko_common.cli.up", "run NATS, PostgreSQL and the four services on this machine"),
    "backtest": ("gekko_common.cli.backtest", "run one backtest from a Gekko config (config.js, JSON or TOML)"),
    "sweep": ("gekko_common.cli.sweep", "backtest a grid of strategy parameters on every backtester"),
    "import": ("gekko_common.cli.importing", "import candles from an exchange through the importer"),
    "import-csv": ("gekko_common.cli.candles", "load a candle CSV into the store"),
    "export-csv": ("gekko_common.cli.candles", "write a range of stored candles as CSV"),
    "strategies": ("gekko_common.cli.scaffold", "list the strategies and their default parameters"),
    "new-strategy": ("gekko_common.cli.scaffold", "write a strategy template to start from"),
    "new-config": ("gekko_common.cli.scaffold", "write a commented Gekko config to start from"),
    "stack": ("gekko_common.cli.stackinfo", "show which stack the commands use (and export lines)"),
}
"""Command name -> (module defining a click command of that name, one-line summary for ``gekko --help``)."""


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (keeps ``gekko --help`` fast)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(entry[0])
        command: click.Command = getattr(module, cmd_name.replace("-", "_") + "_command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, summary) in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(VERSION, "-V", "--version", prog_name="gekko", message="%(prog)s %(version)s")
def gekko() -> None:
    """A Gekko-compatible trading bot server, run as services on NATS.

    \b
    Start the stack, then use it from any shell in the same directory:
      gekko up                                  # NATS, PostgreSQL, the services; prints export lines
      gekko import-csv candles.csv --exchange binance --currency USDT --asset BTC
      gekko backtest --config config.js         # a Gekko config.js, JSON or TOML
      gekko backtest --config config.js --local --plot run.html

    \b
    The commands find the stack that `gekko up` recorded in GEKKO_DATA_DIR (default .gekko);
    GEKKO_NATS_URL, GEKKO_DATABASE_URL and GEKKO_GATEWAY_URL override it. `gekko stack` shows which.
    Shell completion: eval "$(_GEKKO_COMPLETE=bash_source gekko)"  (zsh_source, fish_source).
    """


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line (``argv`` defaults to the process arguments)."""
    gekko.main(args=list(argv) if argv is not None else sys.argv[1:], prog_name="gekko")


if __name__ == "__main__":
    main()
