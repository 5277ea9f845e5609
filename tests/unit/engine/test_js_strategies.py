"""JavaScript strategies: Gekko's API, the sandbox's limits, and the live driver's parity."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from gekko_common.engine import (
    Candles,
    Engine,
    StrategyError,
    build_strategy,
    load_strategy_dir,
    registered,
    run_backtest,
    strategy_catalog,
)
from gekko_common.engine.candles import batch
from gekko_common.engine.indicators import SMA
from gekko_common.engine.js import runtime
from gekko_common.engine.strategy import _REGISTRY
from tests.conftest import ROOT, SMALL_CSV
from tests.unit.engine.test_drivers import config, live, wire

JS_DIR = ROOT / "tests" / "strategies"


@pytest.fixture(scope="module")
def candles() -> Candles:
    return Candles.from_csv(SMALL_CSV)


@pytest.fixture(scope="module", autouse=True)
def js_strategies() -> Iterator[None]:
    """The JS test strategies (and those the tests write) are registered for this module only."""
    before = registered()
    load_strategy_dir(JS_DIR)
    yield
    _REGISTRY.strategies.clear()
    _REGISTRY.strategies.update(before)


def write(tmp_path: Path, name: str, body: str) -> str:
    (tmp_path / f"{name}.js").write_text(textwrap.dedent(body))
    load_strategy_dir(tmp_path)
    return name


def test_the_catalog_lists_js_strategies_with_their_toml() -> None:
    listed = {s["name"]: s["params"] for s in strategy_catalog()}
    assert listed["js_MACD"] == (JS_DIR / "js_MACD.toml").read_text()
    assert listed["js_api"] == ""


def test_the_api_strategy_sees_gekkos_api_and_hears_of_its_trades(candles) -> None:
    result = run_backtest(config("js_api", 5, 3), candles)
    assert [t["action"] for t in result["trades"]] == ["buy", "sell"]  # end() throws if onTrade missed one


def test_math_random_is_seeded_per_run(candles) -> None:
    events = [Engine(config("js_api", 5, 3)).feed(_row(candles, 0)) for _ in range(2)]
    assert events[0] == events[1]
    runs = []
    for _ in range(2):
        engine = Engine(config("js_api", 5, 3))
        notes = []
        for i in range(60):
            notes += [p for k, p in wire(engine.feed(_row(candles, i))) if k == "stratNotification"]
        runs.append(notes)
    assert runs[0]
    assert runs[0] == runs[1]


def _row(candles: Candles, i: int) -> dict:
    return {
        c: getattr(candles, c)[i].item() for c in ("start", "open", "high", "low", "close", "vwp", "volume", "trades")
    }


@pytest.mark.parametrize(("method", "size"), [("js_MACD", 10), ("js_api", 5)])
def test_a_live_feed_makes_the_same_trades_as_the_backtest(method, size, candles) -> None:
    cfg = config(method, size, 3)
    trades, _ = live(cfg, candles)
    backtest = run_backtest(cfg, candles)
    assert [(t["action"], t["price"]) for t in trades] == [(t["action"], t["price"]) for t in backtest["trades"]]
    assert backtest["trades"]


_RULE = "if (c !== this.candle) throw new Error('not the current candle'); this.advice(c.close > c.open ? 'long' : 'short');"
_CANDLE_READERS = {
    "param": f"update: function (candle) {{ /* nothing */ }},\ncheck: function (candle) {{ var c = candle; {_RULE} }}",
    "this_candle": f"check: function () {{ var c = this.candle; {_RULE} }}",
    "arguments": f"check: function () {{ var c = arguments[0]; {_RULE} }}",
    "kept_in_update": f"update: function (candle) {{ this.kept = candle; }},\ncheck: function () {{ var c = this.kept; {_RULE} }}",
    "set_in_update": "update: function (candle) { this.candle = {close: candle.open, open: candle.close}; },\n"
    "check: function () { var c = {close: this.candle.open, open: this.candle.close}; this.advice(c.close > c.open ? 'long' : 'short'); }",
    "helper": f"check: function () {{ var c = this.current(); {_RULE} }},\ncurrent: function () {{ return this.candle; }}",
    # a backtest hands a strategy whose update and check take no candle none; reading one anyway,
    # even where the strategy catches what that throws, runs the backtest again with the candles
    "caught": "check: function () { var c; try { c = this.candle; } catch (e) { c = {open: 1, close: 0}; }\n"
    "this.advice(c.close > c.open ? 'long' : 'short'); }",
}


@pytest.mark.parametrize("reader", list(_CANDLE_READERS))
def test_every_way_of_reading_the_candle_sees_the_current_one(tmp_path, candles, reader) -> None:
    """The candle is built only when a strategy can see it: through a parameter, ``this.candle``,
    ``arguments`` or what update kept or set, each check sees the current candle."""
    body = _CANDLE_READERS[reader]
    name = write(tmp_path, f"reads_{reader}", f"module.exports = {{\ninit: function () {{}},\n{body}\n}};\n")
    trades = run_backtest(config(name, 5, 3), candles)["trades"]
    expected = run_backtest(config(write(tmp_path, "reads_base", _base_reader()), 5, 3), candles)["trades"]
    assert trades
    assert [(t["action"], t["date"]) for t in trades] == [(t["action"], t["date"]) for t in expected]
    blind = reader in ("this_candle", "helper", "caught")  # no update or check of theirs takes a candle
    assert (name in runtime.CANDLE_READERS) == blind


def test_a_strategy_reading_the_candle_only_in_on_trade_gets_it(tmp_path, candles) -> None:
    """``this.candle`` in onTrade of a strategy whose check takes no candle: the same trades as when
    its check takes one (and the backtest was handed the candles from the start)."""
    rest = "onTrade: function () { this.up = this.candle.close > this.candle.open; }"
    blind = write(tmp_path, "blind_trader", f"module.exports = {{init: function () {{}},\n"
                  f"check: function () {{ this.n = (this.n || 0) + 1; this.advice((this.n % 7 < 3) !== !!this.up ? 'short' : 'long'); }},\n{rest}}};\n")  # fmt: skip
    seeing = write(tmp_path, "seeing_trader", f"module.exports = {{init: function () {{}},\n"
                   f"check: function (candle) {{ this.n = (this.n || 0) + 1; this.advice((this.n % 7 < 3) !== !!this.up ? 'short' : 'long'); }},\n{rest}}};\n")  # fmt: skip
    trades = run_backtest(config(blind, 5, 3), candles)["trades"]
    assert blind in runtime.CANDLE_READERS
    assert len(trades) > 10
    assert trades == run_backtest(config(seeing, 5, 3), candles)["trades"]
    assert "js_MACD" not in runtime.CANDLE_READERS  # it reads no candle: its backtests never run twice


def _base_reader() -> str:
    """The same rule on candles a strategy builds itself from what the engine hands every check."""
    return (
        "module.exports = {init: function () {}, update: function (candle) { this.seen = [candle.open, candle.close]; },\n"
        "check: function () { this.advice(this.seen[1] > this.seen[0] ? 'long' : 'short'); }};\n"
    )


def test_an_unavailable_module_is_refused_before_the_run_naming_module_strategy_and_line(tmp_path) -> None:
    name = write(
        tmp_path,
        "wants_fs",
        "var _ = require('lodash');\n// require('fs') in a comment\nvar fs = require('fs');\nmodule.exports = {init: function () {}, check: function () {}};\n",
    )
    with pytest.raises(StrategyError, match=r"wants_fs.*require\('fs'\) in wants_fs.js line 3: module not available"):
        build_strategy(config(name, 5))


def test_talib_is_refused_by_name(tmp_path, candles) -> None:
    name = write(
        tmp_path,
        "wants_talib",
        "module.exports = {init: function () { this.addTalibIndicator('m', 'macd', {}); }, check: function () {}};",
    )
    with pytest.raises(StrategyError, match="wants_talib failed in init: Error: talib indicators are not supported"):
        run_backtest(config(name, 5), candles)


def test_a_throw_ends_the_run_naming_strategy_call_and_line(tmp_path, candles) -> None:
    name = write(
        tmp_path,
        "thrower",
        "module.exports = {\n  init: function () {},\n  check: function () {\n    null.boom;\n  }\n};\n",
    )
    with pytest.raises(StrategyError, match=r"strategy thrower failed in check: TypeError: .*\(line 4\)"):
        run_backtest(config(name, 5), candles)


def test_an_endless_loop_hits_the_time_limit(tmp_path, candles, monkeypatch) -> None:
    monkeypatch.setattr(runtime, "TIME_LIMIT_S", 0.2)
    name = write(
        tmp_path,
        "looper",
        "module.exports = {init: function () {}, update: function () { for (;;) {} }, check: function () {}};",
    )
    with pytest.raises(StrategyError, match=r"strategy looper exceeded the time limit of 0\.2 s in update"):
        run_backtest(config(name, 5), candles)


def test_eating_memory_hits_the_memory_limit_and_the_next_run_is_fine(tmp_path, candles, monkeypatch) -> None:
    monkeypatch.setattr(runtime, "MEMORY_LIMIT_MB", 64)
    name = write(
        tmp_path,
        "eater",
        "var a = [];\nmodule.exports = {init: function () {}, check: function () { for (;;) a.push(new Array(100000).fill(1.5)); }};",
    )
    with pytest.raises(StrategyError, match="strategy eater exceeded the memory limit of 64 MB in check"):
        run_backtest(config(name, 5), candles)
    assert run_backtest(config("js_MACD", 10, 3), candles)["trades"]


def test_no_file_system_network_or_process(tmp_path, candles) -> None:
    probe = "typeof std + typeof os + typeof process + typeof fetch + typeof XMLHttpRequest + typeof scriptArgs"
    name = write(
        tmp_path,
        "prober",
        f"var seen = {probe};\nmodule.exports = {{init: function () {{ if (seen !== 'undefined'.repeat(6)) throw new Error(seen); }}, check: function () {{}}}};",
    )
    run_backtest(config(name, 5), candles)


# --- strategies that build native indicators themselves run in a worker process under a watchdog ---
def _bridged(tmp_path: Path, name: str, check: str, update: str = "") -> str:
    """A strategy whose own SMA (``new SMA(3)``) is computed by the engine's Python code mid-call."""
    (tmp_path / f"{name}.js").write_text(
        "var SMA = require('./indicators/SMA.js');\n"
        "module.exports = {\n"
        "  init: function () { this.sma = new SMA(3); },\n"
        f"  update: function (candle) {{ this.sma.update(candle.close); {update} }},\n"
        f"  check: function () {{\n    {check}\n  }}\n"
        "};\n"
    )
    load_strategy_dir(tmp_path)
    return name


