"""Host communities tire of hosting (rules.host_fatigue): acceptance falls as the displaced
outnumber the residents, which pushes them to move on and slows local integration; aid
that serves residents too (area-based) costs more and eases it. Paired seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from returnsim import ReturnModel
from returnsim.scenario import load

REPO = Path(__file__).absolute().parents[1]
BASELINE = REPO / "scenarios" / "baseline.toml"
SIZE = {"households.count": 3000, "scenario.months": 60}


def run(over: dict, seed: int) -> ReturnModel:
    m = ReturnModel(load(BASELINE, {**SIZE, **over}), rng=seed)
    m.run()
    return m


def outcome(m: ReturnModel) -> dict[str, int]:
    ts = m.datacollector.get_model_vars_dataframe()
    capital = m.places.index["capital"]
    return {
        "settlements": int(ts["settlements"].sum()),
        "at_capital": int((m.pop.place == capital).sum()),
        "returns": int(ts["new_returns"].sum()),
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_the_fewer_the_hosts_the_fewer_settle_and_the_more_move_on(seed: int) -> None:
    many, few = (outcome(run({"places.capital.residents": r}, seed)) for r in (10_000, 300))
    assert few["settlements"] < many["settlements"]
    assert few["at_capital"] < many["at_capital"]
    assert few["returns"] > many["returns"]


def test_without_fatigue_the_hosts_change_nothing() -> None:
    plain = run({}, 1).datacollector.get_model_vars_dataframe()
    off = run({"places.capital.residents": 300, "hosts.fatigue": 0.0}, 1)
    on = run({"places.capital.residents": 300}, 1)
    assert off.datacollector.get_model_vars_dataframe().equals(plain)
    assert not on.datacollector.get_model_vars_dataframe().equals(plain)


@pytest.mark.parametrize("seed", [1, 2])
def test_area_based_aid_costs_more_and_keeps_more_settling(seed: int) -> None:
    over = {"places.capital.residents": 300, "aid.monthly_budget": 1e7}
    targeted = run(over, seed)
    area = run({**over, "aid.area_based": True}, seed)
    assert area.levers["aid"].spent_total > targeted.levers["aid"].spent_total
    assert outcome(area)["settlements"] > outcome(targeted)["settlements"]
    assert outcome(area)["at_capital"] > outcome(targeted)["at_capital"]
