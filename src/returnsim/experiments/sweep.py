"""Run an experiment's plan into its folder: resume, retries, progress, provenance.

The *plan* is every (design point, replicate) pair; replicate r of every
point uses seed = spec seed + r, so all points share their random numbers
(common random numbers). Each pair has a run key (:func:`runs.run_key`);
pairs with the same key (a point repeated by a Morris design, say) are run
once.

:func:`execute_plan` does what the folder does not yet hold: a key already
recorded as ``ok`` is skipped, so running the same command again after a
crash or ``kill -9`` finishes only what is missing. A run that raises is
recorded with its error and tried again up to ``retries`` more times in
this invocation (and again when the command is rerun); it never stops the
sweep.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import queue
import shlex
import sys
import time
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq

from returnsim import limits, version
from returnsim.errors import InputError
from returnsim.experiments import runs as runs_mod
from returnsim.experiments.design import Design, build
from returnsim.experiments.executors import ExecutorConfig, open_executor
from returnsim.experiments.progress import Progress, duration
from returnsim.experiments.runs import Run, execute_chunk, run_key
from returnsim.experiments.spec import BASELINE, ExperimentSpec, registry_param
from returnsim.experiments.store import DESIGN, LOCK, PLAN, Store, schema_of, write_atomic
from returnsim.output import provenance

FORMAT = "returnsim-experiment/1"

#: Columns of a row that describe the execution rather than the result.
EXECUTION_COLUMNS = ("attempt", "wall_seconds", "started", "finished", "worker")

#: Household-months per second of one run, roughly, to size chunks.
SPEED = 3e6
#: Seconds of work each task carries at most (fewer when that would idle workers).
TASK_SECONDS = 1.0


def _column_type(kind: str) -> str:
    return {"int": "int64", "float": "double", "bool": "bool", "str": "string"}.get(kind, "string")


def _display(value: Any, ctype: str) -> Any:
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
            for m in (*self.spec.compare.effects, self.spec.compare.cost):
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
    param_types = {k: _column_type(registry_param(k, base, spec.path).kind) for k in keys}
    values = []
    for p in points:
        row = {}
        for k in keys:
            v = p[k] if k in p else base.value(k)
            row[k] = _display(v, param_types[k])
        values.append(row)
    plan = Plan(kind, spec, design, points, labels, values, param_types)
    digest = base.digest()
    for i, p in enumerate(points):
        for r in range(spec.replicates):
            seed = spec.seed + r
            plan.entries.append((i, r, seed, run_key(digest, p, seed)))
    return plan


# ------------------------------------------------------------- provenance
def _now() -> str:
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


def _design_table(plan: Plan) -> pa.Table:
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


def _plan_table(plan: Plan) -> pa.Table:
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


def _ensure_table(path: Path, table: pa.Table, *, fresh: bool) -> None:
    """Write the design or plan when the folder is new, or the file missing or unreadable."""
    if not fresh:
        try:
            pq.read_table(path)
            return
        except (OSError, pa.ArrowException):
            pass
    write_atomic(path, _parquet_bytes(table))


# ------------------------------------------------------------------ running
@dataclass
class Outcome:
    """What an invocation did and what the folder now holds."""

    total: int
    ok: int
    failed: int
    new_ok: int
    new_failed: int
    skipped: int
    seconds: float
    failures: list[str] = field(default_factory=list)

    @property
    def missing(self) -> int:
        """Unique runs neither ok nor failed (interrupted)."""
        return self.total - self.ok - self.failed


def _status(table: pa.Table) -> tuple[set[str], Counter]:
    keys = table.column("run_key").to_pylist()
    status = table.column("status").to_pylist()
    ok = {k for k, s in zip(keys, status, strict=True) if s == "ok"}
    return ok, Counter(keys)


def chunk_size(plan: Plan, todo: int, workers: int) -> int:
    """Runs per task at most: about TASK_SECONDS of work, yet at least 4 tasks per worker.

    Tasks shrink toward the end of a sweep (guided scheduling).
    """
    base = plan.spec.base
    est = 0.005 + base["households.count"] * base["scenario.months"] / SPEED
    by_time = max(1, int(TASK_SECONDS / est))
    by_balance = max(1, math.ceil(todo / (4 * max(workers, 1))))
    return max(1, min(by_time, by_balance))


def execute_plan(
    plan: Plan,
    out: str | Path,
    config: ExecutorConfig,
    *,
    argv: Sequence[str] = (),
    stream: TextIO | None = None,
    flush_seconds: float = 5.0,
    chunk: int | None = None,
) -> Outcome:
    """Run what ``out`` does not yet hold of ``plan``; return the counts (see the module doc)."""
    stream = sys.stderr if stream is None else stream
    out = Path(out)
    limits.check_plan(plan, config)  # the largest run x the runs side by side must fit
    store = check_destination(out, plan)
    unique = plan.unique_runs()
    retries = plan.spec.retries
    t0 = time.perf_counter()

    # Decide before writing anything whether workers are needed, so that a
    # bad --scheduler address leaves no folder behind.
    done_before: set[str] = set()
    if store.is_experiment():
        done_before, _ = _status(store.read_attempts())
    executor = open_executor(config) if set(unique) - done_before else None
    try:
        created = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
        try:
            with store.lock():
                return _run_locked(
                    plan, store, executor, config, unique, retries, argv, stream,
                    flush_seconds, chunk, t0,
                )  # fmt: skip
        except InputError:
            if created:
                _remove_if_empty(out)
            raise
    finally:
        if executor is not None:
            executor.close()


def _remove_if_empty(out: Path) -> None:
    for name in (".lock",):
        (out / name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        out.rmdir()


def _run_locked(
    plan: Plan,
    store: Store,
    executor: Any,
    config: ExecutorConfig,
    unique: dict[str, tuple[int, int, Run]],
    retries: int,
    argv: Sequence[str],
    stream: TextIO,
    flush_seconds: float,
    chunk: int | None,
    t0: float,
) -> Outcome:
    root = store.root
    store.clean_temporary()
    # design and plan before the manifest: a folder with a manifest has them
    fresh = not store.is_experiment()
    manifest = new_manifest(plan, argv) if fresh else store.manifest()
    _ensure_table(root / DESIGN, _design_table(plan), fresh=fresh)
    _ensure_table(root / PLAN, _plan_table(plan), fresh=fresh)
    invocation = {
        "started": _now(),
        "executor": config.describe(),
        "command": shlex.join(["returnsim", *argv]),
        "git": provenance(argv)["git"],
    }
    manifest["invocations"].append(invocation)
    store.write_manifest(manifest)

    ok_keys, tries_before = _status(store.read_attempts(set_aside=True))
    todo = [key for key in unique if key not in ok_keys]
    schema = store.schema()
    metrics = plan.metrics
    buffer: list[dict[str, Any]] = []
    new_ok = new_failed = 0
    failures: list[str] = []
    progress = Progress(len(todo), stream, label=f"{plan.kind} {plan.spec.name}")

    def flush() -> None:
        if buffer:
            store.append(pa.Table.from_pylist(buffer, schema=schema))
            buffer.clear()

    if todo:
        if executor is None:
            executor = open_executor(config)
        size = chunk or chunk_size(plan, len(todo), executor.workers)
        stream.write(
            f"{plan.kind} {plan.spec.name}: {len(todo)} runs to do of {len(unique)} "
            f"({len(unique) - len(todo)} already done) on {config.describe()}, "
            f"{size} per task\n"
        )
        stream.flush()
        base = executor.share(plan.spec.base)
        pending: deque[Run] = deque(unique[k][2] for k in todo)
        tries: Counter = Counter()
        results: queue.Queue = queue.Queue()
        in_flight = 0
        max_in_flight = 2 * executor.workers
        last_flush = time.perf_counter()
        try:
            while pending or in_flight:
                while pending and in_flight < max_in_flight:
                    # guided chunks: smaller near the end, so no worker idles at the tail
                    n = max(1, min(size, math.ceil(len(pending) / (2 * executor.workers))))
                    batch = [pending.popleft() for _ in range(n)]
                    fut = executor.submit(execute_chunk, base, batch, metrics)
                    fut.add_done_callback(lambda f, b=batch: results.put((b, f)))
                    in_flight += 1
                try:
                    batch, fut = results.get(timeout=0.25)
                except queue.Empty:
                    progress.update()
                    continue
                in_flight -= 1
                try:
                    outcome = fut.result()
                except Exception as exc:  # the task itself was lost (worker died, ...)
                    executor.recover(exc)
                    outcome = [_lost(run, exc, metrics) for run in batch]
                for run, res in zip(batch, outcome, strict=True):
                    tries[run.key] += 1
                    attempt = tries_before[run.key] + tries[run.key]
                    point, rep, _ = unique[run.key]
                    buffer.append(_row(plan, run, point, rep, res, attempt))
                    if res["status"] == "ok":
                        new_ok += 1
                        progress.done += 1
                        if tries[run.key] > 1:
                            progress.retrying -= 1
                    elif tries[run.key] <= retries:
                        if tries[run.key] == 1:
                            progress.retrying += 1
                        pending.append(run)
                    else:
                        new_failed += 1
                        progress.failed += 1
                        if tries[run.key] > 1:
                            progress.retrying -= 1
                        failures.append(f"point {point} seed {run.seed}: {res['error']}")
                if time.perf_counter() - last_flush >= flush_seconds:
                    flush()
                    last_flush = time.perf_counter()
                progress.update()
        finally:
            flush()
            progress.close()

    final_ok, final_tries = _status(store.read_attempts())
    ok = len(final_ok & set(unique))
    failed_keys = {k for k in unique if k not in final_ok and final_tries[k]}
    outcome = Outcome(
        total=len(unique),
        ok=ok,
        failed=len(failed_keys),
        new_ok=new_ok,
        new_failed=new_failed,
        skipped=len(unique) - len(todo),
        seconds=time.perf_counter() - t0,
        failures=failures,
    )
    invocation |= {
        "finished": _now(),
        "new_ok": new_ok,
        "new_failed": new_failed,
        "seconds": round(outcome.seconds, 3),
    }
    manifest["status"] = {
        "unique_runs": outcome.total,
        "ok": outcome.ok,
        "failed": outcome.failed,
        "updated": _now(),
    }
    store.write_manifest(manifest)
    return outcome


def _lost(run: Run, exc: BaseException, metrics: Sequence[str]) -> dict[str, Any]:
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


def _row(plan: Plan, run: Run, point: int, rep: int, res: dict[str, Any], attempt: int) -> dict:
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


def summary_lines(plan: Plan, outcome: Outcome, out: Path) -> list[str]:
    """What to tell the user after a sweep."""
    lines = [
        f"{plan.kind.capitalize()} {plan.spec.name}: {outcome.ok}/{outcome.total} runs ok, "
        f"{outcome.failed} failed ({outcome.new_ok} new, {outcome.skipped} already done) "
        f"in {duration(outcome.seconds)}",
    ]
    for f in outcome.failures[:5]:
        lines.append(f"  failed: {f}")
    if len(outcome.failures) > 5:
        lines.append(f"  ... and {len(outcome.failures) - 5} more (see the attempts table)")
    if outcome.failed:
        lines.append(f"Rerun the same command to retry the {outcome.failed} failed run(s).")
    lines.append(f'Results in {out}/ (query: returnsim query {shlex.quote(str(out))} "SELECT ...")')
    return lines
