"""Documents and trust act on what people do (rules.need_gap, protection.py): a returnee
without civil documents is short of services (``decision.undocumented_gap``) and weighs
leaving again, so legal aid that restores documents lowers re-displacement; HLP claims are
brought only by households that trust institutions (``protection.hlp_min_trust``). Paired
seeds, one setting changed, the direction of a behavioural or lasting outcome asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from returnsim import ReturnModel
from returnsim.outcomes import headline
from returnsim.scenario import load

REPO = Path(__file__).absolute().parents[1]
FULL = REPO / "scenarios" / "full_response.toml"
KIVU = REPO / "scenarios" / "drc_kivu.toml"


def run(path: Path, over: dict, seed: int) -> ReturnModel:
    size = {"households.count": 4000, "scenario.months": 60}
    m = ReturnModel(load(path, {**size, **over}), rng=seed)
    m.run()
    return m


@pytest.mark.parametrize("seed", [42, 7])
def test_undocumented_returnees_leave_again_and_legal_aid_keeps_them(seed: int) -> None:
    no_aid = {"protection.legal_aid_monthly_budget": 0.0}

    def redisplaced(over: dict) -> int:
        return headline(run(FULL, over, seed))["redisplacements_total"]

    # without legal aid many returnees lack documents: the larger their gap, the more
    # leave again; at the default gap, legal aid that restores documents keeps them
    by_gap = [redisplaced({**no_aid, "decision.undocumented_gap": g}) for g in (0.0, 0.1, 0.2)]
    assert by_gap[0] < by_gap[1] < by_gap[2]
    assert redisplaced({}) < by_gap[1]


@pytest.mark.parametrize("seed", [42, 7])
def test_households_that_distrust_institutions_bring_no_hlp_claims(seed: int) -> None:
    restored = [
        run(KIVU, {"protection.hlp_min_trust": t}, seed).levers["protection"].homes_restored
        for t in (0.0, 0.3, 0.6)
    ]
    assert restored[0] > restored[1] > restored[2] > 0
