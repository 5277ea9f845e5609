"""The ``gekko`` command line without servers: framework, config.js, stack discovery, reports, supervision."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from gekko_common.cli import stackinfo
from gekko_common.cli.backtest import load_config
from gekko_common.cli.main import COMMANDS, gekko
from gekko_common.cli.report import extra_metrics, format_value, max_drawdown, units_of
from gekko_common.infra.localstack import ServerStartError, clear_stale_locks, free_port
from gekko_common.infra.procs import Supervisor
from gekko_common.version import VERSION
from tests.conftest import SMALL_CSV

# A Gekko config.js written from the structure Gekko documents for its sample config: a `config`
# object built key by key, plugin sections the server ignores, a require() of a helper module,
# and CommonJS module.exports. Only the market and the dates are this test's own.
GEKKO_STYLE_CONFIG_JS = """
// Everything is explained in the docs
var config = {};

config.debug = true;

config.watch = {
  exchange: 'binance',
  currency: 'USDT',
  asset: 'BTC',
};

config.tradingAdvisor = {
  enabled: true,
  method: 'MACD',
  candleSize: 60,
  historySize: 10,
};

config.MACD = {
  short: 10,
  long: 21,
  signal: 9,
  thresholds: { down: -0.025, up: 0.025, persistence: 1 },
};

config.paperTrader = {
  enabled: true,
  reportInCurrency: true,
  simulationBalance: { asset: 1, currency: 100 },
  feeMaker: 0.15,
  feeTaker: 0.25,
  feeUsing: 'maker',
  slippage: 0.05,
};

config.performanceAnalyzer = { enabled: true, riskFreeReturn: 5 };
config.trader = { enabled: false, key: '', secret: '', username: '', passphrase: '' };
config.adviceLogger = { enabled: false, muteSoft: true };
config.pushover = { enabled: false, sendPushoverOnStart: false, muteSoft: true, tag: '[GEKKO]', key: '', user: '' };
config.candleWriter = { enabled: false };
config.adviceWriter = { enabled: false, muteSoft: true };

config.adapter = 'sqlite';
config.sqlite = {
  path: 'plugins/sqlite',
  dataDirectory: 'history',
  version: 0.1,
  journalMode: require('./web/isWindows.js') ? 'DELETE' : 'WAL',
  dependencies: [],
};

config.backtest = {
  daterange: { from: '2025-05-20 00:00:00', to: '2025-05-22 23:59:00' },
  batchSize: 50,
};

config.importer = { daterange: { from: '2017-11-01 00:00:00' } };

config['I understand that Gekko only automates MY OWN trading strategies'] = false;

