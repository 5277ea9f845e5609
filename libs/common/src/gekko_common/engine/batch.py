"""Batched evaluation of many parameter sets over one dataset: what a sweep chunk runs.

Strategy candles are merged once per candle size. For a built-in strategy with a compiled kernel,
the advice of every parameter set comes from the kernels (MACD, PPO and RSI through one parallel
call over all sets, the others one call per set), then a compiled simulation of the advisor's
direction filter, the paper trader and the analyzer's roundtrip book runs over every set in
parallel; the analyzer's own ``report`` shapes the result. No event pipeline runs, and every
report is identical (as doubles) to the one ``run_backtest`` makes: the simulation follows the
pipeline's order of floating-point operations, and the tests compare the two on samples of every
compiled strategy. Anything else (user strategies, malformed parameters) runs ``run_backtest``.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from gekko_common.config import STRATEGY_BLOCKS, validate_run
from gekko_common.engine.backtest import run_backtest
from gekko_common.engine.candles import Candles, StrategyCandles, batch
from gekko_common.engine.kernels import KERNELS, _ema_step, _minus_signal, _ppo, _rsi, _zones
from gekko_common.engine.performance import PerformanceAnalyzer
from gekko_common.engine.strategy import registered
from gekko_common.events import PortfolioChange, exported

Metrics = dict[str, float | None]


@dataclass(frozen=True)
class Evaluation:
    """One parameter set's result: Gekko's performanceReport (None without trades) and the extra metrics."""

    report: dict[str, Any] | None
    metrics: Metrics


def strategy_settings(config: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The configured strategy's name and settings (the config's block, else the strategy's defaults)."""
    method = validate_run(config, registered(), market=False).method
    return method, _settings(method, config)


def _settings(method: str, config: dict[str, Any]) -> dict[str, Any]:
    """The settings of ``method`` (a known strategy) in ``config``: its block, else the defaults."""
    settings = config.get(method)
    if settings is None:
        params = registered()[method].params
        settings = tomllib.loads(params) if params else {}
    return settings  # type: ignore[no-any-return]


# --- statistics, in stats-lite's order of operations -----------------------------------------------
# Compiled copies of arith.mean / stdev / percentile: a sweep computes them for thousands of sets, and
# in Python they cost more than the whole simulation. The tests compare the reports with ``==``.


@njit(cache=True)  # type: ignore[misc]
def _mean(values: Any) -> float:
    total = 0.0
    count = 0
    for x in values:
        if np.isfinite(x):
            total += x
            count += 1
    return total / count if count else np.nan


@njit(cache=True)  # type: ignore[misc]
def _stdev(values: Any) -> float:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return np.nan
    mu = _mean(finite)
    return math.sqrt(_mean((finite - mu) ** 2))


@njit(cache=True)  # type: ignore[misc]
def _percentile(values: Any, p: float) -> float:
    v = np.sort(values[np.isfinite(values)])
    if not len(v):
        return np.nan
    i = (len(v) * p) - 0.5
    if i == math.floor(i):
        return v[int(i)]  # type: ignore[no-any-return]
    ip = math.trunc(i)
    f = i - ip
    return ((1 - f) * v[ip]) + (f * v[min(ip + 1, len(v) - 1)])  # type: ignore[no-any-return]


STATS = ("stdev", "lossQuartile", "winners", "maxDrawdown", "downsideDeviation", "gains", "losses", "meanProfit")


@njit(cache=True)  # type: ignore[misc]
def _book(start_balance: float, balances: Any, entries: Any, exits: Any, out: Any) -> None:
    """Statistics of a run's book into ``out`` (the order of STATS): the report's (stdev of roundtrip
    profits, 25th percentile of the losers' profits, winners) and the extra metrics' (max drawdown in %
    from the running peak of ``balances``, downside deviation of the profits, sums of gains and losses)."""
    profits = ((100 * exits) / entries) - 100
    pnls = exits - entries
    out[0] = _stdev(profits)
    out[1] = _percentile(profits[exits < entries], 0.25)
    out[2] = np.sum(pnls > 0)
    peak, drawdown = start_balance, 0.0
    for b in balances:
        peak = max(peak, b)
        if peak > 0:
            drawdown = max(drawdown, (peak - b) / peak * 100)
    out[3] = drawdown
    out[4] = math.sqrt(np.sum(np.minimum(profits, 0.0) ** 2) / len(profits)) if len(profits) else 0.0
    out[5] = np.sum(np.maximum(pnls, 0.0))
    out[6] = -np.sum(np.minimum(pnls, 0.0))
    out[7] = np.sum(profits) / len(profits) if len(profits) else 0.0


