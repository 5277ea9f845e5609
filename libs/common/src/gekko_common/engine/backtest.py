"""The two drivers of the one engine: a backtest over arrays, and a live run fed one candle at a time."""

from __future__ import annotations

import math
import tomllib
from typing import Any

from gekko_common.engine.arith import iso_ms
from gekko_common.engine.candles import Batcher, Candles, batch
from gekko_common.engine.config import validate_advisor
from gekko_common.engine.errors import ConfigError
from gekko_common.engine.exporter import Exporter
from gekko_common.engine.pipeline import Event, Pipeline
from gekko_common.engine.strategy import Strategy, StrategyCandle, registered


def _number(x: float) -> float | int:
    """Integral counts as ints (JSON ``0`` rather than ``0.0``)."""
    return int(x) if math.isfinite(x) and x.is_integer() else x


def build_strategy(config: dict[str, Any]) -> tuple[Strategy, int]:
    """Instantiate the configured strategy; returns it and the candle size."""
    strategies = registered()
    method, size, _ = validate_advisor(config, set(strategies))
    cls = strategies[method]
    settings = config.get(method)
    if settings is None and cls.params:
        settings = tomllib.loads(cls.params)
    strategy = cls(settings if settings is not None else {}, config)
    return strategy, size


def _pipeline(
    config: dict[str, Any], exporter: Exporter | None, minute_events: bool, sink: Any = None
) -> tuple[Pipeline, int]:
    strategy, size = build_strategy(config)
    try:
        pipeline = Pipeline(config, strategy, exporter=exporter, minute_events=minute_events, sink=sink)
    except KeyError as exc:
        method = config["tradingAdvisor"]["method"]
        raise ConfigError(method, f"the {method} parameters lack {exc}") from None
    return pipeline, size


def run_backtest(config: dict[str, Any], candles: Candles) -> dict[str, Any]:
    """A whole backtest over ``candles`` (already the range to test); returns the /api/backtest answer.

    Minutes that complete no strategy candle change nothing observable unless a trailing stop is
    active, so they are skipped; everything else runs through the same pipeline as a live run.
    """
    data = ((config.get("backtestResultExporter") or {}).get("data")) or {}
    exporter = Exporter(data)
    pipeline, size = _pipeline(config, exporter, minute_events=False)
    strat = batch(candles, size)
    starts = candles.start.tolist()
    closes = candles.close.tolist()
    paper = pipeline.paper
    n = len(starts)
    done = -1  # index of the last 1-minute candle processed

    def advance(until: int) -> None:
        """Process minutes done+1 .. until-1 only while a trailing stop needs to see them."""
        nonlocal done
        i = done + 1
        while i < until and paper.stop is not None:
            pipeline.minute(starts[i], closes[i], None)
            i += 1
        if until - 1 > done and paper.warmed_up and paper.exposed and exporter.want_values:
            exporter.portfolio_value = paper.currency + closes[until - 1] * paper.asset
        done = max(done, until - 1)

    columns = [
        strat.start.tolist(),
        strat.open.tolist(),
        strat.high.tolist(),
        strat.low.tolist(),
        strat.close.tolist(),
        strat.vwp.tolist(),
        strat.volume.tolist(),
        strat.trades.tolist(),
    ]
    for k, end in enumerate(strat.last_index.tolist()):
        advance(end)
        candle = StrategyCandle(
            columns[0][k],
            columns[1][k],
            columns[2][k],
            columns[3][k],
            columns[4][k],
            columns[5][k],
            _number(columns[6][k]),
            _number(columns[7][k]),
        )
        pipeline.minute(starts[end], closes[end], candle)
        done = end
    if n and done < n - 1:
        advance(n - 1)
        pipeline.minute(starts[n - 1], closes[n - 1], None)
    pipeline.finish()
    return exporter.result(config)


_DATE_FIELDS = {
    "stratCandle": ("start",),
    "stratWarmupCompleted": ("start",),
    "stratUpdate": ("date",),
    "stratNotification": ("date",),
    "advice": ("date",),
    "tradeInitiated": ("date",),
    "tradeCompleted": ("date",),
    "tradeAborted": (),
    "tradeCancelled": ("date",),
    "tradeErrored": ("date",),
    "triggerCreated": ("at",),
    "triggerFired": ("date",),
    "triggerAborted": ("date",),
    "roundtrip": ("entryAt", "exitAt"),
    "roundtripUpdate": ("at",),
}


def to_wire(kind: str, payload: Any) -> dict[str, Any]:
    """An engine event as the websocket carries it: dates as ISO strings with milliseconds."""
    if isinstance(payload, StrategyCandle):
        payload = payload.as_dict()
    else:
        payload = dict(payload)
    out: dict[str, Any] = payload
    for key in _DATE_FIELDS.get(kind, ()):
        if isinstance(payload.get(key), int):
            out[key] = iso_ms(out[key])
    return out


class Engine:
    """A live run: feed it 1-minute candles one at a time; each feed returns that minute's events.

    ``realtime_since`` (unix seconds) is when the run started: older candles warm the strategy up but
    cannot complete its warm-up, as in the original's realtime mode. Trades are identical to
    :func:`run_backtest` over the same candles.
    """

    def __init__(self, config: dict[str, Any], realtime_since: int | None = None) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.pipeline, size = _pipeline(config, None, minute_events=True, sink=self._collect)
        self.pipeline.advisor.realtime_since = realtime_since
        self.batcher = Batcher(size)

    def _collect(self, event: Event) -> None:
        kind, payload = event
        self.events.append((kind, to_wire(kind, payload)))

    def feed(self, candle: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """Process one 1-minute candle (``start`` in unix seconds); returns its events in the original's order."""
        self.events = [("candle", {**candle, "start": iso_ms(int(candle["start"]))})]
        row = (
            int(candle["start"]),
            float(candle["open"]),
            float(candle["high"]),
            float(candle["low"]),
            float(candle["close"]),
            float(candle["vwp"]),
            float(candle["volume"]),
            float(candle["trades"]),
        )
        merged = self.batcher.add(row)
        strat = None
        if merged is not None:
            s, o, h, lo, c, v, vol, t = merged
            strat = StrategyCandle(s, o, h, lo, c, v, _number(vol), _number(t))
        self.pipeline.minute(row[0], row[4], strat)
        return self.events

    def finish(self) -> list[tuple[str, dict[str, Any]]]:
        """End of the run: the strategy's ``end`` and a final report if there were trades."""
        self.events = []
        report = self.pipeline.finish()
        if report is not None:
            self.events.append(("performanceReport", report))
        return self.events
