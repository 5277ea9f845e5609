"""gekko_importer."""