def metrics_of(stats: Any, roundtrips: int) -> Metrics:
    """Max drawdown (%), Sortino per roundtrip (mean roundtrip profit over their downside deviation, as
    ``gekko backtest`` reports it), win rate (% of roundtrips with a gain) and profit factor (their
    gains over their losses)."""
    drawdown, downside, gains, losses, mean = (float(x) for x in stats[3:8])
    return {
        "maxDrawdown": drawdown,
        "sortino": mean / downside if downside > 0 else None,
        "winRate": float(stats[2]) / roundtrips * 100 if roundtrips else None,
        "profitFactor": gains / losses if losses > 0 else None,
    }


# --- the compiled simulation ---------------------------------------------------------------------


@njit(cache=True)  # type: ignore[misc]
def _extract_fee(amount: float, fee: float) -> float:
    return math.floor((amount * 1e8) * fee) / 1e8  # type: ignore[no-any-return]


@njit(cache=True)  # type: ignore[misc]
def _simulate(
    codes: Any,
    first: int,
    last_index: Any,
    close: Any,
    start: Any,
    asset: float,
    currency: float,
    fee: float,
    balances: Any,
    rts: Any,
) -> Any:
    """One set: the advisor's direction filter, the paper trader's fills at the close, the analyzer's
    roundtrips. ``balances`` gets each trade's balance; ``rts`` rows [entry date, entry total, exit
    date, exit total]. Returns (trades, roundtrips, final asset, final currency, exposed)."""
    direction = 0
    trades = 0
    rt = -1
    exposed = asset > 0
    have_entry = False
    entry_date = 0.0
    entry_total = 0.0
    for k in range(first, len(codes)):
        c = codes[k]
        if c == 0 or c == direction:
            continue
        direction = c
        m = last_index[k]
        price = close[m]
        date = float(start[m] + 60)
        if c > 0:
            asset = asset + _extract_fee(currency / price, fee)
            currency = 0.0
            exposed = True
        else:
            currency = currency + _extract_fee(asset * price, fee)
            asset = 0.0
            exposed = False
        balances[trades] = currency + (price * asset)
        trades += 1
        if trades == 1 and c < 0:
            continue
        total = currency + (asset * price)
        if c > 0:
            entry_date, entry_total, have_entry = date, total, True
        elif have_entry:
            rt += 1
            rts[rt, 0], rts[rt, 1], rts[rt, 2], rts[rt, 3] = entry_date, entry_total, date, total
    return trades, rt + 1, asset, currency, exposed


SUMMARY = ("trades", "roundtrips", "startBalance", "balance", "exposure", "zeroTotal", *STATS)


