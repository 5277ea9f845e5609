"""Engine throughput in 1-minute candles per second, data in memory (the 90-day file).

Run: ``.venv/bin/python benchmarks/bench_engine.py``. Targets (issue 3): MACD at candleSize 60
>= 5,000,000 candles/s; RSI at candleSize 1 >= 1,000,000 candles/s.
"""

from __future__ import annotations

import statistics
import sys
import time

from gekko_common.engine import Candles, merge_base_config, run_backtest
from gekko_emulator.data import BTCUSDT_90_DAYS as DATA


def config(method: str, size: int, params: dict, data: dict) -> dict:
    return merge_base_config(
        {
            "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
            "paperTrader": {
                "feeMaker": 0.25,
                "feeTaker": 0.25,
                "feeUsing": "maker",
                "simulationBalance": {"asset": 1, "currency": 100},
            },
            "tradingAdvisor": {"enabled": True, "method": method, "candleSize": size, "historySize": 10},
            method: params,
            "performanceAnalyzer": {"riskFreeReturn": 2},
            "backtestResultExporter": {"enabled": True, "data": data},
        }
    )


UI_DATA = {
    "stratUpdates": False,
    "roundtrips": True,
    "stratCandles": True,
    "stratCandleProps": ["open"],
    "trades": True,
}
REPORT_ONLY = {"stratUpdates": False, "roundtrips": False, "stratCandles": False, "trades": False}
CASES = [
    (
        "MACD",
        60,
        {"short": 10, "long": 21, "signal": 9, "thresholds": {"down": -0.025, "up": 0.025, "persistence": 1}},
        5_000_000,
    ),
    ("RSI", 1, {"interval": 14, "thresholds": {"low": 30, "high": 70, "persistence": 1}}, 1_000_000),
    # no targets: StochRSI, CCI, TSI, DEMA and varPPO run compiled; varPPO with RSI momentum (which
    # never trades, as in the original) takes the general (interpreted) pipeline, for comparison
    ("StochRSI", 5, {"interval": 3, "thresholds": {"low": 20, "high": 80, "persistence": 3}}, None),
    ("CCI", 5, {"constant": 0.015, "history": 90, "thresholds": {"up": 100, "down": -100, "persistence": 0}}, None),
    ("TSI", 5, {"short": 13, "long": 25, "thresholds": {"low": -25, "high": 25, "persistence": 1}}, None),
    ("DEMA", 5, {"weight": 21, "thresholds": {"down": -0.025, "up": 0.025}}, None),
    ("varPPO", 5, {"momentum": "TSI", "thresholds": {"weightLow": 120, "weightHigh": -120, "persistence": 0}}, None),
    ("varPPO", 5, {"momentum": "RSI", "thresholds": {"weightLow": 120, "weightHigh": -120, "persistence": 0}}, None),
]


def main() -> None:
    candles = Candles.from_csv(DATA)
    print(f"== {sys.executable} benchmarks/bench_engine.py   ({len(candles):,} 1-minute candles, 90 days)")
    for method, size, params, target in CASES:
        for label, data in (("UI export", UI_DATA), ("report only", REPORT_ONLY)):
            cfg = config(method, size, params, data)
            run_backtest(cfg, candles)  # warm caches
            times = []
            for _ in range(5):
                t = time.perf_counter()
                run_backtest(cfg, candles)
                times.append(time.perf_counter() - t)
            best = statistics.median(times)
            rate = len(candles) / best
            against = ""
            if target is not None:
                verdict = "ok" if rate >= target else "below target"
                against = f"  ({rate / target:.2f}x of the {target:,} target: {verdict})"
            name = f"{method}/{params['momentum']}" if "momentum" in params else method
            print(
                f"{name:>10} candleSize {size:>2} ({label:<11}): {best * 1000:7.1f} ms  {rate:>12,.0f} candles/s"
                + against
            )


if __name__ == "__main__":
    main()
