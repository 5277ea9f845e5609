"""The gateway exposed: token required, loopback-only without one, rate limits, proxies, browser safety."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
import websockets

from gekko_common.infra.localstack import free_port
from gekko_common.infra.procs import ServiceProcess, wait_http_ok

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def token_gateway(stack_env, tmp_path_factory):
    port = free_port()
    env = {**stack_env, "GEKKO_HTTP_PORT": str(port), "GEKKO_API_TOKEN": "s3cret"}
    proc = ServiceProcess("gateway", env, tmp_path_factory.mktemp("gw") / "gateway.log").start()
    wait_http_ok(f"http://127.0.0.1:{port}/readyz", proc)
    yield f"http://127.0.0.1:{port}"
    proc.stop()


def test_request_without_token_gets_401_with_cors(token_gateway) -> None:
    answer = httpx.get(token_gateway + "/api/info", headers={"Origin": "http://ui"})
    assert answer.status_code == 401
    assert answer.json()["error"] == "missing or wrong API token"
    assert answer.headers["access-control-allow-origin"] == "http://ui"


def test_request_with_wrong_token_gets_401(token_gateway) -> None:
    answer = httpx.get(token_gateway + "/api/info", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401


def test_request_with_bearer_token_is_served(token_gateway) -> None:
    answer = httpx.get(token_gateway + "/api/info", headers={"Authorization": "Bearer s3cret"})
    assert answer.json() == {"version": "0.6.8"}


def test_probes_stay_open_without_token(token_gateway) -> None:
    assert httpx.get(token_gateway + "/healthz").status_code == 200


async def test_websocket_without_token_is_refused(token_gateway) -> None:
    uri = token_gateway.replace("http://", "ws://") + "/api"
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(uri):
            pass
    assert refused.value.response.status_code == 403


async def test_websocket_with_token_query_parameter_connects(token_gateway) -> None:
    uri = token_gateway.replace("http://", "ws://") + "/api?token=s3cret"
    async with websockets.connect(uri) as ws:
        assert ws.state.name == "OPEN"


def test_gateway_without_token_refuses_a_public_bind(stack_env) -> None:
    env = {**os.environ, **stack_env, "GEKKO_HTTP_HOST": "0.0.0.0", "GEKKO_HTTP_PORT": str(free_port())}
    env.pop("GEKKO_API_TOKEN", None)
    done = subprocess.run([sys.executable, "-m", "gekko_gateway"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "without GEKKO_API_TOKEN" in done.stderr


def gateway(stack_env, tmp_path_factory, **env: str):
    port = free_port()
    env = {**stack_env, "GEKKO_HTTP_PORT": str(port), "GEKKO_API_TOKEN": "s3cret", **env}
    proc = ServiceProcess("gateway", env, tmp_path_factory.mktemp("gw") / "gateway.log").start()
    wait_http_ok(f"http://127.0.0.1:{port}/readyz", proc, timeout=90)
    return f"http://127.0.0.1:{port}", proc


@pytest.fixture(scope="module")
def limited_gateway(stack_env, tmp_path_factory):
    """Small limits, so that tests reach them in a few requests; no trusted proxy."""
    url, proc = gateway(
        stack_env,
        tmp_path_factory,
        GEKKO_RATE_LIMIT="1/20",
        GEKKO_TOKEN_RATE_LIMIT="1/40",
        GEKKO_HEADER_TIMEOUT_S="1",
        GEKKO_BODY_TIMEOUT_S="1",
    )
    yield url
    proc.stop()


@pytest.fixture(scope="module")
def ws_capped_gateway(stack_env, tmp_path_factory):
    """Three websockets per client, the default rate limits: the cap alone decides (the limited gateway's
    buckets, drained by the burst tests, would refuse a websocket for the rate instead)."""
    url, proc = gateway(stack_env, tmp_path_factory, GEKKO_WS_PER_CLIENT="3")
    yield url
    proc.stop()


@pytest.fixture(scope="module")
def proxied_gateway(stack_env, tmp_path_factory):
    """Behind a trusted proxy (loopback here): X-Forwarded-For / Forwarded name the client."""
    url, proc = gateway(
        stack_env,
        tmp_path_factory,
        GEKKO_RATE_LIMIT="1/20",
        GEKKO_TOKEN_RATE_LIMIT="0",
        GEKKO_TRUSTED_PROXIES="127.0.0.1",
    )
    yield url
    proc.stop()


def test_burst_beyond_the_rate_limit_gets_429(limited_gateway) -> None:
    auth = {"Authorization": "Bearer s3cret"}
    with httpx.Client() as client:
        codes = [client.get(limited_gateway + "/api/info", headers=auth).status_code for _ in range(260)]
    assert 429 in codes
    assert codes[0] == 200


def test_forwarded_for_from_an_untrusted_peer_does_not_make_a_new_client(limited_gateway) -> None:
    with httpx.Client() as client:
        codes = [
            client.get(limited_gateway + "/api/info", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
            for i in range(60)
        ]
    assert 429 in codes


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(proxied_gateway) -> None:
    auth = {"Authorization": "Bearer s3cret"}
    with httpx.Client() as client:
        same = [
            client.get(proxied_gateway + "/api/info", headers={**auth, "X-Forwarded-For": "198.51.100.7"}).status_code
            for _ in range(60)
        ]
        spread = [
            client.get(proxied_gateway + "/api/info", headers={**auth, "X-Forwarded-For": f"203.0.113.{i}"}).status_code
            for i in range(40)
        ]
        rfc7239 = [
            client.get(proxied_gateway + "/api/info", headers={**auth, "Forwarded": f"for=192.0.2.{i}"}).status_code
            for i in range(40)
        ]
    assert 429 in same
    assert set(spread) == {200}
    assert set(rfc7239) == {200}


async def test_websocket_connections_per_client_are_capped(ws_capped_gateway) -> None:
    uri = ws_capped_gateway.replace("http://", "ws://") + "/api?token=s3cret"
    async with websockets.connect(uri), websockets.connect(uri), websockets.connect(uri):
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(uri):
                pass
        assert refused.value.response.status_code == 403
    # the closed ones no longer count, once the server has seen them close (bounded wait: a loaded
    # machine may take a moment to run the three disconnects)
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        try:
            async with websockets.connect(uri) as ws:
                assert ws.state.name == "OPEN"
                return
        except websockets.InvalidStatus as exc:
            status = exc.response.status_code
            assert status == 403, status
            assert asyncio.get_running_loop().time() < deadline, "closed websockets still count against the cap"
            await asyncio.sleep(0.2)


@pytest.mark.parametrize(
    "partial",
    [
        b"GET /api/info HTTP/1.1\r\nHost: 127",
        b"POST /api/scan HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer s3cret\r\nContent-Length: 100\r\n\r\n{",
    ],
)
def test_a_request_whose_headers_or_body_never_finish_is_cut_off(limited_gateway, partial: bytes) -> None:
    port = int(limited_gateway.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(partial)
        started = time.monotonic()
        data = sock.recv(4096)
        while data:  # whatever the server answers, it then closes the connection
            data = sock.recv(4096)
    assert time.monotonic() - started < 9


def test_token_in_a_rest_query_is_refused(token_gateway) -> None:
    assert httpx.get(token_gateway + "/api/info?token=s3cret").status_code == 401


def test_lower_case_bearer_scheme_is_accepted(token_gateway) -> None:
    assert httpx.get(token_gateway + "/api/info", headers={"Authorization": "bearer s3cret"}).status_code == 200


def test_without_a_token_a_foreign_page_gets_no_cors_and_the_local_ui_does(stack) -> None:
    foreign = httpx.get(stack.gateway_url + "/api/info", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers
    local = httpx.get(stack.gateway_url + "/api/info", headers={"Origin": "http://localhost:3000"})
    assert local.headers["access-control-allow-origin"] == "http://localhost:3000"


def test_without_a_token_a_rebound_host_name_is_refused(stack) -> None:
    answer = httpx.post(stack.gateway_url + "/api/scansets", json={}, headers={"Host": "attacker.example"})
    assert answer.status_code == 421
    assert "Host" in answer.json()["error"]


async def test_without_a_token_a_websocket_from_a_foreign_page_is_refused(stack) -> None:
    uri = stack.gateway_url.replace("http://", "ws://") + "/api"
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(uri, origin="http://evil.example"):
            pass
    assert refused.value.response.status_code == 403
