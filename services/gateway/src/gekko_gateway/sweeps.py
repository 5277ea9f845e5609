"""The gateway's view of sweeps: a fold over the sweep events in JetStream, rebuilt at start (as imports).

A result is kept as the JSON its backtester encoded (with its point index beside it): the gateway only
passes results on, so decoding each into objects and encoding it again for every ``GET`` (about 0.8 MB
for 1,000 points) would be work and memory for nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, TypedDict

import msgspec
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from gekko_common import subjects
from gekko_common.infra import bus
from gekko_common.sweep import RESULTS, SweepBook

log = logging.getLogger(__name__)


class _Event(msgspec.Struct):
    type: str
    payload: msgspec.Raw = msgspec.Raw(b"null")


class _Part(TypedDict, total=False):
    chunk: int
    part: int
    parts: int
    error: str | None
    results: list[msgspec.Raw]


class _Indexed(TypedDict):
    index: int


class _Indexes(TypedDict, total=False):
    results: list[_Indexed]


def sweep_event(data: bytes) -> tuple[str, Any]:
    """A sweep event's type and payload; a results part's results as ``{"index", "raw"}`` (the result's
    JSON). A part whose results have no index is None: the book ignores it."""
    event = msgspec.json.decode(data, type=_Event)
    if event.type != RESULTS:
        return event.type, msgspec.json.decode(event.payload)
    try:
        part = msgspec.json.decode(event.payload, type=_Part)
        indexes = msgspec.json.decode(event.payload, type=_Indexes).get("results", [])
    except msgspec.ValidationError:
        return event.type, None
    rows = [{"index": i["index"], "raw": raw} for i, raw in zip(indexes, part.get("results", []), strict=True)]
    return event.type, {**part, "results": rows}


class SweepsView:
    """Every sweep ever started, with its results."""

    def __init__(self) -> None:
        self.book = SweepBook()
        self._follower: bus.Follower | None = None
        self._finishing: dict[str, asyncio.Event] = {}
        """Sweeps someone waits on to finish (long polls of ``GET /api/sweeps/{id}?wait=``)."""

    async def _on_msg(self, msg: Msg) -> None:
        try:
            kind, payload = sweep_event(msg.data)
        except Exception:
            log.warning("undecodable sweep event on %s", msg.subject)
            return
        sweep_id = msg.subject.rsplit(".", 1)[-1]
        self.book.apply(sweep_id, kind, payload)
        if sweep_id in self._finishing and self.book.records.get(sweep_id, {}).get("finished"):
            self._finishing.pop(sweep_id).set()

    async def start(self, nc: Client, js: JetStreamContext) -> None:
        """Replay every sweep event, then keep following new ones."""
        self._follower = await bus.follow(nc, js, subjects.SWEEP_EVENTS, self._on_msg)

    async def wait_finished(self, sweep_id: str, wait: float) -> None:
        """Return once the sweep has finished, or after ``wait`` seconds."""
        record = self.book.records.get(sweep_id)
        if record is None or record.get("finished") or wait <= 0:
            return
        finishing = self._finishing.setdefault(sweep_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(finishing.wait(), wait)

    def list(self) -> list[dict[str, Any]]:
        """The sweeps' records (no results), oldest first."""
        return list(self.book.records.values())

    def get(self, sweep_id: str, results: bool) -> dict[str, Any] | None:
        """One sweep's record, with its results in point order when asked (each the JSON it came as)."""
        record = self.book.records.get(sweep_id)
        if record is None:
            return None
        return {**record, "results": [r["raw"] for r in self.book.results(sweep_id)]} if results else dict(record)
