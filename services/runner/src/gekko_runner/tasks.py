"""What a runner runs for a gekko: a market watcher, or a paper-trading strat runner (leech)."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

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
    Portfolio,
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
)
from gekko_common.infra.exchange import candles_from_page, fetch_page, make_exchange
from gekko_common.infra.exchange_retry import with_retries
from gekko_common.infra.store import CandleStore
from gekko_common.market import CANDLE_COLUMNS, Market
from gekko_runner.rules import SIDES
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
    """The engine's performance analyzer over a tradebot's real trades: roundtrips and performance reports."""

    def __init__(self, config: dict[str, Any]) -> None:
        risk_free = (config.get("performanceAnalyzer") or {}).get("riskFreeReturn", 2)
        self.analyzer = PerformanceAnalyzer(risk_free, emit_updates=True)
        self.started = False

    def start(self, start: int, close: float, portfolio: Portfolio, balance: float) -> None:
        """The strategy is warm: the exchange portfolio now is the starting point."""
        self.analyzer.on_warmup()
        self.analyzer.process_candle(start, close)
        self.analyzer.on_portfolio_change(PortfolioChange(asset=portfolio.asset, currency=portfolio.currency))
        self.analyzer.on_portfolio_value(balance)
        self.started = True

    def minute(self, start: int, close: float) -> None:
        """One 1-minute candle (dates and prices; roundtripUpdate while a position is open)."""
        if self.started:
            self.analyzer.process_candle(start, close)

    def trade(self, trade: TradeCompleted, booked: Moment) -> None:
        """Book a completed trade at ``booked``: the advice's date, like the backtest's trades."""
        if self.started:
            self.analyzer.on_trade(msgspec.structs.replace(trade, date=Moment(int(booked))))

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

PAGE = 10_000
"""Stored candles read at a time."""


async def run_leech(
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
    leech = Leech(config, publish, resume, started_at, trader)
    while True:
        frame = await store.read(market, leech.cursor, leech.cursor + PAGE * 60)
        rows = frame.select(CANDLE_COLUMNS).rows(named=True) if frame.height else []
        for n, row in enumerate(rows):
            await leech.candle(row, catching_up=n < len(rows) - 1 or frame.height == PAGE)
        if rows:
            leech.cursor = int(frame["start"][-1]) + 60
        if frame.height < PAGE:
            await asyncio.sleep(poll_s)


class Leech:
    """A strat runner: the engine fed candle by candle, its events published once (a tradebot's part is
    :class:`_Tradebot`)."""

    def __init__(
        self,
        config: dict[str, Any],
        publish: Publish,
        resume: tuple[int, int] | None,
        started_at: float,
        trader: Trader | None,
    ) -> None:
        advisor = config["tradingAdvisor"]
        live_from = _iso_to_unix((config.get("market") or {}).get("from")) or int(started_at) // 60 * 60
        warmup = int(advisor["candleSize"]) * int(advisor.get("historySize") or 0) * 60
        self.engine = Engine(config, realtime_since=live_from, simulate=trader is None)
        self.cursor = live_from - warmup
        self.publish = publish
        self.resume = resume
        self.warm = False
        self.part: _PaperTrading | _Tradebot = (
            _Tradebot(trader, LiveReport(config), self) if trader is not None else _PaperTrading()
        )

    async def candle(self, row: dict[str, Any], catching_up: bool) -> None:
        """One stored candle; ``catching_up``: more stored candles follow at once."""
        events = self.engine.feed(row)
        start, close = row["start"], row["close"]
        await self.part.before(start)
        self.warm = self.warm or any(isinstance(event, StratWarmupCompleted) for event in events)
        if not self.warm:
            return  # history that only warms the strategy up
        advice = next((event for event in events if isinstance(event, Advice)), None)
        if self.resume is not None and start <= self.resume[0]:  # published before a restart
            if start == self.resume[0]:  # a restart may have cut this candle's events short
                await self.publish_events(start, events, after=self.resume[1])
            self.part.replayed(start, close, advice)
            return
        await self.part.take_over()
        await self.publish_events(start, events)
        await self.part.live(start, close, advice, catching_up)

    async def publish_events(self, start: int, events: list[Event], after: int = -1) -> None:
        """The engine's events of one candle from index ``after + 1`` (a tradebot's own trades instead
        of the simulated ones)."""
        for i, event in enumerate(events):
            if i > after and not isinstance(event, self.part.own):
                await self.publish(event.name, event, f"{start}:{i}")

    def in_replay(self, start: int) -> bool:
        return self.resume is not None and start <= self.resume[0]


class _PaperTrading:
    """A paper trader's part of the leech: the engine's simulated portfolio is all it trades with, so
    nothing happens beside the engine's own events (the tradebot's counterpart is :class:`_Tradebot`)."""

    own: tuple[type[Event], ...] = ()
    """Engine events replaced by the part's own: none."""

    async def before(self, start: int) -> None:
        """Before a candle's events."""

    def replayed(self, start: int, close: float, advice: Advice | None) -> None:
        """A candle published before a restart."""

    async def take_over(self) -> None:
        """Before the first candle published by this run."""

    async def live(self, start: int, close: float, advice: Advice | None, catching_up: bool) -> None:
        """After a live candle's events."""


