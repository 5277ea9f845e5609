"""A parameter sweep as data: the request of ``POST /api/sweep``, checked before anything runs, and the
points it asks for.

The request is a Gekko backtest ``config``, a search ``space`` (dotted config paths, each a list of
values or a ``{"min", "max", "step"}`` range), an ``objective`` (report fields or extra metrics), a
``search`` (``grid``, ``random``, or an Optuna sampler: ``tpe``, ``cmaes``, ``nsga2``) and optional
``split`` / ``walkForward`` windows for out-of-sample figures. Pure: no I/O.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gekko_common.errors import ConfigError

if TYPE_CHECKING:
    import random

REPORT_OBJECTIVES = (
    "balance",
    "profit",
    "relativeProfit",
    "yearlyProfit",
    "relativeYearlyProfit",
    "trades",
    "exposure",
    "sharpe",
    "downside",
    "alpha",
    "ratioRoundTrips",
)
"""Numeric fields of Gekko's performanceReport a sweep can optimise."""
EXTRA_OBJECTIVES = ("maxDrawdown", "sortino", "winRate", "profitFactor")
"""Metrics a sweep adds under ``metrics`` (Gekko's report keeps exactly its own fields)."""
MINIMISED = frozenset({"maxDrawdown"})
"""Objectives where smaller is better; every other one is maximised."""
SEARCHES = ("grid", "random", "tpe", "cmaes", "nsga2")
OPTIMISERS = frozenset({"tpe", "cmaes", "nsga2"})
MAX_POINTS = 200_000
"""The most backtests one sweep may ask for."""


@dataclass(frozen=True)
class Dimension:
    """One searched parameter: either ``values`` (a list) or a ``low``..``high`` range with an optional step."""

    path: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    step: float | None = None
    integer: bool = False

    def grid(self) -> list[Any]:
        """Every value of the dimension (ranges need a step, or are integers stepping by 1)."""
        if self.values is not None:
            return list(self.values)
        assert self.low is not None
        assert self.high is not None
        step = self.step if self.step is not None else 1
        count = math.floor((self.high - self.low) / step + 1e-9) + 1
        out = [self.low + i * step for i in range(count)]
        return [int(v) for v in out] if self.integer else [round(v, 12) for v in out]

    def sample(self, rng: random.Random) -> Any:
        """One random value."""
        if self.values is not None or self.step is not None:
            return rng.choice(self.grid())
        assert self.low is not None
        assert self.high is not None
        if self.integer:
            return rng.randint(int(self.low), int(self.high))
        return rng.uniform(self.low, self.high)


@dataclass(frozen=True)
class Window:
    """One in-sample range and its optional out-of-sample range (unix seconds, inclusive)."""

    train: tuple[int, int]
    test: tuple[int, int] | None = None


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep request."""

    config: dict[str, Any]
    dimensions: tuple[Dimension, ...]
    objectives: tuple[str, ...]
    search: str = "grid"
    trials: int = 0
    seed: int = 0
    patience: int | None = None
    batch: int = 32
    windows: tuple[Window, ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        """How many backtests the sweep asks for at most."""
        if self.search == "grid":
            return math.prod(len(d.grid()) for d in self.dimensions)
        return self.trials

    def directions(self) -> list[str]:
        """``maximize`` or ``minimize`` per objective."""
        return ["minimize" if o in MINIMISED else "maximize" for o in self.objectives]

    def points(self) -> list[dict[str, Any]]:
        """The parameter sets of a grid or random search, in a fixed order (random: from the seed)."""
        if self.search == "grid":
            keys = [d.path for d in self.dimensions]
            return [dict(zip(keys, vs, strict=True)) for vs in itertools.product(*(d.grid() for d in self.dimensions))]
        import random  # here: `gekko sweep` imports this module to rank, where random's import is time lost

        rng = random.Random(self.seed)
        return [{d.path: d.sample(rng) for d in self.dimensions} for _ in range(self.trials)]


REPORT_ONLY = {"stratUpdates": False, "roundtrips": False, "stratCandles": False, "trades": False}


def combinations(base: dict[str, Any], grid: dict[str, list[Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every (params, config) of the grid's cartesian product; exporter trimmed to the report."""
    keys = list(grid)
    out = []
    for values in itertools.product(*(grid[k] for k in keys)):
        params = dict(zip(keys, values, strict=True))
        out.append((params, apply(base, params)))
    return out


