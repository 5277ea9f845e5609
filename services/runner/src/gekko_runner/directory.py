"""What the runners know about gekkos: a fold of the gekko event log, plus ownership leases in KV."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import msgspec
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError

from gekko_common import events, subjects
from gekko_common.events import CandleEvent, Event, decode_event
from gekko_common.infra import bus
from gekko_common.messages import Envelope, envelope_decoder
from gekko_runner.exchange_client import Fenced
from gekko_runner.trader_log import TRADING_EVENTS, TraderLog

log = logging.getLogger(__name__)

HOLD_S = bus.LEASE_TTL_S - 5.0
"""A lease counts as held this long after its last renewal was sent: the margin covers clock drift and
the time a renewal takes, so a runner stops trading a gekko before anyone else can take it."""

TRADING_NAMES = frozenset(cls.name for cls in TRADING_EVENTS)
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
        self.left: dict[str, dict[str, Any]] = {}
        """Tradebots stopped (archived or deleted) while their log says an order may be open."""
        self.seen: dict[str, int] = {}
        """The highest envelope ``seq`` of each gekko: where a new publisher of it goes on counting."""
        self.changed = asyncio.Event()
        self._sub: Any = None

    async def _on_msg(self, msg: Msg) -> None:
        env = envelope_decoder.decode(msg.data)
        gekko_id = msg.subject[len(subjects.gekko_event("")) :]
        self.seen[gekko_id] = max(self.seen.get(gekko_id, 0), env.seq)
        position = ENGINE_KEY.match(env.id[len(f"gekko-{gekko_id}:") :]) if env.id.startswith("gekko-") else None
        if position is not None:
            point = (int(position[1]), int(position[2]))
            self.last_event[gekko_id] = max(point, self.last_event.get(gekko_id, point))
        match env.type:
            case events.GEKKO_NEW:
                self.live[gekko_id] = env.payload
            case events.GEKKO_ARCHIVED | events.GEKKO_DELETED:
                self._ended(gekko_id, env.type)
            case CandleEvent.name if isinstance(env.payload, dict):
                self.last_candle[gekko_id] = env.payload["start"]
            case kind if kind in TRADING_NAMES:
                self._trading(gekko_id, env)
                return
            case _:
                return
        self.changed.set()

    def _ended(self, gekko_id: str, kind: str) -> None:
        state = self.live.pop(gekko_id, None)
        if state is not None and state.get("logType") == "tradebot":
            self.left[gekko_id] = state
        if kind == events.GEKKO_DELETED and gekko_id not in self.left:
            self.trading.pop(gekko_id, None)

    def _trading(self, gekko_id: str, env: Envelope) -> None:
        """A trade, trigger or portfolio event, folded into what a takeover needs."""
        prefix = f"gekko-{gekko_id}:"
        key = env.id[len(prefix) :] if env.id.startswith(prefix) else env.id
        try:
            event = decode_event(env.type, env.payload)
        except msgspec.ValidationError:
            log.warning("ignoring a malformed %s of %s", env.type, gekko_id, exc_info=True)
            return
        if isinstance(event, Event):
            self.trading.setdefault(gekko_id, TraderLog()).add(event, key)

    def left_unfinished(self) -> dict[str, dict[str, Any]]:
        """Stopped tradebots that may have left an order or a stop behind (their runner was gone)."""
        for gekko_id in list(self.left):
            trading = self.trading.get(gekko_id)
            if trading is None or not trading.unfinished():
                del self.left[gekko_id]
        return dict(self.left)

    async def start(self, nc: Client, js: JetStreamContext) -> None:
        """Replay the gekko events, then follow them."""
        self._sub = await bus.follow(nc, js, subjects.GEKKO_EVENTS, self._on_msg)


class Leases:
    """One runner owns a gekko while it renews a KV key (TTL-bound): a dead runner's gekkos free up.

    The key's revision is the fencing token. An exchange write for a gekko (:meth:`fence`) goes out only
    while the lease was renewed less than ``hold_s`` ago (well inside the TTL, so nobody else can hold
    it yet, even if this process was paused) and the key still has the revision this runner wrote.
    """

    def __init__(self, kv: Any, owner: str, hold_s: float = HOLD_S) -> None:
        self.kv = kv
        self.owner = owner.encode()
        self.hold_s = hold_s
        self.revisions: dict[str, int] = {}
        self.renewed: dict[str, float] = {}
        """When (monotonic) the write of each held lease was sent."""

    async def acquire(self, gekko_id: str) -> bool:
        """Take the lease if nobody holds it."""
        sent = time.monotonic()
        try:
            self.revisions[gekko_id] = await self.kv.create(gekko_id, self.owner)
        except Exception:  # held by another runner (or a race for it)
            return False
        self.renewed[gekko_id] = sent
        return True

    async def renew(self, gekko_id: str) -> bool:
        """Keep the lease; False when it was lost."""
        sent = time.monotonic()
        try:
            self.revisions[gekko_id] = await self.kv.update(gekko_id, self.owner, last=self.revisions[gekko_id])
        except (KeyWrongLastSequenceError, KeyError):
            self.renewed.pop(gekko_id, None)
            return False
        except Exception:
            log.warning("lease renewal of %s failed", gekko_id, exc_info=True)
            return self.held(gekko_id)
        self.renewed[gekko_id] = sent
        return True

    def held(self, gekko_id: str) -> bool:
        """Renewed recently enough that no other runner can hold the lease yet."""
        sent = self.renewed.get(gekko_id)
        return sent is not None and time.monotonic() - sent < self.hold_s

    async def fence(self, gekko_id: str) -> None:
        """Raise :class:`Fenced` unless this runner still holds the gekko's lease (before a write)."""
        if not self.held(gekko_id):
            raise Fenced(f"the lease of {gekko_id} was not renewed in time")
        try:
            entry = await self.kv.get(gekko_id)
        except KeyNotFoundError:
            raise Fenced(f"the lease of {gekko_id} is gone") from None
        except Exception:  # KV unreachable: the renewal deadline alone decides
            log.warning("lease check of %s failed", gekko_id, exc_info=True)
        else:
            if entry.revision != self.revisions.get(gekko_id) or entry.value != self.owner:
                raise Fenced(f"the lease of {gekko_id} was taken over")
        if not self.held(gekko_id):  # paused while asking
            raise Fenced(f"the lease of {gekko_id} was not renewed in time")

    async def release(self, gekko_id: str) -> None:
        """Give the lease up (only if it is still this runner's)."""
        self.renewed.pop(gekko_id, None)
        revision = self.revisions.pop(gekko_id, None)
        if revision is None:
            return
        try:
            await self.kv.delete(gekko_id, last=revision)
        except Exception:
            log.debug("lease release of %s failed", gekko_id, exc_info=True)
