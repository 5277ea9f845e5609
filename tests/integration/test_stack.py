"""The walking skeleton end to end: four real service processes on real NATS and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket

import httpx
import msgspec
import pytest
import websockets

from gekko_common import subjects
from gekko_common.infra import bus
from gekko_common.messages import Envelope, health_decoder

pytestmark = pytest.mark.integration


def test_info_with_stack_running_returns_gekko_version(stack) -> None:
    answer = httpx.get(stack.gateway_url + "/api/info")
    assert answer.status_code == 200
    assert answer.json() == {"version": "0.6.8"}


async def test_health_request_with_every_service_running_gets_a_ready_answer_from_each(stack, nats_server) -> None:
    nc = await bus.connect(nats_server.url, "test-health")
    try:
        for service in subjects.SERVICES:
            msg = await nc.request(subjects.health(service), b"", timeout=5)
            health = health_decoder.decode(msg.data)
            assert health.service == service
            assert health.ready is True
    finally:
        await nc.close()


async def test_websocket_with_event_published_receives_relayed_frame(stack, nats_server) -> None:
    nc = await bus.connect(nats_server.url, "test-relay")
    js = await bus.ensure_jetstream(nc)
    uri = stack.gateway_url.replace("http://", "ws://") + "/api"
    try:
        async with websockets.connect(uri, origin="http://127.0.0.1:9999") as ws:
            await asyncio.sleep(0.2)  # the gateway registers the client
            publisher = bus.EventPublisher(js, subjects.import_event("42"), "import-42")
            await publisher.publish("import_update", {"latest": "2025-05-20T00:00:00Z", "done": False})
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
    finally:
        await nc.close()
    assert frame == {
        "type": "import_update",
        "import_id": "42",
        "updates": {"latest": "2025-05-20T00:00:00Z", "done": False},
    }


def test_preflight_from_foreign_origin_allows_the_ui_headers(stack) -> None:
    answer = httpx.options(
        stack.gateway_url + "/api/backtest",
        headers={
            "Origin": "http://127.0.0.1:3100",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "cache-control,content-type,expires,x-requested-with",
        },
    )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "http://127.0.0.1:3100"
    assert "x-requested-with" in answer.headers["access-control-allow-headers"]


def test_unknown_route_returns_json_404_with_cors(stack) -> None:
    answer = httpx.get(stack.gateway_url + "/api/doesnotexist", headers={"Origin": "http://ui"})
    assert answer.status_code == 404
    assert "error" in answer.json()
    assert answer.headers["access-control-allow-origin"] == "http://ui"


def test_a_passed_through_service_answer_is_json_with_cors(stack) -> None:
    answer = httpx.post(stack.gateway_url + "/api/scansets", json={}, headers={"Origin": "http://ui"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["access-control-allow-origin"] == "http://ui"
    assert set(answer.json()) == {"datasets", "errors"}


def test_malformed_json_returns_400_naming_the_body(stack) -> None:
    answer = httpx.post(
        stack.gateway_url + "/api/backtest", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400
    assert answer.json()["field"] == "body"


def test_config_part_paper_trader_matches_the_original(
    stack,
) -> None:
    from tests.conftest import reference

    recorded = reference("api/007_configPart_paperTrader.json")
    answer = httpx.get(stack.gateway_url + "/api/configPart/paperTrader")
    assert answer.json() == recorded["response"]


def test_unknown_config_part_returns_404_naming_the_part(stack) -> None:
    answer = httpx.get(stack.gateway_url + "/api/configPart/nope")
    assert answer.status_code == 404
    assert answer.json()["field"] == "part"


def _stalled_websocket(url: str) -> socket.socket:
    """A websocket client that completes the handshake and then never reads (tiny receive buffer)."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET /api HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    assert b" 101 " in sock.recv(1024)
    return sock


async def test_slow_websocket_client_is_dropped_without_blocking_others(stack, nats_server) -> None:
    nc = await bus.connect(nats_server.url, "test-slow")
    uri = stack.gateway_url.replace("http://", "ws://") + "/api"
    total = 1500
    received = 0
    stalled = _stalled_websocket(stack.gateway_url)
    try:
        async with websockets.connect(uri) as fast:
            await asyncio.sleep(0.2)
            payload = {"type": "gekko_update", "blob": "x" * 32000}

            async def read_fast() -> None:
                nonlocal received
                while received < total:
                    await asyncio.wait_for(fast.recv(), 10)
                    received += 1

            reader = asyncio.create_task(read_fast())
            for i in range(total):
                env = Envelope(id=f"t{i}", type="test", source="test", seq=i, time=0.0, payload=payload)
                await nc.publish(subjects.TEST_EVENT, msgspec.json.encode(env))
                if i % 100 == 99:
                    await nc.flush()
                    await asyncio.sleep(0.02)
            await reader
            health = await nc.request(subjects.health("gateway"), b"", timeout=5)
    finally:
        stalled.close()
        await nc.close()
    assert received == total  # the reader got everything although the other client never read
    assert health_decoder.decode(health.data).details["websocket_clients"] == 1  # the stalled one was cut off
