"""Run a plan into its folder: what is not yet done, in chunks on an executor, with retries
and progress derived from counts.

:func:`execute_plan` does what the folder does not yet hold: a key already
recorded as ``ok`` is skipped, so running the same command again after a
crash or ``kill -9`` finishes only what is missing. A run that raises is
recorded with its error and tried again up to ``retries`` more times in
this invocation (and again when the command is rerun); it never stops the
sweep.
"""

from __future__ import annotations

import contextlib
import math
import queue
import sys
import time
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa

from returnsim import limits
from returnsim.errors import InputError
from returnsim.experiments.executors import ExecutorConfig, open_executor
from returnsim.experiments.manifest import (
    check_destination,
    lost_row,
    now,
    open_folder,
    result_row,
)
from returnsim.experiments.plan import Plan
from returnsim.experiments.progress import Progress
from returnsim.experiments.runs import Run, execute_chunk
from returnsim.experiments.store import SERIES_SCHEMA, Store

#: Household-months per second of one run, roughly, to size chunks.
SPEED = 3e6
#: Seconds of work each task carries at most (fewer when that would idle workers).
TASK_SECONDS = 1.0


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


def _long(key: str, series: dict[str, list[float]]) -> list[dict[str, Any]]:
    """A run's kept time series as long rows (run_key, month, variable, value)."""
    return [
        {"run_key": key, "month": month, "variable": column, "value": value}
        for column, values in series.items()
        for month, value in enumerate(values)
    ]


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


@dataclass
class Attempts:
    """This invocation's attempts per run key; the progress line's counts derive from it."""

    retries: int
    tries: Counter = field(default_factory=Counter)
    ok: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)

    def record(self, run: Run, res: dict[str, Any], point: int) -> bool:
        """Book one attempt of ``run``; True when it is to be tried again."""
        self.tries[run.key] += 1
        if res["status"] == "ok":
            self.ok.add(run.key)
            return False
        if self.tries[run.key] <= self.retries:
            return True
        self.failed.add(run.key)
        self.failures.append(f"point {point} seed {run.seed}: {res['error']}")
        return False

    @property
    def retrying(self) -> int:
        """Runs that failed at least once here and are not settled yet."""
        return sum(1 for k in self.tries if k not in self.ok and k not in self.failed)

    def show(self, progress: Progress) -> None:
        progress.done, progress.failed, progress.retrying = (
            len(self.ok),
            len(self.failed),
            self.retrying,
        )


def _schedule(
    plan: Plan,
    store: Store,
    executor: Any,
    todo: list[str],
    unique: dict[str, tuple[int, int, Run]],
    tries_before: Counter,
    attempts: Attempts,
    progress: Progress,
    *,
    size: int,
    flush_seconds: float,
) -> None:
    """Keep twice as many tasks in flight as workers until every run in ``todo`` is settled;
    rows are appended to the store every ``flush_seconds`` and at the end."""
    schema, metrics, series = store.schema(), plan.metrics, list(plan.spec.series)
    buffer: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []

    def flush() -> None:
        if kept:  # first the series, then the rows saying their runs are done
            store.append_series(pa.Table.from_pylist(kept, schema=SERIES_SCHEMA))
            kept.clear()
        if buffer:
            store.append(pa.Table.from_pylist(buffer, schema=schema))
            buffer.clear()

    base = executor.share(plan.spec.base)
    pending: deque[Run] = deque(unique[k][2] for k in todo)
    results: queue.Queue = queue.Queue()
    in_flight = 0
    last_flush = time.perf_counter()
    try:
        while pending or in_flight:
            while pending and in_flight < 2 * executor.workers:
                # guided chunks: smaller near the end, so no worker idles at the tail
                n = max(1, min(size, math.ceil(len(pending) / (2 * executor.workers))))
                batch = [pending.popleft() for _ in range(n)]
                fut = executor.submit(execute_chunk, base, batch, metrics, series)
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
                outcome = [lost_row(run, exc, metrics) for run in batch]
            for run, res in zip(batch, outcome, strict=True):
                point, rep, _ = unique[run.key]
                attempt = tries_before[run.key] + attempts.tries[run.key] + 1
                buffer.append(result_row(plan, run, point, rep, res, attempt))
                kept.extend(_long(run.key, res.get("series") or {}))
                if attempts.record(run, res, point):
                    pending.append(run)
            attempts.show(progress)
            if time.perf_counter() - last_flush >= flush_seconds:
                flush()
                last_flush = time.perf_counter()
            progress.update()
    finally:
        flush()
        progress.close()


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
    manifest, invocation = open_folder(plan, store, config, argv)
    ok_keys, tries_before = _status(store.read_attempts(set_aside=True))
    todo = [key for key in unique if key not in ok_keys]
    attempts = Attempts(retries)
    progress = Progress(len(todo), stream, label=f"{plan.kind} {plan.spec.name}")
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
        _schedule(
            plan, store, executor, todo, unique, tries_before, attempts, progress,
            size=size, flush_seconds=flush_seconds,
        )  # fmt: skip

    final_ok, final_tries = _status(store.read_attempts())
    ok = len(final_ok & set(unique))
    failed_keys = {k for k in unique if k not in final_ok and final_tries[k]}
    new_ok, new_failed = len(attempts.ok), len(attempts.failed)
    outcome = Outcome(
        total=len(unique),
        ok=ok,
        failed=len(failed_keys),
        new_ok=new_ok,
        new_failed=new_failed,
        skipped=len(unique) - len(todo),
        seconds=time.perf_counter() - t0,
        failures=attempts.failures,
    )
    invocation |= {
        "finished": now(),
        "new_ok": new_ok,
        "new_failed": new_failed,
        "seconds": round(outcome.seconds, 3),
    }
    manifest["status"] = {
        "unique_runs": outcome.total,
        "ok": outcome.ok,
        "failed": outcome.failed,
        "updated": now(),
    }
    store.write_manifest(manifest)
    return outcome