def _tree_copy(value: Any) -> Any:
    """A copy of a JSON-like tree (dicts and lists copied, leaves shared): copy.deepcopy without its
    memo, several times faster on the strategy blocks a sweep copies for every point."""
    if isinstance(value, dict):
        return {k: _tree_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tree_copy(v) for v in value]
    return value


def apply(base: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``params`` set, its exporter trimmed to the report; ``base`` stays untouched.

    Objects along the set paths and the strategy's block are copied; everything else is shared with
    ``base`` (a sweep makes thousands of configs: deep copies would cost more than the backtests), the
    exporter too when ``base``'s is trimmed already (the configs applied to one such base share every
    section their params leave alone).
    """
    config = dict(base)
    exporter = base.get("backtestResultExporter")
    trimmed = {**(exporter or {}), "enabled": True, "data": dict(REPORT_ONLY)}
    config["backtestResultExporter"] = exporter if exporter == trimmed else trimmed
    method = (base.get("tradingAdvisor") or {}).get("method")
    if isinstance(method, str) and isinstance(base.get(method), dict):
        config[method] = _tree_copy(base[method])
    for path, value in params.items():
        node = config
        *parents, leaf = path.split(".")
        for part in parents:
            child = node.get(part)
            node[part] = dict(child) if isinstance(child, dict) else {}
            node = node[part]
        node[leaf] = value
    return config


def _lookup(config: dict[str, Any], path: str) -> tuple[bool, Any]:
    node: Any = config
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an object" if isinstance(value, dict) else "a list"


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(name, f"{name} must be a finite number, got {value!r}")
    return value


def _dimension(path: str, raw: Any, current: Any, field_name: str) -> Dimension:
    """One space entry, its values of the same kind as the config's current value."""
    expected = _kind(current)
    if isinstance(raw, list):
        if not raw:
            raise ConfigError(field_name, f"{field_name} has no values")
        for v in raw:
            if _kind(v) != expected:
                raise ConfigError(field_name, f"{field_name}: {v!r} is not {expected} like the config's {current!r}")
        return Dimension(path, values=tuple(raw))
    if not isinstance(raw, dict) or "min" not in raw or "max" not in raw:
        raise ConfigError(field_name, f"{field_name} must be a list of values or {{min, max, step}}")
    if expected != "a number":
        raise ConfigError(field_name, f"{field_name} is {expected} in the config: a range needs a number")
    low, high = _number(raw["min"], f"{field_name}.min"), _number(raw["max"], f"{field_name}.max")
    step = raw.get("step")
    if step is not None and _number(step, f"{field_name}.step") <= 0:
        raise ConfigError(f"{field_name}.step", f"{field_name}.step must be positive")
    if high < low:
        raise ConfigError(field_name, f"{field_name}.max must be at least its min")
    integer = all(isinstance(v, int) for v in (raw["min"], raw["max"], step if step is not None else 1))
    return Dimension(path, low=low, high=high, step=step, integer=integer)


def _objectives(raw: Any) -> tuple[str, ...]:
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ConfigError("objective", "objective must be a name or a list of names")
    known = REPORT_OBJECTIVES + EXTRA_OBJECTIVES
    for name in names:
        if name not in known:
            raise ConfigError("objective", f"unknown objective {name!r}; known: {', '.join(known)}")
    return tuple(names)


def _int(raw: dict[str, Any], key: str, default: int | None, minimum: int) -> int | None:
    value = raw.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"search.{key}", f"search.{key} must be an integer >= {minimum}, got {value!r}")
    return value


