"""The gateway's composition root: NATS, the websocket relay and the litestar application."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import swagger_ui
from litestar import Litestar, WebSocket, websocket
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

from gekko_common.errors import ConfigError
from gekko_common.infra.bus import PayloadTooLarge
from gekko_common.infra.service import ServiceRuntime, main
from gekko_common.settings import Settings
from gekko_common.version import VERSION
from gekko_gateway import http_server
from gekko_gateway.cors import CorsMiddleware, OriginPolicy
from gekko_gateway.errors import (
    ApiError,
    GekkoRequest,
    api_error_handler,
    config_error_handler,
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
from gekko_gateway.schemas import MomentSchema
from gekko_gateway.security import BrowserGuard, RateLimit, RequestMetrics, TokenAuth, check_bind
from gekko_gateway.sweeps import SweepsView

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
"""The original refuses JSON bodies over 1 MB with 413; so do we."""


UI_ASSETS = "/schema/assets"
"""Swagger UI's files, served from the swagger-ui-py wheel: the page at /schema loads nothing from
the internet (litestar's render plugins default to CDN URLs)."""


def openapi_config() -> OpenAPIConfig:
    """OpenAPI 3.1 at /schema/openapi.json, generated from the routes' types; Swagger UI at /schema."""
    swagger = SwaggerRenderPlugin(
        js_url=f"{UI_ASSETS}/swagger-ui-bundle.js",
        css_url=f"{UI_ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{UI_ASSETS}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{UI_ASSETS}/favicon-32x32.png'>",
        path="/",
    )
    return OpenAPIConfig(
        title="Gekko server API",
        version=VERSION,
        description="The REST API of the original Gekko, kept exactly. The websocket is described in docs/api.md.",
        path="/schema",
        render_plugins=[swagger],
        create_examples=False,
    )


def ui_assets() -> Any:
    """The Swagger UI files shipped inside the swagger-ui-py package."""
    return create_static_files_router(
        path=UI_ASSETS, directories=[Path(swagger_ui.__file__).parent / "static"], include_in_schema=False
    )


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
            ui_assets(),
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
            ConfigError: config_error_handler,
            PayloadTooLarge: too_large_handler,
            HTTPException: http_error_handler,
            Exception: internal_error_handler,
        },
        request_max_body_size=MAX_BODY_BYTES,
        request_class=GekkoRequest,
        openapi_config=openapi_config(),
        plugins=[MomentSchema()],
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
