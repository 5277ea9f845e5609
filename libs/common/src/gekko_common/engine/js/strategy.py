"""JavaScript strategies in Gekko's own layout, behind the same interface as Python strategies.

A strategy directory may hold ``NAME.js`` (a Gekko strategy, unchanged) with an optional ``NAME.toml``
(its default parameters) and ``indicators/*.js`` (the custom indicators it requires). Each ``NAME.js``
registers a :class:`JsStrategy` subclass named ``NAME``; every run gets its own JavaScript context.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import msgspec
import numpy as np
import numpy.typing as npt

from gekko_common.engine.indicators import Indicator
from gekko_common.engine.js.runtime import CANDLE_READERS, GETTERS, JsRun, to_json
from gekko_common.engine.js.tulip import TulipSet
from gekko_common.engine.js.worker import BOOT_S, Worker
from gekko_common.engine.strategy import Strategy, StrategyCandle, register

Column = npt.NDArray[Any]
"""A column of the strategy candles (a numpy array): start, open, high, low, close, vwp, volume or trades."""


class JsStrategy(Strategy):
    """Drives a Gekko JavaScript strategy: the advisor's calls go to the strategy's own functions.

    Native indicators the strategy adds are this engine's Python indicators, updated by the trading
    advisor like a Python strategy's; their values travel with each candle into JavaScript.
    """

    directory: ClassVar[Path] = Path()
    in_worker: ClassVar[bool] = False
    """True for the copy a worker process runs (see :mod:`gekko_common.engine.js.worker`)."""

    def __init__(self, settings: Any, config: dict[str, Any]) -> None:
        super().__init__(settings, config)
        self.tulip = TulipSet(self.name)
        self.js = JsRun(self.name, self.directory, settings, config)
        self.hears_trades = self.js.hears_trades
        """Whether it defines onTrade (the trading advisor exports trades for it only then)."""
        self.series: _Series | None = None
        self.worker: Worker | None = None
        self._checked: Any = None  # what the worker's check emitted, run with update once warmed up
        self._warm = False
        self._remote_ticks: list[int] | None = None
        if self.js.bridged and not self.in_worker:  # it needs Python mid-call: run it under a watchdog
            self.worker = Worker(self.name, self.directory, settings, config)

    def prepare_series(self, columns: list[Column], progress: Callable[[int], None] | None = None) -> bool:
        """A backtest hands over all its strategy candles (start, open, ... trades arrays) after init;
        ``progress`` hears the index of the last strategy candle JavaScript ran through, block by block.

        Indicator values are computed here for every candle and handed to JavaScript in chunks. A
        strategy that does not hear of its trades cannot depend on the pipeline, so JavaScript runs
        through all the candles now, in blocks, and keeps what each candle emitted; one that hears of
        them runs ahead until a candle emits something. The advisor's per-candle calls replay that.
        A strategy that updates indicators it added keeps one call per candle.
        """
        if self.worker is not None:
            return self._remote_series(columns)
        if not self.load_series(columns):
            return False
        assert self.series is not None
        if self.series.ahead:
            self.series.run_all(self.js, progress)
        return True

    def load_series(self, columns: list[Column]) -> bool:
        """The candles and their indicator values into JavaScript; False when the strategy cannot run ahead."""
        if self.js.updates_added:
            return False
        self.indicators = {}  # computed here from now on, not by the advisor
        blind = not self.in_worker and self.name not in CANDLE_READERS
        full = bool(self.js.call("init", "__gekko_series", float(_PUSH), blind))  # False: no candle columns
        rows = self._compiled_rows(columns, full)
        if rows is None:
            rows = self._stepped_rows(columns, full)
        push = self.js.context.get("__gekko_push")
        for at in range(0, len(rows), _PUSH):
            chunk = rows[at : at + _PUSH]
            push(*chunk, *([None] * (_PUSH - len(chunk))))
        self.series = _Series(len(columns[0]), max(self.requiredHistory, 1) - 1, ahead=not self.js.hears_trades)
        return True

    def _remote_series(self, columns: list[Column]) -> bool:
        """:meth:`prepare_series` in the worker, a block of candles per call (each under the watchdog)."""
        assert self.worker is not None
        ahead = self.worker.call("init", "load_series", columns, limit=BOOT_S)
        if ahead is None:
            return False
        finished = not ahead
        while not finished:
            finished, self._remote_ticks = self.worker.call("update or check", "run_block")
        self._remote_emits: set[int] = set()
        self._remote_done = -1
        return True

    def ticks(self) -> list[int] | None:
        """Every strategy candle that emits something, when known before the pipeline runs and no
        trailing stop can need the minutes in between; None otherwise."""
        if self.worker is not None:
            return self._remote_ticks
        series = self.series
        if series is None or not series.ahead or series.triggers:
            return None
        return sorted(series.emits)

    def _compiled_rows(self, columns: list[Column], full: bool) -> list[Any] | None:
        """Every candle's row (its fields if ``full``, then its indicator values) from compiled indicator
        loops; None when an indicator has none."""
        if self.tulip.indicators:
            return None
        close = np.asarray(columns[4], dtype=np.float64)
        table = [np.asarray(column, dtype=np.float64) for column in columns] if full else []
        if self.js.managed:
            from gekko_common.engine.js.columns import native_columns  # numba loads only when it is needed

            for kind, indicator in self.js.managed.values():
                values = native_columns(kind, indicator, close)
                if values is None:
                    return None
                table += values
        return np.column_stack(table).ravel().tolist() if table else []

    def _stepped_rows(self, columns: list[Column], full: bool) -> list[Any]:
        """Every candle's row (its fields if ``full``, then its indicator values), stepping the Python
        indicators candle by candle."""
        rows: list[Any] = []
        feeds = [(indicator.input == "price", indicator, GETTERS[kind]) for kind, indicator in self.js.managed.values()]
        need_candle = bool(self.tulip.indicators) or not all(price for price, _, _ in feeds)
        for fields in zip(*(column.tolist() for column in columns), strict=True):
            if full:
                rows.append(float(fields[0]))  # ints above 2**31 would not cross intact
                rows += fields[1:]
            candle = StrategyCandle(*fields) if need_candle else None
            for price, indicator, getters in feeds:
                indicator.update(fields[4] if price else candle)
                rows += [get(indicator) for get in getters]
            if self.tulip.indicators:
                rows += self.tulip.update(candle)
        return rows

    def quiet(self, k: int) -> bool:
        """Whether strategy candle ``k`` emits nothing (JavaScript runs ahead to know)."""
        if self.worker is not None:
            if k > self._remote_done:
                self._remote_done, emits = self.worker.call("update or check", "quiet", k)
                self._remote_emits.update(emits)
            return k not in self._remote_emits
        assert self.series is not None
        return self.series.quiet(k, self.js)

    def init(self) -> None:
        if self.worker is not None:
            self._remote("init", "init")
            return
        self._act(self.js.call("init", "__gekko_init"))
        self.js.call("init", "__gekko_natives", *self._native_values())

    def update(self, candle: StrategyCandle) -> None:
        if self.worker is not None:  # once warmed up, check always follows: both in one call
            updated, self._checked = self.worker.call("update", "update", candle, self.age, self._warm)
            self._shown(*updated)
            return
        if self.series is not None:
            self._emitted(self.series.update(self.age - 1, self.js))
            return
        tulips = self.tulip.update(candle) if self.tulip.indicators else ()
        self._act(
            self.js.call(
                "update",
                "__gekko_update",
                float(candle.start),
                float(candle.open),
                float(candle.high),
                float(candle.low),
                float(candle.close),
                float(candle.vwp),
                float(candle.volume),
                float(candle.trades),
                *self._native_values(),
                *tulips,
            )
        )

    def check(self, candle: StrategyCandle) -> None:
        if self.series is not None:
            self._emitted(self.series.check(self.age - 1))
            return
        if self.worker is not None:
            checked, self._checked = self._checked, None
            self._shown(*(checked or self.worker.call("check", "check")))
            self._warm = True
            return
        self._act(self.js.call("check", "__gekko_check"))

    def on_trade(self, trade: dict[str, Any]) -> None:
        if not self.js.hears_trades:
            return
        if self.worker is not None:
            self._remote("onTrade", "on_trade", trade)
            return
        self._act(self.js.call("onTrade", "__gekko_trade", to_json(trade)))

    def end(self) -> None:
        if self.worker is not None:
            self._remote("end", "end")
            self.worker.close()
            return
        self._act(self.js.call("end", "__gekko_end"))
        self.js.close()

    def _remote(self, what: str, op: str, *args: Any) -> None:
        """A call into the worker."""
        assert self.worker is not None
        self._shown(*self.worker.call(what, op, *args))

    def _shown(self, out: list[tuple[str, Any]], results: list[tuple[str, Any]]) -> None:
        """Act on what the worker's strategy emitted; show its native indicators' results."""
        for name, result in results:
            shown = self.indicators.get(name)
            if shown is None:
                shown = self.indicators[name] = _Shown()
            shown.result = result
        for kind, value in out:
            if kind == "a":
                self.advice(value)
            else:
                self.notify(value)

    def _native_values(self) -> list[Any]:
        values: list[Any] = []
        for kind, indicator in self.js.managed.values():
            values += [get(indicator) for get in GETTERS[kind]]
        return values

    def _act(self, text: str) -> None:
        """Act on what a call emitted (JSON text, empty for nothing)."""
        if text:
            self._emitted(_decode(text))

    def _emitted(self, items: Any) -> None:
        """Act on what a candle emitted, in order: advice, notifications, indicator registrations."""
        if not items:
            return
        for kind, *value in items:
            if kind == "a":
                if self.series is not None and _is_trigger(value[0]):
                    self.series.stepwise = True  # a stop may fire between candles: onTrade must not lag
                self.advice(value[0])
            elif kind == "n":
                self.notify(value[0])
            elif kind == "i":
                name, type_, params = value
                self.js.managed[name] = (type_, self.add_indicator(name, type_, params))
            else:
                self.tulip.add(*value)


class _Shown(Indicator):
    """A native indicator the worker computes, as the trading advisor sees it here: its result."""

    input = "shown"

    def __init__(self) -> None:
        self.result: Any = None

    def update(self, value: Any) -> None:
        """Updated in the worker."""


def _is_trigger(advice: Any) -> bool:
    return isinstance(advice, dict) and bool(advice.get("trigger"))


_NOTHING = ("0", "0")
"""What a candle that emitted nothing emitted, as :class:`_Series` keeps it (JSON text of update and check)."""
_PUSH = 1000
"""Values per call when handing a backtest's candle rows to JavaScript (half the time of 240 a call;
4,000 a call are slower again)."""
_CHUNK = 240
"""Candles a run-ahead call runs through at most while looking for the next candle that emits."""
_FIRST_BLOCK = 16
"""Candles of the first block run through in one call (small: a slow strategy must not hit the time limit)."""
_BLOCK_S = 0.05
"""Wall time a block of candles run in one call aims at: blocks double while faster, halve while slower."""


class _Series:
    """Where JavaScript is in a backtest's candles, and what the candles it ran emitted.

    ``ahead``: JavaScript runs through every candle before the pipeline (the strategy does not hear of
    its trades); otherwise it runs ahead only to the next candle that emits something, or candle by
    candle after a trailing-stop advice (``stepwise``).
    """

    def __init__(self, size: int, check_from: int, ahead: bool) -> None:
        self.size = size
        self.check_from = check_from
        self.ahead = ahead
        self.done = -1
        self.stepwise = False
        self.triggers = False
        self.block = _FIRST_BLOCK
        self.emits: dict[int, tuple[str, str]] = {}

    def run_all(self, js: JsRun, progress: Callable[[int], None] | None = None) -> None:
        while self.done < self.size - 1:
            self.run_block(js)
            if progress is not None:
                progress(self.done)

    def run_block(self, js: JsRun) -> None:
        """Run the next block of candles, whatever they emit."""
        self._run(js, min(self.size, self.done + 1 + self.block), first=False)

    def quiet(self, k: int, js: JsRun) -> bool:
        self.advance(k, js)
        return k not in self.emits

    def update(self, k: int, js: JsRun) -> Any:
        self.advance(k, js)
        return _decode(self.emits.get(k, _NOTHING)[0])

    def check(self, k: int) -> Any:
        return _decode(self.emits.pop(k, _NOTHING)[1])

    def advance(self, k: int, js: JsRun) -> None:
        """Run JavaScript from candle ``k`` on, unless it is there already."""
        if k > self.done:
            self._run(js, k + 1 if self.stepwise else min(self.size, k + _CHUNK), first=True)

    def _run(self, js: JsRun, end: int, first: bool) -> None:
        began = time.perf_counter()
        text = js.call("run", "__gekko_run", float(self.done + 1), float(end), float(self.check_from), first)
        lines = text.split("\n")
        took = time.perf_counter() - began
        self.done = int(lines[0])
        for at in range(1, len(lines), 3):
            updated, checked = lines[at + 1], lines[at + 2]
            self.emits[int(lines[at])] = (updated, checked)  # JSON text (not GC-tracked) until the candle's turn
            self.triggers = self.triggers or _has_trigger(updated) or _has_trigger(checked)
        if not first:
            self.block = self.block * 2 if took < _BLOCK_S else max(self.block // 2, 1)


_decode = msgspec.json.decode
"""What a candle emitted, from JSON text (msgspec: a third of json.loads's cost per call, same values)."""


def _has_trigger(text: str) -> bool:
    """Whether what a candle emitted (JSON text) holds an advice with a trailing-stop trigger."""
    return '"trigger"' in text and any(i[0] == "a" and _is_trigger(i[1]) for i in _decode(text))


def load_js_strategies(directory: Path) -> list[str]:
    """Register every ``NAME.js`` of ``directory`` (defaults from ``NAME.toml``); returns the names."""
    names = []
    for path in sorted(directory.glob("*.js")):
        toml = path.with_suffix(".toml")
        params = toml.read_text() if toml.is_file() else ""
        attrs = {"name": path.stem, "params": params, "directory": directory, "__module__": __name__}
        register(type(f"Js_{path.stem}", (JsStrategy,), attrs))
        names.append(path.stem)
    return names
