"""Prometheus metrics of every service (prometheus-client's default registry, one per process).

Each service serves them at ``/metrics``: the gateway on its HTTP port, the others on their health
port. Names start with ``gekko_``; ``deploy/grafana/gekko.json`` charts them.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

HTTP_REQUESTS = Counter("gekko_http_requests", "HTTP requests answered by the gateway", ["route", "method", "status"])
HTTP_LATENCY = Histogram(
    "gekko_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
BACKTESTS = Counter("gekko_backtests", "Backtests run by this backtester", ["outcome"])
BACKTEST_DURATION = Histogram(
    "gekko_backtest_duration_seconds",
    "Time to run one backtest (loading candles included)",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
BACKTEST_CANDLES = Counter("gekko_backtest_candles", "1-minute candles fed through backtests")
QUEUE_PENDING = Gauge("gekko_queue_pending", "Requests waiting in a JetStream work queue", ["stream"])
QUEUE_REDELIVERIES = Counter(
    "gekko_queue_redeliveries", "Work-queue requests taken again after a replica died or stalled", ["stream"]
)
IMPORTS = Counter("gekko_imports", "Imports finished by this importer", ["outcome"])
IMPORT_CANDLES = Counter("gekko_import_candles", "Candles written by imports")
RUNNING_GEKKOS = Gauge("gekko_running_gekkos", "Live gekkos this runner runs", ["type"])
GEKKO_RESUMES = Counter("gekko_gekko_resumes", "Live gekkos resumed after a passing fault")
WEBSOCKET_CLIENTS = Gauge("gekko_websocket_clients", "Open websocket connections")
WEBSOCKET_DROPS = Counter("gekko_websocket_drops", "Websocket clients disconnected for falling behind")
NATS_RECONNECTS = Counter("gekko_nats_reconnects", "Reconnections to NATS")
NATS_DISCONNECTS = Counter("gekko_nats_disconnects", "Losses of the NATS connection")
DEPENDENCY_FAULTS = Counter(
    "gekko_dependency_faults", "Requests answered 503 because NATS or PostgreSQL was away", ["where"]
)


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST
