"""The live trader against the exchange emulator through ccxt: sticky limit orders, Gekko's trade events,
trailing stops and the takeover of an unfinished order (engine §8).

The emulator runs in this process on a free port and serves the real 3-day BTC/USDT file; its market
clock is frozen or replayed so that prices come from the data.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aiohttp import web

from gekko_common.events import Event, Portfolio, TradeInitiated, decode_event, payload_of
from gekko_common.infra.exchange import make_exchange
from gekko_emulator.app import Exchange, build_app
from gekko_emulator.data import Series
from gekko_runner.exchange_client import ExchangeClient, Fenced
from gekko_runner.sticky import StickyOrder, gekko_prefix, order_prefix
from gekko_runner.trader import Trader
from gekko_runner.trader_log import TraderLog
from tests.conftest import SMALL_CSV, free_port

pytestmark = pytest.mark.integration

T0 = 1747735200  # 2025-05-20T10:00:00Z, inside the 3-day file
RISE = 1747905480  # 2025-05-22T09:18:00Z: from here five minutes each open at or above the last close


@dataclass
class Venue:
    exchange: Exchange
    url: str

    async def admin(self, path: str, body: dict[str, Any]) -> None:
        async with httpx.AsyncClient() as c:
            (await c.post(self.url + path, json=body)).raise_for_status()

    async def freeze(self, at: int = T0) -> None:
        """The market clock stands still at ``at``: a constant book."""
        await self.admin("/_emulator/replay", {"start": at, "speed": 0})

    async def book(self, maker_delay_s: float, fill_ratio: float = 1.0) -> None:
        await self.admin("/_emulator/book", {"maker_delay_s": maker_delay_s, "fill_ratio": fill_ratio})

    async def orders(self, key: str) -> list[dict[str, Any]]:
        async with httpx.AsyncClient() as c:
            answer: list[dict[str, Any]] = (
                await c.get(self.url + "/_emulator/orders", headers={"X-MBX-APIKEY": key})
            ).json()
            return answer

    def bid(self) -> float:
        """The close of the newest finished minute on the market clock."""
        series = self.exchange.markets["BTCUSDT"][2]
        now = int(self.exchange.now()) // 60 * 60 - 60
        return float(series.close[int((series.start <= now).sum()) - 1])


@pytest.fixture(scope="module")
async def venue() -> AsyncIterator[Venue]:
    exchange = Exchange()
    exchange.add_market("BTC", "USDT", Series.from_csv(SMALL_CSV))
    runner = web.AppRunner(build_app(exchange))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield Venue(exchange, f"http://127.0.0.1:{port}")
    await runner.cleanup()


@pytest.fixture
async def account(venue: Venue) -> AsyncIterator[tuple[str, ExchangeClient]]:
    key = f"key-{time.time_ns()}"
    exchange = make_exchange("binance", {"binance": venue.url}, {"key": key, "secret": "s3cr3t"})
    await exchange.load_markets()
    yield key, ExchangeClient(exchange, "BTC/USDT")
    await exchange.close()


class Events:
    """A publish function recording what a trader says."""

    def __init__(self) -> None:
        self.items: list[tuple[str, Any, str]] = []

    async def __call__(self, kind: str, payload: Any, key: str) -> None:
        self.items.append((kind, payload_of(payload) if isinstance(payload, Event) else payload, key))

    def kinds(self, *only: str) -> list[str]:
        return [k for k, _, _ in self.items if not only or k in only]

    def last(self, kind: str) -> dict[str, Any]:
        return next(p for k, p, _ in reversed(self.items) if k == kind)

    def log(self) -> TraderLog:
        history = TraderLog()
        for kind, payload, key in self.items:
            event = decode_event(kind, payload)
            assert isinstance(event, Event)
            history.add(event, key)
        return history


async def started_trader(
    venue: Venue, client: ExchangeClient, gekko_id: str, maker_delay_s: float, fill_ratio: float = 1.0, interval_s=0.1
) -> tuple[Trader, Events]:
    """A trader on a frozen market that has seen its first candle."""
    await venue.freeze()
    await venue.book(maker_delay_s=maker_delay_s, fill_ratio=fill_ratio)
    events = Events()
    trader = Trader(gekko_id, client, events, interval_s=interval_s)
    await trader.recover(None)
    await trader.on_candle(T0, venue.bid())
    return trader, events


async def partly_filled(venue: Venue, key: str) -> None:
    """Wait until an order of the account has a fill."""
    while not any(float(o["executedQty"]) > 0 for o in await venue.orders(key)):
        await asyncio.sleep(0.05)


TRADES = ("tradeInitiated", "tradeCompleted", "tradeAborted", "tradeCancelled", "tradeErrored")
TRIGGERS = ("triggerCreated", "triggerFired", "triggerAborted")


async def test_a_sticky_buy_rests_at_the_best_bid_until_the_queue_reaches_it(venue, account) -> None:
    key, client = account
    await venue.freeze()
    await venue.book(maker_delay_s=0.5)
    bid, ask = await client.ticker()
    assert (bid, ask) == (venue.bid(), round(venue.bid() + 0.01, 2))
    sticky = StickyOrder(client, "buy", 0.01234567, "t-a1b-", interval_s=0.1)
    sticky.amount = client.round_amount(sticky.amount)
    assert sticky.amount == 0.01234  # floored to the lot step
    started = time.monotonic()
    assert await sticky.run() == "filled"
    assert time.monotonic() - started >= 0.5  # a maker: it waited in the queue
    orders = await venue.orders(key)
    assert [(o["clientOrderId"], o["status"], float(o["price"]), float(o["executedQty"])) for o in orders] == [
        ("t-a1b-0", "FILLED", bid, 0.01234)
    ]
    fills = await client.fills(sticky.sub_orders[0])
    assert [(f.price, f.amount) for f in fills] == [(bid, 0.01234)]
    assert fills[0].fee_percent == pytest.approx(0.1)


async def test_a_sticky_order_follows_the_book_and_books_partial_fills(venue, account) -> None:
    key, client = account
    # five real minutes in a row whose low never reaches the previous close: a buy at the bid is not
    # traded through, the bid rises every replayed minute (one a second) and the order chases it
    await venue.admin("/_emulator/replay", {"start": RISE + 5, "speed": 60})
    await venue.book(maker_delay_s=0.4, fill_ratio=0.25)
    sticky = StickyOrder(client, "buy", 0.02, "t-a2b-", interval_s=0.1)
    assert await asyncio.wait_for(sticky.run(), 60) == "filled"
    await venue.freeze()
    orders = await venue.orders(key)
    assert sticky.moves >= 1
    assert len(orders) == sticky.moves + 1
    assert [o["clientOrderId"] for o in orders] == [f"t-a2b-{n}" for n in range(len(orders))]
    assert [o["status"] for o in orders[:-1]] == ["CANCELED"] * (len(orders) - 1)
    assert orders[-1]["status"] == "FILLED"
    assert sum(float(o["executedQty"]) for o in orders) == pytest.approx(0.02, abs=1e-9)
    assert sticky.filled == pytest.approx(0.02, abs=1e-9)
    assert {o["orderId"] for o in orders if float(o["executedQty"]) > 0} == {int(i) for i in sticky.sub_orders}
    for before, after in itertools.pairwise(orders):  # what is left is what a re-placement asks for
        left = float(before["origQty"]) - float(before["executedQty"])
        assert float(after["origQty"]) == pytest.approx(left, abs=1e-5)


async def test_a_restarted_sticky_order_resumes_the_order_on_the_exchange(venue, account) -> None:
    key, client = account
    await venue.freeze()
    await venue.book(maker_delay_s=3600)  # nobody fills it while the first owner lives
    first = StickyOrder(client, "sell", 0.0, "t-a3s-", interval_s=0.1)
    # the account holds no BTC: buy some first (a taker buy crosses the book at once)
    _bid, ask = await client.ticker()
    bought = await client.create_limit("buy", 0.05, ask, "t-seed")
    assert bought.status == "closed"
    first.amount = client.round_amount((await client.balances())["asset"])
    task = asyncio.create_task(first.run())
    while first.current is None:
        await asyncio.sleep(0.05)
    task.cancel()  # the runner dies with its order open
    with pytest.raises(asyncio.CancelledError):
        await task
    second = StickyOrder(client, "sell", 0.0, "t-a3s-", interval_s=0.1)
    assert await second.resume()
    assert second.amount == first.amount
    assert second.current is not None
    await venue.book(maker_delay_s=0.2)
    assert await second.run() == "filled"
    sells = [o for o in await venue.orders(key) if o["side"] == "SELL"]
    assert [(o["clientOrderId"], o["status"]) for o in sells] == [("t-a3s-0", "FILLED")]
    assert StickyOrder(client, "sell", 0.0, "t-a9s-").remaining() == 0.0
    assert not await StickyOrder(client, "sell", 0.0, "t-a9s-").resume()


async def test_the_trader_turns_advice_into_gekko_trades_with_its_checks(venue, account) -> None:
    key, client = account
    trader, events = await started_trader(venue, client, "g-1", maker_delay_s=0.2)
    assert events.kinds() == ["portfolioChange", "portfolioValueChange"]
    assert events.last("portfolioChange") == {"asset": 0.0, "currency": 10_000.0}

    await trader.advice({"id": "advice-1", "recommendation": "long", "date": "2025-05-20T10:00:00.000Z"})
    await trader.settle()
    bid = venue.bid()
    completed = events.last("tradeCompleted")
    amount = client.round_amount(10_000 / bid * 0.95)
    assert events.kinds(*TRADES) == ["tradeInitiated", "tradeCompleted"]
    assert events.last("tradeInitiated") == {
        "id": "trade-1",
        "adviceId": "advice-1",
        "action": "buy",
        "portfolio": {"asset": 0.0, "currency": 10_000.0},
        "balance": 10_000.0,
    }
    assert completed["id"] == "trade-1"
    assert completed["action"] == "buy"
    assert completed["amount"] == pytest.approx(amount)
    assert completed["price"] == bid
    assert completed["feePercent"] == pytest.approx(0.1)
    assert completed["cost"] == pytest.approx(0.001 * amount * bid)
    assert completed["effectivePrice"] == pytest.approx(bid * 1.001)
    assert completed["portfolio"]["asset"] == pytest.approx(amount * 0.999)
    assert completed["portfolio"]["currency"] == pytest.approx(10_000 - amount * bid)
    assert completed["balance"] == pytest.approx(completed["portfolio"]["currency"] + amount * 0.999 * bid)

    # Gekko's live trader checks holdings: a second buy is refused, and the trade id is consumed
    await trader.advice({"id": "advice-2", "recommendation": "long", "date": "2025-05-20T10:01:00.000Z"})
    aborted = events.last("tradeAborted")
    assert (aborted["id"], aborted["adviceId"], aborted["reason"]) == (
        "trade-2",
        "advice-2",
        "Portfolio already in position.",
    )
    await trader.advice({"id": "advice-3", "recommendation": "short", "date": "2025-05-20T10:02:00.000Z"})
    await trader.settle()
    sold = events.last("tradeCompleted")
    assert (sold["id"], sold["adviceId"], sold["action"]) == ("trade-3", "advice-3", "sell")
    assert sold["amount"] == pytest.approx(amount * 0.999, abs=1e-5)
    assert sold["price"] == round(bid + 0.01, 2)  # a sell rests at the best ask
    assert sold["effectivePrice"] == pytest.approx(sold["price"] * 0.999)
    orders = await venue.orders(key)
    assert [(o["side"], o["type"], o["status"]) for o in orders] == [
        ("BUY", "LIMIT", "FILLED"),
        ("SELL", "LIMIT", "FILLED"),
    ]
    assert [o["clientOrderId"] for o in orders] == [
        order_prefix("g-1", "advice-1", "buy") + "0",
        order_prefix("g-1", "advice-3", "sell") + "0",
    ]
    await trader.close()


async def test_an_advice_too_small_to_trade_is_aborted_with_gekkos_reason(venue, account) -> None:
    key, client = account
    await venue.freeze()
    await venue.admin("/_emulator/account", {"key": key, "free": {"USDT": 4.0, "BTC": 0.0}})
    events = Events()
    trader = Trader("g-2", client, events, interval_s=0.1)
    await trader.recover(None)
    await trader.on_candle(T0, venue.bid())
    assert not trader.exposed()
    await trader.advice({"id": "advice-1", "recommendation": "long", "date": "2025-05-20T10:00:00.000Z"})
    aborted = events.last("tradeAborted")
    # 0.00003 BTC passes the lot step and the minimal price, but not the minimal notional (5 USDT)
    assert (aborted["id"], aborted["action"], aborted["reason"]) == ("trade-1", "buy", "Lot size is too small")
    assert await venue.orders(key) == []
    await trader.close()


async def test_opposite_advice_cancels_the_order_in_flight(venue, account) -> None:
    key, client = account
    trader, events = await started_trader(venue, client, "g-3", maker_delay_s=3600)
    await trader.advice({"id": "advice-1", "recommendation": "long", "date": "2025-05-20T10:00:00.000Z"})
    await trader.advice({"id": "advice-2", "recommendation": "long", "date": "2025-05-20T10:01:00.000Z"})
    while not await venue.orders(key):  # the buy rests on the exchange (an order cancelled before it is
        await asyncio.sleep(0.05)  # placed is never placed)
    await trader.advice({"id": "advice-3", "recommendation": "short", "date": "2025-05-20T10:02:00.000Z"})
    # advice-2: same side as the order in flight, ignored (its id consumed); advice-3 cancels the buy,
    # then is handled again with a new id and aborted: nothing was bought
    assert [(k, p["id"], p.get("adviceId")) for k, p, _ in events.items if k in TRADES] == [
        ("tradeInitiated", "trade-1", "advice-1"),
        ("tradeCancelled", "trade-3", "advice-3"),
        ("tradeAborted", "trade-4", "advice-3"),
    ]
    assert [o["status"] for o in await venue.orders(key)] == ["CANCELED"]
    await trader.close()


async def test_a_partly_filled_order_that_gets_cancelled_is_still_reported(venue, account) -> None:
    key, client = account
    trader, events = await started_trader(venue, client, "g-4", maker_delay_s=0.3, fill_ratio=0.25)
    await trader.advice({"id": "advice-1", "recommendation": "long", "date": "2025-05-20T10:00:00.000Z"})
    await partly_filled(venue, key)
    await trader.advice({"id": "advice-2", "recommendation": "short", "date": "2025-05-20T10:01:00.000Z"})
    await trader.settle()
    kinds = [(k, p["id"]) for k, p, _ in events.items if k in TRADES]
    assert kinds[:3] == [("tradeInitiated", "trade-1"), ("tradeCompleted", "trade-1"), ("tradeCancelled", "trade-2")]
    part = events.items[[k for k, _, _ in events.items].index("tradeCompleted")][1]
    filled = sum(float(o["executedQty"]) for o in (await venue.orders(key)) if o["side"] == "BUY")
    assert 0 < part["amount"] == pytest.approx(filled)
    await trader.close()


async def test_a_trailing_stop_sells_when_the_bid_falls_its_trail_below_the_top(venue, account) -> None:
    _key, client = account
    trader, events = await started_trader(
        venue, client, "g-5", maker_delay_s=0.1, interval_s=0.05
    )  # the stop polls every 0.5 s
    advice = {
        "id": "advice-1",
        "recommendation": "long",
        "date": "2025-05-20T10:00:00.000Z",
        "trigger": {"type": "trailingStop", "trailValue": 60},
    }
    await trader.advice(advice)
    await trader.settle()
    bought = events.last("tradeCompleted")
    created = events.last("triggerCreated")
    assert created == {
        "id": "trigger-1",
        "at": "2025-05-20T10:00:00.000Z",
        "type": "trailingStop",
        "properties": {"trail": 60.0, "initialPrice": bought["price"]},
    }
    # replay the real market from here: within minutes the bid falls 60 below its best level
    await venue.admin("/_emulator/replay", {"start": T0, "speed": 300})
    deadline = time.monotonic() + 60
    while not any(k == "tradeCompleted" and p["action"] == "sell" for k, p, _ in events.items):
        assert time.monotonic() < deadline, events.kinds()
        await asyncio.sleep(0.1)
    await venue.freeze()
    assert events.kinds(*TRADES, *TRIGGERS) == [
        "tradeInitiated",
        "tradeCompleted",
        "triggerCreated",
        "triggerFired",
        "tradeInitiated",
        "tradeCompleted",
    ]
    sold = events.last("tradeCompleted")
    assert (sold["id"], sold["adviceId"], sold["action"]) == ("trade-2", "advice-1", "sell")
    assert events.last("triggerFired")["id"] == "trigger-1"
    assert trader.stop is None
    await trader.close()


async def test_a_short_advice_aborts_the_armed_stop(venue, account) -> None:
    _key, client = account
    trader, events = await started_trader(venue, client, "g-6", maker_delay_s=0.1, interval_s=0.05)
    trigger = {"type": "trailingStop", "trailValue": 500}
    await trader.advice(
        {"id": "advice-1", "recommendation": "long", "date": "2025-05-20T10:00:00.000Z", "trigger": trigger}
    )
    await trader.settle()
    await trader.advice({"id": "advice-2", "recommendation": "short", "date": "2025-05-20T10:05:00.000Z"})
    await trader.settle()
    assert events.kinds(*TRADES, *TRIGGERS) == [
        "tradeInitiated",
        "tradeCompleted",
        "triggerCreated",
        "triggerAborted",
        "tradeInitiated",
        "tradeCompleted",
    ]
    assert events.last("triggerAborted") == {"id": "trigger-1", "date": "2025-05-20T10:05:00.000Z"}
    assert trader.stop is None
    await trader.close()


async def test_a_takeover_resumes_the_open_order_and_cancels_strays(venue, account) -> None:
    key, client = account
    await venue.freeze()
    await venue.book(maker_delay_s=3600)
    events = Events()
    first = Trader("g-7", client, events, interval_s=0.1)
    await first.recover(None)
    await first.on_candle(T0, venue.bid())
    advice = {"id": "advice-1", "recommendation": "long", "date": "2025-05-20T10:00:00.000Z"}
    await first.advice(advice)
    while not await venue.orders(key):
        await asyncio.sleep(0.05)
    await first.close()  # the runner dies: its order stays open on the exchange
    # an order of this gekko that no trade owns any more (say, from a cancelled advice)
    bid, _ = await client.ticker()
    await client.create_limit("buy", 0.001, round(bid - 100, 2), order_prefix("g-7", "advice-0", "buy") + "0")
    stranger = await client.create_limit("buy", 0.001, round(bid - 100, 2), "someone-else")

    second = Trader("g-7", client, events, history=events.log(), interval_s=0.1)
    await second.recover(advice)
    await venue.book(maker_delay_s=0.2)
    await second.settle()
    assert [(k, p["id"]) for k, p, _ in events.items if k in TRADES] == [
        ("tradeInitiated", "trade-1"),
        ("tradeCompleted", "trade-1"),
    ]
    orders = {o["clientOrderId"]: o["status"] for o in await venue.orders(key)}
    assert orders == {
        order_prefix("g-7", "advice-1", "buy") + "0": "FILLED",
        order_prefix("g-7", "advice-0", "buy") + "0": "CANCELED",
        "someone-else": "NEW",
    }
    assert all(c.startswith(gekko_prefix("g-7")) for c in orders if c != "someone-else")
    await client.cancel(stranger.id)
    # the next advice after the takeover gets the next trade id
    await second.advice({"id": "advice-2", "recommendation": "short", "date": "2025-05-20T10:01:00.000Z"})
    await second.settle()
    assert events.last("tradeCompleted")["id"] == "trade-2"
    await second.close()


async def test_a_takeover_finishes_an_advice_whose_order_never_reached_the_exchange(venue, account) -> None:
    key, client = account
    await venue.freeze()
    await venue.book(maker_delay_s=0.2)
    events = Events()
    history = TraderLog()
    history.add(
        TradeInitiated(
            id="trade-4", adviceId="advice-4", action="buy", portfolio=Portfolio(asset=0, currency=0), balance=0
        ),
        "initiated:trade-4",
    )
    trader = Trader("g-8", client, events, history=history, interval_s=0.1)
    await trader.recover({"id": "advice-4", "recommendation": "long", "date": "2025-05-20T10:00:00.000Z"})
    await trader.settle()
    assert [(k, p["id"]) for k, p, _ in events.items if k in TRADES] == [("tradeCompleted", "trade-4")]
    assert len(await venue.orders(key)) == 1
    await trader.close()


async def test_winding_down_a_stopped_tradebot_cancels_its_order_and_reports_the_fill(venue, account) -> None:
    key, client = account
    trader, events = await started_trader(venue, client, "g-9", maker_delay_s=0.3, fill_ratio=0.25)
    await trader.advice({"id": "advice-1", "recommendation": "long", "date": "2025-05-20T10:00:00.000Z"})
    await partly_filled(venue, key)
    await trader.wind_down()
    await trader.close()
    orders = await venue.orders(key)
    assert [o["status"] for o in orders] == ["CANCELED"]
    assert events.kinds(*TRADES) == ["tradeInitiated", "tradeCompleted", "tradeCancelled"]  # the fill first
    assert events.last("tradeCompleted")["amount"] == pytest.approx(float(orders[0]["executedQty"]))
    assert events.last("tradeCancelled")["id"] == events.last("tradeCompleted")["id"] == "trade-1"
    await trader.advice({"id": "advice-2", "recommendation": "short", "date": "2025-05-20T10:01:00.000Z"})
    assert await venue.orders(key) == orders  # a stopped trader places nothing


async def no_order_after(venue: Venue, key: str, seconds: float) -> list[dict[str, Any]]:
    """The account's orders, once they have stayed the same for ``seconds`` with none open."""
    orders = await venue.orders(key)
    await asyncio.sleep(seconds)
    assert await venue.orders(key) == orders
    assert not [o for o in orders if o["status"] in ("NEW", "PARTIALLY_FILLED")]
    return orders


