"""The sweep's grid expansion."""

from __future__ import annotations

import pytest

from gekko_common.cli.sweep import combinations, parse_grid


def test_parse_grid_reads_numbers_and_strings() -> None:
    assert parse_grid(["MACD.short=5,10", "tradingAdvisor.method=MACD"]) == {
        "MACD.short": [5, 10],
        "tradingAdvisor.method": ["MACD"],
    }


def test_parse_grid_without_values_names_the_flag() -> None:
    with pytest.raises(ValueError, match="--grid"):
        parse_grid(["MACD.short"])


def test_combinations_cover_the_product_and_leave_the_base_untouched() -> None:
    base = {"MACD": {"short": 1, "thresholds": {"up": 0.1}}}
    combos = combinations(base, {"MACD.short": [5, 10], "MACD.thresholds.up": [0.2, 0.3, 0.4]})
    assert len(combos) == 6
    params, config = combos[-1]
    assert params == {"MACD.short": 10, "MACD.thresholds.up": 0.4}
    assert config["MACD"] == {"short": 10, "thresholds": {"up": 0.4}}
    assert config["backtestResultExporter"]["enabled"] is True
    assert base["MACD"]["short"] == 1
