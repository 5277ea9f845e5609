"""What a runner runs for a gekko: a market watcher, or a paper-trading strat runner (leech)."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from gekko_common.dates import iso_ms, parse_date
from gekko_common.engine import Engine
from gekko_common.engine.performance import PerformanceAnalyzer
from gekko_common.events import (
    MARKET_START,
    MARKET_UPDATE,
    Advice,
    CandleEvent,
    Event,
    Moment,
    PerformanceReport,
    PortfolioChange,
    PortfolioValueChange,
    Roundtrip,
    RoundtripUpdate,
    StratWarmupCompleted,
    TradeCompleted,
    TradeInitiated,
    TriggerAborted,
    TriggerCreated,
    TriggerFired,
    event_from,
    payload_of,
)
from gekko_common.infra.exchange import candles_from_page, fetch_page, make_exchange
from gekko_common.infra.exchange_retry import with_retries
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


async def _exchange_now(exchange: Any) -> int:
    """The exchange's clock in unix seconds (this machine's if the exchange does not tell)."""
    return int(await exchange.fetch_time() / 1000) if exchange.has.get("fetchTime") else int(time.time())


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
            now = await with_retries(functools.partial(_exchange_now, exchange))
            since = last + 60 if last is not None else (now // 60 - 10) * 60
            page = await with_retries(functools.partial(fetch_page, exchange, symbol, since * 1000, 1000))
            frame = candles_from_page(page, since, now - 60)  # only finished minutes
            if frame.height:
                if not started:
                    await publish(MARKET_START, iso_ms(int(frame["start"][0])), MARKET_START)
                    started = True
                await store.write(market, frame)
                for row in frame.iter_rows(named=True):
                    candle = CandleEvent(**{**row, "start": Moment(row["start"])})
                    await publish(candle.name, candle, f"candle:{row['start']}")
                last = int(frame["start"][-1])
                await publish(MARKET_UPDATE, iso_ms(last + 60), f"{MARKET_UPDATE}:{last}")
            await asyncio.sleep(poll_s if frame.height < 900 else 0)
    finally:
        await exchange.close()


class LiveReport:
    """Gekko's performance analyzer over a tradebot's real trades: roundtrips and performance reports."""

    def __init__(self, config: dict[str, Any]) -> None:
        risk_free = (config.get("performanceAnalyzer") or {}).get("riskFreeReturn", 2)
        self.analyzer = PerformanceAnalyzer(risk_free, emit_updates=True)
        self.started = False

    def start(self, start: int, close: float, portfolio: dict[str, float], balance: float) -> None:
        """The strategy is warm: the exchange portfolio now is the starting point."""
        self.analyzer.on_warmup()
        self.analyzer.process_candle(start, close)
        self.analyzer.on_portfolio_change(PortfolioChange(**portfolio))
        self.analyzer.on_portfolio_value(balance)
        self.started = True

    def minute(self, start: int, close: float) -> None:
        """One 1-minute candle (dates and prices; roundtripUpdate while a position is open)."""
        if self.started:
            self.analyzer.process_candle(start, close)

    def trade(self, trade: dict[str, Any], booked: str) -> None:
        """Book a completed trade at ``booked``: the advice's date, like the backtest's trades."""
        if self.started:
            self.analyzer.on_trade(event_from(TradeCompleted, {**trade, "date": parse_date(booked, "date")}))

    def drain(self) -> list[Event]:
        """The events queued since the last drain."""
        events = list(self.analyzer.queue)
        self.analyzer.queue.clear()
        return events


PAPER_EVENTS = (
    PortfolioChange,
    PortfolioValueChange,
    TradeInitiated,
    TradeCompleted,
    TriggerCreated,
    TriggerFired,
    TriggerAborted,
    Roundtrip,
    RoundtripUpdate,
    PerformanceReport,
)
"""What the simulated portfolio emits; a tradebot publishes the exchange's real trades instead."""


