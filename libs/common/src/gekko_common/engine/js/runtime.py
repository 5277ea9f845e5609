"""One run of a JavaScript strategy inside an embedded QuickJS context (the sandbox).

QuickJS has no file system, network or process access unless its host adds them. This host hands
the strategy its own files (``NAME.js``, ``indicators/*.js``) and lodash and moment at boot, and on
every candle the values of the native indicators (this engine's Python code) and tulip indicators,
so calls into JavaScript never need Python and run under a time limit; the context runs under a
memory limit. Hitting either ends the run with a :class:`StrategyError` naming the strategy and the
call. The binding refuses calls back into Python while a time limit is set, so a strategy that
builds native indicators itself (``new SMA(9)`` in a custom indicator) runs "bridged": its indicator
updates reach Python synchronously, its context has no time limit of its own, and it runs in a
worker process whose calls a watchdog times instead (:mod:`gekko_common.engine.js.worker`).

Python ints above 2**31 do not cross into QuickJS intact, so numbers always cross as floats.
"""

from __future__ import annotations

import functools
import json
import math
import operator
import os
import re
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import quickjs

from gekko_common.engine.indicators import INDICATORS, Indicator
from gekko_common.engine.js.tulip import TULIP
from gekko_common.errors import CandlesWanted, EngineError, StrategyError

TIME_LIMIT_S = 2.0
"""Longest a single call into a strategy may run."""
MEMORY_LIMIT_MB = 256
"""Heap limit of a strategy's JavaScript context (the libraries take about 10 MB)."""
CANDLES_WANTED = "__gekko_candles_wanted__"
"""What the shim throws when a strategy handed no candles reads one (see ``__gekko_series``)."""
CANDLE_READERS: set[str] = set()
"""The JavaScript strategies (by name) that read candles though no update or check of theirs takes one:
their backtests hand them the candles from then on."""

_LIBRARIES = {"lodash": ("lodash", "dist", "lodash.js"), "moment": ("moment", "moment.js")}
_SHIM = Path(__file__).with_name("shim.js").read_text()

_EMAS = ("short", "long", "signal")
_PPO_KEYS = ("shortEMA", "longEMA", "macd", "ppo", "MACDsignal", "MACDhist", "PPOsignal", "PPOhist")
NATIVE_FIELDS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    # type: (input, [(the field as strategies read it, where the Python indicator keeps it)])
    "EMA": ("price", [("result", "result")]),
    "SMA": ("price", [("result", "result")]),
    "SMMA": ("price", [("result", "result")]),
    "LRC": ("price", [("result", "result")]),
    "DEMA": ("price", [("result", "result"), ("inner.result", "inner.result"), ("outer.result", "outer.result")]),
    "MACD": ("price", [("result", "result"), ("diff", "diff"), *[(f"{k}.result", f"{k}.result") for k in _EMAS]]),
    "PPO": (
        "price",
        [
            *[(f"result.{k}", f"result.{k}") for k in _PPO_KEYS],
            *[(f"{k}.result", f"{k}.result") for k in ("short", "long")],
            ("macdSignal.result", "macd_signal.result"),
            ("ppoSignal.result", "ppo_signal.result"),
        ],
    ),
    "RSI": (
        "candle",
        [
            ("result", "result"),
            ("u", "u"),
            ("d", "d"),
            ("rs", "rs"),
            ("avgU.result", "avg_u.result"),
            ("avgD.result", "avg_d.result"),
        ],
    ),
    "CCI": ("candle", [("result", "result"), ("tp", "tp"), ("avgtp", "avgtp"), ("mean", "mean")]),
    "TSI": ("candle", [("tsi", "tsi")]),
    "UO": ("candle", [("uo", "uo")]),
}
"""Per native indicator: what it is fed and the fields strategies read (Gekko's names)."""


def modules_dir() -> Path:
    """Where ``make install`` put lodash and moment (``GEKKO_JS_MODULES`` overrides)."""
    override = os.environ.get("GEKKO_JS_MODULES")
    return Path(override) if override else Path(sys.prefix) / "share" / "gekko-js" / "node_modules"


