"""The gateway's view of live gekkos: the §4.3 fold over every gekko event in JetStream.

Rebuilt at start by replaying the stream, then kept current; a reduction uses each event's own
timestamp, so a restarted gateway answers ``/api/gekkos`` exactly as before.
"""

from __future__ import annotations

import logging
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from gekko_common import events, subjects
from gekko_common.gekko_state import reduce
from gekko_common.infra import bus
from gekko_common.messages import Envelope, envelope_decoder

log = logging.getLogger(__name__)


def apply(live: dict[str, Any], archive: dict[str, Any], gekko_id: str, env: Envelope) -> None:
    """Fold one event of gekko ``gekko_id`` into the live and archive maps."""
    kind = env.type
    if kind == events.GEKKO_NEW:
        if gekko_id not in archive:
            live.setdefault(gekko_id, env.payload)
        return
    if kind == events.GEKKO_DELETED:
        archive.pop(gekko_id, None)
        return
    state = live.get(gekko_id)
    if state is None:
        return  # events of a gekko that is no longer live are ignored (the original crashed on them)
    if kind == events.GEKKO_ERROR:
        state["errored"] = True
        state["errorMessage"] = env.payload
    elif kind in (events.GEKKO_STOPPED, events.GEKKO_ARCHIVED):
        state["stopped"] = True
        state["active"] = False
        if kind == events.GEKKO_ARCHIVED:
            archive[gekko_id] = live.pop(gekko_id)
    elif not kind.startswith(events.INTERNAL_PREFIX):
        reduce(state, kind, env.payload, env.time)


class GekkosView:
    """``{"live": {...}, "archive": {...}}`` as the original answers it."""

    def __init__(self) -> None:
        self.live: dict[str, Any] = {}
        self.archive: dict[str, Any] = {}
        self.seen: dict[str, int] = {}
        """The highest envelope ``seq`` of each gekko: where the gateway's own lifecycle events go on counting."""
        self._sub: Any = None

    async def _on_msg(self, msg: Msg) -> None:
        try:
            env = envelope_decoder.decode(msg.data)
        except Exception:
            log.warning("undecodable gekko event on %s", msg.subject)
            return
        parsed = subjects.parse_event_subject(msg.subject)
        if parsed is not None:
            self.seen[parsed[1]] = max(self.seen.get(parsed[1], 0), env.seq)
            apply(self.live, self.archive, parsed[1], env)

    async def start(self, nc: Client, js: JetStreamContext) -> None:
        """Replay every gekko event, then follow new ones."""
        self._sub = await bus.follow(nc, js, subjects.GEKKO_EVENTS, self._on_msg)

    def snapshot(self) -> dict[str, Any]:
        """The answer of ``GET /api/gekkos``."""
        return {"live": self.live, "archive": self.archive}

    def watcher_of(self, watch: dict[str, Any]) -> str | None:
        """The id of a live market watcher of ``watch``, if one runs."""
        for gekko_id, state in self.live.items():
            if state.get("logType") == "watcher" and state["config"].get("watch") == watch:
                return gekko_id
        return None
