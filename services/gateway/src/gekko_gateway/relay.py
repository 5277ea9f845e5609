"""The websocket relay: NATS event subjects in, Gekko frames out to every connected client.

Each client has a backlog bounded in frames and in bytes. A client that cannot keep up is disconnected (close code 1013,
"try again later"); the original UI reconnects by itself and reloads its state over REST. Nothing a
slow client does reaches the NATS subscription or the other clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import msgspec
from litestar import WebSocket
from nats.aio.client import Client
from nats.aio.msg import Msg

from gekko_common import subjects
from gekko_common.infra import metrics
from gekko_common.messages import envelope_decoder, progress_decoder
from gekko_gateway.frames import progress_frame, to_frame

log = logging.getLogger(__name__)


class Client_:
    """One connected websocket and its outgoing queue."""

    def __init__(self, socket: WebSocket[Any, Any, Any], backlog: int) -> None:
        self.socket = socket
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(backlog)
        self.queued_bytes = 0
        self.dropped = asyncio.Event()


class Relay:
    """Fans frames out to websocket clients."""

    def __init__(self, backlog: int = 1000, backlog_bytes: int = 8 * 1024 * 1024) -> None:
        self.backlog = backlog
        self.backlog_bytes = backlog_bytes
        self.clients: set[Client_] = set()
        self.sent = 0
        self._subs: list[Any] = []

    async def start(self, nc: Client) -> None:
        """Subscribe to every event subject and to the backtests' progress."""
        self._subs = [
            await nc.subscribe(subjects.EVENTS_ALL, cb=self._on_msg),
            await nc.subscribe(subjects.BACKTEST_PROGRESS_ALL, cb=self._on_progress),
        ]

    async def stop(self) -> None:
        """Unsubscribe and close every client."""
        for sub in self._subs:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        for c in list(self.clients):
            self._drop(c, 1001)

    async def _on_msg(self, msg: Msg) -> None:
        if not self.clients:  # nobody to tell: a sweep's results, say, are not decoded for nothing
            return
        try:
            env = envelope_decoder.decode(msg.data)
        except msgspec.DecodeError:
            log.warning("undecodable event on %s", msg.subject)
            return
        frame = to_frame(msg.subject, env)
        if frame is not None:
            self.broadcast(msgspec.json.encode(frame))

    async def _on_progress(self, msg: Msg) -> None:
        if not self.clients:
            return
        try:
            report = progress_decoder.decode(msg.data)
        except (msgspec.DecodeError, msgspec.ValidationError):
            log.warning("undecodable progress report on %s", msg.subject)
            return
        self.broadcast(msgspec.json.encode(progress_frame(report)))

    def broadcast(self, data: bytes) -> None:
        """Queue one frame for every client; never blocks."""
        for c in list(self.clients):
            try:
                if c.queued_bytes + len(data) > self.backlog_bytes:
                    raise asyncio.QueueFull
                c.queue.put_nowait(data)
                c.queued_bytes += len(data)
            except asyncio.QueueFull:
                log.warning("websocket client too slow, disconnecting it")
                metrics.WEBSOCKET_DROPS.inc()
                self._drop(c, 1013)

    def _drop(self, c: Client_, code: int) -> None:
        self.clients.discard(c)
        metrics.WEBSOCKET_CLIENTS.set(len(self.clients))
        c.close_code = code  # type: ignore[attr-defined]
        c.dropped.set()

    async def serve(self, socket: WebSocket[Any, Any, Any]) -> None:
        """Run one websocket connection until either side closes it or it falls too far behind."""
        await socket.accept()
        client = Client_(socket, self.backlog)
        self.clients.add(client)
        metrics.WEBSOCKET_CLIENTS.set(len(self.clients))

        async def reader() -> None:
            # Gekko ignores anything a client sends; we read only to notice the close.
            with contextlib.suppress(Exception):
                while True:
                    await socket.receive_data(mode="text")

        async def writer() -> None:
            while True:
                data = await client.queue.get()
                client.queued_bytes -= len(data)
                await socket.send_data(data.decode(), mode="text")
                self.sent += 1

        tasks = {
            asyncio.create_task(reader()),
            asyncio.create_task(writer()),
            asyncio.create_task(client.dropped.wait()),
        }
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.clients.discard(client)
            metrics.WEBSOCKET_CLIENTS.set(len(self.clients))
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            # a client that stopped reading may never take the close frame: do not wait for it
            with contextlib.suppress(Exception):
                await asyncio.wait_for(socket.close(code=getattr(client, "close_code", 1000)), 2)
