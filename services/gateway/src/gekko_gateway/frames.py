"""Translation of bus events into Gekko's websocket frames: the one place that knows both shapes."""

from __future__ import annotations

from typing import Any

from gekko_common.messages import Envelope

_PREFIX_IMPORT = "gekko.evt.import."
_PREFIX_GEKKO = "gekko.evt.gekko."
_PREFIX_SWEEP = "gekko.evt.sweep."

GEKKO_LIFECYCLE = {"gekko_new", "gekko_stopped", "gekko_error", "gekko_archived", "gekko_deleted"}
"""Envelope types of a live gekko that are frames of their own rather than ``gekko_event``."""


def to_frame(subject: str, env: Envelope) -> dict[str, Any] | None:
    """The frame a websocket client receives for ``env`` published on ``subject``; None when none is due."""
    if subject.startswith(_PREFIX_IMPORT):
        import_id = subject[len(_PREFIX_IMPORT) :]
        if env.type == "import_update":
            return {"type": "import_update", "import_id": import_id, "updates": env.payload}
        if env.type == "import_error":
            return {"type": "import_error", "import_id": import_id, "error": env.payload}
        return None
    if subject.startswith(_PREFIX_SWEEP):
        return _sweep_frame(subject[len(_PREFIX_SWEEP) :], env)
    if subject.startswith(_PREFIX_GEKKO):
        gekko_id = subject[len(_PREFIX_GEKKO) :]
        if env.type == "gekko_new":
            return {"type": "gekko_new", "id": gekko_id, "state": env.payload}
        if env.type == "gekko_error":
            return {"type": "gekko_error", "id": gekko_id, "error": env.payload}
        if env.type in GEKKO_LIFECYCLE:
            return {"type": env.type, "id": gekko_id}
        if env.type.startswith("_"):
            return None  # internal bookkeeping events (leases, checkpoints) stay on the bus
        return {"type": "gekko_event", "id": gekko_id, "event": {"type": env.type, "payload": env.payload}}
    if env.type == "apiKeys":
        return {"type": "apiKeys", "exchanges": env.payload}
    if isinstance(env.payload, dict) and "type" in env.payload:
        return dict(env.payload)
    return None


def _sweep_frame(sweep_id: str, env: Envelope) -> dict[str, Any] | None:
    """``sweep_update`` frames: the driver's progress as ``updates``, a chunk's results as ``results``."""
    if env.type == "sweep_update":
        return {"type": "sweep_update", "sweep_id": sweep_id, "updates": env.payload}
    if env.type == "sweep_results" and isinstance(env.payload, dict):
        return {"type": "sweep_update", "sweep_id": sweep_id, "results": env.payload.get("results")}
    if env.type == "sweep_error":
        return {"type": "sweep_error", "sweep_id": sweep_id, "error": env.payload}
    return None
