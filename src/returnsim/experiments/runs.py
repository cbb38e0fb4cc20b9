"""One run of an experiment: a scenario, parameter values and a seed in, metrics out.

A run is identified by its *run key*, the SHA-256 of the base scenario's
digest, the parameter values, the seed and the model's code digest
(``returnsim.version.model_digest``, which changes with any file that
computes a run): the same key always means the same computation, so a sweep that finds a key already
done skips it. Metrics are fields of ``summary.json`` (top-level numbers,
or a dotted path to a number inside it such as
``by_group.sex_of_head.female_head.returned_share``), plus the derived
metrics of :data:`DERIVED`. A run can also keep chosen columns of its time series
(``timeseries.csv``; :func:`check_series`), month by month.

:func:`execute_chunk` is what executors ship to worker processes; it never
raises for a failing run: the failure is returned as a result with its error.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import socket
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from returnsim import version
from returnsim.check import suggest
from returnsim.errors import InputError

if TYPE_CHECKING:
    from returnsim.scenario import Scenario

#: The model the runs of this process are made by (its code digest; see returnsim.version).
MODEL = version.model_digest()
VERSION = version.__version__


def _cost_incl_peacekeeping(summary: dict[str, Any], spec: Scenario) -> float:
    """Programmes plus the mission: ``total_cost`` (the name of specs written before
    ``total_cost`` included the mission)."""
    return float(summary["total_cost"])


#: Metrics computed from the summary (name -> (summary, resolved scenario) -> value).
DERIVED: dict[str, Callable[[dict[str, Any], Any], float | None]] = {
    "total_cost_incl_peacekeeping": _cost_incl_peacekeeping,
}


@dataclass(frozen=True)
class Run:
    """One run to do: its key, parameter values (dotted keys) and seed."""

    key: str
    overrides: dict[str, Any]
    seed: int


def run_key(scenario_digest: str, overrides: dict[str, Any], seed: int, model: str = MODEL) -> str:
    """SHA-256 of scenario digest, parameter values, seed and the model's code digest."""
    blob = json.dumps(
        {
            "scenario": scenario_digest,
            "parameters": overrides,
            "seed": int(seed),
            "model": model,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def simulate(
    base: Scenario, overrides: dict[str, Any], seed: int, series: Sequence[str] = ()
) -> tuple[dict[str, Any], Any, dict[str, list[float]]]:
    """Run the model to its last month; return (summary, resolved scenario, time series).

    The time series holds the columns ``series`` of ``timeseries.csv``, month 0 first.
    """
    from returnsim.model import ReturnModel
    from returnsim.outcomes import summarize

    model = ReturnModel(base, rng=seed, overrides=overrides or None)
    try:
        model.run()
        kept = {c: [float(v) for v in model.datacollector.model_vars[c]] for c in series}
        return summarize(model), model.spec, kept
    finally:
        # The model sits in reference cycles (agents, event schedule, data
        # collector): emptying it frees its arrays now, not at the next full
        # garbage collection, which can be thousands of runs away in a worker.
        vars(model).clear()


def metric_value(summary: dict[str, Any], spec: Any, name: str) -> float | None:
    """The value of metric ``name`` in a run's summary (None when undefined)."""
    if name in DERIVED:
        value: Any = DERIVED[name](summary, spec)
    else:
        value = summary
        for part in name.split("."):
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _one_line_error(exc: BaseException) -> str:
    where = ""
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        where = f" [{os.path.basename(last.filename)}:{last.lineno}]"
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    if len(text) > 500:
        text = text[:497] + "..."
    return text + where


def execute(
    base: Scenario, run: Run, metrics: Sequence[str], series: Sequence[str] = ()
) -> dict[str, Any]:
    """Do one run; return its result (``status`` ok or failed, ``error``, metric ``values``,
    the kept time ``series``)."""
    started = time.time()
    t0 = time.perf_counter()
    kept: dict[str, list[float]] = {}
    try:
        summary, spec, kept = simulate(base, run.overrides, run.seed, series)
        values = {m: metric_value(summary, spec, m) for m in metrics}
        status, error = "ok", None
    except Exception as exc:  # a failing run is a result, not the end of the sweep
        values = dict.fromkeys(metrics)
        status, error = "failed", _one_line_error(exc)
    return {
        "run_key": run.key,
        "status": status,
        "error": error,
        "values": values,
        "series": kept,
        "wall_seconds": time.perf_counter() - t0,
        "started": started,
        "finished": time.time(),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }


def execute_chunk(
    base: Scenario, runs: Sequence[Run], metrics: Sequence[str], series: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Do several runs in a row (one task on a worker); one result per run."""
    return [execute(base, run, metrics, series) for run in runs]


# ------------------------------------------------------------- metric names
def _leaves(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out = {}
    for k, v in tree.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out |= _leaves(v, name + ".")
        elif v is None or (isinstance(v, int | float) and not isinstance(v, bool)):
            out[name] = "number"
        else:
            out[name] = type(v).__name__
    return out


#: Fields of summary.json that describe the run rather than measure an outcome.
NOT_METRICS = ("scenario", "seed", "months")

#: summary.json fields and time-series columns by scenario digest (filled by _tiny_run).
_FIELDS: dict[str, dict[str, str]] = {}
_COLUMNS: dict[str, list[str]] = {}


def _tiny_run(base: Scenario) -> None:
    """Run a tiny copy of the scenario (50 households, 2 months) once, to learn its outputs."""
    digest = base.digest()
    if digest in _FIELDS:
        return
    from returnsim.model import ReturnModel
    from returnsim.outcomes import summarize

    tiny = base.with_overrides({"households.count": 50, "scenario.months": 2})
    model = ReturnModel(tiny, rng=0)
    model.run()
    fields = _leaves(summarize(model))
    for name in NOT_METRICS:
        fields.pop(name, None)
    _FIELDS[digest] = fields | dict.fromkeys(DERIVED, "number")
    _COLUMNS[digest] = [c for c in model.datacollector.model_vars if c != "month"]


def known_metrics(base: Scenario) -> dict[str, str]:
    """Every field of ``summary.json`` for this scenario (dotted paths) and its type.

    Found by running a tiny copy of the scenario (50 households, 2 months)
    once, so the list is always the model's own.
    """
    _tiny_run(base)
    return _FIELDS[base.digest()]


def check_series(names: Sequence[str], base: Scenario, *, where: str) -> None:
    """Raise InputError unless every name is a column of the scenario's ``timeseries.csv``."""
    _tiny_run(base)
    columns = _COLUMNS[base.digest()]
    for name in names:
        if name not in columns:
            raise InputError(
                f"{where}: unknown time series '{name}'{suggest(name, columns)} "
                f"(allowed: a column of timeseries.csv: {', '.join(columns)})"
            )


def check_metrics(names: Sequence[str], base: Scenario, *, where: str) -> None:
    """Raise InputError unless every name is a numeric field of summary.json (or derived)."""
    fields = known_metrics(base)
    numeric = [n for n, t in fields.items() if t == "number"]
    top = [n for n in numeric if "." not in n]
    for name in names:
        kind = fields.get(name)
        if kind == "number":
            continue
        inside = [f for f in numeric if f.startswith(name + ".")]
        if kind is None and inside:
            raise InputError(
                f"{where}: '{name}' is a table in summary.json, not a number "
                f"(give a dotted path to a number, e.g. '{inside[0]}')"
            )
        if kind is not None:
            raise InputError(f"{where}: '{name}' is a {kind} in summary.json, not a number")
        raise InputError(
            f"{where}: unknown metric '{name}'{suggest(name, numeric)} "
            "(allowed: a numeric summary.json field: "
            f"{', '.join(top)}; or a dotted path such as "
            "'by_group.sex_of_head.female_head.returned_share')"
        )
