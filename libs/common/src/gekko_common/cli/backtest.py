"""``gekko backtest --config FILE``: the original's ``node gekko --backtest --config config.js``.

By default the backtest runs on the stack's backtesters (through NATS, like ``POST /api/backtest``);
``--local`` runs the same use case in this process on the candle store, ``--csv`` on a CSV file with
no server at all. A Gekko ``config.js`` is evaluated by an embedded JavaScript engine (QuickJS).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from gekko_common.cli.common import CliError, Output, make_output, output_options, run

if TYPE_CHECKING:
    from gekko_common.messages import BacktestProgress

Sink = Callable[["BacktestProgress"], None]
"""Where a backtest's progress reports go (the progress bar)."""

JS_TIME_LIMIT_S = 2
JS_MEMORY_LIMIT = 64 * 1024 * 1024
JS_PRELUDE = """
var module = {exports: {}};
var exports = module.exports;
var process = {env: {}, platform: 'linux', argv: []};
function require(name) { return {}; }
"""
"""What a Gekko config.js expects around it: CommonJS ``module.exports``; ``require`` of anything
(sample-config.js asks ``require('./web/isWindows.js')``) gives an empty object."""


def load_js_config(text: str, name: str) -> Any:
    """Evaluate a CommonJS config file and return its ``module.exports`` as plain JSON data."""
    import quickjs

    ctx = quickjs.Context()
    ctx.set_time_limit(JS_TIME_LIMIT_S)
    ctx.set_memory_limit(JS_MEMORY_LIMIT)
    try:
        ctx.eval(JS_PRELUDE)
        ctx.eval(text)
        exported = ctx.eval("JSON.stringify(module.exports)")
    except quickjs.JSException as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "evaluation failed"
        raise ValueError(f"{name}: JavaScript error: {first}") from None
    if not isinstance(exported, str):
        raise ValueError(f"{name}: module.exports is not a config object")
    return json.loads(exported)


def _load_data(text: str, path: Path) -> Any:
    """A ``.toml`` or JSON config file's data; ValueError saying which format it is not."""
    try:
        if path.suffix == ".toml":
            import tomllib  # here: only a TOML config pays its import (``gekko sweep`` counts its start)

            return tomllib.loads(text)
        return json.loads(text)
    except ValueError as exc:  # json's and tomllib's decode errors
        kind = "TOML" if path.suffix == ".toml" else "JSON (a Gekko config.js must end in .js)"
        raise ValueError(f"{path}: not valid {kind}: {exc}") from None


def load_config(path: Path) -> dict[str, Any]:
    """A config file as a dict: ``.js`` (Gekko's config.js), ``.toml``, anything else JSON."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise ValueError(f"{path}: {exc.strerror}") from None
    data = load_js_config(text, path.name) if path.suffix in (".js", ".cjs") else _load_data(text, path)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the config must be an object")
    return data


def prepare(raw: dict[str, Any], start: str | None, end: str | None) -> dict[str, Any]:
    """The base config merged in, the daterange options applied, the exporter set for the report."""
    from gekko_common.engine import merge_base_config

    config = merge_base_config(raw)
    if start or end:
        daterange = (config.get("backtest") or {}).get("daterange")
        current = daterange if isinstance(daterange, dict) else {}
        config.setdefault("backtest", {})["daterange"] = {
            "from": start or current.get("from"),
            "to": end or current.get("to"),
        }
    exporter = config.setdefault("backtestResultExporter", {})
    exporter["enabled"] = True
    data = exporter.setdefault("data", {})
    for part in ("roundtrips", "trades", "stratCandles"):
        data[part] = True
    props = data.get("stratCandleProps")
    if isinstance(props, list) and "close" not in props:
        data["stratCandleProps"] = [*props, "close"]
    return config


def _failure(error: str, field: str | None) -> CliError:
    return CliError(f"{field}: {error}" if field and not error.startswith(field) else error)


async def via_service(config: dict[str, Any], nats_url: str, sink: Sink | None = None) -> dict[str, Any]:
    """The backtest on the stack's backtesters (the work queue behind ``POST /api/backtest``); its
    progress reports (what the websocket's ``backtest_progress`` frames carry) go to ``sink``."""
    from gekko_common import subjects
    from gekko_common.infra import bus
    from gekko_common.messages import RunBacktest, encoder, new_id, progress_decoder

    try:
        nc = await bus.connect(nats_url, "gekko-cli-backtest")
    except bus.BusError as exc:
        raise CliError(str(exc)) from None
    try:
        request_id = new_id()
        if sink is not None:

            async def heard(msg: Any) -> None:
                sink(progress_decoder.decode(msg.data))

            await nc.subscribe(subjects.backtest_progress(request_id), cb=heard)
        command = RunBacktest(request_id=request_id, config=config, progress_id=request_id if sink else None)
        payload = encoder.encode(command)
        reply = await bus.request(
            nc, subjects.BACKTEST, payload, first_timeout=120, js=nc.jetstream(), request_id=request_id
        )
    except bus.BusError as exc:
        raise CliError(f"{exc} (are the backtesters of `gekko up` running?)") from None
    finally:
        await nc.close()
    if reply.error:
        raise _failure(reply.error, reply.field)
    return dict(reply.result)


async def via_store(
    config: dict[str, Any], database_url: str, strategy_dir: str | None, sink: Sink | None = None
) -> dict[str, Any]:
    """The backtester's own use case, in this process, on the candle store."""
    from gekko_backtester.dataset import DatasetCache
    from gekko_backtester.handler import BacktestService
    from gekko_common.infra.store import CandleStore
    from gekko_common.messages import RunBacktest, new_id

    try:
        store = await CandleStore.connect(database_url, min_size=1, max_size=2)
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot connect to PostgreSQL at {database_url}: {exc}") from None
    try:
        service = BacktestService(store, DatasetCache(0), strategy_dir, sink)
        request_id = new_id()
        reply = await service.run(RunBacktest(request_id=request_id, config=config, progress_id=request_id))
    finally:
        await store.close()
    if reply.error:
        raise _failure(reply.error, reply.field)
    return dict(reply.result)


def via_csv(config: dict[str, Any], csv: Path, strategy_dir: str | None, sink: Sink | None = None) -> dict[str, Any]:
    """The engine on a CSV file's candles (``daterange: scan``: the whole file)."""
    from gekko_common.engine import Candles, load_strategy_dir, run_backtest, select_daterange
    from gekko_common.messages import new_id
    from gekko_common.progress import BacktestMeter

    if strategy_dir:
        load_strategy_dir(strategy_dir)
    candles = Candles.from_csv(csv)
    if (config.get("backtest") or {}).get("daterange", "scan") != "scan":
        start, end = select_daterange(config)
        candles = candles.take((candles.start >= start) & (candles.start <= end))
    if len(candles) == 0:
        raise CliError(f"no candles in {csv} between the requested dates")
    if sink is None:
        return run_backtest(config, candles)
    meter = BacktestMeter(new_id(), candles.start, sink, announce=True)
    meter.begin()
    result = run_backtest(config, candles, progress=meter)
    meter.end()
    return result


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Sink | None]:
    """A progress bar on stderr fed by the backtest's progress reports: percent of the date range's
    candles, candles per second and the date reached. Not enabled, or stderr not a terminal: no bar,
    no sink (nothing is written to a log or a pipe)."""
    from rich.console import Console

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("backtesting"),
        BarColumn(),
        TextColumn("{task.percentage:>5.1f}%"),
        TextColumn("{task.fields[rate]}"),
        TextColumn("{task.fields[at]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("backtest", total=100, rate="", at="")

        def show(report: BacktestProgress) -> None:
            at = report.at[:16].replace("T", " ") if report.at else ""
            bar.update(task, completed=report.percent, rate=f"{report.candles_per_s:,.0f} candles/s", at=at)

        yield show


def _run(
    config: dict[str, Any], url: str | None, local: bool, csv: Path | None, out: Output, sink: Sink | None
) -> dict[str, Any]:
    from gekko_common.errors import EngineError
    from gekko_common.settings import Settings

    strategy_dir = Settings.from_env().strategy_dir
    try:
        if csv:
            out.note(f"engine in this process on {csv}; strategies of GEKKO_STRATEGY_DIR={strategy_dir}")
            return via_csv(config, csv, strategy_dir, sink)
        assert url is not None
        if local:
            out.note(f"engine in this process; strategies of GEKKO_STRATEGY_DIR={strategy_dir}")
            return run(via_store(config, url, strategy_dir, sink))
        out.note("on the stack's backtesters (their GEKKO_STRATEGY_DIR)")
        return run(via_service(config, url, sink))
    except EngineError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"{csv}: {exc.strerror or exc}") from None


