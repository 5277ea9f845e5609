"""gekko_gateway."""
