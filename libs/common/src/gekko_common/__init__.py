"""gekko_common."""