async def run_leech(  # noqa: C901 - split into parts by issue 11 item 3
    gekko_id: str,
    config: dict[str, Any],
    store: CandleStore,
    publish: Publish,
    resume: tuple[int, int] | None,
    poll_s: float,
    started_at: float,
    trader: Trader | None = None,
) -> None:
    """Feed the engine the market's stored candles (warm-up first), publish events from the minute the
    strategy is warm.

    Restarting (here or on another runner) replays the same candles through the same deterministic
    engine without publishing what was published before (``resume``: the candle start and index of the
    newest engine event in the log; the rest of that candle's events are published), so no trade is
    lost or repeated. A tradebot (``trader``) rebuilds its performance report from its logged trades
    during that replay, tells its strategy of them after the same candles as before, then lets the
    trader resume what its previous owner left unfinished before it trades again.
    """
    market = _market(config)
    advisor = config["tradingAdvisor"]
    market_cfg = config.get("market") or {}
    live_from = _iso_to_unix(market_cfg.get("from")) or int(started_at) // 60 * 60
    warmup = int(advisor["candleSize"]) * int(advisor.get("historySize") or 0) * 60
    engine = Engine(config, realtime_since=live_from, simulate=trader is None)
    cursor = live_from - warmup
    warm = False
    report = LiveReport(config) if trader is not None else None
    replay = _TradebotReplay(trader, report) if trader is not None and report is not None else None
    if trader is not None and report is not None:

        async def booked(trade: dict[str, Any], advice: dict[str, Any]) -> None:
            caused = engine.trade(_engine_trade(trade))  # the strategy learns of it (onTrade, stop flip)
            for i, event in enumerate(caused):
                await publish(event.name, event, f"{trader.position}:t{trade['id']}:{i}")
            report.trade(trade, advice.get("date") or trade["date"])
            for i, event in enumerate(report.drain()):
                await publish(event.name, event, f"report:{trade['id']}:{i}")

        trader.on_trade = booked
    told = dict(trader.history.delivered) if trader is not None else {}
    while True:
        frame = await store.read(market, cursor, cursor + 10_000 * 60)
        if frame.height == 0:
            await asyncio.sleep(poll_s)
            continue
        rows = frame.select(CANDLE_COLUMNS).rows(named=True)
        for n, row in enumerate(rows):
            events = engine.feed(row)
            start, close = row["start"], row["close"]
            if trader is not None:
                trader.position = start  # before any await: a trade completing now comes after this candle
                for trade in told.pop(start, []):  # what the strategy was told after this candle before
                    caused = engine.trade(_engine_trade(trade))
                    if resume is None or start > resume[0]:
                        for i, event in enumerate(caused):
                            await publish(event.name, event, f"{start}:t{trade['id']}:{i}")
            warm = warm or any(isinstance(event, StratWarmupCompleted) for event in events)
            advice = next((payload_of(event) for event in events if isinstance(event, Advice)), None)
            if not warm:
                continue  # history that only warms the strategy up
            if resume is not None and start <= resume[0]:
                if start == resume[0]:  # a restart may have cut this candle's events short
                    for i, event in enumerate(events):
                        if i > resume[1] and not (trader is not None and isinstance(event, PAPER_EVENTS)):
                            await publish(event.name, event, f"{start}:{i}")
                if replay is not None:
                    replay.candle(start, close, advice)
                continue  # published before a restart
            if replay is not None and not replay.recovered:
                await replay.recover()
            for i, event in enumerate(events):
                if trader is not None and isinstance(event, PAPER_EVENTS):
                    continue
                await publish(event.name, event, f"{start}:{i}")
            if trader is not None and report is not None:
                await trader.on_candle(start, close)
                if not report.started:
                    report.start(start, close, *trader.portfolio())
                else:
                    report.minute(start, close)
                if advice is not None:
                    await trader.advice(advice)
                if n < len(rows) - 1 or frame.height == 10_000:
                    await trader.settle()  # catching up with stored history: one order at a time
                for i, event in enumerate(report.drain()):
                    await publish(event.name, event, f"{start}:r{i}")
        cursor = int(frame["start"][-1]) + 60
        if frame.height < 10_000:
            await asyncio.sleep(poll_s)


def _engine_trade(trade: dict[str, Any]) -> TradeCompleted:
    """A trader's tradeCompleted payload as the typed event the engine takes."""
    return event_from(TradeCompleted, trade)


class _TradebotReplay:
    """A tradebot's history replayed after a takeover: the report gets its logged start and trades back,
    and the newest advice and the highest price since an armed stop are kept for :meth:`Trader.recover`."""

    def __init__(self, trader: Trader, report: LiveReport) -> None:
        self.trader = trader
        self.report = report
        self.history = trader.history
        self.trades = {(t["adviceId"], t["action"]): t for t in self.history.completed}
        self.pending: dict[str, Any] | None = None
        self.highest: float | None = None
        self.recovered = False
        armed = self.history.armed
        self.armed_at = _iso_to_unix(armed.get("at")) if armed else None

    def candle(self, start: int, close: float, advice: dict[str, Any] | None) -> None:
        h = self.history
        if not self.report.started and h.start_portfolio is not None and h.start_balance is not None:
            self.report.start(start, close, h.start_portfolio, h.start_balance)
        else:
            self.report.minute(start, close)
        if advice is not None:
            self.pending = advice
            side = "buy" if advice["recommendation"] == "long" else "sell"
            trade = self.trades.get((advice["id"], side))
            if trade is not None:
                self.report.trade(trade, advice["date"])
        if self.armed_at is not None and start >= self.armed_at:
            self.highest = close if self.highest is None else max(self.highest, close)
        self.report.drain()  # published before the takeover

    async def recover(self) -> None:
        self.recovered = True
        await self.trader.recover(self.pending, self.highest)