async def test_a_settle_cancelled_while_catching_up_is_cancelled_and_leaves_the_order_working(venue, account) -> None:
    key, client = account
    trader, events = await started_trader(venue, client, "g-11", maker_delay_s=3600)
    await trader.advice({"id": "advice-1", "recommendation": "long", "date": "2025-05-20T10:00:00.000Z"})
    waiting = asyncio.create_task(trader.settle())  # the leech catching up waits for the order
    while not await venue.orders(key):
        await asyncio.sleep(0.05)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting  # the cancellation is not swallowed
    assert trader.flight is not None
    assert trader.flight.task is not None
    assert not trader.flight.task.done()
    await trader.wind_down()
    await trader.close()
    orders = await no_order_after(venue, key, 1.0)
    assert [o["status"] for o in orders] == ["CANCELED"]
    assert events.kinds(*TRADES) == ["tradeInitiated", "tradeCancelled"]


async def test_winding_down_an_armed_stop_aborts_it_and_sells_nothing(venue, account) -> None:
    key, client = account
    trader, events = await started_trader(venue, client, "g-12", maker_delay_s=0.1, interval_s=0.05)
    trigger = {"type": "trailingStop", "trailValue": 0.01}  # fires on the first poll the bid falls
    await trader.advice(
        {"id": "advice-1", "recommendation": "long", "date": "2025-05-20T10:00:00.000Z", "trigger": trigger}
    )
    await trader.settle()
    assert trader.stop is not None
    await trader.wind_down()
    await venue.admin("/_emulator/replay", {"start": T0, "speed": 300})  # the market falls: nobody watches
    try:
        orders = await no_order_after(venue, key, 1.5)
    finally:
        await venue.freeze()
    await trader.close()
    assert [(o["side"], o["status"]) for o in orders] == [("BUY", "FILLED")]
    assert events.kinds(*TRADES, *TRIGGERS) == ["tradeInitiated", "tradeCompleted", "triggerCreated", "triggerAborted"]
    assert events.last("triggerAborted")["id"] == "trigger-1"
    assert trader.stop_task is not None
    assert trader.stop_task.done()


