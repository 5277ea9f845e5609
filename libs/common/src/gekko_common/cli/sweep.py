"""``gekko sweep``: a parameter search run as a server-side job on the backtesters.

The sweep is submitted to ``POST /api/sweep`` (a typo in a path or an objective is refused there,
before anything runs) and then followed on ``GET /api/sweeps/{id}`` with a progress bar. Detach
with ``--detach`` (or Ctrl-C): the sweep goes on; ``--attach ID`` follows it again from anywhere.
At the end the ranked table is printed and the results written as JSON (a list of objects with
``params`` and ``report``), CSV, Parquet and, for two searched parameters, a heatmap PNG.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import click

from gekko_common.cli.common import CliError
from gekko_common.cli.httpwire import Connection

if TYPE_CHECKING:
    from gekko_common.cli.sweep_results import Results

PROGRESS_S = 0.25
"""How often progress is read while a sweep runs (the gateway answers at once when it finishes)."""
FOLLOW_S = 10.0
"""Without a progress bar: how long one request waits for the sweep to finish."""
GATEWAY_PATIENCE_S = 120.0
"""How long the gateway may be unreachable (a restart) before the CLI gives up following."""


class SweepFailed(CliError):
    """The sweep ended with an error, or the gateway stopped answering."""


class Refused(CliError):
    """The request is wrong (the gateway's 400, a bad flag): nothing ran."""

    exit_code = 2


@click.command("sweep")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="base Gekko config (config.js, JSON or TOML)",
)
@click.option(
    "--grid",
    multiple=True,
    metavar="PATH=VALUES",
    help="a parameter and its values: MACD.short=5,10,15 or a range MACD.short=4..13 (step: 0.1..0.5:0.1)",
)
@click.option(
    "--space",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='a JSON or TOML file of parameters: lists or {min, max, step}, e.g. {"MACD.short": [5, 10]}',
)
@click.option(
    "--search",
    default="grid",
    show_default=True,
    type=click.Choice(["grid", "random", "tpe", "cmaes", "nsga2"]),
    help="grid, random, or an Optuna sampler (TPE, CMA-ES, NSGA-II for several objectives)",
)
@click.option("--trials", type=int, help="trial budget of random and optimiser searches")
@click.option("--seed", type=int, default=0, show_default=True, help="seed of random and optimiser searches")
@click.option("--patience", type=int, help="optimisers: stop after this many trials without improvement")
@click.option("--batch", type=int, help="optimisers: trials asked per generation")
@click.option(
    "--rank-by",
    default="relativeProfit",
    show_default=True,
    help="objective(s), comma-separated: a performanceReport field or maxDrawdown, sortino, winRate, profitFactor",
)
@click.option("--train", metavar="FROM..TO", help="in-sample date range (with --test)")
@click.option("--test", metavar="FROM..TO", help="out-of-sample date range (with --train)")
@click.option("--walk-forward", type=int, metavar="K", help="K walk-forward windows over the config's range")
@click.option("--top", type=int, default=10, show_default=True, help="rows to print")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="every result as JSON")
@click.option("--csv", type=click.Path(dir_okay=False, path_type=Path), help="every result as CSV")
@click.option("--parquet", type=click.Path(dir_okay=False, path_type=Path), help="every result as Parquet")
@click.option("--heatmap", type=click.Path(dir_okay=False, path_type=Path), help="PNG of the objective (2 parameters)")
@click.option("--detach", is_flag=True, help="print the sweep id and leave it running")
@click.option("--attach", metavar="ID", help="follow a sweep started before, then rank and write it")
@click.option("-v", "--verbose", is_flag=True, help="say which stack is used")
def sweep_command(**options: Any) -> None:
    """Search strategy parameters as a server-side job on every backtester, then rank the results.

    \b
    Examples:
      gekko sweep --config config.js --grid MACD.short=4..13 --grid MACD.long=18..37 --heatmap map.png
      gekko sweep --config config.js --space examples/sweep-space.json --rank-by sharpe --csv out.csv
      gekko sweep --config config.js --grid MACD.short=3..20 --search tpe --trials 500 --seed 7
      gekko sweep --config c.js --grid MACD.short=4..13 --train 2025-05-20..2025-07-15 --test 2025-07-15..2025-08-18
      gekko sweep --attach 3f2a...      # follow a sweep started with --detach (or left with Ctrl-C)
    """
    from gekko_common.cli.stackinfo import need

    args = SimpleNamespace(**options)
    run(args, need("gateway", args.verbose), os.environ.get("GEKKO_API_TOKEN"))
    # Done, everything written: leave without the interpreter's teardown (freeing every module and the
    # results one object at a time costs 20-30 ms, a tenth of a 1,000-point sweep's time).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _space_file(path: Path | None) -> dict[str, Any]:
    """A space file: parameter paths to lists of values or ``{min, max, step}`` ranges (JSON or TOML)."""
    if path is None:
        return {}
    text = path.read_text()
    if path.suffix == ".toml":
        import tomllib

        space = tomllib.loads(text)
    else:
        space = json.loads(text)
    if not isinstance(space, dict):
        raise Refused(f"{path}: the space maps parameter paths to values or ranges")
    return space


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_grid(specs: list[str]) -> dict[str, Any]:
    """``["MACD.short=5,10", "MACD.long=18..37"]`` -> ``{"MACD.short": [5, 10], "MACD.long": {"min": 18, "max": 37}}``
    (list values parsed as JSON where possible)."""
    grid: dict[str, Any] = {}
    for spec in specs:
        path, sep, values = spec.partition("=")
        if not sep or not path or not values:
            raise ValueError(f"--grid takes PATH=V1,V2,... or PATH=LOW..HIGH[:STEP], got {spec!r}")
        low, dots, rest = values.partition("..")
        if dots:
            high, _, step = rest.partition(":")
            bounds = {"min": _value(low), "max": _value(high)}
            if step:
                bounds["step"] = _value(step)
            if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in bounds.values()):
                raise ValueError(f"--grid range {spec!r} needs numbers")
            grid[path] = bounds
        else:
            grid[path] = [_value(v) for v in values.split(",")]
    return grid


