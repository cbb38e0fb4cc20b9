"""The shipped full-response scenario uses every lever family, within its budget."""

import numpy as np
import pytest

from returnsim import ReturnModel
from returnsim.interventions import LEVERS
from returnsim.outcomes import summarize
from returnsim.scenario import load

SMALL = {"households.count": 2000, "scenario.months": 60}


@pytest.fixture(scope="module")
def pair() -> tuple[ReturnModel, ReturnModel]:
    models = []
    for path in ("scenarios/full_response.toml", "scenarios/baseline.toml"):
        model = ReturnModel(load(path, SMALL), rng=7)
        model.run()
        models.append(model)
    return models[0], models[1]


def test_every_lever_family_spends(pair) -> None:
    full, _ = pair
    spent = {key: lever.spent_total for key, lever in full.levers.items()}
    assert set(spent) == {cls.key for cls in LEVERS}
    assert all(v > 0 for v in spent.values()), spent


def test_spending_within_budget(pair) -> None:
    full, _ = pair
    ts = full.datacollector.get_model_vars_dataframe()
    s = full.spec
    assert ts["budget_spending"].max() <= s["budget.monthly_ceiling"] + 1e-6
    assert ts["budget_spending"].sum() == pytest.approx(full.budget.spent)
    assert full.budget.spent <= s["budget.total"] + 1e-6
    lever_cols = [c for c in ts.columns if c.startswith("spending_")]
    assert np.allclose(ts[lever_cols].sum(axis=1), ts["budget_spending"])


def test_full_response_beats_no_response_on_paired_seed(pair) -> None:
    full, base = pair
    a, b = summarize(full), summarize(base)
    assert a["returned_share"] > b["returned_share"]
    assert a["sustainably_reintegrated_share"] > b["sustainably_reintegrated_share"]
    assert b["programme_cost"] == 0 and a["programme_cost"] > 0
    # the mission is never free: the total is programmes plus the mission, in both
    for s in (a, b):
        assert s["peacekeeping_cost"] > 0
        assert s["total_cost"] == pytest.approx(s["programme_cost"] + s["peacekeeping_cost"])
    assert b["cost_per_return"] > 0 and b["programme_cost_per_return"] == 0
    assert a["cost_per_sustainably_reintegrated"] > 0
