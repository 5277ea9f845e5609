"""Gekko events as Structs: the wire payloads of the original decode and encode unchanged."""

from __future__ import annotations

import msgspec
import pytest

from gekko_common.events import EVENTS, TradeCompleted, decode_event, exported, payload_of
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


def test_dates_are_unix_seconds_in_the_engine_and_iso_on_the_wire() -> None:
    from gekko_common.events import Moment, StratWarmupCompleted, exported, wire_encoder
    from gekko_common.messages import Envelope

    event = StratWarmupCompleted(start=Moment(1_530_595_200))
    assert exported(event) == {"start": 1_530_595_200}
    assert payload_of(event) == {"start": "2018-07-03T05:20:00.000Z"}
    env = Envelope(id="s:1", type=event.name, source="s", seq=1, time=0.0, payload=event)
    assert msgspec.json.decode(wire_encoder.encode(env))["payload"] == {"start": "2018-07-03T05:20:00.000Z"}
    assert Moment.of(1_530_595_200.123).iso() == "2018-07-03T05:20:00.123Z"


def test_a_live_trade_without_fees_decodes_and_encodes_back() -> None:
    payload = {
        "id": "trade-1",
        "adviceId": "advice-1",
        "action": "sell",
        "amount": 0.5,
        "price": 7000.0,
        "portfolio": {"asset": 0.0, "currency": 3500.0},
        "balance": 3500.0,
        "date": "2018-04-02T14:08:01.250Z",
        "effectivePrice": 7000.0,
    }
    event = decode_event("tradeCompleted", payload)
    assert isinstance(event, TradeCompleted)
    assert payload_of(event) == payload
    assert exported(event)["date"] == 1_522_678_081
