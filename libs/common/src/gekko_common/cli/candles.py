"""``gekko import-csv`` / ``gekko export-csv`` (being written)."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Add the candle CSV subcommands."""
