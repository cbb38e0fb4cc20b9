"""Flight for want, not only for violence (rules.deprivation): droughts, collapsed services
and aid cuts push households to move, as far as they can pay the journey; food support
after return keeps poor returnees home. Paired seeds, directions of movement asserted."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from returnsim import ReturnModel
from returnsim.param import params
from returnsim.rules import deprivation
from returnsim.scenario import default, load

REPO = Path(__file__).absolute().parents[1]
BASELINE = REPO / "scenarios" / "baseline.toml"
SIZE = {"households.count": 2000, "scenario.months": 48}
# No undocumented returnee weighs leaving for want of services, nor one whose home is lost
# for want of shelter: isolates the place's deprivation (decision.undocumented_gap and
# homeless_gap have their own tests, test_documents_trust.py, test_levers_behaviour.py)
PEACE = {
    "conflict.intensity": 0.0,
    "decision.undocumented_gap": 0.0,
    "decision.homeless_gap": 0.0,
}
DROUGHT = {"drought.schedule": [[6, 0.9]]}


def run(over: dict, seed: int = 7):
    model = ReturnModel(load(BASELINE, {**SIZE, **over}), rng=seed)
    model.run()
    return model.datacollector.get_model_vars_dataframe()


def test_deprivation_is_the_shortfall_below_need_offset_by_aid() -> None:
    d = params(default()).decision  # livelihood_need 0.35, services_need 0.3
    gap = deprivation(
        d,
        livelihood=np.array([0.35, 0.175, 0.1, 0.1, 0.05]),
        services=np.array([0.5, 0.5, 0.5, 0.5, 0.5]),
        base_livelihood=np.array([0.5, 0.5, 0.1, 0.5, 0.5]),
        base_services=np.full(5, 0.5),
        aid_coverage=np.array([0.0, 0.0, 0.0, 0.5, 1.0]),
    )
    # at need; half of need; a place that normally gives 0.1 at its normal level;
    # (1 - 0.1/0.35) halved by aid covering half of needs; fully covered by aid
    assert gap == pytest.approx([0.0, 0.5, 0.0, (1 - 0.1 / 0.35) * 0.5, 0.0])


def test_at_peace_a_drought_displaces_people_and_only_through_need() -> None:
    calm = run(PEACE)
    dry = run({**PEACE, **DROUGHT})
    off = run({**PEACE, **DROUGHT, "decision.deprivation_review": 0.0})
    assert dry["new_displacements"].sum() > 10 * max(calm["new_displacements"].sum(), 1)
    assert dry["need_displacements"].sum() > 0 and calm["need_displacements"].sum() == 0
    # switched off, the drought moves nobody: people would flee only from violence
    assert off["new_displacements"].sum() == calm["new_displacements"].sum()
    # the poorest cannot pay the journey and stay (trapped in need)
    assert dry["unable_to_leave"].sum() > 0


def test_the_poorer_the_households_the_fewer_can_leave_for_want() -> None:
    rich = run({**PEACE, **DROUGHT, "households.assets_median": 2000.0})
    poor = run({**PEACE, **DROUGHT, "households.assets_median": 20.0})
    assert poor["need_displacements"].sum() < rich["need_displacements"].sum()
    assert poor["unable_to_leave"].sum() > rich["unable_to_leave"].sum()


def test_food_support_after_return_lowers_re_displacement() -> None:
    over = {
        "drought.schedule": [[12, 0.8], [40, 0.0]],
        "return_package.cash_per_person": 20.0,
        "scenario.months": 60,
    }
    without = run({**over, "return_package.food_months": 0})
    fed = run({**over, "return_package.food_months": 6})
    assert fed["redisplacements"].sum() < without["redisplacements"].sum()


def test_an_aid_cut_in_camps_pushes_people_out_of_them() -> None:
    kept = run({"camps.assistance": [[12, 1.0]]})
    cut = run({"camps.assistance": [[12, 0.2]]})
    assert cut["refugees"].iloc[-1] < kept["refugees"].iloc[-1]
    assert cut["secondary_moves"].sum() + cut["new_returns"].sum() > (
        kept["secondary_moves"].sum() + kept["new_returns"].sum()
    )
