"""Gekko's plugin pipeline for one run: candle consumers in order, then the deferred-event flush (engine §7).

tradingAdvisor -> paperTrader -> performanceAnalyzer consume each 1-minute candle; then queued
events are delivered one at a time, always from the first producer (in that order) whose queue is
not empty, to their listeners in plugin order. The same pipeline serves backtests and live runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gekko_common.config import plugin_enabled
from gekko_common.engine.advisor import TradingAdvisor
from gekko_common.engine.exporter import Exporter
from gekko_common.engine.paper_trader import PaperTrader
from gekko_common.engine.performance import PerformanceAnalyzer
from gekko_common.engine.strategy import Strategy, StrategyCandle
from gekko_common.events import (
    Advice,
    Event,
    PerformanceReport,
    PortfolioChange,
    PortfolioValueChange,
    Roundtrip,
    StratCandle,
    StratUpdate,
    StratWarmupCompleted,
    TradeCompleted,
)


class Pipeline:
    """One run's plugins wired together; ``minute`` processes a 1-minute candle and flushes."""

    def __init__(
        self,
        config: dict[str, Any],
        strategy: Strategy,
        *,
        exporter: Exporter | None,
        minute_events: bool,
        sink: Callable[[Event], None] | None = None,
        simulate: bool = True,
    ) -> None:
        advisor_cfg = config["tradingAdvisor"]
        self.advisor = TradingAdvisor(
            strategy,
            int(advisor_cfg.get("historySize") or 0),
            int(advisor_cfg["candleSize"]),
            bool(config.get("debug")),
        )
        paper_cfg = config.get("paperTrader")
        self.paper = PaperTrader(paper_cfg if isinstance(paper_cfg, dict) else {})
        analyzer_cfg = config.get("performanceAnalyzer") or {}
        self.analyzer = PerformanceAnalyzer(analyzer_cfg.get("riskFreeReturn", 2), emit_updates=minute_events)
        self.exporter = exporter
        self.sink = sink
        self.queues = (self.advisor.queue, self.paper.queue, self.analyzer.queue)
        self.simulate = simulate and plugin_enabled(config, "paperTrader")
        """False for a real trader (the exchange's trades come in through :meth:`external_trade`) or with
        the paper trader switched off: no simulated portfolio."""
        self.analyze = plugin_enabled(config, "performanceAnalyzer")
        """False with the performance analyzer switched off: no roundtrips, no reports."""
        self.last_start = 0
        self.last_close = 0.0
        self.routes = self._routes()
        """Per event type, its listeners in plugin order (a table: the events of every candle go through it)."""
        self.unrouted: tuple[Callable[[Any], None], ...] = (sink,) if sink is not None else ()

    def minute(self, start: int, close: float, strat: StrategyCandle | None) -> None:
        """Process one 1-minute candle (and the strategy candle it completes, if any), then flush."""
        self.last_start = start
        self.last_close = close
        if strat is not None:
            self.advisor.tick(strat, start)
        if self.simulate:
            self.paper.process_candle(start, close)
        if self.analyze:
            self.analyzer.process_candle(start, close)
        self.flush()

    def external_trade(self, trade: TradeCompleted) -> None:
        """A real trade (a live trader's ``tradeCompleted``) reaches the strategy, then flush."""
        self.advisor.process_trade(trade)
        self.flush()

    def flush(self) -> None:
        """Deliver queued events with Gekko's producer priority (engine §7.1), each to its listeners in
        plugin order: advisor, paper trader, analyzer, exporter, sink."""
        advisor_q, paper_q, analyzer_q = self.queues
        routes, unrouted = self.routes, self.unrouted
        while True:
            if advisor_q:
                event = advisor_q.popleft()
            elif paper_q:
                event = paper_q.popleft()
            elif analyzer_q:
                event = analyzer_q.popleft()
            else:
                return
            for listener in routes.get(type(event), unrouted):
                listener(event)

    def _routes(self) -> dict[type, tuple[Callable[[Any], None], ...]]:
        plugins: dict[type, list[Callable[[Any], None]]] = {StratWarmupCompleted: [self._warmed_up]}
        if self.simulate:
            plugins[Advice] = [self.paper.process_advice]
        plugins[TradeCompleted] = [self.advisor.process_trade]
        if self.analyze:
            plugins[PortfolioChange] = [self.analyzer.on_portfolio_change]
            plugins[PortfolioValueChange] = [self._portfolio_value]
            plugins[TradeCompleted].append(self.analyzer.on_trade)
        if self.exporter is not None:
            for type_, export in _exports(self.exporter).items():
                plugins.setdefault(type_, []).append(export)
        if self.sink is not None:
            for listeners in plugins.values():
                listeners.append(self.sink)
        return {type_: tuple(listeners) for type_, listeners in plugins.items()}

    def _warmed_up(self, _event: StratWarmupCompleted) -> None:
        if self.simulate:
            self.paper.on_warmup()
        if self.analyze:
            self.analyzer.on_warmup()

    def _portfolio_value(self, event: PortfolioValueChange) -> None:
        self.analyzer.on_portfolio_value(event.balance)

    def finish(self) -> PerformanceReport | None:
        """End of data: strategy ``end``, then the analyzer's final report when there were trades."""
        self.advisor.end()
        if self.analyzer.trades > 0:
            report = self.analyzer.report()
            if report is not None:
                if self.exporter:
                    self.exporter.report = report
                return report
        return None


def _exports(exporter: Exporter) -> dict[type, Callable[[Any], None]]:
    """What the backtest result exporter takes of each event type."""

    def portfolio_value(event: PortfolioValueChange) -> None:
        exporter.portfolio_value = event.balance

    def report(event: PerformanceReport) -> None:
        exporter.report = event

    return {
        StratCandle: exporter.strat_candle,
        StratUpdate: exporter.strat_update,
        PortfolioValueChange: portfolio_value,
        TradeCompleted: exporter.trade,
        Roundtrip: exporter.roundtrip,
        PerformanceReport: report,
    }
