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
from typing import Any

import msgspec
import polars as pl
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from gekko_backtester.handler import BacktestService
from gekko_common import subjects
from gekko_common.config import decode_config, merge_base_config
from gekko_common.dates import iso_ms
from gekko_common.engine import Candles
from gekko_common.engine.batch import Evaluation, compiled, evaluate, strategy_settings
from gekko_common.errors import ConfigError, EngineError
from gekko_common.infra import bus
from gekko_common.messages import Envelope, Reply, SweepChunk, SweepJob, encoder, envelope_decoder, new_id
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

CHUNK_POINTS = 400
"""Points per chunk of a compiled strategy: a chunk's results stay well inside one NATS message."""
INTERPRETED_CHUNKS = 40
"""An interpreted strategy's points are cut into about this many chunks, so every replica gets work."""
STALL_S = 60.0
"""A driver that hears of no new result for this long publishes the chunks without results again."""
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
        decode_config(merged)
        method, settings = strategy_settings(merged)
    except ConfigError as exc:
        raise ConfigError(f"config.{exc.field}", exc.message) from None
    return parse_spec({**body, "config": merged}, settings, method)


def chunk_size(spec: SweepSpec, points: int) -> int:
    """Points per chunk for this sweep."""
    method = spec.config["tradingAdvisor"]["method"]
    if compiled(method):
        return max(1, CHUNK_POINTS // (1 + 2 * len(spec.windows)))
    return max(1, min(50, math.ceil(points / INTERPRETED_CHUNKS)))


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
    configs = [apply(spec.config, p) for p in points]

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


class Sweeps:
    """A backtester's part in sweeps."""

    def __init__(self, service: BacktestService, nc: Client, js: JetStreamContext) -> None:
        self.service = service
        self.nc = nc
        self.js = js
        self.datasets = Datasets()
        self.evaluated = 0
        self.driving = 0

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
        """Evaluate one chunk and publish its results (or the reason it cannot run)."""
        chunk = msgspec.json.decode(msg.data, type=SweepChunk)
        payload: dict[str, Any] = {"chunk": chunk.chunk}
        try:
            spec = check(chunk.body)
            ranges = self.datasets.ranges(await self.service.dataset(_covering(spec)))
            payload["results"] = await asyncio.to_thread(evaluate_points, spec, ranges, chunk.indexes, chunk.points)
            self.evaluated += len(chunk.points)
        except ConfigError as exc:
            payload.update(results=[], error=f"{exc.field}: {exc.message}")
        except EngineError as exc:
            payload.update(results=[], error=str(exc))
        await self._publish(chunk.sweep_id, RESULTS, payload, f"sweep-{chunk.sweep_id}:chunk:{chunk.chunk}")
        return Reply()

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


class Driver:
    """One sweep's driver; a driver resumed elsewhere starts from the events of the sweep."""

    def __init__(self, sweeps: Sweeps, job: SweepJob) -> None:
        self.sweeps = sweeps
        self.job = job
        self.id = job.sweep_id
        self.book = SweepBook()
        self.arrivals: asyncio.Queue[int] = asyncio.Queue()

    async def _on_event(self, msg: Msg) -> None:
        env = envelope_decoder.decode(msg.data)
        if self.book.apply(self.id, env.type, env.payload):
            self.arrivals.put_nowait(int(env.payload["chunk"]))

    async def run(self) -> None:
        follower = await bus.follow(self.sweeps.nc, self.sweeps.js, subjects.sweep_event(self.id), self._on_event)
        try:
            record = self.book.records.get(self.id)
            if record is None or record.get("finished"):
                return
            try:
                spec = check(self.job.body)
            except ConfigError as exc:
                await self.sweeps._publish(self.id, ERROR, {"error": exc.message}, f"sweep-{self.id}:error")
                return
            stopped = await (self._optimise(spec) if spec.search in OPTIMISERS else self._enumerate(spec))
            if stopped is not None:
                update = {"finished": True, "best": best_of(self.book, self.id, spec), "stoppedEarly": stopped}
                await self.sweeps._publish(self.id, UPDATE, update, f"sweep-{self.id}:finished")
        finally:
            await follower.stop()

    async def _enumerate(self, spec: SweepSpec) -> bool | None:
        points = spec.points()
        size = chunk_size(spec, len(points))
        chunks = {
            i: (list(range(start, min(start + size, len(points)))), points[start : start + size])
            for i, start in enumerate(range(0, len(points), size))
        }
        return None if not await self._complete(spec, chunks) else False

    async def _complete(self, spec: SweepSpec, chunks: dict[int, tuple[list[int], list[dict[str, Any]]]]) -> bool:
        """Publish the chunks without results and wait for all of them; False when the sweep failed."""
        attempt = 0
        missing = [c for c in chunks if c not in self.book.chunks[self.id]]
        while missing:
            for c in missing:
                indexes, points = chunks[c]
                command = SweepChunk(sweep_id=self.id, chunk=c, body=self.job.body, indexes=indexes, points=points)
                dedup = f"{self.id}:{c}" + (f":{attempt}" if attempt else "")
                await self.sweeps.js.publish(
                    subjects.SWEEP_CHUNK, encoder.encode(command), headers={"Nats-Msg-Id": dedup}
                )
            attempt += 1
            while missing:
                try:
                    await asyncio.wait_for(self.arrivals.get(), STALL_S)
                except TimeoutError:
                    log.warning(
                        "sweep %s: no result for %.0f s; publishing %d chunks again", self.id, STALL_S, len(missing)
                    )
                    break
                failed = [self.book.chunks[self.id][c].get("error") for c in chunks if c in self.book.chunks[self.id]]
                if any(failed):
                    error = next(e for e in failed if e)
                    await self.sweeps._publish(self.id, ERROR, {"error": error}, f"sweep-{self.id}:error")
                    return False
                missing = [c for c in chunks if c not in self.book.chunks[self.id]]
                record = self.book.records[self.id]
                await self.sweeps._publish(
                    self.id,
                    UPDATE,
                    {"done": record["done"], "total": record["total"], "best": best_of(self.book, self.id, spec)},
                    f"sweep-{self.id}:{new_id()}",
                )
        return True

    async def _optimise(self, spec: SweepSpec) -> bool | None:
        from gekko_backtester.optimise import optimise

        async def generation(g: int, points: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
            base = g * spec.batch
            size = chunk_size(spec, len(points))
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
