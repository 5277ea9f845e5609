"""The NATS adapter: connection with reconnects, JetStream setup, chunked replies, event publishing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    KeyValueConfig,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)

from gekko_common import subjects
from gekko_common.infra import metrics
from gekko_common.infra.faults import DependencyUnavailable, is_transient
from gekko_common.messages import Envelope, Reply, encoder, new_id, reply_decoder

log = logging.getLogger(__name__)

CHUNK = 512 * 1024
"""Bytes per reply chunk: stays well under NATS's default 1 MiB max_payload."""
CATCH_UP_S = 20.0
"""Longest a Follower's start waits for the callback to handle the stored events."""
HEARTBEAT_S = 2.0
"""A responder working on a long request sends a heartbeat this often; the requester waits while they come."""


ACK_WAIT_S = 10.0
"""A queued request whose replica stops reporting progress for this long goes to another replica."""
IMPORT_ACK_WAIT_S = 15.0
"""An import whose importer stops reporting progress for this long is resumed by another importer."""
IDLE_TIMEOUT_S = ACK_WAIT_S + 3 * HEARTBEAT_S + 5
QUEUE_MEASURE_S = 5.0
"""How often a work-queue consumer reports the queue's depth to its metrics."""
"""How long a requester waits without a heartbeat: long enough to see a redelivery take over."""
LEASE_TTL_S = 15.0
"""A runner's lease on a gekko expires this long after its last renewal; then another runner takes over."""


class BusError(DependencyUnavailable):
    """NATS is unreachable or a request got no answer."""


class PayloadTooLarge(ValueError):
    """A message (payload and headers) larger than the server's max_payload: sending it would make
    nats-server close the connection, so it is refused before anything is sent."""


HEADER_OVERHEAD = 64
"""Bytes of the NATS/1.0 header frame around the header lines, with room to spare."""


def ensure_fits(nc: Client, payload: bytes, headers: dict[str, str] | None = None, reserve: int = 0) -> None:
    """Raise PayloadTooLarge when ``payload`` with ``headers`` (and ``reserve`` bytes more, for an
    envelope still to come around it) exceeds what the server accepts."""
    size = len(payload) + reserve + HEADER_OVERHEAD + sum(len(k) + len(v) + 4 for k, v in (headers or {}).items())
    limit = nc.max_payload or 1024 * 1024
    if size > limit:
        raise PayloadTooLarge(f"message of {size} bytes exceeds the bus limit of {limit} bytes")


class NoResponders(BusError):
    """No service instance is subscribed to the subject."""


async def connect(
    url: str,
    name: str,
    *,
    connect_timeout: float = 5.0,
    on_closed: Callable[[], Awaitable[None]] | None = None,
    on_reconnected: Callable[[], Awaitable[None]] | None = None,
    first_connect_within: float | None = None,
) -> Client:
    """Connect to NATS with unlimited reconnects; fail clearly when the first connection is impossible
    (within ``first_connect_within`` seconds when given: nats-py would otherwise try a server that is
    down for ever, with unlimited reconnects).

    nats-py closes a connection for good on a server error other than a stale connection (a protocol
    violation, say): ``on_closed`` hears of it, so a service can exit and be restarted (crash-only).
    """

    last_error: list[Exception] = []

    async def on_error(exc: Exception) -> None:
        last_error[:] = [exc]
        log.warning("nats error: %s", exc)

    async def on_disconnected() -> None:
        log.info("nats disconnected")
        metrics.NATS_DISCONNECTS.inc()

    async def reconnected() -> None:
        log.info("nats reconnected")
        metrics.NATS_RECONNECTS.inc()
        if on_reconnected is not None:
            await on_reconnected()

    async def closed() -> None:
        if on_closed is not None:
            await on_closed()

    try:
        connecting = nats.connect(
            url,
            name=name,
            connect_timeout=connect_timeout,
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
            allow_reconnect=True,
            error_cb=on_error,
            disconnected_cb=on_disconnected,
            reconnected_cb=reconnected,
            closed_cb=closed,
        )
        return await asyncio.wait_for(connecting, first_connect_within)
    except TimeoutError:
        reason = last_error[0] if last_error else "no answer"
        raise BusError(f"cannot connect to NATS at {url} within {first_connect_within:.0f} s: {reason}") from None
    except Exception as exc:  # nats raises several unrelated types here
        raise BusError(f"cannot connect to NATS at {url}: {exc}") from exc


