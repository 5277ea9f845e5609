"""What makes the gateway safe to expose: a bearer token, a loopback-only default, per-client rate limits.

Both are ASGI middlewares outside the application (inside CORS, so refusals still carry CORS headers).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import time
from urllib.parse import parse_qs

from gekko_gateway.cors import ASGIApp, Receive, Scope, Send

OPEN_PATHS = {"/healthz", "/readyz"}
"""Probes stay open: Kubernetes does not send the token."""


class InsecureBind(SystemExit):
    """Raised at start when the gateway would listen beyond loopback without a token."""


def check_bind(host: str, token: str | None) -> None:
    """Refuse a non-loopback bind without an API token."""
    if token:
        return
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise InsecureBind(
            f"refusing to listen on {host} without GEKKO_API_TOKEN: anyone who can reach it could trade with "
            "your keys. Set GEKKO_API_TOKEN, or GEKKO_HTTP_HOST=127.0.0.1."
        )


async def _refuse_http(send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"error": message, "status": status}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


class TokenAuth:
    """Every route and the websocket require the token (header ``Authorization: Bearer``, or ``?token=``)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode()

    def _authorized(self, scope: Scope) -> bool:
        for key, value in scope.get("headers", []):
            if key == b"authorization" and value.startswith(b"Bearer "):
                return hmac.compare_digest(value[7:].strip(), self.token)
        query = parse_qs(scope.get("query_string", b"").decode())
        given = query.get("token", [""])[0].encode()
        return bool(given) and hmac.compare_digest(given, self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in OPEN_PATHS or self._authorized(scope):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 4401})  # refuses the handshake (HTTP 403)
            return
        await _refuse_http(send, 401, "missing or wrong API token", [(b"www-authenticate", b"Bearer")])


class RateLimit:
    """A token bucket per client address: ``rate`` requests per second, bursts up to ``burst``."""

    def __init__(self, app: ASGIApp, rate: float = 50.0, burst: int = 200, max_clients: int = 10_000) -> None:
        self.app = app
        self.rate = rate
        self.burst = float(burst)
        self.max_clients = max_clients
        self.buckets: dict[str, tuple[float, float]] = {}

    def _take(self, client: str) -> float:
        """0 when allowed, else seconds until the next request would be."""
        now = time.monotonic()
        tokens, last = self.buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self.buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate
        if len(self.buckets) >= self.max_clients and client not in self.buckets:
            self.buckets.clear()  # bounded memory; a flood of addresses resets everyone's bucket
        self.buckets[client] = (tokens - 1, now)
        return 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        wait = self._take(client)
        if wait:
            retry = str(max(1, round(wait))).encode()
            await _refuse_http(send, 429, "too many requests from this client", [(b"retry-after", retry)])
            return
        await self.app(scope, receive, send)
