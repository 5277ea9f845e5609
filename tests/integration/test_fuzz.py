"""The API fuzzed from its own OpenAPI document against the real stack (bounded here; ``make fuzz`` runs long).

GEKKO_FUZZ_EXAMPLES sets the examples per operation and generation mode (``make fuzz`` raises it).
"""

from __future__ import annotations

import os

import httpx
import pytest

from tests.fuzz.runner import Tally, fuzz_document, fuzz_hostile

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("GEKKO_FUZZ_EXAMPLES", "20"))
MIN_REQUESTS = int(os.environ.get("GEKKO_FUZZ_MIN_REQUESTS", "0"))


@pytest.mark.timeout(0)
def test_generated_and_hostile_requests_get_no_5xx_no_hang_and_json_errors_naming_the_field(stack) -> None:
    tally = Tally()
    fuzz_hostile(stack.gateway_url, tally)
    fuzz_document(stack.gateway_url, EXAMPLES, tally, seed=int(os.environ.get("GEKKO_FUZZ_SEED", "0")))
    print("\n" + tally.report())
    assert not tally.failures, "\n".join(tally.failures[:40])
    assert tally.total >= MIN_REQUESTS
    assert tally.classes["2xx"] > 0, tally.report()
    assert tally.classes["4xx"] > 0, tally.report()
    for name in ("gateway", "importer", "backtester", "runner"):
        assert stack.procs[name].alive, f"{name} died during the fuzz run"
    assert httpx.get(stack.gateway_url + "/readyz").status_code == 200
    assert httpx.post(stack.gateway_url + "/api/scansets", json={}).status_code == 200
