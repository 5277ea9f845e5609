"""Decoding Gekko config objects."""

from __future__ import annotations

import pytest

from gekko_common.config import DateRange, decode_config
from gekko_common.errors import ConfigError
from tests.conftest import reference


def test_decode_of_the_ui_backtest_request_gives_typed_sections() -> None:
    raw = reference("backtests/026_MACD_cs60_h10_full.json")["request"]
    cfg = decode_config(raw)
    assert cfg.watch is not None
    assert (cfg.watch.exchange, cfg.watch.currency, cfg.watch.asset) == ("binance", "USDT", "BTC")
    assert cfg.tradingAdvisor.method == "MACD"
    assert cfg.tradingAdvisor.candleSize == 60
    assert cfg.paperTrader is not None
    assert cfg.paperTrader.simulationBalance.currency == 100
    assert isinstance(cfg.backtest.daterange, DateRange)
    assert cfg.backtest.daterange.from_ == "2025-05-20T00:00:00.000Z"
    assert cfg.strategy_parameters(raw)["short"] == 10


def test_decode_keeps_unknown_keys_out_without_refusing_them() -> None:
    cfg = decode_config(
        {
            "valid": True,
            "ircbot": {"enabled": False},
            "watch": {"exchange": "a", "currency": "b", "asset": "c", "extra": 1},
        }
    )
    assert cfg.watch is not None
    assert cfg.watch.exchange == "a"


def test_decode_with_string_candle_size_names_the_field() -> None:
    with pytest.raises(ConfigError) as err:
        decode_config({"tradingAdvisor": {"candleSize": "60"}})
    assert err.value.field == "tradingAdvisor.candleSize"


def test_decode_with_scan_daterange_accepts_the_literal() -> None:
    assert decode_config({"backtest": {"daterange": "scan"}}).backtest.daterange == "scan"


def test_decode_with_incomplete_watch_names_the_missing_field() -> None:
    with pytest.raises(ConfigError) as err:
        decode_config({"watch": {"exchange": "binance"}})
    assert err.value.field.startswith("watch")