async def ensure_jetstream(nc: Client) -> JetStreamContext:
    """Create (or update) the streams and KV buckets of the system; idempotent."""
    js = nc.jetstream()
    streams = [
        StreamConfig(
            name=subjects.STREAM_EVENTS,
            subjects=list(subjects.STREAM_EVENTS_SUBJECTS),
            storage=StorageType.FILE,
            retention=RetentionPolicy.LIMITS,
            max_bytes=2 * 1024**3,
            duplicate_window=120,
        ),
        StreamConfig(
            name=subjects.STREAM_IMPORT_JOBS,
            subjects=list(subjects.STREAM_IMPORT_JOBS_SUBJECTS),
            storage=StorageType.FILE,
            retention=RetentionPolicy.WORK_QUEUE,
        ),
        StreamConfig(
            name=subjects.STREAM_BACKTESTS,
            subjects=[subjects.BACKTEST],
            storage=StorageType.FILE,
            retention=RetentionPolicy.WORK_QUEUE,
            max_age=3600,
            duplicate_window=120,
        ),
        StreamConfig(
            name=subjects.STREAM_SWEEPS,
            subjects=[subjects.SWEEP_JOB, subjects.SWEEP_CHUNK],
            storage=StorageType.FILE,
            retention=RetentionPolicy.WORK_QUEUE,
            duplicate_window=120,
        ),
    ]
    for cfg in streams:
        try:
            await js.add_stream(cfg)
        except nats.js.errors.BadRequestError:
            await js.update_stream(cfg)
    consumer = ConsumerConfig(
        durable_name=subjects.DURABLE_BACKTESTERS,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=ACK_WAIT_S,
        max_deliver=3,
        max_ack_pending=10_000,
    )
    with contextlib.suppress(nats.js.errors.BadRequestError):  # exists already (made by another replica)
        await js.add_consumer(subjects.STREAM_BACKTESTS, consumer)
    importers = ConsumerConfig(
        durable_name=subjects.DURABLE_IMPORTERS,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=IMPORT_ACK_WAIT_S,
        max_deliver=-1,
        max_ack_pending=1_000,
    )
    with contextlib.suppress(nats.js.errors.BadRequestError):
        await js.add_consumer(subjects.STREAM_IMPORT_JOBS, importers)
    for durable, subject, wait in (
        (subjects.DURABLE_SWEEP_DRIVERS, subjects.SWEEP_JOB, IMPORT_ACK_WAIT_S),
        (subjects.DURABLE_SWEEP_WORKERS, subjects.SWEEP_CHUNK, ACK_WAIT_S),
    ):
        sweeps = ConsumerConfig(
            durable_name=durable,
            filter_subject=subject,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=wait,
            max_deliver=-1,
            max_ack_pending=10_000,
        )
        with contextlib.suppress(nats.js.errors.BadRequestError):
            await js.add_consumer(subjects.STREAM_SWEEPS, sweeps)
    for bucket, ttl in ((subjects.KV_LEASES, LEASE_TTL_S), (subjects.KV_API_KEYS, 0.0)):
        try:
            await js.key_value(bucket)
        except nats.js.errors.BucketNotFoundError:
            await js.create_key_value(KeyValueConfig(bucket=bucket, ttl=ttl or None, history=1))
    return js