def _daterange(text: str, flag: str) -> dict[str, str]:
    start, sep, end = text.partition("..")
    if not sep or not start or not end:
        raise ValueError(f"{flag} takes FROM..TO, got {text!r}")
    return {"from": start, "to": end}


def _load_config(path: Path) -> dict[str, Any]:
    from gekko_common.cli.backtest import load_config  # here: the backtest command's imports are heavier

    return load_config(path)


def request_body(args: SimpleNamespace) -> dict[str, Any]:
    """The POST /api/sweep body the flags describe."""
    if args.config is None:
        raise ValueError("--config is required (or --attach ID)")
    space = {**_space_file(args.space), **parse_grid(list(args.grid))}
    if not space:
        raise ValueError("give the parameters to search: --grid PATH=VALUES or --space FILE")
    if getattr(args, "heatmap", None) and len(space) != 2:  # refused before the sweep runs, not after
        raise ValueError(f"--heatmap needs exactly two searched parameters, the sweep has {len(space)}")
    search: dict[str, Any] = {"method": args.search, "seed": args.seed}
    for key in ("trials", "patience", "batch"):
        if getattr(args, key) is not None:
            search[key] = getattr(args, key)
    objectives = [o.strip() for o in args.rank_by.split(",") if o.strip()]
    body: dict[str, Any] = {
        "config": _load_config(args.config),
        "space": space,
        "objective": objectives[0] if len(objectives) == 1 else objectives,
        "search": search,
    }
    if (args.train is None) != (args.test is None):
        raise ValueError("--train and --test go together")
    if args.train:
        body["split"] = {"train": _daterange(args.train, "--train"), "test": _daterange(args.test, "--test")}
    if args.walk_forward is not None:
        body["walkForward"] = {"windows": args.walk_forward}
    return body


class GatewayAway(Exception):
    """The gateway did not answer (it restarts, or the address is wrong)."""


