"""The gateway's browser-facing checks as ASGI middlewares, called directly."""

from __future__ import annotations

import pytest

from gekko_gateway.cors import OriginPolicy
from gekko_gateway.security import BrowserGuard, ForwardedHeader, TokenAuth, bearer


def scope(kind: str = "http", path: str = "/api/info", query: bytes = b"", **headers: str) -> dict:
    return {
        "type": kind,
        "path": path,
        "method": "GET",
        "query_string": query,
        "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }


class Recorder:
    def __init__(self) -> None:
        self.called = False
        self.scope: dict | None = None
        self.sent: list[dict] = []

    async def app(self, scope, receive, send) -> None:
        self.called, self.scope = True, scope

    async def receive(self) -> dict:
        return {"type": "websocket.connect"}

    async def send(self, message: dict) -> None:
        self.sent.append(message)


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (b"http://localhost:3000", True),
        (b"http://127.0.0.1:8080", True),
        (b"http://[::1]:3000", True),
        (b"https://localhost", True),
        (b"http://evil.example", False),
        (b"http://localhost.evil.example", False),
        (b"null", False),
    ],
)
def test_default_policy_allows_only_loopback_pages(origin: bytes, allowed: bool) -> None:
    assert OriginPolicy(()).allows(origin) is allowed


def test_configured_origins_widen_the_loopback_default() -> None:
    policy = OriginPolicy(("http://ui.example/",))
    assert policy.allows(b"http://ui.example")
    assert policy.allows(b"http://localhost:3000")
    assert not policy.allows(b"http://other.example")
    assert OriginPolicy(("*",)).allows(b"http://anything.example")


@pytest.mark.parametrize("value", ["Bearer s3cret", "bearer s3cret", "BEARER  s3cret "])
def test_bearer_scheme_is_case_insensitive(value: str) -> None:
    assert bearer(scope(authorization=value)) == b"s3cret"


def test_other_schemes_are_no_bearer_token() -> None:
    assert bearer(scope(authorization="Basic czNjcmV0")) is None


async def test_token_in_the_query_is_refused_on_rest_and_accepted_on_the_websocket() -> None:
    rest, ws = Recorder(), Recorder()
    await TokenAuth(rest.app, "s3cret")(scope(query=b"token=s3cret"), rest.receive, rest.send)
    assert not rest.called
    assert rest.sent[0]["status"] == 401
    await TokenAuth(ws.app, "s3cret")(scope("websocket", "/api", b"token=s3cret"), ws.receive, ws.send)
    assert ws.called


@pytest.mark.parametrize("host", ["evil.example", "evil.example:3000", "127.0.0.1.evil.example"])
async def test_host_naming_another_server_is_refused_without_a_token(host: str) -> None:
    r = Recorder()
    await BrowserGuard(r.app, OriginPolicy(()), "127.0.0.1", check_host=True)(scope(host=host), r.receive, r.send)
    assert not r.called
    assert r.sent[0]["status"] == 421


@pytest.mark.parametrize("host", ["127.0.0.1:3000", "localhost:3000", "[::1]:3000", "localhost"])
async def test_loopback_host_is_served(host: str) -> None:
    r = Recorder()
    await BrowserGuard(r.app, OriginPolicy(()), "127.0.0.1", check_host=True)(scope(host=host), r.receive, r.send)
    assert r.called


async def test_websocket_from_a_foreign_page_is_refused() -> None:
    guard_scope = scope("websocket", "/api", host="127.0.0.1:3000", origin="http://evil.example")
    r = Recorder()
    await BrowserGuard(r.app, OriginPolicy(()), "127.0.0.1", check_host=True)(guard_scope, r.receive, r.send)
    assert not r.called
    assert r.sent == [{"type": "websocket.close", "code": 4401}]
    ok = Recorder()
    local = scope("websocket", "/api", host="127.0.0.1:3000", origin="http://localhost:3000")
    await BrowserGuard(ok.app, OriginPolicy(()), "127.0.0.1", check_host=True)(local, ok.receive, ok.send)
    assert ok.called


async def test_forwarded_header_becomes_x_forwarded_for() -> None:
    r = Recorder()
    await ForwardedHeader(r.app)(scope(forwarded='for=192.0.2.60;proto=http, for="[2001:db8::1]"'), r.receive, r.send)
    assert r.scope is not None
    assert (b"x-forwarded-for", b"192.0.2.60, 2001:db8::1") in r.scope["headers"]
