"""JavaScript strategies in Gekko's own layout, behind the same interface as Python strategies.

A strategy directory may hold ``NAME.js`` (a Gekko strategy, unchanged) with an optional ``NAME.toml``
(its default parameters) and ``indicators/*.js`` (the custom indicators it requires). Each ``NAME.js``
registers a :class:`JsStrategy` subclass named ``NAME``; every run gets its own JavaScript context.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from gekko_common.engine.js.columns import native_columns
from gekko_common.engine.js.runtime import GETTERS, JsRun, to_json
from gekko_common.engine.js.tulip import TulipSet
from gekko_common.engine.strategy import Strategy, StrategyCandle, register


class JsStrategy(Strategy):
    """Drives a Gekko JavaScript strategy: the advisor's calls go to the strategy's own functions.

    Native indicators the strategy adds are this engine's Python indicators, updated by the trading
    advisor like a Python strategy's; their values travel with each candle into JavaScript.
    """

    directory: ClassVar[Path] = Path()

    def __init__(self, settings: Any, config: dict[str, Any]) -> None:
        super().__init__(settings, config)
        self.tulip = TulipSet(self.name)
        self.js = JsRun(self.name, self.directory, settings, config)
        self.series: _Series | None = None

    def prepare_series(self, columns: list[list[Any]]) -> bool:
        """A backtest hands over all its strategy candles (start, open, ... trades columns) after init.

        Indicator values are computed here for every candle, handed to JavaScript in chunks, and
        JavaScript runs ahead until a candle emits something (advice, a notification); the advisor's
        per-candle calls then only replay that. Bridged strategies keep one call per candle.
        """
        if self.js.bridged:
            return False
        self.indicators = {}  # computed here from now on, not by the advisor
        rows = self._compiled_rows(columns)
        if rows is None:
            rows = self._stepped_rows(columns)
        self.js.call("init", "__gekko_series", float(_CHUNK))
        push = self.js.context.get("__gekko_push")
        for at in range(0, len(rows), _CHUNK):
            chunk = rows[at : at + _CHUNK]
            push(*chunk, *([None] * (_CHUNK - len(chunk))))
        self.series = _Series(len(columns[0]), max(self.requiredHistory, 1) - 1)
        return True

    def _compiled_rows(self, columns: list[list[Any]]) -> list[Any] | None:
        """Every candle's row from compiled indicator loops; None when an indicator has none."""
        if self.tulip.indicators:
            return None
        close = np.array(columns[4], dtype=np.float64)
        table = [np.array(column, dtype=np.float64) for column in columns]
        for kind, indicator in self.js.managed.values():
            values = native_columns(kind, indicator, close)
            if values is None:
                return None
            table += values
        return np.column_stack(table).ravel().tolist()  # type: ignore[no-any-return]

    def _stepped_rows(self, columns: list[list[Any]]) -> list[Any]:
        """Every candle's row, stepping the Python indicators candle by candle."""
        rows: list[Any] = []
        feeds = [(indicator.input == "price", indicator, GETTERS[kind]) for kind, indicator in self.js.managed.values()]
        need_candle = bool(self.tulip.indicators) or not all(price for price, _, _ in feeds)
        for fields in zip(*columns, strict=True):
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
        assert self.series is not None
        return self.series.quiet(k, self.js)

    def init(self) -> None:
        self._emitted(self.js.call("init", "__gekko_init"))
        self.js.call("init", "__gekko_natives", *self._native_values())

    def update(self, candle: StrategyCandle) -> None:
        if self.series is not None:
            self._emitted(self.series.update(self.age - 1, self.js))
            return
        tulips = self.tulip.update(candle) if self.tulip.indicators else ()
        self._emitted(
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
        self._emitted(self.js.call("check", "__gekko_check"))

    def on_trade(self, trade: dict[str, Any]) -> None:
        if not self.js.hears_trades:
            return
        self._emitted(self.js.call("onTrade", "__gekko_trade", to_json(trade)))

    def end(self) -> None:
        self._emitted(self.js.call("end", "__gekko_end"))

    def _native_values(self) -> list[Any]:
        values: list[Any] = []
        for kind, indicator in self.js.managed.values():
            values += [get(indicator) for get in GETTERS[kind]]
        return values

    def _emitted(self, text: str) -> None:
        """Act on what the call emitted, in order: advice, notifications, indicator registrations."""
        if not text:
            return
        for kind, *value in json.loads(text):
            if kind == "a":
                if self.series is not None and isinstance(value[0], dict) and value[0].get("trigger"):
                    self.series.stepwise = True  # a stop may fire between candles: onTrade must not lag
                self.advice(value[0])
            elif kind == "n":
                self.notify(value[0])
            elif kind == "i":
                name, type_, params = value
                self.js.managed[name] = (type_, self.add_indicator(name, type_, params))
            else:
                self.tulip.add(*value)


_CHUNK = 240
"""Values per call when handing a backtest's candle rows to JavaScript; also candles per run call."""


class _Series:
    """Where JavaScript is in a backtest's candles, and what the candle it stopped at emitted."""

    def __init__(self, size: int, check_from: int) -> None:
        self.size = size
        self.check_from = check_from
        self.done = -1
        self.stepwise = False
        self.pending = ("", "")

    def quiet(self, k: int, js: JsRun) -> bool:
        self.advance(k, js)
        return k != self.done or not any(self.pending)

    def update(self, k: int, js: JsRun) -> str:
        self.advance(k, js)
        return self.pending[0] if k == self.done else ""

    def advance(self, k: int, js: JsRun) -> None:
        """Run JavaScript from candle ``k`` on, unless it is there already."""
        if k > self.done:
            end = k + 1 if self.stepwise else min(self.size, k + _CHUNK)
            last, updated, checked = json.loads(
                js.call("run", "__gekko_run", float(k), float(end), float(self.check_from))
            )
            self.done = int(last)
            self.pending = (updated, checked)

    def check(self, k: int) -> str:
        return self.pending[1] if k == self.done else ""


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
