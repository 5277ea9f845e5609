"""Gekko events as Structs: the wire payloads of the original decode and encode unchanged."""

from __future__ import annotations

import msgspec
import pytest

from gekko_common.events import EVENTS, TradeCompleted, decode_event, payload_of
from tests.conftest import reference


def recorded_events() -> list[dict]:
    recording = reference("api/ws_leech_papertrader.json")
    frames = [m["data"] for m in recording["messages"] if "data" in m]
    return [f["event"] for f in frames if f.get("type") == "gekko_event"]


def test_every_recorded_gekko_event_decodes_and_encodes_back_unchanged() -> None:
    events = recorded_events()
    assert events, "the recording holds gekko_event frames"
    for event in events:
        decoded = decode_event(event["type"], event["payload"])
        if isinstance(decoded, str):
            assert decoded == event["payload"]
        else:
            assert payload_of(decoded) == event["payload"]


def test_trade_completed_payload_keeps_camel_case_names() -> None:
    payload = {
        "id": "trade-1",
        "adviceId": "advice-1",
        "action": "buy",
        "cost": 0.3,
        "amount": 1.0,
        "price": 7000.0,
        "portfolio": {"asset": 1.0, "currency": 0.0},
        "balance": 7000.0,
        "date": "2018-04-02T14:08:00.000Z",
        "effectivePrice": 6982.5,
        "feePercent": 0.25,
    }
    event = decode_event("tradeCompleted", payload)
    assert isinstance(event, TradeCompleted)
    assert payload_of(event) == payload


def test_unknown_event_name_is_refused() -> None:
    with pytest.raises(msgspec.ValidationError):
        decode_event("tradeExploded", {})


def test_catalogue_has_every_event_of_the_spec() -> None:
    assert set(EVENTS) == {
        "candle",
        "stratCandle",
        "stratWarmupCompleted",
        "stratUpdate",
        "stratNotification",
        "advice",
        "portfolioChange",
        "portfolioValueChange",
        "tradeInitiated",
        "tradeCompleted",
        "tradeAborted",
        "tradeCancelled",
        "tradeErrored",
        "triggerCreated",
        "triggerFired",
        "triggerAborted",
        "performanceReport",
        "roundtripUpdate",
        "roundtrip",
    }
