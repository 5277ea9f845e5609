"""Candles from trades for exchanges without OHLCV history."""

from __future__ import annotations

from gekko_common.market import Candle
from gekko_common.trades import CandleBuilder, Trade

T0 = 1_700_000_040  # a minute start


def test_trades_become_minute_candles_with_vwp_and_the_last_minute_is_held_back() -> None:
    b = CandleBuilder()
    out = b.add(
        [Trade(1, T0 + 1, 100, 1), Trade(2, T0 + 30, 102, 3), Trade(3, T0 + 59, 101, 1), Trade(4, T0 + 61, 99, 2)]
    )
    assert out == [Candle(T0, 100, 102, 100, 101, (100 * 1 + 102 * 3 + 101 * 1) / 5, 5, 3)]
    assert b.flush() == [Candle(T0 + 60, 99, 99, 99, 99, 99, 2, 1)]


def test_minutes_without_trades_are_filled_with_the_previous_close() -> None:
    b = CandleBuilder()
    out = b.add([Trade(1, T0 + 5, 100, 1), Trade(2, T0 + 185, 105, 1), Trade(3, T0 + 245, 106, 1)])
    assert [c.start for c in out] == [T0, T0 + 60, T0 + 120, T0 + 180]
    assert out[1] == Candle(T0 + 60, 100, 100, 100, 100, 100, 0.0, 0)
    assert out[3].close == 105


def test_trades_seen_before_or_without_amount_are_dropped_across_batches() -> None:
    b = CandleBuilder()
    assert b.add([Trade(1, T0 + 5, 100, 1), Trade(2, T0 + 10, 101, 0)]) == []
    out = b.add([Trade(1, T0 + 5, 100, 1), Trade(3, T0 + 20, 102, 1), Trade(4, T0 + 70, 103, 1)])
    assert out == [Candle(T0, 100, 102, 100, 102, 101.0, 2, 2)]


async def test_exchange_without_ohlcv_gets_candles_from_its_trades() -> None:
    from gekko_common.infra.exchange import fetch_page

    class NoOhlcv:
        """A stand-in for a ccxt exchange (outside this machine) that only lists trades."""

        id = "tradesonly"

        def __init__(self) -> None:
            self.has = {"fetchOHLCV": False, "fetchTrades": True}

        async def fetch_trades(self, symbol, since=None, limit=None):
            return [
                {"id": "1", "timestamp": (T0 + 5) * 1000, "price": 100.0, "amount": 1.0},
                {"id": "2", "timestamp": (T0 + 125) * 1000, "price": 104.0, "amount": 2.0},
                {"id": "3", "timestamp": (T0 + 190) * 1000, "price": 103.0, "amount": 1.0},
            ]

    page = await fetch_page(NoOhlcv(), "BTC/USD", T0 * 1000, 1000)
    assert page["ms"].to_list() == [T0 * 1000, (T0 + 60) * 1000, (T0 + 120) * 1000]
    assert page["volume"].to_list() == [1.0, 0.0, 2.0]
    assert page["close"].to_list() == [100.0, 100.0, 104.0]
    assert page["trades"].to_list() == [1, 0, 1]


def test_one_candle_builder_keeps_real_vwp_and_trades_and_uses_the_typical_price_for_ohlcv() -> None:
    import polars as pl

    from gekko_common.infra.exchange import candles_from_page, ohlcv_frame

    ohlcv = ohlcv_frame([[T0 * 1000, 10.0, 13.0, 9.0, 11.0, 2.0], [(T0 + 60) * 1000, 11.0, 12.0, 10.0, 12.0, 1.0]])
    frame = candles_from_page(ohlcv, T0, T0 + 60)
    assert frame.columns == ["start", "open", "high", "low", "close", "vwp", "volume", "trades"]
    assert frame.row(0) == (T0, 10.0, 13.0, 9.0, 11.0, 11.0, 2.0, 0)
    from_trades = ohlcv.with_columns(pl.Series("vwp", [10.5, 11.5]), pl.Series("trades", [7, 3], dtype=pl.Int64))
    assert candles_from_page(from_trades, T0, T0 + 60)[["vwp", "trades"]].rows() == [(10.5, 7), (11.5, 3)]
    assert candles_from_page(ohlcv, T0 + 60, T0 + 60)["start"].to_list() == [T0 + 60]  # only the asked range
    assert candles_from_page(ohlcv, T0, T0)["start"].to_list() == [T0]
