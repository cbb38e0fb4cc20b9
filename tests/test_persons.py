"""Households as people: members by sex and age band, persons reported by group, and the
rules where sex and age change what people do (rules.utilities: journey caution, schooling
for families with children of school age). Paired seeds, the direction asserted."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from returnsim import ReturnModel, Status
from returnsim.households import (
    PERSON_GROUPS,
    AgeBand,
    Sex,
    Tally,
    member_column,
)
from returnsim.scenario import load

REPO = Path(__file__).absolute().parents[1]
BASELINE = REPO / "scenarios" / "baseline.toml"


def model(over: dict | None = None, *, seed: int = 42, households: int = 3000, months: int = 36):
    over = {
        "households.population": 0,
        "households.count": households,
        "scenario.months": months,
        **(over or {}),
    }
    spec = load(BASELINE, over)
    return ReturnModel(spec, rng=seed)


def test_members_add_up_to_the_household_and_the_head_is_one_of_them() -> None:
    pop = model().pop
    m = pop.members.astype(int)
    assert (m.sum(axis=1) == pop.size).all()
    women = (
        m[:, member_column(Sex.FEMALE, AgeBand.ADULT)]
        + m[:, member_column(Sex.FEMALE, AgeBand.OLDER)]
    )
    assert (women[pop.female_head] >= 1).all()
    assert (pop.older == (m[:, [member_column(s, AgeBand.OLDER) for s in Sex]].sum(1) > 0)).all()
    assert (pop.older[pop.head_age >= 60]).all()
    # about half the people are children (households.child_share of the non-heads)
    kids = pop.children.sum() / pop.size.sum()
    assert 0.35 < kids < 0.55
    assert 0.4 < m[:, 0::2].sum() / m.sum() < 0.6  # women and girls about half


def test_persons_by_group_kept_as_households_move_equal_a_recount() -> None:
    m = model({"conflict.intensity": 1.5})
    m.run()
    kept = m.tally.persons_by_group.copy()
    assert kept[Status.INTERNALLY_DISPLACED].sum() + kept[Status.REFUGEE].sum() > 0
    Tally.recount(m.tally, m.pop)
    np.testing.assert_allclose(kept, m.tally.persons_by_group, atol=1e-6)
    # members of all groups add up to the persons of each status
    by_status = np.bincount(m.pop.status, weights=m.pop.size, minlength=len(Status))
    np.testing.assert_allclose(kept[:, :8].sum(axis=1), by_status)


def test_groups_csv_is_a_tidy_table_of_persons_by_month_group_and_status(tmp_path) -> None:
    from returnsim.cli import main

    out = tmp_path / "run"
    code = main(["run", str(BASELINE), "--households", "500", "--steps", "6", "--out", str(out)])
    assert code in (0, None)
    with (out / "groups.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert set(rows[0]) == {"month", "group", "status", "persons"}
    assert {r["group"] for r in rows} == set(PERSON_GROUPS)
    assert {int(r["month"]) for r in rows} == set(range(7))
    month0 = sum(int(r["persons"]) for r in rows if r["month"] == "0" and r["group"][1] != "e")
    assert month0 > 0


def _fled_share(over: dict, seed: int) -> tuple[float, float]:
    """Share of cautious (female-headed or with a member 60+) and other households that
    fled in the first two months of war."""
    m = model({"conflict.intensity": 1.0, **over}, seed=seed, months=24)
    m.run_for(2)
    fled = m.pop.times_displaced > 0  # every household starts at home in the baseline
    cautious = m.pop.female_head | m.pop.older
    return float(fled[cautious].mean()), float(fled[~cautious].mean())


def test_women_and_older_people_avoid_risky_journeys() -> None:
    """Journey caution delays the flight of households headed by a woman or with a member
    aged 60+ (without it they flee sooner than others: vulnerable members need more
    safety)."""
    seeds = (1, 2)
    on = np.array([_fled_share({}, s) for s in seeds]).mean(axis=0)
    off = np.array([_fled_share({"decision.journey_caution": 0.0}, s) for s in seeds]).mean(0)
    assert on[0] < off[0]  # the cautious flee later when the journey weighs on them
    assert on[0] - on[1] < off[0] - off[1]  # and fall behind the others


def _back_home(over: dict, seed: int) -> tuple[float, float]:
    """Share of displaced households with and without a child aged 5-17 home three years
    after peace (month 12), education support at the origins from then on or not."""
    m = model(
        {
            "conflict.schedule": [[0, 1.5], [12, 0.0]],
            "education.start": 12,
            "education.targets": ["north", "east", "south"],
            **over,
        },
        seed=seed,
        months=48,
    )
    m.run_for(12)
    away = np.isin(m.pop.status, (Status.INTERNALLY_DISPLACED, Status.REFUGEE))
    m.run()
    back = m.pop.status == Status.RETURNED
    return float(back[away & m.pop.school_age].mean()), float(back[away & ~m.pop.school_age].mean())


def test_families_with_school_age_children_weigh_schooling_at_home() -> None:
    """Schooling at home is worth more to families with children aged 5-17: education
    support at the origins brings more of them home when that weight is on."""
    seeds = (1, 2, 3)

    def gain(weight: float) -> float:
        w = {"decision.w_school_age": weight}
        funded = np.mean([_back_home({**w, "education.monthly_budget": 1e5}, s)[0] for s in seeds])
        none = np.mean([_back_home({**w, "education.monthly_budget": 0.0}, s)[0] for s in seeds])
        return float(funded - none)

    # with no weight on schooling the support brings nobody home through it (seeds 1-3:
    # -0.9 points, noise and the other channels); with the weight on it does
    with_weight = gain(0.8)
    assert with_weight > 0 and with_weight > gain(0.0) + 0.02


def test_family_separation_in_flight_and_reunification() -> None:
    m = model({"conflict.intensity": 1.5}, months=12)
    m.run()
    fled = m.pop.times_displaced > 0
    assert m.pop.separated[fled].any()
    assert not m.pop.separated[~fled].any()
    none = model({"conflict.intensity": 1.5, "decision.separation_share": 0.0}, months=12)
    none.run()
    assert not none.pop.separated.any()
    # separation draws no new random number: movements are identical
    assert (none.pop.status == m.pop.status).all()
