"""``gekko sweep``: one config, a grid of strategy parameters, backtests spread over every backtester.

Each combination is one request in the backtest work queue; every backtester replica takes the next
one when it is free. A request whose replica dies is redelivered to another by JetStream (and sent
again should even that fail), so the sweep completes as long as one replica lives. Results are ranked by a report field.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import itertools
import json
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import click

from gekko_common.cli.backtest import load_config
from gekko_common.cli.common import run as cli_run

RETRIES = 3


@click.command("sweep")
@click.option(
    "--config",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="base Gekko config (config.js, JSON or TOML)",
)
@click.option(
    "--grid",
    multiple=True,
    metavar="PATH=V1,V2,...",
    help="a parameter and its values, e.g. MACD.short=5,10,15 (repeatable)",
)
@click.option(
    "--space",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='a JSON or TOML file of parameters and their values, e.g. {"MACD.short": [5, 10]}',
)
@click.option("--rank-by", default="relativeProfit", show_default=True, help="performanceReport field to rank by")
@click.option("--top", type=int, default=10, show_default=True, help="rows to print")
@click.option("--concurrency", type=click.IntRange(1, 1024), default=16, show_default=True, help="backtests in flight")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="write every result (params + report) as JSON"
)
@click.option("-v", "--verbose", is_flag=True, help="say which stack is used")
def sweep_command(**options: Any) -> None:
    """Backtest every combination of a parameter grid on the stack's backtesters and rank them.

    \b
    Examples:
      gekko sweep --config config.js --grid MACD.short=6,10,14 --grid MACD.long=21,30
      gekko sweep --config examples/gekko-config.json --space examples/sweep-space.json --rank-by sharpe
    """
    from gekko_common.cli.stackinfo import need

    args = argparse.Namespace(**{**options, "grid": list(options["grid"]) + space_specs(options.pop("space"))})
    args.nats_url = need("nats", args.verbose)
    sys.exit(cli_run(run(args)))


def space_specs(path: Path | None) -> list[str]:
    """A space file (``{"MACD.short": [5, 10]}``, JSON or TOML) as ``--grid`` specs."""
    if path is None:
        return []
    text = path.read_text()
    space = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    if not isinstance(space, dict) or not all(isinstance(v, list) and v for v in space.values()):
        raise click.BadParameter("the space maps parameter paths to lists of values", param_hint="--space")
    return [f"{key}={','.join(json.dumps(v) for v in values)}" for key, values in space.items()]


def parse_grid(specs: list[str]) -> dict[str, list[Any]]:
    """``["MACD.short=5,10"]`` -> ``{"MACD.short": [5, 10]}`` (values parsed as JSON where possible)."""
    grid: dict[str, list[Any]] = {}
    for spec in specs:
        path, sep, values = spec.partition("=")
        if not sep or not path or not values:
            raise ValueError(f"--grid takes PATH=V1,V2,..., got {spec!r}")
        parsed: list[Any] = []
        for v in values.split(","):
            try:
                parsed.append(json.loads(v))
            except json.JSONDecodeError:
                parsed.append(v)
        grid[path] = parsed
    return grid


def combinations(base: dict[str, Any], grid: dict[str, list[Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every (params, config) of the grid's cartesian product; exporter trimmed to the report."""
    out = []
    keys = list(grid)
    for values in itertools.product(*(grid[k] for k in keys)):
        config = copy.deepcopy(base)
        params = dict(zip(keys, values, strict=True))
        for path, value in params.items():
            node = config
            *parents, leaf = path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
        exporter = config.setdefault("backtestResultExporter", {})
        exporter["enabled"] = True
        exporter["data"] = {"stratUpdates": False, "roundtrips": False, "stratCandles": False, "trades": False}
        out.append((params, config))
    return out


async def run(args: argparse.Namespace) -> int:
    """Send every combination, retrying those whose replica died, and print the ranking."""
    from gekko_common import subjects
    from gekko_common.infra import bus
    from gekko_common.messages import RunBacktest, encoder, new_id

    try:
        jobs = combinations(load_config(args.config), parse_grid(args.grid))
    except (ValueError, OSError) as exc:
        print(f"gekko sweep: {exc}", file=sys.stderr)
        return 1
    nc = await bus.connect(args.nats_url, "gekko-sweep")
    js = nc.jetstream()
    limiter = asyncio.Semaphore(args.concurrency)
    results: list[dict[str, Any]] = []
    started = time.perf_counter()

    async def one(params: dict[str, Any], config: dict[str, Any]) -> None:
        async with limiter:
            for attempt in range(1, RETRIES + 1):
                request_id = new_id()
                payload = encoder.encode(RunBacktest(request_id=request_id, config=config))
                try:
                    answer = await bus.request(
                        nc, subjects.BACKTEST, payload, first_timeout=600, js=js, request_id=request_id
                    )
                    break
                except bus.BusError as exc:
                    if attempt == RETRIES:
                        results.append({"params": params, "error": str(exc)})
                        return
            if answer.error:
                results.append({"params": params, "error": answer.error})
            else:
                results.append({"params": params, "report": (answer.result or {}).get("performanceReport")})

    try:
        await asyncio.gather(*(one(p, c) for p, c in jobs))
    finally:
        await nc.close()
    elapsed = time.perf_counter() - started

    def score(r: dict[str, Any]) -> float:
        report = r.get("report") or {}
        value = report.get(args.rank_by)
        return float(value) if isinstance(value, int | float) else float("-inf")

    results.sort(key=score, reverse=True)
    print(f"{len(jobs)} backtests in {elapsed:.2f} s ({len(jobs) / elapsed:.1f}/s), ranked by {args.rank_by}")
    for r in results[: args.top]:
        shown = r.get("error") or (r.get("report") or {}).get(args.rank_by, "no trades")
        print(f"  {shown!s:>24}  {json.dumps(r['params'])}")
    if args.output:
        args.output.write_text(json.dumps(results, indent=2))
    return 0 if all("error" not in r for r in results) else 1
