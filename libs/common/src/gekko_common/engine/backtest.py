"""The two drivers of the one engine: a backtest over arrays, and a live run fed one candle at a time."""

from __future__ import annotations

import gc
import logging
import math
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import repeat
from typing import Any, Literal

import numpy as np

from gekko_common.config import RunConfig, plugin_enabled, validate_run
from gekko_common.engine.candles import Batcher, Candles, batch
from gekko_common.engine.exporter import CANDLE_FIELDS, Exporter
from gekko_common.engine.pipeline import Pipeline
from gekko_common.engine.strategy import Strategy, StrategyCandle, registered
from gekko_common.errors import CandlesWanted, ConfigError
from gekko_common.events import CandleEvent, Event, Moment, TradeCompleted

log = logging.getLogger(__name__)


def _number(x: float) -> float | int:
    """Integral counts as ints (JSON ``0`` rather than ``0.0``)."""
    return int(x) if math.isfinite(x) and x.is_integer() else x


def _numbers(values: Any) -> list[float | int]:
    """:func:`_number` of every value of a float array (the integral ones found by numpy)."""
    out: list[float | int] = values.tolist()
    with np.errstate(invalid="ignore"):
        integral = np.isfinite(values) & (np.floor(values) == values)
    for i in np.flatnonzero(integral).tolist():
        out[i] = int(out[i])
    return out


def _settings(config: dict[str, Any], cls: type[Strategy]) -> Any:
    """The strategy's parameter block, or its default TOML parameters when the config has none."""
    settings = config.get(cls.name)
    if settings is None and cls.params:
        settings = tomllib.loads(cls.params)
    return settings if settings is not None else {}


def run_config(config: RunConfig | dict[str, Any]) -> RunConfig:
    """The typed config the edge decoded, passed on; a merged dict (the CLI, the tests, a sweep's point)
    is checked here by the same validation (``gekko_common.config.validate_run``), without a market."""
    return config if isinstance(config, RunConfig) else validate_run(config, registered(), market=False)


def build_strategy(config: RunConfig | dict[str, Any]) -> Strategy:
    """Instantiate the configured strategy with its parameter block."""
    run = run_config(config)
    cls = registered()[run.method]
    return cls(_settings(run.raw, cls), run.raw)


def _pipeline(
    run: RunConfig, exporter: Exporter | None, minute_events: bool, sink: Any = None, simulate: bool = True
) -> Pipeline:
    strategy = build_strategy(run)
    try:
        return Pipeline(run.raw, strategy, exporter=exporter, minute_events=minute_events, sink=sink, simulate=simulate)
    except KeyError as exc:
        raise ConfigError(run.method, f"the {run.method} parameters lack {exc}") from None


class _Replay(Strategy):
    """Replays the advice a compiled kernel computed for each strategy candle."""

    codes: Any = None

    def check(self, candle: StrategyCandle) -> None:
        code = self.codes[self.age - 1]
        if code:
            self.advice("long" if code > 0 else "short")


Progress = Callable[[int], None]
"""Told the index of the last 1-minute candle processed, every PROGRESS_EVERY strategy candles of a
stepwise run and after each block a JavaScript strategy runs ahead (a compiled run has no steps to
tell of)."""
PROGRESS_EVERY = 64

Backend = Literal["compiled", "stepwise"]
"""How a backtest runs its strategy: ``compiled`` computes every strategy candle's advice in one
numba kernel and feeds the pipeline only the candles that advise; ``stepwise`` ticks the strategy
object candle by candle (as a live run does). Both run the same indicator and rule code."""


def choose_backend(config: RunConfig | dict[str, Any], exporter: Exporter) -> tuple[Backend, str]:
    """The backend for this backtest and why: compiled when the strategy has a kernel that takes these
    parameters and the answer needs no per-candle strategy state."""
    run = run_config(config)
    cls = registered()[run.method]
    if exporter.want_updates or exporter.want_values:
        return "stepwise", "stratUpdates and portfolioValues need every candle's state"
    from gekko_common.engine.kernels import KERNELS  # numba loads only when a backtest runs, never in the gateway

    kernel = KERNELS.get(cls)
    if kernel is None:
        return "stepwise", "no compiled kernel"
    reason = kernel.unsupported(_settings(run.raw, cls), run.raw)
    if reason is not None:
        return "stepwise", f"the kernel does not take these parameters ({reason})"
    return "compiled", "built-in kernel"


def _kernel_codes(run: RunConfig, strat: Any) -> Any:
    from gekko_common.engine.kernels import KERNELS

    cls = registered()[run.method]
    return KERNELS[cls].codes(strat, _settings(run.raw, cls), max(run.history, 1) - 1, run.raw)


