"""POST /api/backtest: one request on the backtest subject, served by the backtester queue group."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from litestar import Request, Response, post
from litestar.datastructures import State
from litestar.params import JSONBody

from gekko_common import subjects
from gekko_common.config import GekkoConfig
from gekko_common.infra import bus
from gekko_common.messages import RawReply, RunBacktest, encoder, new_id, raw_reply_decoder
from gekko_gateway.errors import ApiError, bad_request, json_body
from gekko_gateway.schemas import BacktestResult, responses

QUEUE_WAIT_S = 120.0
"""How long a backtest may wait in the queue for a free backtester before the client gets a 504."""
PROGRESS_HEADER = "X-Gekko-Progress-Id"
"""A client's name for its backtest, carried by the ``backtest_progress`` frames of that run."""
_PROGRESS_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


async def _disconnected(request: Request[Any, Any, Any]) -> None:
    """Returns when the HTTP client has gone away."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


async def call(
    state: State,
    subject: str,
    payload: bytes,
    request: Request[Any, Any, Any] | None = None,
    cancel_subject: str | None = None,
    queued_id: str | None = None,
    read_only: bool = False,
) -> Response[bytes]:
    """Send a command and answer with its result, passed on as the service encoded it (never decoded
    here); errors become ApiError; a vanished client cancels the work.

    With ``queued_id`` the command goes through its JetStream work queue (backtests) and may wait
    there up to QUEUE_WAIT_S for a free replica. A ``read_only`` query is asked again when its
    responder dies with it (killed mid-answer), and is a 503 only when no replica answers at all.
    """
    nc = state.runtime.nc
    if not nc.is_connected:  # reconnecting: say so at once rather than after a timeout
        raise ApiError(503, "the message bus is reconnecting, retry shortly")
    if queued_id is not None:
        pending = bus.request(
            nc,
            subject,
            payload,
            first_timeout=QUEUE_WAIT_S,
            js=state.runtime.js,
            request_id=queued_id,
            decoder=raw_reply_decoder,
        )
    elif read_only:
        pending = bus.query(nc, subject, payload, decoder=raw_reply_decoder)
    else:
        pending = bus.request(nc, subject, payload, first_timeout=15, decoder=raw_reply_decoder)
    req = asyncio.create_task(pending)
    waits: set[asyncio.Task[Any]] = {req}
    watcher = asyncio.create_task(_disconnected(request)) if request is not None else None
    if watcher:
        waits.add(watcher)
    try:
        done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        if req not in done:
            req.cancel()
            if cancel_subject:
                await nc.publish(cancel_subject, b"")
            raise ApiError(499, "client closed the request")
        try:
            answer: RawReply = req.result()
        except bus.NoResponders:
            raise ApiError(503, f"no service is running that answers {subject}") from None
        except bus.BusError as exc:
            raise ApiError(504 if nc.is_connected else 503, str(exc)) from None
    finally:
        if watcher:
            watcher.cancel()
            await asyncio.wait([watcher])  # its cancellation is not ours: a cancelled request still ends
    if answer.error is not None:
        raise ApiError(answer.status, answer.error, answer.field)
    return Response(content=bytes(answer.result), media_type="application/json")


def progress_id(request: Request[Any, Any, Any]) -> str | None:
    """The client's ``X-Gekko-Progress-Id``, if it sent one (letters, digits, ``_`` and ``-``, at most 64)."""
    value = request.headers.get(PROGRESS_HEADER)
    if value is None:
        return None
    if not _PROGRESS_ID.fullmatch(value):
        raise bad_request(f"{PROGRESS_HEADER} must be 1 to 64 letters, digits, '_' or '-'", PROGRESS_HEADER)
    return value


@post("/api/backtest", status_code=200, responses=responses(BacktestResult, 400, 413, 422, 503, 504))
async def backtest(
    request: Request[Any, Any, Any], state: State, data: JSONBody[GekkoConfig | None] = None
) -> Response[Any]:
    """Run a backtest of a Gekko config; the answer is the original's result object."""
    body = await json_body(request)
    command = RunBacktest(request_id=new_id(), config=body, progress_id=progress_id(request))
    return await call(
        state,
        subjects.BACKTEST,
        encoder.encode(command),
        request,
        cancel_subject=f"{subjects.BACKTEST_CANCEL}.{command.request_id}",
        queued_id=command.request_id,
    )


ROUTES = [backtest]
