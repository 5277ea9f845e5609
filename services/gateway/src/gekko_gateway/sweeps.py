"""The gateway's view of sweeps: a fold over the sweep events in JetStream, rebuilt at start (as imports)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from gekko_common import subjects
from gekko_common.infra import bus
from gekko_common.messages import envelope_decoder
from gekko_common.sweep import SweepBook

log = logging.getLogger(__name__)


class SweepsView:
    """Every sweep ever started, with its results."""

    def __init__(self) -> None:
        self.book = SweepBook()
        self._follower: bus.Follower | None = None
        self._finishing: dict[str, asyncio.Event] = {}
        """Sweeps someone waits on to finish (long polls of ``GET /api/sweeps/{id}?wait=``)."""

    async def _on_msg(self, msg: Msg) -> None:
        try:
            env = envelope_decoder.decode(msg.data)
        except Exception:
            log.warning("undecodable sweep event on %s", msg.subject)
            return
        sweep_id = msg.subject.rsplit(".", 1)[-1]
        self.book.apply(sweep_id, env.type, env.payload)
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
        """One sweep's record, with its results in point order when asked."""
        record = self.book.records.get(sweep_id)
        if record is None:
            return None
        return {**record, "results": self.book.results(sweep_id)} if results else dict(record)
