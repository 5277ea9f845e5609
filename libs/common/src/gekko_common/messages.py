"""The wire: one event envelope, the commands the gateway sends, health answers.

Events are immutable past-tense facts; commands are imperative requests. Encoders and decoders
are built once per type. New fields go at the end with defaults, and readers ignore fields they do
not know, so schemas can evolve.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from gekko_common.events import wire_encoder

SCHEMA_VERSION = 1


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    """Every event on the bus: ``type`` is Gekko's event name, ``payload`` its Gekko payload.

    ``id`` is unique per event (JetStream de-duplicates on it, consumers too); ``source`` names the
    import or gekko that produced it; ``seq`` counts the events of that source from 1;
    ``correlation_id`` names what caused it (an HTTP request, an import job, a runner's run).
    """

    id: str
    type: str
    source: str
    seq: int
    time: float
    payload: Any = None
    correlation_id: str | None = None
    schema_version: int = SCHEMA_VERSION


def new_id() -> str:
    """A fresh random identifier (hex uuid4)."""
    return uuid.uuid4().hex


class Health(msgspec.Struct, frozen=True, kw_only=True):
    """A replica's answer to a health request."""

    service: str
    instance: str
    ready: bool
    version: str
    details: dict[str, Any] = msgspec.field(default_factory=dict)


class RunBacktest(msgspec.Struct, frozen=True, kw_only=True):
    """Command: run one backtest; ``config`` is the Gekko config object as the client sent it."""

    request_id: str
    config: dict[str, Any]
    progress_id: str | None = None
    """The id its ``backtest_progress`` frames carry when the client named one (then a first and a last
    frame are sent however short the run); None: the request id, and frames only for long runs."""


class BacktestProgress(msgspec.Struct, frozen=True, kw_only=True):
    """How far a running backtest is: published on core NATS now and then (never kept), relayed to
    websocket clients as a ``backtest_progress`` frame."""

    id: str
    percent: float
    """1-minute candles processed, in percent of the backtest's; 100 only once its answer is ready."""
    candles: int
    total: int
    candles_per_s: float
    at: str | None
    """The start of the last 1-minute candle processed (ISO 8601); None before the first one."""


class SweepJob(msgspec.Struct, frozen=True, kw_only=True):
    """Command: drive a sweep; ``body`` is its checked POST /api/sweep request."""

    sweep_id: str
    body: dict[str, Any]


class SweepChunk(msgspec.Struct, frozen=True, kw_only=True):
    """Command: evaluate parameter sets ``points`` (numbered ``indexes``) of a sweep over one dataset."""

    sweep_id: str
    chunk: int
    body: dict[str, Any]
    indexes: list[int]
    points: list[dict[str, Any]]


class StartImport(msgspec.Struct, frozen=True, kw_only=True):
    """Command: import a market's 1-minute candles for a date range (unix seconds, inclusive)."""

    import_id: str
    exchange: str
    currency: str
    asset: str
    start: int
    end: int
    config: dict[str, Any] = msgspec.field(default_factory=dict)


class Reply(msgspec.Struct, frozen=True, kw_only=True):
    """A service's answer to a command: either ``result`` or an ``error`` with ``status`` and ``field``."""

    result: Any = None
    error: str | None = None
    status: int = 200
    field: str | None = None


class RawReply(msgspec.Struct, frozen=True, kw_only=True):
    """A :class:`Reply` whose ``result`` stays encoded: a gateway passes it on without decoding it."""

    result: msgspec.Raw = msgspec.field(default_factory=lambda: msgspec.Raw(b"null"))
    error: str | None = None
    status: int = 200
    field: str | None = None


encoder = wire_encoder
"""Encodes every message; typed events in a payload come out as the websocket carries them."""
envelope_decoder = msgspec.json.Decoder(Envelope)
health_decoder = msgspec.json.Decoder(Health)
reply_decoder = msgspec.json.Decoder(Reply)
raw_reply_decoder = msgspec.json.Decoder(RawReply)
progress_decoder = msgspec.json.Decoder(BacktestProgress)
