"""A deliberately slow user strategy, loaded by the test stack's services from GEKKO_STRATEGY_DIR."""

import time

from gekko_common.engine import Strategy, register


@register
class Slow(Strategy):
    """Toggles on every check and takes 20 ms per candle: long enough to kill its backtester mid-run."""

    name = "test-slow"
    params = ""

    def init(self):
        self.n = 0

    def check(self, candle):
        time.sleep(0.02)
        self.n += 1
        self.advice("long" if self.n % 2 else "short")
