"""Services that only parse configs and dates do not load the engine's compiled kernels."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["gekko_gateway.app", "gekko_importer.app"])
def test_service_does_not_import_numba(module: str) -> None:
    code = f"import sys, {module}; assert 'numba' not in sys.modules, sorted(m for m in sys.modules if 'numba' in m)"
    subprocess.run([sys.executable, "-c", code], check=True)
