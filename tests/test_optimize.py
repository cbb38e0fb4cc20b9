"""returnsim optimize: NSGA-II over lever budgets through the runner; a Pareto set within
the budget, scenario files that run, an evaluation on fresh seeds, and a resumed search
that runs nothing again."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from returnsim import cli
from returnsim.scenario import load

REPO = Path(__file__).absolute().parents[1]


def small_spec(tmp_path: Path) -> Path:
    text = (REPO / "experiments" / "optimize_mixes.toml").read_text()
    for old, new in (
        ("households = 5000", "households = 600"),
        ("steps = 96", "steps = 36"),
        ("replicates = 4", "replicates = 2"),
        ("generations = 12", "generations = 2"),
        ("population = 20", "population = 4"),
        ("fresh_replicates = 10", "fresh_replicates = 2"),
        ('scenario = "scenarios/baseline.toml"', f'scenario = "{REPO}/scenarios/baseline.toml"'),
    ):
        assert old in text
        text = text.replace(old, new)
    spec = tmp_path / "opt.toml"
    spec.write_text(text)
    return spec


def test_optimize_finds_allocations_within_the_budget_and_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, out = small_spec(tmp_path), tmp_path / "opt"
    argv = ["optimize", str(spec), "--out", str(out), "--workers", "0"]
    assert cli.main(argv) == 0
    printed = capsys.readouterr().out
    assert "Chosen allocation" in printed and "on fresh seeds" in printed
    summary = json.loads((out / "optimize.json").read_text())
    budget = tomllib.loads(spec.read_text())["optimize"]["budget"]
    front = json.loads((out / "pareto.json").read_text())
    assert front and all(r["cost"] <= budget for r in front)
    costs = [r["cost"] for r in front]
    gains = [r["gain"] for r in front]
    assert costs == sorted(costs) and gains == sorted(gains)  # more only for more money
    assert summary["optimiser"] == "pymoo NSGA-II" and summary["evaluated"] == 8
    assert set(summary["chosen"]) == {"0", "0.25", "0.5", "0.75", "1"}
    # the evaluation: the chosen allocation and every shipped mix on fresh seeds
    mixes = {r["mix"] for r in summary["evaluation"]}
    assert mixes >= {"baseline", "optimized", "return_package", "security_first"}
    assert json.loads((out / "evaluation" / "manifest.json").read_text())["seeds"][0] == 1042
    # a scenario file per Pareto allocation, with its lever values, that loads
    for row in front:
        scenario = load(out / "allocations" / f"{row['allocation']}.toml")
        assert scenario["return_package.monthly_budget"] == pytest.approx(
            row["return_package.monthly_budget"]
        )
    assert (out / "pareto.png").read_bytes()[:4] == b"\x89PNG"
    # rerun: every run is in the store, nothing runs again, the same answer
    parts = sorted(p.name for p in out.rglob("*.parquet"))
    assert cli.main(argv) == 0
    capsys.readouterr()
    assert sorted(p.name for p in out.rglob("*.parquet")) == parts
    assert json.loads((out / "optimize.json").read_text())["allocation"] == summary["allocation"]


def test_optimize_needs_a_budget_and_ranges(tmp_path: Path, capsys) -> None:
    spec = small_spec(tmp_path)
    spec.write_text(spec.read_text().replace("budget = 6500000", "budget = -1"))
    assert cli.main(["optimize", str(spec), "--workers", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "optimize.budget" in err[0]


def robust_spec(tmp_path: Path) -> Path:
    spec = small_spec(tmp_path)
    text = spec.read_text().replace("generations = 2", "generations = 1")
    text = text.replace(
        '"mhpss.mobile_teams" = { min = 0, max = 3 }',
        '"mhpss.mobile_teams" = { min = 0, max = 3 }\n'
        '"conflict.recurrence_monthly" = { min = 0.0, max = 0.04, kind = "uncertainty" }',
    ).replace("[optimize]\n", '[optimize]\nfutures = 3\nrobustness = "min"\n')
    spec.write_text(text)
    return spec


def test_optimize_is_robust_over_sampled_futures(tmp_path: Path, capsys) -> None:
    from returnsim.experiments.analysis import load_results, replicate_matrix
    from returnsim.experiments.store import Store

    spec, out = robust_spec(tmp_path), tmp_path / "opt"
    assert cli.main(["optimize", str(spec), "--out", str(out), "--workers", "0"]) == 0
    printed = capsys.readouterr().out
    assert "On fresh futures" in printed
    summary = json.loads((out / "optimize.json").read_text())
    recurrence = [f["conflict.recurrence_monthly"] for f in summary["futures"]]
    assert len(set(recurrence)) == 3 and all(0 <= r <= 0.04 for r in recurrence)
    assert "conflict.recurrence_monthly" not in summary["allocation"]  # not searched
    # every candidate ran in every future, each against the baseline of its future
    _, design, runs = load_results(Store(out / "generations" / "000"))
    labels = design["label"].tolist()
    assert sum(label.startswith("future") for label in labels) == 3
    assert len(labels) == 1 + 3 + 4 * 3
    # robustness "min": a candidate's gain is its worst future's, read back from the runs
    y = dict(
        zip(labels, replicate_matrix(runs, "sustainably_reintegrated", len(labels), 2).mean(1),
            strict=True)
    )  # fmt: skip
    table = pd.read_csv(out / "evaluated.csv")
    for _, row in table.iterrows():
        per_future = [y[f"{row['allocation']}_f{k:02d}"] - y[f"future{k:02d}"] for k in range(3)]
        assert row["gain"] == pytest.approx(min(per_future))
        assert row["gain_mean"] == pytest.approx(sum(per_future) / 3)
        assert row["gain"] <= row["gain_mean"] + 1e-9 and row["cost"] >= row["cost_mean"] - 1e-6
    # the check on fresh futures: the chosen allocation and the lever-only shipped mixes
    check = pd.read_csv(out / "robustness.csv")
    assert {"optimized", "return_package", "rebuild_livelihoods"} <= set(check["mix"])
    assert "security_first" not in set(check["mix"])  # sets levers the search does not
    assert (check["max_regret"] >= 0).all() and (check["worst_gain"] <= check["mean_gain"]).all()
    fresh = Store(out / "robustness").manifest()
    assert fresh["seeds"][0] == 1042


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("futures = 3", "futures = 1", "optimize.futures"),
        ('robustness = "min"', 'robustness = "p5"', "optimize.robustness"),
    ],
)
def test_optimize_futures_and_robustness_are_checked(tmp_path, capsys, old, new, key) -> None:
    spec = robust_spec(tmp_path)
    spec.write_text(spec.read_text().replace(old, new))
    assert cli.main(["optimize", str(spec), "--workers", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and key in err[0]
