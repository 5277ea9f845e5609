"""The exchange retry policy and the translation of ccxt's errors (no servers: the calls are stand-ins)."""

from __future__ import annotations

import ccxt.async_support as ccxt
import pytest

from gekko_common.infra.exchange_retry import (
    ATTEMPTS,
    PermanentExchangeError,
    TemporaryExchangeError,
    is_passing,
    translated,
    with_retries,
)

PASSING = [
    ccxt.RequestTimeout("timed out"),
    ccxt.NetworkError("connection reset"),
    ccxt.DDoSProtection("slow down"),
    ccxt.RateLimitExceeded("429"),
    ccxt.ExchangeNotAvailable("503 Service Unavailable"),
    ccxt.ExchangeError("binance GET https://x/api/v3/klines 502 Bad Gateway"),
    TemporaryExchangeError("already translated"),
]
PERMANENT = [
    ccxt.BadSymbol("binance does not have market symbol XXX/YYY"),
    ccxt.BadRequest("bad request"),
    ccxt.NotSupported("fetchOHLCV() is not supported yet"),
    ccxt.AuthenticationError("invalid api key"),
    ccxt.InvalidOrder("Duplicate order sent."),
    ccxt.OrderNotFound("Order does not exist."),
    ccxt.InsufficientFunds("Account has insufficient balance"),
    ccxt.ExchangeError("Unknown order sent."),
    ValueError("a bug, not the exchange"),
]


@pytest.mark.parametrize("exc", PASSING, ids=lambda e: type(e).__name__)
def test_passing_failures_are_worth_repeating(exc: Exception) -> None:
    assert is_passing(exc)


@pytest.mark.parametrize("exc", PERMANENT, ids=lambda e: type(e).__name__)
def test_failures_of_the_request_itself_are_not(exc: Exception) -> None:
    assert not is_passing(exc)


def test_translated_turns_ccxt_errors_into_temporary_or_permanent_ones_naming_the_call() -> None:
    timeout = pytest.raises(TemporaryExchangeError, match=r"^binance BTC/USDT: RequestTimeout: timed out$")
    with timeout as temp, translated("binance BTC/USDT"):
        raise ccxt.RequestTimeout("timed out")
    assert isinstance(temp.value.__cause__, ccxt.RequestTimeout)
    with pytest.raises(PermanentExchangeError, match="BadSymbol"), translated("binance XXX/YYY"):
        raise ccxt.BadSymbol("no such market")
    with pytest.raises(ValueError, match="not an exchange error"), translated("binance BTC/USDT"):
        raise ValueError("not an exchange error")


class Flaky:
    """A call that fails ``failures`` times with ``exc``, then answers."""

    def __init__(self, failures: int, exc: Exception) -> None:
        self.failures, self.exc, self.calls, self.heartbeats = failures, exc, 0, 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.exc
        return "answer"

    async def beat(self) -> None:
        self.heartbeats += 1


async def test_passing_failures_are_repeated_with_a_heartbeat_before_each_repeat() -> None:
    call = Flaky(3, ccxt.ExchangeNotAvailable("503"))
    assert await with_retries(call, wait_initial_s=0, before_retry=call.beat) == "answer"
    assert (call.calls, call.heartbeats) == (4, 3)


async def test_the_last_passing_failure_is_raised_after_every_attempt() -> None:
    call = Flaky(ATTEMPTS, ccxt.RequestTimeout("timed out"))
    with pytest.raises(ccxt.RequestTimeout):
        await with_retries(call, wait_initial_s=0)
    assert call.calls == ATTEMPTS


async def test_a_permanent_failure_is_raised_at_once() -> None:
    call = Flaky(1, ccxt.InsufficientFunds("no money"))
    with pytest.raises(ccxt.InsufficientFunds):
        await with_retries(call, wait_initial_s=0)
    assert call.calls == 1
