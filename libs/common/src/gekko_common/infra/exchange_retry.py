"""Exchange failures, read at one edge, and the one retry policy every service applies to exchange calls.

ccxt's exception tree is interpreted here only: :func:`is_passing` says whether a failure is worth
repeating (rate limits, DDoS protection, timeouts, network trouble, server errors) and
:func:`translated` turns ccxt's errors into :class:`TemporaryExchangeError` / :class:`PermanentExchangeError`
for callers that report them. :func:`with_retries` repeats a call through passing failures with
exponential back-off (stamina: jitter, a cap, and a counter per retry when prometheus is installed).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import ccxt.async_support as ccxt
import stamina

T = TypeVar("T")

ATTEMPTS = 8
"""Tries of one exchange call (the first included) before its last failure is raised."""
WAIT_INITIAL_S = 0.1
WAIT_MAX_S = 5.0


class TemporaryExchangeError(Exception):
    """Worth retrying: rate limits, 5xx, timeouts, network trouble."""


class PermanentExchangeError(Exception):
    """Retrying will not help: unknown market, bad request, no OHLCV history."""


_PERMANENT = (ccxt.BadSymbol, ccxt.BadRequest, ccxt.NotSupported, ccxt.AuthenticationError)
_SERVER_ERRORS = (" 500 ", " 502 ", " 503 ", " 504 ", "Internal")


def is_passing(exc: BaseException) -> bool:
    """True when repeating the call may succeed: the failure says nothing about the request itself."""
    if isinstance(exc, TemporaryExchangeError | ccxt.OperationFailed):
        return True
    if isinstance(exc, _PERMANENT) or not isinstance(exc, ccxt.ExchangeError):
        return False
    text = str(exc)  # some exchanges report a server error as a plain ExchangeError
    return any(code in text for code in _SERVER_ERRORS)


@contextlib.contextmanager
def translated(what: str) -> Iterator[None]:
    """ccxt errors raised inside become Temporary/PermanentExchangeError, prefixed with ``what``."""
    try:
        yield
    except ccxt.BaseError as exc:
        kind = TemporaryExchangeError if is_passing(exc) else PermanentExchangeError
        raise kind(f"{what}: {type(exc).__name__}: {str(exc)[:200]}") from exc


async def with_retries(
    call: Callable[[], Awaitable[T]],
    wait_initial_s: float = WAIT_INITIAL_S,
    before_retry: Callable[[], Awaitable[None]] | None = None,
) -> T:
    """``await call()``, repeated through passing failures (:func:`is_passing`) up to :data:`ATTEMPTS` tries,
    waiting ``wait_initial_s`` doubling up to :data:`WAIT_MAX_S`; ``before_retry`` runs before each repeat
    (e.g. a heartbeat). Any other failure, or the last passing one, is raised as it is."""
    retrying = stamina.retry_context(
        on=is_passing,
        attempts=ATTEMPTS,
        timeout=None,
        wait_initial=wait_initial_s,
        wait_max=WAIT_MAX_S,
        wait_jitter=wait_initial_s,
    )
    async for attempt in retrying:
        with attempt:
            if attempt.num > 1 and before_retry is not None:
                await before_retry()
            return await call()
    raise AssertionError("unreachable: the last attempt returns or raises")
