"""No lever for show: every lever parameter changes what people do somewhere.

For each parameter of a lever family (and of the mission), the full-response
scenario (its own size, five years) is run with the parameter moved (doubled
and halved; a window's end brought inside the run; a switch flipped), on a
paired seed, in the setting where the parameter applies (``SETTING``: a
strategy, the mission paid from the budget, peace with recurrence). It acts
when some monthly stock or flow of households differs. The exceptions are
listed with their reason and checked both ways: a listed parameter that starts
acting must leave the list.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from returnsim import ReturnModel
from returnsim.interventions import LEVERS
from returnsim.parameters import PARAMS
from returnsim.scenario import load

pytestmark = pytest.mark.heavy

REPO = Path(__file__).absolute().parents[1]
SCENARIO = REPO / "scenarios" / "full_response.toml"
MONTHS = 60
#: The scenario at its own size (budgets and team numbers are sized for it), five years.
SIZE = {"scenario.months": MONTHS}
FAMILIES = {cls.key for cls in LEVERS} | {"peacekeeping", "camps"}
BEHAVIOUR = [
    "at_origin",
    "internally_displaced",
    "refugees",
    "returned",
    "settled_elsewhere",
    "resettled",
    "new_displacements",
    "redisplacements",
    "new_returns",
    "returns_elsewhere",
    "settlements",
    "secondary_moves",
    "trapped",
    "need_displacements",
    "unable_to_leave",
    "homes_destroyed",
    "violence",
]

#: Where a parameter applies, beyond the full-response scenario.
SETTING: dict[str, dict] = {
    "peacekeeping.redeploy_every": {"peacekeeping.strategy": "hotspot"},
    "peacekeeping.hotspot_base_weight": {"peacekeeping.strategy": "hotspot"},
    "peacekeeping.recurrence_reduction": {"conflict.recurrence_monthly": 0.1},
    # without legal aid, which documents nearly everyone before packages start at month 18
    "return_package.documents_required": {"protection.legal_aid_monthly_budget": 0.0},
    # information funded first from a small monthly ceiling: its costs decide what it buys
    "information.campaign_cost_month": {
        "budget.priorities": ["information"],
        "budget.monthly_ceiling": 1e4,
    },
    "information.cost_per_visit": {
        "information.campaign": False,
        "budget.priorities": ["information"],
        "budget.monthly_ceiling": 2e3,
    },
    # capacity built lasts after its funding ends
    "reconstruction.governance_decay": {"reconstruction.end": 30},
    "reconstruction.governance_build_rate": {"reconstruction.end": 30},
    "peacekeeping.cost_per_person_month": {
        "budget.include_peacekeeping": True,
        "budget.total": 2e8,
        "budget.monthly_ceiling": 6e7,
    },
}

#: Droughts at the home areas in years 2-4: livelihood support matters where people fall
#: short of need (rules.need_gap) and have to pay their way.
DROUGHT = {"drought.schedule": [[12, 0.7], [48, 0.0]]}
#: Money short: what a unit costs decides how much is bought.
SHORT = {"budget.monthly_ceiling": 3e5}
#: Homes occupied at two origins and legal aid enough for claims after documents.
OCCUPIED = {
    "places.north.housing_occupied": 0.3,
    "places.east.housing_occupied": 0.3,
    "protection.legal_aid_monthly_budget": 3e5,
}
for _key in ("hlp_success_monthly", "hlp_cost_per_case_month", "hlp_min_trust"):
    SETTING[f"protection.{_key}"] = OCCUPIED
#: Protection monitoring on: how much trauma it averts and what it costs.
for _key in ("monitoring_relief", "monitoring_cost_place_month"):
    SETTING[f"protection.{_key}"] = {"protection.monitoring": True}
#: Family tracing funded, fewer cases than separated households: its unit cost binds.
for _key in ("tracing_cost_per_case_month", "tracing_success_monthly"):
    SETTING[f"protection.{_key}"] = {"protection.tracing_monthly_budget": 2e4}
for _key in (
    "livelihood.boost_halflife_months",
    "livelihood.employment_boost",
    "livelihood.loan_boost",
    "livelihood.savings_gain",
    "livelihood.training_boost",
    "livelihood.training_skill_gain",
    "livelihood.default_max",
):
    SETTING[_key] = DROUGHT
#: A host community at the capital: area-based aid serves it too and eases its fatigue.
SETTING["aid.area_based"] = {"places.capital.residents": 500.0}

#: Parameters that change no movement, with the reason; observers by design.
EXCEPTIONS: dict[str, str] = {
    "peacekeeping.observers": "observers do not deter violence (EVIDENCE.md fact 10: troop "
    "numbers matter, observers do not; Hultman et al. 2014); reported, shown at zero effect",
    "peacekeeping.observer_team_size": "the size of observer teams, which act on nothing (above)",
}


def _moves(param, value) -> list:
    if isinstance(value, bool):
        return [not value]
    if param.key.endswith(".end"):
        return [MONTHS // 2]
    if param.key.endswith(".start"):
        return [m for m in (MONTHS // 3, MONTHS // 2) if m != value]
    if param.kind not in ("float", "int"):
        return []
    if value == 0:
        out = [min(param.high, (param.low + param.high) / 2 if param.high < 1e4 else 1000.0)]
    else:
        out = [min(param.high, value * 2), max(param.low, value / 2)]
    if param.kind == "int":
        out = [round(x) for x in out]
    return [x for x in out if x != value]


def _behaviour(over: dict) -> np.ndarray:
    """The monthly stocks and flows, then where each household is and its status."""
    model = ReturnModel(load(SCENARIO, {**SIZE, **over}), rng=1)
    model.run()
    ts = model.datacollector.get_model_vars_dataframe()[BEHAVIOUR].to_numpy().ravel()
    return np.concatenate([ts, model.pop.place, model.pop.status])


def test_every_lever_parameter_changes_what_people_do() -> None:
    spec = load(SCENARIO, SIZE)
    reference: dict[str, np.ndarray] = {}
    idle = []
    for param in PARAMS:
        if param.key.split(".")[0] not in FAMILIES:
            continue
        moves = _moves(param, spec[param.key])
        if not moves:  # places, schedules and names: their own tests
            continue
        # where it applies, else with money short (costs bind)
        settings = [SETTING.get(param.key, {}), {**SETTING.get(param.key, {}), **SHORT}]
        for setting in settings:
            key = repr(sorted(setting.items()))
            if key not in reference:
                reference[key] = _behaviour(setting)
            if any(
                not np.array_equal(_behaviour({**setting, param.key: m}), reference[key])
                for m in moves
            ):
                break
        else:
            idle.append(param.key)
    listed = EXCEPTIONS
    unexcused = sorted(set(idle) - set(listed))
    acting = sorted(set(listed) - set(idle))
    assert not unexcused and not acting, (
        f"idle and not excused: {', '.join(unexcused)}; excused but acting: {', '.join(acting)}"
    )
