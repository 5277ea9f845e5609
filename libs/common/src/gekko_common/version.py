"""The version this server reports on ``GET /api/info``."""

VERSION = "0.6.8"
"""Gekko's API has no version of its own; clients see the Gekko release whose API we keep."""