module.exports = config;
"""


def gekko_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gekko_common.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def test_version_prints_the_version() -> None:
    result = CliRunner().invoke(gekko, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"gekko {VERSION}"


def test_help_lists_every_command_and_each_command_and_flag_has_help() -> None:
    top = CliRunner().invoke(gekko, ["--help"])
    assert top.exit_code == 0
    for name in COMMANDS:
        assert name in top.output
        command = gekko.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None, name
        assert command.help, name
        assert "Example" in command.help, name
        for param in command.params:
            if param.param_type_name == "option":
                assert param.help, f"{name} {param.opts}"


def test_shell_completion_script_is_generated() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gekko_common.cli.main"],
        env={**os.environ, "_GEKKO_COMPLETE": "bash_source"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "complete -o nosort -F" in done.stdout


def test_help_imports_no_heavy_module() -> None:
    code = (
        "import sys\nfrom gekko_common.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('numba', 'polars', 'nats', 'asyncpg', 'gekko_common.engine', 'matplotlib') if m in sys.modules], file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stderr.strip() == "[]"


def test_gekko_config_js_evaluates_to_its_module_exports(tmp_path) -> None:
    path = tmp_path / "sample-config.js"
    path.write_text(GEKKO_STYLE_CONFIG_JS)
    config = load_config(path)
    assert config["watch"] == {"exchange": "binance", "currency": "USDT", "asset": "BTC"}
    assert config["tradingAdvisor"]["method"] == "MACD"
    assert config["sqlite"]["journalMode"] == "DELETE"
    assert config["backtest"]["daterange"]["from"] == "2025-05-20 00:00:00"


def test_a_broken_config_js_is_one_line_naming_the_file(tmp_path) -> None:
    path = tmp_path / "config.js"
    path.write_text("var config = {;\nmodule.exports = config;\n")
    done = gekko_cli("backtest", "--config", str(path), "--csv", str(SMALL_CSV))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert "config.js: JavaScript error: SyntaxError" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_config_js_that_loops_for_ever_is_stopped(tmp_path) -> None:
    path = tmp_path / "config.js"
    path.write_text("while (true) {}\n")
    with pytest.raises(ValueError, match="JavaScript error"):
        load_config(path)


def test_backtest_of_a_gekko_config_js_on_a_csv_prints_a_readable_report(tmp_path) -> None:
    (tmp_path / "config.js").write_text(GEKKO_STYLE_CONFIG_JS)
    done = gekko_cli(
        "backtest",
        "--config",
        str(tmp_path / "config.js"),
        "--csv",
        str(SMALL_CSV),
        "--output",
        str(tmp_path / "r.json"),
    )
    assert done.returncode == 0, done.stderr
    assert "USDT" in done.stdout
    assert "%" in done.stdout
    assert "Roundtrips (" in done.stdout
    assert "max drawdown" in done.stdout
    result = json.loads((tmp_path / "r.json").read_text())
    assert set(result["extraMetrics"]) >= {"maxDrawdown", "sortino", "winRate", "profitFactor", "exposure"}
    assert "maxDrawdown" not in result["performanceReport"]  # Gekko's report stays the original's


def test_backtest_json_is_one_document_and_dates_can_be_overridden(tmp_path) -> None:
    (tmp_path / "config.js").write_text(GEKKO_STYLE_CONFIG_JS)
    done = gekko_cli(
        "backtest", "--config", str(tmp_path / "config.js"), "--csv", str(SMALL_CSV),
        "--from", "2025-05-21", "--to", "2025-05-22T12:00Z", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["performanceReport"]["startTime"].startswith("2025-05-21")
    assert "extraMetrics" in result


def test_backtest_with_a_bad_date_is_one_line_not_a_traceback(tmp_path) -> None:
    (tmp_path / "config.js").write_text(GEKKO_STYLE_CONFIG_JS)
    done = gekko_cli(
        "backtest", "--config", str(tmp_path / "config.js"), "--csv", str(SMALL_CSV), "--from", "yesterday"
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert "backtest.daterange.from" in done.stderr
    assert "yesterday" in done.stderr


def test_plot_writes_png_and_html(tmp_path) -> None:
    (tmp_path / "config.js").write_text(GEKKO_STYLE_CONFIG_JS)
    for name in ("run.png", "run.html"):
        done = gekko_cli(
            "backtest", "--config", str(tmp_path / "config.js"), "--csv", str(SMALL_CSV), "--plot", str(tmp_path / name)
        )
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "run.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (tmp_path / "run.html").read_text()
    assert "<svg" in page
    assert "relativeProfit" in page
    assert "<script" not in page


def test_new_config_and_new_strategy_make_a_backtest_that_runs(tmp_path) -> None:
    assert gekko_cli("new-config", "my.js", cwd=tmp_path).returncode == 0
    assert gekko_cli("new-strategy", "my-cross", "--dir", "strats", cwd=tmp_path).returncode == 0
    assert gekko_cli("new-config", "my.js", cwd=tmp_path).returncode == 1  # no silent overwrite
    text = (tmp_path / "my.js").read_text().replace("method: 'MACD'", "method: 'my-cross'")
    (tmp_path / "my.js").write_text(text)
    env = {"GEKKO_STRATEGY_DIR": str(tmp_path / "strats")}
    listed = gekko_cli("strategies", "--json", env=env)
    assert {"name": "my-cross", "params": "fast = 10\nslow = 30\n"} in json.loads(listed.stdout)
    done = gekko_cli("backtest", "--config", "my.js", "--csv", str(SMALL_CSV), "--json", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["tradingAdvisor"]["method"] == "my-cross"


def test_report_values_are_rounded_with_units() -> None:
    units = units_of({"watch": {"currency": "USDT", "asset": "BTC"}})
    assert format_value("balance", 103865.23300424, units) == "103,865.23 USDT"
    assert format_value("relativeProfit", -1.4427827562975324, units) == "-1.44 %"
    assert format_value("exposure", 0.5321150228433217, units).startswith("53.21 %")
    assert format_value("sharpe", -109.3146953818662, units) == "-109.31"


def test_max_drawdown_is_the_largest_fall_from_a_peak() -> None:
    assert max_drawdown([100, 120, 90, 130, 117]) == pytest.approx(25.0)
    assert max_drawdown([1, 2, 3]) == 0.0


def test_extra_metrics_of_known_roundtrips() -> None:
    result = {
        "performanceReport": {"exposure": 0.5},
        "roundtrips": [{"pnl": 30.0, "profit": 3.0}, {"pnl": -10.0, "profit": -1.0}, {"pnl": 10.0, "profit": 1.0}],
        "trades": [{"date": 120, "portfolio": {"asset": 0, "currency": 90}}],
        "stratCandles": [{"start": 60, "close": 10.0}, {"start": 120, "close": 20.0}, {"start": 180, "close": 5.0}],
    }
    config = {"paperTrader": {"simulationBalance": {"asset": 1, "currency": 100}}}
    metrics = extra_metrics(result, config)
    assert metrics["winRate"] == pytest.approx(200 / 3)
    assert metrics["profitFactor"] == pytest.approx(4.0)
    assert metrics["sortino"] == pytest.approx(1.0 / (1 / 3) ** 0.5)
    assert metrics["exposure"] == 50.0
    # equity 110, then 90 after the sale at 120 (valued in currency), 90: down 18.18 % from 110
    assert metrics["maxDrawdown"] == pytest.approx(20 / 110 * 100)


def test_stack_addresses_come_from_the_variable_then_the_running_stack_then_the_default(tmp_path) -> None:
    env = {"GEKKO_DATA_DIR": str(tmp_path)}
    assert stackinfo.resolve(env)["nats"].url == "nats://127.0.0.1:4222"
    stackinfo.record(tmp_path, {"nats": "nats://127.0.0.1:14222", "gateway": "http://127.0.0.1:13000"})
    found = stackinfo.resolve(env)
    assert found["nats"].url == "nats://127.0.0.1:14222"
    assert "stack.json" in found["nats"].source
    assert found["database"].url.endswith(":5432/gekko")
    assert stackinfo.resolve({**env, "GEKKO_NATS_URL": "nats://127.0.0.1:1"})["nats"].source == "GEKKO_NATS_URL"
    (tmp_path / "stack.json").write_text(json.dumps({"pid": 2**22 + 17, "nats": "nats://127.0.0.1:14222"}))
    assert stackinfo.resolve(env)["nats"].url == "nats://127.0.0.1:4222"  # its gekko up is gone


def test_every_command_with_nothing_listening_fails_in_one_line_naming_address_and_variable(tmp_path) -> None:
    closed = free_port()
    env = {
        "GEKKO_DATA_DIR": str(tmp_path / "none"),
        "GEKKO_NATS_URL": f"nats://127.0.0.1:{closed}",
        "GEKKO_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{closed}/gekko",
        "GEKKO_GATEWAY_URL": f"http://127.0.0.1:{closed}",
    }
    (tmp_path / "c.json").write_text(json.dumps({"watch": {"exchange": "binance", "currency": "USDT", "asset": "BTC"}}))
    commands = {
        "GEKKO_NATS_URL": [
            ["backtest", "--config", "c.json"],
        ],
        "GEKKO_DATABASE_URL": [
            ["backtest", "--config", "c.json", "--local"],
            ["import-csv", str(SMALL_CSV), "--exchange", "x", "--currency", "y", "--asset", "z"],
            ["export-csv", "o.csv", "--exchange", "x", "--currency", "y", "--asset", "z"],
        ],
        "GEKKO_GATEWAY_URL": [
            ["import", "--exchange", "binance", "--pair", "USDT/BTC", "--from", "2025-05-20"],
            ["sweep", "--config", "c.json", "--grid", "MACD.short=5"],  # a sweep is a job behind the gateway
        ],
    }
    for variable, runs in commands.items():
        for args in runs:
            started = time.monotonic()
            done = gekko_cli(*args, cwd=tmp_path, env=env)
            assert time.monotonic() - started < 60  # the bound itself (15 s) is measured by the acceptance test
            assert done.returncode == 1, (args, done.stderr)
            assert done.stderr.count("\n") == 1, (args, done.stderr)
            assert f"127.0.0.1:{closed}" in done.stderr, (args, done.stderr)
            assert variable in done.stderr, (args, done.stderr)


def test_clearing_stale_locks_removes_those_of_a_dead_postmaster_only(tmp_path) -> None:
    data, sock = tmp_path / "data", tmp_path / "data.sock"
    data.mkdir()
    sock.mkdir()
    (data / "postmaster.pid").write_text(f"{2**22 + 17}\n{data}\n")
    (sock / ".s.PGSQL.5432.lock").write_text(f"{2**22 + 17}\n")
    (sock / ".s.PGSQL.5432").write_text("")
    clear_stale_locks(data, sock)
    assert not (data / "postmaster.pid").exists()
    assert list(sock.iterdir()) == []
    # a live process working in the data directory with its pid in postmaster.pid: a running server
    live = subprocess.Popen(["sleep", "30"], cwd=data)
    try:
        (data / "postmaster.pid").write_text(f"{live.pid}\n")
        with pytest.raises(ServerStartError, match="already runs"):
            clear_stale_locks(data, sock)
        assert (data / "postmaster.pid").exists()
    finally:
        live.kill()
        live.wait()


def test_clearing_stale_locks_kills_leftover_backends_of_a_killed_postmaster(tmp_path) -> None:
    data, sock = tmp_path / "data", tmp_path / "data.sock"
    data.mkdir()
    sock.mkdir()
    leftover = subprocess.Popen(["sleep", "30"], cwd=data)
    (data / "postmaster.pid").write_text(f"{2**22 + 17}\n")
    clear_stale_locks(data, sock)
    assert leftover.wait(5) == -signal.SIGKILL
    assert not (data / "postmaster.pid").exists()


class Sleeper:
    """A child that exits after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> Sleeper:
        self.starts += 1
        self.proc = subprocess.Popen(["sleep", str(self.seconds)])
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