class EventPublisher:
    """Publishes one source's events in envelopes, numbered from 1, de-duplicated by JetStream on the id.

    ``epoch`` tells apart two publishers of the same source (a job resumed by another replica), so
    their events never collide in JetStream's duplicate window.
    """

    def __init__(
        self,
        js: JetStreamContext,
        subject: str,
        source: str,
        seq: int = 0,
        epoch: str = "",
        correlation_id: str | None = None,
    ) -> None:
        self._js = js
        self._subject = subject
        self._source = source
        self._epoch = f"{epoch}:" if epoch else ""
        self.seq = seq
        self.correlation_id = correlation_id

    async def publish(self, type_: str, payload: Any, correlation_id: str | None = None) -> Envelope:
        """Append one event to the stream and return its envelope."""
        self.seq += 1
        env = Envelope(
            id=subjects.event_id(self._source, f"{self._epoch}{self.seq}"),
            type=type_,
            source=self._source,
            seq=self.seq,
            time=time.time(),
            payload=payload,
            correlation_id=correlation_id or self.correlation_id,
        )
        data, headers = encoder.encode(env), {"Nats-Msg-Id": env.id}
        ensure_fits(self._js._nc, data, headers)
        await self._js.publish(self._subject, data, headers=headers)
        return env


# --- request/reply with chunked answers and heartbeats ---


async def reply(nc: Client, msg: Msg, answer: Reply) -> None:
    """Answer ``msg`` with ``answer``, split into chunks when it is larger than one message."""
    if msg.reply:
        await reply_to(nc, msg.reply, answer)


