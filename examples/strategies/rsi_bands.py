"""An example user strategy: buy when RSI leaves the oversold band upwards, sell when it leaves the
overbought band downwards. Use it with ``GEKKO_STRATEGY_DIR=examples/strategies`` and
``tradingAdvisor.method = "rsi-bands"`` (see examples/rsi-bands.toml)."""

from gekko_common.engine import Strategy, register


@register
class RsiBands(Strategy):
    """RSI band exits, remembering which band the last candle was in."""

    name = "rsi-bands"
    params = "interval = 14\nlow = 30\nhigh = 70\n"

    def init(self):
        self.addIndicator("rsi", "RSI", {"interval": self.settings["interval"]})
        self.zone = "middle"

    def check(self, candle):
        rsi = self.indicators["rsi"].result
        zone = "low" if rsi < self.settings["low"] else "high" if rsi > self.settings["high"] else "middle"
        if self.zone == "low" and zone != "low":
            self.advice("long")
        elif self.zone == "high" and zone != "high":
            self.advice("short")
        self.zone = zone
