"""The Gekko config object as typed msgspec Structs (gekko-server.md §7), decoded once at the edge.

The original accepts almost anything and fails later (or hangs); here a config is decoded once, at
the edge, and a value of the wrong type or out of range is refused with the path of the field. Unknown
keys are kept out of the typed view but never refused: the notification plugins' sections are
free-form, and clients (the UI) send artefacts such as ``valid`` and ``type``.

This module imports nothing of the engine (no numpy, no numba): the gateway validates with it, the
backtester and runner too, so every route refuses the same bodies. The request bodies of the other
routes are typed here as well, so the gateway's OpenAPI document is generated from the same types.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from msgspec import Meta

from gekko_common.dates import MAX_DATE_MS, parse_date
from gekko_common.errors import ConfigError
from gekko_common.market import Market as MarketId

# --- the value types, with the ranges the engine and the store can hold ---

Name = Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$", max_length=64)]
"""Exchange slugs, currencies, assets and strategy names: also NATS KV keys (no empty token, no trailing dot)
and file names."""

DateValue = (
    Annotated[str, Meta(max_length=64, examples=["2018-07-03T05:40:00Z"])]
    | Annotated[float, Meta(ge=0, le=MAX_DATE_MS, description="unix milliseconds")]
)
"""A date as the original accepts it: an ISO 8601 string, or a number of milliseconds since 1970."""

Minutes = Annotated[int, Meta(ge=1, le=525_600)]
"""A candle size in minutes: one minute to one year."""

Count = Annotated[int, Meta(ge=0, le=1_000_000)]
"""A count of candles (warm-up history, persistence)."""

Window = Annotated[int, Meta(ge=1, le=1_000_000)]
"""An indicator's window (periods, weights): at least one candle."""

Level = Annotated[float, Meta(ge=-1e12, le=1e12)]
"""A threshold: any finite number a price or an oscillator can reach."""

Percent = Annotated[float, Meta(ge=0, le=100)]
"""A fee or slippage in percent."""

Amount = Annotated[float, Meta(ge=0, le=1e15)]
"""A balance: not negative, and small enough that fees and profits stay finite."""

Text = Annotated[str, Meta(max_length=256)]
"""A short free-form string (ids, modes, types)."""


class _Section(msgspec.Struct, kw_only=True, forbid_unknown_fields=False, omit_defaults=True):
    """Base of every section: unknown keys are ignored, defaults are omitted on encode."""


class Watch(_Section):
    """The market: exchange slug, quote currency and base asset (``watch``)."""

    exchange: Name
    currency: Name
    asset: Name
    tickrate: Annotated[float, Meta(ge=0, le=86_400)] = 20


class TradingAdvisor(_Section):
    """``tradingAdvisor``: which strategy runs on candles of which size, with how much warm-up."""

    enabled: bool = False
    method: Name | None = None
    candleSize: Minutes | None = None
    historySize: Count | None = None


class SimulationBalance(_Section):
    """The paper trader's starting portfolio."""

    asset: Amount = 1
    currency: Amount = 100


class PaperTrader(_Section):
    """``paperTrader``: fees in percent; slippage is ignored by the simulation, as in the original."""

    enabled: bool = False
    feeMaker: Percent = 0.25
    feeTaker: Percent = 0.25
    feeUsing: Literal["maker", "taker"] = "maker"
    slippage: Percent = 0.05
    simulationBalance: SimulationBalance = msgspec.field(default_factory=SimulationBalance)
    reportRoundtrips: bool = True


class Trader(_Section):
    """``trader``: real trading; credentials are filled from the key store, never sent back."""

    enabled: bool = False
    key: Text | None = None
    secret: Text | None = None
    username: Text | None = None
    passphrase: Text | None = None
    customInterval: Annotated[float, Meta(ge=0, le=86_400_000)] | None = None


class PerformanceAnalyzer(_Section):
    """``performanceAnalyzer``: yearly risk-free return in percent, for the Sharpe ratio."""

    enabled: bool = False
    riskFreeReturn: Annotated[float, Meta(ge=-100, le=1_000)] = 2


