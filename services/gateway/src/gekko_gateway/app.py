"""The gateway's composition root: NATS, the websocket relay and the litestar application."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from litestar import Litestar, WebSocket, websocket
from litestar.datastructures import State
from litestar.exceptions import HTTPException

from gekko_common.infra.bus import PayloadTooLarge
from gekko_common.infra.service import ServiceRuntime, main
from gekko_common.settings import Settings
from gekko_gateway import http_server
from gekko_gateway.cors import CorsMiddleware, OriginPolicy
from gekko_gateway.errors import (
    ApiError,
    api_error_handler,
    http_error_handler,
    internal_error_handler,
    too_large_handler,
)
from gekko_gateway.gekkos_view import GekkosView
from gekko_gateway.imports import ImportsView
from gekko_gateway.relay import Relay
from gekko_gateway.routes import backtest, market, system
from gekko_gateway.routes import gekkos as gekko_routes
from gekko_gateway.routes import sweeps as sweep_routes
from gekko_gateway.security import BrowserGuard, RateLimit, RequestMetrics, TokenAuth, check_bind
from gekko_gateway.sweeps import SweepsView

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
"""The original refuses JSON bodies over 1 MB with 413; so do we."""


@websocket("/api")
async def events_socket(socket: WebSocket[Any, Any, Any]) -> None:
    """Gekko's event stream at the API base path (the original UI connects here)."""
    await socket.app.state.relay.serve(socket)


@websocket("/")
async def events_socket_root(socket: WebSocket[Any, Any, Any]) -> None:
    """The same stream at the root, for clients configured without the /api path."""
    await socket.app.state.relay.serve(socket)


def build_app(
    settings: Settings,
    runtime: ServiceRuntime,
    relay: Relay,
    imports: ImportsView | None = None,
    gekkos: GekkosView | None = None,
    sweeps: SweepsView | None = None,
) -> Any:
    """The ASGI application: litestar routes wrapped in CORS."""
    app = Litestar(
        route_handlers=[
            *system.ROUTES,
            *backtest.ROUTES,
            *market.ROUTES,
            *gekko_routes.ROUTES,
            *sweep_routes.ROUTES,
            events_socket,
            events_socket_root,
        ],
        state=State(
            {
                "settings": settings,
                "runtime": runtime,
                "relay": relay,
                "imports": imports or ImportsView(),
                "gekkos": gekkos or GekkosView(),
                "sweeps": sweeps or SweepsView(),
            }
        ),
        exception_handlers={
            ApiError: api_error_handler,
            PayloadTooLarge: too_large_handler,
            HTTPException: http_error_handler,
            Exception: internal_error_handler,
        },
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=None,
        logging_config=None,
    )
    guarded: Any = app
    if settings.api_token:
        guarded = TokenAuth(guarded, settings.api_token)
    guarded = RateLimit(guarded, settings.rate_limit, settings.token_rate_limit, settings.ws_per_client)
    policy = OriginPolicy(settings.cors_origins or (("*",) if settings.api_token else ()))
    guarded = BrowserGuard(guarded, policy, settings.http_host, check_host=not settings.api_token)
    return CorsMiddleware(RequestMetrics(guarded), policy)


async def setup(runtime: ServiceRuntime) -> None:
    """Wire the gateway: relay subscription, HTTP server task, shutdown hooks."""
    assert runtime.nc is not None
    settings = runtime.settings
    relay = Relay()
    await relay.start(runtime.nc)
    assert runtime.js is not None
    imports = ImportsView()
    await imports.start(runtime.nc, runtime.js)
    gekkos = GekkosView()
    await gekkos.start(runtime.nc, runtime.js)
    sweeps = SweepsView()
    await sweeps.start(runtime.nc, runtime.js)
    asgi = build_app(settings, runtime, relay, imports, gekkos, sweeps)
    server = http_server.server(asgi, settings)
    task = asyncio.create_task(server.serve())

    async def stop() -> None:
        await relay.stop()
        server.should_exit = True
        await task

    runtime.on_stop(stop)
    runtime.details = lambda: {
        "websocket_clients": len(relay.clients),
        "url": f"http://{settings.http_host}:{settings.http_port}",
    }

    def died(t: asyncio.Task[None]) -> None:
        if not runtime.stopping.is_set():
            runtime.die(f"http server ended: {t.exception() if not t.cancelled() else 'cancelled'}")

    task.add_done_callback(died)


def run() -> None:
    """Process entry point; refuses an exposed bind without a token before connecting anything."""
    settings = Settings.from_env()
    check_bind(settings.http_host, settings.api_token)
    main("gateway", setup, health_http=False)
