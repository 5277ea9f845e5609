"""Live gekko and API key routes (startGekko, stopGekko, deleteGekko, gekkos, apiKeys)."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
