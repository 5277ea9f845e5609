"""``gekko strategies``, ``gekko new-strategy NAME``, ``gekko new-config``: starting points."""

from __future__ import annotations

import keyword
import re
from pathlib import Path

import click

from gekko_common.cli.common import CliError, make_output, output_options

STRATEGY_TEMPLATE = '''"""{title}: a user strategy (put this file in GEKKO_STRATEGY_DIR)."""

from gekko_common.engine import Strategy, register


@register
class {cls}(Strategy):
    """Long when the fast EMA is above the slow one, short when below: replace with your idea."""

    name = "{name}"  # the tradingAdvisor.method that selects this strategy
    params = "fast = 10\\nslow = 30\\n"  # default parameters (TOML), shown by the UI and `gekko strategies`

    def init(self):
        self.addIndicator("fast", "EMA", self.settings["fast"])
        self.addIndicator("slow", "EMA", self.settings["slow"])

    def check(self, candle):
        fast, slow = self.indicators["fast"].result, self.indicators["slow"].result
        self.advice("long" if fast > slow else "short")
'''

CONFIG_TEMPLATE = """// A Gekko config for `gekko backtest --config {file}` (the same keys as Gekko's own config.js).
// Evaluated as JavaScript: comments, expressions and module.exports work as in Gekko.
var config = {{}};

// The market: exchange slug, quote currency, base asset. Candles come from the store
// (`gekko import` or `gekko import-csv` first).
config.watch = {{ exchange: 'binance', currency: 'USDT', asset: 'BTC' }};

// The strategy: its name (`gekko strategies` lists them), the candle size in minutes and the
// number of candles it needs to warm up.
config.tradingAdvisor = {{ enabled: true, method: 'MACD', candleSize: 60, historySize: 10 }};

// The strategy's parameters, under its name.
config.MACD = {{ short: 10, long: 21, signal: 9, thresholds: {{ down: -0.025, up: 0.025, persistence: 1 }} }};

// Simulated trading: fees in percent, the starting portfolio.
config.paperTrader = {{
  enabled: true,
  feeMaker: 0.15,
  feeTaker: 0.25,
  feeUsing: 'maker',
  slippage: 0.05,
  simulationBalance: {{ asset: 1, currency: 100 }},
}};

// Sharpe ratio against this yearly risk-free return (percent).
config.performanceAnalyzer = {{ enabled: true, riskFreeReturn: 5 }};

// The dates: 'scan' uses the market's one stored range; or give {{ from, to }} in UTC.
config.backtest = {{ daterange: 'scan', batchSize: 50 }};
// config.backtest.daterange = {{ from: '2025-05-20 00:00', to: '2025-06-20 00:00' }};

module.exports = config;
"""


@click.command("strategies")
@output_options
def strategies_command(as_json: bool, verbose: bool) -> None:
    """List the strategies (built-in and GEKKO_STRATEGY_DIR's) with their default parameters.

    \b
    Examples:
      gekko strategies
      GEKKO_STRATEGY_DIR=./my-strategies gekko strategies --json
    """
    from gekko_common.engine import strategy_catalog
    from gekko_common.errors import EngineError
    from gekko_common.settings import Settings

    out = make_output(as_json, verbose)
    directory = Settings.from_env().strategy_dir
    out.note(f"strategies built in and from GEKKO_STRATEGY_DIR={directory}")
    try:
        catalog = strategy_catalog(directory)
    except EngineError as exc:
        raise CliError(str(exc)) from None
    out.emit(catalog)
    if not out.json:
        for entry in catalog:
            params = ", ".join(
                line.strip() for line in entry["params"].splitlines() if "=" in line and not line.startswith("#")
            )
            click.echo(f"{entry['name']:<20} {params}")


def _class_name(name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", name)
    cls = "".join(w[:1].upper() + w[1:] for w in words)
    if not cls or cls[0].isdigit() or keyword.iskeyword(cls):
        raise CliError(f"{name!r} cannot name a strategy: use letters, digits, - and _, starting with a letter")
    return cls


def _write_new(path: Path, text: str, force: bool) -> None:
    if path.exists() and not force:
        raise CliError(f"{path} exists; pass --force to overwrite it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    except OSError as exc:
        raise CliError(f"{path}: {exc.strerror}") from None


@click.command("new-strategy")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="GEKKO_STRATEGY_DIR",
    default="strategies",
    show_default="GEKKO_STRATEGY_DIR or ./strategies",
    help="where to write it",
)
@click.option("--force", is_flag=True, help="overwrite an existing file")
def new_strategy_command(name: str, directory: Path, force: bool) -> None:
    """Write a strategy template NAME.py to start from (an EMA crossing with two parameters).

    \b
    Examples:
      gekko new-strategy my-crossing
      gekko new-strategy breakout --dir ./strategies && GEKKO_STRATEGY_DIR=./strategies gekko strategies
    """
    cls = _class_name(name)
    path = directory / (re.sub(r"[^A-Za-z0-9_]", "_", name) + ".py")
    _write_new(path, STRATEGY_TEMPLATE.format(title=name, cls=cls, name=name), force)
    click.echo(
        f"wrote {path}: strategy {name!r}; set GEKKO_STRATEGY_DIR={directory} and use tradingAdvisor.method = {name!r}"
    )


@click.command("new-config")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), default="config.js")
@click.option("--force", is_flag=True, help="overwrite an existing file")
def new_config_command(file: Path, force: bool) -> None:
    """Write a commented Gekko config (config.js by default) for `gekko backtest --config`.

    \b
    Examples:
      gekko new-config
      gekko new-config my-backtest.js && gekko backtest --config my-backtest.js
    """
    _write_new(file, CONFIG_TEMPLATE.format(file=file.name), force)
    click.echo(f"wrote {file}; edit watch, tradingAdvisor and backtest.daterange, then: gekko backtest --config {file}")
