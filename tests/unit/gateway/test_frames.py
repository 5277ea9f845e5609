"""Bus events to websocket frames, and the folds behind /api/gekkos and /api/imports: pure, no servers."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from gekko_common import events, subjects, sweep
from gekko_common.events import Advice, CandleEvent, Moment, StratWarmupCompleted, TradeCompleted, payload_of
from gekko_common.gekko_state import initial_state, reduce
from gekko_common.messages import Envelope, encoder, envelope_decoder
from gekko_gateway import gekkos_view, imports
from gekko_gateway.frames import to_frame


def envelope(type_: str, payload: Any, seq: int = 1, time: float = 1_530_600_000.0) -> Envelope:
    """An event as it arrives from the bus: encoded by the publisher, decoded by the gateway."""
    env = Envelope(id=f"s:{seq}", type=type_, source="s", seq=seq, time=time, payload=payload)
    return envelope_decoder.decode(encoder.encode(env))


CANDLE = CandleEvent(start=Moment(1_530_595_200), open=1, high=2, low=0.5, close=1.5, vwp=1.2, volume=3, trades=4)


def test_a_gekko_event_becomes_a_gekko_event_frame_with_iso_dates() -> None:
    frame = to_frame(subjects.gekko_event("g1"), envelope(CANDLE.name, CANDLE))
    assert frame == {
        "type": "gekko_event",
        "id": "g1",
        "event": {
            "type": "candle",
            "payload": {
                "start": "2018-07-03T05:20:00.000Z",
                "open": 1,
                "high": 2,
                "low": 0.5,
                "close": 1.5,
                "vwp": 1.2,
                "volume": 3,
                "trades": 4,
            },
        },
    }


def test_lifecycle_frames_carry_their_own_shapes() -> None:
    subject = subjects.gekko_event("g1")
    assert to_frame(subject, envelope(events.GEKKO_NEW, {"id": "g1"})) == {
        "type": "gekko_new",
        "id": "g1",
        "state": {"id": "g1"},
    }
    assert to_frame(subject, envelope(events.GEKKO_ERROR, "boom")) == {
        "type": "gekko_error",
        "id": "g1",
        "error": "boom",
    }
    assert to_frame(subject, envelope(events.GEKKO_STOPPED, None)) == {"type": "gekko_stopped", "id": "g1"}
    assert to_frame(subject, envelope("_lease", {})) is None


def test_import_and_api_key_frames() -> None:
    subject = subjects.import_event("i1")
    assert to_frame(subject, envelope(events.IMPORT_UPDATE, {"latest": 5})) == {
        "type": "import_update",
        "import_id": "i1",
        "updates": {"latest": 5},
    }
    assert to_frame(subject, envelope(events.IMPORT_ERROR, "no")) == {
        "type": "import_error",
        "import_id": "i1",
        "error": "no",
    }
    assert to_frame(subject, envelope(events.IMPORT_STARTED, {})) is None
    assert to_frame(subjects.APIKEY_EVENTS, envelope(events.API_KEYS, ["binance"])) == {
        "type": "apiKeys",
        "exchanges": ["binance"],
    }
    assert to_frame(subjects.TEST_EVENT, envelope("test", {"type": "x", "n": 1})) == {"type": "x", "n": 1}
    assert to_frame(subjects.TEST_EVENT, envelope("test", [1])) is None


def test_subjects_and_event_ids_parse_back_what_they_build() -> None:
    assert subjects.parse_event_subject(subjects.gekko_event("a-b")) == ("gekko", "a-b")
    assert subjects.parse_event_subject(subjects.import_event("x")) == ("import", "x")
    assert subjects.parse_event_subject(subjects.sweep_event("s1")) == ("sweep", "s1")
    assert subjects.parse_event_subject(subjects.APIKEY_EVENTS) is None
    source = subjects.gekko_source("g")
    assert subjects.event_key(source, subjects.event_id(source, "12:3")) == "12:3"
    assert subjects.event_key(subjects.gekko_source("h"), subjects.event_id(source, "12:3")) is None


def test_sweep_frames_carry_progress_results_and_errors() -> None:
    subject = subjects.sweep_event("s1")
    assert to_frame(subject, envelope(sweep.UPDATE, {"done": 1})) == {
        "type": "sweep_update",
        "sweep_id": "s1",
        "updates": {"done": 1},
    }
    assert to_frame(subject, envelope(sweep.RESULTS, {"results": [1]})) == {
        "type": "sweep_update",
        "sweep_id": "s1",
        "results": [1],
    }
    assert to_frame(subject, envelope(sweep.ERROR, "boom")) == {
        "type": "sweep_error",
        "sweep_id": "s1",
        "error": "boom",
    }
    assert to_frame(subject, envelope(sweep.STARTED, {})) is None


def test_gekkos_view_counts_on_from_the_highest_seq_it_has_seen() -> None:
    view = gekkos_view.GekkosView()
    state = initial_state("g", {"watch": {}}, "realtime", 1_530_600_000)
    for seq, (type_, payload) in enumerate([(events.GEKKO_NEW, state), (CANDLE.name, CANDLE)], start=1):
        msg = SimpleNamespace(subject=subjects.gekko_event("g"), data=encoder.encode(envelope(type_, payload, seq)))
        asyncio.run(view._on_msg(msg))  # type: ignore[arg-type]
    assert view.seen == {"g": 2}
    assert "g" in view.live


def trade(n: int, date: int) -> TradeCompleted:
    return TradeCompleted(
        id=f"trade-{n}",
        adviceId=f"advice-{n}",
        action="buy",
        cost=0.25,
        amount=1.0,
        price=100.0,
        portfolio=events.Portfolio(asset=1.0, currency=0.0),
        balance=100.0,
        date=Moment(date),
        effectivePrice=100.25,
        feePercent=0.25,
    )


def test_reduce_keeps_first_latest_and_every_trade_advice_and_roundtrip() -> None:
    state = initial_state("g", {"watch": {}}, "realtime", 1_530_600_000)
    first, second = trade(1, 1_530_600_060), trade(2, 1_530_600_120)
    for i, event in enumerate(
        [
            StratWarmupCompleted(start=Moment(1_530_600_000)),
            first,
            second,
            Advice(id="advice-3", recommendation="long", date=Moment(1)),
        ]
    ):
        reduce(state, event.name, payload_of(event), 1_530_600_000 + i)
    reduce(state, events.MARKET_UPDATE, "2018-07-03T06:40:00.000Z", 1_530_600_010)
    assert state["events"]["tradeCompleted"] == [payload_of(first), payload_of(second)]
    assert state["events"]["initial"]["tradeCompleted"] == payload_of(first)
    assert state["events"]["latest"]["tradeCompleted"] == payload_of(second)
    assert len(state["events"]["advice"]) == 1
    assert "stratWarmupCompleted" not in state["events"]["latest"]
    assert "marketUpdate" not in state["events"]["initial"]
    assert state["events"]["latest"]["marketUpdate"] == "2018-07-03T06:40:00.000Z"
    assert state["latestUpdate"] == "2018-07-03T06:40:10.000Z"


def test_gekkos_view_folds_lifecycle_events() -> None:
    live: dict[str, Any] = {}
    archive: dict[str, Any] = {}
    state = initial_state("g", {"watch": {}}, "realtime", 1_530_600_000)
    gekkos_view.apply(live, archive, "g", envelope(events.GEKKO_NEW, state))
    gekkos_view.apply(live, archive, "g", envelope(CANDLE.name, CANDLE))
    assert live["g"]["events"]["latest"]["candle"]["start"] == "2018-07-03T05:20:00.000Z"
    gekkos_view.apply(live, archive, "g", envelope(events.GEKKO_ERROR, "boom"))
    assert live["g"]["errored"] is True
    assert live["g"]["errorMessage"] == "boom"
    gekkos_view.apply(live, archive, "g", envelope(events.GEKKO_ARCHIVED, None))
    assert "g" not in live
    assert archive["g"]["active"] is False
    gekkos_view.apply(live, archive, "g", envelope(events.GEKKO_NEW, state))  # a replayed gekko_new
    assert "g" not in live
    gekkos_view.apply(live, archive, "g", envelope(events.GEKKO_DELETED, None))
    assert archive == {}


def test_imports_view_folds_started_update_and_error() -> None:
    records: dict[str, dict[str, Any]] = {}
    imports.apply(records, "i", envelope(events.IMPORT_UPDATE, {"latest": 1}))
    assert records == {}  # nothing before it started
    imports.apply(records, "i", envelope(events.IMPORT_STARTED, {"id": "i", "latest": 0, "done": False}))
    imports.apply(records, "i", envelope(events.IMPORT_UPDATE, {"latest": 7, "done": True, "other": 1}))
    imports.apply(records, "i", envelope(events.IMPORT_ERROR, "failed"))
    assert records == {"i": {"id": "i", "latest": 7, "done": True, "error": "failed"}}


def test_a_progress_report_becomes_a_backtest_progress_frame() -> None:
    from gekko_common.messages import BacktestProgress, progress_decoder
    from gekko_gateway.frames import progress_frame

    sent = BacktestProgress(
        id="run-1", percent=37.5, candles=3, total=8, candles_per_s=1200.0, at="2025-05-20T00:02:00.000Z"
    )
    assert progress_frame(progress_decoder.decode(encoder.encode(sent))) == {
        "type": "backtest_progress",
        "id": "run-1",
        "percent": 37.5,
        "candles": 3,
        "total": 8,
        "candles_per_s": 1200.0,
        "at": "2025-05-20T00:02:00.000Z",
    }
