"""Every NATS subject, JetStream stream, KV bucket, durable consumer and queue group of the system.

No other module spells a subject string. Commands are requests (``gekko.cmd.*``); events are facts
(``gekko.evt.*``) that the gateway relays to websocket clients and that JetStream keeps so state can
be rebuilt by replaying them. Live gekkos are run from the log: the gateway appends lifecycle events
(``gekko_new``, ``gekko_stopped``, ...) and the runners follow it. One command goes beside it: before
a tradebot is archived, the runner that owns it is asked to wind it down (:func:`gekko_stop`).
"""

from __future__ import annotations

from typing import Final

PREFIX: Final = "gekko"

# --- service health: request/reply, one subject per service kind, answered by every replica ---
SERVICES: Final = ("gateway", "importer", "runner", "backtester")


def health(service: str) -> str:
    """Subject on which every replica of ``service`` answers a health request."""
    return f"{PREFIX}.health.{service}"


# --- commands (request/reply) ---
BACKTEST: Final = f"{PREFIX}.cmd.backtest"
"""A RunBacktest request, queued in the GEKKO_BACKTESTS work queue; the reply goes to its Gekko-Reply-To inbox."""
BACKTEST_CANCEL: Final = f"{PREFIX}.cmd.backtest.cancel"
"""Published by the gateway when the HTTP client of a backtest went away: ``.{request id}``."""


def backtest_progress(request_id: str) -> str:
    """Where the backtester publishes the progress of one backtest: core NATS only, outside the event
    stream (progress is not a fact to keep or replay)."""
    return f"{PREFIX}.progress.backtest.{request_id}"


BACKTEST_PROGRESS_ALL: Final = backtest_progress("*")
"""The progress of every backtest (the gateway relays it to websocket clients)."""

SWEEP_SUBMIT: Final = f"{PREFIX}.cmd.sweep.submit"
"""A sweep request (the POST /api/sweep body), checked and started by one backtester (queue group)."""
SWEEP_JOB: Final = f"{PREFIX}.cmd.sweep.job"
"""A SweepJob in the GEKKO_SWEEPS work queue: one backtester drives the sweep (resumed by another if it dies)."""
SWEEP_CHUNK: Final = f"{PREFIX}.cmd.sweep.chunk"
"""A SweepChunk in the GEKKO_SWEEPS work queue: many parameter sets over one dataset, for any backtester."""

IMPORT_START: Final = f"{PREFIX}.cmd.import.start"
"""A StartImport job, stored in the IMPORT_JOBS work queue and taken by one importer."""
CANDLES_GET: Final = f"{PREFIX}.cmd.candles.get"
SCAN: Final = f"{PREFIX}.cmd.scan"
SCANSETS: Final = f"{PREFIX}.cmd.scansets"


def gekko_stop(gekko_id: str) -> str:
    """Asked by the gateway when a tradebot is stopped; the runner that owns it answers once its order
    is cancelled and its stop disarmed (the others stay silent). ``gekko_stop("*")`` matches all."""
    return f"{PREFIX}.cmd.gekko.stop.{gekko_id}"


# --- events (JetStream stream EVENTS keeps them all) ---
EVENTS_ALL: Final = f"{PREFIX}.evt.>"
TEST_EVENT: Final = f"{PREFIX}.evt.system.test"
"""Events any service may publish to check the websocket relay end to end."""


def import_event(import_id: str) -> str:
    """Subject of the events of one import."""
    return f"{PREFIX}.evt.import.{import_id}"


IMPORT_EVENTS: Final = f"{PREFIX}.evt.import.>"


def gekko_event(gekko_id: str) -> str:
    """Subject of the events of one live gekko."""
    return f"{PREFIX}.evt.gekko.{gekko_id}"


GEKKO_EVENTS: Final = f"{PREFIX}.evt.gekko.>"


def sweep_event(sweep_id: str) -> str:
    """Subject of the events of one sweep."""
    return f"{PREFIX}.evt.sweep.{sweep_id}"


SWEEP_EVENTS: Final = f"{PREFIX}.evt.sweep.>"
APIKEY_EVENTS: Final = f"{PREFIX}.evt.apikeys"

# --- JetStream ---
STREAM_EVENTS: Final = "GEKKO_EVENTS"
STREAM_EVENTS_SUBJECTS: Final = (EVENTS_ALL,)
STREAM_IMPORT_JOBS: Final = "GEKKO_IMPORT_JOBS"
STREAM_IMPORT_JOBS_SUBJECTS: Final = (IMPORT_START,)
DURABLE_IMPORTERS: Final = "importers"
STREAM_BACKTESTS: Final = "GEKKO_BACKTESTS"
DURABLE_BACKTESTERS: Final = "backtesters"
STREAM_SWEEPS: Final = "GEKKO_SWEEPS"
DURABLE_SWEEP_DRIVERS: Final = "sweep-drivers"
DURABLE_SWEEP_WORKERS: Final = "sweep-workers"

KV_LEASES: Final = "gekko_leases"
"""Which runner owns which live gekko (key: gekko id, value: runner id; TTL-bound)."""
KV_API_KEYS: Final = "gekko_api_keys"
"""Exchange credentials, encrypted with GEKKO_SECRET_KEY (key: exchange slug)."""

# --- queue groups ---
Q_IMPORTERS: Final = "importers"
"""Core-NATS queue group of the importers' read queries (scan, scansets, getCandles)."""
Q_BACKTESTERS: Final = "backtesters"
"""Core-NATS queue group of the backtesters' sweep submissions."""


# --- event sources and ids: built and parsed here only ---
def gekko_source(gekko_id: str) -> str:
    """The ``source`` of a live gekko's events."""
    return f"gekko-{gekko_id}"


def import_source(import_id: str) -> str:
    """The ``source`` of an import's events."""
    return f"import-{import_id}"


def event_id(source: str, key: str) -> str:
    """An event's id: its source and a key unique within it (a republished event gets the same id)."""
    return f"{source}:{key}"


def event_key(source: str, id_: str) -> str | None:
    """The key of an event id of ``source``; None when the id belongs to another source."""
    prefix = f"{source}:"
    return id_[len(prefix) :] if id_.startswith(prefix) else None


GEKKO: Final = "gekko"
IMPORT: Final = "import"
SWEEP: Final = "sweep"
_EVENT_PREFIXES: Final = ((GEKKO, gekko_event("")), (IMPORT, import_event("")), (SWEEP, sweep_event("")))


def parse_event_subject(subject: str) -> tuple[str, str] | None:
    """``(GEKKO, id)``, ``(IMPORT, id)`` or ``(SWEEP, id)`` of a gekko's, an import's or a sweep's event
    subject; None otherwise."""
    for kind, prefix in _EVENT_PREFIXES:
        if subject.startswith(prefix):
            return kind, subject[len(prefix) :]
    return None
