"""What makes the gateway safe to expose: a bearer token, a loopback-only default, rate limits, the
Host and websocket Origin checks that keep web pages out of a loopback gateway.

All are ASGI middlewares outside the application (inside CORS, so refusals still carry CORS headers).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import time
from urllib.parse import parse_qs, urlsplit

from gekko_common.infra import metrics
from gekko_gateway.cors import LOOPBACK_HOSTS, ASGIApp, Message, OriginPolicy, Receive, Scope, Send, header

OPEN_PATHS = {"/healthz", "/readyz", "/metrics"}
"""Probes and metrics stay open: Kubernetes and Prometheus do not send the token."""


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


def bearer(scope: Scope) -> bytes | None:
    """The token of an ``Authorization: Bearer <token>`` header (the scheme in any case, RFC 7235)."""
    value = header(scope, b"authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(b" ")
    return token.strip() if scheme.lower() == b"bearer" and token.strip() else None


class TokenAuth:
    """Every route and the websocket require the token: ``Authorization: Bearer``, or on the websocket
    only (browsers cannot set its headers) ``?token=``, so tokens stay out of REST URLs and logs."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode()

    def _authorized(self, scope: Scope) -> bool:
        given = bearer(scope)
        if given is None and scope["type"] == "websocket":
            given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0].encode()
        return bool(given) and hmac.compare_digest(given or b"", self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in OPEN_PATHS or self._authorized(scope):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await _refuse_websocket(receive, send)
            return
        await _refuse_http(send, 401, "missing or wrong API token", [(b"www-authenticate", b"Bearer")])


async def _refuse_websocket(receive: Receive, send: Send) -> None:
    await receive()  # websocket.connect
    await send({"type": "websocket.close", "code": 4401})  # refuses the handshake (HTTP 403)


class Buckets:
    """Token buckets by key: ``rate`` requests per second, bursts up to ``burst``; rate 0 allows all."""

    def __init__(self, rate: float, burst: int, max_keys: int = 10_000) -> None:
        self.rate = rate
        self.burst = float(max(burst, 1))
        self.max_keys = max_keys
        self.buckets: dict[bytes | str, tuple[float, float]] = {}

    def take(self, key: bytes | str) -> float:
        """0 when allowed, else seconds until the next request would be."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        tokens, last = self.buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self.buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
        if len(self.buckets) >= self.max_keys and key not in self.buckets:
            self.buckets.clear()  # bounded memory; a flood of addresses resets everyone's bucket
        self.buckets[key] = (tokens - 1, now)
        return 0.0


class RateLimit:
    """Per client address and per API token presented: token buckets for requests (429 with
    Retry-After), and a cap on open websockets per address.

    Written here because neither uvicorn nor litestar keys limits by token or counts open websockets;
    the client address is uvicorn's (X-Forwarded-For honoured only from trusted proxies)."""

    def __init__(
        self,
        app: ASGIApp,
        per_address: tuple[float, int] = (50.0, 200),
        per_token: tuple[float, int] = (200.0, 800),
        ws_per_client: int = 20,
    ) -> None:
        self.app = app
        self.addresses = Buckets(*per_address)
        self.tokens = Buckets(*per_token)
        self.ws_per_client = ws_per_client
        self.sockets: dict[str, int] = {}

    def _wait(self, scope: Scope, client: str) -> float:
        wait = self.addresses.take(client)
        token = bearer(scope)
        return max(wait, self.tokens.take(token)) if token is not None else wait

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        wait = self._wait(scope, client)
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send, client, refuse=bool(wait))
            return
        if wait:
            retry = str(max(1, round(wait))).encode()
            await _refuse_http(send, 429, "too many requests from this client", [(b"retry-after", retry)])
            return
        await self.app(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send, client: str, refuse: bool) -> None:
        if refuse or self.sockets.get(client, 0) >= self.ws_per_client:
            await _refuse_websocket(receive, send)
            return
        self.sockets[client] = self.sockets.get(client, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.sockets[client] -= 1
            if not self.sockets[client]:
                del self.sockets[client]


class BrowserGuard:
    """What keeps web pages away from a loopback gateway: without a token, the Host header must name
    this server (a DNS-rebinding page's Host names the attacker's domain), and a browser's websocket
    must come from an allowed origin (CORS does not cover websockets)."""

    def __init__(self, app: ASGIApp, policy: OriginPolicy, bind_host: str, check_host: bool) -> None:
        self.app = app
        self.policy = policy
        self.hosts = LOOPBACK_HOSTS | {bind_host.strip("[]")}
        self.check_host = check_host

    def _host_ok(self, scope: Scope) -> bool:
        value = header(scope, b"host")
        if not self.check_host or value is None:
            return True
        try:
            name = urlsplit("//" + value.decode("latin-1")).hostname
        except ValueError:
            return False
        return name in self.hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        origin = header(scope, b"origin")
        if scope["type"] == "websocket" and (
            not self._host_ok(scope) or (origin is not None and not self.policy.allows(origin))
        ):
            await _refuse_websocket(receive, send)
            return
        if not self._host_ok(scope):
            await _refuse_http(send, 421, "the Host header does not name this server", [])
            return
        await self.app(scope, receive, send)


class ForwardedHeader:
    """RFC 7239 ``Forwarded: for=...`` as ``X-Forwarded-For`` when a proxy sends only the former, so that
    uvicorn's proxy-headers middleware (which reads only X-Forwarded-For, and only from trusted
    proxies) sees it. Written here because uvicorn does not parse ``Forwarded``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and header(scope, b"x-forwarded-for") is None:
            forwarded = header(scope, b"forwarded")
            if forwarded is not None:
                chain = [
                    value.strip().strip('"').strip("[]")
                    for element in forwarded.decode("latin-1").split(",")
                    for pair in element.split(";")
                    for key, _, value in [pair.strip().partition("=")]
                    if key.lower() == "for"
                ]
                if chain:
                    scope = {**scope, "headers": [*scope["headers"], (b"x-forwarded-for", ", ".join(chain).encode())]}
        await self.app(scope, receive, send)


class RequestMetrics:
    """Counts every HTTP answer by route template, method and status, and times it (refusals by the
    limits and checks inside it included: those have no route, ``unrouted``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route, method = scope.get("path_template") or "unrouted", scope["method"]
            metrics.HTTP_REQUESTS.labels(route, method, str(status)).inc()
            metrics.HTTP_LATENCY.labels(route, method).observe(time.monotonic() - started)
