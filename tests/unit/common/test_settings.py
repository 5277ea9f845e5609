"""Settings from environment variables."""

from __future__ import annotations

import pytest

from gekko_common.settings import Settings


def test_from_env_with_nothing_set_gives_local_defaults() -> None:
    s = Settings.from_env({})
    assert s.http_port == 3000
    assert s.http_host == "127.0.0.1"
    assert s.nats_url == "nats://127.0.0.1:4222"
    assert s.api_token is None


def test_from_env_reads_every_variable() -> None:
    s = Settings.from_env(
        {
            "GEKKO_NATS_URL": "nats://n:1",
            "GEKKO_DATABASE_URL": "postgresql://x@y/z",
            "GEKKO_HTTP_PORT": "8000",
            "GEKKO_EXCHANGE_URLS": "binance=http://127.0.0.1:9, kraken=http://k",
            "GEKKO_CORS_ORIGINS": "http://a, http://b",
            "GEKKO_API_TOKEN": "t",
        }
    )
    assert (s.nats_url, s.database_url, s.http_port, s.api_token) == ("nats://n:1", "postgresql://x@y/z", 8000, "t")
    assert s.exchange_urls == {"binance": "http://127.0.0.1:9", "kraken": "http://k"}
    assert s.cors_origins == ("http://a", "http://b")


def test_from_env_with_a_non_integer_port_names_the_variable() -> None:
    with pytest.raises(ValueError, match="GEKKO_HTTP_PORT"):
        Settings.from_env({"GEKKO_HTTP_PORT": "abc"})


def test_from_env_with_a_malformed_exchange_url_names_the_variable() -> None:
    with pytest.raises(ValueError, match="GEKKO_EXCHANGE_URLS"):
        Settings.from_env({"GEKKO_EXCHANGE_URLS": "binance"})


def test_abuse_limits_come_from_the_environment() -> None:
    s = Settings.from_env(
        {
            "GEKKO_RATE_LIMIT": "5/20",
            "GEKKO_TOKEN_RATE_LIMIT": "0",
            "GEKKO_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1",
            "GEKKO_WS_PER_CLIENT": "3",
            "GEKKO_HEADER_TIMEOUT_S": "2.5",
            "GEKKO_BODY_TIMEOUT_S": "4",
            "GEKKO_READY_GRACE_S": "12",
        }
    )
    assert s.rate_limit == (5.0, 20)
    assert s.token_rate_limit == (0.0, 0)
    assert s.trusted_proxies == ("10.0.0.0/8", "127.0.0.1")
    assert (s.ws_per_client, s.header_timeout_s, s.body_timeout_s, s.ready_grace_s) == (3, 2.5, 4.0, 12.0)


def test_without_cors_origins_only_loopback_pages_are_allowed_by_default() -> None:
    assert Settings.from_env({}).cors_origins == ()
    assert Settings.from_env({}).trusted_proxies == ()


def test_a_malformed_rate_limit_names_the_variable() -> None:
    with pytest.raises(ValueError, match="GEKKO_RATE_LIMIT"):
        Settings.from_env({"GEKKO_RATE_LIMIT": "fast"})
