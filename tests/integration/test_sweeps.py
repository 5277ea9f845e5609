"""Sweeps as server-side jobs: POST /api/sweep, the backtesters' chunks, GET /api/sweeps, the CLI."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import subprocess
import sys
import time

import httpx
import pytest

from gekko_common.infra.localstack import free_port
from gekko_common.infra.store import CandleStore
from gekko_common.market import Market
from tests.conftest import FULL_CSV, Stack, read_candles_csv
from tests.conftest import reference as recorded

pytestmark = pytest.mark.integration

BINANCE = Market("binance", "USDT", "BTC")


def reference(name: str) -> dict:
    return recorded(f"backtests/{name}")


@pytest.fixture(scope="module")
def stack(stack_env, tmp_path_factory):
    """Sweeps need only the gateway and backtesters: this module runs its own pair (own HTTP port)."""
    port = free_port()
    env = {**stack_env, "GEKKO_HTTP_PORT": str(port), "GEKKO_GATEWAY_URL": f"http://127.0.0.1:{port}"}
    s = Stack(env, tmp_path_factory.mktemp("sweep-logs"))
    for name in ("backtester", "gateway"):
        s.start(name)
    yield s
    s.stop()


@pytest.fixture(scope="module")
async def binance_data(stack, database_url) -> None:
    store = await CandleStore.connect(database_url)
    await store.write(BINANCE, read_candles_csv(FULL_CSV))
    await store.close()


def macd_config() -> dict:
    return reference("026_MACD_cs60_h10_full.json")["request"]


async def finished(client: httpx.AsyncClient, url: str, sweep_id: str, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            answer = await client.get(f"{url}/api/sweeps/{sweep_id}", params={"results": "false"})
            if answer.status_code == 200 and answer.json()["finished"]:
                return (await client.get(f"{url}/api/sweeps/{sweep_id}")).json()
        except httpx.TransportError:
            pass  # the gateway is restarting
        await asyncio.sleep(0.2)
    raise AssertionError(f"sweep {sweep_id} did not finish in {timeout} s")


async def sweep(client: httpx.AsyncClient, url: str, body: dict) -> dict:
    answer = await client.post(url + "/api/sweep", json=body)
    assert answer.status_code == 200, answer.text
    return await finished(client, url, answer.json()["id"])


def single_backtest_config(base: dict, params: dict) -> dict:
    config = copy.deepcopy(base)
    for path, value in params.items():
        node = config
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return config


SPACES = {
    "025_DEMA": {"DEMA.weight": [10, 21], "DEMA.thresholds.up": [0.025, 0.1]},
    "026_MACD": {"MACD.short": [6, 10], "MACD.long": [21, 30]},
    "027_PPO": {"PPO.short": [8, 12], "PPO.thresholds.persistence": [0, 2]},
    "028_RSI": {"RSI.interval": [10, 14], "RSI.thresholds.high": [65, 70]},
    "029_StochRSI": {"StochRSI.interval": [3, 7], "StochRSI.thresholds.low": [20, 30]},
    "030_CCI": {"CCI.constant": [0.015, 0.02], "CCI.history": [60, 90]},
    "031_TSI": {"TSI.short": [9, 13], "TSI.thresholds.high": [20, 25]},
    "032_UO": {"UO.first.period": [5, 7], "UO.thresholds.low": [25, 30]},
    "033_TMA": {"TMA.short": [5, 7], "TMA.long": [18, 25]},
    "034_varPPO": {"varPPO.thresholds.weightLow": [100, 140], "varPPO.thresholds.persistence": [0, 1]},
}


@pytest.mark.parametrize("case", sorted(SPACES))
async def test_sweep_results_equal_single_backtests_for_every_compiled_strategy(stack, binance_data, case) -> None:
    base = reference(f"{case}_cs60_h10_full.json")["request"]
    space = SPACES[case]
    async with httpx.AsyncClient(timeout=120) as client:
        record = await sweep(client, stack.gateway_url, {"config": base, "space": space})
        assert record["error"] is None
        assert record["done"] == record["total"] == 4
        assert [r["index"] for r in record["results"]] == [0, 1, 2, 3]
        for r in record["results"][::3]:
            answer = await client.post(
                stack.gateway_url + "/api/backtest", json=single_backtest_config(base, r["params"])
            )
            assert answer.status_code == 200, answer.text
            assert r["report"] == answer.json().get("performanceReport")


async def test_interpreted_strategy_sweeps_like_single_backtests(stack, binance_data) -> None:
    base = macd_config()
    base["tradingAdvisor"] = {"enabled": True, "method": "varPPO", "candleSize": 60, "historySize": 10}
    base["varPPO"] = {"momentum": "RSI", "thresholds": {"weightLow": 120, "weightHigh": -120, "persistence": 0}}
    space = {"varPPO.thresholds.weightLow": [60, 120, 180]}
    async with httpx.AsyncClient(timeout=120) as client:
        record = await sweep(client, stack.gateway_url, {"config": base, "space": space})
        assert record["done"] == 3
        for r in record["results"]:
            answer = await client.post(
                stack.gateway_url + "/api/backtest", json=single_backtest_config(base, r["params"])
            )
            assert r["report"] == answer.json().get("performanceReport")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b["space"].update({"MACD.shrot": [5, 10]}), "space.MACD.shrot"),
        (lambda b: b["space"].update({"MACD.short": ["five"]}), "space.MACD.short"),
        (lambda b: b["space"].update({"MACD.short": {"min": 10, "max": 5}}), "space.MACD.short"),
        (lambda b: b.update(objective="profitt"), "objective"),
        (lambda b: b.update(search={"method": "annealing"}), "search.method"),
        (lambda b: b.update(search={"method": "tpe", "trials": 0}), "search.trials"),
        (lambda b: b["config"]["tradingAdvisor"].update(method="NoSuch"), "config.tradingAdvisor.method"),
        (lambda b: b.update(split={"train": {"from": "2025-06-01"}}), "split.train.to"),
        (lambda b: b.pop("space"), "space"),
    ],
)
def test_bad_sweep_gets_400_naming_the_field_and_starts_nothing(stack, change, field) -> None:
    body = {"config": macd_config(), "space": {"MACD.short": [5, 10]}, "objective": "relativeProfit"}
    change(body)
    before = httpx.get(stack.gateway_url + "/api/sweeps").json()
    answer = httpx.post(stack.gateway_url + "/api/sweep", json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == field
    assert httpx.get(stack.gateway_url + "/api/sweeps").json() == before


def gekko(stack, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gekko_common.cli.main", "sweep", *args],
        env={**os.environ, **stack.env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_sweep_cli_writes_json_csv_parquet_and_heatmap_with_out_of_sample_columns(
    stack, binance_data, tmp_path
) -> None:
    import polars as pl

    (tmp_path / "base.json").write_text(json.dumps(macd_config()))
    done = gekko(
        stack,
        "--config", str(tmp_path / "base.json"),
        "--grid", "MACD.short=6..12:3",
        "--grid", "MACD.long=21,30",
        "--rank-by", "sharpe",
        "--train", "2025-05-20T00:00:00Z..2025-07-15T00:00:00Z",
        "--test", "2025-07-15T00:00:00Z..2025-08-18T00:00:00Z",
        "--output", str(tmp_path / "out.json"),
        "--csv", str(tmp_path / "out.csv"),
        "--parquet", str(tmp_path / "out.parquet"),
        "--heatmap", str(tmp_path / "map.png"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "6 backtests in" in done.stdout
    assert "sharpe (in)" in done.stdout
    assert "sharpe (out)" in done.stdout
    rows = json.loads((tmp_path / "out.json").read_text())
    assert {"params", "report", "metrics", "objectives", "oos"} <= set(rows[0])
    sharpes = [r["objectives"]["sharpe"] for r in rows]
    assert sharpes == sorted(sharpes, reverse=True)
    assert set(rows[0]["report"]) == set(reference("026_MACD_cs60_h10_full.json")["response"]["performanceReport"])
    csv = pl.read_csv(tmp_path / "out.csv")
    assert csv.height == 6
    assert {"MACD.short", "objective.sharpe", "oos.sharpe", "metrics.maxDrawdown"} <= set(csv.columns)
    assert pl.read_parquet(tmp_path / "out.parquet").height == 6
    assert (tmp_path / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sweep_cli_refuses_a_typo_before_anything_runs(stack, tmp_path) -> None:
    (tmp_path / "base.json").write_text(json.dumps(macd_config()))
    before = httpx.get(stack.gateway_url + "/api/sweeps").json()
    typo = gekko(stack, "--config", str(tmp_path / "base.json"), "--grid", "MACD.shrot=5,10")
    assert typo.returncode == 2
    assert "MACD.shrot" in typo.stderr
    objective = gekko(stack, "--config", str(tmp_path / "base.json"), "--grid", "MACD.short=5,10", "--rank-by", "x")
    assert objective.returncode == 2
    assert "objective" in objective.stderr
    assert httpx.get(stack.gateway_url + "/api/sweeps").json() == before


def test_sweep_cli_detaches_and_attaches(stack, binance_data, tmp_path) -> None:
    (tmp_path / "base.json").write_text(json.dumps(macd_config()))
    detached = gekko(stack, "--config", str(tmp_path / "base.json"), "--grid", "MACD.signal=5..9", "--detach")
    assert detached.returncode == 0, detached.stderr
    sweep_id = detached.stdout.strip()
    attached = gekko(stack, "--attach", sweep_id, "--output", str(tmp_path / "out.json"))
    assert attached.returncode == 0, attached.stderr
    assert "5 backtests in" in attached.stdout
    assert len(json.loads((tmp_path / "out.json").read_text())) == 5
    listed = httpx.get(stack.gateway_url + "/api/sweeps").json()
    assert any(s["id"] == sweep_id and s["finished"] and s["done"] == 5 for s in listed)


async def test_optuna_search_of_500_trials_is_reproducible_with_its_seed(stack, binance_data) -> None:
    body = {
        "config": macd_config(),
        "space": {"MACD.short": {"min": 3, "max": 20}, "MACD.long": {"min": 15, "max": 60},
                  "MACD.signal": {"min": 3, "max": 15}},
        "objective": "relativeProfit",
        "search": {"method": "tpe", "trials": 500, "seed": 7, "batch": 50},
    }  # fmt: skip
    async with httpx.AsyncClient(timeout=120) as client:
        first, second = [await sweep(client, stack.gateway_url, body) for _ in range(2)]
        other = await sweep(client, stack.gateway_url, {**body, "search": {**body["search"], "seed": 8}})
    assert first["done"] == second["done"] == 500
    assert [r["params"] for r in first["results"]] == [r["params"] for r in second["results"]]
    assert [r["report"] for r in first["results"]] == [r["report"] for r in second["results"]]
    assert [r["params"] for r in first["results"]] != [r["params"] for r in other["results"]]
    assert first["best"] == second["best"]


async def test_a_sweep_survives_kill_9_of_a_backtester_and_of_the_gateway(stack, binance_data) -> None:
    for name in ("backtester", "backtester-2"):
        if name not in stack.procs or not stack.procs[name].alive:
            stack.start(name)
    body = {
        "config": macd_config(),
        "space": {"MACD.short": {"min": 3, "max": 27}, "MACD.long": {"min": 20, "max": 59},
                  "MACD.signal": {"min": 3, "max": 12}},
    }  # fmt: skip
    async with httpx.AsyncClient(timeout=120) as client:
        answer = await client.post(stack.gateway_url + "/api/sweep", json=body)
        assert answer.status_code == 200, answer.text
        sweep_id = answer.json()["id"]
        assert answer.json()["total"] == 10_000
        for _ in range(600):
            progress = (await client.get(f"{stack.gateway_url}/api/sweeps/{sweep_id}?results=false")).json()
            if progress["done"] > 0:
                break
            await asyncio.sleep(0.05)
        assert 0 < progress["done"] < 10_000, progress
        stack.procs["backtester"].kill()
        stack.procs["gateway"].kill()
        stack.start("gateway")
        record = await finished(client, stack.gateway_url, sweep_id)
    stack.start("backtester")
    assert record["error"] is None
    indexes = [r["index"] for r in record["results"]]
    assert indexes == list(range(10_000))
    assert record["done"] == 10_000
