"""Gekko's plugin pipeline for one run: candle consumers in order, then the deferred-event flush (engine §7).

tradingAdvisor -> paperTrader -> performanceAnalyzer consume each 1-minute candle; then queued
events are delivered one at a time, always from the first producer (in that order) whose queue is
not empty, to their listeners in plugin order. The same pipeline serves backtests and live runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gekko_common.engine.advisor import TradingAdvisor
from gekko_common.engine.exporter import Exporter
from gekko_common.engine.paper_trader import PaperTrader
from gekko_common.engine.performance import PerformanceAnalyzer
from gekko_common.engine.strategy import Strategy, StrategyCandle

Event = tuple[str, Any]


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
        self.simulate = simulate
        """False for a real trader: no simulated portfolio; the exchange's trades come in through
        :meth:`external_trade`."""
        self.last_start = 0
        self.last_close = 0.0

    def minute(self, start: int, close: float, strat: StrategyCandle | None) -> None:
        """Process one 1-minute candle (and the strategy candle it completes, if any), then flush."""
        self.last_start = start
        self.last_close = close
        if strat is not None:
            self.advisor.tick(strat, start)
        if self.simulate:
            self.paper.process_candle(start, close)
        self.analyzer.process_candle(start, close)
        self.flush()

    def external_trade(self, trade: dict[str, Any]) -> None:
        """A real trade (a live trader's ``tradeCompleted``) reaches the strategy, then flush."""
        self.advisor.process_trade(trade)
        self.flush()

    def flush(self) -> None:
        """Deliver queued events with Gekko's producer priority (engine §7.1)."""
        advisor_q, paper_q, analyzer_q = self.queues
        while True:
            if advisor_q:
                event = advisor_q.popleft()
            elif paper_q:
                event = paper_q.popleft()
            elif analyzer_q:
                event = analyzer_q.popleft()
            else:
                return
            self._deliver(event)

    def _deliver(self, event: Event) -> None:
        kind, payload = event
        exporter = self.exporter
        if kind == "stratCandle":
            if exporter:
                exporter.strat_candle(payload)
        elif kind == "stratWarmupCompleted":
            self.paper.on_warmup()
            self.analyzer.on_warmup()
        elif kind == "advice":
            if self.simulate:
                self.paper.process_advice(payload)
        elif kind == "stratUpdate":
            if exporter:
                exporter.strat_update(payload)
        elif kind == "portfolioChange":
            self.analyzer.on_portfolio_change(payload)
        elif kind == "portfolioValueChange":
            self.analyzer.on_portfolio_value(payload["balance"])
            if exporter:
                exporter.portfolio_value = payload["balance"]
        elif kind == "tradeCompleted":
            self.advisor.process_trade(payload)
            self.analyzer.on_trade(payload)
            if exporter:
                exporter.trade(payload)
        elif kind == "roundtrip":
            if exporter:
                exporter.roundtrip(payload)
        elif kind == "performanceReport" and exporter:
            exporter.report = payload
        if self.sink is not None:
            self.sink(event)

    def finish(self) -> dict[str, Any] | None:
        """End of data: strategy ``end``, then the analyzer's final report when there were trades."""
        self.advisor.end()
        if self.analyzer.trades > 0:
            report = self.analyzer.report()
            if report is not None:
                if self.exporter:
                    self.exporter.report = report
                return report
        return None
