"""How far a backtest is, measured cheaply: the engine hands the meter the index of the candle it
reached every few dozen strategy candles, and the meter (by the clock, at most every INTERVAL_S)
decides whether to tell anyone. The engine stays free of clocks and I/O."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from gekko_common.dates import iso_ms
from gekko_common.messages import BacktestProgress

INTERVAL_S = 0.5
"""At most one progress report per this many seconds of a running backtest."""


class BacktestMeter:
    """Turns the engine's "reached candle i" calls into :class:`BacktestProgress` reports for ``publish``.

    ``starts`` are the backtest's 1-minute candle starts (unix seconds). With ``announce`` a report at
    0 % and one at 100 % go out however short the run; without, only runs longer than INTERVAL_S
    report (and then end with 100 %). Reports are monotone; 100 % comes only from :meth:`end`.
    """

    def __init__(
        self,
        progress_id: str,
        starts: Any,
        publish: Callable[[BacktestProgress], None],
        *,
        announce: bool,
        interval: float = INTERVAL_S,
    ) -> None:
        self.id = progress_id
        self.starts = starts
        self.total = len(starts)
        self.publish = publish
        self.announce = announce
        self.interval = interval
        self.began = self.last = time.monotonic()
        self.sent = 0

    def begin(self) -> None:
        """The engine is about to run: the clock starts (and the 0 % report goes out when announced)."""
        self.began = self.last = time.monotonic()
        if self.announce:
            self._send(0, self.began, 0.0)

    def __call__(self, index: int) -> None:
        """The engine reached 1-minute candle ``index`` (called from the engine's thread)."""
        now = time.monotonic()
        if now - self.last >= self.interval and self.total:
            self.last = now
            done = min(index + 1, self.total)
            self._send(done, now, min(99.9, 100 * done / self.total))

    def end(self) -> None:
        """The answer is ready: the 100 % report, when any report went out before or when announced."""
        if self.announce or self.sent:
            self._send(self.total, time.monotonic(), 100.0)

    def _send(self, done: int, now: float, percent: float) -> None:
        elapsed = now - self.began
        self.sent += 1
        self.publish(
            BacktestProgress(
                id=self.id,
                percent=round(percent, 1),
                candles=done,
                total=self.total,
                candles_per_s=round(done / elapsed, 1) if elapsed > 0 else 0.0,
                at=iso_ms(int(self.starts[done - 1])) if done else None,
            )
        )
