"""What catch-up classes and local administration build lasts after the money ends, and
changes what people do (education.py, reconstruction.py). Paired seeds, one change on vs
off; the direction of a lasting or behavioural outcome asserted, not a number of a run."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from returnsim import ReturnModel, Status
from returnsim.scenario import load

BASELINE = Path(__file__).absolute().parents[1] / "scenarios" / "baseline.toml"
DISPLACED = (Status.INTERNALLY_DISPLACED, Status.REFUGEE)
ORIGINS = ["north", "east", "south"]
PEACE = {"conflict.schedule": [[0, 1.5], [12, 0.0]]}
#: Catch-up classes only, at the origins, from peace (month 12) to month 30.
CATCHUP = {
    "education.monthly_budget": 30_000.0,
    "education.enrolment_share": 0.0,
    "education.materials_share": 0.0,
    "education.start": 12,
    "education.end": 30,
    "education.targets": ORIGINS,
}
#: Reconstruction with its default lines, funded to month 30.
REBUILD = {"reconstruction.monthly_budget": 100_000.0, "reconstruction.end": 30}
#: All of the reconstruction budget on administration (capacity for every origin).
ADMIN = {
    "reconstruction.monthly_budget": 45_000.0,
    "reconstruction.start": 12,
    **{f"reconstruction.{k}_share": 0.0 for k in ("housing", "health_post", "school")},
    "reconstruction.water_point_share": 0.0,
    "reconstruction.governance_share": 1.0,
}


def model(over: dict, *, seed: int = 1, households: int = 3000, months: int = 48) -> ReturnModel:
    spec = load(BASELINE, {"households.count": households, "scenario.months": months, **over})
    return ReturnModel(spec, rng=seed)


def back_home(over: dict, seed: int, *, households: int = 3000) -> tuple[float, float]:
    """Share of the households displaced at peace (month 12) home at month 48: all of them,
    and those with a member aged 5-17."""
    m = model({**PEACE, **over}, seed=seed, households=households)
    m.run_for(12)
    away = np.isin(m.pop.status, DISPLACED)
    m.run()
    home = m.pop.status == Status.RETURNED
    return float(home[away].mean()), float(home[away & m.pop.school_age].mean())


def returnee_schooling(m: ReturnModel) -> float:
    """Schooling where the returnee households with children live."""
    pop = m.pop
    back = (pop.status == Status.RETURNED) & (pop.children > 0)
    return float(m.places.education[pop.place[back]].mean())


# ---------------------------------------------------------------- catch-up classes
def test_children_kept_in_school_after_catch_up_keep_schooling_after_funding_ends() -> None:
    """18 months after the last course was paid for, the children of returnees are in
    better schooling than with no catch-up, and than with catch-up whose children all
    drop out when their course ends (``catchup_retention`` 0)."""
    runs = {}
    for name, over in {
        "none": {},
        "dropped": {**CATCHUP, "education.catchup_retention": 0.0},
        "kept": CATCHUP,
    }.items():
        m = model({**PEACE, **over})
        m.run()
        runs[name] = m
    kept = runs["kept"]
    lever = kept.levers["education"]
    assert kept.datacollector.get_model_vars_dataframe()["spending_education"].iloc[-1] == 0
    followed = lever.followed & (lever.course_left == 0)
    assert followed.any() and (kept.pop.catchup_kept[followed] > 0).all()
    assert (runs["dropped"].pop.catchup_kept == 0).all()
    assert returnee_schooling(kept) > returnee_schooling(runs["dropped"])
    assert returnee_schooling(kept) > returnee_schooling(runs["none"])
    o = [kept.places.index[n] for n in ORIGINS]
    assert (kept.places.base_education[o] > runs["dropped"].places.base_education[o]).all()
    assert np.allclose(runs["dropped"].places.base_education, runs["none"].places.base_education)


def test_catch_up_classes_bring_families_with_school_age_children_home() -> None:
    """Schooling at home weighs with families with children aged 5-17 (w_school_age):
    catch-up classes at the origins bring more of the displaced families home."""
    seeds = (1, 2, 3)
    with_classes = np.mean([back_home(CATCHUP, s)[1] for s in seeds])
    without = np.mean([back_home({}, s)[1] for s in seeds])
    assert with_classes > without


# ------------------------------------------------------ administration capacity
def _capacity_at(over: dict, months: tuple[int, ...]) -> tuple[ReturnModel, list[np.ndarray]]:
    """The run and the administration capacity of the origins at the end of ``months``."""
    m = model(over, months=max(months))
    lever = m.levers["reconstruction"]
    o = np.flatnonzero(m.places.origin_share > 0)
    out = []
    for month in months:
        m.run_for(month - m.steps)
        out.append(lever.capacity[o].copy())
    return m, out


def test_administration_capacity_lasts_after_funding_ends() -> None:
    """Capacity built while funded (to month 30) falls slowly toward the baseline: above
    it 6 and 24 months on, lower at 24 than at 6, and gone at once only when the decay
    is 1 (the old rule: back to baseline the month funding ends)."""
    base = 0.2  # reconstruction.governance_baseline
    ended, (during, after6, after24) = _capacity_at(REBUILD, (30, 36, 54))
    _, (_, _, funded24) = _capacity_at({**REBUILD, "reconstruction.end": 60}, (30, 36, 54))
    sudden, (_, sudden6, sudden24) = _capacity_at(
        {**REBUILD, "reconstruction.governance_decay": 1.0}, (30, 36, 54)
    )
    assert (during > after6).all() and (after6 > after24).all() and (after24 > base).all()
    assert (funded24 > after24).all()
    assert (sudden6 == base).all() and (sudden24 == base).all()
    # Households live the difference: the services the administration keeps running.
    o = np.flatnonzero(ended.places.origin_share > 0)
    lasting = ended.levers["reconstruction"].governance_services
    assert (lasting[o] > 0).all() and not sudden.levers["reconstruction"].governance_services.any()
    assert (ended.places.base_services[o] > sudden.places.base_services[o]).all()
    assert ended.places.services[o].mean() > sudden.places.services[o].mean()


def test_administration_that_runs_facilities_draws_the_displaced_home() -> None:
    """Administration capacity at the origins raises the services delivered there, which
    the displaced weigh when they choose to return. Its default size (0.1 of the gap at
    full capacity) is modest, so within seed noise at this size; a larger share in the
    documented range (0.3) shows the direction, against none with the same money."""
    seeds = (1, 2, 3)
    strong = {**ADMIN, "reconstruction.governance_services_gain": 0.3}
    none = {**ADMIN, "reconstruction.governance_services_gain": 0.0}
    with_services = np.mean([back_home(strong, s, households=8000)[0] for s in seeds])
    without = np.mean([back_home(none, s, households=8000)[0] for s in seeds])
    assert with_services > without


# ----------------------------------------------------------------- both engines
def test_both_engines_agree_with_catch_up_and_lasting_capacity() -> None:
    over = {
        **PEACE,
        **CATCHUP,
        "education.end": 20,
        **REBUILD,
        "reconstruction.end": 18,
    }
    spec = load(BASELINE, {"households.count": 600, "scenario.months": 30, **over})
    fast = ReturnModel(spec, rng=4)
    slow = ReturnModel(spec.with_overrides({"scenario.engine": "agents"}), rng=4)
    fast.run()
    slow.run()
    for name, a in fast.pop.columns().items():
        assert np.array_equal(a, getattr(slow.pop, name)), name
    ts = fast.datacollector.get_model_vars_dataframe()
    assert ts.equals(slow.datacollector.get_model_vars_dataframe())
    assert fast.pop.catchup_kept.any()
    assert (fast.levers["reconstruction"].capacity > 0.2).any()