async def test_winding_down_while_a_fired_stop_sells_cancels_the_sale(venue, account) -> None:
    key, client = account
    trader, events = await started_trader(venue, client, "g-13", maker_delay_s=0.1, interval_s=0.05)
    trigger = {"type": "trailingStop", "trailValue": 60}
    await trader.advice(
        {"id": "advice-1", "recommendation": "long", "date": "2025-05-20T10:00:00.000Z", "trigger": trigger}
    )
    await trader.settle()
    await venue.book(maker_delay_s=3600)  # the stop's sale will rest
    series = venue.exchange.markets["BTCUSDT"][2]
    bought = events.last("tradeCompleted")["price"]
    fallen = next(int(t) for t, c in zip(series.start, series.close, strict=True) if t > T0 and c < bought - 100)
    await venue.freeze(fallen + 120)  # the bid is 100 below the buy: the stop fires and sells
    try:
        deadline = time.monotonic() + 60
        while not [o for o in await venue.orders(key) if o["side"] == "SELL"]:
            assert time.monotonic() < deadline, events.kinds()
            await asyncio.sleep(0.05)
        await trader.wind_down()
        orders = await no_order_after(venue, key, 1.0)
    finally:
        await venue.freeze()
    await trader.close()
    assert [o["side"] for o in orders][:2] == ["BUY", "SELL"]
    assert {o["status"] for o in orders if o["side"] == "SELL"} == {"CANCELED"}
    kinds = events.kinds(*TRADES, *TRIGGERS)
    assert kinds[:5] == ["tradeInitiated", "tradeCompleted", "triggerCreated", "triggerFired", "tradeInitiated"]
    assert kinds[-1] == "tradeCancelled"
    assert "triggerAborted" not in kinds


