"""The backtest result exporter (engine §7.4): what POST /api/backtest answers."""

from __future__ import annotations

from typing import Any

from gekko_common.events import PerformanceReport, Roundtrip, StratCandle, StratUpdate, TradeCompleted, exported

CANDLE_FIELDS = ("start", "open", "high", "low", "close", "vwp", "volume", "trades")


class Exporter:
    """Collects strategy candles, updates, roundtrips, trades and the last report (dates in unix seconds).

    Unlike the original, each trade keeps the portfolio it had (the original shows the final portfolio
    on every trade) and each PPO update keeps its own values.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.want_updates = bool(data.get("stratUpdates", False))
        self.want_roundtrips = bool(data.get("roundtrips", True))
        self.want_candles = bool(data.get("stratCandles", True))
        self.want_trades = bool(data.get("trades", True))
        self.want_values = bool(data.get("portfolioValues", False))
        props = data.get("stratCandleProps")
        self.props: list[str] | None = [p for p in props if p != "start"] if isinstance(props, list) else None
        self.candles: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.roundtrips: list[dict[str, Any]] = []
        self.trades: list[dict[str, Any]] = []
        self.report: PerformanceReport | None = None
        self.portfolio_value: float | None = None

    def strat_candle(self, candle: StratCandle) -> None:
        if not self.want_candles:
            return
        if self.props is None:
            row = exported(candle)
        else:
            row = {p: getattr(candle, p) for p in self.props if p in CANDLE_FIELDS}
            row["start"] = int(candle.start)
        if self.want_values and self.portfolio_value is not None:
            row["portfolioValue"] = self.portfolio_value
        self.candles.append(row)

    def strat_update(self, update: StratUpdate) -> None:
        if self.want_updates:
            self.updates.append(exported(update))

    def roundtrip(self, roundtrip: Roundtrip) -> None:
        if self.want_roundtrips:
            self.roundtrips.append(exported(roundtrip))

    def trade(self, trade: TradeCompleted) -> None:
        if self.want_trades:
            self.trades.append(exported(trade))

    def result(self, config: dict[str, Any]) -> dict[str, Any]:
        """The answer object, in the original's key order."""
        method = config["tradingAdvisor"].get("method")
        out: dict[str, Any] = {
            "market": config.get("watch"),
            "tradingAdvisor": config.get("tradingAdvisor"),
        }
        if config.get(method) is not None:
            out["strategyParameters"] = config.get(method)
        if self.report is not None:
            out["performanceReport"] = exported(self.report)
        if self.want_updates:
            out["stratUpdates"] = self.updates
        if self.want_roundtrips:
            out["roundtrips"] = self.roundtrips
        if self.want_candles:
            out["stratCandles"] = self.candles
        if self.want_trades:
            out["trades"] = self.trades
        return out