class _Tradebot:
    """A tradebot's part of the leech: real trades go to the strategy and to the live report."""

    def __init__(self, trader: Trader, report: LiveReport, leech: Leech) -> None:
        self.trader = trader
        self.report = report
        self.leech = leech
        self.replay = _TradebotReplay(trader, report)
        self.told = dict(trader.history.delivered)
        trader.on_trade = self.booked

    own = PAPER_EVENTS
    """The simulated portfolio's events: a tradebot publishes the exchange's real trades instead."""

    def replayed(self, start: int, close: float, advice: Advice | None) -> None:
        self.replay.candle(start, close, advice)

    async def take_over(self) -> None:
        """Resume what a previous owner left unfinished (once)."""
        if not self.replay.recovered:
            await self.replay.recover()

    async def _tell(self, trade: TradeCompleted, key: str, publish: bool = True) -> None:
        """The strategy learns of a trade (onTrade, the stop flip); what that causes is published."""
        caused = self.leech.engine.trade(trade)
        for i, event in enumerate(caused if publish else []):
            await self.leech.publish(event.name, event, f"{key}:{i}")

    async def _drain(self, prefix: str) -> None:
        for i, event in enumerate(self.report.drain()):
            await self.leech.publish(event.name, event, f"{prefix}{i}")

    async def booked(self, trade: TradeCompleted, advice: Advice) -> None:
        """A real trade completed."""
        await self._tell(trade, f"{self.trader.position}:t{trade.id}")
        self.report.trade(trade, advice.date)
        await self._drain(f"report:{trade.id}:")

    async def before(self, start: int) -> None:
        """Before a candle's events: trades are booked after it; those the strategy was told of after
        it before a takeover are told again."""
        self.trader.position = start  # before any await: a trade completing now comes after this candle
        for trade in self.told.pop(start, []):
            await self._tell(trade, f"{start}:t{trade.id}", publish=not self.leech.in_replay(start))

    async def live(self, start: int, close: float, advice: Advice | None, catching_up: bool) -> None:
        """A live candle: prices, the report, the advice as an order."""
        await self.trader.on_candle(start, close)
        if not self.report.started:
            self.report.start(start, close, *self.trader.portfolio())
        else:
            self.report.minute(start, close)
        if advice is not None:
            await self.trader.advice(advice)
        if catching_up:
            await self.trader.settle()  # catching up with stored history: one order at a time
        await self._drain(f"{start}:r")


class _TradebotReplay:
    """A tradebot's history replayed after a takeover: the report gets its logged start and trades back,
    and the newest advice and the highest price since an armed stop are kept for :meth:`Trader.recover`."""

    def __init__(self, trader: Trader, report: LiveReport) -> None:
        self.trader = trader
        self.report = report
        self.history = trader.history
        self.trades = {(t.adviceId, t.action): t for t in self.history.completed}
        self.pending: Advice | None = None
        self.highest: float | None = None
        self.recovered = False
        armed = self.history.armed
        self.armed_at = int(armed[0].at) if armed else None

    def candle(self, start: int, close: float, advice: Advice | None) -> None:
        h = self.history
        if not self.report.started and h.start_portfolio is not None and h.start_balance is not None:
            self.report.start(start, close, h.start_portfolio, h.start_balance)
        else:
            self.report.minute(start, close)
        if advice is not None:
            self.pending = advice
            trade = self.trades.get((advice.id, SIDES[advice.recommendation]))
            if trade is not None:
                self.report.trade(trade, advice.date)
        if self.armed_at is not None and start >= self.armed_at:
            self.highest = close if self.highest is None else max(self.highest, close)
        self.report.drain()  # published before the takeover

    async def recover(self) -> None:
        self.recovered = True
        await self.trader.recover(self.pending, self.highest)