def test_supervisor_restarts_a_dead_child_with_growing_back_off_and_says_so() -> None:
    lines: list[str] = []
    supervisor = Supervisor(announce=lines.append, min_backoff=0.2, max_backoff=0.8, stable_after=60)
    child = Sleeper(0).start()
    supervisor.add("quick", child, tier=0)
    deadline = time.monotonic() + 20
    while child.starts < 4 and time.monotonic() < deadline:
        supervisor.check()
        time.sleep(0.02)
    supervisor.stop()
    waits = [float(line.split("restarting in ")[1].split(" s")[0]) for line in lines if "restarting in" in line]
    assert waits[:3] == [0.4, 0.8, 0.8]
    assert any(line.startswith("quick restarted (pid ") for line in lines)
    assert lines[0] == "quick exited with code 0; restarting in 0.4 s"


def test_supervisor_stops_children_in_parallel_higher_tier_first() -> None:
    spans: dict[str, tuple[float, float]] = {}

    class Slow(Sleeper):
        def __init__(self, name: str) -> None:
            super().__init__(30)
            self.name = name

        def stop(self) -> None:
            began = time.monotonic()
            time.sleep(0.3)
            super().stop()
            spans[self.name] = (began, time.monotonic())

    supervisor = Supervisor(announce=lambda _: None)
    for i in range(4):
        supervisor.add(f"service-{i}", Slow(f"service-{i}").start(), tier=1)
    supervisor.add("server", Slow("server").start(), tier=0)
    supervisor.stop()
    services = [spans[f"service-{i}"] for i in range(4)]
    assert max(b for b, _ in services) < min(e for _, e in services)  # all four stopping at once
    assert spans["server"][0] >= max(e for _, e in services)  # the server only after them
