"""gekko_backtester."""
