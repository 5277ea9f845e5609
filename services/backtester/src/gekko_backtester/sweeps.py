"""Sweeps in the backtester: a submission is checked and started here, one replica drives each sweep,
and every replica evaluates its chunks.

Nothing of a sweep lives only in a process. The record and every chunk's results are events in the
sweep's subject; the job and the chunks are JetStream work-queue messages. A dead driver's job is
redelivered to another replica, which replays the events and publishes only the chunks without
results; a dead worker's chunk is redelivered to another worker. A chunk's results are published
with the chunk as JetStream's de-duplication id, and every reader folds them by chunk, so a chunk
evaluated twice still counts once.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypedDict

import msgspec
import nats.js.errors
import polars as pl
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from gekko_backtester.handler import BacktestService
from gekko_common import subjects
from gekko_common.config import merge_base_config, select_daterange, validate_backtest
from gekko_common.dates import iso_ms
from gekko_common.engine import Candles, registered
from gekko_common.engine.batch import Evaluation, evaluate, strategy_settings, takes_kernel
from gekko_common.errors import ConfigError, EngineError
from gekko_common.infra import bus
from gekko_common.infra.faults import ride_out
from gekko_common.messages import Envelope, Reply, SweepChunk, SweepJob, encoder, new_id
from gekko_common.sweep import (
    ERROR,
    OPTIMISERS,
    RESULTS,
    STARTED,
    UPDATE,
    SweepBook,
    SweepSpec,
    apply,
    objective_values,
    parse_spec,
    score,
)

log = logging.getLogger(__name__)

CHUNK_S = 0.5
"""Estimated seconds of work per chunk of a compiled strategy: a small sweep is one chunk (one fetch, one
dataset look-up, its parts published while the next ones are evaluated), a large one enough chunks for
every replica."""
POINT_S, CANDLE_S = 40e-6, 20e-9
"""Estimated cost of a point on a compiled kernel: per range it is evaluated on, and per strategy candle."""
CHUNK_POINTS = 400
"""Points per chunk of a compiled strategy whose date range is not known before its data is (``scan``)."""
MAX_CHUNK_POINTS = 5000
"""Most points per chunk (the chunk's command carries them)."""
PART_POINTS = 250
"""Results per event of a chunk of a compiled strategy (fewer with windows): published as soon as they are
evaluated, and well inside one NATS message."""
INTERPRETED_CHUNKS = 40
"""An interpreted strategy's points are cut into about this many chunks, so every replica gets work."""
CHECK_S = 5.0
"""A driver that hears of no new result for this long looks for chunks gone from the queue without results
(acknowledged by a worker whose results were lost) and publishes those again; chunks still queued or in
work are left alone, so no chunk is evaluated twice while its first evaluation goes on."""
PROGRESS_S = 0.25
"""Least seconds between two progress updates of a sweep (the finishing update always goes out)."""
GENERATION_CHUNKS = 1000
"""Chunk numbers of an optimiser's generation g are g * GENERATION_CHUNKS + k."""

_compute = threading.Lock()
"""Compiled parallel regions run in one thread at a time (numba's workqueue layer is not re-entrant)."""


def check(body: dict[str, Any]) -> SweepSpec:
    """A sweep request checked against the strategy it names; ConfigError names the first bad field."""
    config = body.get("config")
    if not isinstance(config, dict):
        raise ConfigError("config", "config must be a Gekko backtest config object")
    merged = merge_base_config(config)
    try:
        validate_backtest(merged, registered())  # the one validation a backtest gets
        method, settings = strategy_settings(merged)
    except ConfigError as exc:
        raise ConfigError(f"config.{exc.field}", exc.message) from None
    return parse_spec({**body, "config": merged}, settings, method)


def chunk_size(spec: SweepSpec, points: list[dict[str, Any]]) -> int:
    """Points per chunk for this sweep: about CHUNK_S of work where the points run on a compiled kernel,
    else small enough that every replica gets work (a built-in strategy whose parameters its kernel does
    not take is interpreted too)."""
    if points and takes_kernel(apply(spec.config, points[0])):
        cost = point_seconds(spec)
        return CHUNK_POINTS if cost is None else max(PART_POINTS, min(MAX_CHUNK_POINTS, int(CHUNK_S / cost)))
    return max(1, min(50, math.ceil(len(points) / INTERPRETED_CHUNKS)))


def point_seconds(spec: SweepSpec) -> float | None:
    """Estimated seconds a compiled kernel takes for one point (None: the date range is not known yet)."""
    if spec.windows:
        ranges = [w.train for w in spec.windows] + [w.test for w in spec.windows if w.test]
    else:
        try:
            ranges = [select_daterange(spec.config)]
        except ConfigError:  # "scan": the stored range
            return None
    size = int(spec.config["tradingAdvisor"]["candleSize"])
    return sum(POINT_S + CANDLE_S * (end - start) / 60 / size for start, end in ranges)


def part_size(spec: SweepSpec) -> int:
    """Results per event (PART_POINTS, fewer with windows: each result carries every window's figures)."""
    return max(1, PART_POINTS // (1 + 2 * len(spec.windows)))


def _mean(values: list[dict[str, float | None]], name: str) -> float | None:
    picked = [v[name] for v in values]
    return None if any(p is None for p in picked) else sum(p for p in picked if p is not None) / len(picked)


def _figures(ev: Evaluation, spec: SweepSpec) -> dict[str, Any]:
    return {
        "report": ev.report,
        "metrics": ev.metrics,
        "objectives": objective_values(spec.objectives, ev.report, ev.metrics),
    }


class Datasets:
    """The last few datasets of sweep chunks as candles, each range cut and merged once per candle size."""

    def __init__(self, keep: int = 4) -> None:
        self.keep = keep
        self._sets: OrderedDict[int, tuple[pl.DataFrame, Candles, dict[Any, tuple[Candles, dict[int, Any]]]]] = (
            OrderedDict()
        )

    def ranges(self, frame: pl.DataFrame) -> Callable[[tuple[int, int] | None], tuple[Candles, dict[int, Any]]]:
        """For a frame (of the backtester's dataset cache), a function of a range (None: all of it) giving
        its candles and the strategy candles merged so far (by candle size)."""
        key = id(frame)
        if key not in self._sets or self._sets[key][0] is not frame:
            self._sets[key] = (frame, Candles.from_frame(frame), {})
            while len(self._sets) > self.keep:
                self._sets.popitem(last=False)
        self._sets.move_to_end(key)
        _, candles, cut = self._sets[key]

        def of(window: tuple[int, int] | None) -> tuple[Candles, dict[int, Any]]:
            if window not in cut:
                cut[window] = (candles if window is None else candles.between(*window), {})
            return cut[window]

        return of


def evaluate_points(
    spec: SweepSpec,
    ranges: Callable[[tuple[int, int] | None], tuple[Candles, dict[int, Any]]],
    indexes: list[int],
    points: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Each point's result: params, report, metrics, objectives; with windows, the in-sample figures of
    the first window, the objectives' means over the in-sample (``objectives``) and out-of-sample
    (``oos``) ranges, and every window's figures."""
    template = apply(spec.config, {})
    configs = [apply(template, p) for p in points]  # sharing every section but those the points set

    def run(window: tuple[int, int] | None) -> list[dict[str, Any]]:
        return [_figures(ev, spec) for ev in evaluate(configs, *ranges(window))]

    with _compute:
        if not spec.windows:
            return [{"index": i, "params": p, **f} for i, p, f in zip(indexes, points, run(None), strict=True)]
        windows = [(run(w.train), run(w.test) if w.test else None) for w in spec.windows]
    out = []
    for k, (i, p) in enumerate(zip(indexes, points, strict=True)):
        per: list[dict[str, Any]] = [{"train": train[k], "test": test[k] if test else None} for train, test in windows]
        first = per[0]["train"]
        row = {"index": i, "params": p, "report": first["report"], "metrics": first["metrics"]}
        row["objectives"] = {o: _mean([w["train"]["objectives"] for w in per], o) for o in spec.objectives}
        if all(w["test"] for w in per):
            row["oos"] = {o: _mean([w["test"]["objectives"] for w in per], o) for o in spec.objectives}
        row["windows"] = per
        out.append(row)
    return out


def warm_up() -> None:
    """Load (or compile) the batched kernels now rather than in the first sweep's chunk."""
    import numpy as np

    n = 600
    close = 100 + np.sin(np.arange(n) / 7.0) * 5
    columns = {
        "start": np.arange(n) * 60,
        "open": close,
        "high": close + 1,
        "low": close - 1,
        "close": close,
        "vwp": close,
        "volume": np.ones(n),
        "trades": np.ones(n),
    }
    base = merge_base_config({"tradingAdvisor": {"method": "MACD", "candleSize": 5, "historySize": 2}})
    configs = [base, apply(base, {"tradingAdvisor.method": "RSI"}), apply(base, {"tradingAdvisor.method": "PPO"})]
    with _compute:
        evaluate(configs, Candles.from_columns(columns))


def best_of(book: SweepBook, sweep_id: str, spec: SweepSpec) -> dict[str, Any] | None:
    """The result ranked first by the first objective."""
    rows = book.results(sweep_id)
    if not rows:
        return None
    top = max(rows, key=lambda r: score(r.get("objectives") or {}, spec.objectives[0]))
    return {"index": top["index"], "params": top["params"], "objectives": top.get("objectives")}


SPECS_KEPT = 64
"""Checked requests kept by sweep id (a sweep's job and chunks carry the body it was submitted with)."""


class Sweeps:
    """A backtester's part in sweeps."""

    def __init__(self, service: BacktestService, nc: Client, js: JetStreamContext) -> None:
        self.service = service
        self.nc = nc
        self.js = js
        self.datasets = Datasets()
        self.evaluated = 0
        self.driving = 0
        self._specs: OrderedDict[str, SweepSpec] = OrderedDict()

    def spec(self, sweep_id: str, body: dict[str, Any]) -> SweepSpec:
        """The sweep's checked request: checked once per replica (its submission, its driver and every
        chunk carry the same body), not again for each (ConfigError names the first bad field)."""
        spec = self._specs.get(sweep_id)
        if spec is None:
            spec = self._specs[sweep_id] = check(body)
            while len(self._specs) > SPECS_KEPT:
                self._specs.popitem(last=False)
        return spec

    async def _publish(self, sweep_id: str, kind: str, payload: Any, dedup: str) -> None:
        env = Envelope(id=dedup, type=kind, source=f"sweep-{sweep_id}", seq=0, time=time.time(), payload=payload)
        await self.js.publish(subjects.sweep_event(sweep_id), encoder.encode(env), headers={"Nats-Msg-Id": dedup})

    # --- submission ---

    async def submit(self, msg: Msg) -> Reply:
        """Check a POST /api/sweep body, record the sweep, queue its job; answers its id at once."""
        try:
            body = msgspec.json.decode(msg.data)
            if not isinstance(body, dict):
                raise ConfigError("body", "the body must be a JSON object")
            spec = check(body)
        except msgspec.DecodeError as exc:
            return Reply(error=f"malformed JSON: {exc}", status=400, field="body")
        except ConfigError as exc:
            return Reply(error=exc.message, status=400, field=exc.field)
        sweep_id = new_id()[:16]
        self._specs[sweep_id] = spec
        record = {
            "id": sweep_id,
            "created": iso_ms(time.time()),
            "strategy": spec.config["tradingAdvisor"]["method"],
            "search": spec.search,
            "objective": list(spec.objectives),
            "space": body["space"],
            "total": spec.total,
        }
        await self._publish(sweep_id, STARTED, record, f"sweep-{sweep_id}:started")
        job = SweepJob(sweep_id=sweep_id, body=body)
        await self.js.publish(subjects.SWEEP_JOB, encoder.encode(job), headers={"Nats-Msg-Id": sweep_id})
        return Reply(result={"id": sweep_id, "total": spec.total})

    # --- chunks ---

    async def run_chunk(self, msg: Msg) -> Reply:
        """Evaluate one chunk and publish its results in parts, each while the next is evaluated (or the
        reason it cannot run)."""
        chunk = msgspec.json.decode(msg.data, type=SweepChunk)
        where = f"sweep {chunk.sweep_id}"
        try:
            spec = self.spec(chunk.sweep_id, chunk.body)
            frame = await ride_out(lambda: self.service.dataset(_covering(spec)), where)
        except (ConfigError, EngineError) as exc:
            await self._publish_part(chunk, 0, 1, {"results": [], "error": _reason(exc)})
            return Reply()
        ranges = self.datasets.ranges(frame)
        size = part_size(spec)
        starts = range(0, len(chunk.points), size)
        publishing: asyncio.Task[None] | None = None
        for part, start in enumerate(starts):
            indexes, points = chunk.indexes[start : start + size], chunk.points[start : start + size]
            payload: dict[str, Any]
            try:
                payload = {"results": await asyncio.to_thread(evaluate_points, spec, ranges, indexes, points)}
                self.evaluated += len(points)
            except (ConfigError, EngineError) as exc:
                payload = {"results": [], "error": _reason(exc)}
            if publishing is not None:
                await publishing
            publishing = asyncio.create_task(self._publish_part(chunk, part, len(starts), payload))
            if "error" in payload:
                break
        if publishing is not None:
            await publishing
        return Reply()

    async def _publish_part(self, chunk: SweepChunk, part: int, parts: int, payload: dict[str, Any]) -> None:
        body = {"chunk": chunk.chunk, "part": part, "parts": parts, **payload}
        dedup = f"sweep-{chunk.sweep_id}:chunk:{chunk.chunk}:{part}"
        await ride_out(lambda: self._publish(chunk.sweep_id, RESULTS, body, dedup), f"sweep {chunk.sweep_id}")

    # --- driving ---

    async def drive(self, msg: Msg) -> Reply:
        """Run a sweep to its end: publish its chunks, follow its results, report progress."""
        job = msgspec.json.decode(msg.data, type=SweepJob)
        self.driving += 1
        try:
            await Driver(self, job).run()
        finally:
            self.driving -= 1
        return Reply()


def _reason(exc: ConfigError | EngineError) -> str:
    return f"{exc.field}: {exc.message}" if isinstance(exc, ConfigError) else str(exc)


def _covering(spec: SweepSpec) -> dict[str, Any]:
    """The config whose date range covers every window (the dataset a chunk loads once)."""
    if not spec.windows:
        return spec.config
    ranges = [w.train for w in spec.windows] + [w.test for w in spec.windows if w.test]
    config = dict(spec.config)
    config["backtest"] = {
        **(config.get("backtest") or {}),
        "daterange": {"from": min(r[0] for r in ranges) * 1000, "to": max(r[1] for r in ranges) * 1000},
    }
    return config


class _Scored(TypedDict, total=False):
    """What a driver reads of a result: ranking and the optimiser's figures (not the report)."""

    index: int
    params: dict[str, Any]
    objectives: dict[str, Any]


class _ScoredPart(TypedDict, total=False):
    chunk: int
    part: int
    parts: int
    error: str | None
    results: list[_Scored]


class _Event(msgspec.Struct):
    type: str
    payload: msgspec.Raw = msgspec.Raw(b"null")


def driver_event(data: bytes) -> tuple[str, Any]:
    """A sweep event's type and payload as a driver needs it: a results part without the reports and
    metrics of its results (about three quarters of its bytes, never read by the driver, whose process
    evaluates chunks meanwhile)."""
    event = msgspec.json.decode(data, type=_Event)
    if event.type == RESULTS:
        try:
            return event.type, msgspec.json.decode(event.payload, type=_ScoredPart)
        except msgspec.ValidationError:  # not a part the book takes: it ignores it as before
            pass
    return event.type, msgspec.json.decode(event.payload)


Chunks = dict[int, tuple[list[int], list[dict[str, Any]]]]
"""A sweep's chunks: number -> (point indexes, points)."""


class Driver:
    """One sweep's driver; a driver resumed elsewhere starts from the events of the sweep.

    Every publication rides out a NATS restart (the client reconnects; JetStream's de-duplication
    makes a publication retried after a lost answer count once).
    """

    def __init__(self, sweeps: Sweeps, job: SweepJob) -> None:
        self.sweeps = sweeps
        self.job = job
        self.id = job.sweep_id
        self.book = SweepBook()
        self.arrivals: asyncio.Queue[int] = asyncio.Queue()
        self.queued: dict[int, tuple[int, int]] = {}
        """Chunk -> (stream sequence of its message in the work queue, times published)."""
        self.reported = 0.0

    async def _on_event(self, msg: Msg) -> None:
        kind, payload = driver_event(msg.data)
        if self.book.apply(self.id, kind, payload):
            self.arrivals.put_nowait(int(payload["chunk"]))

    async def _event(self, kind: str, payload: Any, dedup: str) -> None:
        await ride_out(lambda: self.sweeps._publish(self.id, kind, payload, dedup), f"sweep {self.id}")

    async def run(self) -> None:
        follower = await ride_out(
            lambda: bus.follow(self.sweeps.nc, self.sweeps.js, subjects.sweep_event(self.id), self._on_event),
            f"sweep {self.id}",
        )
        try:
            record = self.book.records.get(self.id)
            if record is None or record.get("finished"):
                return
            try:
                spec = self.sweeps.spec(self.id, self.job.body)
            except ConfigError as exc:
                await self._event(ERROR, {"error": exc.message}, f"sweep-{self.id}:error")
                return
            stopped = await (self._optimise(spec) if spec.search in OPTIMISERS else self._enumerate(spec))
            if stopped is not None:
                update = {"finished": True, "best": best_of(self.book, self.id, spec), "stoppedEarly": stopped}
                await self._event(UPDATE, update, f"sweep-{self.id}:finished")
        finally:
            await follower.stop()

    async def _enumerate(self, spec: SweepSpec) -> bool | None:
        points = spec.points()
        size = chunk_size(spec, points)
        chunks = {
            i: (list(range(start, min(start + size, len(points)))), points[start : start + size])
            for i, start in enumerate(range(0, len(points), size))
        }
        return None if not await self._complete(spec, chunks) else False

    def _missing(self, chunks: Chunks) -> list[int]:
        return [c for c in chunks if c not in self.book.chunks[self.id]]

    async def _queue(self, chunk: int, chunks: Chunks) -> None:
        """Publish a chunk to the work queue, unless its message is still there (queued or in work)."""
        seq, times = self.queued.get(chunk, (0, 0))
        if times and await self._still_queued(seq):
            return
        indexes, points = chunks[chunk]
        command = SweepChunk(sweep_id=self.id, chunk=chunk, body=self.job.body, indexes=indexes, points=points)
        dedup = f"{self.id}:{chunk}" + (f":{times}" if times else "")
        ack = await ride_out(
            lambda: self.sweeps.js.publish(
                subjects.SWEEP_CHUNK, encoder.encode(command), headers={"Nats-Msg-Id": dedup}
            ),
            f"sweep {self.id}",
        )
        self.queued[chunk] = (ack.seq, times + 1)

    async def _still_queued(self, seq: int) -> bool:
        try:
            await self.sweeps.js.get_msg(subjects.STREAM_SWEEPS, seq)
        except nats.js.errors.NotFoundError:
            return False
        except Exception:  # NATS away: ask again at the next check
            return True
        return True

    async def _complete(self, spec: SweepSpec, chunks: Chunks) -> bool:
        """Publish the chunks without results and wait for all of them; False when the sweep failed."""
        for c in self._missing(chunks):
            await self._queue(c, chunks)
        while (missing := self._missing(chunks)) and not self.book.records[self.id].get("error"):
            try:
                await asyncio.wait_for(self.arrivals.get(), CHECK_S)
            except TimeoutError:
                for c in missing:
                    await self._queue(c, chunks)
                continue
            while not self.arrivals.empty():
                self.arrivals.get_nowait()
            await self._progress(spec)
        error = self.book.records[self.id].get("error")
        if error:
            await self._event(ERROR, {"error": error}, f"sweep-{self.id}:error")
            return False
        return True

    async def _progress(self, spec: SweepSpec) -> None:
        """A progress update with the best result so far, at most every PROGRESS_S."""
        if time.monotonic() - self.reported < PROGRESS_S:
            return
        self.reported = time.monotonic()
        record = self.book.records[self.id]
        update = {"done": record["done"], "total": record["total"], "best": best_of(self.book, self.id, spec)}
        await self._event(UPDATE, update, f"sweep-{self.id}:{new_id()}")

    async def _optimise(self, spec: SweepSpec) -> bool | None:
        from gekko_backtester.optimise import optimise

        async def generation(g: int, points: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
            base = g * spec.batch
            size = chunk_size(spec, points)
            chunks = {
                g * GENERATION_CHUNKS + k: (
                    list(range(base + s, base + min(s + size, len(points)))),
                    points[s : s + size],
                )
                for k, s in enumerate(range(0, len(points), size))
            }
            if not await self._complete(spec, chunks):
                return None
            return [r for c in sorted(chunks) for r in self.book.chunks[self.id][c]["results"]]

        return await optimise(spec, generation)
