"""Resettlement to third countries: places offered, most vulnerable first, departure after
processing; those waiting do not weigh return; camps empty and fewer die. Paired seeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from returnsim import ReturnModel, Status
from returnsim.households import persons_by
from returnsim.outcomes import summarize
from returnsim.scenario import load

BASELINE = Path(__file__).absolute().parents[1] / "scenarios" / "baseline.toml"
QUOTA = {"resettlement.persons_per_year": 3000.0, "resettlement.start": 6}


def run(over: dict, seed: int = 1, households: int = 3000, months: int = 48):
    spec = load(
        BASELINE,
        {
            "households.population": 0,
            "households.count": households,
            "scenario.months": months,
            **over,
        },
    )
    model = ReturnModel(spec, rng=seed)
    model.run()
    return model, model.datacollector.get_model_vars_dataframe()


def test_places_offered_take_refugees_out_of_the_camps_after_processing() -> None:
    _, none = run({})
    m1, quota = run(QUOTA)
    lever = summarize(m1)["levers"]["resettlement"]
    assert none["resettled"].max() == 0 and quota["resettled"].iloc[-1] > 100
    # nobody leaves before a case has been processed (start 6 + 12 months)
    assert quota.loc[quota.month < 18, "resettled"].max() == 0
    assert quota["refugees"].iloc[-1] < none["refugees"].iloc[-1]
    # the places offered are a ceiling: 3,000 a year from month 6 to 48
    assert lever["persons_submitted"] <= 3000 * 43 / 12
    assert lever["persons_resettled"] <= lever["persons_submitted"]
    # those resettled count at no place any more, and the persons tally stays a recount
    gone = m1.pop.status == Status.RESETTLED
    assert m1.tally.households.sum() == np.count_nonzero(
        ~np.isin(m1.pop.status, [Status.RESETTLED, Status.DISSOLVED])
    )
    assert m1.tally.persons.sum() == m1.pop.size[~gone].sum()
    kept = m1.tally.persons_by_group.copy()
    m1.tally.recount(m1.pop)
    np.testing.assert_allclose(kept, m1.tally.persons_by_group, atol=1e-6)
    assert summarize(m1)["spending_by_lever"]["resettlement"] == (
        lever["persons_submitted"] * m1.p.resettlement.cost_per_person
    )


def test_the_most_vulnerable_are_submitted_first() -> None:
    # few places (about 50 persons a month from month 6): only the first in line are taken
    spec = load(
        BASELINE,
        {
            "households.population": 0,
            "households.count": 3000,
            **QUOTA,
            "resettlement.persons_per_year": 600.0,
        },
    )
    m = ReturnModel(spec, rng=1)
    for _ in range(9):
        m.step()
    pop = m.pop
    submitted = pop.resettle_month > 0
    refugees = pop.status == Status.REFUGEE
    assert submitted.sum() > 20 and (submitted <= refugees).all()
    for flag in (pop.protection_risk, pop.female_head | pop.disability | pop.older):
        assert flag[submitted].mean() > flag[refugees].mean()
    # at specific protection risk first: every such refugee is submitted before others
    assert pop.protection_risk[refugees].sum() > 0
    assert submitted[refugees & pop.protection_risk].all()


def test_those_waiting_for_departure_do_not_go_home_meanwhile() -> None:
    # peace from month 12: refugees go home; those with a case pending wait for it
    peace = {**QUOTA, "conflict.schedule": [[0, 1.0], [12, 0.0]]}
    waited, _ = run(peace)
    lever = summarize(waited)["levers"]["resettlement"]
    # a case lapses only when the household left the camp before departure (under threat)
    assert lever["cases_lapsed"] <= 0.05 * lever["households_submitted"]


def test_resettlement_empties_camps_and_fewer_die_there() -> None:
    deaths = {}
    for label, over in (("none", {}), ("quota", QUOTA)):
        deaths[label] = sum(
            summarize(run(over, seed=s)[0])["mortality"]["deaths_total"] for s in (1, 2)
        )
    assert deaths["quota"] < deaths["none"]


def test_no_places_offered_changes_nothing() -> None:
    _, a = run({})
    _, b = run({"resettlement.processing_months": 3, "resettlement.cost_per_person": 10.0})
    assert a.drop(columns=[c for c in a if "spending" in c]).equals(
        b.drop(columns=[c for c in b if "spending" in c])
    )


def test_persons_by_group_count_the_resettled() -> None:
    m, _ = run(QUOTA, months=30)
    by = persons_by(m.pop.status, m.pop, slice(None), len(m.tally.status))
    assert by[Status.RESETTLED].sum() > 0
    np.testing.assert_allclose(by, m.tally.persons_by_group, atol=1e-6)
