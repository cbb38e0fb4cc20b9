"""An experiment folder's manifest, design and plan tables, result rows and the check that a
folder may be written or resumed (same spec, same model)."""

from __future__ import annotations

import datetime as dt
import shlex
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from returnsim import version
from returnsim.errors import InputError
from returnsim.experiments import runs as runs_mod
from returnsim.experiments.plan import Plan
from returnsim.experiments.runs import Run
from returnsim.experiments.store import DESIGN, LOCK, PLAN, Store, schema_of, write_atomic
from returnsim.output import provenance

FORMAT = "returnsim-experiment/1"

#: Columns of a row that describe the execution rather than the result.
EXECUTION_COLUMNS = ("attempt", "wall_seconds", "started", "finished", "worker")


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_manifest(plan: Plan, argv: Sequence[str]) -> dict[str, Any]:
    """The manifest of a new experiment folder."""
    spec = plan.spec
    return {
        "format": FORMAT,
        "kind": plan.kind,
        "name": spec.name,
        "description": spec.description,
        "spec": {"path": spec.path, "hash": plan.digest, "text": spec.text},
        "scenario": {
            "path": spec.scenario_path,
            "name": spec.base.name,
            "digest": spec.base.digest(),
            "households": spec.base["households.count"],
            "months": spec.base["scenario.months"],
            "fixed": spec.fixed,
        },
        "seed": spec.seed,
        "replicates": spec.replicates,
        "seeds": [spec.seed + r for r in range(spec.replicates)],
        "design": None
        if plan.design is None
        else {
            "method": plan.design.method,
            **plan.design.options,
            "points": len(plan.design),
            "confidence": spec.design.confidence,
        },
        "parameters": [vars(f) | {"kind": spec.kinds[f.name]} for f in spec.factors]
        if plan.kind == "sweep"
        else [],
        "levers": spec.levers if plan.kind == "sweep" else list(plan.param_types),
        "uncertainties": spec.uncertainties if plan.kind == "sweep" else [],
        "metrics": plan.metrics,
        "series": list(spec.series),
        "mixes": spec.mixes,
        "compare": vars(spec.compare),
        "points": len(plan.points),
        "planned_runs": len(plan.entries),
        "unique_runs": len(plan.unique_runs()),
        "columns": plan.columns(),
        "provenance": provenance(argv),
        "invocations": [],
        "status": {},
    }


def design_table(plan: Plan) -> pa.Table:
    cols: dict[str, Any] = {
        "point": pa.array(range(len(plan.points)), pa.int64()),
        "label": pa.array(plan.labels, pa.string()),
    }
    schema = schema_of(plan.param_types)
    for k in plan.param_types:
        cols[k] = pa.array([v[k] for v in plan.values], schema.field(k).type)
    if plan.design is not None:
        for j, name in enumerate(plan.design.names):
            cols[f"unit.{name}"] = pa.array(plan.design.unit[:, j], pa.float64())
    return pa.table(cols)


def plan_table(plan: Plan) -> pa.Table:
    point, rep, seed, key = zip(*plan.entries, strict=True)
    return pa.table(
        {
            "point": pa.array(point, pa.int64()),
            "replicate": pa.array(rep, pa.int64()),
            "seed": pa.array(seed, pa.int64()),
            "run_key": pa.array(key, pa.string()),
        }
    )


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def check_destination(out: Path, plan: Plan) -> Store:
    """Refuse a folder that holds something else; return its store (maybe not yet created)."""
    store = Store(out)
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise InputError(f"--out {out}: exists and is not a folder (give a folder path)")
        if store.is_experiment():
            m = store.manifest()
            made_by = m.get("provenance", {}).get("model_digest") or "an unrecorded model"
            if made_by != version.model_digest():
                raise InputError(
                    f"--out {out}: its runs were made by model {made_by[:12]}, this is "
                    f"{version.model_digest()[:12]} (the code changed); runs of two models do "
                    "not mix: give a new --out folder, or delete this one to rerun"
                )
            if m.get("spec", {}).get("hash") != plan.digest:
                raise InputError(
                    f"--out {out}: holds the results of another experiment "
                    f"({m.get('kind')} of {m.get('spec', {}).get('path')}); to resume, give the "
                    "same spec unchanged; otherwise give a new folder"
                )
        elif any(not _left_by_a_start(p) for p in out.iterdir()):
            raise InputError(
                f"--out {out}: folder exists, is not empty and is not an experiment folder "
                "(give a new or empty folder)"
            )
    return store


def _left_by_a_start(path: Path) -> bool:
    """A file a sweep writes before its manifest (so one killed while starting left it)."""
    return path.name in (LOCK, DESIGN, PLAN) or path.name.startswith(".tmp-")


def ensure_table(path: Path, table: pa.Table, *, fresh: bool) -> None:
    """Write the design or plan when the folder is new, or the file missing or unreadable."""
    if not fresh:
        try:
            pq.read_table(path)
            return
        except (OSError, pa.ArrowException):
            pass
    write_atomic(path, _parquet_bytes(table))


def lost_row(run: Run, exc: BaseException, metrics: Sequence[str]) -> dict[str, Any]:
    now = time.time()
    return {
        "run_key": run.key,
        "status": "failed",
        "error": runs_mod._one_line_error(exc) or type(exc).__name__,
        "values": dict.fromkeys(metrics),
        "wall_seconds": None,
        "started": now,
        "finished": now,
        "worker": None,
    }


def result_row(
    plan: Plan, run: Run, point: int, rep: int, res: dict[str, Any], attempt: int
) -> dict:
    return {
        "run_key": run.key,
        "point": point,
        "replicate": rep,
        "seed": run.seed,
        "label": plan.labels[point],
        **plan.values[point],
        "status": res["status"],
        "error": res["error"],
        **res["values"],
        "attempt": attempt,
        "wall_seconds": res["wall_seconds"],
        "started": int(res["started"] * 1000),
        "finished": int(res["finished"] * 1000),
        "worker": res["worker"],
        "returnsim_version": runs_mod.VERSION,
        "scenario_digest": plan.spec.base.digest(),
    }


def open_folder(plan: Plan, store: Store, config: Any, argv: Sequence[str]) -> tuple:
    """Design and plan tables, then the manifest with this invocation; (manifest, invocation)."""
    root = store.root
    store.clean_temporary()
    # design and plan before the manifest: a folder with a manifest has them
    fresh = not store.is_experiment()
    manifest = new_manifest(plan, argv) if fresh else store.manifest()
    ensure_table(root / DESIGN, design_table(plan), fresh=fresh)
    ensure_table(root / PLAN, plan_table(plan), fresh=fresh)
    invocation = {
        "started": now(),
        "executor": config.describe(),
        "command": shlex.join(["returnsim", *argv]),
        "git": provenance(argv)["git"],
    }
    manifest["invocations"].append(invocation)
    store.write_manifest(manifest)
    return manifest, invocation
