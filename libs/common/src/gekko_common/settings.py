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
    cors_origins: tuple[str, ...] = ()
    """Empty: loopback origins only (any origin when a token is required)."""
    secret_key: str | None = None
    strategy_dir: str | None = None
    exchange_urls: Mapping[str, str] = msgspec.field(default_factory=dict)
    backtest_cache_mb: int = 512
    order_interval_s: float = 1.5
    data_dir: str = ".gekko"
    ready_grace_s: float = 90.0
    rate_limit: tuple[float, int] = (50.0, 200)
    """Requests per second and burst per client address; (0, 0) turns the limit off."""
    token_rate_limit: tuple[float, int] = (200.0, 800)
    """Requests per second and burst per API token presented."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses or networks whose X-Forwarded-For / Forwarded names the client."""
    ws_per_client: int = 20
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0

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

        def rate(name: str, default: tuple[float, int]) -> tuple[float, int]:
            raw = get(name)
            if raw is None:
                return default
            per_s, _, burst = raw.partition("/")
            try:
                value = (float(per_s), int(burst) if burst else int(float(per_s) * 4))
            except ValueError:
                value = (-1.0, -1)
            if value[0] < 0 or value[1] < 0:
                raise ValueError(f"{name} looks like 50/200 (requests per second / burst) or 0 for none, got {raw!r}")
            return value

        def items(name: str) -> tuple[str, ...]:
            return tuple(o.strip() for o in (get(name) or "").split(",") if o.strip())

        urls = _exchange_urls(get("GEKKO_EXCHANGE_URLS") or "")
        d = cls()
        return cls(
            nats_url=get("GEKKO_NATS_URL") or d.nats_url,
            database_url=get("GEKKO_DATABASE_URL") or d.database_url,
            log_level=(get("GEKKO_LOG_LEVEL") or d.log_level).upper(),
            health_port=integer("GEKKO_HEALTH_PORT", d.health_port),
            http_host=get("GEKKO_HTTP_HOST") or d.http_host,
            http_port=integer("GEKKO_HTTP_PORT", d.http_port),
            api_token=get("GEKKO_API_TOKEN"),
            cors_origins=items("GEKKO_CORS_ORIGINS"),
            secret_key=get("GEKKO_SECRET_KEY"),
            strategy_dir=get("GEKKO_STRATEGY_DIR"),
            exchange_urls=urls,
            backtest_cache_mb=integer("GEKKO_BACKTEST_CACHE_MB", d.backtest_cache_mb),
            order_interval_s=number("GEKKO_ORDER_INTERVAL_S", d.order_interval_s),
            data_dir=get("GEKKO_DATA_DIR") or d.data_dir,
            ready_grace_s=number("GEKKO_READY_GRACE_S", d.ready_grace_s),
            rate_limit=rate("GEKKO_RATE_LIMIT", d.rate_limit),
            token_rate_limit=rate("GEKKO_TOKEN_RATE_LIMIT", d.token_rate_limit),
            trusted_proxies=items("GEKKO_TRUSTED_PROXIES"),
            ws_per_client=integer("GEKKO_WS_PER_CLIENT", d.ws_per_client),
            header_timeout_s=number("GEKKO_HEADER_TIMEOUT_S", d.header_timeout_s),
            body_timeout_s=number("GEKKO_BODY_TIMEOUT_S", d.body_timeout_s),
        )


def _exchange_urls(raw: str) -> dict[str, str]:
    """``GEKKO_EXCHANGE_URLS``: ``slug=url`` pairs separated by commas."""
    urls: dict[str, str] = {}
    for item in raw.split(","):
        if item.strip():
            slug, sep, url = item.partition("=")
            if not sep or not url.strip():
                raise ValueError(f"GEKKO_EXCHANGE_URLS entries look like binance=http://host:port, got {item!r}")
            urls[slug.strip()] = url.strip()
    return urls
