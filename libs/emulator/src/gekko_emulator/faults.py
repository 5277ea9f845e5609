"""Switchable faults: rate limits, server errors, delays and short pages, reproducible by seed."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Faults:
    """What goes wrong, and how often (fractions of requests to the market data endpoints; ``trade_500``
    of requests to the trading endpoints, where a new order is placed before its answer is lost)."""

    rate_429: float = 0.0
    rate_500: float = 0.0
    trade_500: float = 0.0
    lost_orders: int = 0
    """The next this many new orders are placed, but their answer is a 500."""
    delay_ms: int = 0
    short_pages: bool = False
    seed: int = 7
    served: int = 0
    failed: int = 0
    _rng: random.Random = field(default_factory=lambda: random.Random(7), repr=False)

    def update(self, **settings: object) -> None:
        """Change settings (unknown names are refused)."""
        for key, value in settings.items():
            if key not in {"rate_429", "rate_500", "trade_500", "lost_orders", "delay_ms", "short_pages", "seed"}:
                raise ValueError(f"unknown fault setting {key!r}")
            setattr(self, key, value)
        self._rng = random.Random(self.seed)

    def draw(self) -> int | None:
        """The HTTP status this request fails with, or None."""
        roll = self._rng.random()
        if roll < self.rate_429:
            self.failed += 1
            return 429
        if roll < self.rate_429 + self.rate_500:
            self.failed += 1
            return 500
        self.served += 1
        return None

    def draw_trade(self, placed: bool = False) -> bool:
        """Does this trading request fail with a 500? (``placed``: a new order that was just placed)"""
        if placed and self.lost_orders > 0:
            self.lost_orders -= 1
            self.failed += 1
            return True
        if self.trade_500 and self._rng.random() < self.trade_500:
            self.failed += 1
            return True
        return False

    def page_size(self, limit: int) -> int:
        """A short page (a random part of ``limit``) when short pages are on."""
        if self.short_pages and limit > 1:
            return self._rng.randint(1, limit - 1)
        return limit
