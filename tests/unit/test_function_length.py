"""The services keep their functions short (issue 11: none over 60 lines, decorators included)."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "services"
LIMIT = 60


def function_lengths() -> dict[str, int]:
    lengths = {}
    for path in sorted(SERVICES.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                assert node.end_lineno is not None
                lengths[f"{path.relative_to(SERVICES)}:{node.lineno} {node.name}"] = node.end_lineno - first + 1
    return lengths


def test_no_function_in_the_services_is_longer_than_60_lines() -> None:
    lengths = function_lengths()
    assert len(lengths) > 100  # the services were found
    assert {name: n for name, n in lengths.items() if n > LIMIT} == {}
