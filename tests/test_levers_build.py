"""Reconstruction, livelihood and education levers: mechanisms, costs, fading and budget limits.

Paired runs share a seed (common random numbers), so a difference between a
run with a lever and one without is the lever's doing. Assertions are
directions and accounting identities, not calibrated numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from returnsim import ReturnModel
from returnsim.households import DISPLACED, Housing, Status
from returnsim.interventions.livelihood import LOAN
from returnsim.interventions.targeting import in_order, priority
from returnsim.scenario import load

BASELINE = Path(__file__).absolute().parents[1] / "scenarios" / "baseline.toml"
SMALL = {"households.population": 0, "households.count": 3000, "scenario.months": 48}
#: A monthly budget for each lever that keeps it busy in the small baseline.
BUDGET = {"reconstruction": 100_000.0, "livelihood": 30_000.0, "education": 20_000.0}
KEYS = list(BUDGET)

_RUNS: dict[str, tuple[ReturnModel, pd.DataFrame]] = {}


def model(overrides: dict[str, Any] | None = None, seed: int = 1) -> ReturnModel:
    """A fresh, unrun model of the small baseline with ``overrides``."""
    return ReturnModel(load(BASELINE, {**SMALL, **(overrides or {})}), rng=seed)


def run(overrides: dict[str, Any] | None = None, seed: int = 1) -> tuple[ReturnModel, pd.DataFrame]:
    """Run the small baseline to its end (cached: callers must not change the model)."""
    key = repr((seed, sorted((overrides or {}).items())))
    if key not in _RUNS:
        m = model(overrides, seed)
        m.run()
        _RUNS[key] = (m, m.datacollector.get_model_vars_dataframe())
    return _RUNS[key]


def same_run(a: ReturnModel, b: ReturnModel) -> bool:
    ta, tb = (m.datacollector.get_model_vars_dataframe() for m in (a, b))
    arrays = all(np.array_equal(x, getattr(b.pop, name)) for name, x in a.pop.columns().items())
    return arrays and ta.equals(tb)


# ------------------------------------------------------------ every lever
@pytest.mark.parametrize("key", KEYS)
def test_spending_stays_within_budget_and_window(key: str) -> None:
    budget = BUDGET[key]
    m, ts = run({f"{key}.monthly_budget": budget, f"{key}.start": 6, f"{key}.end": 30})
    spent = ts[f"spending_{key}"]
    inside = ts["month"].between(6, 30)
    assert (spent <= budget + 1e-6).all()
    assert (spent[inside] > 0).all()
    assert (spent[~inside] == 0).all()
    assert spent.sum() == pytest.approx(m.levers[key].spent_total)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("how", ["zero budget", "starts after the run"])
def test_lever_without_money_changes_nothing(key: str, how: str) -> None:
    off, _ = run()
    if how == "zero budget":
        overrides = {f"{key}.monthly_budget": 0.0}
    else:
        overrides = {f"{key}.monthly_budget": BUDGET[key], f"{key}.start": 100}
    on, ts = run(overrides)
    assert same_run(on, off)
    assert (ts[f"spending_{key}"] == 0).all()


def test_total_budget_and_monthly_ceiling_are_never_exceeded() -> None:
    monthly = sum(BUDGET.values())
    total, ceiling = 12 * monthly, 0.8 * monthly
    overrides = {f"{k}.monthly_budget": b for k, b in BUDGET.items()}
    columns = [f"spending_{k}" for k in KEYS]
    _, free = run(overrides)
    _, ts = run({**overrides, "budget.total": total, "budget.monthly_ceiling": ceiling})
    spent = ts[columns].sum(axis=1)
    assert free[columns].sum(axis=1).max() > ceiling  # the ceiling binds
    assert (spent <= ceiling + 1e-6).all()
    assert spent.sum() <= total + 1e-6
    assert (ts["budget_remaining"] >= -1e-6).all()
    assert spent.iloc[-1] < 1.0  # the money ran out before the end (cents may remain)
    # Reconstruction comes before livelihood and education in the default priorities.
    assert ts["spending_reconstruction"].sum() > ts["spending_education"].sum()


def test_engines_agree_with_the_levers_on() -> None:
    overrides = {
        "households.population": 0,
        "households.count": 1000,
        "scenario.months": 24,
        "households.initial_idp_share": 0.4,
        "conflict.schedule": [[0, 1.0], [6, 0.1]],
        **{f"{k}.monthly_budget": b / 3 for k, b in BUDGET.items()},
    }
    fast = model(overrides, seed=3)
    slow = model({**overrides, "scenario.engine": "agents"}, seed=3)
    fast.run()
    slow.run()
    assert same_run(fast, slow)
    assert all(fast.levers[k].spent_total > 0 for k in KEYS)


def test_targeting_order_is_returnees_then_displaced_then_index() -> None:
    status = np.array(
        [
            Status.AT_ORIGIN,
            Status.REFUGEE,
            Status.RETURNED,
            Status.INTERNALLY_DISPLACED,
            Status.RETURNED,
            Status.SETTLED_ELSEWHERE,
        ],
        dtype=np.int8,
    )
    ids = np.arange(len(status)) * 10
    group = priority(status)
    assert list(group) == [2, 1, 0, 1, 0, 2]
    assert list(in_order(ids, group)) == [20, 40, 10, 30, 0, 50]
    assert list(in_order(ids, group, limit=3)) == [20, 40, 10]
    assert len(in_order(ids[:0], group[:0])) == 0


# ---------------------------------------------------------- reconstruction
def test_reconstruction_rebuilds_homes_and_services() -> None:
    off, _ = run()
    on, ts = run({"reconstruction.monthly_budget": BUDGET["reconstruction"]})
    lever = on.levers["reconstruction"]
    o = on.places.origins
    others = np.setdiff1d(np.arange(on.places.n), o)
    assert (on.pop.housing == Housing.DESTROYED).sum() < (
        off.pop.housing == Housing.DESTROYED
    ).sum()
    assert 0 < lever.houses_rebuilt <= lever.houses_started
    assert (on.places.base_services[o] > off.places.base_services[o]).all()
    assert (on.places.base_education[o] > off.places.base_education[o]).all()
    assert (on.places.base_services[o] < 1).all()
    assert np.array_equal(on.places.base_services[others], off.places.base_services[others])
    assert ts["mean_services"].iloc[-1] > run()[1]["mean_services"].iloc[-1]
    # Money is committed when a project starts: houses cost what was started, with the
    # haulage of their materials on top (tests/test_logistics.py)
    house_cost = on.spec["reconstruction.house_cost"]
    assert lever.spent_on["housing"] > lever.houses_started * house_cost
    assert ts["spending_reconstruction"].sum() == pytest.approx(sum(lever.spent_on.values()))


def test_reconstruction_serves_target_places_and_returnees_first() -> None:
    m = model({"reconstruction.monthly_budget": 30_000.0, "reconstruction.targets": ["north"]})
    m.run_for(30)
    lever = m.levers["reconstruction"]
    north = m.places.index["north"]
    assert lever.houses_rebuilt > 0
    assert all(p.place == north for p in lever.queue)
    queue = lever._homes_to_rebuild()
    assert (m.pop.origin[queue] == north).all()
    status = m.pop.status[queue]
    group = np.where(status == Status.RETURNED, 0, np.where(np.isin(status, DISPLACED), 1, 2))
    assert (np.diff(group) >= 0).all()  # returnees, then the displaced, then the rest
    # Any north returnee with a destroyed home not yet earmarked heads the queue.
    waiting = (
        (m.pop.status == Status.RETURNED)
        & (m.pop.housing == Housing.DESTROYED)
        & (m.pop.origin == north)
        & ~lever.earmarked
    )
    assert (group == 0).any() or not waiting.any()
    off = model()
    off.run_for(30)
    changed = np.flatnonzero(m.places.base_services != off.places.base_services)
    assert list(changed) == [north]


def test_governance_capacity_speeds_and_completes_projects() -> None:
    common = {"reconstruction.monthly_budget": BUDGET["reconstruction"]}
    weak, _ = run({**common, "reconstruction.governance_share": 0.0})
    strong, _ = run({**common, "reconstruction.governance_share": 0.3})
    w, s = weak.levers["reconstruction"], strong.levers["reconstruction"]
    assert s.houses_failed / s.houses_started < w.houses_failed / w.houses_started
    assert s.spent_on["governance"] > 0
    assert w.spent_on["governance"] == 0


# --------------------------------------------------------------- livelihood
def test_livelihood_raises_skills_and_earnings_of_participants() -> None:
    off, off_ts = run()
    on, ts = run({"livelihood.monthly_budget": BUDGET["livelihood"]})
    lever = on.levers["livelihood"]
    served = lever.served
    assert served.sum() > 0
    assert on.pop.skills[served].mean() > off.pop.skills[served].mean()
    assert on.pop.livelihood_boost[served].mean() > 0
    assert off.pop.livelihood_boost.max() == 0
    assert np.array_equal(on.pop.skills[~served], off.pop.skills[~served])
    # Market effect: the places' livelihood rises a little while people take part.
    assert ts["mean_livelihood"].iloc[12:].mean() > off_ts["mean_livelihood"].iloc[12:].mean()
    # Spending is what the places filled cost.
    s = on.spec
    cost = np.array(
        [
            s["livelihood.training_cost"],
            s["livelihood.employment_cost"],
            s["livelihood.loan_size"] + s["livelihood.loan_admin_cost"],
        ]
    )
    assert ts["spending_livelihood"].sum() == pytest.approx(lever.enrolled @ cost)


def test_loans_are_repaid_or_written_off() -> None:
    on, _ = run({"livelihood.monthly_budget": BUDGET["livelihood"]})
    lever = on.levers["livelihood"]
    out = lever.summary()
    assert out["loan_defaults"] > 0 and out["enrolled_loan"] > 0
    assert out["loans_disbursed_usd"] == pytest.approx(
        out["loans_repaid_usd"] + out["loans_written_off_usd"] + out["loans_outstanding_usd"],
        rel=1e-5,
    )
    assert (on.pop.loan[lever.programme != LOAN] == 0).all()
    assert (on.pop.loan >= 0).all()


def test_loans_default_more_where_livelihood_is_low() -> None:
    defaults = {}
    for level in (0.8, 0.2):
        m = model({"livelihood.monthly_budget": 1.0})
        lever = m.levers["livelihood"]
        ids = np.arange(2000)
        lever.programme[ids] = LOAN
        lever.enrolled[2] = len(ids)
        m.pop.loan[ids] = 300.0
        m.places.livelihood[:] = level
        lever._loans(month=5)
        defaults[level] = lever.defaults
    assert defaults[0.2] > defaults[0.8] > 0


def test_livelihood_reaches_returnees_before_the_displaced() -> None:
    m = model(
        {
            "livelihood.monthly_budget": 6_000.0,
            "livelihood.start": 30,
            "scenario.months": 40,
        }
    )
    m.run_for(29)
    lever, pop = m.levers["livelihood"], m.pop
    for _ in range(6):
        free = (lever.programme == 0) & lever.mask[pop.place]
        waiting_returnees = free & (pop.status == Status.RETURNED)
        displaced = free & np.isin(pop.status, DISPLACED)
        m.step()
        new = free & (lever.programme != 0)
        assert new.any()
        if (new & displaced).any():
            assert (new[waiting_returnees]).all()
        else:
            assert new[waiting_returnees].sum() == new.sum()


def test_livelihood_gains_fade_after_the_programme_ends() -> None:
    def boost_path(halflife: float) -> list[float]:
        m = model(
            {
                "scenario.months": 96,
                "livelihood.monthly_budget": BUDGET["livelihood"],
                "livelihood.end": 12,
                "livelihood.boost_halflife_months": halflife,
            }
        )
        path = []
        for month in (24, 60, 96):
            m.run_for(month - m.steps)
            path.append(float(m.pop.livelihood_boost[m.levers["livelihood"].served].mean()))
        return path

    slow, fast = boost_path(36.0), boost_path(12.0)
    assert slow[0] > slow[1] > slow[2] > 0
    assert fast[2] < slow[2]


# ---------------------------------------------------------------- education
def test_education_raises_schooling_while_funded() -> None:
    # None kept in school after a catch-up course here: what they keep lasts
    # (tests/test_capacity.py); enrolment support and kits are withdrawn as they end.
    common = {
        "education.monthly_budget": BUDGET["education"],
        "education.end": 24,
        "education.catchup_retention": 0.0,
        "demography.on": False,  # no child grows up: those followed still have children
    }
    on, off = model(common), model({"demography.on": False})
    on.run_for(20)
    off.run_for(20)
    assert (on.places.education > off.places.education).all()
    assert (on.places.base_education > off.places.base_education).all()
    assert (on.places.base_education < 1).all()
    lever = on.levers["education"]
    followed = np.flatnonzero(lever.followed)
    assert len(followed) > 0 and (on.pop.children[followed] > 0).all()
    # Support ended at month 24 and kits last 12 months: the bonus is withdrawn.
    on.run_for(48 - 20)
    off.run_for(48 - 20)
    assert np.allclose(on.places.base_education, off.places.base_education)
    assert (on.places.education >= off.places.education - 1e-12).all()


def test_education_costs_what_it_delivers() -> None:
    on, ts = run({"education.monthly_budget": BUDGET["education"]})
    lever, s = on.levers["education"], on.spec
    out = lever.summary()
    assert out["spent_enrolment"] == pytest.approx(
        out["enrolment_child_months"] * s["education.enrolment_cost"]
    )
    assert out["spent_catchup"] == pytest.approx(
        out["catchup_children"] * s["education.catchup_cost"]
    )
    assert out["spent_materials"] == pytest.approx(
        out["material_kits"] * s["education.materials_cost"]
    )
    assert ts["spending_education"].sum() == pytest.approx(
        out["spent_enrolment"] + out["spent_catchup"] + out["spent_materials"]
    )
