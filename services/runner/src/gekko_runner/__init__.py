"""gekko_runner."""
