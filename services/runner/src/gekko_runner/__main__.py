"""``python -m gekko_runner``."""

from gekko_runner.app import run

run()
