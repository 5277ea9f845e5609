"""``gekko backtest --config FILE``: the original's ``node gekko --backtest``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import SMALL_CSV, reference


def test_backtest_cli_with_a_json_config_prints_the_report_and_writes_the_result(tmp_path) -> None:
    request = reference("backtests/026_MACD_cs60_h10_full.json")["request"]
    request["backtest"]["daterange"] = {"from": "2025-05-20T00:00:00Z", "to": "2025-05-22T23:59:00Z"}
    (tmp_path / "config.json").write_text(json.dumps(request))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gekko_common.cli.main",
            "backtest",
            "--config",
            str(tmp_path / "config.json"),
            "--csv",
            str(SMALL_CSV),
            "--output",
            str(tmp_path / "result.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "relativeProfit" in done.stdout
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["performanceReport"]["trades"] == 7  # golden run A, MACD
    assert result["performanceReport"]["balance"] == 103865.23300424


def test_backtest_cli_with_a_toml_config_and_unknown_strategy_names_the_field(tmp_path) -> None:
    (tmp_path / "config.toml").write_text(
        '[watch]\nexchange = "binance"\ncurrency = "USDT"\nasset = "BTC"\n'
        '[tradingAdvisor]\nenabled = true\nmethod = "Nope"\ncandleSize = 60\nhistorySize = 10\n'
        '[backtest.daterange]\nfrom = "2025-05-20 00:00"\nto = "2025-05-21 00:00"\n'
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gekko_common.cli.main",
            "backtest",
            "--config",
            str(tmp_path / "config.toml"),
            "--csv",
            str(SMALL_CSV),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "tradingAdvisor.method" in done.stderr


def backtest_cli(config: Path, *extra: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "gekko_common.cli.main",
            "backtest",
            "--config",
            str(config),
            "--csv",
            str(SMALL_CSV),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def test_backtest_cli_on_a_terminal_shows_a_progress_bar_on_stderr_and_json_stays_clean(tmp_path) -> None:
    request = reference("backtests/026_MACD_cs60_h10_full.json")["request"]
    request["backtest"]["daterange"] = {"from": "2025-05-20T00:00:00Z", "to": "2025-05-22T23:59:00Z"}
    (tmp_path / "config.json").write_text(json.dumps(request))
    terminal = {"FORCE_COLOR": "1", "COLUMNS": "160"}
    shown = backtest_cli(tmp_path / "config.json", env=terminal)
    assert shown.returncode == 0, shown.stderr
    bar = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.stderr)  # without the terminal's escape sequences
    assert "backtesting" in bar
    assert "100.0%" in bar
    assert "candles/s" in bar
    assert "2025-05-22 23:59" in bar  # the last candle reached
    assert "relativeProfit" in shown.stdout
    assert "backtesting" not in shown.stdout
    scripted = backtest_cli(tmp_path / "config.json", "--json", env=terminal)
    assert scripted.returncode == 0, scripted.stderr
    assert "backtesting" not in scripted.stderr
    document = json.loads(scripted.stdout)
    assert document["performanceReport"]["trades"] == 7  # golden run A, MACD
    assert document["performanceReport"]["balance"] == 103865.23300424
