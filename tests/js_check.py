"""Replay recorded backtests of JavaScript strategies and compare them exactly with the recorded answers.

``python -m tests.js_check STRATEGIES REFERENCE [CANDLES]``: STRATEGIES is a strategy directory in
Gekko's layout, REFERENCE a directory of recorded ``/api/backtest`` cases (``{request, response}``
JSON files), CANDLES the 1-minute candle CSV (default: the one the test suite uses). Every case must
give the recorded trades (their ``portfolio`` aside), roundtrips and performanceReport.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from gekko_common.engine import Candles, load_strategy_dir, merge_base_config, run_backtest, select_daterange
from gekko_common.errors import EngineError


def _trades(trades: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in t.items() if k != "portfolio"} for t in trades]


def check(case: dict[str, Any], candles: Candles) -> list[str]:
    """The fields that differ from the recording (empty: an exact match)."""
    config = merge_base_config(case["request"])
    start, end = select_daterange(config)
    try:
        ours = run_backtest(config, candles.between(start, end))
    except EngineError as exc:
        return [f"error: {exc}"]
    expected = case["response"]
    diffs = []
    if ours.get("performanceReport") != expected.get("performanceReport"):
        diffs.append("performanceReport")
    if ours.get("roundtrips") != expected.get("roundtrips"):
        diffs.append("roundtrips")
    if _trades(ours.get("trades", [])) != _trades(expected.get("trades", [])):
        diffs.append("trades")
    return diffs


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__)
        return 2
    from tests.conftest import FULL_CSV

    strategies, reference = Path(argv[0]), Path(argv[1])
    candles = Candles.from_csv(Path(argv[2]) if len(argv) == 3 else FULL_CSV)
    load_strategy_dir(strategies)
    cases = sorted(p for p in reference.glob("*.json") if p.name[0].isdigit())
    failed = 0
    for path in cases:
        case = json.loads(path.read_text())
        began = time.perf_counter()
        diffs = check(case, candles)
        trades = len(case["response"].get("trades", []))
        verdict = "match" if not diffs else "DIFFERS: " + ", ".join(diffs)
        print(f"{path.stem:45} {trades:4} trades  {time.perf_counter() - began:5.2f} s  {verdict}")
        failed += bool(diffs)
    print(f"{len(cases) - failed} passed, {failed} failed")
    return 1 if failed or not cases else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