def _live_workers() -> set[int]:
    """Worker processes of this process that are still running."""
    children = Path("/proc").glob("[0-9]*/stat")
    mine = set()
    for stat in children:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            mine.add(int(stat.parent.name))
    return mine


def test_an_endless_loop_in_a_strategy_with_its_own_native_indicator_hits_the_time_limit(
    tmp_path, candles, monkeypatch
) -> None:
    monkeypatch.setattr(runtime, "TIME_LIMIT_S", 0.5)
    before = _live_workers()
    name = _bridged(tmp_path, "own_sma_looper", "if (this.sma.result > 0) for (;;) {}")
    with pytest.raises(StrategyError, match=r"strategy own_sma_looper exceeded the time limit of 0\.5 s in check"):
        run_backtest(config(name, 5), candles)
    assert _live_workers() == before  # the worker was killed
    assert run_backtest(config("js_api", 5, 3), candles)["trades"]  # and the next run (bridged too) is served


def test_a_bridged_strategy_gets_the_engines_sma_values(tmp_path, candles) -> None:
    name = _bridged(
        tmp_path,
        "own_sma",
        "if (this.sma.result < this.candle.close) this.advice('long'); else this.advice('short');",
    )
    result = run_backtest(config(name, 5, 3), candles)
    assert result["trades"]
    sma = SMA(3)
    sizes = batch(candles, 5)
    expected = []
    for k, close in enumerate(sizes.close.tolist()):
        sma.update(close)
        if k >= 2:
            expected.append("long" if sma.result < close else "short")
    directions = [d for i, d in enumerate(expected) if i == 0 or d != expected[i - 1]]
    assert [t["action"] for t in result["trades"]] == ["buy" if d == "long" else "sell" for d in directions][
        : len(result["trades"])
    ]


