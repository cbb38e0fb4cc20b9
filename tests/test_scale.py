"""Population scale (households.population): one comparison at two simulated sizes gives
the same cost per additional household, within its confidence interval; without the
scale (the simulated households taken as the whole population) it does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from returnsim import cli

REPO = Path(__file__).absolute().parents[1]

SPEC = """
name = "scale"
scenario = "{scenario}"
households = {households}
steps = 60
seed = 1
replicates = 8

[fixed]
"households.population" = {population}

[outputs]
metrics = ["returned_share"]

[compare]
effects = ["sustainably_reintegrated"]

[mixes.return_package]
"return_package.start" = 18
"return_package.cash_per_person" = 45.0
"return_package.transport_per_person" = 20.0
"return_package.food_months" = 3
"return_package.shelter_kit" = 300.0
"return_package.monthly_budget" = 150000.0

[mixes.social_repair]
"reconciliation.start" = 20
"reconciliation.monthly_budget" = 40000.0
"protection.legal_aid_monthly_budget" = 30000.0
"protection.mediators" = 10
"mhpss.mobile_teams" = 3
"information.start" = 18
"information.campaign" = true
"information.visits_per_month" = 20
"""
PER = "cost_per_additional_sustainably_reintegrated"


def cost_per_household(tmp_path: Path, households: int, population: float) -> dict:
    """Per mix: USD per additional household sustainably reintegrated and its interval."""
    name = f"{households}_{population:g}"
    spec = tmp_path / f"{name}.toml"
    spec.write_text(
        SPEC.format(
            scenario=(REPO / "scenarios" / "baseline.toml").as_posix(),
            households=households,
            population=population,
        )
    )
    out = tmp_path / name
    assert cli.main(["compare", str(spec), "--out", str(out), "--workers", "0"]) == 0
    rows = json.loads((out / "analysis" / "cost_effectiveness.json").read_text())
    return {
        r["mix"]: (r[PER], r[f"{PER}_ci_low"], r[f"{PER}_ci_high"])
        for r in rows
        if r["mix"] != "baseline"
    }


def overlap(a: tuple, b: tuple) -> bool:
    return a[1] <= b[2] and b[1] <= a[2]


def test_cost_per_household_does_not_depend_on_the_simulated_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    small = cost_per_household(tmp_path, 1000, 100_000)  # one for 20 real households
    large = cost_per_household(tmp_path, 3000, 100_000)  # one for 6.7
    for mix in ("return_package", "social_repair"):
        assert small[mix][0] > 0 and large[mix][0] > 0
        assert overlap(small[mix], large[mix]), (mix, small[mix], large[mix])
    # the same ranking at both sizes
    assert (small["return_package"][0] < small["social_repair"][0]) == (
        large["return_package"][0] < large["social_repair"][0]
    )
    # switched off (each simulated household a real one, whatever their number), the
    # programmes' reach grows with the simulated size and the cost per household falls
    small0 = cost_per_household(tmp_path, 1000, 0)
    large0 = cost_per_household(tmp_path, 3000, 0)
    assert not overlap(small0["social_repair"], large0["social_repair"])
    assert large0["social_repair"][2] < small0["social_repair"][1]
    capsys.readouterr()
