"""Market-data routes (scan, scansets, getCandles, exchanges, import, imports)."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
