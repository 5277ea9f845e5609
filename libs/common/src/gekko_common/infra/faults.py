"""Which failures are passing infrastructure faults (NATS or PostgreSQL away for a while) and which are not.

A passing fault is retried or answered 503 with ``Retry-After``; it never marks a gekko, an import or a
request as failed for good. Everything else is a real error of the work itself (or a bug).
"""

from __future__ import annotations

import asyncpg
import nats.errors

RETRY_AFTER_S = 5
"""What a 503 tells the client to wait before it tries again."""


class DependencyUnavailable(RuntimeError):
    """A dependency (NATS, PostgreSQL, a service on the bus) did not answer."""


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
