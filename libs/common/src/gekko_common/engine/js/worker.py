"""A bridged JavaScript strategy in its own process, under a watchdog (see docs/strategies.md).

The quickjs binding refuses calls back into Python while a time limit is set, and a strategy that
builds native indicators itself (``new SMA(9)``) needs those calls. Such a strategy therefore runs,
whole (its JavaScript context and its Python indicators), in a worker process started for the run;
the engine's process keeps a stand-in that forwards each call (``init``, ``update``, ``check``,
``onTrade``, ``end``) and waits for the answer. A call that uses more than ``TIME_LIMIT_S`` of the
worker's CPU time gets the worker killed and ends the run with a StrategyError naming the strategy
and the call; so does a worker that dies (out of memory: the JavaScript heap keeps its limit, and the
process its address space limit). The engine's process is never blocked beyond the limit.

Written by hand over ``multiprocessing.connection`` (pickled messages on a socket pair) because the
worker must be a plain ``python -c`` subprocess: the backtester runs backtests in threads, so forking
it is unsafe, and multiprocessing's spawn would re-import the service's main module.
"""

from __future__ import annotations

import mmap
import os
import resource
import subprocess
import sys
import tempfile
import time
import weakref
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Any

from gekko_common.engine.js import runtime
from gekko_common.errors import ConfigError, EngineError, StrategyError

_MAIN = "from gekko_common.engine.js.worker import main; main()"
PHASES = {1: "init", 2: "update", 3: "check", 4: "onTrade", 5: "end", 6: "update or check"}
"""The calls of a strategy, by the code the worker writes while it is in one."""
BOOT_S = 60.0
"""How long the worker may take to start, or to take a backtest's candles (engine work, not the strategy's)."""
_WAIT_S = 0.05
"""How often the watchdog looks at a call's CPU time (reading it costs more than most calls take)."""
_BACKSTOP = 10
"""A call may also take at most this many times the time limit by the wall clock (a stalled worker)."""
_ADDRESS_SPACE_MB = 2048
"""Room the worker may allocate beyond what it holds once started (Python indicators included)."""


