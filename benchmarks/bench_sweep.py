"""Benchmark the experiment runner: runs per second by executor and worker count.

Runs the same Latin hypercube sweep of the baseline (5,000 households x 60
months by default) into fresh folders with local processes (1 and 2
workers) and a Dask LocalCluster on 127.0.0.1 (1 and 2 workers), and times
the bare model (build + run, in this process). Machines shared with other
work are noisy, so every configuration is measured in several interleaved
rounds and the best round counts.

- ``runs_per_s``: runs / wall time of the whole sweep (planning, starting
  the local pool, scheduling, Parquet parts, manifest), best round. A Dask
  cluster is started before the clock starts, as a running cluster would be.
- ``overhead_per_run_fraction``: (wall time per run with 1 local worker -
  bare run time) / bare run time: everything the runner adds, including
  scenario overrides, the summary and storage.
- ``in_sweep_overhead_fraction``: (sweep wall time - sum of the runs' own
  times recorded by the worker) / that sum, 1 local worker: the scheduling
  and storage overhead measured within the same sweep (less sensitive to
  other load than the comparison with a separate bare run).
- ``speedup_2_vs_1``: local runs/s with 2 workers over 1 worker (needs two
  idle cores; ``load_average_1_5_15_min`` shows how busy the machine was).

Floors (from the issue): overhead under 0.10; speedup at least 1.7.

Usage: python benchmarks/bench_sweep.py [--runs 80] [--rounds 3] [--households 5000] [--steps 60]
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import math
import os
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


def timed_sweep(plan, config, folder: Path) -> tuple[float, float, int]:
    """(wall seconds, sum of the runs' own seconds, runs) of one sweep into a fresh folder."""
    from returnsim.experiments.store import Store
    from returnsim.experiments.sweep import execute_plan

    shutil.rmtree(folder, ignore_errors=True)
    t0 = time.perf_counter()
    outcome = execute_plan(plan, folder, config, stream=io.StringIO(), flush_seconds=5.0)
    wall = time.perf_counter() - t0
    assert outcome.ok == outcome.total, outcome
    own = float(Store(folder).runs()["wall_seconds"].sum())
    return wall, own, outcome.total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=80)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--steps", type=int, default=60)
    args = parser.parse_args()

    from distributed import LocalCluster

    from returnsim.experiments.executors import ExecutorConfig, warm_up
    from returnsim.experiments.sweep import make_plan

    load_before = os.getloadavg()
    spec = make_spec(args.households, args.steps, args.runs)
    plan = make_plan(spec, "sweep")
    warm_up(ExecutorConfig(workers=1))
    tmp = Path(tempfile.mkdtemp(prefix="bench_sweep-"))
    clusters = {
        n: LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.ERROR,
        )
        for n in (1, 2)
    }
    configs = {
        "local-1": ExecutorConfig(workers=1),
        "local-2": ExecutorConfig(workers=2),
        "dask-1": ExecutorConfig(scheduler=clusters[1].scheduler_address),
        "dask-2": ExecutorConfig(scheduler=clusters[2].scheduler_address),
    }
    rates: dict[str, float] = {}
    bare = math.inf
    in_sweep = math.inf
    try:
        for r in range(args.rounds):
            bare = min(bare, bare_seconds(spec, plan, repeats=5))
            print(f"round {r + 1}: bare model run {bare:.4f} s", flush=True)
            for name, config in configs.items():
                wall, own, n = timed_sweep(plan, config, tmp / name)
                rates[name] = max(rates.get(name, 0.0), n / wall)
                if name == "local-1":
                    in_sweep = min(in_sweep, (wall - own) / own)
                print(f"round {r + 1}: {name}: {n} runs in {wall:.2f} s = {n / wall:.2f} runs/s",
                      flush=True)  # fmt: skip
    finally:
        for cluster in clusters.values():
            cluster.close()
        shutil.rmtree(tmp, ignore_errors=True)
    per_run_1 = 1.0 / rates["local-1"]
    overhead = (per_run_1 - bare) / bare
    speedup = rates["local-2"] / rates["local-1"]
    result = {
        "households": args.households,
        "steps": args.steps,
        "runs": len(plan.unique_runs()),
        "rounds": args.rounds,
        "bare_run_s": round(bare, 4),
        "runs_per_s": {k: round(v, 3) for k, v in rates.items()},
        "overhead_per_run_fraction": round(overhead, 4),
        "in_sweep_overhead_fraction": round(in_sweep, 4),
        "speedup_2_vs_1": round(speedup, 3),
        "dask_speedup_2_vs_1": round(rates["dask-2"] / rates["dask-1"], 3),
        "load_average_1_5_15_min": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
        "floors": {
            "overhead_below_0.10": overhead < 0.10,
            "speedup_at_least_1.7": speedup >= 1.7,
        },
    }
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
