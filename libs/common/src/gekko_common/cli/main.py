"""``gekko``: the command-line entry point; each subcommand module registers itself here."""

from __future__ import annotations

import argparse
import asyncio
import inspect
import sys
from collections.abc import Sequence

from gekko_common.cli import backtest, candles, sweep, up


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="gekko", description="Gekko-compatible server as scalable services")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (up, backtest, sweep, candles):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run one subcommand; its return value is the exit code."""
    args = build_parser().parse_args(argv)
    result = args.func(args)
    if inspect.isawaitable(result):
        result = asyncio.run(result)  # type: ignore[arg-type]
    sys.exit(int(result or 0))


if __name__ == "__main__":
    main()
