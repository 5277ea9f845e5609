"""Which failures are passing infrastructure faults (NATS or PostgreSQL away for a while) and which are not.

A passing fault is retried or answered 503 with ``Retry-After``; it never marks a gekko, an import or a
request as failed for good. Everything else is a real error of the work itself (or a bug).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import nats.errors

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_AFTER_S = 5
"""What a 503 tells the client to wait before it tries again."""


class DependencyUnavailable(RuntimeError):
    """A dependency (NATS, PostgreSQL, a service on the bus) did not answer."""


class StoreUnavailable(ConnectionError):
    """PostgreSQL cannot be reached at all (opening the store): the message names where it was looked for."""


_TRANSIENT: tuple[type[BaseException], ...] = (
    OSError,  # refused or reset connections, ConnectionError included
    TimeoutError,
    nats.errors.Error,  # timeouts, no responders, a closed or reconnecting connection, JetStream unavailable
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,  # a pooled connection that died with its server
    asyncpg.InternalClientError,  # a connection left mid-operation when its server died
    asyncpg.exceptions.OperatorInterventionError,  # 57xxx: the server shuts down or is still starting
    DependencyUnavailable,
)


def is_transient(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says a dependency is away, not that the work is wrong."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, _TRANSIENT):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def backoff(attempt: int, cap: float = 5.0) -> float:
    """Seconds to wait before retry number ``attempt`` (from 1): doubling from 0.25 s up to ``cap``."""
    return float(min(cap, 0.25 * 2 ** (attempt - 1)))


async def ride_out(attempt: Callable[[], Awaitable[T]], what: str, max_wait_s: float = 600.0) -> T:
    """``attempt()`` retried through passing faults (NATS or PostgreSQL away) with back-off; any other
    error, or faults lasting over ``max_wait_s``, is raised."""
    deadline = time.monotonic() + max_wait_s
    tries = 0
    while True:
        try:
            return await attempt()
        except Exception as exc:
            if not is_transient(exc) or time.monotonic() > deadline:
                raise
            tries += 1
            fields = {"error": f"{type(exc).__name__}: {exc}", "attempt": tries}
            log.warning("%s waits for a dependency, then resumes", what, extra={"fields": fields})
            await asyncio.sleep(backoff(tries))
