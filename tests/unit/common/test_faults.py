"""Which failures are passing infrastructure faults."""

from __future__ import annotations

import asyncpg
import nats.errors
import pytest

from gekko_common.errors import EngineError
from gekko_common.infra.bus import BusError, PayloadTooLarge
from gekko_common.infra.faults import backoff, is_transient


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(111, "refused"),
        nats.errors.TimeoutError(),
        nats.errors.ConnectionClosedError(),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.InternalClientError("cannot switch to state 11; another operation (2) is in progress"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        BusError("no answer"),
    ],
)
def test_a_dependency_away_is_transient(exc: BaseException) -> None:
    assert is_transient(exc)


def test_a_fault_wrapped_in_another_error_is_transient() -> None:
    outer = RuntimeError("while reading candles")
    outer.__cause__ = ConnectionResetError("reset")
    assert is_transient(outer)


@pytest.mark.parametrize("exc", [ValueError("bad"), EngineError("strategy crashed"), PayloadTooLarge("too big")])
def test_errors_of_the_work_itself_are_not_transient(exc: BaseException) -> None:
    assert not is_transient(exc)


def test_backoff_doubles_up_to_its_cap() -> None:
    assert [backoff(n) for n in range(1, 7)] == [0.25, 0.5, 1.0, 2.0, 4.0, 5.0]
