"""The bus adapter against a real nats-server: following the event log across a NATS restart."""

from __future__ import annotations

import asyncio

import pytest

from gekko_common.infra import bus
from gekko_common.infra.localstack import NatsServer
from gekko_common.messages import Reply

pytestmark = pytest.mark.integration


async def test_follower_replays_then_resumes_after_nats_restarts_without_gaps_or_repeats(tmp_path) -> None:
    server = NatsServer(tmp_path / "js").start()
    restarted = None
    nc = await bus.connect(server.url, "test-follow")
    try:
        js = await bus.ensure_jetstream(nc)
        await js.publish("gekko.evt.gekko.a", b"1")
        got: list[bytes] = []

        async def collect(msg) -> None:
            got.append(msg.data)

        await bus.follow(nc, js, "gekko.evt.gekko.>", collect)
        assert got == [b"1"]
        await js.publish("gekko.evt.gekko.a", b"2")
        await asyncio.to_thread(server.stop)
        restarted = await asyncio.to_thread(NatsServer(tmp_path / "js", port=server.port).start)
        for _ in range(100):
            if nc.is_connected and nc.stats["reconnects"]:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)  # the follower notices the reconnect
        await js.publish("gekko.evt.gekko.b", b"3")
        for _ in range(50):
            if len(got) >= 3:
                break
            await asyncio.sleep(0.1)
        assert got == [b"1", b"2", b"3"]
    finally:
        await nc.close()
        if restarted:
            restarted.stop()
        server.stop()


async def test_follow_returns_only_once_the_callback_has_handled_every_stored_event(tmp_path) -> None:
    """The server can report nothing pending while the messages are still queued for the callback:
    a sweep driver that looked at its record then would find none and drop the sweep."""
    server = NatsServer(tmp_path / "js").start()
    nc = await bus.connect(server.url, "test-caught-up")
    try:
        js = await bus.ensure_jetstream(nc)
        for i in range(40):
            await js.publish(f"gekko.evt.gekko.{i % 3}", str(i).encode())
        got: list[bytes] = []

        async def slow(msg) -> None:
            await asyncio.sleep(0.01)
            got.append(msg.data)

        follower = await bus.follow(nc, js, "gekko.evt.gekko.>", slow)
        assert got == [str(i).encode() for i in range(40)]
        await follower.stop()
        empty = await bus.follow(nc, js, "gekko.evt.gekko.none", slow)  # nothing stored: returns at once
        await empty.stop()
    finally:
        await nc.close()
        server.stop()


async def test_a_query_whose_responder_dies_mid_answer_is_asked_again(nats_server) -> None:
    """A killed replica takes the request it was answering with it; the next one answers."""
    nc = await bus.connect(nats_server.url, "test-query")
    try:
        seen: list[str] = []

        async def answer(msg) -> Reply:
            return Reply(result={"n": len(seen)})

        async def dies(msg) -> None:  # takes the request, then goes away without answering
            seen.append("dead")
            await dead.unsubscribe()
            seen.append("live")
            await bus.serve(nc, "test.query", answer, queue="q")

        dead = await nc.subscribe("test.query", queue="q", cb=dies)
        reply = await bus.query(nc, "test.query", b"{}", answer_within=0.5)
        assert reply.result == {"n": 2}
        assert seen == ["dead", "live"]

        async def silent(msg) -> None:
            pass

        nobody = await nc.subscribe("test.silent", cb=silent)
        with pytest.raises(bus.NoResponders):
            await bus.query(nc, "test.silent", b"{}", answer_within=0.2, attempts=2)
        await nobody.unsubscribe()
    finally:
        await nc.close()