def test_a_throw_in_a_bridged_strategy_names_strategy_call_and_line(tmp_path, candles) -> None:
    name = _bridged(tmp_path, "own_sma_thrower", "null.boom;")
    with pytest.raises(StrategyError, match=r"strategy own_sma_thrower failed in check: TypeError: .*\(line 6\)"):
        run_backtest(config(name, 5), candles)


def test_eating_memory_in_a_bridged_strategy_hits_the_memory_limit(tmp_path, candles, monkeypatch) -> None:
    monkeypatch.setattr(runtime, "MEMORY_LIMIT_MB", 64)
    name = _bridged(tmp_path, "own_sma_eater", "", update="for (var a = [];;) a.push(new Array(100000).fill(1.5));")
    with pytest.raises(StrategyError, match="strategy own_sma_eater exceeded the memory limit of 64 MB in update"):
        run_backtest(config(name, 5), candles)
    assert run_backtest(config("js_MACD", 10, 3), candles)["trades"]


def test_a_live_bridged_gekko_trades_as_its_backtest(candles) -> None:
    cfg = config("js_api", 5, 3)
    trades, _ = live(cfg, candles)
    assert [(t["action"], t["price"]) for t in trades] == [
        (t["action"], t["price"]) for t in run_backtest(cfg, candles)["trades"]
    ]


def test_a_live_gekko_whose_bridged_strategy_runs_away_stops_with_an_error_naming_it(candles, monkeypatch) -> None:
    monkeypatch.setattr(runtime, "TIME_LIMIT_S", 0.5)
    engine = Engine(config("js_runaway", 1, 3, js_runaway={"runaway": True}))
    for i in range(2):  # warming up: check is not called yet
        engine.feed(_row(candles, i))
    with pytest.raises(StrategyError, match=r"strategy js_runaway exceeded the time limit of 0\.5 s in check"):
        engine.feed(_row(candles, 2))
