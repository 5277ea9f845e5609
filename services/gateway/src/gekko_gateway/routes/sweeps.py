"""Parameter sweeps (routes beside Gekko's): POST /api/sweep starts one, GET /api/sweeps[/{id}] shows them."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from gekko_common import subjects
from gekko_common.messages import encoder
from gekko_gateway.errors import ApiError, json_body
from gekko_gateway.routes.backtest import call
from gekko_gateway.schemas import Sweep, SweepRequest, SweepStarted, responses

MAX_WAIT_S = 30.0
"""Longest ``?wait=`` of GET /api/sweeps/{id}."""


@post("/api/sweep", status_code=200, responses=responses(SweepStarted, 400, 413, 503, 504))
async def start_sweep(
    request: Request[Any, Any, Any], state: State, data: JSONBody[SweepRequest | None] = None
) -> Response[Any]:
    """Check and start a sweep on the backtesters; answers ``{"id", "total"}`` at once (400 names a bad field).

    Progress and results arrive as ``sweep_update`` frames on the websocket.
    """
    body = await json_body(request)
    return await call(state, subjects.SWEEP_SUBMIT, encoder.encode(body))


@get("/api/sweeps", responses=responses(list[Sweep]))
async def sweeps(state: State) -> list[dict[str, Any]]:
    """Every sweep started on this system (rebuilt from the event log), without results."""
    return state.sweeps.list()  # type: ignore[no-any-return]


@get("/api/sweeps/{sweep_id:str}", responses=responses(Sweep, 400, 404))
async def sweep(
    sweep_id: FromPath[str],
    state: State,
    results: FromQuery[bool] = True,
    wait: Annotated[float, QueryParameter(ge=0, le=MAX_WAIT_S)] = 0,
) -> dict[str, Any]:
    """One sweep with its results in point order (``?results=false``: only its progress).

    ``?wait=S`` (up to 30 s) answers as soon as the sweep has finished, or after S seconds with its
    progress: a client follows a sweep without polling fast.
    """
    await state.sweeps.wait_finished(sweep_id, wait)
    record = state.sweeps.get(sweep_id, results)
    if record is None:
        raise ApiError(404, f"no sweep {sweep_id!r}", "id")
    return record  # type: ignore[no-any-return]


ROUTES = [start_sweep, sweeps, sweep]
