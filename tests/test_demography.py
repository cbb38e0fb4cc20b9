"""Births, deaths and outbreaks (``demography.py``) and the health lever, with paired seeds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from returnsim import ReturnModel
from returnsim.demography import SPHERE_CMR
from returnsim.households import AgeBand, Status
from returnsim.scenario import load

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
BORDER = ROOT / "scenarios" / "border_standoff.toml"
HEALTH = {"health.clinic_coverage": 0.9, "health.wash_coverage": 0.9}
WAR = slice(1, 18)  # months before the peace agreement


def run(
    over: dict[str, Any],
    *,
    seed: int,
    households: int = 3000,
    months: int = 24,
    population: float | None = 0,
):
    """A baseline run; ``population`` None: the scenario's (real scale), 0: the simulated
    households are the population (counts of simulated households)."""
    real = {} if population is None else {"households.population": population}
    spec = load(
        BASELINE,
        {
            **real,
            "households.count": households,
            "scenario.months": months,
            **over,
        },
    )
    model = ReturnModel(spec, rng=seed)
    model.run()
    return model, model.datacollector.get_model_vars_dataframe()


def deaths(ts) -> int:
    return int(ts[[c for c in ts if c.startswith("deaths_") and "_in_" not in c]].sum().sum())


@pytest.mark.parametrize("seed", [1, 2])
def test_camp_mortality_exceeds_sphere_in_war_and_falls_below_with_clinics_and_wash(seed):
    # at the baseline's real scale (100,000 persons; 5,000 simulated households), its camps
    # as crowded as they are; clinics and water delivered without duplication (agencies
    # coordinated: at the default coordination a seventh of the effort is lost)
    real = {"seed": seed, "population": None, "households": 5000}
    _, bare = run({}, **real)
    _, served = run({**HEALTH, "coordination.monthly_budget": 1e9}, **real)
    assert bare["cmr_camps"].iloc[WAR].mean() > SPHERE_CMR
    assert served["cmr_camps"].iloc[WAR].mean() < SPHERE_CMR
    assert deaths(served) < deaths(bare)
    # The check can fail: without the excess of camps the same camps are under the threshold.
    _, plain = run({"demography.camp_excess": 0.0}, **real)
    assert plain["cmr_camps"].iloc[WAR].mean() < SPHERE_CMR


@pytest.mark.parametrize("arm", ["health.clinic_coverage", "health.wash_coverage"])
def test_each_arm_cuts_deaths_from_disease(arm):
    for seed in (1, 2):
        _, off = run({}, seed=seed)
        on, ts = run({arm: 0.9}, seed=seed)
        assert ts["deaths_disease"].sum() < off["deaths_disease"].sum()
        assert on.levers["health"].spent_total > 0


def test_vaccination_cuts_measles_deaths_of_children():
    outbreaks = {"demography.measles_onset": 1.0, "demography.cholera_onset": 0.0}
    for seed in (1, 2):
        off, _ = run(outbreaks, seed=seed)
        on, _ = run({**outbreaks, "health.vaccination_coverage": 0.9}, seed=seed)
        assert on.levers["health"].children_vaccinated > 0
        assert on.demography.deaths[3].sum() < 0.7 * off.demography.deaths[3].sum()


def test_water_and_sanitation_prevent_cholera_outbreaks():
    cholera = {"demography.cholera_onset": 0.3, "demography.measles_onset": 0.0}
    started = []
    for over in ({}, {"health.wash_coverage": 1.0}):
        m, _ = run({**cholera, **over}, seed=3, months=36)
        started.append(m.demography.outbreaks["cholera"])
    assert started[1] < started[0]


def test_violence_kills_and_men_most():
    peace = {"conflict.intensity": 0.0, "conflict.recurrence_monthly": 0.0}
    _, calm_ts = run(peace, seed=1)
    war, war_ts = run({}, seed=1)
    assert calm_ts["deaths_violence"].sum() == 0 < war_ts["deaths_violence"].sum()
    by = war.demography.summary()["deaths_by_sex_and_age"]
    assert by["male_18-59"] > by["female_18-59"]


def test_persons_are_born_and_die_and_the_counts_agree():
    m, ts = run({}, seed=4, months=60)
    start = ReturnModel(m.spec, rng=4).pop.size.astype(int).sum()
    assert m.pop.size.astype(int).sum() == start + ts["births"].sum() - deaths(ts)
    assert (m.pop.members.sum(axis=1) == m.pop.size).all()
    # Births and ageing keep the under-5s near a fifth of the people (UN WPP: about 16%).
    u5 = m.pop.members[:, : 2 * (AgeBand.UNDER_5 + 1)].sum() / m.pop.size.astype(int).sum()
    assert 0.1 < u5 < 0.3
    closed, closed_ts = run({"demography.on": False}, seed=4, months=60)
    assert deaths(closed_ts) == closed_ts["births"].sum() == 0
    assert closed.pop.size.astype(int).sum() == start


def test_dissolved_households_neither_move_nor_count():
    harsh = {"demography.baseline_adult": 40.0, "demography.baseline_older": 40.0}
    m = ReturnModel(
        load(
            BASELINE,
            {"households.population": 0, "households.count": 600, "scenario.months": 12, **harsh},
        ),
        rng=5,
    )
    gone_at = {}
    for _ in range(12):
        m.step()
        for i in np.flatnonzero(m.pop.status == Status.DISSOLVED):
            gone_at.setdefault(int(i), int(m.pop.place[i]))
    assert gone_at
    ids = np.array(sorted(gone_at))
    assert (m.pop.place[ids] == np.array([gone_at[i] for i in ids])).all()
    assert (m.pop.size[ids] == 0).all()
    alive = m.pop.status != Status.DISSOLVED
    assert (m.tally.households == np.bincount(m.pop.place[alive], minlength=m.places.n)).all()


def test_pushbacks_cost_lives_at_the_border():
    over = {"households.population": 0, "households.count": 1200, "scenario.months": 12}
    # the scenario turns back nine in ten arrivals at reception from month 1 (2021)
    pushed = ReturnModel(load(BORDER, over), rng=1)
    free = ReturnModel(load(BORDER, {**over, "places.reception.pushback": [[0, 0.0]]}), rng=1)
    pushed.run()
    free.run()
    a = pushed.datacollector.get_model_vars_dataframe()
    b = free.datacollector.get_model_vars_dataframe()
    assert a["deaths_pushed_back"].sum() > 0 == b["deaths_pushed_back"].sum()
    assert a["deaths_in_flight"].sum() > b["deaths_in_flight"].sum()
