"""Analysis, comparison and report: known answers (Ishigami, linear functions, dominance),
seed variance, and the files each command writes."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from exp_support import spec_text, write_spec
from SALib.test_functions import Ishigami
from scipy import stats

from returnsim import cli
from returnsim.experiments import analysis, compare
from returnsim.experiments.design import Factor, build

PI = math.pi
ISHIGAMI = (Factor("x1", -PI, PI), Factor("x2", -PI, PI), Factor("x3", -PI, PI))
#: Analytical indices of the Ishigami function with a = 7, b = 0.1.
S1_TRUE = np.array([0.3139, 0.4424, 0.0])
ST_TRUE = np.array([0.5576, 0.4424, 0.2437])
PNG = b"\x89PNG\r\n\x1a\n"


def ishigami_design(samples: int, second_order: bool = False):
    design = build("sobol", ISHIGAMI, samples=samples, second_order=second_order, seed=7)
    x = np.array([[p["x1"], p["x2"], p["x3"]] for p in design.points])
    return design, Ishigami.evaluate(x)


def test_sobol_recovers_the_ishigami_indices() -> None:
    design, y = ishigami_design(2048)
    table, s2 = analysis.sobol_indices(y, design.names, second_order=False, seed=1)
    assert s2 is None
    assert table["S1"].to_numpy() == pytest.approx(S1_TRUE, abs=0.04)
    assert table["ST"].to_numpy() == pytest.approx(ST_TRUE, abs=0.04)
    assert (table["S1_conf"] > 0).all() and (table["S1_conf"] < 0.1).all()


def test_sobol_second_order_finds_the_x1_x3_interaction() -> None:
    design, y = ishigami_design(1024, second_order=True)
    table, s2 = analysis.sobol_indices(y, design.names, second_order=True, seed=1)
    pairs = {(r.parameter_1, r.parameter_2): r.S2 for r in s2.itertuples()}
    assert pairs[("x1", "x3")] == pytest.approx(ST_TRUE[2], abs=0.08)
    assert abs(pairs[("x1", "x2")]) < 0.08 and abs(pairs[("x2", "x3")]) < 0.08
    assert table["ST"].to_numpy() == pytest.approx(ST_TRUE, abs=0.06)


def test_convergence_compares_half_and_full_sample() -> None:
    design, y = ishigami_design(1024)
    conv = analysis.sobol_convergence(y, design.names, samples=1024, second_order=False, seed=1)
    half, _ = analysis.sobol_indices(y[: 512 * 5], design.names, second_order=False, seed=1)
    assert conv["S1_half"].to_numpy() == pytest.approx(half["S1"].to_numpy())
    assert (conv["ST_change"] < 0.1).all()
    # a sample too small to settle moves a lot
    small_design, small_y = ishigami_design(8)
    rough = analysis.sobol_convergence(
        small_y, small_design.names, samples=8, second_order=False, seed=1
    )
    assert rough[["S1_change", "ST_change"]].to_numpy().max() > 0.1


def test_seed_variance_share_and_averaged_replicates() -> None:
    """Noise of known variance added per replicate: its share is recovered, the indices too."""
    design, y = ishigami_design(1024)
    rng = np.random.default_rng(3)
    noise_sd, reps = 2.0, 4
    runs = y[:, None] + rng.normal(0, noise_sd, size=(len(y), reps))
    share = analysis.seed_variance(runs)
    expected = noise_sd**2 / (np.var(y) + noise_sd**2)
    assert share["seed_share"] == pytest.approx(expected, rel=0.1)
    assert share["seed_share_of_means"] == pytest.approx(noise_sd**2 / reps / np.var(y), rel=0.15)
    table, _ = analysis.sobol_indices(runs.mean(axis=1), design.names, second_order=False)
    assert table["S1"].to_numpy() == pytest.approx(S1_TRUE, abs=0.07)
    assert analysis.seed_variance(runs[:, :1])["seed_share"] is None


def test_morris_on_a_linear_function() -> None:
    factors = (Factor("a", 0.0, 2.0), Factor("b", 0.0, 1.0), Factor("c", 0.0, 5.0))
    design = build("morris", factors, samples=10, levels=4, seed=2)
    y = np.array([3 * p["a"] + 1 * p["b"] + 0 * p["c"] for p in design.points])
    table = analysis.morris_indices(design.unit, y, design.names, levels=4, seed=0)
    # effect of moving across the whole range: 3 x 2, 1 x 1, 0
    assert table["mu_star"].to_numpy() == pytest.approx([6.0, 1.0, 0.0], abs=1e-9)
    assert table["sigma"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)


def test_correlations_and_main_effects() -> None:
    factors = (Factor("a", 0.0, 1.0), Factor("b", 0.0, 1.0), Factor("c", 0.0, 1.0))
    design = build("lhs", factors, samples=200, seed=1)
    y = np.array([2 * p["a"] - p["b"] for p in design.points])
    corr = analysis.correlations(design.unit, y, design.names).set_index("parameter")
    assert corr.loc["a", "spearman"] > 0.8 and corr.loc["b", "spearman"] < -0.3
    assert abs(corr.loc["c", "spearman"]) < 0.2
    assert corr.loc["a", "src"] == pytest.approx(2 * corr.loc["b", "src"] * -1, rel=0.05)
    assert corr["r2"].iloc[0] == pytest.approx(1.0)

    ff = build("full_factorial", factors[:2], levels=3)
    import pandas as pd

    values = pd.DataFrame(ff.points)
    y = np.array([p["a"] * 10 for p in ff.points])
    effects = analysis.main_effects(values, y, ff.names)
    a = effects[effects["parameter"] == "a"]
    assert a["mean"].tolist() == pytest.approx([0.0, 5.0, 10.0])
    assert set(a["swing"]) == {10.0}
    assert set(effects[effects["parameter"] == "b"]["swing"]) == {0.0}


def test_paired_difference_is_the_paired_t_interval() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(10, 3, 8)
    other = base + rng.normal(1, 0.5, 8)
    row = compare.paired_difference(base, other, 0.9)
    ci = stats.ttest_rel(other, base).confidence_interval(0.9)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert row["p_value"] == pytest.approx(stats.ttest_rel(other, base).pvalue)
    same = compare.paired_difference(base, base, 0.95)
    assert (same["difference"], same["ci_low"], same["ci_high"]) == (0.0, 0.0, 0.0)


def test_frontier_drops_strongly_and_extendedly_dominated_options() -> None:
    cost = {"A": 0.0, "B": 10.0, "C": 20.0, "D": 15.0, "E": 30.0}
    effect = {"A": 0.0, "B": 5.0, "C": 6.0, "D": 4.0, "E": 20.0}
    # D costs more than B for less; B and C are beaten by mixing A and E
    assert compare.frontier(cost, effect) == {"A": None, "E": 1.5}
    effect["E"] = 7.0  # now E is worth it only after C
    assert compare.frontier(cost, effect) == {"A": None, "B": 2.0, "C": 10.0, "E": 10.0}


def test_bootstrap_interval_of_cost_per_gain() -> None:
    d_cost = np.array([100.0, 110.0, 90.0, 105.0])
    d_eff = np.array([10.0, 11.0, 9.0, 10.0])
    low, high = compare.ratio_interval(d_cost, d_eff, 0.95)
    assert low <= 10.0 <= high and high - low < 2
    assert compare.ratio_interval(d_cost, np.array([1.0, -1.0, 2.0, 0.0]), 0.95) == (None, None)


@pytest.mark.parametrize(
    ("method", "samples", "tables"),
    [
        ("sobol", 4, {"sobol", "convergence", "convergence_summary", "seed_variance"}),
        ("morris", 3, {"morris", "convergence", "convergence_summary", "seed_variance"}),
        ("lhs", 6, {"correlations", "seed_variance"}),
        ("full_factorial", None, {"effects", "seed_variance"}),
        ("one_at_a_time", None, {"effects", "seed_variance"}),
    ],
)
def test_analyze_and_report_write_their_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], method: str, samples, tables: set
) -> None:
    spec = write_spec(tmp_path, spec_text(method, samples=samples, households=300, steps=24))
    out = tmp_path / "out"
    assert cli.main(["sweep", str(spec), "--out", str(out), "--workers", "0"]) == 0
    assert cli.main(["analyze", str(out)]) == 0
    said = capsys.readouterr()
    assert "Analysis in" in said.out
    folder = out / "analysis"
    names = {p.name for p in folder.iterdir()}
    for t in tables:
        assert {f"{t}.csv", f"{t}.json"} <= names, t
        rows = json.loads((folder / f"{t}.json").read_text())
        assert rows and isinstance(rows, list)
    pngs = [n for n in names if n.endswith(".png")]
    assert pngs and all((folder / n).read_bytes()[:8] == PNG for n in pngs)
    info = json.loads((folder / "analysis.json").read_text())
    assert info["method"] == method and info["replicates"] == 2
    assert info["levers"] == ["peacekeeping.troops", "return_package.cash_per_person"]
    if method == "sobol":
        sobol = json.loads((folder / "sobol.json").read_text())
        assert {r["parameter"] for r in sobol} == set(info["parameters"])
        assert {"S1", "S1_conf", "ST", "ST_conf", "kind"} <= set(sobol[0])

    assert cli.main(["report", str(out)]) == 0
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len(pngs)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing fetched online
    assert "Provenance" in page and "spec hash" in page
    if (folder / "convergence.json").is_file():  # said first, before the provenance
        assert page.index("onverged") < page.index("<h2>Experiment")
        # what the summary says, on the page and on the console, converged or not
        summary = json.loads((folder / "convergence_summary.json").read_text())
        bad = [r["metric"] for r in summary if not r["converged"]]
        assert f"{len(summary) - len(bad)} of {len(summary)} metrics" in said.out
        for metric in bad:
            assert f"warning: {metric}: not converged" in said.err
        assert ("Not converged for" in page) == bool(bad)
        for r in summary:
            r["converged"] = False
        (folder / "convergence_summary.json").write_text(json.dumps(summary))
        assert cli.main(["report", str(out)]) == 0
        assert "Not converged for" in (out / "report.html").read_text()


COMPARE = """
[mixes.cash]
"return_package.cash_per_person" = 80.0
"return_package.monthly_budget" = 200000.0
[mixes.same_as_baseline]
"aid.monthly_budget" = 0.0
[mixes.troops]
"peacekeeping.troops" = 12000
"peacekeeping.deploy_month" = 2
[mixes.health]
"health.clinic_coverage" = 0.8
"health.wash_coverage" = 0.8
"""


def test_compare_mixes_with_paired_seeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = spec_text("lhs", samples=2, households=400, steps=30, replicates=3, extra=COMPARE)
    spec = write_spec(tmp_path, text)
    out = tmp_path / "cmp"
    assert cli.main(["compare", str(spec), "--out", str(out), "--workers", "0"]) == 0
    stdout = capsys.readouterr().out
    assert "15/15 runs ok" in stdout and "Ranked first:" in stdout
    folder = out / "analysis"
    ce = json.loads((folder / "cost_effectiveness.json").read_text())
    by_mix = {r["mix"]: r for r in ce}
    assert set(by_mix) == {"baseline", "cash", "same_as_baseline", "troops", "health"}
    assert by_mix["baseline"]["verdict"] == "baseline" and by_mix["baseline"]["rank"] is None
    assert sorted(r["rank"] for r in ce if r["rank"] is not None) == [1, 2, 3, 4]
    # the same scenario under another name: identical runs, so the paired difference is exactly 0
    same = by_mix["same_as_baseline"]
    assert same["sustainably_reintegrated_difference"] == 0.0
    assert same["sustainably_reintegrated_difference_ci_low"] == 0.0
    assert same["verdict"] == "no gain"
    # a return grant brings more people home for a price: a clear gain, ranked first
    cash = by_mix["cash"]
    assert cash["verdict"] == "gain" and cash["rank"] == 1
    assert cash["cost_difference"] > 0 and cash["sustainably_reintegrated_difference_ci_low"] > 0
    assert cash["cost_per_additional_sustainably_reintegrated"] == pytest.approx(
        cash["cost_difference"] / cash["sustainably_reintegrated_difference"]
    )
    low = cash["cost_per_additional_sustainably_reintegrated_ci_low"]
    high = cash["cost_per_additional_sustainably_reintegrated_ci_high"]
    assert low <= cash["cost_per_additional_sustainably_reintegrated"] <= high
    # clinics and water where people are displaced avert deaths, at a cost per death averted
    health, per = by_mix["health"], "cost_per_mortality.deaths_total_averted"
    assert health["mortality.deaths_total_averted_ci_low"] > 0 and health["cost_difference"] > 0
    assert health[per] == pytest.approx(
        health["cost_difference"] / health["mortality.deaths_total_averted"]
    )
    assert same["mortality.deaths_total_averted"] == 0.0 and same[per] is None
    # troops cost the mission's budget (peacekeeping is counted in the default cost)
    assert by_mix["troops"]["cost_difference"] > 1e6
    assert by_mix["baseline"]["on_frontier_sustainably_reintegrated"] is True
    diffs = json.loads((folder / "differences.json").read_text())
    assert {d["metric"] for d in diffs} >= {"returned_share", "total_cost"}
    for name in ("frontier.png", "differences.png"):
        assert (folder / name).read_bytes()[:8] == PNG
    assert cli.main(["report", str(out)]) == 0
    page = (out / "report.html").read_text()
    assert "Cost-effectiveness and ranking" in page and page.count("data:image/png") == 2
    assert "USD per death averted" in page and "deaths (persons) averted" in page
    # the page speaks first: findings, with units and intervals, before the provenance
    findings = page[page.index("<h2>Findings") : page.index("<h2>Experiment")]
    assert "1. <b>cash</b> (gain)" in findings and "per additional household" in findings
    assert "95% interval" in findings and "USD" in findings


def test_compare_needs_replicates_and_mixes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = write_spec(tmp_path, spec_text(replicates=1, extra=COMPARE), "one.toml")
    none = write_spec(tmp_path, spec_text(), "none.toml")
    assert cli.main(["compare", str(one), "--out", str(tmp_path / "a"), "--workers", "0"]) == 2
    assert "too few to compare" in capsys.readouterr().err
    assert cli.main(["compare", str(none), "--out", str(tmp_path / "b"), "--workers", "0"]) == 2
    assert "no [mixes.NAME] tables" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
