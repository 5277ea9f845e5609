"""``gekko backtest --config FILE``: the original's ``node gekko --backtest``, against the candle store."""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

from gekko_common.settings import Settings


def register(sub: Any) -> None:
    """Add the ``backtest`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser("backtest", help="run one backtest from a Gekko config file")
    p.add_argument("--config", required=True, type=Path, help="Gekko config object, JSON or TOML")
    p.add_argument("--output", type=Path, help="write the full result as JSON here")
    p.add_argument("--csv", type=Path, help="read candles from this CSV instead of the database")
    p.set_defaults(func=run)


def load_config(path: Path) -> dict[str, Any]:
    """A config file as a dict (TOML when it ends in .toml, JSON otherwise)."""
    text = path.read_text()
    data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the config must be an object")
    return data


def format_report(result: dict[str, Any]) -> str:
    """The performance report as an aligned two-column table."""
    report = result.get("performanceReport")
    if not report:
        return "no trades: no performance report"
    width = max(len(k) for k in report)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in report.items())


async def run(args: argparse.Namespace) -> int:
    """Load candles, run the engine, print the report."""
    from gekko_common.engine import Candles, merge_base_config, run_backtest, select_daterange
    from gekko_common.errors import EngineError

    try:
        config = merge_base_config(load_config(args.config))
        start, end = select_daterange(config)
        if args.csv:
            candles = Candles.from_csv(args.csv)
            keep = (candles.start >= start) & (candles.start <= end)
            candles = candles.take(keep)
        else:
            from gekko_common.infra.store import CandleStore
            from gekko_common.market import Market

            watch = config.get("watch") or {}
            market = Market(str(watch.get("exchange")), str(watch.get("currency")), str(watch.get("asset")))
            store = await CandleStore.connect(Settings.from_env().database_url)
            try:
                candles = Candles.from_frame(await store.read(market, start, end))
            finally:
                await store.close()
        if len(candles) == 0:
            print("no candles in the requested range", file=sys.stderr)
            return 1
        result = run_backtest(config, candles)
    except (EngineError, ValueError, OSError) as exc:
        print(f"gekko backtest: {exc}", file=sys.stderr)
        return 1
    print(format_report(result))
    if args.output:
        args.output.write_text(json.dumps(result, indent=2))
        print(f"\nfull result written to {args.output}")
    return 0