@contextmanager
def _cycles_collected_after() -> Iterator[None]:
    """The cyclic garbage collector paused for one backtest (reference counting still frees everything
    else at once). A backtest keeps tens of thousands of containers alive (trades, roundtrips, what a
    JavaScript strategy emitted) and makes no reference cycles to speak of, yet those containers set
    off full collections that walk the whole heap of the loaded libraries: about 0.15 s of CPU per
    JavaScript MACD backtest at candleSize 1, a seventh of it. Cycles wait for the next collection."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:  # a backtest in another thread that paused it first enables it again instead
            gc.enable()


@_cycles_collected_after()
def run_backtest(
    config: RunConfig | dict[str, Any],
    candles: Candles,
    backend: Backend | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """A whole backtest over ``candles`` (already the range to test); returns the /api/backtest answer.

    ``backend`` None picks one with :func:`choose_backend`; the choice is logged. ``progress`` hears
    how far a stepwise run is. Minutes that complete
    no strategy candle change nothing observable unless a trailing stop is active, so they are skipped.
    """
    raw = config.raw if isinstance(config, RunConfig) else config
    data = ((raw.get("backtestResultExporter") or {}).get("data")) or {}
    exporter = Exporter(data)
    if not plugin_enabled(raw, "tradingAdvisor"):
        return exporter.result(raw)  # no strategy: nothing is batched, advised or traded
    run = run_config(config)
    why = "requested"
    if backend is None:
        backend, why = choose_backend(run, exporter)
    log.info("backtest of %s: %s backend (%s)", run.method, backend, why)
    strat = batch(candles, run.candle_size)
    if backend == "compiled":
        return _run_with_codes(run, candles, strat, _kernel_codes(run, strat), exporter)
    try:
        return _run_stepwise(run, candles, strat, exporter, progress)
    except CandlesWanted:  # a JavaScript strategy read a candle it was not handed: again, with the candles
        log.info("backtest of %s: it reads candles though its update and check take none; again, with them", run.method)
        return _run_stepwise(run, candles, strat, Exporter(data), progress)


def _run_stepwise(
    run: RunConfig, candles: Candles, strat: Any, exporter: Exporter, progress: Progress | None = None
) -> dict[str, Any]:
    """Every strategy candle through the pipeline (and every minute while a trailing stop is active)."""
    pipeline = _pipeline(run, exporter, minute_events=False)
    paper = pipeline.paper
    n = len(candles)
    done = -1  # index of the last 1-minute candle processed

    def advance(until: int) -> None:
        """Process minutes done+1 .. until-1 only while a trailing stop needs to see them."""
        nonlocal done
        i = done + 1
        while i < until and paper.stop is not None:
            pipeline.minute(starts[i], closes[i], None)
            i += 1
        if until - 1 > done and pipeline.simulate and paper.warmed_up and paper.exposed and exporter.want_values:
            exporter.portfolio_value = paper.currency + closes[until - 1] * paper.asset
        done = max(done, until - 1)

    arrays = [strat.start, strat.open, strat.high, strat.low, strat.close, strat.vwp, strat.volume, strat.trades]
    last_index = strat.last_index.tolist()

    reached = -1

    def onward(index: int) -> None:
        """Tell ``progress`` of 1-minute candle ``index`` when it is further than told before: the pipeline's
        pass after JavaScript ran ahead starts again from the front."""
        nonlocal reached
        if progress is not None and index > reached:
            reached = index
            progress(index)

    def ran_ahead(k: int) -> None:
        """JavaScript ran ahead through strategy candle ``k``."""
        onward(last_index[k])

    quiet = _quiet_candles(pipeline, exporter, arrays, ran_ahead)
    ticks = pipeline.advisor.strategy.ticks() if quiet is not None else None  # type: ignore[attr-defined]
    if ticks is not None:
        return _run_ticks(run, candles, strat, pipeline, ticks, exporter, onward if progress is not None else None)
    # lists only where every candle is stepped through
    columns = [column.tolist() for column in arrays]
    starts = candles.start.tolist()
    closes = candles.close.tolist()
    want_candles = exporter.want_candles
    if quiet is not None:
        exporter.want_candles = False
    warm_k = max(run.history, 1) - 1
    for k, end in enumerate(last_index):
        if progress is not None and k % PROGRESS_EVERY == 0:
            progress(end)
        if quiet is not None:
            if k != warm_k and paper.stop is None and quiet(k):
                continue  # nothing observable happens on this candle
            pipeline.advisor.age = k
        advance(end)
        candle = StrategyCandle(
            Moment(columns[0][k]),
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
    if quiet is not None and want_candles:
        exporter.want_candles = True
        exporter.candles = strategy_candle_rows(strat, exporter.props)
    return exporter.result(run.raw)


def _quiet_candles(pipeline: Pipeline, exporter: Exporter, columns: list[Any], progress: Progress) -> Any:
    """A strategy that can run ahead over all the candles (JavaScript ones) says which candles emit
    nothing; those skip the pipeline, as with compiled kernels. None: every candle goes through it.
    ``columns``: the strategy candles' arrays (start, open, ... trades). ``progress`` hears of the
    strategy candles it runs ahead through."""
    prepare = getattr(pipeline.advisor.strategy, "prepare_series", None)
    if prepare is None or exporter.want_updates or exporter.want_values or not prepare(columns, progress):
        return None
    return pipeline.advisor.strategy.quiet  # type: ignore[attr-defined]


def _run_with_codes(run: RunConfig, candles: Candles, strat: Any, codes: Any, exporter: Exporter) -> dict[str, Any]:
    """Only the candles whose kernel code advises (and the one ending the warm-up) through the pipeline."""
    replay_cls = type("Replay", (_Replay,), {"name": run.method, "codes": codes})
    replay = replay_cls({}, run.raw)
    pipeline = Pipeline(run.raw, replay, exporter=exporter, minute_events=False)
    return _run_ticks(run, candles, strat, pipeline, np.flatnonzero(codes).tolist(), exporter)


def _run_ticks(
    run: RunConfig,
    candles: Candles,
    strat: Any,
    pipeline: Pipeline,
    ticks: list[int],
    exporter: Exporter,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Only the strategy candles ``ticks`` (those that emit something) and the one ending the warm-up
    through the pipeline; its strategy knows what each emits. No trailing stop may be involved.
    ``progress`` hears the 1-minute candle each tick reaches."""
    want_candles, exporter.want_candles = exporter.want_candles, False
    ticks = sorted({max(run.history, 1) - 1, *ticks})
    last_index = strat.last_index
    at = np.array([k for k in ticks if k < len(strat)], dtype=np.int64)
    ends = last_index[at]
    # every value the ticks read, gathered per column at once (a numpy scalar read per value costs more)
    rows = zip(
        at.tolist(),
        ends.tolist(),
        candles.start[ends].tolist(),
        candles.close[ends].tolist(),
        *(getattr(strat, name)[at].tolist() for name in CANDLE_FIELDS),
        strict=True,
    )
    for k, end, minute_start, minute_close, start, open_, high, low, close, vwp, volume, trades in rows:
        if progress is not None:
            progress(end)
        pipeline.advisor.age = k
        candle = StrategyCandle(Moment(start), open_, high, low, close, vwp, _number(volume), _number(trades))
        pipeline.minute(minute_start, minute_close, candle)
    n = len(candles)
    if n and (not len(strat) or int(last_index[-1]) < n - 1 or ticks[-1] < len(strat) - 1):
        pipeline.minute(int(candles.start[n - 1]), float(candles.close[n - 1]), None)
    pipeline.finish()
    exporter.want_candles = want_candles
    if want_candles:
        exporter.candles = strategy_candle_rows(strat, exporter.props)
    return exporter.result(run.raw)


