"""Model-based and evolutionary search through Optuna's ask/tell interface.

The driver asks a generation of trials, has the backtesters evaluate them as chunks, then tells the
results in trial order. With the sampler seeded and every result identical as doubles, the same
seed asks the same trials: a sweep is reproducible, and a driver resumed on another replica replays
the generations already in the event log (their chunks are not evaluated again) to the same state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import optuna

from gekko_common.sweep import Dimension, SweepSpec, score

Generation = Callable[[int, list[dict[str, Any]]], Awaitable[list[dict[str, Any]] | None]]
"""Evaluates generation g's points; their results in point order, or None when the sweep failed."""


def sampler(spec: SweepSpec) -> optuna.samplers.BaseSampler:
    """The seeded sampler of the sweep's search method."""
    if spec.search == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=spec.seed)
    if spec.search == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=spec.seed)
    return optuna.samplers.TPESampler(seed=spec.seed)


def distribution(d: Dimension) -> optuna.distributions.BaseDistribution:
    """A space dimension as an Optuna distribution."""
    if d.values is not None:
        return optuna.distributions.CategoricalDistribution(list(d.values))
    assert d.low is not None
    assert d.high is not None
    if d.integer:
        return optuna.distributions.IntDistribution(int(d.low), int(d.high), step=int(d.step or 1))
    return optuna.distributions.FloatDistribution(d.low, d.high, step=d.step)


async def optimise(spec: SweepSpec, generation: Generation) -> bool | None:
    """Run the study: True when early stopping ended it, False when the trial budget did, None on failure.

    Early stopping: ``patience`` trials in a row without a better first objective.
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    directions: Any = spec.directions()  # optuna types them as literals
    study = optuna.create_study(directions=directions, sampler=sampler(spec))
    space = {d.path: distribution(d) for d in spec.dimensions}
    best, stale = -float("inf"), 0
    for g, first in enumerate(range(0, spec.trials, spec.batch)):
        trials = [study.ask(space) for _ in range(min(spec.batch, spec.trials - first))]
        rows = await generation(g, [dict(t.params) for t in trials])
        if rows is None:
            return None
        for trial, row in zip(trials, rows, strict=True):
            values = [row["objectives"][o] for o in spec.objectives]
            if any(v is None for v in values):
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
            else:
                study.tell(trial, values if len(values) > 1 else values[0])
            current = score(row["objectives"], spec.objectives[0])
            best, stale = (current, 0) if current > best else (best, stale + 1)
            if spec.patience is not None and stale >= spec.patience:
                return True
    return False
