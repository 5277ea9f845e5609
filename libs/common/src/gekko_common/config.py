"""The Gekko config object as typed msgspec Structs (gekko-server.md §7).

The original accepts almost anything and fails later (or hangs); here a config is decoded once, at
the edge, and a value of the wrong type is refused with the path of the field. Unknown keys are
kept out of the typed view but never refused: strategy parameter blocks and the notification
plugins' sections are free-form, and clients (the UI) send artefacts such as ``valid`` and ``type``.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Literal

import msgspec

from gekko_common.dates import parse_date
from gekko_common.errors import ConfigError
from gekko_common.market import Market as MarketId


class ConfigInvalid(ValueError):
    """A config value has the wrong type or is missing; ``field`` is its dotted path."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


class _Section(msgspec.Struct, kw_only=True, forbid_unknown_fields=False, omit_defaults=True):
    """Base of every section: unknown keys are ignored, defaults are omitted on encode."""


class Watch(_Section):
    """The market: exchange slug, quote currency and base asset (``watch``)."""

    exchange: str
    currency: str
    asset: str
    tickrate: float = 20


class TradingAdvisor(_Section):
    """``tradingAdvisor``: which strategy runs on candles of which size, with how much warm-up."""

    enabled: bool = False
    method: str | None = None
    candleSize: int | None = None
    historySize: int | None = None


class SimulationBalance(_Section):
    """The paper trader's starting portfolio."""

    asset: float = 1
    currency: float = 100


class PaperTrader(_Section):
    """``paperTrader``: fees in percent; slippage is ignored by the simulation, as in the original."""

    enabled: bool = False
    feeMaker: float = 0.25
    feeTaker: float = 0.25
    feeUsing: str = "maker"
    slippage: float = 0.05
    simulationBalance: SimulationBalance = msgspec.field(default_factory=SimulationBalance)
    reportRoundtrips: bool = True


class Trader(_Section):
    """``trader``: real trading; credentials are filled from the key store, never sent back."""

    enabled: bool = False
    key: str | None = None
    secret: str | None = None
    username: str | None = None
    passphrase: str | None = None
    customInterval: float | None = None


class PerformanceAnalyzer(_Section):
    """``performanceAnalyzer``: yearly risk-free return in percent, for the Sharpe ratio."""

    enabled: bool = False
    riskFreeReturn: float = 2


class CandleWriter(_Section):
    """``candleWriter``: whether a watcher or import writes its candles to the store."""

    enabled: bool = False


class DateRange(_Section):
    """A date range; dates as the original accepts them (strings, or numbers in milliseconds)."""

    from_: str | int | float | None = msgspec.field(default=None, name="from")
    to: str | int | float | None = None


class Backtest(_Section):
    """``backtest``: ``daterange`` is ``"scan"`` or ``{from, to}``; ``batchSize`` minutes per read."""

    daterange: DateRange | Literal["scan"] = "scan"
    batchSize: int = 50


class ExporterData(_Section):
    """``backtestResultExporter.data``: which parts the backtest answer carries."""

    stratUpdates: bool = False
    roundtrips: bool = True
    stratCandles: bool = True
    stratCandleProps: list[str] | None = None
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

    type: str | None = None
    from_: str | int | float | None = msgspec.field(default=None, name="from")


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
    mode: str | None = None
    type: str | None = None

    def strategy_parameters(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The parameter block of the configured strategy (``config[method]``), ``{}`` if absent."""
        method = self.tradingAdvisor.method
        block = raw.get(method) if method else None
        return block if isinstance(block, dict) else {}


_PATH = re.compile(r" - at `\$\.?([^`]*)`")
_MISSING = re.compile(r"missing required field `([^`]*)`")


def decode_config(raw: dict[str, Any]) -> GekkoConfig:
    """The typed view of ``raw``; ConfigInvalid naming the field when a value has the wrong type."""
    try:
        return msgspec.convert(raw, GekkoConfig, strict=True)
    except msgspec.ValidationError as exc:
        text = str(exc)
        match = _PATH.search(text)
        field = match.group(1).replace("[", ".").replace("]", "") if match else ""
        missing = _MISSING.search(text)
        if missing:
            field = f"{field}.{missing.group(1)}" if field else missing.group(1)
        message = _PATH.sub("", text)
        raise ConfigInvalid(field, message) from None


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
