"""CORS as the original UI needs it: every OPTIONS answered 204, every answer (errors too) allowed
to the origins the :class:`OriginPolicy` allows.

An ASGI middleware outside the application, so it also covers 404s, 413s and 500s.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ALLOW_METHODS = b"GET,HEAD,PUT,POST,DELETE"
DEFAULT_HEADERS = b"authorization, cache-control, content-type, expires, x-requested-with"


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of a request header (names are lower case in ASGI)."""
    return next((v for k, v in scope.get("headers", []) if k == name), None)


class OriginPolicy:
    """Which browser origins may call the API: loopback pages always (the UI served from
    ``http://localhost:PORT``), plus the configured ones; ``*`` allows any."""

    def __init__(self, origins: tuple[str, ...]) -> None:
        self.any_origin = "*" in origins
        self.origins = {o.rstrip("/").encode() for o in origins}

    def allows(self, origin: bytes) -> bool:
        """True when a page of ``origin`` may call the API or open the websocket."""
        if self.any_origin or origin in self.origins:
            return True
        try:
            parts = urlsplit(origin.decode("latin-1"))
            return parts.scheme in ("http", "https") and parts.hostname in LOOPBACK_HOSTS
        except ValueError:
            return False


class CorsMiddleware:
    """Answers preflights and adds Access-Control-Allow-Origin to every HTTP response of an allowed origin."""

    def __init__(self, app: ASGIApp, policy: OriginPolicy) -> None:
        self.app = app
        self.policy = policy

    def _allow_origin(self, scope: Scope) -> bytes | None:
        origin = header(scope, b"origin")
        if origin is None:
            return b"*" if self.policy.any_origin else None
        return origin if self.policy.allows(origin) else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        allow = self._allow_origin(scope)
        if scope["method"] == "OPTIONS":
            requested = next(
                (v for k, v in scope.get("headers", []) if k == b"access-control-request-headers"), DEFAULT_HEADERS
            )
            headers = [
                (b"access-control-allow-methods", ALLOW_METHODS),
                (b"access-control-allow-headers", requested),
                (b"access-control-max-age", b"600"),
                (b"vary", b"Origin"),
            ]
            if allow:
                headers.append((b"access-control-allow-origin", allow))
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and allow:
                headers = list(message.get("headers", []))
                headers.append((b"access-control-allow-origin", allow))
                headers.append((b"vary", b"Origin"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cors)
