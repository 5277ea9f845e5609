"""CORS as the original UI needs it: every OPTIONS answered 204, every answer (errors too) allowed.

An ASGI middleware outside the application, so it also covers 404s, 413s and 500s.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ALLOW_METHODS = b"GET,HEAD,PUT,POST,DELETE"
DEFAULT_HEADERS = b"authorization, cache-control, content-type, expires, x-requested-with"


class CorsMiddleware:
    """Answers preflights and adds Access-Control-Allow-Origin to every HTTP response."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        self.app = app
        self.any_origin = "*" in origins
        self.origins = {o.encode() for o in origins}

    def _allow_origin(self, scope: Scope) -> bytes | None:
        origin = next((v for k, v in scope.get("headers", []) if k == b"origin"), None)
        if self.any_origin:
            return origin or b"*"
        return origin if origin in self.origins else None

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
