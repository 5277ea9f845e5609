"""A small kustomize renderer for the features deploy/k8s uses (no kustomize binary here).

Supported: ``resources`` (files and directories), ``components``, ``namespace``, ``labels`` (pairs
added to metadata.labels), ``images`` (newName/newTag), and ``patches`` with strategic-merge files
matched by kind and name (maps merged recursively; lists of named items, e.g. containers, merged by
``name``; other lists replaced).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml


def _merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = _merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return out
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and all(isinstance(x, dict) and "name" in x for x in base + patch)
    ):
        out_list = [copy.deepcopy(x) for x in base]
        for item in patch:
            index = next((i for i, x in enumerate(out_list) if x["name"] == item["name"]), None)
            if index is None:
                out_list.append(copy.deepcopy(item))
            else:
                out_list[index] = _merge(out_list[index], item)
        return out_list
    return copy.deepcopy(patch)


def _load(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def _images(doc: Any, images: list[dict[str, str]]) -> None:
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key == "image" and isinstance(value, str):
                name = value.split(":")[0]
                for img in images:
                    if img["name"] == name:
                        doc[key] = f"{img.get('newName', name)}:{img.get('newTag', 'latest')}"
            else:
                _images(value, images)
    elif isinstance(doc, list):
        for item in doc:
            _images(item, images)


def render(directory: Path) -> list[dict[str, Any]]:
    """The manifests kustomize would build from ``directory``."""
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    docs: list[dict[str, Any]] = []
    for entry in spec.get("resources", []) + spec.get("components", []):
        path = (directory / entry).resolve()
        docs.extend(render(path) if path.is_dir() else _load(path))
    for patch in spec.get("patches", []):
        for p in _load(directory / patch["path"]):
            targets = [d for d in docs if d["kind"] == p["kind"] and d["metadata"]["name"] == p["metadata"]["name"]]
            assert targets, f"patch {patch['path']} matches nothing"
            for t in targets:
                t.update(_merge(t, p))
    for doc in docs:
        if spec.get("namespace") and doc["kind"] != "Namespace":
            doc["metadata"]["namespace"] = spec["namespace"]
        elif spec.get("namespace"):
            doc["metadata"]["name"] = spec["namespace"]
        for label in spec.get("labels", []):
            doc["metadata"].setdefault("labels", {}).update(label.get("pairs", {}))
    _images(docs, spec.get("images", []))
    return docs