@click.command("backtest")
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="a Gekko config: config.js (evaluated), .json or .toml",
)
@click.option("--local", is_flag=True, help="run the engine in this process on the candle store (no NATS needed)")
@click.option(
    "--csv", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="candles from this CSV, no server"
)
@click.option("--from", "start", metavar="DATE", help="override backtest.daterange.from, e.g. 2025-05-20")
@click.option("--to", "end", metavar="DATE", help="override backtest.daterange.to, e.g. 2025-06-01T12:00Z")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="write the full result as JSON here")
@click.option(
    "--plot", type=click.Path(dir_okay=False, path_type=Path), help="draw price, trades and equity: out.png or out.html"
)
@output_options
def backtest_command(
    config_path: Path,
    local: bool,
    csv: Path | None,
    start: str | None,
    end: str | None,
    output: Path | None,
    plot: Path | None,
    as_json: bool,
    verbose: bool,
) -> None:
    """Run one backtest and print Gekko's report, extra metrics and the roundtrips.

    The config is Gekko's: watch, tradingAdvisor, the strategy's parameters, paperTrader and
    backtest.daterange ({from, to} or "scan": the market's one stored range). Without --local
    or --csv it runs on the backtesters of the stack (see `gekko stack`).

    \b
    Examples:
      gekko backtest --config config.js
      gekko backtest --config examples/macd.toml --from 2025-05-20 --to 2025-06-20 --plot macd.html
      gekko backtest --config config.json --local --json > result.json
      gekko backtest --config config.json --csv candles.csv.gz --plot run.png
    """
    from gekko_common.cli.report import EXTRA_METRICS_KEY, extra_metrics, render
    from gekko_common.cli.stackinfo import need

    out = make_output(as_json, verbose)
    url = None if csv else need("database" if local else "nats", verbose)  # before loading the engine
    try:
        config = prepare(load_config(config_path), start, end)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    with progress_bar(not out.json) as sink:
        result = _run(config, url, local, csv, out, sink)
    metrics = extra_metrics(result, config)
    document = {**result, EXTRA_METRICS_KEY: metrics}
    if output:
        output.write_text(json.dumps(document, indent=2))
    if plot:
        from gekko_common.cli.plot import write_plot

        try:
            write_plot(plot, result, config)
        except ValueError as exc:
            raise CliError(str(exc)) from None
    if out.json:
        out.emit(document)
        return
    render(result, config, metrics)
    for path, what in ((output, "full result"), (plot, "plot")):
        if path:
            click.echo(f"{what} written to {path}")
