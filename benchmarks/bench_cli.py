"""The command line's start-up: ``gekko --help`` and ``gekko --version`` wall time, and what they import.

Run: ``.venv/bin/python benchmarks/bench_cli.py``. Target (issue 15): ``gekko --help`` < 0.3 s. The
help imports click and the command table only; no engine, polars, numba or NATS client.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time

HEAVY = ("numba", "numpy", "polars", "nats", "asyncpg", "gekko_common.engine", "matplotlib", "rich")
RUNS = 9
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""As on a user's machine: Python keeps the compiled modules (some sandboxes switch that off)."""


def timed(cmd: list[str]) -> tuple[float, float]:
    """Median (wall, CPU) seconds of a command; CPU time (user + system of the child) is what a busy
    machine does not inflate."""
    walls, cpus = [], []
    subprocess.run(cmd, check=True, capture_output=True, env=ENV)  # warm-up: writes the bytecode caches
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=ENV)
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def heavy_imports() -> list[str]:
    """Heavy modules loaded by ``gekko --help`` (should be none)."""
    code = (
        "import sys\nfrom gekko_common.cli.main import gekko\n"
        "try:\n    gekko.main(['--help'], prog_name='gekko')\nexcept SystemExit:\n    pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return [m for m in done.stderr.strip().split(",") if m]


def main() -> None:
    gekko = [sys.executable, "-m", "gekko_common.cli.main"]
    rows = {
        "python -c pass (for scale)": timed([sys.executable, "-c", "pass"]),
        "gekko --help (target < 300 ms)": timed([*gekko, "--help"]),
        "gekko --version": timed([*gekko, "--version"]),
        "gekko backtest --help": timed([*gekko, "backtest", "--help"]),
    }
    print(f"{'median of ' + str(RUNS):<32} {'wall ms':>8} {'CPU ms':>8}")
    for name, (wall_s, cpu_s) in rows.items():
        print(f"{name:<32} {wall_s * 1000:8.0f} {cpu_s * 1000:8.0f}")
    heavy = heavy_imports()
    print(f"heavy modules under --help: {', '.join(heavy) or 'none'}")
    if heavy:
        sys.exit(1)


if __name__ == "__main__":
    main()