def _range(raw: Any, name: str) -> tuple[int, int]:
    from gekko_common.dates import parse_date  # here: `gekko sweep` imports this module only to rank

    if not isinstance(raw, dict):
        raise ConfigError(name, f"{name} must be an object with from and to")
    start, end = parse_date(raw.get("from"), f"{name}.from"), parse_date(raw.get("to"), f"{name}.to")
    if end <= start:
        raise ConfigError(name, f"{name}.to must be after {name}.from")
    return start, end


def _windows(body: dict[str, Any], config: dict[str, Any]) -> tuple[Window, ...]:
    split, walk = body.get("split"), body.get("walkForward")
    if split is not None and walk is not None:
        raise ConfigError("split", "give either split or walkForward, not both")
    if split is not None:
        if not isinstance(split, dict):
            raise ConfigError("split", "split must be an object with train and test ranges")
        return (Window(_range(split.get("train"), "split.train"), _range(split.get("test"), "split.test")),)
    if walk is None:
        return ()
    count = walk.get("windows") if isinstance(walk, dict) else None
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 50:
        raise ConfigError("walkForward.windows", "walkForward.windows must be an integer from 1 to 50")
    from gekko_common.config import select_daterange  # here: see _range

    start, end = select_daterange(config)
    # k+1 equal segments: window i trains on segment i and tests on segment i+1
    edges = [start + (end - start) * i // (count + 1) // 60 * 60 for i in range(count + 2)]
    edges[-1] = end
    return tuple(Window((edges[i], edges[i + 1] - 60), (edges[i + 1], edges[i + 2])) for i in range(count))


def parse_spec(body: dict[str, Any], strategy_params: dict[str, Any], method: str) -> SweepSpec:
    """Check a ``POST /api/sweep`` body; ConfigError names the first bad field.

    ``strategy_params`` are the strategy's settings (the config's own, else its defaults), so a path
    under ``method`` is checked against what the strategy really has.
    """
    config = body.get("config")
    if not isinstance(config, dict):
        raise ConfigError("config", "config must be a Gekko backtest config object")
    space = body.get("space")
    if not isinstance(space, dict) or not space:
        raise ConfigError("space", "space must map config paths (e.g. MACD.short) to values or ranges")
    full = {**config, method: strategy_params}
    dims = []
    for path, raw in space.items():
        found, current = _lookup(full, path)
        if not found or isinstance(current, dict | list):
            raise ConfigError(f"space.{path}", f"{path} is not a parameter of the config or of {method}")
        dims.append(_dimension(path, raw, current, f"space.{path}"))
    search_raw = body.get("search", {"method": "grid"})
    if isinstance(search_raw, str):
        search_raw = {"method": search_raw}
    if not isinstance(search_raw, dict):
        raise ConfigError("search", "search must be a method name or an object")
    search = search_raw.get("method", "grid")
    if search not in SEARCHES:
        raise ConfigError("search.method", f"unknown search {search!r}; known: {', '.join(SEARCHES)}")
    objectives = _objectives(body.get("objective", "relativeProfit"))
    if len(objectives) > 1 and search in ("tpe", "cmaes"):
        raise ConfigError("objective", f"{search} optimises one objective; use nsga2 for several")
    trials = _int(search_raw, "trials", None if search == "grid" else 100, 1)
    spec = SweepSpec(
        config=config,
        dimensions=tuple(dims),
        objectives=objectives,
        search=search,
        trials=trials or 0,
        seed=_int(search_raw, "seed", 0, 0) or 0,
        patience=_int(search_raw, "patience", None, 1),
        batch=_int(search_raw, "batch", 32, 1) or 32,
        windows=_windows(body, config),
    )
    if search == "grid" and any(d.values is None and d.step is None and not d.integer for d in dims):
        raise ConfigError("space", "a grid over a float range needs a step")
    if spec.total > MAX_POINTS:
        raise ConfigError("space", f"the sweep asks for {spec.total} backtests; at most {MAX_POINTS}")
    return spec


# --- results -------------------------------------------------------------------------------------

STARTED = "_sweep_started"
"""Internal event carrying a new sweep's record (never relayed to websocket clients)."""
RESULTS = "sweep_results"
"""A part of a chunk's results (or its error): ``chunk``, ``part`` of ``parts`` (0 of 1 when absent),
``results``; each part published once, de-duplicated on the chunk and the part."""
UPDATE = "sweep_update"
"""The driver's progress: done, total, best, finished."""
ERROR = "sweep_error"


def objective_values(
    spec_objectives: tuple[str, ...] | list[str], report: dict[str, Any] | None, metrics: dict[str, Any]
) -> dict[str, float | None]:
    """Each objective's value in a result (None without a report or when the metric is undefined)."""
    out: dict[str, float | None] = {}
    for name in spec_objectives:
        raw = (report or {}).get(name) if name in REPORT_OBJECTIVES else metrics.get(name)
        try:
            value = float(raw) if raw is not None else None
        except (TypeError, ValueError):
            value = None
        out[name] = value if value is not None and math.isfinite(value) else None
    return out


def score(values: dict[str, float | None], objective: str) -> float:
    """A sortable score of one objective, larger is better (a missing value ranks last)."""
    value = values.get(objective)
    if value is None:
        return -math.inf
    return -value if objective in MINIMISED else value


class SweepBook:
    """Every sweep's record and results: a fold over the sweep events (gateway view, driver replay)."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.chunks: dict[str, dict[int, dict[str, Any]]] = {}
        """Every complete chunk: number -> {chunk, results (in part order), error}."""
        self.parts: dict[str, dict[int, dict[int, dict[str, Any]]]] = {}
        """The parts received of chunks not yet complete: number -> part -> payload."""

    def apply(self, sweep_id: str, kind: str, payload: Any) -> bool:
        """Reduce one event; True when it brought a chunk not seen before."""
        if kind == STARTED and isinstance(payload, dict):
            self.records.setdefault(sweep_id, {**payload, "done": 0, "finished": False, "error": None})
            self.chunks.setdefault(sweep_id, {})
            self.parts.setdefault(sweep_id, {})
            return False
        record = self.records.get(sweep_id)
        if record is None or not isinstance(payload, dict):
            return False
        if kind == RESULTS:
            return self._part(sweep_id, record, payload)
        if kind == UPDATE:
            record.update({k: v for k, v in payload.items() if k in ("finished", "best", "stoppedEarly", "total")})
        elif kind == ERROR:
            record.update(error=payload.get("error"), finished=True)
        return False

    def _part(self, sweep_id: str, record: dict[str, Any], payload: dict[str, Any]) -> bool:
        chunk, part, parts = payload.get("chunk"), payload.get("part", 0), payload.get("parts", 1)
        if not (isinstance(chunk, int) and isinstance(part, int) and isinstance(parts, int)):
            return False
        if chunk in self.chunks[sweep_id] or part in self.parts[sweep_id].get(chunk, {}):
            return False
        got = self.parts[sweep_id].setdefault(chunk, {})
        got[part] = payload
        record["done"] += len(payload.get("results") or [])
        if payload.get("error"):
            record["error"] = payload["error"]
        if len(got) >= parts:
            del self.parts[sweep_id][chunk]
            errors = [p["error"] for p in got.values() if p.get("error")]
            results = [r for k in sorted(got) for r in got[k].get("results") or []]
            self.chunks[sweep_id][chunk] = {"chunk": chunk, "results": results, "error": errors[0] if errors else None}
        return True

    def results(self, sweep_id: str) -> list[dict[str, Any]]:
        """A sweep's results in point order (those of chunks still in parts too)."""
        rows = [r for c in self.chunks.get(sweep_id, {}).values() for r in c.get("results") or []]
        rows += [
            r for got in self.parts.get(sweep_id, {}).values() for p in got.values() for r in p.get("results") or []
        ]
        return sorted(rows, key=lambda r: r["index"])