def _getter(path: str) -> Callable[[Any], Any]:
    if path.startswith("result.") and path.count(".") == 1:  # PPO's result is a dict
        key = path[7:]
        return lambda indicator: indicator.result.get(key)
    return operator.attrgetter(path)


GETTERS: dict[str, list[Callable[[Any], Any]]] = {
    kind: [_getter(path) for _, path in fields] for kind, (_, fields) in NATIVE_FIELDS.items()
}
"""Per native indicator type: how to read each field of :data:`NATIVE_FIELDS` off the Python indicator."""


def native_values(indicator: Indicator, kind: str) -> list[Any]:
    """The fields of a native indicator strategies read, in :data:`NATIVE_FIELDS` order."""
    return [get(indicator) for get in GETTERS[kind]]


class _Candle:
    """What a candle-input native indicator reads."""

    __slots__ = ("close", "high", "low", "open", "trades", "volume", "vwp")

    def __init__(self, *fields: float) -> None:
        self.open, self.high, self.low, self.close, self.vwp, self.volume, self.trades = fields


class JsRun:
    """A strategy's JavaScript context for one run: boot it (evaluates the files), then call into it."""

    def __init__(self, name: str, directory: Path, settings: Any, config: dict[str, Any]) -> None:
        self.name = name
        self.error: BaseException | None = None
        self.bridged_natives: list[tuple[str, Indicator]] = []
        self.managed: dict[str, tuple[str, Indicator]] = {}
        self.context = quickjs.Context()
        self.context.set_memory_limit(MEMORY_LIMIT_MB * 1024 * 1024)
        self.context.set_time_limit(TIME_LIMIT_S)
        self._fns: dict[str, Any] = {}
        files = {f"{name}.js": (directory / f"{name}.js").read_text()}
        for path in sorted((directory / "indicators").glob("*.js")):
            files[f"indicators/{path.name}"] = path.read_text()
        setup = {
            "file": f"{name}.js",
            "settings": settings,
            "config": config,
            "debug": bool(config.get("debug")),
            "seed": zlib.crc32(json.dumps([name, settings], sort_keys=True, default=str).encode()),
            "files": files,
            "natives": {k: [i, [js for js, _ in f]] for k, (i, f) in NATIVE_FIELDS.items()},
            "tulips": {kind: outputs for kind, (_, outputs) in TULIP.items()},
        }
        for fn_name, fn in (
            ("__py_native_new", self._native_new),
            ("__py_native_values", self._native_values),
            ("__py_native_update", self._native_update),
            ("__py_native_update_candle", self._native_update_candle),
            ("__py_managed_update", self._managed_update),
            ("__py_managed_update_candle", self._managed_update_candle),
            ("__py_last_error", lambda: str(self.error)),
        ):
            self._expose(fn_name, fn)
        for lib in _LIBRARIES:  # plain strings: in the setup's JSON they cost 7 ms a run to write and parse
            self.context.set(f"__gekko_lib_{lib}", _library(lib))
        self.call("loading", _SHIM, evaluate=True)
        self.bridged = bool(self.call("loading", "__gekko_boot", to_json(setup)))
        self.hears_trades = bool(self.context.get("__gekko_hears_trades"))
        self.updates_added = bool(self.context.get("__gekko_updates_added"))
        """It updates native indicators it added: the advisor's values cannot be computed ahead."""
        self.on_phase: Callable[[int], None] | None = None
        """Told which call a backtest's run of candles is in (the worker's watchdog reads it)."""
        if self.bridged:
            self.context.set_time_limit(-1)
            self._expose("__py_phase", self._phase_is)

    # --- calling into JavaScript ---
    def call(self, what: str, fn: str, *args: Any, evaluate: bool = False) -> Any:
        """Call the shim's ``fn`` (or evaluate code); JavaScript failures become StrategyError."""
        self.error = None
        try:
            if evaluate:
                return self.context.eval(fn)
            target = self._fns.get(fn)
            if target is None:
                target = self._fns[fn] = self.context.get(fn)
            return target(*args)
        except quickjs.JSException as exc:
            if CANDLES_WANTED in str(exc):
                CANDLE_READERS.add(self.name)
                raise CandlesWanted(f"strategy {self.name} read a candle in a backtest that handed it none") from None
            if what == "run":  # a backtest's run ahead: which of the strategy's calls failed
                what = self._phase()
            raise self._failure(what, str(exc)) from None
        except quickjs.StackOverflow:
            raise StrategyError(f"strategy {self.name} overflowed the stack in {what}") from None

    def close(self) -> None:
        """The run ended: free the context now (its callables refer back to this run, a cycle only the
        garbage collector's full passes would free)."""
        self._fns.clear()
        del self.context

    def _phase(self) -> str:
        try:
            return str(self.context.eval("__gekko_phase.call"))
        except quickjs.JSException:  # the context is out of memory
            return "update or check"

    def _failure(self, what: str, message: str) -> EngineError:
        if isinstance(self.error, EngineError):
            return self.error
        if "interrupted" in message:
            return StrategyError(f"strategy {self.name} exceeded the time limit of {TIME_LIMIT_S:g} s in {what}")
        if "out of memory" in message:
            return StrategyError(f"strategy {self.name} exceeded the memory limit of {MEMORY_LIMIT_MB} MB in {what}")
        first = message.strip().splitlines()[0] if message.strip() else "error"
        if self.error is not None:
            first = f"{type(self.error).__name__}: {self.error}"
        line = re.search(r"<input>:(\d+)", message)
        where = f" (line {line.group(1)})" if line and " line " not in first else ""
        return StrategyError(f"strategy {self.name} failed in {what}: {first}{where}")

    def _expose(self, name: str, fn: Callable[..., Any]) -> None:
        def guarded(*args: Any) -> Any:
            try:
                return fn(*args)
            except Exception as exc:
                self.error = exc
                raise

        self.context.add_callable(name, guarded)

    def _phase_is(self, code: float) -> None:
        if self.on_phase is not None:
            self.on_phase(int(code))

    # --- native indicators the strategy builds or updates itself (bridged runs) ---
    def _native_new(self, kind: str, params: str) -> int:
        try:
            indicator = INDICATORS[kind](json.loads(params))
        except (KeyError, TypeError, ValueError) as exc:
            self.error = StrategyError(f"indicator {kind} needs parameter {exc}")
            return -1
        self.bridged_natives.append((kind, indicator))
        return len(self.bridged_natives) - 1

    def _native_values(self, ident: float) -> str:
        kind, indicator = self.bridged_natives[int(ident)]
        return js_literal(native_values(indicator, kind))

    def _native_update(self, ident: float, price: float) -> str:
        kind, indicator = self.bridged_natives[int(ident)]
        indicator.update(price)
        return js_literal(native_values(indicator, kind))

    def _native_update_candle(self, ident: float, *fields: float) -> str:
        kind, indicator = self.bridged_natives[int(ident)]
        indicator.update(_Candle(*fields))
        return js_literal(native_values(indicator, kind))

    def _managed_update(self, name: str, price: float) -> str:
        kind, indicator = self.managed[name]
        indicator.update(price)
        return js_literal(native_values(indicator, kind))

    def _managed_update_candle(self, name: str, *fields: float) -> str:
        kind, indicator = self.managed[name]
        indicator.update(_Candle(*fields))
        return js_literal(native_values(indicator, kind))


def _library(name: str) -> str:
    path = modules_dir().joinpath(*_LIBRARIES[name])
    if not path.is_file():
        raise StrategyError(f"the JavaScript library {name} is not installed at {path} (run make install)")
    return _source(path)


@functools.cache
def _source(path: Path) -> str:
    """A library's source, read once per process."""
    return path.read_text()


def _clean(value: Any) -> Any:
    """JSON has no NaN or Infinity: they cross as null (as JSON.stringify writes them)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def js_literal(values: list[Any]) -> str:
    """A JavaScript array literal of indicator values (NaN and Infinity kept, unlike JSON)."""
    return json.dumps(values)


def to_json(value: Any) -> str:
    """JSON for JavaScript (non-finite numbers as null)."""
    text = json.dumps(value, default=str)
    if "NaN" in text or "Infinity" in text:  # rare: clean the values (a string containing them is harmless)
        text = json.dumps(_clean(value), default=str)
    return text
