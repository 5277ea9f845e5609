"""gekko_emulator."""
