"""System routes: info, strategies, config parts, liveness and readiness."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Response, get
from litestar.datastructures import State

from gekko_common.config import Name
from gekko_common.infra import metrics
from gekko_common.version import VERSION
from gekko_gateway.errors import ApiError
from gekko_gateway.schemas import ConfigPart, Info, StrategyInfo, responses

CONFIG_PARTS = {
    "paperTrader": (
        "feeMaker = 0.25\nfeeTaker = 0.25\nfeeUsing = 'maker'\nslippage = 0.05\n\n"
        "[simulationBalance]\nasset = 1\ncurrency = 100\n"
    ),
    "candleWriter": 'enabled = true\nadapter = "sqlite"',
    "performanceAnalyzer": (
        "# Used to calculate sharpe ratio\n# yearly % of riskfree return for example\n"
        "# treasury bonds or bank interest.\n\nriskFreeReturn = 2"
    ),
}
"""The raw TOML the original serves for the plugin parts its UI reads."""


@get("/api/info", responses=responses(Info))
async def info() -> dict[str, str]:
    """The Gekko version whose API this server keeps."""
    return {"version": VERSION}


@get("/api/strategies", responses=responses(list[StrategyInfo]))
async def strategies(state: State) -> list[dict[str, str]]:
    """Every strategy (built in and user) with its default parameters as a TOML string."""
    from gekko_common.engine import strategy_catalog  # the engine is heavy: loaded on first use

    return [dict(s) for s in strategy_catalog(state.settings.strategy_dir)]


@get("/api/configPart/{part:str}", responses=responses(ConfigPart, 400, 404))
async def config_part(part: Name) -> dict[str, str]:
    """The default TOML of a plugin part the UI edits."""
    if part not in CONFIG_PARTS:
        raise ApiError(404, f"unknown config part {part!r}; known: {', '.join(CONFIG_PARTS)}", "part")
    return {"part": CONFIG_PARTS[part]}


def _probe(ok: bool) -> Response[dict[str, Any]]:
    return Response({"status": "ok" if ok else "unavailable", "service": "gateway"}, status_code=200 if ok else 503)


@get("/healthz", media_type=MediaType.JSON, include_in_schema=False)
async def healthz(state: State) -> Response[dict[str, Any]]:
    """Liveness: the process serves HTTP and has not given up on NATS (then it is about to exit)."""
    return _probe(state.runtime.alive())


@get("/readyz", media_type=MediaType.JSON, include_in_schema=False)
async def readyz(state: State) -> Response[dict[str, Any]]:
    """Readiness: NATS is connected."""
    return _probe(await state.runtime.ready())


@get("/metrics", include_in_schema=False)
async def prometheus_metrics() -> Response[bytes]:
    """Prometheus metrics of this gateway process."""
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


ROUTES = [info, strategies, config_part, healthz, readyz, prometheus_metrics]
