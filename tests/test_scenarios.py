"""The shipped scenarios: each loads, cites its sources, runs from the command line and in
the workshop server's model, needs nothing outside the repository, and shows its signature."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from returnsim import ReturnModel, cli
from returnsim.param import schedule_at
from returnsim.scenario import load

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
NAMES = [p.stem for p in SCENARIOS]
SHARED = ROOT.parent / "shared" / "data"


def test_the_issue_scenarios_are_shipped() -> None:
    assert {"baseline", "liberia", "burundi", "drc_kivu", "somalia", "border_standoff"} <= set(
        NAMES
    )


@pytest.mark.parametrize("path", SCENARIOS, ids=NAMES)
def test_scenario_cites_sources_and_describes_itself(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    spec = load(path)
    assert spec.name == path.stem and spec["scenario.description"]
    if path.stem not in ("baseline", "full_response"):
        assert "Sources" in text and "EVIDENCE.md" in text
    assert "../shared" not in "".join(line.split("#")[0] for line in text.splitlines())


@pytest.mark.parametrize("path", SCENARIOS, ids=NAMES)
def test_scenario_runs_from_the_command_line_anywhere(path: Path, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ../shared, no repository around
    out = tmp_path / "run"
    argv = ["run", str(path), "--households", "300", "--steps", "12", "--out", str(out)]
    assert cli.main(argv) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == path.stem and "final_places" in summary


@pytest.mark.parametrize("name", NAMES)
def test_scenario_runs_in_the_workshop_server_model(name: str, monkeypatch) -> None:
    workshop = pytest.importorskip("returnsim.viz.workshop")
    monkeypatch.setenv(workshop.FOLDER_ENV, str(ROOT / "scenarios"))
    model = workshop.WorkshopModel(scenario_name=name, households=300)
    for _ in range(3):
        model.step()
    assert model.steps == 3


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/data is not beside the repository")
def test_liberia_unmil_ceiling_is_the_shared_series() -> None:
    spec = load(ROOT / "scenarios" / "liberia.toml")
    with (SHARED / "unmil_troop_strength.csv").open() as fh:
        rows = {int(r["year"]): float(r["uniformed_personnel_approx"]) for r in csv.DictReader(fh)}
    start = spec["scenario.start_year"]
    ceiling = spec["peacekeeping.ceiling"]
    for year in (2010, 2013):
        month = (year - start) * 12 + 1  # January of that year
        assert schedule_at(ceiling, month, default=0, linear=True) == pytest.approx(rows[year])
    assert ceiling[0][1] == rows[2003]


def small(name: str, **overrides: object) -> ReturnModel:
    spec = load(ROOT / "scenarios" / f"{name}.toml", {"households.count": 2000, **overrides})
    model = ReturnModel(spec)
    model.run()
    return model


def test_border_standoff_ends_in_return_home_and_onward_movement() -> None:
    model = small("border_standoff")
    summary_places = {n: int(model.tally.households[i]) for i, n in enumerate(model.places.names)}
    assert model.count(model.pop.status.dtype.type(3)) > 0  # returned home
    assert summary_places["eu_onward"] > 0  # onward movement
    assert summary_places["border_zone"] < 0.5 * 2000  # the border zone empties


def test_somalia_droughts_hit_livelihood_and_displacement_is_mostly_internal() -> None:
    with_drought = small("somalia")
    without = small("somalia", **{"drought.schedule": []})
    ts1 = with_drought.datacollector.get_model_vars_dataframe()
    ts0 = without.datacollector.get_model_vars_dataframe()
    famine = slice(9, 15)
    assert (ts1["mean_livelihood"].iloc[famine] < ts0["mean_livelihood"].iloc[famine]).all()
    # Mostly internal: more IDPs than refugees at the peak and on average (2011-12: about
    # 1.36 million IDPs against about 1 million refugees in the region, UNHCR).
    peak = ts1["internally_displaced"].idxmax()
    assert ts1["internally_displaced"][peak] > 1.3 * ts1["refugees"][peak]
    assert ts1["internally_displaced"].mean() > ts1["refugees"].mean()


def test_drc_kivu_displaces_repeatedly_and_keeps_a_large_idp_population() -> None:
    model = small("drc_kivu")
    ts = model.datacollector.get_model_vars_dataframe()
    assert np.count_nonzero(model.pop.times_displaced >= 2) > 0
    assert ts["internally_displaced"].mean() > 0.1 * 2000
    assert (ts["internally_displaced"] > ts["refugees"]).all()


def test_burundi_cash_grant_raises_returns_when_it_starts() -> None:
    model = small("burundi", **{"scenario.months": 80})
    without = small("burundi", **{"scenario.months": 80, "return_package.cash_per_person": 0.0})
    start = model.spec["return_package.start"]
    window = slice(start + 1, start + 7)
    got = model.datacollector.get_model_vars_dataframe()["new_returns"].iloc[window].sum()
    base = without.datacollector.get_model_vars_dataframe()["new_returns"].iloc[window].sum()
    assert got > base