@njit(cache=True, parallel=True, nogil=True)  # type: ignore[misc]
def _simulate_many(
    codes: Any, first: Any, last_index: Any, close: Any, start: Any, asset: float, currency: float, fee: float, cap: int
) -> Any:
    """Every set in parallel, one row of SUMMARY each; ``cap`` bounds a set's trades (its advising candles)."""
    sets = codes.shape[0]
    summary = np.zeros((sets, len(SUMMARY)))
    last = len(close) - 1
    for s in prange(sets):
        balances = np.zeros(cap + 1)
        rts = np.zeros((cap // 2 + 1, 4))
        trades, count, a, c, exposed = _simulate(
            codes[s], first[s], last_index, close, start, asset, currency, fee, balances, rts
        )
        start_balance = currency + (close[last_index[first[s]]] * asset)
        final = c + (close[last] * a) if exposed else balances[max(trades - 1, 0)]
        balances[trades] = final
        exposure = 0
        for r in range(count):
            exposure = (exposure + int(rts[r, 2]) * 1000) - int(rts[r, 0]) * 1000
        row = summary[s]
        row[0], row[1], row[2], row[3], row[4] = trades, count, start_balance, final, exposure
        row[5] = 1.0 if np.any(rts[:count, 1] == 0) else 0.0
        _book(start_balance, balances[: trades + 1], rts[:count, 1], rts[:count, 3], row[6:])
    return summary


@njit(cache=True, parallel=True, nogil=True)  # type: ignore[misc]
def _ema_rows(close: Any, periods: Any) -> Any:
    """Gekko's EMA (seeded with the first value) of every close for each period, a row each."""
    out = np.empty((len(periods), len(close)))
    for u in prange(len(periods)):
        k = 2 / (periods[u] + 1)
        a = 0.0
        for i in range(len(close)):
            a = _ema_step(a, close[i], k, i == 0)
            out[u, i] = a
    return out


@njit(cache=True, parallel=True, nogil=True)  # type: ignore[misc]
def _macd_family_rows(emas: Any, which: Any, params: Any, first: Any, kind: int) -> Any:
    """Advice codes of many MACD (kind 0) or PPO (kind 1) sets from their short and long EMA rows of
    ``emas`` (``which``); ``params`` rows [short, long, signal, up, down, persistence]."""
    sets = params.shape[0]
    n = emas.shape[1]
    out = np.zeros((sets, n), dtype=np.int8)
    for s in prange(sets):
        p = params[s]
        es, el = emas[which[s, 0]], emas[which[s, 1]]
        values = _minus_signal(es - el if kind == 0 else _ppo(es, el), p[2])
        out[s] = _zones(values, np.full(n, p[3]), np.full(n, p[4]), first[s], 1, -1, p[5], False, False)
    return out


def _macd_family_many(close: Any, params: Any, first: Any, kind: int) -> Any:
    """Advice codes of many MACD (kind 0) or PPO (kind 1) sets. Each distinct period's EMA is computed
    once: a grid's sets share a few short and long periods (the same steps as each set's own EMAs)."""
    periods, which = np.unique(params[:, :2].ravel(), return_inverse=True)
    return _macd_family_rows(_ema_rows(close, periods), which.reshape(-1, 2), params, first, kind)


@njit(cache=True, parallel=True, nogil=True)  # type: ignore[misc]
def _rsi_values(close: Any, intervals: Any) -> Any:
    """The RSI of every close for each interval (a row each)."""
    out = np.empty((len(intervals), len(close)))
    for u in prange(len(intervals)):
        out[u] = _rsi(close, int(intervals[u]))
    return out


@njit(cache=True, parallel=True, nogil=True)  # type: ignore[misc]
def _rsi_zones(values: Any, which: Any, params: Any, first: Any) -> Any:
    """Advice codes of many RSI sets from their interval's row of ``values``."""
    sets = params.shape[0]
    n = values.shape[1]
    out = np.zeros((sets, n), dtype=np.int8)
    for s in prange(sets):
        p = params[s]
        out[s] = _zones(values[which[s]], np.full(n, p[1]), np.full(n, p[2]), first[s], -1, 1, p[3], False, False)
    return out


def _rsi_many(close: Any, params: Any, first: Any) -> Any:
    """Advice codes of many RSI sets: rows [interval, high, low, persistence]. The RSI is computed once
    per distinct interval (a grid varies the thresholds over a few intervals)."""
    intervals, which = np.unique(params[:, 0], return_inverse=True)
    return _rsi_zones(_rsi_values(close, intervals), which, params, first)


def _macd_row(settings: dict[str, Any]) -> list[float]:
    t = settings["thresholds"]
    return [float(settings[k]) for k in ("short", "long", "signal")] + [
        float(t["up"]),
        float(t["down"]),
        float(t["persistence"]),
    ]


def _rsi_row(settings: dict[str, Any]) -> list[float]:
    t = settings["thresholds"]
    interval = settings["interval"]
    if isinstance(interval, bool) or not isinstance(interval, int | float) or int(interval) != interval or interval < 1:
        raise ValueError("the general path handles unusual intervals")
    return [float(interval), float(t["high"]), float(t["low"]), float(t["persistence"])]


BatchKernel = Callable[[Any, npt.NDArray[np.float64], npt.NDArray[np.int64]], Any]
_MANY: dict[str, tuple[Callable[[dict[str, Any]], list[float]], BatchKernel]] = {
    "MACD": (_macd_row, lambda close, p, f: _macd_family_many(close, p, f, 0)),
    "PPO": (_macd_row, lambda close, p, f: _macd_family_many(close, p, f, 1)),
    "RSI": (_rsi_row, _rsi_many),
}
"""Strategies whose kernel runs many parameter sets in one parallel call: a settings row, the kernel."""


# --- evaluation ----------------------------------------------------------------------------------


def compiled(method: str) -> bool:
    """Whether ``method`` is a built-in strategy with a compiled kernel."""
    cls = registered().get(method)
    return cls is not None and cls in KERNELS


def takes_kernel(config: dict[str, Any]) -> bool:
    """Whether ``config`` runs on its strategy's compiled kernel (False: the step-by-step pipeline, as a
    built-in strategy does with parameters its kernel does not take)."""
    method, settings = strategy_settings(config)
    if not compiled(method):
        return False
    many = _MANY.get(method)
    if many is None:
        return KERNELS[registered()[method]].unsupported(settings, config) is None
    try:
        many[0](settings)
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    return True


def _first_check(config: dict[str, Any]) -> int:
    return max(int(config["tradingAdvisor"].get("historySize") or 0), 1) - 1


def _codes(
    method: str,
    configs: list[dict[str, Any]],
    settings: list[dict[str, Any]],
    firsts: list[int],
    strat: StrategyCandles,
) -> list[Any]:
    """Advice codes per config (None where the kernel refuses the parameters), given each config's
    settings and first advising candle."""
    out: list[Any] = [None] * len(configs)
    many = _MANY.get(method)
    if many is not None:
        row_of, kernel = many
        rows, where = [], []
        for i, s in enumerate(settings):
            try:
                rows.append(row_of(s))
                where.append(i)
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
        if rows:
            codes = kernel(strat.close, np.array(rows, dtype=np.float64), np.array([firsts[i] for i in where]))
            for j, i in enumerate(where):
                out[i] = codes[j]
        return out
    kernel_one = KERNELS[registered()[method]]
    for i, (config, s) in enumerate(zip(configs, settings, strict=True)):
        if kernel_one.unsupported(s, config) is None:  # the others take the general path
            out[i] = kernel_one.codes(strat, s, firsts[i], config)
    return out


def _portfolio(config: dict[str, Any]) -> tuple[float, float, float, float]:
    """(asset, currency, fee multiplier, risk-free return), read as the paper trader and the analyzer do."""
    paper = config.get("paperTrader")
    settings = paper if isinstance(paper, dict) else {}
    fee_using = settings.get("feeUsing", "maker")
    raw_fee = settings.get("feeMaker", 0.25) if fee_using == "maker" else settings.get("feeTaker", 0.25)
    balance = settings.get("simulationBalance") or {"asset": 1, "currency": 100}
    risk_free = (config.get("performanceAnalyzer") or {}).get("riskFreeReturn", 2)
    return float(balance.get("asset", 1)), float(balance.get("currency", 100)), 1 - (raw_fee / 100), risk_free


Portfolio = tuple[float, float, float, float]


class _Reports:
    """The analyzer's reports of the simulated sets of one dataset, strategy candle size and portfolio.

    One analyzer per first advising candle, its dates and prices set once: only the balances, trades
    and exposure differ from set to set (a sweep reads thousands of reports)."""

    def __init__(self, portfolio: Portfolio, candles: Candles, strat: StrategyCandles) -> None:
        self.portfolio, self.candles, self.strat = portfolio, candles, strat
        self.analyzers: dict[int, PerformanceAnalyzer] = {}

    def _analyzer(self, first: int) -> PerformanceAnalyzer:
        analyzer = self.analyzers.get(first)
        if analyzer is None:
            asset0, currency0, _, risk_free = self.portfolio
            candles = self.candles
            m0, last = int(self.strat.last_index[first]), len(candles) - 1
            analyzer = self.analyzers[first] = PerformanceAnalyzer(risk_free, emit_updates=False)
            analyzer.start_portfolio = PortfolioChange(asset=asset0, currency=currency0)
            analyzer.date_start, analyzer.date_end = int(candles.start[m0]), int(candles.start[last]) + 60
            analyzer.start_price, analyzer.end_price = float(candles.close[m0]), float(candles.close[last])
        return analyzer

    def of(self, first: int, row: list[float]) -> Evaluation | None:
        """The report of one simulated set (a SUMMARY row); None when it needs the general path."""
        trades, count, start_balance, balance, exposure = row[:5]
        if trades == 0:
            return Evaluation(None, {})
        if not start_balance:
            return None  # a zero start balance: JavaScript's falsy rules, left to the pipeline
        analyzer = self._analyzer(first)
        analyzer.start_balance = float(start_balance)
        analyzer.trades = int(trades)
        analyzer.balance = float(balance)
        analyzer.exposure_ms = int(exposure)
        stats = row[6:]
        report = analyzer.report_from(float(stats[0]), float(stats[1]), int(stats[2]), int(count))
        return Evaluation(exported(report), metrics_of(stats, int(count)))


def _general(config: dict[str, Any], candles: Candles) -> Evaluation:
    """One backtest through the pipeline; the metrics from its roundtrips and trades."""
    run = dict(config)
    run["backtestResultExporter"] = {
        "enabled": True,
        "data": {"stratUpdates": False, "roundtrips": True, "stratCandles": False, "trades": True},
    }
    result = run_backtest(run, candles)
    report = result.get("performanceReport")
    if report is None:
        return Evaluation(None, {})
    rts = result["roundtrips"]
    stats = np.zeros(len(STATS))
    balances = np.array([*(t["balance"] for t in result["trades"]), report["balance"]], dtype=np.float64)
    entries = np.array([r["entryBalance"] for r in rts], dtype=np.float64)
    exits = np.array([r["exitBalance"] for r in rts], dtype=np.float64)
    _book(float(report["startBalance"]), balances, entries, exits, stats)
    return Evaluation(report, metrics_of(stats, len(rts)))


def evaluate(
    configs: list[dict[str, Any]], candles: Candles, merged: dict[int, StrategyCandles] | None = None
) -> list[Evaluation]:
    """The result of every config (one market and date range: ``candles``), batched where compiled.

    ``merged`` keeps the strategy candles of each candle size across calls over the same ``candles``.
    """
    out: list[Evaluation | None] = [None] * len(configs)
    merged = {} if merged is None else merged
    groups: dict[tuple[str, int], list[int]] = {}
    for i, (method, size) in enumerate(_runs(configs)):
        if compiled(method):
            groups.setdefault((method, size), []).append(i)
    for (method, size), indexes in groups.items():
        if size not in merged:
            merged[size] = batch(candles, size)
        members = [configs[i] for i in indexes]
        for j, evaluation in _evaluate_group(method, members, candles, merged[size]).items():
            out[indexes[j]] = evaluation
    return [e if e is not None else _general(configs[i], candles) for i, e in enumerate(out)]


def _runs(configs: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Each config's strategy and candle size, checked by ``validate_run``. Configs whose every section
    but the strategies' parameters is the same object (a sweep's points) are decoded once; a strategy
    block that is not an object is still refused for each."""
    known = set(registered())
    seen: dict[tuple[tuple[str, int], ...], tuple[str, int]] = {}
    out = []
    for config in configs:
        key = tuple([(k, id(v)) for k, v in config.items() if k not in STRATEGY_BLOCKS])
        found = seen.get(key)
        if found is None or not isinstance(config.get(found[0]), dict | None):
            run = validate_run(config, known, market=False)
            found = seen[key] = (run.method, run.candle_size)
        out.append(found)
    return out


def _evaluate_group(
    method: str, members: list[dict[str, Any]], candles: Candles, strat: StrategyCandles
) -> dict[int, Evaluation | None]:
    """The results of the configs of one compiled strategy and candle size that its kernel takes, by
    position in ``members``."""
    firsts = [_first_check(m) for m in members]
    codes = _codes(method, members, [_settings(method, m) for m in members], firsts, strat)
    # sets of one fee and balance simulate together; the usual sweep varies strategy parameters only,
    # its configs sharing the sections read here (read once)
    by_portfolio: dict[Portfolio, list[int]] = {}
    read: dict[tuple[int, int], Portfolio] = {}
    for j, c in enumerate(codes):
        if c is not None and firsts[j] < len(strat):
            m = members[j]
            key = (id(m.get("paperTrader")), id(m.get("performanceAnalyzer")))
            portfolio = read.get(key) or read.setdefault(key, _portfolio(m))
            by_portfolio.setdefault(portfolio, []).append(j)
    out: dict[int, Evaluation | None] = {}
    for portfolio, js in by_portfolio.items():
        asset, currency, fee, _ = portfolio
        matrix = np.stack([codes[j] for j in js])
        first = np.array([firsts[j] for j in js], dtype=np.int64)
        cap = int(np.count_nonzero(matrix, axis=1).max()) + 1
        summary = _simulate_many(
            matrix, first, strat.last_index, candles.close, candles.start, asset, currency, fee, cap
        )
        reports = _Reports(portfolio, candles, strat)
        for j, row in zip(js, summary.tolist(), strict=True):  # Python floats: cheaper to read per field
            out[j] = reports.of(firsts[j], row)
    return out
