"""The gateway's HTTP server: uvicorn with read deadlines, proxy headers only from trusted proxies.

uvicorn closes idle keep-alive connections but has no deadline for reading a request's headers or
body, so a client trickling bytes (slowloris) holds a connection forever. The protocol below adds
both deadlines to uvicorn's own httptools protocol; everything else is uvicorn's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Generator
from typing import Any

import uvicorn
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gekko_common.settings import Settings
from gekko_gateway.security import ForwardedHeader


class DeadlineHttpProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose headers (or body) do not arrive in time."""

    def __init__(self, *args: Any, header_timeout: float, body_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self, seconds: float | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(seconds, self._expire) if seconds else None

    def _expire(self) -> None:
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._arm(None)
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(self.header_timeout)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._arm(None if self._get_upgrade() else self.body_timeout)

    def on_message_complete(self) -> None:
        self._arm(None)
        super().on_message_complete()


class Server(uvicorn.Server):
    """uvicorn without its own signal handling: the service runtime owns SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def server(asgi: Any, settings: Settings) -> Server:
    """The gateway's uvicorn server for ``asgi``."""
    app: Any = asgi
    if settings.trusted_proxies:
        proxied: Any = ProxyHeadersMiddleware(asgi, trusted_hosts=list(settings.trusted_proxies))  # uvicorn's types
        app = ForwardedHeader(proxied)

    def protocol(*args: Any, **kwargs: Any) -> DeadlineHttpProtocol:
        return DeadlineHttpProtocol(
            *args, header_timeout=settings.header_timeout_s, body_timeout=settings.body_timeout_s, **kwargs
        )

    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        http=protocol,  # type: ignore[arg-type]
        proxy_headers=False,  # X-Forwarded-For only from GEKKO_TRUSTED_PROXIES, above
        log_level="warning",
        lifespan="off",
        ws_ping_interval=20,
        ws_ping_timeout=20,
        timeout_graceful_shutdown=5,
    )
    return Server(config)
