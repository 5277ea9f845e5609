"""A backtest result for people: Gekko's report rounded with units, the roundtrips, extra metrics.

Gekko's ``performanceReport`` stays exactly as the engine made it; the metrics Gekko does not have
(max drawdown, Sortino, win rate, profit factor, exposure) go under their own key, ``extraMetrics``.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from typing import Any

EXTRA_METRICS_KEY = "extraMetrics"


@dataclass(frozen=True)
class Units:
    """The market's quote currency and base asset."""

    currency: str
    asset: str


def units_of(config: dict[str, Any]) -> Units:
    """The units of a config's market."""
    watch = config.get("watch") or {}
    return Units(str(watch.get("currency", "")), str(watch.get("asset", "")))


def _money(value: float, unit: str) -> str:
    return f"{value:,.2f} {unit}"


def _pct(value: float, signed: bool = True) -> str:
    return f"{value:+,.2f} %" if signed else f"{value:,.2f} %"


def _date(unix: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(unix))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def format_value(key: str, value: Any, units: Units) -> str:
    """One performanceReport field, rounded and with its unit."""
    number = _number(value)
    if number is None:
        if key == "ratioRoundTrips" and isinstance(value, str):
            return f"{float(value):.2f} % of roundtrips won" if value.replace(".", "", 1).isdigit() else value
        return str(value)
    if key in ("balance", "profit", "yearlyProfit", "startPrice", "endPrice", "startBalance"):
        return _money(number, units.currency)
    if key in ("market", "relativeProfit", "relativeYearlyProfit", "alpha", "downside"):
        return _pct(number)
    if key == "exposure":
        return _pct(number * 100, signed=False) + " of the time in the market"
    if key == "trades":
        return f"{int(number)}"
    return f"{number:,.2f}"


def equity_curve(result: dict[str, Any], config: dict[str, Any]) -> list[tuple[int, float]]:
    """(time, portfolio value in the currency) at every strategy candle: the holdings after the trades
    so far, valued at the candle's close."""
    balance = (config.get("paperTrader") or {}).get("simulationBalance") or {}
    holdings = (float(balance.get("asset", 0)), float(balance.get("currency", 0)))
    trades = sorted(result.get("trades") or [], key=lambda t: t["date"])
    curve = []
    i = 0
    for candle in result.get("stratCandles") or []:
        price = _number(candle.get("close"))
        if price is None:
            continue
        while i < len(trades) and trades[i]["date"] <= candle["start"]:
            portfolio = trades[i].get("portfolio") or {}
            holdings = (float(portfolio.get("asset", 0)), float(portfolio.get("currency", 0)))
            i += 1
        curve.append((int(candle["start"]), holdings[0] * price + holdings[1]))
    return curve


def max_drawdown(values: list[float]) -> float:
    """The largest fall from a peak, in percent of that peak (0 when it never falls)."""
    peak, worst = -math.inf, 0.0
    for v in values:
        peak = max(peak, v)
        if peak > 0:
            worst = max(worst, (peak - v) / peak * 100)
    return worst


def extra_metrics(result: dict[str, Any], config: dict[str, Any]) -> dict[str, float | None]:
    """Max drawdown (%), Sortino (per roundtrip), win rate (%), profit factor, exposure (%)."""
    roundtrips = result.get("roundtrips") or []
    profits = [float(r["profit"]) for r in roundtrips]
    pnls = [float(r["pnl"]) for r in roundtrips]
    downside = math.sqrt(sum(min(p, 0.0) ** 2 for p in profits) / len(profits)) if profits else 0.0
    gains, losses = sum(p for p in pnls if p > 0), -sum(p for p in pnls if p < 0)
    report = result.get("performanceReport") or {}
    exposure = _number(report.get("exposure"))
    curve = equity_curve(result, config)
    return {
        "maxDrawdown": max_drawdown([v for _, v in curve]) if curve else None,
        "sortino": (sum(profits) / len(profits)) / downside if downside else None,
        "winRate": sum(p > 0 for p in pnls) / len(pnls) * 100 if pnls else None,
        "profitFactor": gains / losses if losses else None,
        "exposure": exposure * 100 if exposure is not None else None,
        "roundtrips": len(roundtrips),
    }


def extra_rows(metrics: dict[str, float | None]) -> list[tuple[str, str]]:
    def show(value: float | None, fmt: str) -> str:
        return "n/a" if value is None else fmt.format(value)

    return [
        ("max drawdown", show(metrics["maxDrawdown"], "{:,.2f} %")),
        ("sortino (per roundtrip)", show(metrics["sortino"], "{:,.2f}")),
        ("win rate", show(metrics["winRate"], "{:,.1f} %")),
        ("profit factor", show(metrics["profitFactor"], "{:,.2f}")),
        ("exposure", show(metrics["exposure"], "{:,.1f} %")),
    ]


def render(result: dict[str, Any], config: dict[str, Any], metrics: dict[str, float | None]) -> None:
    """Print the report, the extra metrics and the roundtrips with rich."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    units = units_of(config)
    advisor = config.get("tradingAdvisor") or {}
    console.print(
        f"[bold]{advisor.get('method')}[/] on {(config.get('watch') or {}).get('exchange')} "
        f"{units.currency}/{units.asset}, candles of {advisor.get('candleSize')} min"
    )
    report = result.get("performanceReport")
    if not report:
        console.print("no trades: Gekko made no performance report")
        return
    table = Table(title="Gekko's report (performanceReport)", show_header=False, title_justify="left")
    table.add_column("field", style="cyan")
    table.add_column("value", justify="right")
    for key, value in report.items():
        table.add_row(key, format_value(key, value, units))
    console.print(table)
    extra = Table(title=f"Extra metrics ({EXTRA_METRICS_KEY})", show_header=False, title_justify="left")
    extra.add_column("metric", style="cyan")
    extra.add_column("value", justify="right")
    for row in extra_rows(metrics):
        extra.add_row(*row)
    console.print(extra)
    console.print(roundtrips_table(result.get("roundtrips") or [], units))


def roundtrips_table(roundtrips: list[dict[str, Any]], units: Units) -> Any:
    """The roundtrips as a rich table."""
    from rich.table import Table

    table = Table(title=f"Roundtrips ({len(roundtrips)})", title_justify="left")
    for name in ("entry (UTC)", "exit (UTC)", "hours", f"entry price {units.currency}", f"exit price {units.currency}"):
        table.add_column(name, justify="right")
    table.add_column(f"P&L {units.currency}", justify="right")
    table.add_column("profit", justify="right")
    for r in roundtrips:
        colour = "green" if r["pnl"] > 0 else "red"
        table.add_row(
            _date(r["entryAt"]),
            _date(r["exitAt"]),
            f"{r['duration'] / 3_600_000:,.1f}",
            f"{r['entryPrice']:,.2f}",
            f"{r['exitPrice']:,.2f}",
            f"[{colour}]{r['pnl']:+,.2f}[/]",
            f"[{colour}]{r['profit']:+.2f} %[/]",
        )
    return table
