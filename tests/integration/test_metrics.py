"""Prometheus metrics: every service serves /metrics, and the counters move when work is done."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.test_live_gekkos import LAST, MACD, binance  # noqa: F401 - the module fixture loads candles

pytestmark = pytest.mark.integration


def samples(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = httpx.get(url, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def value(metrics: dict, name: str, **labels: str) -> float:
    return metrics.get((name, tuple(sorted(labels.items()))), 0.0)


def health_url(stack, name: str) -> str:
    return f"http://127.0.0.1:{stack.procs[name].env['GEKKO_HEALTH_PORT']}/metrics"


def backtesters(stack) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The backtester counters summed over every live replica (other tests start a second one, and
    either may serve the backtest)."""
    total: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for name, proc in stack.procs.items():
        if name.startswith("backtester") and proc.alive:
            for key, v in samples(health_url(stack, name)).items():
                total[key] = total.get(key, 0.0) + v
    return total


def test_every_service_serves_metrics(stack) -> None:
    assert "gekko_http_requests_total" in httpx.get(stack.gateway_url + "/metrics").text
    for name in ("backtester", "importer", "runner"):
        assert "gekko_nats_reconnects_total" in httpx.get(health_url(stack, name)).text


def test_a_backtest_moves_the_gateway_and_backtester_counters(stack, binance) -> None:  # noqa: F811
    gateway_before = samples(stack.gateway_url + "/metrics")
    backtester_before = backtesters(stack)
    request = {
        "watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"},
        "tradingAdvisor": {"enabled": True, "method": "MACD", "candleSize": 60, "historySize": 10},
        "MACD": MACD,
        "backtest": {"daterange": {"from": (LAST - 10 * 86400) * 1000, "to": LAST * 1000}},
    }
    answer = httpx.post(stack.gateway_url + "/api/backtest", json=request, timeout=120)
    assert answer.status_code == 200, answer.text
    gateway = samples(stack.gateway_url + "/metrics")
    backtester = backtesters(stack)

    route = {"route": "/api/backtest", "method": "POST"}
    assert value(gateway, "gekko_http_requests_total", **route, status="200") == (
        value(gateway_before, "gekko_http_requests_total", **route, status="200") + 1
    )
    assert value(gateway, "gekko_http_request_duration_seconds_count", **route) == (
        value(gateway_before, "gekko_http_request_duration_seconds_count", **route) + 1
    )
    assert value(backtester, "gekko_backtests_total", outcome="ok") == (
        value(backtester_before, "gekko_backtests_total", outcome="ok") + 1
    )
    assert value(backtester, "gekko_backtest_candles_total") - value(
        backtester_before, "gekko_backtest_candles_total"
    ) == (10 * 1440 + 1)
    assert value(backtester, "gekko_backtest_duration_seconds_count") == (
        value(backtester_before, "gekko_backtest_duration_seconds_count") + 1
    )
