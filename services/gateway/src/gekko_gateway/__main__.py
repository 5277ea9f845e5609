"""``python -m gekko_gateway``."""

from gekko_gateway.app import run

run()