class CandleWriter(_Section):
    """``candleWriter``: whether a watcher or import writes its candles to the store."""

    enabled: bool = False


class DateRange(_Section):
    """A date range; dates as the original accepts them (strings, or numbers in milliseconds)."""

    from_: DateValue | None = msgspec.field(default=None, name="from")
    to: DateValue | None = None


class Backtest(_Section):
    """``backtest``: ``daterange`` is ``"scan"`` or ``{from, to}``; ``batchSize`` minutes per read."""

    daterange: DateRange | Literal["scan"] = "scan"
    batchSize: Annotated[int, Meta(ge=1, le=1_000_000)] = 50


class ExporterData(_Section):
    """``backtestResultExporter.data``: which parts the backtest answer carries."""

    stratUpdates: bool = False
    roundtrips: bool = True
    stratCandles: bool = True
    stratCandleProps: list[Annotated[str, Meta(max_length=16)]] | None = None
    portfolioValues: bool = False
    trades: bool = True


class BacktestResultExporter(_Section):
    """``backtestResultExporter``."""

    enabled: bool = False
    writeToDisk: bool = False
    data: ExporterData = msgspec.field(default_factory=ExporterData)


class Importer(_Section):
    """``importer``: the range to import."""

    daterange: DateRange = msgspec.field(default_factory=DateRange)


class Market(_Section):
    """``market``: for a strat runner, ``type: "leech"`` attaches to the watcher of the same market."""

    type: Text | None = None
    from_: DateValue | None = msgspec.field(default=None, name="from")


# --- the parameter blocks of the built-in strategies (``config[<method>]``) ---
# Every field is optional here: a missing one is the engine's error naming the strategy. The ranges
# keep indicators finite (a window of -1 divides by zero, a threshold of 1e308 overflows).


class ZoneThresholds(_Section):
    """``thresholds`` of the strategies that advise when a value stays beyond up/down."""

    up: Level | None = None
    down: Level | None = None
    persistence: Count | None = None


class BandThresholds(_Section):
    """``thresholds`` of the oscillators: above ``high`` sells, below ``low`` buys."""

    high: Level | None = None
    low: Level | None = None
    persistence: Count | None = None


class DEMAParams(_Section):
    """``DEMA``."""

    weight: Window | None = None
    thresholds: ZoneThresholds | None = None


class MACDParams(_Section):
    """``MACD`` and ``PPO``: the short, long and signal EMA windows."""

    short: Window | None = None
    long: Window | None = None
    signal: Window | None = None
    thresholds: ZoneThresholds | None = None


class RSIParams(_Section):
    """``RSI`` and ``StochRSI``."""

    interval: Window | None = None
    thresholds: BandThresholds | None = None


class TSIParams(_Section):
    """``TSI``."""

    short: Window | None = None
    long: Window | None = None
    thresholds: BandThresholds | None = None


class UOLeg(_Section):
    """One leg of the ultimate oscillator."""

    weight: Level | None = None
    period: Window | None = None


class UOParams(_Section):
    """``UO``."""

    first: UOLeg | None = None
    second: UOLeg | None = None
    third: UOLeg | None = None
    thresholds: BandThresholds | None = None


class CCIParams(_Section):
    """``CCI``."""

    constant: Annotated[float, Meta(gt=0, le=1e6)] | None = None
    history: Window | None = None
    thresholds: ZoneThresholds | None = None


class TMAParams(_Section):
    """``TMA``: three simple moving averages."""

    short: Window | None = None
    medium: Window | None = None
    long: Window | None = None


class VarPPOThresholds(_Section):
    """``varPPO.thresholds``."""

    weightLow: Level | None = None
    weightHigh: Level | None = None
    persistence: Count | None = None


class VarPPOParams(_Section):
    """``varPPO``: PPO and momentum settings come from the top-level ``PPO`` and ``<momentum>`` blocks."""

    momentum: Literal["RSI", "TSI", "UO"] | None = None
    thresholds: VarPPOThresholds | None = None


