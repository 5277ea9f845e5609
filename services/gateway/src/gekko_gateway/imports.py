"""The gateway's view of imports: a fold over the import events in JetStream, rebuilt at start."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from gekko_common import events, subjects
from gekko_common.infra import bus
from gekko_common.messages import Envelope, envelope_decoder

log = logging.getLogger(__name__)


def apply(records: dict[str, dict[str, Any]], import_id: str, env: Envelope) -> None:
    """Reduce one import event into the records (the original's ``/api/imports`` shape)."""
    if env.type == events.IMPORT_STARTED:
        records.setdefault(import_id, dict(env.payload))
        return
    record = records.get(import_id)
    if record is None:
        return
    if env.type == events.IMPORT_UPDATE and isinstance(env.payload, dict):
        record.update({k: v for k, v in env.payload.items() if k in ("latest", "done")})
    elif env.type == events.IMPORT_ERROR:
        record["error"] = env.payload


class ImportsView:
    """Every import ever started (running, finished, failed), in the order they started."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self._sub: Any = None
        self.last_seen = 0.0

    async def _on_msg(self, msg: Msg) -> None:
        self.last_seen = asyncio.get_running_loop().time()
        try:
            env = envelope_decoder.decode(msg.data)
        except Exception:
            log.warning("undecodable import event on %s", msg.subject)
            return
        parsed = subjects.parse_event_subject(msg.subject)
        if parsed is not None:
            apply(self.records, parsed[1], env)

    async def start(self, nc: Client, js: JetStreamContext) -> None:
        """Replay every import event, then keep following new ones."""
        self._sub = await bus.follow(nc, js, subjects.IMPORT_EVENTS, self._on_msg)

    def list(self) -> list[dict[str, Any]]:
        """The imports, oldest first."""
        return list(self.records.values())
