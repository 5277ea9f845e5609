"""The strategy API, mirroring Gekko's so a Gekko strategy ports line by line.

A strategy subclasses :class:`Strategy` and overrides ``init``, ``update``, ``check`` and, when it
wants, ``log``, ``end`` and ``on_trade``. In ``init`` it registers indicators with
``add_indicator(name, type, params)``; ``self.settings`` is its config block (``config[<name>]``),
``self.indicators[name]`` its indicators, ``self.candle`` the current strategy candle. ``advice``
takes ``"long"``, ``"short"``, nothing (ignored), or ``{"direction": ..., "trigger": {...}}``.
Gekko's camelCase names (``addIndicator``, ``onTrade``, ``requiredHistory``) work too.

Strategies are registered explicitly (:func:`register`), and user strategies are loaded from a
directory of Python files, each calling ``register`` (see docs/strategies.md).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from gekko_common.engine.indicators import INDICATORS, Indicator
from gekko_common.errors import ConfigError, StrategyError
from gekko_common.events import StratCandle

StrategyCandle = StratCandle
"""The candle a strategy sees is the ``stratCandle`` event (attribute access, like Gekko's candle objects)."""


class Strategy:
    """Base class of every strategy; the trading advisor drives it one strategy candle at a time."""

    name: ClassVar[str] = ""
    params: ClassVar[str] = ""
    """The default parameters as TOML text (what ``GET /api/strategies`` serves)."""

    def __init__(self, settings: Any, config: dict[str, Any]) -> None:
        self.settings = settings
        self.config = config
        self.trading_advisor = config.get("tradingAdvisor", {})
        self.indicators: dict[str, Indicator] = {}
        self.candle: StrategyCandle | None = None
        self.age = 0
        self.requiredHistory = 0
        self._initialised = False
        self._advice_sink: Callable[[Any], None] | None = None
        self._notify_sink: Callable[[Any], None] | None = None

    # --- what strategies override ---
    def init(self) -> None:
        """Register indicators and set up state."""

    def update(self, candle: StrategyCandle) -> None:
        """Called on every strategy candle, warm-up included."""

    def check(self, candle: StrategyCandle) -> None:
        """Called on every strategy candle after warm-up; give advice here."""
        raise NotImplementedError("a strategy must define check()")

    def log(self, candle: StrategyCandle) -> None:
        """Debug output before check (only with ``debug``)."""

    def end(self) -> None:
        """The data ended."""

    def on_trade(self, trade: dict[str, Any]) -> None:
        """A trade completed."""

    # --- the API strategies call ---
    def add_indicator(self, name: str, type_: str, params: Any) -> Indicator:
        """Register a native indicator (only in ``init``)."""
        if self._initialised:
            raise StrategyError("indicators can only be added in init()")
        cls = INDICATORS.get(type_)
        if cls is None:
            raise StrategyError(f"unknown indicator {type_!r}; known: {', '.join(INDICATORS)}")
        try:
            indicator = cls(params)
        except (KeyError, TypeError) as exc:
            raise ConfigError(self.name or "strategy", f"indicator {name} ({type_}) needs parameter {exc}") from None
        self.indicators[name] = indicator
        return indicator

    addIndicator = add_indicator

    def advice(self, advice: Any = None) -> None:
        """Advise ``"long"``/``"short"`` (or ``{"direction", "trigger"}``); nothing is soft advice."""
        if self._advice_sink is not None:
            self._advice_sink(advice)

    def notify(self, content: Any) -> None:
        """Send a notification (``stratNotification``)."""
        if self._notify_sink is not None:
            self._notify_sink(content)

    def onTrade(self, trade: dict[str, Any]) -> None:
        """Gekko's spelling of :meth:`on_trade`."""
        self.on_trade(trade)


class _Registry:
    def __init__(self) -> None:
        self.strategies: dict[str, type[Strategy]] = {}


_REGISTRY = _Registry()


def register(cls: type[Strategy]) -> type[Strategy]:
    """Class decorator: make a strategy available under ``cls.name``."""
    if not cls.name:
        raise ValueError(f"{cls.__qualname__} needs a class attribute name")
    _REGISTRY.strategies[cls.name] = cls
    return cls


_LOADED: dict[str, int] = {}
"""Module name of each loaded user strategy file -> the file's modification time when it was loaded."""


def load_strategy_dir(directory: str | Path) -> list[str]:
    """Import every ``*.py`` file of ``directory`` (each registers its strategies) that is new or changed
    since it was last imported, and register every ``*.js`` file as a JavaScript strategy; returns the
    names added."""
    before = set(_REGISTRY.strategies)
    for path in sorted(Path(directory).glob("*.py")):
        module_name = f"gekko_user_strategies.{path.stem}"
        stamp = path.stat().st_mtime_ns
        if module_name in sys.modules and _LOADED.get(module_name) == stamp:
            continue
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[module_name]
            raise StrategyError(f"loading user strategy {path.name} failed: {type(exc).__name__}: {exc}") from exc
        _LOADED[module_name] = stamp
    from gekko_common.engine.js import load_js_strategies  # the JavaScript runtime loads only when used

    load_js_strategies(Path(directory))
    return sorted(set(_REGISTRY.strategies) - before)


def registered() -> dict[str, type[Strategy]]:
    """Every registered strategy by name."""
    from gekko_common.engine import strategies  # noqa: F401 - registers the built-ins

    return dict(_REGISTRY.strategies)
