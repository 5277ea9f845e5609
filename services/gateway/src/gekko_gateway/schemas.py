"""The answers of the REST routes as msgspec Structs, for the OpenAPI document.

The request bodies are typed in gekko_common.config (the services validate with the same types);
markets are ``Watch``; candles, trades, roundtrips and the performance report are the Structs of gekko_common.market
and gekko_common.events (their dates are unix seconds in a REST answer: :class:`MomentSchema`). The
handlers answer with what the services produced, unchanged (the wire is the original's); these types
describe those answers, and ``responses`` attaches them, with the error body, to a route.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.plugins import OpenAPISchemaPlugin

from gekko_common.config import GekkoConfig, Watch
from gekko_common.events import Moment, PerformanceReport, Roundtrip, TradeCompleted


class MomentSchema(OpenAPISchemaPlugin):
    """Documents an event's :class:`Moment` as what a REST answer carries: unix seconds."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value is Moment

    def to_openapi_schema(self, field_definition: Any, schema_creator: Any) -> Schema:
        return Schema(type=OpenAPIType.INTEGER, description="unix seconds")


class _Answer(msgspec.Struct, kw_only=True):
    """Base of the documented answers."""


class ErrorBody(_Answer):
    """Every non-2xx answer: what went wrong, the status again and, when one is to blame, the field."""

    error: str
    status: int
    field: str | None = None


class Ok(_Answer):
    """``{"status": "ok"}``."""

    status: str


class Info(_Answer):
    """``GET /api/info``."""

    version: str


class StrategyInfo(_Answer):
    """One strategy: its name and its default parameters as TOML text."""

    name: str
    params: str


class ConfigPart(_Answer):
    """``GET /api/configPart/{part}``: the part's default TOML text."""

    part: str


class MinimalOrder(_Answer):
    """The smallest order a market takes (``unit`` asset or currency)."""

    amount: float | str
    unit: str | None = None
    price: float | None = None
    order: float | None = None


class MarketInfo(_Answer):
    """One market of an exchange: ``[currency, asset]``, minimal order and precision."""

    pair: list[str]
    minimalOrder: MinimalOrder
    precision: float | None = None


class ExchangeInfo(_Answer):
    """One exchange of ``GET /api/exchanges``."""

    name: str
    slug: str
    currencies: list[str]
    assets: list[str]
    markets: list[MarketInfo]


class ImportRecord(_Answer):
    """An import as ``GET /api/imports`` and ``POST /api/import`` show it."""

    watch: Watch
    id: str
    latest: str
    from_: str | float = msgspec.field(name="from")
    to: str | float
    done: bool | None = None


class Range(_Answer):
    """A contiguous run of stored minutes, in unix seconds (both ends are candle starts)."""

    from_: int = msgspec.field(name="from")
    to: int


class Dataset(_Answer):
    """One stored market with its ranges."""

    exchange: str
    currency: str
    asset: str
    ranges: list[Range]


class ScanSets(_Answer):
    """``POST /api/scansets``."""

    datasets: list[Dataset]
    errors: list[Any]


class GekkoEvents(_Answer):
    """The first and the latest event of each type a gekko emitted."""

    initial: dict[str, Any]
    latest: dict[str, Any]


class Gekko(_Answer):
    """A live or archived gekko: market watcher, paper trader or tradebot."""

    id: str
    mode: str
    config: dict[str, Any]
    type: str
    logType: str
    active: bool
    stopped: bool
    errored: bool
    errorMessage: str | bool
    events: GekkoEvents
    start: str


class Gekkos(_Answer):
    """``GET /api/gekkos``: live and archived gekkos by id."""

    live: dict[str, Gekko]
    archive: dict[str, Gekko]


class BacktestResult(_Answer):
    """``POST /api/backtest``: which parts are present depends on ``backtestResultExporter.data``."""

    market: Watch
    tradingAdvisor: dict[str, Any]
    strategyParameters: dict[str, Any]
    performanceReport: PerformanceReport | None = None
    roundtrips: list[Roundtrip] | None = None
    stratCandles: list[dict[str, Any]] | None = None
    trades: list[TradeCompleted] | None = None
    stratUpdates: list[dict[str, Any]] | None = None
    portfolioValues: list[dict[str, Any]] | None = None


class SweepRequest(_Answer):
    """``POST /api/sweep``: a Gekko backtest config, the space to search and what to optimise.

    ``space`` maps config paths (``MACD.short``) to a list of values or a range
    (``{"min", "max", "step"}``); ``search`` is ``grid``, ``random``, ``tpe``, ``cmaes`` or ``nsga2``
    (or an object with ``method``, ``trials``, ``seed``, ``patience``, ``batch``); ``objective`` is a
    performanceReport field or an extra metric (several for ``nsga2``); ``split`` (train/test ranges)
    or ``walkForward`` (``{"windows": N}``) add out-of-sample figures. docs/sweeps.md has the details.
    """

    config: GekkoConfig
    space: dict[str, Any]
    objective: str | list[str] | None = None
    search: str | dict[str, Any] | None = None
    split: dict[str, Any] | None = None
    walkForward: dict[str, Any] | None = None


class SweepStarted(_Answer):
    """``POST /api/sweep``: the new sweep's id and how many backtests it will run."""

    id: str
    total: int


class SweepResult(_Answer):
    """One evaluated point: its index, parameters, Gekko's report and the extra metrics."""

    index: int
    params: dict[str, Any]
    report: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None
    objectives: dict[str, Any] | None = None
    oos: dict[str, Any] | None = None


class Sweep(_Answer):
    """A sweep's record, rebuilt from the event log; ``results`` only on ``GET /api/sweeps/{id}``."""

    id: str
    created: str
    strategy: str
    search: str
    objective: list[str]
    space: dict[str, Any]
    total: int
    done: int
    finished: bool
    error: str | None = None
    best: dict[str, Any] | None = None
    stoppedEarly: bool | None = None
    results: list[SweepResult] | None = None


ERRORS = {
    400: "the body or a field is invalid (``field`` names it)",
    404: "no such thing (``field`` names what was looked up)",
    409: "the request conflicts with the current state",
    413: "the body is larger than the API or the message bus accepts",
    422: "the strategy failed while running",
    429: "too many requests from this client",
    503: "a service the route needs is not running",
    504: "the service did not answer in time",
}


def responses(answer: Any, *errors: int) -> dict[int, ResponseSpec]:
    """The documented answers of a route: ``answer`` on 200, the error body on each of ``errors``."""
    specs = {200: ResponseSpec(data_container=answer, description="Success", generate_examples=False)}
    for status in errors:
        specs[status] = ResponseSpec(data_container=ErrorBody, description=ERRORS[status], generate_examples=False)
    return specs