class Gateway:
    """The few gateway calls of a sweep, retried while the gateway restarts.

    Over one kept-alive connection of :mod:`gekko_common.cli.httpwire` (h11 on a socket: http.client's
    import alone costs more than the rest of the command's start, and ``gekko sweep``'s time counts from it).
    """

    def __init__(self, url: str, token: str | None) -> None:
        parts = urlsplit(url)
        self.url = url
        self.base = parts.path.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.conn = Connection(parts.scheme, parts.hostname or "127.0.0.1", parts.port)

    def _request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = {**self.headers, "Content-Type": "application/json"} if body is not None else self.headers
        try:
            return self.conn.request(method, self.base + path, body, headers)
        except OSError as exc:
            raise GatewayAway(str(exc)) from None

    def submit(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            status, content = self._request("POST", "/api/sweep", json.dumps(body).encode())
        except GatewayAway as exc:
            raise SweepFailed(f"cannot reach the gateway at {self.url}: {exc}") from None
        if status != 200:
            raise (Refused if status < 500 else SweepFailed)(_error(content))
        result: dict[str, Any] = json.loads(content)
        return result

    def sweep(self, sweep_id: str, results: bool, wait: float = 0) -> dict[str, Any]:
        """The sweep's record (with its results if asked); ``wait``: the gateway answers when the sweep
        finishes or after that many seconds."""
        give_up = time.monotonic() + GATEWAY_PATIENCE_S
        path = f"/api/sweeps/{quote(sweep_id, safe='')}?results={str(results).lower()}&wait={wait}"
        while True:
            try:
                status, content = self._request("GET", path)
                if status == 404:
                    raise Refused(f"no sweep {sweep_id!r}")
                if status == 200:
                    from gekko_common.cli.sweep_results import decode_record  # imported while the sweep ran

                    return decode_record(content, results)
            except GatewayAway:
                pass
            if time.monotonic() > give_up:
                raise SweepFailed(f"the gateway at {self.url} did not answer for {GATEWAY_PATIENCE_S:.0f} s")
            time.sleep(0.5)


def _error(content: bytes) -> str:
    try:
        body = json.loads(content)
        field = f" ({body['field']})" if body.get("field") else ""
        return f"{body.get('error', content.decode(errors='replace'))}{field}"
    except (ValueError, AttributeError):
        return content.decode(errors="replace")


def follow(gateway: Gateway, sweep_id: str) -> dict[str, Any]:
    """Show a progress bar until the sweep finishes; its record with results."""
    if not sys.stderr.isatty():  # nobody sees a bar: no rich to import
        record = gateway.sweep(sweep_id, results=True, wait=FOLLOW_S)  # a sweep done by then: one answer
        if record.get("finished"):
            return _checked(record, sweep_id)
        while not gateway.sweep(sweep_id, results=False, wait=FOLLOW_S).get("finished"):
            pass
        return _finished(gateway, sweep_id)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn(f"sweep {sweep_id}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("sweep", total=None)
        while True:
            record = gateway.sweep(sweep_id, results=False, wait=PROGRESS_S)
            bar.update(task, total=record.get("total"), completed=record.get("done", 0))
            if record.get("finished"):
                break
    return _finished(gateway, sweep_id)


def _finished(gateway: Gateway, sweep_id: str) -> dict[str, Any]:
    return _checked(gateway.sweep(sweep_id, results=True), sweep_id)


def _checked(record: dict[str, Any], sweep_id: str) -> dict[str, Any]:
    if record.get("error"):
        raise SweepFailed(f"sweep {sweep_id} failed: {record['error']}")
    return record


def print_table(rows: list[dict[str, Any]], objectives: list[str], with_oos: bool) -> None:
    """The ranked table of ``rows`` (the best ones): in-sample and, ``with_oos``, out-of-sample objectives
    side by side, then the parameters.

    Plain aligned text (no rich here: its import alone costs more than a small sweep)."""
    header = ["#"]
    for o in objectives:
        header += [f"{o} (in)", f"{o} (out)"] if with_oos else [o]
    table = [[*header, "trades", "params"]]
    for rank, r in enumerate(rows, 1):
        cells = [str(rank)]
        for o in objectives:
            cells.append(_cell((r.get("objectives") or {}).get(o)))
            if with_oos:
                cells.append(_cell((r.get("oos") or {}).get(o)))
        table.append([*cells, str((r.get("report") or {}).get("trades", 0)), json.dumps(r["params"])])
    widths = [max(len(row[i]) for row in table) for i in range(len(header) + 1)]
    for row in table:
        click.echo("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1])


def _cell(value: Any) -> str:
    return "-" if value is None else f"{value:.6g}"


def flat_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One flat row per result: rank, index, params, objectives (in and out of sample), report, metrics."""
    out = []
    for rank, r in enumerate(rows, 1):
        row: dict[str, Any] = {"rank": rank, "index": r["index"], **r["params"]}
        row.update({f"objective.{k}": v for k, v in (r.get("objectives") or {}).items()})
        row.update({f"oos.{k}": v for k, v in (r.get("oos") or {}).items()})
        row.update({f"report.{k}": v for k, v in (r.get("report") or {}).items()})
        row.update({f"metrics.{k}": v for k, v in (r.get("metrics") or {}).items()})
        out.append(row)
    return out


def write_outputs(args: SimpleNamespace, results: Results, order: list[int], objective: str) -> None:
    """JSON, CSV, Parquet and heatmap files, as asked (``order``: the results' positions, best first)."""
    if args.output:
        args.output.write_bytes(results.json_lines(order))  # one result a line, as the gateway encoded it
    if not (args.csv or args.parquet or args.heatmap):
        return
    rows = [results.row(i) for i in order]
    if args.csv or args.parquet:
        import polars as pl

        frame = pl.DataFrame(flat_rows(rows), infer_schema_length=None)
        if args.csv:
            frame.write_csv(args.csv)
        if args.parquet:
            frame.write_parquet(args.parquet)
    if args.heatmap:
        heatmap(rows, objective, args.heatmap)


def heatmap(rows: list[dict[str, Any]], objective: str, path: Path) -> None:
    """A PNG of ``objective`` over two searched parameters (the best value where points share a cell)."""
    keys = list(rows[0]["params"]) if rows else []
    if len(keys) != 2:
        raise Refused(f"--heatmap needs exactly two searched parameters, the sweep has {len(keys)}")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    xs = sorted({r["params"][keys[0]] for r in rows})
    ys = sorted({r["params"][keys[1]] for r in rows})
    grid = np.full((len(ys), len(xs)), np.nan)
    for r in reversed(rows):  # best last: it wins its cell
        value = (r.get("objectives") or {}).get(objective)
        if value is not None:
            grid[ys.index(r["params"][keys[1]]), xs.index(r["params"][keys[0]])] = value
    fig, ax = plt.subplots(figsize=(max(4, len(xs) * 0.5 + 2), max(3, len(ys) * 0.4 + 2)))
    image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(xs)), [str(x) for x in xs], rotation=90)
    ax.set_yticks(range(len(ys)), [str(y) for y in ys])
    ax.set_xlabel(keys[0])
    ax.set_ylabel(keys[1])
    fig.colorbar(image, label=objective)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _preload() -> None:
    """Import what reading the results takes while the backtesters run the sweep: the command's time
    counts from its start, the wait costs nothing."""
    import gekko_common.cli.sweep_results  # noqa: F401


def run(args: SimpleNamespace, url: str, token: str | None) -> None:
    """Submit (or attach to) a sweep, follow it, rank and write the results."""
    started = time.perf_counter()
    gateway = Gateway(url, token)
    objectives = [o.strip() for o in args.rank_by.split(",") if o.strip()]
    try:
        if args.attach:
            sweep_id = args.attach
        else:
            sweep_id = gateway.submit(request_body(args))["id"]
            if args.detach:
                click.echo(sweep_id)
                return
        _preload()
        try:
            record = follow(gateway, sweep_id)
        except KeyboardInterrupt:
            raise SweepFailed(f"detached; the sweep goes on: gekko sweep --attach {sweep_id}") from None
        objectives = list(record.get("objective") or objectives)
        results: Results = record["results"]
        order = results.ranked(objectives[0])
        elapsed = time.perf_counter() - started
        click.echo(
            f"{len(results)} backtests in {elapsed:.2f} s ({len(results) / elapsed:.1f}/s), ranked by {objectives[0]}"
            + (" (stopped early)" if record.get("stoppedEarly") else "")
            + f"  [sweep {sweep_id}]"
        )
        print_table([results.row(i) for i in order[: args.top]], objectives, results.out_of_sample)
        write_outputs(args, results, order, objectives[0])
    except (ValueError, OSError) as exc:
        raise Refused(str(exc)) from None
