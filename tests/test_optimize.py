"""returnsim optimize: NSGA-II over lever budgets through the runner; a Pareto set within
the budget, scenario files that run, an evaluation on fresh seeds, and a resumed search
that runs nothing again."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

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
