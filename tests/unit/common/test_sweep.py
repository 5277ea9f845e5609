"""The sweep's grid expansion."""

from __future__ import annotations

import pytest

from gekko_common.cli.sweep import parse_grid
from gekko_common.errors import ConfigError
from gekko_common.sweep import RESULTS, STARTED, SweepBook, apply, combinations, parse_spec


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


def test_parse_grid_reads_ranges_with_and_without_step() -> None:
    assert parse_grid(["MACD.short=4..13", "MACD.thresholds.up=0.1..0.5:0.1"]) == {
        "MACD.short": {"min": 4, "max": 13},
        "MACD.thresholds.up": {"min": 0.1, "max": 0.5, "step": 0.1},
    }


MACD = {"short": 10, "long": 21, "signal": 9, "thresholds": {"down": -0.025, "up": 0.025, "persistence": 1}}


def body(**changes: object) -> dict:
    out: dict = {
        "config": {"tradingAdvisor": {"method": "MACD", "candleSize": 60, "historySize": 10},
                   "backtest": {"daterange": {"from": "2025-05-20T00:00:00Z", "to": "2025-08-18T00:00:00Z"}}},
        "space": {"MACD.short": {"min": 4, "max": 13}, "MACD.thresholds.up": {"min": 0.01, "max": 0.05, "step": 0.01}},
    }  # fmt: skip
    out.update(changes)
    return out


def test_a_grid_spec_expands_to_the_product_in_a_fixed_order() -> None:
    spec = parse_spec(body(), MACD, "MACD")
    points = spec.points()
    assert spec.total == len(points) == 50
    assert points[0] == {"MACD.short": 4, "MACD.thresholds.up": 0.01}
    assert points[-1] == {"MACD.short": 13, "MACD.thresholds.up": 0.05}


def test_a_random_spec_draws_the_same_points_from_the_same_seed() -> None:
    spec = parse_spec(body(search={"method": "random", "trials": 20, "seed": 3}), MACD, "MACD")
    assert spec.points() == spec.points()
    assert len(spec.points()) == 20
    assert all(4 <= p["MACD.short"] <= 13 for p in spec.points())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"space": {"MACD.shrot": [5]}}, "space.MACD.shrot"),
        ({"space": {"MACD.thresholds": [5]}}, "space.MACD.thresholds"),
        ({"space": {"MACD.short": [5, "6"]}}, "space.MACD.short"),
        ({"space": {"MACD.short": {"min": 1.5, "max": 3.5}}}, "space"),
        ({"objective": "relativeProfitt"}, "objective"),
        ({"objective": ["sharpe", "maxDrawdown"], "search": "tpe"}, "objective"),
        ({"search": {"method": "grid", "seed": -1}}, "search.seed"),
        ({"walkForward": {"windows": 0}}, "walkForward.windows"),
    ],
)
def test_a_bad_spec_names_the_field(changes: dict, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_spec(body(**changes), MACD, "MACD")
    assert info.value.field == field


def test_walk_forward_windows_follow_each_other_over_the_range() -> None:
    spec = parse_spec(body(walkForward={"windows": 3}), MACD, "MACD")
    assert len(spec.windows) == 3
    for a, b in zip(spec.windows, spec.windows[1:], strict=False):
        assert a.test == (b.train[0], b.train[1] + 60)
    assert spec.windows[0].train[0] == 1747699200


def test_the_book_completes_a_chunk_from_its_parts_each_counted_once() -> None:
    book = SweepBook()
    book.apply("s", STARTED, {"id": "s", "total": 3})
    second = {"chunk": 0, "part": 1, "parts": 2, "results": [{"index": 2, "params": {}}]}
    assert book.apply("s", RESULTS, second)
    assert not book.apply("s", RESULTS, second)
    assert book.records["s"]["done"] == 1
    assert 0 not in book.chunks["s"]
    assert [r["index"] for r in book.results("s")] == [2]
    first = {"chunk": 0, "part": 0, "parts": 2, "results": [{"index": 1, "params": {}}, {"index": 0, "params": {}}]}
    assert book.apply("s", RESULTS, first)
    assert not book.apply("s", RESULTS, first)
    assert [r["index"] for r in book.chunks["s"][0]["results"]] == [1, 0, 2]
    assert book.chunks["s"][0]["error"] is None
    assert [r["index"] for r in book.results("s")] == [0, 1, 2]
    assert book.records["s"]["done"] == 3


def test_a_part_with_an_error_marks_the_sweep() -> None:
    book = SweepBook()
    book.apply("s", STARTED, {"id": "s", "total": 4})
    assert book.apply("s", RESULTS, {"chunk": 3, "part": 1, "parts": 2, "results": [], "error": "MACD: bad"})
    assert book.records["s"]["error"] == "MACD: bad"


def test_the_book_counts_a_chunk_delivered_twice_once() -> None:
    book = SweepBook()
    book.apply("s", STARTED, {"id": "s", "total": 4})
    chunk = {"chunk": 0, "results": [{"index": 1, "params": {}}, {"index": 0, "params": {}}]}
    assert book.apply("s", RESULTS, chunk)
    assert not book.apply("s", RESULTS, chunk)
    assert book.records["s"]["done"] == 2
    assert [r["index"] for r in book.results("s")] == [0, 1]
    book.apply("s", "sweep_update", {"finished": True, "done": 99})
    assert book.records["s"]["finished"]
    assert book.records["s"]["done"] == 2


def test_configs_applied_to_a_trimmed_base_share_what_their_params_leave_alone() -> None:
    base = apply({"MACD": {"short": 1}, "paperTrader": {"feeMaker": 0.1}}, {})
    first, second = apply(base, {"MACD.short": 5}), apply(base, {"MACD.short": 6})
    assert first["backtestResultExporter"] is second["backtestResultExporter"] is base["backtestResultExporter"]
    assert first["paperTrader"] is second["paperTrader"] is base["paperTrader"]
    assert (first["MACD"]["short"], second["MACD"]["short"], base["MACD"]["short"]) == (5, 6, 1)


def test_a_heatmap_of_other_than_two_parameters_is_refused_before_the_sweep_is_sent(tmp_path) -> None:
    from types import SimpleNamespace

    from gekko_common.cli.sweep import request_body

    config = tmp_path / "config.json"
    config.write_text('{"tradingAdvisor": {"method": "MACD", "candleSize": 60}}')
    flags = {"config": config, "space": None, "search": "grid", "seed": 0, "trials": None, "patience": None}
    flags |= {"batch": None, "rank_by": "relativeProfit", "train": None, "test": None, "walk_forward": None}
    three = SimpleNamespace(**flags, grid=("MACD.short=4..5", "MACD.long=18..19", "MACD.signal=5..6"), heatmap="m.png")
    with pytest.raises(ValueError, match="--heatmap needs exactly two searched parameters, the sweep has 3"):
        request_body(three)
    two = SimpleNamespace(**{**vars(three), "grid": ("MACD.short=4..5", "MACD.long=18..19")})
    assert set(request_body(two)["space"]) == {"MACD.short", "MACD.long"}
