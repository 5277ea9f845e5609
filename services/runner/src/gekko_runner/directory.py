"""What the runners know about gekkos: a fold of the gekko event log, plus ownership leases in KV."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import KeyWrongLastSequenceError

from gekko_common import subjects
from gekko_common.infra import bus
from gekko_common.messages import envelope_decoder
from gekko_runner.trader import TRADE_EVENTS, TraderLog

log = logging.getLogger(__name__)

ENGINE_KEY = re.compile(r"^(\d+):(\d+)$")


class Directory:
    """Live gekkos (from ``gekko_new`` until ``gekko_archived``) and the last candle each one published."""

    def __init__(self) -> None:
        self.live: dict[str, dict[str, Any]] = {}
        self.last_candle: dict[str, str] = {}
        self.last_event: dict[str, tuple[int, int]] = {}
        """(candle start, index) of the newest engine event each gekko published (key ``<start>:<i>``)."""
        self.trading: dict[str, TraderLog] = {}
        """What each gekko's trade, trigger and first portfolio events say (for a takeover)."""
        self.changed = asyncio.Event()
        self._sub: Any = None

    async def _on_msg(self, msg: Msg) -> None:
        env = envelope_decoder.decode(msg.data)
        gekko_id = msg.subject[len(subjects.gekko_event("")) :]
        position = ENGINE_KEY.match(env.id[len(f"gekko-{gekko_id}:") :]) if env.id.startswith("gekko-") else None
        if position is not None:
            point = (int(position[1]), int(position[2]))
            self.last_event[gekko_id] = max(point, self.last_event.get(gekko_id, point))
        if env.type == "gekko_new":
            self.live[gekko_id] = env.payload
        elif env.type in ("gekko_archived", "gekko_deleted"):
            self.live.pop(gekko_id, None)
            if env.type == "gekko_deleted":
                self.trading.pop(gekko_id, None)
        elif env.type == "candle" and isinstance(env.payload, dict):
            self.last_candle[gekko_id] = env.payload["start"]
        elif env.type in TRADE_EVENTS or env.type in ("portfolioChange", "portfolioValueChange"):
            prefix = f"gekko-{gekko_id}:"
            key = env.id[len(prefix) :] if env.id.startswith(prefix) else env.id
            self.trading.setdefault(gekko_id, TraderLog()).add(env.type, env.payload, key)
            return
        else:
            return
        self.changed.set()

    async def start(self, nc: Client, js: JetStreamContext) -> None:
        """Replay the gekko events, then follow them."""
        self._sub = await bus.follow(nc, js, subjects.GEKKO_EVENTS, self._on_msg)


class Leases:
    """One runner owns a gekko while it renews a KV key (TTL-bound): a dead runner's gekkos free up."""

    def __init__(self, kv: Any, owner: str) -> None:
        self.kv = kv
        self.owner = owner.encode()
        self.revisions: dict[str, int] = {}

    async def acquire(self, gekko_id: str) -> bool:
        """Take the lease if nobody holds it."""
        try:
            self.revisions[gekko_id] = await self.kv.create(gekko_id, self.owner)
            return True
        except Exception:  # held by another runner (or a race for it)
            return False

    async def renew(self, gekko_id: str) -> bool:
        """Keep the lease; False when it was lost."""
        try:
            self.revisions[gekko_id] = await self.kv.update(gekko_id, self.owner, last=self.revisions[gekko_id])
            return True
        except (KeyWrongLastSequenceError, KeyError):
            return False
        except Exception:
            log.warning("lease renewal of %s failed", gekko_id, exc_info=True)
            return False

    async def release(self, gekko_id: str) -> None:
        """Give the lease up."""
        self.revisions.pop(gekko_id, None)
        try:
            await self.kv.delete(gekko_id)
        except Exception:
            log.debug("lease release of %s failed", gekko_id, exc_info=True)
