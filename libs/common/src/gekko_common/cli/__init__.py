"""The ``gekko`` command line: run the stack, backtests, candle CSV import/export."""
