"""Soak test of the experiment runner: 1,000 runs in one worker process without memory growth.

Runs a Latin hypercube sweep of the baseline (1,000 runs of 1,000 households
x 24 months by default) through the real runner (``execute_plan``) with one
local worker process. The task function is wrapped so that the worker
itself records its resident memory (RSS, psutil) after every 50th run it
has done; the sweep must be done by that one process.

- ``rss_mb``: the worker's RSS after runs 100, 500 and 1,000.
- ``growth_mb_per_100_runs``: slope of a least-squares line through the
  samples from run 100 to the last (run 100 and earlier are warm-up: imports,
  first allocations, caches filling).
- ``ratio_last_to_first_after_warm_up``: RSS after the last run / after run 100.
- ``growth_mb_second_half``: RSS after the last run minus RSS half-way between
  run 100 and the last (whether growth goes on or has levelled off).
- ``runner_rss_mb``: the runner process's own RSS at the end (it holds rows
  until each part is written).

Usage: python benchmarks/bench_soak.py [--runs 1000] [--households 1000] [--steps 24]
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_sweep import make_spec  # the same small Latin hypercube spec of the baseline

#: The worker records its RSS after every this many runs.
EVERY = 50
#: Runs before this count are warm-up, left out of the growth figures.
WARM_UP = 100


def soak_chunk(base, batch, metrics):
    """``runs.execute_chunk``, recording the worker's RSS after every EVERY-th run it did."""
    import psutil

    from returnsim.experiments import runs

    results = []
    for run in batch:
        results.append(runs.execute(base, run, metrics))
        soak_chunk.done = getattr(soak_chunk, "done", 0) + 1
        if soak_chunk.done % EVERY == 0:
            rss = psutil.Process().memory_info().rss
            with open(os.environ["RETURNSIM_SOAK_LOG"], "a", encoding="utf-8") as f:
                f.write(f"{os.getpid()} {soak_chunk.done} {rss}\n")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=24)
    args = parser.parse_args()

    import numpy as np
    import psutil

    from returnsim.experiments import scheduler, sweep
    from returnsim.experiments.executors import ExecutorConfig
    from returnsim.experiments.store import Store

    plan = sweep.make_plan(make_spec(args.households, args.steps, args.runs), "sweep")
    tmp = Path(tempfile.mkdtemp(prefix="bench_soak-"))
    log = tmp / "rss.log"
    os.environ["RETURNSIM_SOAK_LOG"] = str(log)  # inherited by the worker
    scheduler.execute_chunk = soak_chunk  # what the scheduler ships to the worker
    try:
        t0 = time.perf_counter()
        outcome = sweep.execute_plan(
            plan, tmp / "out", ExecutorConfig(workers=1), stream=io.StringIO()
        )
        wall = time.perf_counter() - t0
        assert outcome.ok == outcome.total, outcome
        workers = Store(tmp / "out").runs()["worker"].nunique()
        samples = [tuple(map(int, line.split())) for line in log.read_text().splitlines()]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    pids = {pid for pid, _, _ in samples}
    assert workers == 1 and len(pids) == 1, "the runs were not all done by one worker process"
    mb = {done: rss / 2**20 for _, done, rss in samples}
    for done, rss in mb.items():
        print(f"run {done:5d}: worker RSS {rss:8.1f} MB", flush=True)
    after = sorted(d for d in mb if d >= WARM_UP)
    slope = float(np.polyfit(after, [mb[d] for d in after], 1)[0])
    result = {
        "runs": outcome.total,
        "households": args.households,
        "steps": args.steps,
        "workers": 1,
        "samples_every_runs": EVERY,
        "rss_mb": {str(d): round(mb[d], 1) for d in (100, 500, 1000) if d in mb},
        "rss_mb_min_max_after_warm_up": [
            round(min(mb[d] for d in after), 1),
            round(max(mb[d] for d in after), 1),
        ],
        "growth_mb_per_100_runs": round(100 * slope, 3),
        "growth_mb_second_half": round(mb[after[-1]] - mb[after[len(after) // 2]], 1),
        "ratio_last_to_first_after_warm_up": round(mb[after[-1]] / mb[after[0]], 4),
        "runner_rss_mb": round(psutil.Process().memory_info().rss / 2**20, 1),
        "wall_s": round(wall, 1),
        "load_average_1_5_15_min": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
