"""Sweeps and comparisons keep chosen time series per run (Parquet, long), and their reports
draw the trajectories with bands."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from exp_support import BASELINE, spec_text, write_spec

from returnsim.errors import InputError
from returnsim.experiments import compare
from returnsim.experiments.analysis import write as analyse
from returnsim.experiments.executors import ExecutorConfig
from returnsim.experiments.plan import make_plan
from returnsim.experiments.spec import load_spec
from returnsim.experiments.store import Store
from returnsim.experiments.sweep import execute_plan
from returnsim.model import ReturnModel

COMPARE = f"""\
scenario = "{BASELINE}"
households = 300
steps = 18
seed = 5
replicates = 3
[mixes.package]
"return_package.cash_per_person" = 80.0
[outputs]
metrics = ["returned"]
series = ["returned", "refugees"]
"""


def _run(spec_path: Path, out: Path, kind: str = "compare") -> None:
    plan = make_plan(load_spec(spec_path), kind)
    execute_plan(plan, out, ExecutorConfig(workers=0), stream=io.StringIO())


def test_a_comparison_keeps_each_runs_series_as_the_run_makes_it(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, COMPARE)
    out = tmp_path / "out"
    _run(spec, out)
    store = Store(out)
    series = store.read_series().to_pandas()
    runs = store.runs()
    assert len(series) == len(runs) * 19 * 2  # 6 runs x months 0..18 x 2 series
    # the package mix's replicate 1, run again by hand, gives the stored numbers
    row = runs[(runs["label"] == "package") & (runs["replicate"] == 1)].iloc[0]
    model = ReturnModel(
        load_spec(spec).base, rng=int(row["seed"]),
        overrides={"return_package.cash_per_person": 80.0},
    )  # fmt: skip
    model.run()
    kept = series[(series["run_key"] == row["run_key"]) & (series["variable"] == "refugees")]
    assert kept.sort_values("month")["value"].tolist() == [
        float(v) for v in model.datacollector.model_vars["refugees"]
    ]
    # resuming runs nothing and adds no series
    _run(spec, out)
    assert len(store.read_series()) == len(series)


def test_the_trajectories_are_the_paired_differences_month_by_month(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(write_spec(tmp_path, COMPARE), out)
    result = compare.compare(out)
    traj = result["trajectories"]
    last = traj[(traj["variable"] == "returned") & (traj["month"] == 18)]
    gain = last.set_index("mix").loc["package"]
    diff = result["differences"].set_index(["metric", "mix"]).loc[("returned", "package")]
    # the last month's paired difference is the summary's (the same households back home;
    # the summary rounds each run's count to a whole household)
    assert gain["difference"] == pytest.approx(diff["difference"], abs=1)
    assert gain["ci_low"] == pytest.approx(diff["ci_low"], abs=5)
    assert gain["difference"] > 0  # the package brings people home
    base = traj[traj["mix"] == "baseline"]
    assert (base["difference"] == 0).all()
    assert (traj["q05"] <= traj["mean"] + 1e-9).all() and (traj["mean"] <= traj["q95"] + 1e-9).all()
    written = compare.write(out)
    assert "trajectories.png" in written and "trajectories.csv" in written


def test_a_sweep_draws_the_envelope_of_its_runs(tmp_path: Path) -> None:
    text = spec_text("lhs", samples=4, steps=10, replicates=1).replace(
        "[outputs]\n", '[outputs]\nseries = ["internally_displaced"]\n'
    )
    out = tmp_path / "out"
    _run(write_spec(tmp_path, text), out, "sweep")
    written = analyse(out)
    assert "envelope.png" in written
    env = pd.read_csv(out / "analysis" / "envelope.csv")
    assert set(env["runs"]) == {4}
    assert np.all(np.diff(env[["q05", "q25", "median", "q75", "q95"]].to_numpy(), axis=1) >= 0)


def test_no_series_kept_unless_asked(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(write_spec(tmp_path, COMPARE.replace('series = ["returned", "refugees"]\n', "")), out)
    assert Store(out).read_series().num_rows == 0
    assert "trajectories" not in compare.compare(out)


def test_an_unknown_series_is_named_with_what_is_allowed(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, COMPARE.replace('"refugees"]', '"refugee"]'))
    with pytest.raises(
        InputError, match=r"outputs.series: unknown time series 'refugee'.*refugees"
    ):
        load_spec(spec)
    done = subprocess.run(
        [sys.executable, "-m", "returnsim.cli", "compare", str(spec), "--out", str(tmp_path / "o")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()