def _cpu_seconds(pid: int) -> float | None:
    """CPU time a process has used (Linux ``/proc``); None where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Worker:
    """The engine's side: one strategy's worker process and the calls into it."""

    def __init__(self, name: str, directory: Path, settings: Any, config: dict[str, Any]) -> None:
        self.name = name
        ours, theirs = Pipe()
        with tempfile.TemporaryFile() as board:  # one byte the worker writes: which call it is in
            board.truncate(1)
            self.phase = mmap.mmap(board.fileno(), 1)
            self.process = subprocess.Popen(
                [sys.executable, "-c", _MAIN, str(theirs.fileno()), str(board.fileno())],
                pass_fds=(theirs.fileno(), board.fileno()),
                env={**os.environ, "GEKKO_JS_MODULES": str(runtime.modules_dir())},
            )
        theirs.close()
        self.conn: Connection | None = ours
        self._finalizer = weakref.finalize(self, _stop, self.process, ours)
        limits = (runtime.TIME_LIMIT_S, runtime.MEMORY_LIMIT_MB)
        # its top-level JavaScript already ran here, under the time limit
        self.call("loading", "boot", name, str(directory), settings, config, limits, limit=BOOT_S)

    def call(self, what: str, op: str, *args: Any, limit: float | None = None) -> Any:
        """Run ``op`` in the worker; its answer, or a StrategyError naming ``what`` (the worker is then gone)."""
        if self.conn is None:
            raise StrategyError(f"strategy {self.name} cannot run: its worker has stopped")
        try:
            self.conn.send((op, args))
            ok, value = self._answer(what, runtime.TIME_LIMIT_S if limit is None else limit)
        except (EOFError, OSError, BrokenPipeError):
            self.close()
            raise StrategyError(
                f"strategy {self.name} ended its worker in {what} (out of memory, or it crashed)"
            ) from None
        if not ok:
            self.close()
            raise ConfigError(*value[1:]) if value[0] == "config" else StrategyError(value[1])
        return value

    def _answer(self, what: str, limit: float) -> Any:
        assert self.conn is not None
        began = time.monotonic()
        mark: float | None = None  # the worker's CPU time once the call is past its first wait
        while not self.conn.poll(_WAIT_S):
            cpu = _cpu_seconds(self.process.pid)
            mark = cpu if mark is None else mark
            used = _WAIT_S + cpu - mark if cpu is not None and mark is not None else time.monotonic() - began
            if used >= limit or time.monotonic() - began >= _BACKSTOP * limit:
                what = PHASES.get(self.phase[0], what)
                self.close()
                raise StrategyError(f"strategy {self.name} exceeded the time limit of {limit:g} s in {what}")
        return self.conn.recv()

    def close(self) -> None:
        """Stop the worker (it is killed; it holds nothing worth a clean exit)."""
        self.conn = None
        self._finalizer()


def _stop(process: subprocess.Popen[bytes], conn: Connection) -> None:
    conn.close()
    if process.poll() is None:
        process.kill()
    process.wait()


# --- the worker's side ---
class _Host:
    """The strategy inside the worker, driven as the trading advisor drives a strategy."""

    def __init__(
        self, phase: mmap.mmap, name: str, directory: str, settings: Any, config: dict[str, Any], limits: Any
    ) -> None:
        self.phase = phase
        from gekko_common.engine.js.strategy import JsStrategy

        runtime.TIME_LIMIT_S, runtime.MEMORY_LIMIT_MB = limits
        cls = type(f"Js_{name}", (JsStrategy,), {"name": name, "directory": Path(directory), "in_worker": True})
        self.strategy = cls(settings, config)
        self.strategy.js.on_phase = self.tell
        self.out: list[tuple[str, Any]] = []
        self.strategy._advice_sink = lambda advice: self.out.append(("a", advice))
        self.strategy._notify_sink = lambda content: self.out.append(("n", content))

    def tell(self, code: int) -> None:
        """Which call the strategy is in (a code of ``PHASES``), for the watchdog."""
        self.phase[0] = code

    def init(self) -> Any:
        self.phase[0] = 1
        self.strategy.init()
        self.strategy._initialised = True
        self.strategy.requiredHistory = int(self.strategy.trading_advisor.get("historySize") or 0)
        return self._answer()

    def load_series(self, columns: list[Any]) -> bool | None:
        """A backtest's candles (see ``JsStrategy.prepare_series``): whether it runs ahead; None: it cannot."""
        self.phase[0] = 6
        if not self.strategy.load_series(columns):
            return None
        assert self.strategy.series is not None
        return bool(self.strategy.series.ahead)

    def run_block(self) -> tuple[bool, list[int] | None]:
        """Run the next block of candles: whether that was the last, and then ``JsStrategy.ticks``."""
        self.phase[0] = 6
        series = self.strategy.series
        assert series is not None
        series.run_block(self.strategy.js)
        finished = series.done >= series.size - 1
        return finished, self.strategy.ticks() if finished else None

    def quiet(self, k: int) -> tuple[int, list[int]]:
        """How far JavaScript ran ahead from candle ``k`` and which of those candles emit."""
        self.phase[0] = 6
        series = self.strategy.series
        assert series is not None
        series.advance(k, self.strategy.js)
        return series.done, [i for i in series.emits if i >= k]

    def update(self, candle: Any, age: int, then_check: bool) -> Any:
        """The advisor's tick up to ``update`` (and ``check`` after it, once the strategy is warmed up)."""
        self.phase[0] = 2
        strategy = self.strategy
        for indicator in strategy.indicators.values():
            indicator.update(candle.close if indicator.input == "price" else candle)
        strategy.candle = candle
        strategy.age = age
        strategy.update(candle)
        updated = self._answer()
        return (updated, self.check()) if then_check else (updated, None)

    def check(self) -> Any:
        self.phase[0] = 3
        assert self.strategy.candle is not None
        self.strategy.check(self.strategy.candle)
        return self._answer()

    def on_trade(self, trade: dict[str, Any]) -> Any:
        self.phase[0] = 4
        self.strategy.on_trade(trade)
        return self._answer()

    def end(self) -> Any:
        self.phase[0] = 5
        self.strategy.end()
        return self._answer()

    def _answer(self) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
        """What the call emitted, and the result of each native indicator (for ``stratUpdate``)."""
        out, self.out = self.out, []
        managed = self.strategy.js.managed.items()
        return out, [(name, ind.result) for name, (kind, ind) in managed if kind not in ("TSI", "UO")]


def _serve(conn: Connection, phase: mmap.mmap) -> None:
    host: _Host | None = None
    name = "?"
    while True:
        try:
            op, args = conn.recv()
        except EOFError:
            return  # the engine's side went away
        try:
            if op == "boot":
                name = args[0]
                host = _Host(phase, *args)
                answer: Any = None
            else:
                assert host is not None
                answer = getattr(host, op)(*args)
        except ConfigError as exc:  # every failure goes back to the engine, which ends the run
            conn.send((False, ("config", exc.field, exc.message)))
            return
        except Exception as exc:
            message = str(exc) if isinstance(exc, EngineError) else f"strategy {name} failed in {op}: {exc!r}"
            conn.send((False, ("strategy", message)))
            return
        conn.send((True, answer))


def _limit_address_space() -> None:
    """Cap the worker's memory at what it holds now plus ``_ADDRESS_SPACE_MB``."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except OSError:
        return
    cap = pages * os.sysconf("SC_PAGE_SIZE") + _ADDRESS_SPACE_MB * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))


def main() -> None:
    """Worker entry point (``_MAIN``; arguments: the connection's and the phase board's descriptors)."""
    import gekko_common.engine.js.strategy  # noqa: F401 - everything the strategy needs, before the cap

    conn = Connection(int(sys.argv[1]))
    phase = mmap.mmap(int(sys.argv[2]), 1)
    _limit_address_space()
    _serve(conn, phase)
