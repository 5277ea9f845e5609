"""Translation of bus events into Gekko's websocket frames: the one place that knows both shapes.

Subjects are parsed by :func:`subjects.parse_event_subject`; event and frame names come from the
vocabularies (:mod:`gekko_common.events`, :mod:`gekko_common.sweep`).
"""

from __future__ import annotations

from typing import Any

from gekko_common import events, subjects, sweep
from gekko_common.messages import BacktestProgress, Envelope

Frame = dict[str, Any]


def to_frame(subject: str, env: Envelope) -> Frame | None:
    """The frame a websocket client receives for ``env`` published on ``subject``; None when none is due."""
    parsed = subjects.parse_event_subject(subject)
    if parsed is None:
        return _global_frame(env)
    kind, id_ = parsed
    if kind == subjects.IMPORT:
        return _import_frame(id_, env)
    if kind == subjects.SWEEP:
        return _sweep_frame(id_, env)
    return _gekko_frame(id_, env)


def _global_frame(env: Envelope) -> Frame | None:
    """Events of no import, gekko or sweep: the API key list, or a payload that is a frame already."""
    if env.type == events.API_KEYS:
        return {"type": events.API_KEYS, "exchanges": env.payload}
    if isinstance(env.payload, dict) and "type" in env.payload:
        return dict(env.payload)
    return None


def _import_frame(import_id: str, env: Envelope) -> Frame | None:
    match env.type:
        case events.IMPORT_UPDATE:
            return {"type": events.IMPORT_UPDATE, "import_id": import_id, "updates": env.payload}
        case events.IMPORT_ERROR:
            return {"type": events.IMPORT_ERROR, "import_id": import_id, "error": env.payload}
    return None


def _gekko_frame(gekko_id: str, env: Envelope) -> Frame | None:
    """Lifecycle events are frames of their own; any other gekko event is wrapped in ``gekko_event``."""
    match env.type:
        case events.GEKKO_NEW:
            return {"type": events.GEKKO_NEW, "id": gekko_id, "state": env.payload}
        case events.GEKKO_ERROR:
            return {"type": events.GEKKO_ERROR, "id": gekko_id, "error": env.payload}
        case kind if kind in events.GEKKO_LIFECYCLE:
            return {"type": kind, "id": gekko_id}
        case kind if kind.startswith(events.INTERNAL_PREFIX):
            return None  # internal bookkeeping events (leases, checkpoints) stay on the bus
    return {"type": events.GEKKO_EVENT, "id": gekko_id, "event": {"type": env.type, "payload": env.payload}}


def _sweep_frame(sweep_id: str, env: Envelope) -> Frame | None:
    """``sweep_update`` frames: the driver's progress as ``updates``, a chunk's results as ``results``."""
    match env.type:
        case sweep.UPDATE:
            return {"type": sweep.UPDATE, "sweep_id": sweep_id, "updates": env.payload}
        case sweep.RESULTS if isinstance(env.payload, dict):
            return {"type": sweep.UPDATE, "sweep_id": sweep_id, "results": env.payload.get("results")}
        case sweep.ERROR:
            return {"type": sweep.ERROR, "sweep_id": sweep_id, "error": env.payload}
    return None


BACKTEST_PROGRESS = "backtest_progress"
"""This project's own frame: how far a running backtest is."""


def progress_frame(report: BacktestProgress) -> Frame:
    """The ``backtest_progress`` frame of a running backtest's progress report."""
    return {
        "type": BACKTEST_PROGRESS,
        "id": report.id,
        "percent": report.percent,
        "candles": report.candles,
        "total": report.total,
        "candles_per_s": report.candles_per_s,
        "at": report.at,
    }
