"""Calibration: reading targets, fit statistics, and `returnsim calibrate` end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from returnsim import cli
from returnsim.calibration import fit, report
from returnsim.calibration.target import read_target
from returnsim.errors import InputError
from returnsim.scenario import load

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "unhcr_returns_liberia_burundi.csv"

# A small scenario: war, then peace from month 6; refugees abroad come home.
MINI = """\
[scenario]
name = "mini"
months = 48
seed = 5
start_year = 2000

[households]
count = 400
initial_refugee_share = 0.5

[conflict]
schedule = [[0, 1.0], [6, 0.05]]

[calibration]
target = "synthetic returns"
population = 40000
series = "refugee_returns"

[calibration.params]
"decision.review_rate" = [0.02, 0.6]

[places.home]
kind = "origin"
origin_share = 1.0
violence = 10.0

[places.abroad]
kind = "refugee_camp"
capacity = 400

[[routes]]
from = "home"
to = "abroad"
km = 100
"""

TWO_SERIES = "country,year,returned\nA,2001,10\nA,2002,20\nB,2001,5\nB,2002,7\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ targets
def test_a_plain_file_and_a_filtered_file_read_as_year_series(tmp_path) -> None:
    plain = read_target(write(tmp_path, "a.csv", "year,returns\n2002,20\n2001, 10\n"))
    assert list(plain.index) == [2001, 2002] and list(plain) == [10.0, 20.0]
    both = write(tmp_path, "b.csv", TWO_SERIES)
    b = read_target(both, where={"country": "B"})
    assert list(b) == [5.0, 7.0] and b.name == "returned"


@pytest.mark.parametrize(
    ("text", "where", "column", "message"),
    [
        ("", None, None, "empty"),
        ("year,returns\n", None, None, "no rows"),
        ("yr,returns\n2001,5\n", None, None, "no 'year' column"),
        ("year,returns\n2001,5\n2001,6\n", None, None, "year 2001 appears more than once"),
        (TWO_SERIES, None, None, r"more than once; .*--where country=VALUE"),
        ("year,returns\n2001,five\n", None, None, r"line 2: returns = 'five' is not a number"),
        ("year,returns\n2001,-3\n", None, None, "is not a number >= 0"),
        ("year,returns\nlast,3\n", None, None, "'last' is not a year"),
        ("year,a,b\n2001,1,2\n", None, None, "several value columns.*--column"),
        ("year,a,b\n2001,1,2\n", None, "c", "--column c: no such value column"),
        (TWO_SERIES, {"region": "A"}, None, "no column 'region'"),
        (TWO_SERIES, {"country": "C"}, None, r"no row has country = 'C' \(values: A, B\)"),
        ("year\n2001\n", None, None, "no value column"),
    ],
)
def test_malformed_targets_are_one_line_errors_naming_the_file(
    tmp_path, text, where, column, message
) -> None:
    path = write(tmp_path, "t.csv", text)
    with pytest.raises(InputError, match=message) as info:
        read_target(path, where=where, column=column)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)


@pytest.mark.skipif(not SHARED.is_file(), reason="shared/data is not beside the repository")
def test_the_shared_unhcr_file_reads_per_country() -> None:
    liberia = read_target(SHARED, where={"country": "Liberia"})
    burundi = read_target(SHARED, where={"country": "Burundi"})
    assert list(liberia.index) == list(range(2004, 2013))
    assert list(burundi.index) == list(range(2002, 2013))
    assert liberia.idxmax() == 2006 and liberia[2012] > 10 * liberia[2010]  # cessation spike


# --------------------------------------------------------------- statistics
def test_metrics_are_zero_for_a_perfect_fit_and_signed_otherwise() -> None:
    obs = pd.Series([10.0, 30.0, 20.0], index=[2001, 2002, 2003])
    perfect = fit.metrics(obs, obs)
    assert perfect["rmse"] == 0 and perfect["correlation"] == pytest.approx(1.0)
    assert perfect["peak_year_error"] == 0 and perfect["total_relative_error"] == 0
    late_and_high = pd.Series([10.0, 20.0, 60.0], index=[2001, 2002, 2003])
    m = fit.metrics(obs, late_and_high)
    assert m["peak_year_error"] == 1 and m["total_relative_error"] == pytest.approx(0.5)
    assert m["rmse"] == pytest.approx(np.sqrt((0 + 100 + 1600) / 3))
    assert fit.metrics(obs.iloc[:1], obs.iloc[:1])["correlation"] is None


def test_simulated_years_count_returns_by_calendar_year(tmp_path) -> None:
    spec = load(write(tmp_path, "mini.toml", MINI))
    runs = fit.simulate(spec, [1, 2], "refugee_returns", 100.0)
    assert list(runs.index) == [2000, 2001, 2002, 2003]
    every = fit.simulate(spec, [1], "returns", 100.0)
    assert (every[1] >= runs[1]).all()
    assert runs.to_numpy().sum() > 0 and (runs.to_numpy() % 100 == 0).all()


# ------------------------------------------------------------- the command
@pytest.fixture
def synthetic(tmp_path) -> tuple[Path, Path]:
    """The mini scenario and a target it produced with review_rate = 0.4 (truth)."""
    scenario = write(tmp_path, "mini.toml", MINI)
    truth = load(scenario).with_overrides({"decision.review_rate": 0.4})
    series = fit.simulate(truth, [100, 101], "refugee_returns", 100.0).mean(axis=1)
    rows = "\n".join(f"{y},{v:.0f}" for y, v in series.items())
    return scenario, write(tmp_path, "target.csv", "year,returned\n" + rows + "\n")


def test_calibrate_recovers_a_known_parameter_and_writes_a_runnable_scenario(
    tmp_path, synthetic, capsys
) -> None:
    scenario, target = synthetic
    out = tmp_path / "cal"
    argv = ["calibrate", str(scenario), "--target", str(target), "--fit-years", "2000-2002"]
    argv += ["--seeds", "2", "--maxiter", "2", "--popsize", "4", "--out", str(out)]
    argv += ["--set", "decision.review_rate=0.05"]  # start far from the truth
    assert cli.main(argv) == 0
    result = json.loads((out / "fit.json").read_text())
    for key in ("rmse", "correlation", "peak_year_error", "total_relative_error"):
        assert key in result and key in result["initial"]
    assert result["heldout_years"] == [2003] and "heldout_rmse" in result
    skill = result["heldout_skill"]
    assert set(fit.NAIVE) <= set(skill) and skill["model_rmse"] == pytest.approx(
        result["heldout_rmse"]
    )
    assert result["rmse"] < 0.5 * result["initial"]["rmse"]
    fitted = result["params"]["decision.review_rate"]["value"]
    assert abs(fitted - 0.4) < abs(0.05 - 0.4)
    assert result["scale"]["people_per_household"] == pytest.approx(100.0)
    assert (out / "fit.png").stat().st_size > 0
    calibrated = load(out / "calibrated.toml")
    assert calibrated["decision.review_rate"] == pytest.approx(fitted)
    assert calibrated.calibration["params"] == {"decision.review_rate": (0.02, 0.6)}
    printed = capsys.readouterr().out
    assert "In sample 2000-2002" in printed and "Held out 2003" in printed
    # The calibrated scenario runs.
    assert cli.main(["run", str(out / "calibrated.toml"), "--out", str(tmp_path / "r")]) == 0


@pytest.mark.parametrize(
    ("extra", "target_text", "message"),
    [
        ([], "year,returned\n2000,1\n2000,2\n", "year 2000 appears more than once"),
        ([], "year,returned\n1999,1\n2000,2\n", "year 1999 is outside the simulated years"),
        (["--fit-years", "2000-2003"], None, "holds out no observed year"),
        (["--fit-years", "20-x"], None, "expected Y1-Y2"),
        (["--params", "decision.reviw_rate"], None, "decision.reviw_rate: unknown parameter"),
        (["--params", "decision.review_rate=2:1"], None, "low < high"),
        (["--params", "scenario.engine"], None, "is not a number"),
        (["--where", "country"], None, "expected COLUMN=VALUE"),
        (["--population", "0"], None, "--population 0"),
        (["--seeds", "0"], None, "--seeds"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    tmp_path, synthetic, capsys, extra, target_text, message
) -> None:
    scenario, target = synthetic
    if target_text is not None:
        target = write(tmp_path, "bad.csv", target_text)
    out = tmp_path / "never"
    code = cli.main(
        ["calibrate", str(scenario), "--target", str(target), "--out", str(out), *extra]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("returnsim: error: ") and err.count("\n") == 1
    assert re.search(message, err), err
    assert not out.exists()


def test_any_scenario_calibrates_with_its_own_scale(tmp_path, capsys) -> None:
    """Without a [calibration] table: the decision rule's default parameters, and the scale
    from households.population; with neither scale, one line saying what to add."""
    bare = MINI.split("[calibration]")[0] + MINI.split('"decision.review_rate" = [0.02, 0.6]\n')[1]
    scenario = write(tmp_path, "bare.toml", bare)
    target = write(tmp_path, "t.csv", "year,returned\n2001,5\n2002,3\n")
    args = ["calibrate", str(scenario), "--target", str(target), "--out", str(tmp_path / "o")]
    assert cli.main(args) == 2
    assert "households.population" in capsys.readouterr().err
    scaled = write(
        tmp_path, "scaled.toml", bare.replace("count = 400\n", "count = 400\npopulation = 40000\n")
    )
    argv = ["calibrate", str(scaled), "--target", str(target), "--seeds", "1", "--maxiter", "0"]
    assert cli.main([*argv, "--popsize", "1", "--out", str(tmp_path / "o")]) == 0
    capsys.readouterr()
    result = json.loads((tmp_path / "o" / "fit.json").read_text())
    assert set(result["params"]) == set(report.DEFAULT_PARAMS)
    assert result["scale"]["population"] == pytest.approx(40000)
    # two different scales refuse
    both = write(
        tmp_path, "both.toml", MINI.replace("count = 400\n", "count = 400\npopulation = 50000\n")
    )
    assert cli.main(["calibrate", str(both), "--target", str(target)]) == 2
    assert "differs from households.population" in capsys.readouterr().err


@pytest.mark.skipif(not SHARED.is_file(), reason="shared/data is not beside the repository")
@pytest.mark.parametrize("name", ["liberia", "burundi"])
def test_shipped_scenarios_calibrate_against_the_shared_file(tmp_path, name) -> None:
    """One generation at a tiny size: the scenario's [calibration] table picks its country."""
    out = tmp_path / name
    argv = ["calibrate", str(ROOT / "scenarios" / f"{name}.toml"), "--target", str(SHARED)]
    argv += ["--households", "300", "--seeds", "1", "--maxiter", "0", "--popsize", "1"]
    assert cli.main([*argv, "--out", str(out)]) == 0
    result = json.loads((out / "fit.json").read_text())
    assert result["target"]["where"] == {"country": name.capitalize()}
    assert result["target"]["years"][-1] == 2012


def test_naive_forecasts_and_skill() -> None:
    """The naive forecasts a calibration must beat, fitted on the fit years alone: an exact
    exponential decay is recovered, the last value carried on; a model as good as the
    truth has skill 1 against each, one as bad as a naive forecast skill 0."""
    years = list(range(2000, 2008))
    truth = pd.Series([1000 * 0.7 ** (y - 2000) - 1 for y in years], index=years)
    fit_years, held = years[:5], years[5:]
    naive = fit.naive_forecasts(truth.loc[fit_years], held)
    assert naive["exponential"] == pytest.approx(truth.loc[held].to_numpy(), rel=1e-9)
    assert (naive["last_value"] == truth[2004]).all() and (naive["zero"] == 0).all()
    perfect = fit.skill(truth, truth, fit_years, held)
    assert perfect["last_value"] == perfect["zero"] == 1.0
    assert perfect["exponential_rmse"] == pytest.approx(0.0, abs=1e-6)  # exact here too
    flat = pd.Series(truth[2004], index=years)  # a "model" that forecasts the last value
    assert fit.skill(truth, flat, fit_years, held)["last_value"] == pytest.approx(0.0)
    assert fit.skill(truth, flat * 3, fit_years, held)["zero"] < 0  # worse than zero
