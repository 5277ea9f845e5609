"""What a runner runs for a gekko: a market watcher, or a paper-trading strat runner (leech)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from gekko_common.engine import Engine, parse_date, to_wire
from gekko_common.engine.performance import PerformanceAnalyzer
from gekko_common.gekko_state import iso_ms
from gekko_common.infra.exchange import fetch_page, make_exchange
from gekko_common.infra.store import CandleStore
from gekko_common.market import CANDLE_COLUMNS, Market
from gekko_runner.trader import Trader

log = logging.getLogger(__name__)

Publish = Callable[[str, Any, str], Awaitable[None]]
"""publish(event type, payload, event key): the key makes a republished event a duplicate."""


def _market(config: dict[str, Any]) -> Market:
    w = config["watch"]
    return Market(w["exchange"], w["currency"], w["asset"])


def _iso_to_unix(text: str | None) -> int | None:
    return None if not text else parse_date(text, "start")


async def run_watcher(
    gekko_id: str,
    config: dict[str, Any],
    store: CandleStore,
    exchange_urls: dict[str, str],
    publish: Publish,
    last_published: str | None,
    poll_s: float,
) -> None:
    """Poll the exchange for finished 1-minute candles, store them and publish them as ``candle`` events."""
    market = _market(config)
    exchange = make_exchange(market.exchange, exchange_urls)
    symbol = f"{market.asset}/{market.currency}"
    last = _iso_to_unix(last_published)
    started = False
    try:
        while True:
            now = int(await exchange.fetch_time() / 1000) if exchange.has.get("fetchTime") else int(time.time())
            since = last + 60 if last is not None else (now // 60 - 10) * 60
            page = await fetch_page(exchange, symbol, since * 1000, 1000)
            rows = [r for r in page.iter_rows() if int(r[0]) // 1000 + 60 <= now and int(r[0]) // 1000 >= since]
            if rows:
                if not started:
                    await publish("marketStart", iso_ms(rows[0][0] / 1000), "marketStart")
                    started = True
                import polars as pl

                frame = pl.DataFrame(
                    {
                        "start": [int(r[0]) // 1000 for r in rows],
                        "open": [r[1] for r in rows],
                        "high": [r[2] for r in rows],
                        "low": [r[3] for r in rows],
                        "close": [r[4] for r in rows],
                        "vwp": [(r[2] + r[3] + r[4]) / 3 for r in rows],
                        "volume": [r[5] for r in rows],
                        "trades": [0 for _ in rows],
                    }
                )
                await store.write(market, frame)
                for row in frame.iter_rows(named=True):
                    payload = {**row, "start": iso_ms(row["start"])}
                    await publish("candle", payload, f"candle:{row['start']}")
                last = int(frame["start"][-1])
                await publish("marketUpdate", iso_ms(last + 60), f"marketUpdate:{last}")
            await asyncio.sleep(poll_s if not rows or len(rows) < 900 else 0)
    finally:
        await exchange.close()


class LiveReport:
    """Gekko's performance analyzer over a tradebot's real trades: roundtrips and performance reports."""

    def __init__(self, config: dict[str, Any], trader: Trader) -> None:
        risk_free = (config.get("performanceAnalyzer") or {}).get("riskFreeReturn", 2)
        self.analyzer = PerformanceAnalyzer(risk_free, emit_updates=True)
        self.trader = trader
        self.started = False

    async def start(self, start: int, close: float) -> None:
        """The strategy is warm: the exchange portfolio now is the starting point."""
        portfolio, balance = await self.trader.portfolio(close)
        self.analyzer.on_warmup()
        self.analyzer.process_candle(start, close)
        self.analyzer.on_portfolio_change(portfolio)
        self.analyzer.on_portfolio_value(balance)
        self.started = True

    def minute(self, start: int, close: float) -> None:
        """One 1-minute candle (dates and prices; roundtripUpdate while a position is open)."""
        if self.started:
            self.analyzer.process_candle(start, close)

    def trade(self, trade: dict[str, Any], advice_date: str) -> None:
        """Book a completed trade, dated like the backtest's (the end of the advising candle)."""
        self.analyzer.on_trade({**trade, "date": parse_date(advice_date, "date")})

    def drain(self) -> list[tuple[str, Any]]:
        """The events queued since the last drain, dates as on the wire."""
        events = []
        while self.analyzer.queue:
            kind, payload = self.analyzer.queue.popleft()
            events.append((kind, to_wire(kind, payload)))
        return events


PAPER_EVENTS = {
    "portfolioChange",
    "portfolioValueChange",
    "tradeInitiated",
    "tradeCompleted",
    "triggerCreated",
    "triggerFired",
    "triggerAborted",
    "roundtrip",
    "roundtripUpdate",
    "performanceReport",
}
"""What the simulated portfolio emits; a tradebot publishes the exchange's real trades instead."""


async def run_leech(
    gekko_id: str,
    config: dict[str, Any],
    store: CandleStore,
    publish: Publish,
    last_published: str | None,
    poll_s: float,
    started_at: float,
    trader: Trader | None = None,
    traded: set[str] | None = None,
) -> None:
    """Feed the engine the market's stored candles (warm-up first), publish events from the minute the
    strategy is warm.

    Restarting (here or on another runner) replays the same candles through the same deterministic
    engine without publishing what was published before, so no trade is lost or repeated.
    """
    market = _market(config)
    advisor = config["tradingAdvisor"]
    market_cfg = config.get("market") or {}
    live_from = _iso_to_unix(market_cfg.get("from")) or int(started_at) // 60 * 60
    warmup = int(advisor["candleSize"]) * int(advisor.get("historySize") or 0) * 60
    engine = Engine(config, realtime_since=live_from)
    skip_until = _iso_to_unix(last_published)
    cursor = live_from - warmup
    warm = False
    last_advice: tuple[dict[str, Any], float] | None = None
    report = LiveReport(config, trader) if trader is not None else None
    while True:
        frame = await store.read(market, cursor, cursor + 10_000 * 60)
        if frame.height == 0:
            await asyncio.sleep(poll_s)
            continue
        for row in frame.select(CANDLE_COLUMNS).iter_rows(named=True):
            events = engine.feed(row)
            start = row["start"]
            warm = warm or any(kind == "stratWarmupCompleted" for kind, _ in events)
            advice = next((p for k, p in events if k == "advice"), None)
            if not warm or (skip_until is not None and start <= skip_until):
                if advice is not None:
                    last_advice = (advice, row["close"])
                continue  # history that only warms the strategy up, or what was published before a restart
            if trader is not None and last_advice is not None:
                # taken over after a crash: finish the newest advice if its trade was never recorded
                advice_before, close_before = last_advice
                last_advice = None
                await trader.reconcile()
                if advice_before["id"] not in (traded or set()):
                    await trader.execute(advice_before, close_before)
            for i, (kind, payload) in enumerate(events):
                if trader is not None and kind in PAPER_EVENTS:
                    continue
                await publish(kind, payload, f"{start}:{i}")
            if trader is not None and report is not None:
                if not report.started:
                    await report.start(start, row["close"])
                else:
                    report.minute(start, row["close"])
                if advice is not None:
                    completed = await trader.execute(advice, row["close"])
                    if completed is not None:
                        report.trade(completed, advice["date"])
                for i, (kind, payload) in enumerate(report.drain()):
                    await publish(kind, payload, f"{start}:r{i}")
        cursor = int(frame["start"][-1]) + 60
        if frame.height < 10_000:
            await asyncio.sleep(poll_s)
