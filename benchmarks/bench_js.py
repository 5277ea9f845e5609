"""JavaScript strategy throughput over the 90-day file, data in memory.

Run: ``.venv/bin/python benchmarks/bench_js.py``. The strategy is this project's JS MACD
(tests/strategies/js_MACD.js: a native indicator fed by the engine's Python code), at
candleSize 1 and 60, UI export. Printed: 1-minute candles/s and strategy candles/s, by wall clock and
by the process's CPU time (the figure that holds on a shared machine). Target
(issue 13): >= 100,000 candles/s on native indicators.
"""

from __future__ import annotations

import sys
import time
import tomllib
from pathlib import Path

from bench_engine import DATA, UI_DATA, config

from gekko_common.engine import Candles, load_strategy_dir, registered, run_backtest

ROOT = Path(__file__).resolve().parents[1]
TARGET = 100_000
RUNS = 5
"""Runs per candle size; the best is printed (the first of the process also loads compiled loops)."""


def main() -> int:
    load_strategy_dir(ROOT / "tests" / "strategies")
    params = tomllib.loads(registered()["js_MACD"].params)
    candles = Candles.from_csv(DATA)
    for size in (1, 60):
        cfg = config("js_MACD", size, params, UI_DATA)
        best = cpu = float("inf")
        for _ in range(RUNS):
            began, began_cpu = time.perf_counter(), time.process_time()
            result = run_backtest(cfg, candles)
            best = min(best, time.perf_counter() - began)
            cpu = min(cpu, time.process_time() - began_cpu)
        print(
            f"js_MACD candleSize {size:2}: {len(candles) / best:12,.0f} 1-minute candles/s, "
            f"{len(candles) // size / best:10,.0f} strategy candles/s ({best:.2f} s wall; "
            f"by CPU time {len(candles) / cpu:,.0f} / {len(candles) // size / cpu:,.0f}; "
            f"{len(result['trades'])} trades; target {TARGET:,})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
