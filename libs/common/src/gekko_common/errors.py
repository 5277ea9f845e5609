"""Errors of the domain: bad configuration (a 400 for the API) and failures inside strategies."""

from __future__ import annotations


class EngineError(Exception):
    """Base of everything the engine raises on purpose."""


class ConfigError(EngineError):
    """The config cannot run: ``field`` is the dotted path of the offending value."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class StrategyError(EngineError):
    """User (or built-in) strategy code raised; the run stops with this message instead of crashing."""


class CandlesWanted(StrategyError):
    """A JavaScript strategy that looked candle-blind (no update or check takes a candle) read one in a
    backtest, which hands such strategies no candles: the backtest runs again with them."""
