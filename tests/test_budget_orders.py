"""Two orders apart: the phase order decides who acts when; the funding priority decides only
who is paid when money is short."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from returnsim import ReturnModel
from returnsim.interventions import DEFAULT_PRIORITIES, LEVERS
from returnsim.places import Places
from returnsim.scenario import load

FULL = Path(__file__).absolute().parents[1] / "scenarios" / "full_response.toml"
SMALL = {"households.count": 400, "scenario.months": 36}
UNLIMITED = {"budget.total": 1e12, "budget.monthly_ceiling": 1e12}
SHORT = {"budget.monthly_ceiling": 150_000.0}

ORDERS = {
    "default": list(DEFAULT_PRIORITIES),
    "reversed": list(reversed(DEFAULT_PRIORITIES)),
    "coordination first": ["coordination", *(k for k in DEFAULT_PRIORITIES if k != "coordination")],
    "information and aid first": ["information", "aid"],  # the others after, in phase order
}


def timeseries(overrides: dict) -> str:
    model = ReturnModel(load(FULL, {**SMALL, **overrides}), rng=3)
    model.run()
    out = io.StringIO()
    model.datacollector.get_model_vars_dataframe().to_csv(out, index=False)
    return out.getvalue()


def test_levers_act_in_one_fixed_phase_order() -> None:
    phases = [c.phase for c in LEVERS]
    assert phases == sorted(phases) and len(set(phases)) == len(phases)
    assert set(DEFAULT_PRIORITIES) == {c.key for c in LEVERS}


@pytest.mark.parametrize("order", [k for k in ORDERS if k != "default"])
def test_with_money_enough_any_priority_order_gives_the_same_run(order: str) -> None:
    """full_response with every lever funded: the bytes of timeseries.csv do not move."""
    base = timeseries({**UNLIMITED, "budget.priorities": ORDERS["default"]})
    assert timeseries({**UNLIMITED, "budget.priorities": ORDERS[order]}) == base


def test_when_money_is_short_the_priority_decides_who_is_paid() -> None:
    """The same permutation does change a run whose monthly ceiling binds (the check can fail)."""
    first = timeseries({**SHORT, "budget.priorities": ORDERS["default"]})
    last = timeseries({**SHORT, "budget.priorities": ORDERS["reversed"]})
    assert first != last


def test_no_lever_writes_attributes_on_the_model(monkeypatch) -> None:
    """Levers hold their own state; while they are funded, act and settle, the model's
    attributes stay as they were (the model reads coordination and information out)."""
    model = ReturnModel(load(FULL, {**SMALL, "scenario.months": 6}), rng=3)
    acting, writes = [False], []
    plain = ReturnModel.__setattr__

    def spy(self, name, value) -> None:
        if acting[0]:
            writes.append(name)
        plain(self, name, value)

    monkeypatch.setattr(ReturnModel, "__setattr__", spy)
    for stage in ("allocate", "settle"):
        run = getattr(model.budget, stage)

        def watched(month, run=run, **kw) -> None:
            acting[0] = True
            try:
                run(month, **kw)
            finally:
                acting[0] = False

        monkeypatch.setattr(model.budget, stage, watched)
    model.run()
    assert model.levers["coordination"].spent_total > 0  # the lever did act
    assert writes == []


def _place_arrays(places) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in vars(places).items() if isinstance(v, np.ndarray)}


def test_levers_write_no_place_array_conditions_are_derived(monkeypatch) -> None:
    """A lever changes only its own contribution; the places' base levels, cohesion and
    aid coverage are derived from the contributions (Places.refresh). With the derivation
    switched off every lever still acts, but no place condition moves off the scenario's."""
    spec = load(FULL, SMALL)
    live = ReturnModel(spec, rng=3)
    live.run()
    p = live.places
    assert (p.base_services > p.scenario_base["services"]).any()  # reconstruction
    assert (p.cohesion > p.scenario_cohesion).any()  # reconciliation, mediators
    assert (p.base_livelihood > p.scenario_base["livelihood"]).any()  # livelihood markets
    assert (p.base_education > p.scenario_base["education"]).any()  # schools, classes
    assert live.levers["aid"].delivered_total > 0

    monkeypatch.setattr(Places, "refresh", lambda self: None)
    model = ReturnModel(spec, rng=3)
    changed = []
    for lever in model.levers.values():

        def watched(month, funds, apply=lever.apply, key=lever.key) -> float:
            before = _place_arrays(model.places)
            out = apply(month, funds)
            after = _place_arrays(model.places)
            changed.extend(f"{key}: {k}" for k in before if not np.array_equal(before[k], after[k]))
            return out

        lever.apply = watched
    model.run()
    assert changed == []
    assert sum(lv.spent_total for lv in model.levers.values()) > 0  # they did act
    p = model.places
    assert (p.base_services == p.scenario_base["services"]).all()
    assert (p.cohesion == p.scenario_cohesion).all()
    assert (p.aid_coverage == 0).all()
