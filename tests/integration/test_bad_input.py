"""The bad bodies of issue #12, each a test: a 4xx naming the field (413 for what the bus cannot carry),
and the API answers normally afterwards."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.fuzz.runner import POST_ROUTES

pytestmark = pytest.mark.integration

WATCH = {"exchange": "binance", "currency": "USDT", "asset": "BTC"}
ADVISOR = {"enabled": True, "method": "MACD", "candleSize": 60, "historySize": 10}
BACKTEST = {
    "watch": WATCH,
    "tradingAdvisor": ADVISOR,
    "paperTrader": {"enabled": True},
    "MACD": {"short": 10, "long": 21, "signal": 9, "thresholds": {"down": -0.025, "up": 0.025, "persistence": 1}},
    "backtest": {"daterange": {"from": "2025-05-20T00:00:00Z", "to": "2025-05-21T00:00:00Z"}},
}
LEECH = {**BACKTEST, "market": {"type": "leech"}, "mode": "realtime"}
CANDLES = {
    "watch": WATCH,
    "daterange": {"from": "2025-05-20T00:00:00Z", "to": "2025-05-21T00:00:00Z"},
    "candleSize": 60,
}
IMPORT = {"watch": WATCH, "importer": {"daterange": {"from": "2025-05-20 00:00", "to": "2025-05-21 00:00"}}}


def with_(body: dict, **patch: object) -> dict:
    return {**body, **patch}


def refused(url: str, route: str, content: bytes, status: int, field: str | None) -> None:
    answer = httpx.post(url + route, content=content, headers={"content-type": "application/json"}, timeout=60)
    assert answer.status_code == status, (route, answer.text[:300])
    body = answer.json()
    assert body["error"]
    if field is not None:
        assert body["field"] == field, body


def api_still_works(url: str) -> None:
    assert httpx.get(url + "/api/info").status_code == 200
    assert httpx.get(url + "/readyz").status_code == 200
    assert httpx.post(url + "/api/scan", json={"watch": WATCH}, timeout=30).status_code == 200


@pytest.mark.parametrize("route", POST_ROUTES)
@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b'{"watch": {"exchange": "\xff\xfe", "currency": "USDT", "asset": "BTC"}}', "body"),
        (b'{"a":' * 800 + b"1" + b"}" * 800, ".".join(["a"] * 32)),
        (b"[" * 1000 + b"]" * 1000, "body"),
    ],
    ids=["invalid-utf8", "800-deep", "1000-deep-array"],
)
def test_undecodable_body_on_every_route_is_400_naming_the_body_or_the_too_deep_field(
    stack, route, content, field
) -> None:
    refused(stack.gateway_url, route, content, 400, field)


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("/api/import", with_(IMPORT, importer="x"), "importer"),
        ("/api/backtest", with_(BACKTEST, tradingAdvisor="x"), "tradingAdvisor"),
        ("/api/startGekko", with_(LEECH, tradingAdvisor="x"), "tradingAdvisor"),
        ("/api/backtest", with_(BACKTEST, tradingAdvisor={**ADVISOR, "method": []}), "tradingAdvisor.method"),
        ("/api/startGekko", with_(LEECH, tradingAdvisor={**ADVISOR, "method": []}), "tradingAdvisor.method"),
        ("/api/scan", {"watch": {**WATCH, "exchange": "bin\u0000ance"}}, "watch.exchange"),
        ("/api/getCandles", with_(CANDLES, watch={**WATCH, "asset": "B\u0000TC"}), "watch.asset"),
        ("/api/getCandles", with_(CANDLES, daterange={"from": -1e300, "to": 1}), "daterange.from"),
        (
            "/api/backtest",
            with_(BACKTEST, backtest={"daterange": {"from": -1e300, "to": "2025-05-21"}}),
            "backtest.daterange.from",
        ),
        ("/api/import", with_(IMPORT, importer={"daterange": {"from": -1e300}}), "importer.daterange.from"),
        ("/api/backtest", with_(BACKTEST, paperTrader={"feeMaker": 1e308}), "paperTrader.feeMaker"),
        ("/api/startGekko", with_(LEECH, paperTrader={"feeMaker": 1e308}), "paperTrader.feeMaker"),
        (
            "/api/backtest",
            with_(BACKTEST, tradingAdvisor={**ADVISOR, "historySize": 1e30}),
            "tradingAdvisor.historySize",
        ),
        (
            "/api/startGekko",
            with_(LEECH, tradingAdvisor={**ADVISOR, "historySize": 1e30}),
            "tradingAdvisor.historySize",
        ),
        ("/api/backtest", with_(BACKTEST, MACD={**BACKTEST["MACD"], "short": -1}), "MACD.short"),
        ("/api/startGekko", with_(LEECH, MACD={**BACKTEST["MACD"], "short": -1}), "MACD.short"),
        (
            "/api/startGekko",
            with_(LEECH, tradingAdvisor={**ADVISOR, "method": "../../etc/passwd"}),
            "tradingAdvisor.method",
        ),
        ("/api/removeApiKey", {"exchange": "a b"}, "exchange"),
        ("/api/removeApiKey", {"exchange": "*"}, "exchange"),
        ("/api/removeApiKey", {"exchange": "../x"}, "exchange"),
        ("/api/addApiKey", {"exchange": "../x", "values": {"key": "k", "secret": "s"}}, "exchange"),
        ("/api/stopGekko", {"id": 5}, "id"),
    ],
)
def test_fuzz_finding_is_400_naming_the_field(stack, route, body, field) -> None:
    refused(stack.gateway_url, route, json.dumps(body).encode(), 400, field)


def test_a_date_of_400_digits_is_400_naming_the_field(stack) -> None:
    body = json.dumps(CANDLES).replace('"2025-05-20T00:00:00Z"', "1" + "0" * 400).encode()
    refused(stack.gateway_url, "/api/getCandles", body, 400, "daterange.from")


def test_start_gekko_refuses_what_backtest_refuses(stack) -> None:
    bad = with_(LEECH, tradingAdvisor={**ADVISOR, "candleSize": "60"}, paperTrader={"simulationBalance": {"asset": -1}})
    for route in ("/api/backtest", "/api/startGekko"):
        refused(stack.gateway_url, route, json.dumps(bad).encode(), 400, None)
    assert all(
        g["config"].get("paperTrader", {}).get("simulationBalance", {}).get("asset") != -1
        for g in httpx.get(stack.gateway_url + "/api/gekkos").json()["live"].values()
    )


def post_raw(url: str, content: bytes) -> httpx.Response:
    return httpx.post(url, content=content, headers={"content-type": "application/json"}, timeout=60)


def test_body_of_exactly_a_mebibyte_is_never_a_5xx(stack) -> None:
    """The original's limit is "over 1 MB"; once wrapped such a body is too large for the bus (413), a
    route that ignores the body answers, others refuse it as a body (400)."""
    content = b'{"pad": "' + b"x" * (1024 * 1024 - 11) + b'"}'
    for route in POST_ROUTES:
        answer = post_raw(stack.gateway_url + route, content)
        assert answer.status_code in (200, 400, 413), (route, answer.text[:200])
        if answer.status_code != 200:
            assert answer.json()["field"], route


def test_body_over_a_mebibyte_is_413_on_every_route(stack) -> None:
    content = b'{"pad": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    for route in POST_ROUTES:
        answer = post_raw(stack.gateway_url + route, content)
        assert answer.status_code == 413, (route, answer.text[:200])
        assert answer.json()["error"]


@pytest.mark.parametrize("part", ["..%2F..%2Fetc%2Fpasswd", "%2e%2e", "paperTrader%00", "a" * 300])
def test_config_part_traversal_is_refused(stack, part) -> None:
    answer = httpx.get(f"{stack.gateway_url}/api/configPart/{part}")
    assert answer.status_code in (400, 404), answer.text
    assert answer.json()["error"]


def test_after_all_of_it_the_api_works(stack) -> None:
    api_still_works(stack.gateway_url)
