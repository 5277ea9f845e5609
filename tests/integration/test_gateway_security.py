"""The gateway exposed: token required, loopback-only without one, rate limits."""

from __future__ import annotations

import os
import subprocess
import sys

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


def test_burst_beyond_the_rate_limit_gets_429(token_gateway) -> None:
    auth = {"Authorization": "Bearer s3cret"}
    with httpx.Client() as client:
        codes = [client.get(token_gateway + "/api/info", headers=auth).status_code for _ in range(260)]
    assert 429 in codes
    assert codes[0] == 200
