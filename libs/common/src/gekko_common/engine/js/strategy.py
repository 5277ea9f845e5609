"""JavaScript strategies in Gekko's own layout, behind the same interface as Python strategies.

A strategy directory may hold ``NAME.js`` (a Gekko strategy, unchanged) with an optional ``NAME.toml``
(its default parameters) and ``indicators/*.js`` (the custom indicators it requires). Each ``NAME.js``
registers a :class:`JsStrategy` subclass named ``NAME``; every run gets its own JavaScript context.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from gekko_common.engine.js.runtime import JsRun, native_values, to_json
from gekko_common.engine.js.tulip import TulipSet
from gekko_common.engine.strategy import Strategy, StrategyCandle, register


class JsStrategy(Strategy):
    """Drives a Gekko JavaScript strategy: the advisor's calls go to the strategy's own functions.

    Native indicators the strategy adds are this engine's Python indicators, updated by the trading
    advisor like a Python strategy's; their values travel with each candle into JavaScript.
    """

    directory: ClassVar[Path] = Path()

    def __init__(self, settings: Any, config: dict[str, Any]) -> None:
        super().__init__(settings, config)
        self.tulip = TulipSet(self.name)
        self.js = JsRun(self.name, self.directory, settings, config)

    def init(self) -> None:
        self._emitted(self.js.call("init", "__gekko_init"))
        self.js.call("init", "__gekko_natives", *self._native_values())

    def update(self, candle: StrategyCandle) -> None:
        tulips = self.tulip.update(candle) if self.tulip.indicators else ()
        self._emitted(
            self.js.call(
                "update",
                "__gekko_update",
                float(candle.start),
                float(candle.open),
                float(candle.high),
                float(candle.low),
                float(candle.close),
                float(candle.vwp),
                float(candle.volume),
                float(candle.trades),
                *self._native_values(),
                *tulips,
            )
        )

    def check(self, candle: StrategyCandle) -> None:
        self._emitted(self.js.call("check", "__gekko_check"))

    def on_trade(self, trade: dict[str, Any]) -> None:
        self._emitted(self.js.call("onTrade", "__gekko_trade", to_json(trade)))

    def end(self) -> None:
        self._emitted(self.js.call("end", "__gekko_end"))

    def _native_values(self) -> list[Any]:
        values: list[Any] = []
        for kind, indicator in self.js.managed.values():
            values.extend(native_values(indicator, kind))
        return values

    def _emitted(self, text: str) -> None:
        """Act on what the call emitted, in order: advice, notifications, indicator registrations."""
        if not text:
            return
        for kind, *value in json.loads(text):
            if kind == "a":
                self.advice(value[0])
            elif kind == "n":
                self.notify(value[0])
            elif kind == "i":
                name, type_, params = value
                self.js.managed[name] = (type_, self.add_indicator(name, type_, params))
            else:
                self.tulip.add(*value)


def load_js_strategies(directory: Path) -> list[str]:
    """Register every ``NAME.js`` of ``directory`` (defaults from ``NAME.toml``); returns the names."""
    names = []
    for path in sorted(directory.glob("*.js")):
        toml = path.with_suffix(".toml")
        params = toml.read_text() if toml.is_file() else ""
        attrs = {"name": path.stem, "params": params, "directory": directory, "__module__": __name__}
        register(type(f"Js_{path.stem}", (JsStrategy,), attrs))
        names.append(path.stem)
    return names
