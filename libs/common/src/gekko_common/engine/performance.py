"""The performance analyzer (engine §6): roundtrips, exposure and the report, in Gekko's arithmetic."""

from __future__ import annotations

from collections import deque
from typing import Any

from gekko_common.engine.arith import (
    MINUTE,
    div,
    human_time,
    humanize,
    json_number,
    percentile,
    sqrt,
    stdev,
    to_fixed4,
    years,
)
from gekko_common.events import (
    Event,
    Moment,
    PerformanceReport,
    PortfolioChange,
    Roundtrip,
    RoundtripUpdate,
    TradeCompleted,
)


class PerformanceAnalyzer:
    """Follows portfolio and trade events; queues roundtrip, roundtripUpdate and performanceReport."""

    def __init__(self, risk_free_return: float, emit_updates: bool) -> None:
        self.risk_free_return = risk_free_return
        self.emit_updates = emit_updates
        self.queue: deque[Event] = deque()
        self.warmed_up = False
        self.warmup_candle: tuple[int, float] | None = None
        self.date_start: int | None = None
        self.date_end = 0
        self.start_price = 0.0
        self.end_price = 0.0
        self.price = 0.0
        self.trades = 0
        self.exposure_ms = 0
        self.roundtrips: list[Roundtrip] = []
        self.losses: list[Roundtrip] = []
        self.rt_id = 0
        self.entry: dict[str, Any] | None = None
        self.exit: dict[str, Any] | None = None
        self.open_roundtrip = False
        self.start_balance: float | None = None
        self.start_portfolio: PortfolioChange | None = None
        self.balance = 0.0

    def process_candle(self, start: int, close: float) -> None:
        """One 1-minute candle (engine §6.1)."""
        if not self.warmed_up:
            self.warmup_candle = (start, close)
            return
        self.price = close
        self.date_end = start + MINUTE
        if self.date_start is None:
            self.date_start = start
            self.start_price = close
        self.end_price = close
        if self.open_roundtrip and self.emit_updates and self.entry is not None:
            upnl = close - self.entry["price"]
            self.queue.append(
                RoundtripUpdate(
                    at=Moment(self.date_end),
                    duration=(self.date_end - self.entry["date"]) * 1000,
                    uPnl=upnl,
                    uProfit=div(upnl, self.entry["total"]) * 100,
                )
            )

    def on_warmup(self) -> None:
        """Warm-up completed: process the remembered candle."""
        self.warmed_up = True
        if self.warmup_candle is not None:
            self.process_candle(*self.warmup_candle)

    def on_portfolio_change(self, portfolio: PortfolioChange) -> None:
        """The first one marks the analyzer ready."""
        if not self.start_portfolio:
            self.start_portfolio = portfolio

    def on_portfolio_value(self, balance: float) -> None:
        """The first (truthy) one is the start balance; each one is the latest balance."""
        if not self.start_balance:
            self.start_balance = balance
        self.balance = balance

    def on_trade(self, trade: TradeCompleted) -> None:
        """Book a trade into the roundtrips and queue a fresh report (engine §6.2)."""
        self.trades += 1
        self.balance = trade.balance
        action = trade.action
        if not (self.trades == 1 and action == "sell"):
            portfolio = trade.portfolio
            total = portfolio.currency + (portfolio.asset * trade.price)
            mark = {"date": trade.date, "price": trade.price, "total": total}
            if action == "buy":
                if self.exit is not None:
                    self.rt_id += 1
                    self.exit = None
                self.entry = mark
                self.open_roundtrip = True
            else:
                self.exit = mark
                self.open_roundtrip = False
                self._close_roundtrip()
        if self.emit_updates:  # a backtest exports only the final report: no need for one per trade
            report = self.report()
            if report is not None:
                self.queue.append(report)

    def _close_roundtrip(self) -> None:
        entry, exit_ = self.entry, self.exit
        assert exit_ is not None
        if entry is None:
            return
        rt = Roundtrip(
            id=self.rt_id,
            entryAt=entry["date"],
            entryPrice=entry["price"],
            entryBalance=entry["total"],
            exitAt=exit_["date"],
            exitPrice=exit_["price"],
            exitBalance=exit_["total"],
            duration=(exit_["date"] - entry["date"]) * 1000,
            pnl=exit_["total"] - entry["total"],
            profit=div(100 * exit_["total"], entry["total"]) - 100,
        )
        if self.rt_id < len(self.roundtrips):
            self.roundtrips[self.rt_id] = rt
        else:
            self.roundtrips.append(rt)
        self.queue.append(rt)
        self.exposure_ms = (self.exposure_ms + exit_["date"] * 1000) - entry["date"] * 1000
        if exit_["total"] < entry["total"]:
            self.losses.append(rt)

    def report(self) -> PerformanceReport | None:
        """The report (engine §6.3), or None until a start balance and portfolio are known."""
        if not self.start_balance or not self.start_portfolio or self.date_start is None:
            return None
        n = len(self.roundtrips)
        winners = sum(1 for r in self.roundtrips if r.pnl > 0)
        profits_stdev = stdev([r.profit for r in self.roundtrips])
        return self.report_from(profits_stdev, percentile([r.profit for r in self.losses], 0.25), winners, n)

    def report_from(self, profits_stdev: float, loss_quartile: float, winners: int, n: int) -> PerformanceReport:
        """The report from the roundtrips' statistics (the stdev of their profits, the 25th percentile of
        the losers' profits, the count of winners and of all); the rest from this analyzer's state."""
        assert self.start_balance
        assert self.date_start is not None
        span_ms = (self.date_end - self.date_start) * 1000
        start_balance = self.start_balance
        balance = self.balance
        profit = balance - start_balance
        relative_profit = ((balance / start_balance) * 100) - 100
        yrs = years(span_ms)
        market = div(self.end_price * 100, self.start_price) - 100
        relative_yearly = div(relative_profit, yrs)
        trades = self.trades
        factor = sqrt(div(trades, trades - 2))
        sharpe = div(div(relative_yearly - self.risk_free_return, profits_stdev), factor)
        downside = loss_quartile * factor
        if n > 0:
            ratio: str | float = to_fixed4((winners / n) * 100)
        else:
            ratio = 100
        return PerformanceReport(
            startTime=human_time(self.date_start),
            endTime=human_time(self.date_end),
            timespan=humanize(span_ms),
            market=json_number(market),
            balance=json_number(balance),
            profit=json_number(profit),
            relativeProfit=json_number(relative_profit),
            yearlyProfit=json_number(div(profit, yrs)),
            relativeYearlyProfit=json_number(relative_yearly),
            startPrice=self.start_price,
            endPrice=self.end_price,
            trades=trades,
            startBalance=start_balance,
            exposure=json_number(div(self.exposure_ms, span_ms)),
            sharpe=json_number(sharpe),
            downside=json_number(downside),
            ratioRoundTrips=ratio,
            alpha=json_number(relative_profit - market),
        )
