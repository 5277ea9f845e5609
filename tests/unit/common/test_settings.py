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
