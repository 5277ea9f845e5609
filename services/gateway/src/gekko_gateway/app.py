"""The gateway's composition root: NATS, the websocket relay and the litestar application."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Generator
from typing import Any

import uvicorn
from litestar import Litestar, WebSocket, websocket
from litestar.datastructures import State
from litestar.exceptions import HTTPException

from gekko_common.infra.bus import PayloadTooLarge
from gekko_common.infra.service import ServiceRuntime, main
from gekko_common.settings import Settings
from gekko_gateway.cors import CorsMiddleware
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
from gekko_gateway.security import RateLimit, TokenAuth, check_bind

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
) -> Any:
    """The ASGI application: litestar routes wrapped in CORS."""
    app = Litestar(
        route_handlers=[
            *system.ROUTES,
            *backtest.ROUTES,
            *market.ROUTES,
            *gekko_routes.ROUTES,
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
    guarded: Any = RateLimit(app)
    if settings.api_token:
        guarded = TokenAuth(guarded, settings.api_token)
    return CorsMiddleware(guarded, settings.cors_origins)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the service runtime owns SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


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
    asgi = build_app(settings, runtime, relay, imports, gekkos)
    config = uvicorn.Config(
        asgi,
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        lifespan="off",
        ws_ping_interval=20,
        ws_ping_timeout=20,
        timeout_graceful_shutdown=5,
    )
    server = _Server(config)
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
            log.error("http server ended: %s", t.exception() if not t.cancelled() else "cancelled")
            runtime.stopping.set()

    task.add_done_callback(died)


def run() -> None:
    """Process entry point; refuses an exposed bind without a token before connecting anything."""
    settings = Settings.from_env()
    check_bind(settings.http_host, settings.api_token)
    main("gateway", setup, health_http=False)
