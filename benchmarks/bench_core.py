"""Core speed and memory: vectorized engine at scale vs the per-agent reference.

Prints progress lines, then ONE JSON object on its last line with
households, steps, seconds, household_steps_per_s,
reference_household_steps_per_s, speedup_vs_reference and
peak_bytes_per_household (tracemalloc peak of a separate traced run,
model construction included, divided by households).

The floors' workload is the baseline with every simulated household a real one
(``households.population`` 0), as it was measured before the scenario stated its
population; ``seconds_at_scale`` is the same run with the baseline's 100,000 persons (each
simulated household 1/50 of a real one at 1,000,000, so its camps are no longer 50 times
overcrowded and more households stay displaced and review each month).

Usage: python benchmarks/bench_core.py [--households N] [--steps N]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import tracemalloc

from returnsim import ReturnModel
from returnsim.scenario import load

SCENARIO = "scenarios/baseline.toml"


def run(households: int, steps: int, engine: str = "arrays", population: float = 0) -> float:
    """Seconds to build and run the baseline scenario."""
    spec = load(
        SCENARIO,
        {
            "households.count": households,
            "scenario.months": steps,
            "scenario.engine": engine,
            "households.population": population,
        },
    )
    t0 = time.perf_counter()
    model = ReturnModel(spec)
    model.run()
    return time.perf_counter() - t0


def peak_bytes(households: int, steps: int) -> int:
    gc.collect()
    tracemalloc.start()
    run(households, steps)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--steps", type=int, default=120)
    ap.add_argument("--reference-households", type=int, default=1_000)
    ap.add_argument("--reference-steps", type=int, default=24)
    args = ap.parse_args()

    n, t = args.households, args.steps
    print(f"vectorized: {n:,} households x {t} months ...", file=sys.stderr)
    seconds = run(n, t)
    print(f"  {seconds:.2f} s", file=sys.stderr)
    print("  and at the baseline's population of 100,000 persons ...", file=sys.stderr)
    at_scale = run(n, t, population=100_000)
    print(f"  {at_scale:.2f} s", file=sys.stderr)
    rn, rt = args.reference_households, args.reference_steps
    print(f"reference: {rn:,} households x {rt} months ...", file=sys.stderr)
    ref_seconds = run(rn, rt, engine="agents")
    print(f"  {ref_seconds:.2f} s", file=sys.stderr)
    print("peak memory (tracemalloc) ...", file=sys.stderr)
    peak = peak_bytes(n, t)
    rate = n * t / seconds
    ref_rate = rn * rt / ref_seconds
    print(
        json.dumps(
            {
                "households": n,
                "steps": t,
                "seconds": round(seconds, 3),
                "seconds_at_scale": round(at_scale, 3),
                "household_steps_per_s": round(rate),
                "reference_households": rn,
                "reference_steps": rt,
                "reference_household_steps_per_s": round(ref_rate),
                "speedup_vs_reference": round(rate / ref_rate, 1),
                "peak_bytes_per_household": round(peak / n, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
