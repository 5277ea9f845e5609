"""``gekko import-csv`` then ``POST /api/getCandles`` gives the file's rows; ``export-csv`` writes them back."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import httpx
import polars as pl
import pytest

from tests.conftest import FULL_CSV, SMALL_CSV, read_candles_csv

pytestmark = pytest.mark.integration


def gekko(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gekko_common.cli.main", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_import_csv_of_90_days_then_get_candles_returns_the_files_rows(stack, stack_env, tmp_path) -> None:
    done = gekko(
        "import-csv", str(FULL_CSV), "--exchange", "csvtest", "--currency", "USDT", "--asset", "BTC", env=stack_env
    )
    assert done.returncode == 0, done.stderr
    assert "130708 new of 130708" in done.stdout
    again = gekko(
        "import-csv", str(FULL_CSV), "--exchange", "csvtest", "--currency", "USDT", "--asset", "BTC", env=stack_env
    )
    assert "0 new of 130708" in again.stdout
    body = {
        "watch": {"exchange": "csvtest", "currency": "USDT", "asset": "BTC"},
        "daterange": {"from": "2025-05-20T00:00:00Z", "to": "2025-08-18T18:27:00Z"},
        "candleSize": 1,
    }
    answer = httpx.post(stack.gateway_url + "/api/getCandles", json=body, timeout=120)
    assert answer.status_code == 200
    rows = answer.json()
    expected = read_candles_csv(FULL_CSV)
    assert len(rows) == expected.height
    got = pl.DataFrame(rows).select(expected.columns).cast(expected.schema)
    # like the original, candleSize 1 still goes through the batcher: vwp = (vwp * volume) / volume
    batched = expected.with_columns(
        pl.when(pl.col("volume") != 0)
        .then(pl.col("vwp") * pl.col("volume") / pl.col("volume"))
        .otherwise(pl.col("open"))
        .alias("vwp")
    )
    assert got.equals(batched)
    assert got.drop("vwp").equals(expected.drop("vwp"))

    out = tmp_path / "out.csv.gz"
    exported = gekko(
        "export-csv",
        str(out),
        "--exchange",
        "csvtest",
        "--currency",
        "USDT",
        "--asset",
        "BTC",
        "--from",
        "2025-06-01T00:00:00Z",
        "--to",
        "2025-06-01T23:59:00Z",
        env=stack_env,
    )
    assert exported.returncode == 0, exported.stderr
    back = read_candles_csv(out)
    assert back.height == 1440
    assert back.equals(expected.filter(pl.col("start").is_between(1748736000, 1748822340)).cast(back.schema))


def test_import_csv_with_missing_columns_names_them(stack_env, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("start,open\n1,2\n")
    done = gekko("import-csv", str(bad), "--exchange", "x", "--currency", "y", "--asset", "z", env=stack_env)
    assert done.returncode == 1
    assert "missing columns" in done.stderr


def test_import_csv_on_a_terminal_shows_a_progress_bar_of_the_rows_on_stderr(stack, stack_env) -> None:
    market = ["--exchange", "csvprogress", "--currency", "USDT", "--asset", "BTC"]
    done = gekko("import-csv", str(SMALL_CSV), *market, env={**stack_env, "FORCE_COLOR": "1", "COLUMNS": "160"})
    assert done.returncode == 0, done.stderr
    assert "4320 new of 4320" in done.stdout
    bar = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", done.stderr)  # without the terminal's escape sequences
    assert "importing csvprogress USDT/BTC" in bar
    assert "100% 4320/4320 rows, 4320 new" in bar
    quiet = gekko("import-csv", str(SMALL_CSV), *market, "--json", env={**stack_env, "FORCE_COLOR": "1"})
    assert quiet.returncode == 0, quiet.stderr
    assert json.loads(quiet.stdout)["new"] == 0
    assert "importing" not in quiet.stderr  # --json: no bar