async def test_winding_down_during_moves_of_the_sticky_order_places_nothing_more(venue, account) -> None:
    key, client = account
    trader, events = await started_trader(venue, client, "g-14", maker_delay_s=3600, interval_s=0.05)
    await venue.admin("/_emulator/replay", {"start": RISE + 5, "speed": 60})  # the bid rises every second
    try:
        await trader.advice({"id": "advice-1", "recommendation": "long", "date": "2025-05-20T10:00:00.000Z"})
        while trader.flight is None or trader.flight.sticky.moves < 2:
            await asyncio.sleep(0.01)
        await trader.wind_down()
        orders = await no_order_after(venue, key, 1.5)
    finally:
        await venue.freeze()
    await trader.close()
    assert len(orders) >= 2
    assert all(o["status"] == "CANCELED" for o in orders)
    assert len({o["clientOrderId"] for o in orders}) == len(orders)
    assert events.kinds(*TRADES) == ["tradeInitiated", "tradeCancelled"]


async def test_a_fenced_trader_places_and_cancels_nothing_and_reports_nothing(venue, account) -> None:
    key, client = account
    trader, events = await started_trader(venue, client, "g-15", maker_delay_s=3600)
    owned = True

    async def fence() -> None:
        if not owned:
            raise Fenced("taken over")

    client.fence = fence
    await venue.freeze(RISE)  # from here the bid rises without trading through the buy
    try:
        await trader.advice({"id": "advice-1", "recommendation": "long", "date": "2025-05-20T10:00:00.000Z"})
        while not await venue.orders(key):
            await asyncio.sleep(0.05)
        owned = False  # another runner holds the lease now
        await venue.admin("/_emulator/replay", {"start": RISE + 5, "speed": 60})  # the order would be moved
        with pytest.raises(Fenced):
            await asyncio.wait_for(trader.settle(), 30)
    finally:
        client.fence = None
        await venue.freeze()
    orders = await venue.orders(key)
    assert [o["status"] for o in orders] == ["NEW"]  # left to the new owner
    assert events.kinds(*TRADES) == ["tradeInitiated"]
    await client.cancel(orders[0]["orderId"])
    await trader.close()


async def test_lost_answers_and_server_errors_place_no_order_twice(venue, account) -> None:
    key, client = account
    client.retry_delay_s = 0.02
    trader, events = await started_trader(venue, client, "g-10", maker_delay_s=0.2)
    # a third of the trading requests fail, and both orders are placed but their answers lost
    await venue.admin("/_emulator/faults", {"trade_500": 0.3, "lost_orders": 2, "seed": 11})
    try:
        await trader.advice({"id": "advice-1", "recommendation": "long", "date": "2025-05-20T10:00:00.000Z"})
        await trader.settle()
        await trader.advice({"id": "advice-2", "recommendation": "short", "date": "2025-05-20T10:01:00.000Z"})
        await trader.settle()
    finally:
        await venue.admin("/_emulator/faults", {"trade_500": 0.0, "lost_orders": 0})
    assert venue.exchange.faults.failed > 2
    orders = await venue.orders(key)
    assert [(o["side"], o["status"]) for o in orders] == [("BUY", "FILLED"), ("SELL", "FILLED")]
    assert events.kinds(*TRADES) == ["tradeInitiated", "tradeCompleted", "tradeInitiated", "tradeCompleted"]
    await trader.close()
