"""The importer's composition root."""

from __future__ import annotations

from gekko_common.infra.service import ServiceRuntime, main


async def setup(runtime: ServiceRuntime) -> None:
    """Wire the importer (its handlers are added as its features land)."""
    assert runtime.nc is not None


def run() -> None:
    """Process entry point."""
    main("importer", setup)
