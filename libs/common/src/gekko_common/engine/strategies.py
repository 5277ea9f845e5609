"""Gekko's built-in strategies (``strategies/*.js``) with their default TOML parameters."""

from __future__ import annotations

import math
from typing import Any

from gekko_common.engine import rules
from gekko_common.engine.arith import div
from gekko_common.engine.strategy import Strategy, StrategyCandle, register
from gekko_common.errors import ConfigError


def _num(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _gt(a: Any, b: Any) -> bool:
    """JavaScript ``a > b`` for numbers (false with NaN, false/undefined treated as in JS)."""
    a = 0 if a is False else a
    return _num(a) and _num(b) and a > b


def _lt(a: Any, b: Any) -> bool:
    a = 0 if a is False else a
    return _num(a) and _num(b) and a < b


ACTIONS = {rules.LONG: "long", rules.SHORT: "short"}
ABOVE, BELOW = 1, 2
"""The two zones of a persistent trend: above the upper threshold, below the lower one."""


class PersistentTrend(Strategy):
    """The zone-with-persistence pattern shared by MACD, PPO, RSI, StochRSI, TSI, UO and varPPO: the rule
    is :func:`rules.enter_zone`, the one the compiled kernels run too."""

    def init(self) -> None:
        self.trend = rules.TREND_START

    def persistence(self) -> Any:
        return self.settings["thresholds"]["persistence"]

    def zones(self, value: Any, above: tuple[Any, str], below: tuple[Any, str]) -> None:
        """``value > above[0]`` -> the upper zone, advising above[1]; ``< below[0]`` likewise; else nothing."""
        if _gt(value, above[0]):
            self.zone(ABOVE, above[1])
        elif _lt(value, below[0]):
            self.zone(BELOW, below[1])
        else:
            self.advice()

    def zone(self, zone: int, action: str) -> None:
        *trend, advise = rules.enter_zone(zone, *self.trend, self.persistence())
        self.trend = tuple(trend)  # type: ignore[assignment]
        self.advice(action if advise else None)


@register
class DEMAStrategy(Strategy):
    """SMA above DEMA means long (as the original's code, whatever its docs say)."""

    name = "DEMA"
    params = "weight = 21\n\n[thresholds]\ndown = -0.025\nup = 0.025\n"

    def init(self) -> None:
        self.current_trend: str | None = None
        self.add_indicator("dema", "DEMA", self.settings)
        self.add_indicator("sma", "SMA", self.settings["weight"])

    def check(self, candle: StrategyCandle) -> None:
        diff = self.indicators["sma"].result - self.indicators["dema"].result
        t = self.settings["thresholds"]
        if _gt(diff, t["up"]):
            if self.current_trend != "up":
                self.current_trend = "up"
                self.advice("long")
        elif _lt(diff, t["down"]) and self.current_trend != "down":
            self.current_trend = "down"
            self.advice("short")


@register
class MACDStrategy(PersistentTrend):
    """MACD histogram beyond the thresholds for ``persistence`` candles."""

    name = "MACD"
    params = "short = 10\nlong = 21\nsignal = 9\n\n[thresholds]\ndown = -0.025\nup = 0.025\npersistence = 1"

    def init(self) -> None:
        super().init()
        self.add_indicator("macd", "MACD", self.settings)

    def check(self, candle: StrategyCandle) -> None:
        t = self.settings["thresholds"]
        self.zones(self.indicators["macd"].result, (t["up"], "long"), (t["down"], "short"))


@register
class PPOStrategy(PersistentTrend):
    """PPO histogram beyond the thresholds."""

    name = "PPO"
    params = "short = 12\nlong = 26\nsignal = 9\n\n[thresholds]\ndown = -0.025\nup = 0.025\npersistence = 2"

    def init(self) -> None:
        super().init()
        self.add_indicator("ppo", "PPO", self.settings)

    def check(self, candle: StrategyCandle) -> None:
        r = self.indicators["ppo"].result
        t = self.settings["thresholds"]
        self.zones(r["ppo"] - r["PPOsignal"], (t["up"], "long"), (t["down"], "short"))


class _Oscillator(PersistentTrend):
    """High means short, low means long (RSI, TSI, UO)."""

    def value(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def check(self, candle: StrategyCandle) -> None:
        t = self.settings["thresholds"]
        self.zones(self.value(), (t["high"], "short"), (t["low"], "long"))


@register
class RSIStrategy(_Oscillator):
    """RSI above ``high`` sells, below ``low`` buys."""

    name = "RSI"
    params = "interval = 14\n\n[thresholds]\nlow = 30\nhigh = 70\npersistence = 1"

    def init(self) -> None:
        super().init()
        self.add_indicator("rsi", "RSI", self.settings)

    def value(self) -> Any:
        return self.indicators["rsi"].result


@register
class TSIStrategy(_Oscillator):
    """True strength index above ``high`` sells, below ``low`` buys."""

    name = "TSI"
    params = "short = 13\nlong = 25\n\n[thresholds]\nlow = -25\nhigh = 25\npersistence = 1"

    def init(self) -> None:
        super().init()
        self.add_indicator("tsi", "TSI", self.settings)

    def value(self) -> Any:
        return self.indicators["tsi"].tsi  # type: ignore[attr-defined]


@register
class UOStrategy(_Oscillator):
    """Ultimate oscillator above ``high`` sells, below ``low`` buys."""

    name = "UO"
    params = (
        "[first]\nweight = 4\nperiod = 7\n\n[second]\nweight = 2\nperiod = 14\n\n[third]\nweight = 1\nperiod = 28\n\n"
        "[thresholds]\nlow = 30\nhigh = 70\npersistence = 1\n"
    )

    def init(self) -> None:
        super().init()
        self.add_indicator("uo", "UO", self.settings)

    def value(self) -> Any:
        return self.indicators["uo"].uo  # type: ignore[attr-defined]


@register
class StochRSIStrategy(PersistentTrend):
    """Stochastic of the RSI over ``interval`` candles; the neutral band resets the duration."""

    name = "StochRSI"
    params = "interval = 3\n\n[thresholds]\nlow = 20\nhigh = 80\npersistence = 3"

    def init(self) -> None:
        super().init()
        self.add_indicator("rsi", "RSI", {"interval": self.settings["interval"]})
        self.rsi_history: list[float] = []
        self.stoch_rsi: float = math.nan

    def update(self, candle: StrategyCandle) -> None:
        rsi = self.indicators["rsi"].result
        self.rsi_history.append(rsi)
        while len(self.rsi_history) > self.settings["interval"]:
            del self.rsi_history[0]
        lowest = min(self.rsi_history)
        highest = max(self.rsi_history)
        self.stoch_rsi = div(rsi - lowest, highest - lowest) * 100

    def check(self, candle: StrategyCandle) -> None:
        t = self.settings["thresholds"]
        if _gt(self.stoch_rsi, t["high"]):
            self.zone(ABOVE, "short")
        elif _lt(self.stoch_rsi, t["low"]):
            self.zone(BELOW, "long")
        else:
            direction, _, persisted, adviced = self.trend
            self.trend = (direction, 0, persisted, adviced)  # the neutral band starts the count over
            self.advice()


@register
class CCIStrategy(Strategy):
    """Commodity channel index levels with its own persistence rules (>= and <=)."""

    name = "CCI"
    params = (
        "# constant multiplier. 0.015 gets to around 70% fit\nconstant = 0.015\n\n"
        "# history size, make same or smaller than history\nhistory = 90\n\n"
        "[thresholds]\nup = 100\ndown = -100\npersistence = 0"
    )

    def init(self) -> None:
        self.trend = rules.TREND_START
        self.add_indicator("cci", "CCI", self.settings)

    def check(self, candle: StrategyCandle) -> None:
        r = self.indicators["cci"].result
        if not _num(r):
            return
        t = self.settings["thresholds"]
        *trend, advice = rules.cci_trend(r, t["up"], t["down"], t["persistence"], *self.trend)
        self.trend = tuple(trend)  # type: ignore[assignment]
        if advice:
            self.advice(ACTIONS[advice])


@register
class TMAStrategy(Strategy):
    """Three SMAs; each is fed every close twice (the original's update feeds them again)."""

    name = "TMA"
    params = "short = 7\nmedium = 25\nlong = 99\n"

    def init(self) -> None:
        self.add_indicator("short", "SMA", self.settings["short"])
        self.add_indicator("medium", "SMA", self.settings["medium"])
        self.add_indicator("long", "SMA", self.settings["long"])

    def update(self, candle: StrategyCandle) -> None:
        for name in ("short", "medium", "long"):
            self.indicators[name].update(candle.close)

    def check(self, candle: StrategyCandle) -> None:
        advice = rules.tma_advice(*(self.indicators[k].result for k in ("short", "medium", "long")))
        self.advice(ACTIONS.get(advice))


TSI_DEFAULTS = {"short": 13, "long": 25, "thresholds": {"low": -25, "high": 25, "persistence": 1}}
PPO_DEFAULTS = {"short": 12, "long": 26, "signal": 9, "thresholds": {"down": -0.025, "up": 0.025, "persistence": 2}}
RSI_DEFAULTS = {"interval": 14, "thresholds": {"low": 30, "high": 70, "persistence": 1}}
UO_DEFAULTS = {
    "first": {"weight": 4, "period": 7},
    "second": {"weight": 2, "period": 14},
    "third": {"weight": 1, "period": 28},
    "thresholds": {"low": 30, "high": 70, "persistence": 1},
}
MOMENTUM_DEFAULTS: dict[str, dict[str, Any]] = {"TSI": TSI_DEFAULTS, "RSI": RSI_DEFAULTS, "UO": UO_DEFAULTS}


def varppo_inputs(settings: Any, config: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """varPPO's momentum (RSI, TSI or UO), PPO settings, momentum settings and own thresholds; the PPO
    and momentum settings come from the top-level config blocks when present, else their defaults."""
    settings = settings if isinstance(settings, dict) else {}
    momentum = str(settings.get("momentum", "TSI"))
    if momentum not in MOMENTUM_DEFAULTS:
        raise ConfigError("varPPO.momentum", "momentum must be one of RSI, TSI, UO")
    ppo, momentum_settings = config.get("PPO"), config.get(momentum)
    return (
        momentum,
        ppo if isinstance(ppo, dict) else PPO_DEFAULTS,
        momentum_settings if isinstance(momentum_settings, dict) else MOMENTUM_DEFAULTS[momentum],
        settings.get("thresholds") or {},
    )


@register
class VarPPOStrategy(PersistentTrend):
    """PPO with momentum-weighted thresholds; PPO and momentum settings come from the top-level config
    blocks (``config.PPO``, ``config[momentum]``) when present, else their defaults."""

    name = "varPPO"
    params = (
        'momentum = "TSI" # RSI, TSI or UO\n\n[thresholds]\nweightLow = 120\nweightHigh = -120\n\n'
        "# How many candle intervals should a trend persist\n# before we consider it real?\npersistence = 0"
    )

    def init(self) -> None:
        super().init()
        self.momentum, ppo, self.momentum_settings, thresholds = varppo_inputs(self.settings, self.config)
        self.weight_low = thresholds.get("weightLow", 120)
        self.weight_high = thresholds.get("weightHigh", -120)
        self.persist = thresholds.get("persistence", 0)
        self.add_indicator("ppo", "PPO", ppo)
        self.add_indicator(self.momentum.lower(), self.momentum, self.momentum_settings)

    def persistence(self) -> Any:
        return self.persist

    def check(self, candle: StrategyCandle) -> None:
        hist = self.indicators["ppo"].result["PPOhist"]
        indicator = self.indicators[self.momentum.lower()]
        value = getattr(indicator, self.momentum.lower(), None)  # RSI has no .rsi: never trades (as the original)
        t: dict[str, Any] = self.momentum_settings["thresholds"]
        low = t["low"] + (hist * self.weight_low)
        high = t["high"] + (hist * self.weight_high)
        if _lt(value, low):
            self.zone(BELOW, "long")
        elif _gt(value, high):
            self.zone(ABOVE, "short")
        else:
            self.advice()


@register
class NoopStrategy(Strategy):
    """Does nothing."""

    name = "noop"
    params = ""

    def check(self, candle: StrategyCandle) -> None:
        return None


@register
class DebugSingleAdvice(Strategy):
    """On the first check, advise long with a 0.5 % trailing stop."""

    name = "DEBUG_single-advice"
    params = ""

    def init(self) -> None:
        self.i = 0

    def check(self, candle: StrategyCandle) -> None:
        if self.i == 0:
            self.advice({"direction": "long", "trigger": {"type": "trailingStop", "trailPercentage": 0.5}})
        self.i += 1


@register
class DebugToggleAdvice(Strategy):
    """Short on every 6th check, long three checks later; it replaces the trade hook (no stop bookkeeping)."""

    name = "DEBUG_toggle-advice"
    params = ""
    replaces_process_trade = True

    def init(self) -> None:
        self.i = 0

    def check(self, candle: StrategyCandle) -> None:
        if self.i % 6 == 0:
            self.advice("short")
        elif self.i % 6 == 3:
            self.advice("long")
        self.i += 1