def strategy_candle_rows(strat: Any, props: list[str] | None) -> list[dict[str, Any]]:
    """The exported strategy candles, built from the arrays (integral volumes and counts as ints); only
    the columns asked for are read."""
    names = [p for p in props if p in CANDLE_FIELDS] + ["start"] if props is not None else list(CANDLE_FIELDS)
    # each row's dict from its (name, value) pairs: about twice as fast as dict(zip(names, row)) per row
    pairs = [zip(repeat(name), _candle_column(strat, name)) for name in names]
    return list(map(dict, zip(*pairs, strict=True)))


def _candle_column(strat: Any, name: str) -> list[Any]:
    values = getattr(strat, name)
    return _numbers(values) if name in ("volume", "trades") else values.tolist()  # type: ignore[no-any-return]


class Engine:
    """A live run: feed it 1-minute candles one at a time; each feed returns that minute's events.

    ``realtime_since`` (unix seconds) is when the run started: older candles warm the strategy up but
    cannot complete its warm-up, as in the original's realtime mode. Trades are identical to
    :func:`run_backtest` over the same candles. With ``simulate=False`` (a real trader) there is no
    simulated portfolio: the exchange's trades reach the strategy through :meth:`trade`.
    """

    def __init__(
        self, config: RunConfig | dict[str, Any], realtime_since: int | None = None, simulate: bool = True
    ) -> None:
        run = run_config(config)
        self.events: list[Event] = []
        self.pipeline = _pipeline(run, None, minute_events=True, sink=self.events_append, simulate=simulate)
        log.info("live run of %s: stepwise backend (one candle at a time)", run.method)
        self.pipeline.advisor.realtime_since = realtime_since
        self.batcher = Batcher(run.candle_size)

    def events_append(self, event: Event) -> None:
        """The pipeline's sink: collects the events of the current call."""
        self.events.append(event)

    def feed(self, candle: dict[str, Any]) -> list[Event]:
        """Process one 1-minute candle (``start`` in unix seconds); returns its events in the original's order."""
        self.events = [CandleEvent(**{**candle, "start": Moment(int(candle["start"]))})]
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
            strat = StrategyCandle(Moment(s), o, h, lo, c, v, _number(vol), _number(t))
        self.pipeline.minute(row[0], row[4], strat)
        return self.events

    def trade(self, trade: TradeCompleted) -> list[Event]:
        """A real trade for the strategy (``onTrade``, the trailing-stop flip); returns what that caused."""
        self.events = []
        self.pipeline.external_trade(trade)
        return self.events

    def finish(self) -> list[Event]:
        """End of the run: the strategy's ``end`` and a final report if there were trades."""
        self.events = []
        report = self.pipeline.finish()
        if report is not None:
            self.events.append(report)
        return self.events
