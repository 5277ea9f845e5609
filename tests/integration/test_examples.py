"""Every file of examples/ runs: the configs, the user strategy, the sweep space, the API script."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from gekko_common.infra.store import CandleStore
from gekko_common.market import Market
from tests.conftest import ROOT, SMALL_CSV, read_candles_csv

pytestmark = pytest.mark.integration

EXAMPLES = ROOT / "examples"


def gekko(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gekko_common.cli.main", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )


@pytest.fixture
async def binance_candles(database_url) -> None:
    store = await CandleStore.connect(database_url)
    await store.write(Market("binance", "USDT", "BTC"), read_candles_csv(SMALL_CSV))
    await store.close()


def test_the_json_and_toml_configs_are_the_same_backtest() -> None:
    reports = []
    for name in ("gekko-config.json", "gekko-config.toml"):
        done = gekko("backtest", "--config", str(EXAMPLES / name), "--csv", str(SMALL_CSV), "--json")
        assert done.returncode == 0, done.stderr
        reports.append(json.loads(done.stdout)["performanceReport"])
    assert reports[0] == reports[1]
    assert reports[0]["trades"] > 0


def test_the_user_strategy_example_trades() -> None:
    env = {"GEKKO_STRATEGY_DIR": str(EXAMPLES / "strategies")}
    listed = gekko("strategies", "--json", env=env)
    assert "rsi-bands" in [s["name"] for s in json.loads(listed.stdout)]
    done = gekko("backtest", "--config", str(EXAMPLES / "rsi-bands.toml"), "--csv", str(SMALL_CSV), "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["performanceReport"]["trades"] > 0


@pytest.mark.timeout(900)  # starts the whole test stack when it runs alone
def test_the_sweep_space_runs_on_the_backtesters(stack, stack_env, binance_candles, tmp_path) -> None:
    out = tmp_path / "sweep.json"
    done = gekko(
        "sweep", "--config", str(EXAMPLES / "gekko-config.json"), "--space", str(EXAMPLES / "sweep-space.json"),
        "--output", str(out), env={**stack_env, "GEKKO_GATEWAY_URL": stack.gateway_url},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    space = json.loads((EXAMPLES / "sweep-space.json").read_text())
    results = json.loads(out.read_text())
    assert len(results) == len(space["MACD.short"]) * len(space["MACD.long"]) * len(
        space["MACD.thresholds.persistence"]
    )
    assert all("report" in r for r in results)


@pytest.mark.timeout(900)
def test_the_api_script_imports_and_backtests_through_rest_and_websocket(stack, stack_env) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "api_client.py"), stack.gateway_url],
        env={**os.environ, **stack_env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "import_update: {'latest': '2025-06-01T23:59:00Z', 'done': True}" in done.stdout
    assert "relativeProfit" in done.stdout
