"""Benchmark the experiment runner: runs per second by executor and worker count.

Runs the same Latin hypercube sweep of the baseline (5,000 households x 60
months by default) four times into fresh folders: local processes with 1
and 2 workers, and a Dask LocalCluster (127.0.0.1) with 1 and 2 workers,
and times the bare model (build + run, in this process) for comparison.

- ``runs_per_s``: runs / wall time of the whole sweep (planning, starting
  the local pool, scheduling, Parquet parts, manifest). A Dask cluster is
  started before the clock starts, as a running cluster would be.
- ``overhead_per_run_fraction``: (wall time per run with 1 local worker -
  bare run time) / bare run time: everything the runner adds, including
  scenario overrides, the summary and storage.
- ``speedup_2_vs_1``: local runs/s with 2 workers over 1 worker.

Floors (from the issue): overhead under 0.10; speedup at least 1.7. Other
processes on the machine lower both; compare numbers within one run.

Usage: python benchmarks/bench_sweep.py [--runs 160] [--households 5000] [--steps 60]
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_spec(households: int, steps: int, runs: int):
    from returnsim.experiments.spec import from_dict

    raw = {
        "name": "bench",
        "scenario": str(ROOT / "scenarios" / "baseline.toml"),
        "households": households,
        "steps": steps,
        "seed": 1,
        "replicates": 2,
        "design": {"method": "lhs", "samples": max(1, runs // 2)},
        "parameters": {
            "peacekeeping.troops": {"min": 0, "max": 15000},
            "return_package.cash_per_person": {"min": 0, "max": 100},
            "conflict.intensity": {"min": 0.5, "max": 2.0},
        },
        "outputs": {"metrics": ["returned_share", "sustainably_reintegrated_share", "total_cost"]},
    }
    return from_dict(raw, path=Path("bench.toml"))


def bare_seconds(spec, plan, repeats: int) -> float:
    """Median seconds of building and running the model alone, on the plan's first points."""
    from returnsim.model import ReturnModel

    times = []
    for _, _, run in list(plan.unique_runs().values())[:repeats]:
        resolved = spec.base.with_overrides(run.overrides)
        t0 = time.perf_counter()
        model = ReturnModel(resolved, rng=run.seed)
        model.run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def timed_sweep(plan, config, folder: Path) -> tuple[float, int]:
    from returnsim.experiments.sweep import execute_plan

    shutil.rmtree(folder, ignore_errors=True)
    t0 = time.perf_counter()
    outcome = execute_plan(plan, folder, config, stream=io.StringIO(), flush_seconds=5.0)
    wall = time.perf_counter() - t0
    assert outcome.ok == outcome.total, outcome
    return wall, outcome.total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=160)
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--steps", type=int, default=60)
    args = parser.parse_args()

    from distributed import LocalCluster

    from returnsim.experiments.executors import ExecutorConfig
    from returnsim.experiments.sweep import make_plan

    spec = make_spec(args.households, args.steps, args.runs)
    plan = make_plan(spec, "sweep")
    bare = bare_seconds(spec, plan, repeats=10)
    print(f"bare model run: {bare:.4f} s ({args.households} households x {args.steps} months)")
    result: dict[str, object] = {
        "households": args.households,
        "steps": args.steps,
        "runs": len(plan.unique_runs()),
        "bare_run_s": round(bare, 4),
    }
    tmp = Path(tempfile.mkdtemp(prefix="bench_sweep-"))
    try:
        rates = {}
        for workers in (1, 2):
            wall, n = timed_sweep(plan, ExecutorConfig(workers=workers), tmp / f"local{workers}")
            rates[f"local-{workers}"] = n / wall
            print(f"local-{workers}: {n} runs in {wall:.2f} s = {n / wall:.2f} runs/s", flush=True)
        for workers in (1, 2):
            with LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
            ) as cluster:
                config = ExecutorConfig(scheduler=cluster.scheduler_address)
                wall, n = timed_sweep(plan, config, tmp / f"dask{workers}")
            rates[f"dask-{workers}"] = n / wall
            print(f"dask-{workers}: {n} runs in {wall:.2f} s = {n / wall:.2f} runs/s", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    per_run_1 = 1.0 / rates["local-1"]
    overhead = (per_run_1 - bare) / bare
    speedup = rates["local-2"] / rates["local-1"]
    result |= {
        "runs_per_s": {k: round(v, 3) for k, v in rates.items()},
        "overhead_per_run_fraction": round(overhead, 4),
        "speedup_2_vs_1": round(speedup, 3),
        "dask_speedup_2_vs_1": round(rates["dask-2"] / rates["dask-1"], 3),
        "floors": {
            "overhead_below_0.10": overhead < 0.10,
            "speedup_at_least_1.7": speedup >= 1.7,
        },
    }
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
