"""The gateway's view of sweeps keeps each result as the JSON its backtester sent and answers it as is."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import msgspec

from gekko_common.messages import Envelope, encoder
from gekko_common.sweep import RESULTS, STARTED, UPDATE
from gekko_gateway.sweeps import SweepsView, sweep_event


def event(kind: str, payload: Any) -> bytes:
    return encoder.encode(Envelope(id="x", type=kind, source="s", seq=0, time=0.0, payload=payload))


def row(index: int) -> dict[str, Any]:
    return {"index": index, "params": {"MACD.short": index}, "report": {"profit": index / 3, "trades": 2},
            "metrics": {"sortino": None}, "objectives": {"relativeProfit": 1e-7 * index}}  # fmt: skip


def test_results_come_back_in_point_order_as_the_json_they_came_as() -> None:
    view = SweepsView()

    def deliver(kind: str, payload: Any) -> None:
        msg = SimpleNamespace(subject="gekko.events.sweep.s1", data=event(kind, payload))
        asyncio.run(view._on_msg(msg))  # type: ignore[arg-type]

    deliver(STARTED, {"id": "s1", "total": 4})
    deliver(RESULTS, {"chunk": 1, "part": 0, "parts": 1, "results": [row(2), row(3)]})
    deliver(RESULTS, {"chunk": 0, "part": 1, "parts": 2, "results": [row(1)]})
    deliver(RESULTS, {"chunk": 0, "part": 1, "parts": 2, "results": [row(1)]})  # a part delivered twice
    deliver(RESULTS, {"chunk": 0, "part": 0, "parts": 2, "results": [row(0)]})
    deliver(UPDATE, {"finished": True})
    record = view.get("s1", results=True)
    assert record is not None
    assert record["done"] == 4
    assert record["finished"] is True
    assert msgspec.json.decode(msgspec.json.encode(record["results"])) == [row(i) for i in range(4)]
    assert [bytes(r) for r in record["results"]] == [msgspec.json.encode(row(i)) for i in range(4)]
    assert "results" not in view.get("s1", results=False)  # type: ignore[operator]


def test_a_part_whose_results_have_no_index_is_ignored_and_other_events_decode_whole() -> None:
    assert sweep_event(event(RESULTS, {"chunk": 0, "results": [{"params": {}}]})) == (RESULTS, None)
    assert sweep_event(event(RESULTS, {"chunk": "zero", "results": []})) == (RESULTS, None)
    kind, part = sweep_event(event(RESULTS, {"chunk": 0, "results": [], "error": "boom"}))
    assert (kind, part) == (RESULTS, {"chunk": 0, "results": [], "error": "boom"})
    assert sweep_event(event(UPDATE, {"best": row(1)})) == (UPDATE, {"best": row(1)})
