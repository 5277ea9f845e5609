"""Service settings, read from environment variables in this one place.

Every ``GEKKO_*`` variable any service reads is declared here; deployment manifests are checked
against this module. Nothing reads the environment at import time: a composition root calls
:func:`Settings.from_env` once and passes the result on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import msgspec


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a service may be configured with."""

    nats_url: str = "nats://127.0.0.1:4222"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/gekko"
    log_level: str = "INFO"
    health_port: int = 8080
    http_host: str = "127.0.0.1"
    http_port: int = 3000
    api_token: str | None = None
    cors_origins: tuple[str, ...] = ("*",)
    secret_key: str | None = None
    strategy_dir: str | None = None
    exchange_urls: Mapping[str, str] = msgspec.field(default_factory=dict)
    backtest_cache_mb: int = 512
    order_interval_s: float = 1.5
    data_dir: str = ".gekko"
    ready_grace_s: float = 90.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``env`` (default: the process environment)."""
        e = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = e.get(name)
            return value if value not in (None, "") else None

        def integer(name: str, default: int) -> int:
            raw = get(name)
            if raw is None:
                return default
            try:
                return int(raw)
            except ValueError:
                raise ValueError(f"{name} must be an integer, got {raw!r}") from None

        def number(name: str, default: float) -> float:
            raw = get(name)
            if raw is None:
                return default
            try:
                value = float(raw)
            except ValueError:
                value = -1.0
            if not value > 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {raw!r}")
            return value

        urls: dict[str, str] = {}
        for item in (get("GEKKO_EXCHANGE_URLS") or "").split(","):
            if item.strip():
                slug, sep, url = item.partition("=")
                if not sep or not url.strip():
                    raise ValueError(f"GEKKO_EXCHANGE_URLS entries look like binance=http://host:port, got {item!r}")
                urls[slug.strip()] = url.strip()
        d = cls()
        cors = tuple(o.strip() for o in (get("GEKKO_CORS_ORIGINS") or "*").split(",") if o.strip())
        return cls(
            nats_url=get("GEKKO_NATS_URL") or d.nats_url,
            database_url=get("GEKKO_DATABASE_URL") or d.database_url,
            log_level=(get("GEKKO_LOG_LEVEL") or d.log_level).upper(),
            health_port=integer("GEKKO_HEALTH_PORT", d.health_port),
            http_host=get("GEKKO_HTTP_HOST") or d.http_host,
            http_port=integer("GEKKO_HTTP_PORT", d.http_port),
            api_token=get("GEKKO_API_TOKEN"),
            cors_origins=cors or ("*",),
            secret_key=get("GEKKO_SECRET_KEY"),
            strategy_dir=get("GEKKO_STRATEGY_DIR"),
            exchange_urls=urls,
            backtest_cache_mb=integer("GEKKO_BACKTEST_CACHE_MB", d.backtest_cache_mb),
            order_interval_s=number("GEKKO_ORDER_INTERVAL_S", d.order_interval_s),
            data_dir=get("GEKKO_DATA_DIR") or d.data_dir,
            ready_grace_s=number("GEKKO_READY_GRACE_S", d.ready_grace_s),
        )
