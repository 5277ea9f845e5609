"""The OpenAPI document litestar generates from the typed routes: valid 3.1, every /api route with
typed bodies, the recorded answers of the original valid against it, and a page that needs no internet."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
from litestar.testing import TestClient
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from gekko_common.settings import Settings
from gekko_gateway.app import build_app
from gekko_gateway.relay import Relay
from tests.conftest import REFERENCE, load_reference

GEKKO_ROUTES = {
    ("get", "/api/info"),
    ("get", "/api/strategies"),
    ("get", "/api/configPart/{part}"),
    ("post", "/api/backtest"),
    ("get", "/api/exchanges"),
    ("get", "/api/imports"),
    ("post", "/api/scan"),
    ("post", "/api/scansets"),
    ("post", "/api/getCandles"),
    ("post", "/api/import"),
    ("get", "/api/gekkos"),
    ("post", "/api/startGekko"),
    ("post", "/api/stopGekko"),
    ("post", "/api/deleteGekko"),
    ("get", "/api/apiKeys"),
    ("post", "/api/addApiKey"),
    ("post", "/api/removeApiKey"),
}
SWEEP_ROUTES = {("post", "/api/sweep"), ("get", "/api/sweeps"), ("get", "/api/sweeps/{sweep_id}")}
"""This project's routes beside Gekko's 17 (docs/sweeps.md)."""
API_ROUTES = GEKKO_ROUTES | SWEEP_ROUTES


@pytest.fixture(scope="module")
def client() -> Any:
    runtime = SimpleNamespace(nc=None, js=None)
    with TestClient(app=build_app(Settings.from_env(), runtime, Relay()), base_url="http://127.0.0.1:3000") as c:
        yield c


@pytest.fixture(scope="module")
def document(client) -> dict[str, Any]:
    answer = client.get("/schema/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def test_document_is_valid_openapi_3_1(document) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_api_route_is_listed_and_nothing_else(document) -> None:
    listed = {(method, path) for path, item in document["paths"].items() for method in item}
    assert listed == API_ROUTES


def test_every_body_and_answer_is_typed(document) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
            assert "$ref" in answer or answer.get("type") == "array", (method, path, answer)
            if method == "post":
                body = operation["requestBody"]["content"]["application/json"]["schema"]
                assert "$ref" in json.dumps(body) or body.get("type") == "object", (path, body)
            for status, response in operation["responses"].items():
                if status != "200":
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorBody"
                    }


def answer_validator(document: dict[str, Any], method: str, path: str) -> Any:
    schema = document["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    return OAS31Validator({**schema, "components": document["components"]})


def route_of(document: dict[str, Any], url: str) -> str | None:
    for path in document["paths"]:
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", path), url):
            return path
    return None


def test_every_successful_recorded_answer_of_the_original_fits_the_document(document) -> None:
    checked = 0
    for file in sorted((REFERENCE / "api").glob("*.json.gz")) + sorted((REFERENCE / "backtests").glob("*.json.gz")):
        case = load_reference(file)
        if "path" not in case:
            continue
        path = route_of(document, case.get("path", ""))
        answer = case["response"]
        if (
            path is None
            or case["status"] != 200
            or isinstance(answer, str)
            or (isinstance(answer, dict) and "error" in answer)
        ):
            continue  # the original's errors (200 with an error string, bare 500s): ours are 4xx bodies
        answer_validator(document, case["method"].lower(), path).validate(answer)
        checked += 1
    assert checked >= 40


def test_interactive_page_loads_only_bundled_assets(client) -> None:
    page = client.get("/schema")
    assert page.status_code == 200
    assert "SwaggerUIBundle" in page.text
    urls = re.findall(r"""(?:src|href)=["']([^"']+)""", page.text)
    assert urls, page.text[:500]
    for url in urls:
        assert url.startswith("/schema/assets/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url