class GekkoConfig(_Section):
    """The typed view of a whole config; strategy blocks stay in the raw dict (``config[method]``)."""

    watch: Watch | None = None
    tradingAdvisor: TradingAdvisor = msgspec.field(default_factory=TradingAdvisor)
    paperTrader: PaperTrader | None = None
    trader: Trader | None = None
    performanceAnalyzer: PerformanceAnalyzer | None = None
    candleWriter: CandleWriter = msgspec.field(default_factory=CandleWriter)
    backtest: Backtest = msgspec.field(default_factory=Backtest)
    backtestResultExporter: BacktestResultExporter = msgspec.field(default_factory=BacktestResultExporter)
    importer: Importer = msgspec.field(default_factory=Importer)
    market: Market | None = None
    mode: Text | None = None
    type: Text | None = None
    DEMA: DEMAParams | None = None
    MACD: MACDParams | None = None
    PPO: MACDParams | None = None
    RSI: RSIParams | None = None
    StochRSI: RSIParams | None = None
    TSI: TSIParams | None = None
    UO: UOParams | None = None
    CCI: CCIParams | None = None
    TMA: TMAParams | None = None
    varPPO: VarPPOParams | None = None

    def strategy_parameters(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The parameter block of the configured strategy (``config[method]``), ``{}`` if absent."""
        method = self.tradingAdvisor.method
        block = raw.get(method) if method else None
        return block if isinstance(block, dict) else {}


# --- the other routes' bodies ---


class ScanSetsRequest(_Section):
    """``POST /api/scansets``: any object (the body is ignored)."""


class ScanRequest(_Section):
    """``POST /api/scan``: the market whose stored ranges to list."""

    watch: Watch


class CandlesRequest(_Section):
    """``POST /api/getCandles``: a market, a range and a candle size in minutes."""

    watch: Watch
    daterange: DateRange
    candleSize: Minutes


class ImportRequest(_Section):
    """``POST /api/import``: the market and ``importer.daterange`` (``to`` defaults to now)."""

    watch: Watch
    importer: Importer = msgspec.field(default_factory=Importer)


class GekkoRef(_Section):
    """``POST /api/stopGekko`` and ``/api/deleteGekko``: the gekko's id."""

    id: Annotated[str, Meta(min_length=1, max_length=128)]


Credential = Annotated[str, Meta(max_length=64, examples=["key", "secret"])]


class AddApiKeyRequest(_Section):
    """``POST /api/addApiKey``: an exchange and its credential strings (key, secret, ...)."""

    exchange: Name
    values: Annotated[
        dict[Annotated[str, Meta(max_length=64)], Annotated[str, Meta(max_length=4096)]], Meta(min_length=1)
    ]


class RemoveApiKeyRequest(_Section):
    """``POST /api/removeApiKey``: the exchange whose credentials to forget."""

    exchange: Name


# --- decoding ---

MAX_DEPTH = 32
"""Nesting limit of a JSON body: a Gekko config nests four deep; 1,000 deep overflows Python's stack."""

T = TypeVar("T")
_PATH = re.compile(r" - at `\$\.?([^`]*)`")
_MISSING = re.compile(r"missing required field `([^`]*)`")


def _field_of(text: str) -> str:
    match = _PATH.search(text)
    field = re.sub(r"\[(\d+)\]", r".\1", match.group(1)) if match else ""
    missing = _MISSING.search(text)
    if missing:
        field = f"{field}.{missing.group(1)}" if field else missing.group(1)
    return field


def decode_as(raw: Any, type_: type[T]) -> T:
    """``raw`` (decoded JSON) checked against ``type_``; ConfigError naming the field when it does not fit."""
    try:
        return msgspec.convert(raw, type_, strict=True)
    except msgspec.ValidationError as exc:
        text = str(exc)
        raise ConfigError(_field_of(text), _PATH.sub("", text)) from None


def decode_config(raw: dict[str, Any]) -> GekkoConfig:
    """The typed view of ``raw``; ConfigError naming the field when a value has the wrong type."""
    return decode_as(raw, GekkoConfig)


def _check_tree(value: Any) -> None:
    """Refuse nesting deeper than MAX_DEPTH and NUL characters in keys or strings (PostgreSQL cannot store
    them), naming the field; iterative, so a deep value cannot overflow the stack."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                raise ConfigError(path or "body", "NUL characters are not allowed")
            continue
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        if items and depth >= MAX_DEPTH:
            raise ConfigError(path or "body", f"the body nests deeper than {MAX_DEPTH} levels")
        for key, child in items:
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and "\x00" in key:
                raise ConfigError(path or "body", "NUL characters are not allowed in keys")
            stack.append((child, name, depth + 1))


def decode_body(raw: bytes) -> dict[str, Any]:
    """A request body as a JSON object; an empty body is ``{}`` (as the original).

    Refused (ConfigError naming ``body`` or the field): malformed JSON, invalid UTF-8, nesting deeper
    than MAX_DEPTH, NUL characters, and anything but an object.
    """
    if not raw.strip():
        return {}
    try:
        value = msgspec.json.decode(raw)
    except UnicodeDecodeError:
        raise ConfigError("body", "the body is not valid UTF-8") from None
    except RecursionError:
        raise ConfigError("body", f"the body nests deeper than {MAX_DEPTH} levels") from None
    except msgspec.DecodeError as exc:
        raise ConfigError("body", f"malformed JSON body: {exc}") from None
    if not isinstance(value, dict):
        raise ConfigError("body", "the body must be a JSON object")
    _check_tree(value)
    return value


# --- the server's base config (gekko-server.md §2.2) ---

BASE_CONFIG: dict[str, Any] = {
    "silent": False,
    "debug": True,
    "tradingAdvisor": {},
    "candleWriter": {"enabled": False},
    "backtestResultExporter": {
        "enabled": False,
        "writeToDisk": False,
        "data": {"stratUpdates": False, "roundtrips": True, "stratCandles": True, "trades": True},
    },
    "childToParent": {"enabled": False},
    "adviceWriter": {"enabled": False, "muteSoft": True},
    "backtest": {"daterange": "scan", "batchSize": 50},
    "importer": {"daterange": {"from": "2016-06-01 12:00:00"}},
}
"""What the original server merges every request into (without its storage adapter sections)."""


def lodash_merge(target: Any, source: Any) -> Any:
    """lodash 2 ``merge``: objects recursively, arrays element by element, None (JSON null) overwrites."""
    if isinstance(source, dict):
        out = target if isinstance(target, dict) else {}
        for key, value in source.items():
            out[key] = lodash_merge(out.get(key), value) if isinstance(value, dict | list) else value
        return out
    if isinstance(source, list):
        out_list = target if isinstance(target, list) else []
        for i, value in enumerate(source):
            if i < len(out_list):
                out_list[i] = lodash_merge(out_list[i], value) if isinstance(value, dict | list) else value
            else:
                out_list.append(lodash_merge(None, value) if isinstance(value, dict | list) else value)
        return out_list
    return source


def merge_base_config(body: dict[str, Any]) -> dict[str, Any]:
    """``{}`` merged with the base config, then with the request body (gekko-server.md §2.2)."""
    config = lodash_merge({}, copy.deepcopy(BASE_CONFIG))
    return lodash_merge(config, copy.deepcopy(body))  # type: ignore[no-any-return]


def date_span(daterange: DateRange, field: str) -> tuple[int, int]:
    """(from, to) of a range in unix seconds; ``to`` must be after ``from``."""
    start = parse_date(daterange.from_, f"{field}.from")
    end = parse_date(daterange.to, f"{field}.to")
    if end <= start:
        raise ConfigError(field, f"{field}.to must be after {field}.from")
    return start, end


def select_daterange(config: dict[str, Any]) -> tuple[int, int]:
    """(from, to) in unix seconds, both inclusive on candle starts, from ``backtest.daterange``."""
    daterange = (config.get("backtest") or {}).get("daterange")
    if not isinstance(daterange, dict):
        raise ConfigError("backtest.daterange", "backtest.daterange needs from and to (explicit dates)")
    start = parse_date(daterange.get("from"), "backtest.daterange.from")
    end = parse_date(daterange.get("to"), "backtest.daterange.to")
    if end <= start:
        raise ConfigError("backtest.daterange", "backtest.daterange.to must be after backtest.daterange.from")
    return start, end


def market_of(config: dict[str, Any]) -> MarketId:
    """The ``watch`` block as a Market, or ConfigError naming the missing or malformed field."""
    watch = config.get("watch")
    if not isinstance(watch, dict):
        raise ConfigError("watch", "watch must be an object with exchange, currency and asset")
    for key in ("exchange", "currency", "asset"):
        if not isinstance(watch.get(key), str) or not watch[key]:
            raise ConfigError(f"watch.{key}", f"watch.{key} must be a non-empty string")
    return MarketId(watch["exchange"], watch["currency"], watch["asset"])


# --- whole configs: what a backtest and a live gekko need ---


@dataclass(frozen=True)
class RunConfig:
    """A strategy run's config, decoded and checked once at the edge and passed on to the engine.

    ``typed`` is the checked view; ``raw`` the merged dict as the client sent it, unknown fields kept
    (answers echo the ``watch`` and ``tradingAdvisor`` blocks, strategies read their own block).
    """

    typed: GekkoConfig
    raw: dict[str, Any]

    @property
    def method(self) -> str:
        """The strategy's name (checked to be known)."""
        return self.typed.tradingAdvisor.method or ""

    @property
    def candle_size(self) -> int:
        """Minutes per strategy candle."""
        return self.typed.tradingAdvisor.candleSize or 1

    @property
    def history(self) -> int:
        """Strategy candles of warm-up (``historySize``, 0 when absent)."""
        return self.typed.tradingAdvisor.historySize or 0

    def plugin_enabled(self, name: str) -> bool:
        """Whether plugin ``name`` runs (:func:`plugin_enabled`)."""
        return plugin_enabled(self.raw, name)


def plugin_enabled(config: dict[str, Any], name: str) -> bool:
    """Whether plugin ``name`` runs: unless its section says ``enabled: false`` (the original also skips a
    section without ``enabled: true``; here a missing flag keeps the defaults running, see compatibility.md)."""
    section = config.get(name)
    return not (isinstance(section, dict) and "enabled" in section and not section["enabled"])


STRATEGY_BLOCKS = frozenset({"DEMA", "MACD", "PPO", "RSI", "StochRSI", "TSI", "UO", "CCI", "TMA", "varPPO"})
"""The built-in strategies' parameter blocks that :class:`GekkoConfig` types (a set: a sweep tests every
section of thousands of configs against it)."""


def validate_run(config: dict[str, Any], known: Collection[str], market: bool = True) -> RunConfig:
    """The checks every strategy run shares (a backtest, a paper trader, a tradebot, a sweep's point), on a
    merged config: the typed decode, a market, and a known strategy with its candle size and an object (or
    nothing) as its parameters. ``market`` False (the engine, run on candles it is given by the CLI or a
    test) asks for no market and leaves the parameters' values to the strategy, as the original does."""
    typed = decode_config(config if market else {k: v for k, v in config.items() if k not in STRATEGY_BLOCKS})
    if market and typed.watch is None:
        raise ConfigError("watch", "watch must be an object with exchange, currency and asset")
    advisor = typed.tradingAdvisor
    method = advisor.method
    if method is None or method not in known:
        names = ", ".join(sorted(known, key=str.lower))
        raise ConfigError("tradingAdvisor.method", f"unknown strategy {method!r}; known: {names}")
    if advisor.candleSize is None:
        raise ConfigError("tradingAdvisor.candleSize", "tradingAdvisor.candleSize is missing")
    params = config.get(method)
    if params is not None and not isinstance(params, dict):
        raise ConfigError(method, f"the {method} parameters must be an object")
    return RunConfig(typed, config)


def validate_backtest(config: dict[str, Any], known: Collection[str]) -> RunConfig:
    """A merged backtest config: a strategy run whose ``backtest.daterange`` is ``scan`` or two dates."""
    run = validate_run(config, known)
    if isinstance(run.typed.backtest.daterange, DateRange):
        date_span(run.typed.backtest.daterange, "backtest.daterange")
    return run
