"""``gekko import-csv`` and ``gekko export-csv``: candles in and out of the store as CSV.

The CSV columns are those of the emulator's candle files: ``start,open,high,low,close,vwp,volume,trades``
(``start`` in unix seconds); ``.gz`` files are read and written compressed.
"""

from __future__ import annotations

import argparse
import gzip
import io
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl

from gekko_common.market import CANDLE_COLUMNS, Market
from gekko_common.settings import Settings


def register(sub: Any) -> None:
    """Add the CSV subcommands."""
    imp: argparse.ArgumentParser = sub.add_parser("import-csv", help="load a candle CSV into the store")
    imp.add_argument("file", type=Path)
    _market_args(imp)
    imp.set_defaults(func=import_csv)
    exp: argparse.ArgumentParser = sub.add_parser("export-csv", help="write a range of stored candles as CSV")
    exp.add_argument("file", type=Path)
    _market_args(exp)
    exp.add_argument("--from", dest="start", help="first candle (date or unix seconds); default: the first stored")
    exp.add_argument("--to", dest="end", help="last candle (date or unix seconds); default: the last stored")
    exp.set_defaults(func=export_csv)


def _market_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--exchange", required=True)
    p.add_argument("--currency", required=True)
    p.add_argument("--asset", required=True)


def read_csv(path: Path) -> pl.DataFrame:
    """A candle CSV as a frame; a clear ValueError when columns are missing."""
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    frame = pl.read_csv(io.BytesIO(raw), schema_overrides={"start": pl.Int64})
    missing = [c for c in CANDLE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}; expected {','.join(CANDLE_COLUMNS)}")
    return frame


def _when(value: str | None, default: int) -> int:
    if value is None:
        return default
    if value.isdigit():
        return int(value)
    from gekko_common.dates import parse_date

    return parse_date(value, "date")


async def import_csv(args: argparse.Namespace) -> int:
    """Load the file; rows already stored are left as they are."""
    from gekko_common.infra.store import CandleStore

    try:
        frame = read_csv(args.file)
    except (OSError, ValueError) as exc:
        print(f"gekko import-csv: {exc}", file=sys.stderr)
        return 1
    market = Market(args.exchange, args.currency, args.asset)
    store = await CandleStore.connect(Settings.from_env().database_url)
    try:
        t = time.perf_counter()
        written = await store.write(market, frame)
        elapsed = time.perf_counter() - t
    except ValueError as exc:
        print(f"gekko import-csv: {exc}", file=sys.stderr)
        return 1
    finally:
        await store.close()
    print(f"{market.label}: {written} new of {frame.height} candles in {elapsed:.2f} s")
    return 0


async def export_csv(args: argparse.Namespace) -> int:
    """Write the range (gzip when the file name ends in .gz)."""
    from gekko_common.infra.store import CandleStore

    market = Market(args.exchange, args.currency, args.asset)
    store = await CandleStore.connect(Settings.from_env().database_url)
    try:
        bounds = await store.bounds(market)
        if bounds is None:
            print(f"gekko export-csv: no candles of {market.label}", file=sys.stderr)
            return 1
        frame = await store.read(market, _when(args.start, bounds[0]), _when(args.end, bounds[1]))
    finally:
        await store.close()
    buf = io.BytesIO()
    frame.write_csv(buf, float_precision=None)
    data = buf.getvalue()
    args.file.write_bytes(gzip.compress(data) if args.file.suffix == ".gz" else data)
    print(f"{market.label}: {frame.height} candles written to {args.file}")
    return 0
