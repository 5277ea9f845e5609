"""``gekko backtest --plot out.png|out.html``: price with the trades, and the equity curve (matplotlib).

PNG is matplotlib's own; HTML is a self-contained page with the chart as inline SVG (no scripts,
nothing loaded from elsewhere) and the report's key figures.
"""

from __future__ import annotations

import html
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gekko_common.cli.report import equity_curve, extra_metrics, extra_rows, format_value, units_of


def _figure(result: dict[str, Any], config: dict[str, Any]) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    units = units_of(config)
    candles = [c for c in result.get("stratCandles") or [] if "close" in c]
    times = [datetime.fromtimestamp(c["start"], UTC) for c in candles]
    fig, (price_ax, equity_ax) = plt.subplots(2, 1, figsize=(12, 7), sharex=True, height_ratios=(3, 2))
    price_ax.plot(times, [c["close"] for c in candles], color="#455a64", linewidth=1, label="close")
    for action, marker, colour in (("buy", "^", "#2e7d32"), ("sell", "v", "#c62828")):
        trades = [t for t in result.get("trades") or [] if t.get("action") == action]
        price_ax.scatter(
            [datetime.fromtimestamp(t["date"], UTC) for t in trades],
            [t["price"] for t in trades],
            marker=marker,
            color=colour,
            s=60,
            zorder=3,
            label=f"{action} ({len(trades)})",
        )
    price_ax.set_ylabel(f"price ({units.currency})")
    price_ax.legend(loc="upper left")
    price_ax.grid(alpha=0.3)
    curve = equity_curve(result, config)
    if curve:
        equity_times = [datetime.fromtimestamp(t, UTC) for t, _ in curve]
        equity_ax.plot(equity_times, [v for _, v in curve], color="#1565c0", label="strategy")
        first_value, first_close = curve[0][1], candles[0]["close"] if candles else 1.0
        hold = [first_value * c["close"] / first_close for c in candles]
        equity_ax.plot(times, hold, color="#9e9e9e", linestyle="--", label="buy and hold")
        equity_ax.legend(loc="upper left")
    equity_ax.set_ylabel(f"portfolio value ({units.currency})")
    equity_ax.grid(alpha=0.3)
    formatter = mdates.ConciseDateFormatter(equity_ax.xaxis.get_major_locator())  # type: ignore[no-untyped-call]
    equity_ax.xaxis.set_major_formatter(formatter)
    advisor = config.get("tradingAdvisor") or {}
    watch = config.get("watch") or {}
    fig.suptitle(
        f"{advisor.get('method')} on {watch.get('exchange')} {units.currency}/{units.asset}, "
        f"{advisor.get('candleSize')} min candles (UTC)"
    )
    fig.tight_layout()
    return fig


def _page(svg: str, result: dict[str, Any], config: dict[str, Any]) -> str:
    units = units_of(config)
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(format_value(k, v, units))}</td></tr>"
        for k, v in (result.get("performanceReport") or {}).items()
    )
    extra = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in extra_rows(extra_metrics(result, config))
    )
    advisor = config.get("tradingAdvisor") or {}
    title = html.escape(f"Backtest of {advisor.get('method')} ({units.currency}/{units.asset})")
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>body{{font-family:sans-serif;margin:2em}}"
        "table{border-collapse:collapse}th{text-align:left;padding-right:2em;font-weight:normal;color:#555}"
        "td{text-align:right}svg{max-width:100%;height:auto}</style></head>"
        f"<body><h1>{title}</h1>{svg}<h2>Gekko's report</h2><table>{rows}</table>"
        f"<h2>Extra metrics</h2><table>{extra}</table></body></html>"
    )


def write_plot(path: Path, result: dict[str, Any], config: dict[str, Any]) -> None:
    """Draw the result into ``path``: ``.png``, or ``.html``/``.htm`` (inline SVG); ValueError otherwise."""
    suffix = path.suffix.lower()
    if suffix not in (".png", ".html", ".htm"):
        raise ValueError(f"--plot writes .png or .html files, not {path.name}")
    if not result.get("stratCandles"):
        raise ValueError("nothing to plot: the backtest returned no candles")
    fig = _figure(result, config)
    if suffix == ".png":
        fig.savefig(path, dpi=110)
        return
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    svg = buf.getvalue()
    path.write_text(_page(svg[svg.index("<svg") :], result, config))
