"""How a sweep is cut into chunks: by the estimated cost of its points on a compiled kernel."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from gekko_backtester import sweeps
from gekko_backtester.sweeps import MAX_CHUNK_POINTS, PART_POINTS, check, chunk_size, driver_event, part_size
from gekko_common.errors import ConfigError
from gekko_common.messages import Envelope, encoder
from gekko_common.sweep import RESULTS, UPDATE

DAYS_90 = {"from": "2025-05-20T00:00:00Z", "to": "2025-08-18T00:00:00Z"}
BLOCKS = {
    "MACD": {"short": 10, "long": 21, "signal": 9, "thresholds": {"down": -0.025, "up": 0.025, "persistence": 1}},
    "RSI": {"interval": 14, "thresholds": {"low": 30, "high": 70, "persistence": 1}},
    "varPPO": {"momentum": "RSI", "thresholds": {"weightLow": 120, "weightHigh": -120, "persistence": 0}},
}


def body(method: str, candle_size: int, space: dict[str, Any], daterange: Any = DAYS_90, **extra: Any) -> dict:
    config = {
        "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
        "tradingAdvisor": {"enabled": True, "method": method, "candleSize": candle_size, "historySize": 10},
        "backtest": {"daterange": daterange},
        **BLOCKS,
    }
    return {"config": config, "space": space, "objective": "relativeProfit", **extra}


MACD_GRID = {
    "MACD.short": {"min": 4, "max": 13},
    "MACD.long": {"min": 18, "max": 37},
    "MACD.signal": {"min": 5, "max": 9},
}
MACD_10K = {
    "MACD.short": {"min": 3, "max": 27},
    "MACD.long": {"min": 20, "max": 59},
    "MACD.signal": {"min": 3, "max": 12},
}


def size(request: dict) -> tuple[int, int]:
    spec = check(request)
    points = spec.points()
    return chunk_size(spec, points), len(points)


def test_a_cheap_compiled_grid_is_one_chunk_and_a_large_one_is_cut_for_every_replica() -> None:
    chunk, points = size(body("MACD", 60, MACD_GRID))
    assert points == 1000
    assert chunk >= points
    chunk, points = size(body("MACD", 60, MACD_10K))
    assert chunk == MAX_CHUNK_POINTS
    assert points // chunk >= 2


def test_a_costly_compiled_grid_gets_small_chunks() -> None:
    space = {
        "RSI.interval": {"min": 5, "max": 24},
        "RSI.thresholds.high": {"min": 60, "max": 78, "step": 2},
        "RSI.thresholds.low": {"min": 20, "max": 40, "step": 5},
    }
    chunk, points = size(body("RSI", 1, space))
    assert chunk == PART_POINTS
    assert points // chunk >= 2


def test_a_scanned_range_and_an_interpreted_strategy_keep_their_sizes() -> None:
    assert size(body("MACD", 60, MACD_GRID, daterange="scan"))[0] == 400
    space = {
        "varPPO.thresholds.weightLow": {"min": 50, "max": 249, "step": 10},
        "varPPO.thresholds.persistence": {"min": 0, "max": 9},
    }
    assert size(body("varPPO", 5, space)) == (5, 200)  # RSI momentum: no kernel for those parameters


def test_results_parts_are_smaller_with_windows() -> None:
    assert part_size(check(body("MACD", 60, MACD_GRID))) == PART_POINTS
    assert part_size(check(body("MACD", 60, MACD_GRID, walkForward={"windows": 2}))) == PART_POINTS // 5


def test_a_sweep_is_checked_once_per_replica_and_a_bad_one_is_not_kept(monkeypatch) -> None:
    checked: list[dict] = []
    monkeypatch.setattr(sweeps, "check", lambda b: checked.append(b) or check(b))
    replica = sweeps.Sweeps(None, None, None)  # type: ignore[arg-type]  # spec() needs no bus
    good = body("MACD", 60, MACD_GRID)
    first = replica.spec("s1", good)
    assert replica.spec("s1", good) is first
    assert len(checked) == 1
    bad = body("MACD", 60, {"MACD.shrot": [5]})
    for _ in range(2):
        with pytest.raises(ConfigError):
            replica.spec("s2", bad)
    assert len(checked) == 3
    for n in range(sweeps.SPECS_KEPT + 1):
        replica.spec(f"other{n}", good)
    replica.spec("s1", good)
    assert len(checked) == 3 + sweeps.SPECS_KEPT + 2  # s1 was dropped as the oldest, checked again


def test_a_driver_reads_a_results_part_without_its_reports() -> None:
    row = {"index": 3, "params": {"MACD.short": 5}, "report": {"profit": 1.5}, "metrics": {"sortino": None},
           "objectives": {"relativeProfit": 2.5, "sharpe": None}}  # fmt: skip
    part = {"chunk": 0, "part": 1, "parts": 4, "results": [row]}

    def event(kind: str, payload: object) -> bytes:
        return encoder.encode(Envelope(id="x", type=kind, source="s", seq=0, time=0.0, payload=payload))

    kind, payload = driver_event(event(RESULTS, part))
    assert kind == RESULTS
    assert payload == {"chunk": 0, "part": 1, "parts": 4,
                       "results": [{"index": 3, "params": {"MACD.short": 5}, "objectives": row["objectives"]}]}  # fmt: skip
    assert driver_event(event(RESULTS, {"chunk": 0, "results": [], "error": "boom"}))[1]["error"] == "boom"
    assert driver_event(event(RESULTS, {"chunk": "zero", "results": 7})) == (RESULTS, {"chunk": "zero", "results": 7})
    assert driver_event(event(UPDATE, {"done": 5, "best": row})) == (UPDATE, {"done": 5, "best": row})
    assert driver_event(event(UPDATE, None)) == (UPDATE, None)
    with pytest.raises(msgspec.DecodeError):
        driver_event(b"not json")
