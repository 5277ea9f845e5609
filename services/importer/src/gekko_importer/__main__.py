"""``python -m gekko_importer``."""

from gekko_importer.app import run

run()
