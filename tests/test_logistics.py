"""Logistics (Places.haul_km, aid.py): a basket costs its haulage from the nearest supply
hub on top of its price, more over long roads, bad terrain and insecure places, and a
place out of reach by road gets nothing. Paired seeds, one thing changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from returnsim import ReturnModel
from returnsim.scenario import from_dict, load

REPO = Path(__file__).absolute().parents[1]
BASELINE = REPO / "scenarios" / "baseline.toml"
SIZE = {"households.count": 2000, "scenario.months": 36, "households.initial_idp_share": 0.3}
#: more money than the baskets need, so spending shows their cost
AMPLE = {"aid.monthly_budget": 1e8}


def run(over: dict, *, km: float = 1.0, terrain: float = 1.0, seed: int = 42) -> ReturnModel:
    raw = load(BASELINE, {**SIZE, **over}).to_dict()
    for r in raw["routes"]:
        r["km"] *= km
        r["terrain"] = terrain
    m = ReturnModel(from_dict(raw, source="<test>"), rng=seed)
    m.run()
    return m


@pytest.mark.parametrize("seed", [42, 7])
def test_longer_roads_and_worse_terrain_make_the_same_aid_dearer(seed: int) -> None:
    spent = {
        name: run(AMPLE, seed=seed, **kw).levers["aid"].spent_total
        for name, kw in {"base": {}, "far": {"km": 3.0}, "rough": {"terrain": 3.0}}.items()
    }
    assert spent["far"] > spent["base"] and spent["rough"] > spent["base"]
    flat = run({**AMPLE, "logistics.cost_per_tonne_km": 0.0}, terrain=3.0, seed=seed)
    assert flat.levers["aid"].haulage_total == 0.0


@pytest.mark.parametrize("seed", [42, 7])
def test_on_a_fixed_budget_bad_roads_deliver_fewer_baskets(seed: int) -> None:
    budget = {"aid.monthly_budget": 150_000.0}
    good = run(budget, seed=seed).levers["aid"]
    bad = run(budget, terrain=5.0, seed=seed).levers["aid"]
    assert bad.haulage_total > good.haulage_total
    assert bad.delivered_total < good.delivered_total


def test_insecurity_adds_to_haulage_unless_nothing_is_charged_for_it() -> None:
    base = run({**AMPLE, "conflict.intensity": 1.5}).levers["aid"]
    none = run({**AMPLE, "conflict.intensity": 1.5, "logistics.insecurity_premium": 0.0})
    assert base.haulage_total > none.levers["aid"].haulage_total


def test_a_place_out_of_reach_by_road_gets_no_aid() -> None:
    raw = load(BASELINE, {**SIZE, **AMPLE}).to_dict()
    for r in raw["routes"]:
        if "camp" in (r["from"], r["to"]):  # every road to the camp, until month 18
            r["open"] = [[0, 0], [18, 1]]
    m = ReturnModel(from_dict(raw, source="<test>"), rng=42)
    camp = m.places.index["camp"]
    cover, reach = [], []
    for _ in range(24):
        m.step()
        cover.append(m.places.aid_coverage[camp])
        reach.append(m.places.haul_km()[camp])
    assert np.isinf(reach[:16]).all() and np.isfinite(reach[18:]).all()
    assert max(cover[:16]) == 0.0 and m.tally.persons[camp] > 0
    assert max(cover[18:]) > 0.5
    # a camp closed to new arrivals is still supplied
    shut = ReturnModel(load(BASELINE, {**SIZE, **AMPLE, "places.camp.open": [[0, 0]]}), rng=42)
    supplied = []
    for _ in range(6):
        shut.step()
        supplied.append(shut.places.aid_coverage[camp])
    assert max(supplied) > 0.5


#: reconstruction with a budget that binds: what the materials' haulage costs decides how
#: many homes are rebuilt
BUILD = {"reconstruction.monthly_budget": 60_000.0, "reconstruction.start": 6}


@pytest.mark.parametrize("seed", [42, 7])
def test_building_materials_hauled_far_over_bad_roads_rebuild_fewer_homes(seed: int) -> None:
    near = run(BUILD, seed=seed).levers["reconstruction"]
    far = run(BUILD, km=3.0, terrain=5.0, seed=seed).levers["reconstruction"]
    assert far.haulage_total > near.haulage_total > 0
    assert far.houses_started < near.houses_started
    none = run({**BUILD, "reconstruction.materials_tonnes_per_1000_usd": 0.0}, km=3.0, seed=seed)
    assert none.levers["reconstruction"].haulage_total == 0.0


def test_no_works_start_where_the_roads_are_cut() -> None:
    """In the months every road to an origin is closed, nothing starts there; after, it does."""
    raw = load(BASELINE, {**SIZE, **BUILD}).to_dict()
    for r in raw["routes"]:
        if "north" in (r["from"], r["to"]):
            r["open"] = [[0, 0], [18, 1]]
    m = ReturnModel(from_dict(raw, source="<test>"), rng=42)
    north = m.places.index["north"]
    started = {}
    while m.running:
        m.step()
        lever = m.levers["reconstruction"]
        started[m.steps] = sum(1 for p in lever.queue if p.place == north)
    assert max(started[t] for t in range(6, 18)) == 0
    assert max(started[t] for t in range(18, 37)) > 0


#: four psychosocial teams on a budget that pays for about three at the baseline's roads
TEAMS = {"mhpss.mobile_teams": 4, "mhpss.start": 6, "budget.monthly_ceiling": 33_000.0}


@pytest.mark.parametrize("seed", [42, 7])
def test_teams_that_drive_far_over_bad_roads_see_fewer_households(seed: int) -> None:
    near = run(TEAMS, seed=seed)
    far = run(TEAMS, km=3.0, terrain=3.0, seed=seed)
    lv = near.levers["mhpss"], far.levers["mhpss"]
    assert lv[1].served_total < lv[0].served_total
    # what it costs: a team-month with its travel
    assert far.datacollector.get_model_vars_dataframe()["spending_mhpss"].max() <= 33_000.0
    free = run({**TEAMS, "mhpss.cost_per_vehicle_km": 0.0}, km=3.0, terrain=3.0, seed=seed)
    assert free.levers["mhpss"].served_total > lv[1].served_total


#: peace from month 6 with many displaced: who can pay the journey home decides returns
HOMEWARD = {"households.initial_idp_share": 0.4, "conflict.schedule": [[0, 1.0], [6, 0.1]]}


def _unable_share(ts) -> float:
    """Of the household-months that chose to go home, the share that could not pay."""
    return ts["unable_to_return"].sum() / ts["intending_return"].sum()


@pytest.mark.parametrize("seed", [42, 7])
def test_a_fare_by_distance_keeps_the_far_and_poor_from_home(seed: int) -> None:
    def ts(rate: float, km: float = 1.0):
        over = {**HOMEWARD, "decision.trip_cost_per_person_km": rate}
        return run(over, km=km, seed=seed).datacollector.get_model_vars_dataframe()

    flat, dear = ts(0.0), ts(0.1)
    assert _unable_share(dear) > _unable_share(flat)
    assert dear["new_returns"].sum() < flat["new_returns"].sum()
    # the longer the roads, the more of those who would go home it stops
    far_flat, far_dear = ts(0.0, km=3.0), ts(0.1, km=3.0)
    assert _unable_share(far_dear) - _unable_share(far_flat) > (
        _unable_share(dear) - _unable_share(flat)
    )


@pytest.mark.parametrize("seed", [42, 7])
def test_organised_transport_by_distance_pays_the_far_fare_and_costs_by_the_km(seed: int) -> None:
    fare = {**HOMEWARD, "decision.trip_cost_per_person_km": 0.1}
    package = {
        "return_package.monthly_budget": 1e7,
        "return_package.start": 6,
        "return_package.cash_per_person": 1.0,
    }
    none = run({**fare, **package}, seed=seed)
    paid = run({**fare, **package, "return_package.transport_per_person_km": 0.1}, seed=seed)
    a, b = (m.datacollector.get_model_vars_dataframe() for m in (none, paid))
    assert _unable_share(b) < _unable_share(a)
    assert b["new_returns"].sum() > a["new_returns"].sum()
    # a package costs its transport by the road home: dearer per household assisted
    per = [
        m.levers["return_package"].spent_total / max(int(m.pop.assisted.sum()), 1)
        for m in (none, paid)
    ]
    assert per[1] > per[0]
