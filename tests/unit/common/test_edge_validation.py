"""The one validation every route shares: hardened JSON decoding and the typed, range-checked config.

Each case is one of the bodies a fuzzer found to crash the services (issue #12); here each is a
ConfigError naming the field, before anything reaches the engine, the bus or PostgreSQL.
"""

from __future__ import annotations

import copy
import json

import pytest

from gekko_common.config import (
    MAX_DEPTH,
    AddApiKeyRequest,
    RemoveApiKeyRequest,
    decode_as,
    decode_body,
    merge_base_config,
    validate_backtest,
    validate_run,
)
from gekko_common.errors import ConfigError
from tests.conftest import REFERENCE, load_reference

KNOWN = {"MACD", "RSI", "DEMA"}
WATCH = {"exchange": "binance", "currency": "USDT", "asset": "BTC"}
MACD_RUN = {
    "watch": WATCH,
    "tradingAdvisor": {"enabled": True, "method": "MACD", "candleSize": 60, "historySize": 10},
    "backtest": {"daterange": {"from": "2025-05-20T00:00:00Z", "to": "2025-05-22T00:00:00Z"}},
}


def refused(body: dict, field: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate_backtest(merge_base_config(body), KNOWN)
    assert err.value.field == field, err.value.message


def nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def test_empty_body_is_an_empty_object() -> None:
    assert decode_body(b"  ") == {}


@pytest.mark.parametrize(
    "raw",
    [b'{"a": "\xff"}', b"[" * 5000 + b"]" * 5000, b'{"a":', b"[]", b'"x"', b"NaN", b"{'a': 1}"],
    ids=["invalid-utf8", "5000-deep", "truncated", "array", "string", "nan", "single-quotes"],
)
def test_bad_json_is_refused_naming_the_body(raw: bytes) -> None:
    with pytest.raises(ConfigError) as err:
        decode_body(raw)
    assert err.value.field == "body"


def test_nesting_up_to_the_limit_is_accepted() -> None:
    assert decode_body(nested(MAX_DEPTH))["a"]


def test_nesting_one_level_too_deep_is_refused_naming_the_path() -> None:
    with pytest.raises(ConfigError) as err:
        decode_body(nested(MAX_DEPTH + 1))
    assert err.value.field == ".".join(["a"] * MAX_DEPTH)


def test_nul_character_in_a_string_is_refused_naming_its_field() -> None:
    with pytest.raises(ConfigError) as err:
        decode_body(json.dumps({"watch": {"exchange": "bin\u0000ance"}}).encode())
    assert err.value.field == "watch.exchange"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"backtest": {"daterange": {"from": -1e300, "to": "2025-05-22"}}}, "backtest.daterange.from"),
        ({"backtest": {"daterange": {"from": "2025-05-20", "to": 10**400}}}, "backtest.daterange.to"),
        ({"backtest": {"daterange": {"from": "0001-01-01", "to": "2025-05-22"}}}, "backtest.daterange.from"),
        ({"paperTrader": {"feeMaker": 1e308}}, "paperTrader.feeMaker"),
        ({"tradingAdvisor": {"historySize": 1e30}}, "tradingAdvisor.historySize"),
        ({"tradingAdvisor": {"candleSize": 0}}, "tradingAdvisor.candleSize"),
        ({"MACD": {"short": -1}}, "MACD.short"),
        ({"MACD": {"thresholds": {"up": 1e300}}}, "MACD.thresholds.up"),
        ({"importer": "x"}, "importer"),
        ({"tradingAdvisor": "x"}, "tradingAdvisor"),
        ({"tradingAdvisor": {"method": []}}, "tradingAdvisor.method"),
        ({"tradingAdvisor": {"method": "../x"}}, "tradingAdvisor.method"),
        ({"tradingAdvisor": {"method": "Nope"}}, "tradingAdvisor.method"),
        ({"watch": {**WATCH, "exchange": "a b"}}, "watch.exchange"),
        ({"watch": "x"}, "watch"),
        ({"paperTrader": {"simulationBalance": {"asset": -1}}}, "paperTrader.simulationBalance.asset"),
        ({"backtest": {"daterange": {"from": "2025-05-22", "to": "2025-05-20"}}}, "backtest.daterange"),
    ],
)
def test_out_of_range_or_malformed_config_is_refused_naming_the_field(patch: dict, field: str) -> None:
    refused({**MACD_RUN, **patch}, field)


def test_strategy_parameters_that_are_not_an_object_are_refused_naming_the_strategy() -> None:
    with pytest.raises(ConfigError) as err:
        validate_run(
            merge_base_config(
                {**MACD_RUN, "tradingAdvisor": {**MACD_RUN["tradingAdvisor"], "method": "RSI"}, "RSI": 5}
            ),
            KNOWN,
        )
    assert err.value.field == "RSI"


def test_every_backtest_the_original_ui_sent_passes_unchanged() -> None:
    requests = [load_reference(p)["request"] for p in sorted((REFERENCE / "backtests").glob("*.json.gz"))]
    assert len(requests) >= 10
    names = {r["tradingAdvisor"]["method"] for r in requests}
    for request in requests:
        config = merge_base_config(request)
        before = copy.deepcopy(config)
        validate_backtest(config, names)
        assert config == before, "validation never alters the config"


@pytest.mark.parametrize("exchange", ["a b", "*", "../x", "", "x" * 65, "bin.ance>", "p22.p.", "a..b"])
def test_api_key_exchange_names_unfit_for_a_kv_key_are_refused(exchange: str) -> None:
    for body_type, body in (
        (RemoveApiKeyRequest, {"exchange": exchange}),
        (AddApiKeyRequest, {"exchange": exchange, "values": {"key": "k"}}),
    ):
        with pytest.raises(ConfigError) as err:
            decode_as(body, body_type)
        assert err.value.field == "exchange"


def test_unknown_fields_are_accepted_everywhere() -> None:
    body = {**MACD_RUN, "valid": True, "watch": {**WATCH, "extra": [1, 2]}, "ircbot": {"enabled": False}}
    validate_backtest(merge_base_config(body), KNOWN)
    decode_as({"exchange": "binance", "gekkoClientField": 1}, RemoveApiKeyRequest)
