"""``python -m gekko_backtester``."""

from gekko_backtester.app import run

run()
