"""Common random numbers per household vs per stream: the gain in paired comparisons.

A small lever change (the return package's cash, USD 45 -> 50 a person, from month 18,
USD 150,000 a month) on the baseline, paired seeds, the same number of runs in each mode
(``scenario.random_numbers``): the standard error of the mean paired difference in
returns home, and their ratio. Prints ONE JSON object.

Usage: python benchmarks/bench_crn.py [--households N] [--steps N] [--pairs N]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from returnsim import ReturnModel
from returnsim.scenario import load

SCENARIO = "scenarios/baseline.toml"
PACKAGE = {
    "return_package.start": 18,
    "return_package.monthly_budget": 150_000.0,
}


def returns(households: int, steps: int, mode: str, cash: float, seed: int) -> float:
    over = {
        "households.count": households,
        "scenario.months": steps,
        "scenario.random_numbers": mode,
        "return_package.cash_per_person": cash,
        **PACKAGE,
    }
    model = ReturnModel(load(SCENARIO, over), rng=seed)
    model.run()
    return float(model.datacollector.get_model_vars_dataframe()["new_returns"].sum())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=3000)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--pairs", type=int, default=20)
    a = ap.parse_args()
    out: dict[str, object] = {"households": a.households, "steps": a.steps, "pairs": a.pairs}
    for mode in ("stream", "household"):
        t0 = time.perf_counter()
        d = np.array(
            [
                returns(a.households, a.steps, mode, 50.0, s)
                - returns(a.households, a.steps, mode, 45.0, s)
                for s in range(100, 100 + a.pairs)
            ]
        )
        se = float(d.std(ddof=1) / np.sqrt(len(d)))
        out[mode] = {"mean_difference": float(d.mean()), "standard_error": se}
        out[f"{mode}_seconds"] = round(time.perf_counter() - t0, 2)
        print(f"{mode}: returns +{d.mean():,.1f}, standard error {se:,.1f}", flush=True)
    ratio = out["stream"]["standard_error"] / out["household"]["standard_error"]
    out["standard_error_ratio"] = ratio
    out["variance_ratio"] = ratio**2
    print(json.dumps(out))


if __name__ == "__main__":
    main()
