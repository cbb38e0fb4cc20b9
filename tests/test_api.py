"""The Python API (returnsim.run, sweep, compare, optimize, calibrate) gives what the
commands give, as DataFrames with figures."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from exp_support import spec_text, write_spec
from matplotlib.figure import Figure
from test_optimize import small_spec
from test_series_store import COMPARE

import returnsim
from returnsim import cli
from returnsim.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"


def test_run_is_the_command_run(tmp_path: Path, capsys) -> None:
    r = returnsim.run(BASELINE, households=400, months=18, seed=3)
    assert cli.main(["run", str(BASELINE), "--households", "400", "--steps", "18",
                     "--seed", "3", "--out", str(tmp_path / "cli")]) == 0  # fmt: skip
    capsys.readouterr()
    summary = json.loads((tmp_path / "cli" / "summary.json").read_text())
    assert r.summary["returned"] == summary["returned"]
    assert r.summary["total_cost"] == summary["total_cost"]
    csv = pd.read_csv(tmp_path / "cli" / "timeseries.csv")
    assert r.timeseries["refugees"].tolist() == pytest.approx(csv["refugees"].tolist())
    assert {"dimension", "group", "returned_share"} <= set(r.groups.columns)
    for what in ("stocks", "flows", "conditions", "reintegration", "spending"):
        assert isinstance(r.plot(what), Figure)
    with pytest.raises(InputError, match="allowed: stocks"):
        r.plot("map")
    # overrides act, and several seeds give an ensemble with bands
    more = returnsim.run(
        BASELINE, households=400, months=18, seed=3,
        overrides={"return_package.cash_per_person": 80.0},
    )  # fmt: skip
    assert more.summary["returns_total"] > r.summary["returns_total"]
    ens = returnsim.run(BASELINE, households=300, months=12, seeds=3)
    assert ens.seeds == [42, 43, 44] and not ens.bands().empty
    with pytest.raises(InputError, match=r"households\.count"):
        returnsim.run(BASELINE, households=0)


def test_compare_gives_the_ranking_and_trajectories(tmp_path: Path) -> None:
    c = returnsim.compare(write_spec(tmp_path, COMPARE), tmp_path / "c", workers=0,
                          progress=False)  # fmt: skip
    assert c.ranking["mix"].tolist() == ["baseline", "package"]
    assert "extra households sustainably reintegrated" in c.ranking.columns
    assert c.headline.startswith("Ranked first: package")
    assert "households back home" in c.headline or "sustainably reintegrated" in c.headline
    assert c.trajectories is not None and set(c.trajectories["variable"]) == {
        "returned",
        "refugees",
    }
    for what in ("frontier", "differences", "trajectories"):
        assert isinstance(c.plot(what), Figure)
    assert c.report().is_file()
    # the same call again resumes: nothing runs, the same table
    again = returnsim.compare(tmp_path / "spec.toml", tmp_path / "c", workers=0, progress=False)
    pd.testing.assert_frame_equal(again.cost_effectiveness, c.cost_effectiveness)


def test_sweep_gives_runs_indices_and_figures(tmp_path: Path) -> None:
    text = spec_text("sobol", samples=4, steps=8, replicates=1)
    s = returnsim.sweep(write_spec(tmp_path, text), tmp_path / "s", workers=0, progress=False)
    assert len(s.runs) > 4 and (s.runs["status"] == "ok").all()  # unique runs of 20 points
    assert {"parameter", "S1", "ST"} <= set(s.analysis["sobol"].columns)
    assert isinstance(s.plot(), Figure) and isinstance(s.plot("convergence"), Figure)
    with pytest.raises(InputError, match="no 'morris' figure"):
        s.plot("morris")


def test_optimize_gives_the_pareto_set_and_the_allocation(tmp_path: Path) -> None:
    spec = small_spec(tmp_path)
    spec.write_text(spec.read_text().replace("generations = 2", "generations = 1"))
    o = returnsim.optimize(spec, tmp_path / "o", workers=0, progress=False)
    assert not o.pareto.empty and (o.pareto["cost"] <= 6_500_000).all()
    assert set(o.allocation) == {c for c in o.evaluated.columns if "." in c}
    assert "optimized" in set(o.evaluation["mix"])
    assert isinstance(o.plot(), Figure)


def test_calibrate_gives_the_fit_and_the_calibrated_scenario(tmp_path: Path) -> None:
    from test_calibration import MINI, fit, write

    scenario = write(tmp_path, "mini.toml", MINI)
    truth = returnsim.load(scenario).with_overrides({"decision.review_rate": 0.4})
    series = fit.simulate(truth, [100, 101], "refugee_returns", 100.0).mean(axis=1)
    rows = "\n".join(f"{y},{v:.0f}" for y, v in series.items())
    target = write(tmp_path, "target.csv", "year,returned\n" + rows + "\n")
    c = returnsim.calibrate(
        scenario, target, fit_years="2000-2002", seeds=2, maxiter=1, popsize=4,
        overrides={"decision.review_rate": 0.05}, out=tmp_path / "cal", progress=False,
    )  # fmt: skip
    assert c.params["parameter"].tolist() == ["decision.review_rate"]
    assert set(c.years["role"]) >= {"fit", "heldout"}
    assert c.calibrated["decision.review_rate"] == pytest.approx(c.fit["params"][
        "decision.review_rate"]["value"])  # fmt: skip
    assert isinstance(c.plot(), Figure)