async def reply_to(nc: Client, subject: str, answer: Reply) -> None:
    """Send ``answer`` to a requester's inbox in chunks of at most CHUNK bytes."""
    data = encoder.encode(answer)
    total = max(1, -(-len(data) // CHUNK))
    for i in range(total):
        part = data[i * CHUNK : (i + 1) * CHUNK]
        await nc.publish(subject, part, headers={"Gekko-Chunk": f"{i}/{total}"})
    await nc.flush()


async def heartbeat(nc: Client, msg: Msg) -> None:
    """Tell the requester that its request is still being worked on."""
    if msg.reply:
        await nc.publish(msg.reply, b"", headers={"Gekko-Heartbeat": "1"})


async def request(
    nc: Client,
    subject: str,
    payload: bytes,
    *,
    first_timeout: float = 10.0,
    idle_timeout: float = IDLE_TIMEOUT_S,
    on_waiting: Callable[[], Awaitable[None]] | None = None,
    js: JetStreamContext | None = None,
    request_id: str | None = None,
    decoder: msgspec.json.Decoder[Any] = reply_decoder,
) -> Any:
    """Send a request and collect its (possibly chunked) reply.

    With ``js`` the request goes into a JetStream work queue (taken by whichever replica is free,
    redelivered if that replica dies) instead of straight to a core-NATS queue group.
    Waits as long as the responder sends heartbeats; gives up when nothing at all arrives within
    ``first_timeout`` or the heartbeats stop for ``idle_timeout``. The answer is a :class:`Reply`
    (``raw_reply_decoder``: a :class:`RawReply`, its result left encoded).
    """
    ensure_fits(nc, payload, {"Gekko-Reply-To": nc.new_inbox(), "Gekko-Deadline": "0" * 14, "Nats-Msg-Id": "0" * 64})
    inbox = nc.new_inbox()
    queue: asyncio.Queue[Msg] = asyncio.Queue()

    async def collect(m: Msg) -> None:
        await queue.put(m)

    sub = await nc.subscribe(inbox, cb=collect)
    try:
        if js is not None:
            headers = {"Gekko-Reply-To": inbox, "Gekko-Deadline": f"{time.time() + first_timeout:.3f}"}
            if request_id:
                headers["Nats-Msg-Id"] = request_id
            await js.publish(subject, payload, headers=headers)
        else:
            await nc.publish(subject, payload, reply=inbox)
        parts: dict[int, bytes] = {}
        total: int | None = None
        timeout = first_timeout
        while total is None or len(parts) < total:
            try:
                m = await asyncio.wait_for(queue.get(), timeout)
            except TimeoutError:
                raise BusError(f"no answer on {subject} within {timeout:.0f} s") from None
            timeout = idle_timeout
            headers = m.headers or {}
            if headers.get("Status") == "503":
                raise NoResponders(f"no service answers on {subject}")
            if "Gekko-Heartbeat" in headers:
                if on_waiting:
                    await on_waiting()
                continue
            chunk = headers.get("Gekko-Chunk")
            if chunk is None:
                return decoder.decode(m.data)
            index, _, count = chunk.partition("/")
            total = int(count)
            parts[int(index)] = m.data
        return decoder.decode(b"".join(parts[i] for i in range(total)))
    finally:
        await sub.unsubscribe()


async def query(
    nc: Client,
    subject: str,
    payload: bytes,
    *,
    answer_within: float = 5.0,
    attempts: int = 3,
    decoder: msgspec.json.Decoder[Any] = reply_decoder,
) -> Any:
    """A read-only request, asked again when nothing (no reply, no heartbeat) came within
    ``answer_within``: its responder died with it (killed mid-answer), and the queue group hands the
    next one to a live replica or the restarted one. Asking twice is harmless for a read. Raises
    NoResponders when no attempt was answered."""
    for attempt in range(1, attempts + 1):
        try:
            return await request(nc, subject, payload, first_timeout=answer_within, decoder=decoder)
        except NoResponders:
            raise
        except BusError:
            if attempt == attempts or not nc.is_connected:
                raise NoResponders(f"no service answered on {subject}") from None
    raise AssertionError("attempts must be at least 1")


Handler = Callable[[Msg], Awaitable[Reply]]


def failure_reply(exc: BaseException, where: str) -> Reply:
    """The answer to a request whose handler raised: 503 when a dependency is away, else 500.

    Neither names hosts, SQL or exception classes: those go to the log under a request id that the
    answer carries, so an operator can find them.
    """
    ref = new_id()[:12]
    fields = {"request_id": ref, "where": where, "error": f"{type(exc).__name__}: {exc}"}
    if is_transient(exc):
        log.warning("dependency unavailable", extra={"fields": fields})
        metrics.DEPENDENCY_FAULTS.labels(where).inc()
        return Reply(error=f"a dependency is unavailable, retry shortly (request id {ref})", status=503)
    log.error("handler failed", exc_info=exc, extra={"fields": fields})
    return Reply(error=f"internal error (request id {ref})", status=500)


async def serve(
    nc: Client,
    subject: str,
    handler: Handler,
    *,
    queue: str = "",
    concurrency: int = 8,
) -> Any:
    """Subscribe ``handler`` to ``subject``; every request gets exactly one Reply, heartbeats while it runs.

    An exception escaping the handler is a bug: it is logged and answered as a 500 Reply so the
    requester is not left waiting.
    """
    limiter = asyncio.Semaphore(concurrency)

    async def work(msg: Msg) -> Reply:
        async with limiter:
            return await handler(msg)

    async def run(msg: Msg) -> None:
        task = asyncio.ensure_future(work(msg))  # heartbeats also while it waits for a free slot
        while True:
            done, _ = await asyncio.wait({task}, timeout=HEARTBEAT_S)
            if done:
                break
            await heartbeat(nc, msg)
        try:
            answer = task.result()
        except Exception as exc:
            answer = failure_reply(exc, subject)
        await reply(nc, msg, answer)

    tasks: set[asyncio.Task[None]] = set()

    async def dispatch(msg: Msg) -> None:
        t = asyncio.create_task(run(msg))
        tasks.add(t)
        t.add_done_callback(tasks.discard)

    return await nc.subscribe(subject, queue=queue, cb=dispatch)


async def _with_heartbeats(nc: Client, msg: Msg, inbox: str | None, handler: Handler, stream: str) -> Reply:
    """Run ``handler`` on ``msg``, telling the requester and JetStream it is still at work meanwhile."""
    task = asyncio.ensure_future(handler(msg))
    while True:
        done, _ = await asyncio.wait({task}, timeout=HEARTBEAT_S)
        if done:
            break
        try:
            if inbox:
                await nc.publish(inbox, b"", headers={"Gekko-Heartbeat": "1"})
            await msg.in_progress()
        except Exception as exc:  # NATS away for a while: the work goes on, the next beat may pass
            if not is_transient(exc):
                raise
    try:
        return task.result()
    except Exception as exc:
        return failure_reply(exc, stream)


async def _past_outages(work: Awaitable[None], stream: str) -> None:
    """Await ``work``; an ack or reply lost to a NATS outage is logged, not raised (JetStream redelivers
    an unacknowledged request), so the worker keeps serving once NATS is back."""
    try:
        await work
    except Exception as exc:
        if not is_transient(exc):
            raise
        log.warning("request on %s not acknowledged: %s", stream, exc)


async def serve_queue(
    nc: Client,
    js: JetStreamContext,
    stream: str,
    durable: str,
    handler: Handler,
    *,
    concurrency: int = 1,
    stopping: asyncio.Event | None = None,
    reply_required: bool = True,
) -> list[asyncio.Task[None]]:
    """Work a JetStream work queue: each of ``concurrency`` workers fetches one request when it is free.

    A request is acked after its reply is sent; while it runs, heartbeats go to the requester and
    ``in_progress`` to JetStream. If this process dies, JetStream redelivers the request to another
    replica after the ack wait, and the requester (still receiving heartbeats until then) gets its answer
    from there. A request whose requester gave up before any replica started it is dropped.
    """
    psub = await js.pull_subscribe("", durable=durable, stream=stream)

    async def run_one(msg: Msg) -> None:
        headers = msg.headers or {}
        inbox = headers.get("Gekko-Reply-To")
        deadline = float(headers.get("Gekko-Deadline", "0") or 0)
        first_delivery = msg.metadata.num_delivered <= 1
        if not first_delivery:
            metrics.QUEUE_REDELIVERIES.labels(stream).inc()
        if (reply_required and not inbox) or (first_delivery and deadline and time.time() > deadline):
            await msg.ack()
            return
        answer = await _with_heartbeats(nc, msg, inbox, handler, stream)
        if inbox:
            await reply_to(nc, inbox, answer)
        await msg.ack()

    running = concurrency

    async def worker() -> None:
        nonlocal running
        try:
            while stopping is None or not stopping.is_set():
                try:
                    msgs = await psub.fetch(1, timeout=2)
                except (TimeoutError, nats.errors.TimeoutError):
                    continue
                except Exception:
                    if nc.is_closed:
                        return
                    log.warning("fetch from %s failed; retrying", stream, exc_info=True)
                    await asyncio.sleep(1)
                    continue
                for msg in msgs:
                    await _past_outages(run_one(msg), stream)
        finally:
            running -= 1
            if running == 0:
                # nats-py's fetch takes messages without task_done(): draining the connection with this
                # subscription still open would wait for its queue until the drain timeout
                with contextlib.suppress(Exception):
                    await psub.unsubscribe()

    async def measure_queue() -> None:
        while stopping is None or not stopping.is_set():
            with contextlib.suppress(Exception):  # NATS away: the gauge keeps its last value
                metrics.QUEUE_PENDING.labels(stream).set((await psub.consumer_info()).num_pending or 0)
            await asyncio.sleep(QUEUE_MEASURE_S)

    return [asyncio.create_task(worker()) for _ in range(concurrency)] + [asyncio.create_task(measure_queue())]


class Follower:
    """Replays every stored event on a subject into a callback, then keeps following it.

    How a process rebuilds state from the event log: start-up and recovery are the same path. After
    a reconnect (a NATS restart) it resubscribes from the last stream sequence it saw, so no event is
    missed or applied twice.
    """

    def __init__(self, nc: Client, js: JetStreamContext, subject: str, cb: Callable[[Msg], Awaitable[None]]) -> None:
        self.nc, self.js, self.subject, self.cb = nc, js, subject, cb
        self.last_seq = 0
        self.seen = 0
        """The consumer sequence of the last message handled: how far the callback got."""
        self.sub: Any = None
        self._reconnects = 0
        self._watch: asyncio.Task[None] | None = None
        self._wanted = 0
        self._handled = asyncio.Event()
        """Set when the callback has handled ``_wanted`` messages (what start waits for)."""

    async def _on_msg(self, msg: Msg) -> None:
        seq = msg.metadata.sequence.stream
        try:
            if seq <= self.last_seq:
                return
            self.last_seq = seq
            await self.cb(msg)
        finally:
            self.seen = msg.metadata.sequence.consumer
            if self.seen >= self._wanted:
                self._handled.set()

    async def _subscribe(self) -> None:
        self.seen = 0
        config = None
        if self.last_seq:
            config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=self.last_seq + 1)
        self.sub = await self.js.subscribe(
            self.subject,
            cb=self._on_msg,
            ordered_consumer=True,
            config=config,
            deliver_policy=None if config else DeliverPolicy.ALL,
        )

    async def start(self) -> Follower:
        """Subscribe, return once the callback has handled every stored event.

        ``num_pending == 0`` means only that the server has sent everything: the messages may still be
        on their way or queued for the callback (the answer to ``consumer_info`` can overtake them).
        Caught up is when the callback has also handled as many messages as the consumer delivered.
        """
        self._reconnects = self.nc.stats.get("reconnects", 0)
        await self._subscribe()
        give_up, pause = time.monotonic() + CATCH_UP_S, 0.005
        while time.monotonic() < give_up:
            try:
                info = await self.sub.consumer_info()
            except (TimeoutError, nats.errors.TimeoutError):  # a busy server: ask again until give_up
                continue
            if info.num_pending == 0:  # all sent: caught up once the callback has handled them
                if await self._handled_all(info.delivered.consumer_seq or 0, pause):
                    break
            else:
                await asyncio.sleep(pause)  # a long replay: ask again later
            pause = min(pause * 2, 0.05)
        self._watch = asyncio.create_task(self._watchdog())
        return self

    async def _handled_all(self, count: int, timeout: float) -> bool:
        """Whether the callback has handled ``count`` messages, waiting up to ``timeout`` for those in
        flight (a sweep driver waits here: it goes on the moment the last one is handled)."""
        self._wanted = count
        self._handled.clear()
        if self.seen < count:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._handled.wait(), timeout)
        return self.seen >= count

    async def stop(self) -> None:
        """Stop following."""
        if self._watch is not None:
            self._watch.cancel()
        with contextlib.suppress(Exception):
            await self.sub.unsubscribe()

    async def _watchdog(self) -> None:
        while True:
            await asyncio.sleep(1)
            reconnects = self.nc.stats.get("reconnects", 0)
            if reconnects != self._reconnects and self.nc.is_connected:
                self._reconnects = reconnects
                with contextlib.suppress(Exception):
                    await self.sub.unsubscribe()
                try:
                    await self._subscribe()
                    log.info("resumed following %s after a reconnect", self.subject)
                except Exception:
                    log.warning("could not resume %s; retrying", self.subject, exc_info=True)
                    self._reconnects = -1


async def follow(nc: Client, js: JetStreamContext, subject: str, cb: Callable[[Msg], Awaitable[None]]) -> Follower:
    """Start a :class:`Follower` of ``subject``."""
    return await Follower(nc, js, subject, cb).start()


def decode_request(msg: Msg, type_: type[Any]) -> Any:
    """Decode a typed command; raises msgspec.ValidationError / DecodeError on a malformed one."""
    return msgspec.json.decode(msg.data, type=type_)


__all__ = [
    "BusError",
    "EventPublisher",
    "NoResponders",
    "PayloadTooLarge",
    "connect",
    "decode_request",
    "ensure_fits",
    "ensure_jetstream",
    "heartbeat",
    "new_id",
    "reply",
    "request",
    "serve",
]
