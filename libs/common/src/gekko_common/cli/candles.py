"""``gekko import-csv`` and ``gekko export-csv``: candles in and out of the store as CSV.

The CSV columns are ``start,open,high,low,close,vwp,volume,trades``
(``start`` in unix seconds); ``.gz`` files are read and written compressed.
"""

from __future__ import annotations

import gzip
import io
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from gekko_common.cli.common import CliError, Output, make_output, output_options, run
from gekko_common.market import CANDLE_COLUMNS, Market

if TYPE_CHECKING:
    import polars as pl

CHUNK_ROWS = 20_000
"""``import-csv`` writes this many rows per transaction, and moves its progress bar after each."""


def read_csv(path: Path) -> pl.DataFrame:
    """A candle CSV as a frame; a clear ValueError when columns are missing."""
    import polars as pl  # loaded when used: keeps a command that cannot reach its stack quick

    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    frame = pl.read_csv(io.BytesIO(raw), schema_overrides={"start": pl.Int64})
    missing = [c for c in CANDLE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}; expected {','.join(CANDLE_COLUMNS)}")
    return frame


def _when(value: str | None, default: int, flag: str) -> int:
    if value is None:
        return default
    if value.isdigit():
        return int(value)
    from gekko_common.dates import parse_date
    from gekko_common.errors import ConfigError

    try:
        return parse_date(value, flag)
    except ConfigError as exc:
        raise CliError(exc.message) from None


async def _store(url: str) -> Any:
    from gekko_common.infra.store import CandleStore

    return await CandleStore.connect(url)


async def write_with_progress(url: str, market: Market, frame: pl.DataFrame, out: Output) -> int:
    """Store ``frame`` in chunks of CHUNK_ROWS with a progress bar on stderr when it is a terminal (rows
    of the file written, new candles, rows per second); returns how many candles were new."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn(f"importing {market.label}"),
        BarColumn(),
        TaskProgressColumn(),
        MofNCompleteColumn(),
        TextColumn("rows, {task.fields[new]} new, {task.fields[rate]} rows/s"),
        TimeElapsedColumn(),
    )
    store = await _store(url)
    written = 0
    started = time.perf_counter()
    try:
        console = Console(stderr=True)
        with Progress(*columns, console=console, disable=out.json or not console.is_terminal) as bar:
            task = bar.add_task("import", total=frame.height, new=0, rate=0)
            for chunk in frame.iter_slices(CHUNK_ROWS):
                written += int(await store.write(market, chunk))
                bar.advance(task, chunk.height)
                rate = bar.tasks[0].completed / max(time.perf_counter() - started, 1e-9)
                bar.update(task, new=written, rate=f"{rate:,.0f}")
        return written
    finally:
        await store.close()


def market_options(fn: Any) -> Any:
    """``--exchange``, ``--currency``, ``--asset``."""
    fn = click.option("--asset", required=True, help="base asset, e.g. BTC")(fn)
    fn = click.option("--currency", required=True, help="quote currency, e.g. USDT")(fn)
    return click.option("--exchange", required=True, help="exchange slug, e.g. binance")(fn)


@click.command("import-csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@market_options
@output_options
def import_csv_command(file: Path, exchange: str, currency: str, asset: str, as_json: bool, verbose: bool) -> None:
    """Load a candle CSV (columns start,open,high,low,close,vwp,volume,trades; .gz allowed) into the
    store of the stack, with a progress bar on stderr. Rows already stored are left as they are, so an
    interrupted import is completed by running it again.

    \b
    Examples:
      gekko import-csv btcusdt-1m.csv.gz --exchange binance --currency USDT --asset BTC
      gekko import-csv candles.csv --exchange binance --currency USDT --asset BTC --json
    """
    from gekko_common.cli.stackinfo import need

    out = make_output(as_json, verbose)
    url = need("database", verbose)
    from polars.exceptions import PolarsError  # after the check: polars takes a while to load

    try:
        frame = read_csv(file)
    except (OSError, ValueError, PolarsError) as exc:
        raise CliError(str(exc).splitlines()[0]) from None
    market = Market(exchange, currency, asset)
    started = time.perf_counter()
    try:
        written = run(write_with_progress(url, market, frame, out))
    except ValueError as exc:
        raise CliError(str(exc)) from None
    elapsed = time.perf_counter() - started
    out.info(f"{market.label}: {written} new of {frame.height} candles in {elapsed:.2f} s")
    out.emit({"market": market.label, "new": written, "rows": frame.height, "seconds": round(elapsed, 3)})


@click.command("export-csv")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@market_options
@click.option("--from", "start", metavar="DATE", help="first candle (date or unix seconds); default: the first stored")
@click.option("--to", "end", metavar="DATE", help="last candle (date or unix seconds); default: the last stored")
@output_options
def export_csv_command(
    file: Path,
    exchange: str,
    currency: str,
    asset: str,
    start: str | None,
    end: str | None,
    as_json: bool,
    verbose: bool,
) -> None:
    """Write a range of stored candles as CSV (gzip when FILE ends in .gz).

    \b
    Examples:
      gekko export-csv out.csv --exchange binance --currency USDT --asset BTC
      gekko export-csv june.csv.gz --exchange binance --currency USDT --asset BTC \\
        --from 2025-06-01 --to 2025-06-30T23:59Z
    """
    from gekko_common.cli.stackinfo import need

    out = make_output(as_json, verbose)
    url = need("database", verbose)
    market = Market(exchange, currency, asset)

    async def read() -> pl.DataFrame:
        store = await _store(url)
        try:
            bounds = await store.bounds(market)
            if bounds is None:
                raise CliError(f"no candles of {market.label} in the store")
            frame: pl.DataFrame = await store.read(
                market, _when(start, bounds[0], "--from"), _when(end, bounds[1], "--to")
            )
            return frame
        finally:
            await store.close()

    frame = run(read())
    buf = io.BytesIO()
    frame.write_csv(buf, float_precision=None)
    data = buf.getvalue()
    try:
        file.write_bytes(gzip.compress(data) if file.suffix == ".gz" else data)
    except OSError as exc:
        raise CliError(f"{file}: {exc.strerror}") from None
    out.info(f"{market.label}: {frame.height} candles written to {file}")
    out.emit({"market": market.label, "rows": frame.height, "file": str(file)})
