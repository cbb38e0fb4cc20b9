"""An experiment's plan: every (design point, replicate) pair, its parameter values and run key.

Replicate r of every point uses seed = spec seed + r, so all points share
their random numbers (common random numbers). Each pair has a run key
(:func:`runs.run_key`); pairs with the same key (a point repeated by a Morris
design, say) are run once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from returnsim.errors import InputError
from returnsim.experiments.design import Design, build
from returnsim.experiments.runs import Run, run_key
from returnsim.experiments.spec import BASELINE, ExperimentSpec, registry_param


def column_type(kind: str) -> str:
    return {"int": "int64", "float": "double", "bool": "bool", "str": "string"}.get(kind, "string")


def stored_value(value: Any, ctype: str) -> Any:
    """A parameter value as stored in its column (lists and schedules as JSON)."""
    return json.dumps(value) if ctype == "string" and not isinstance(value, str) else value


@dataclass
class Plan:
    """Every run of an experiment: points, their parameter values, replicates, keys."""

    kind: str
    spec: ExperimentSpec
    design: Design | None
    points: list[dict[str, Any]]
    labels: list[str | None]
    values: list[dict[str, Any]]
    param_types: dict[str, str]
    entries: list[tuple[int, int, int, str]] = field(default_factory=list)

    @property
    def digest(self) -> str:
        """The spec hash of this kind of experiment."""
        return self.spec.digest(self.kind)

    def unique_runs(self) -> dict[str, tuple[int, int, Run]]:
        """Run key -> (first point, replicate, Run), in plan order."""
        out: dict[str, tuple[int, int, Run]] = {}
        for point, rep, seed, key in self.entries:
            if key not in out:
                out[key] = (point, rep, Run(key=key, overrides=self.points[point], seed=seed))
        return out

    def columns(self) -> dict[str, str]:
        """Column name -> type of a stored row."""
        metrics = dict.fromkeys(self.metrics, "double")
        return {
            "run_key": "string",
            "point": "int64",
            "replicate": "int64",
            "seed": "int64",
            "label": "string",
            **self.param_types,
            "status": "string",
            "error": "string",
            **metrics,
            "attempt": "int64",
            "wall_seconds": "double",
            "started": "timestamp",
            "finished": "timestamp",
            "worker": "string",
            "returnsim_version": "string",
            "scenario_digest": "string",
        }

    @property
    def metrics(self) -> list[str]:
        """Metrics recorded per run (for a comparison, also its costs and effects)."""
        names = list(self.spec.metrics)
        if self.kind == "compare":
            c = self.spec.compare
            for m in (*c.effects, *c.averted, c.cost):
                if m not in names:
                    names.append(m)
        return names


def make_plan(spec: ExperimentSpec, kind: str) -> Plan:
    """The plan of a sweep (``kind="sweep"``) or of a comparison of mixes (``"compare"``)."""
    base = spec.base
    design = None
    if kind == "sweep":
        if spec.design is None:
            raise InputError(f"{spec.path}: no [design] to sweep (add [design] and [parameters])")
        d = spec.design
        design = build(
            d.method,
            spec.factors,
            samples=d.samples,
            second_order=d.second_order,
            levels=d.levels,
            seed=d.seed,
        )
        points = design.points
        labels: list[str | None] = [None] * len(points)
        keys = design.names
    elif kind == "compare":
        if not spec.mixes:
            raise InputError(f"{spec.path}: no [mixes.NAME] tables to compare")
        if spec.replicates < 2:
            raise InputError(
                f"{spec.path}: replicates = {spec.replicates} is too few to compare "
                "(at least 2 paired seeds for confidence intervals)"
            )
        names = list(spec.mixes)
        if spec.compare.baseline is None:
            names = [BASELINE, *names]
        else:
            names.remove(spec.compare.baseline)
            names = [spec.compare.baseline, *names]
        points = [spec.mixes.get(n, {}) for n in names]
        labels = list(names)
        keys = list(dict.fromkeys(k for p in points for k in p))
    else:
        raise ValueError(kind)
    param_types = {k: column_type(registry_param(k, base, spec.path).kind) for k in keys}
    values = []
    for p in points:
        row = {}
        for k in keys:
            v = p[k] if k in p else base.value(k)
            row[k] = stored_value(v, param_types[k])
        values.append(row)
    plan = Plan(kind, spec, design, points, labels, values, param_types)
    digest = base.digest()
    for i, p in enumerate(points):
        for r in range(spec.replicates):
            seed = spec.seed + r
            plan.entries.append((i, r, seed, run_key(digest, p, seed)))
    return plan
