"""Voluntary, induced and forced returns (IASC: return is voluntary, safe and dignified;
a planner must see how many were not). A return chosen under a camp closure or an
assistance cut that the same household, on the same draw, would not have chosen without
it is induced (``rules.pressure_shift``); deportations and pushbacks are forced and
counted apart from chosen returns. Paired seeds, the policy on and off."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from returnsim import ReturnModel
from returnsim.households import Status
from returnsim.outcomes import headline
from returnsim.scenario import load

REPO = Path(__file__).absolute().parents[1]
BASELINE = REPO / "scenarios" / "baseline.toml"
BORDER = REPO / "scenarios" / "border_standoff.toml"
SIZE = {"households.count": 3000, "scenario.months": 48}
PEACE = {"conflict.schedule": [[0, 1.0], [12, 0.05]]}
CLOSURE = {"camps.capacity": [[30, 0.01]], "camps.assistance": [[30, 0.2]]}


def run(path: Path, over: dict, seed: int) -> tuple[ReturnModel, object]:
    m = ReturnModel(load(path, over), rng=seed)
    m.run()
    return m, m.datacollector.get_model_vars_dataframe()


@pytest.mark.parametrize("seed", [1, 2])
def test_returns_after_camps_close_are_partly_induced(seed: int) -> None:
    m0, free = run(BASELINE, {**SIZE, **PEACE}, seed)
    m1, closed = run(BASELINE, {**SIZE, **PEACE, **CLOSURE}, seed)
    assert free["induced_returns"].sum() == 0  # no pressure, no induced return
    assert closed["induced_returns"][:30].sum() == 0  # none before the closure
    induced = int(closed["induced_returns"][30:].sum())
    chosen = closed["new_returns"][30:] + closed["returns_elsewhere"][30:]
    assert 0 < induced < chosen.sum()
    # the closure brings returns forward: more than the free run returned in those months
    assert chosen.sum() > (free["new_returns"][30:] + free["returns_elsewhere"][30:]).sum()
    h = headline(m1)
    assert h["voluntary_returns_total"] + h["induced_returns_total"] == (
        h["returns_total"] + h["returns_elsewhere_total"]
    )
    assert headline(m0)["voluntary_return_share"] == 1.0 > h["voluntary_return_share"]


@pytest.mark.parametrize("seed", [1, 2])
def test_deportations_are_forced_returns_and_only_from_their_date(seed: int) -> None:
    over = {"households.count": 1200, "scenario.months": 12}
    m0, ts0 = run(BORDER, over, seed)
    m1, ts1 = run(BORDER, {**over, "deportation.schedule": [[4, 0.1]]}, seed)
    assert ts0["forced_returns"].sum() == 0
    assert ts1["forced_returns"][:4].sum() == 0 and ts1["forced_returns"][4:].sum() > 50
    assert ts1["refugees"].iloc[-1] < ts0["refugees"].iloc[-1]
    # the deported are home, but not among those who chose to return
    assert ts1["new_returns"].sum() < ts0["new_returns"].sum()
    assert headline(m1)["forced_returns_total"] == ts1["forced_returns"].sum()
    assert (m1.pop.status == Status.RETURNED).sum() > (m0.pop.status == Status.RETURNED).sum()


def test_a_full_pushback_keeps_every_arrival_out() -> None:
    over = {"households.count": 1200, "scenario.months": 12}
    m = ReturnModel(load(BORDER, {**over, "places.reception.pushback": [[0, 1.0]]}), rng=1)
    free = ReturnModel(load(BORDER, {**over, "places.reception.pushback": [[0, 0.0]]}), rng=1)
    at = m.places.index["reception"]
    kept, let_in = [], []
    for _ in range(12):
        before, before_free = m.pop.place == at, free.pop.place == at
        m.step()
        free.step()
        kept.append(int(((m.pop.place == at) & ~before).sum()))
        let_in.append(int(((free.pop.place == at) & ~before_free).sum()))
    assert sum(kept) == 0 and sum(let_in) > 50
    pushed = m.datacollector.get_model_vars_dataframe()["pushbacks"].sum()
    assert pushed >= sum(let_in) // 2
    # sent back to where they came from: the border zone, still abroad
    # (or dissolved there: every member died)
    there = m.pop.status[m.pop.place == m.places.index["border_zone"]]
    assert np.isin(there, [Status.REFUGEE, Status.RETURNED, Status.DISSOLVED]).all()
