"""The candle migration's two paths: TimescaleDB hypertable when the extension exists, plain table otherwise."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import gekko_common.infra

MIGRATION = Path(gekko_common.infra.__file__).parent / "migrations" / "versions" / "0001_candles.py"


class FakeOp:
    """Records the SQL a migration issues; answers the extension probe."""

    def __init__(self, timescale: bool) -> None:
        self.timescale = timescale
        self.sql: list[str] = []

    def execute(self, sql: str) -> None:
        self.sql.append(" ".join(sql.split()))

    def get_bind(self) -> Any:
        op = self

        class Bind:
            def execute(self, _: Any) -> Any:
                class Result:
                    def scalar(self) -> int:
                        return 1 if op.timescale else 0

                return Result()

        return Bind()


def load(op: FakeOp) -> ModuleType:
    spec = importlib.util.spec_from_file_location("migration_0001", MIGRATION)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.op = op  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize("timescale", [True, False])
def test_upgrade_creates_the_keyed_candle_table_on_both_paths(timescale: bool) -> None:
    op = FakeOp(timescale)
    load(op).upgrade()
    create = next(s for s in op.sql if s.startswith("CREATE TABLE candles"))
    assert "PRIMARY KEY (exchange, currency, asset, start)" in create


def test_upgrade_with_timescale_makes_a_compressed_hypertable() -> None:
    op = FakeOp(True)
    load(op).upgrade()
    joined = "\n".join(op.sql)
    assert "CREATE EXTENSION IF NOT EXISTS timescaledb" in joined
    assert "create_hypertable('candles', 'start'" in joined
    assert "set_integer_now_func('candles'" in joined
    assert "timescaledb.compress_segmentby = 'exchange, currency, asset'" in joined
    assert "add_compression_policy('candles'" in joined
    # the hypertable is made before compression is configured on it
    assert joined.index("create_hypertable") < joined.index("timescaledb.compress,")


def test_upgrade_without_timescale_issues_no_timescale_call() -> None:
    op = FakeOp(False)
    load(op).upgrade()
    assert not any("timescale" in s or "hypertable" in s for s in op.sql)
