"""Paired figures for the behavioural mechanisms: one change on vs off, the same seed.

The baseline scenario, 5,000 households x 60 months, seed 42, unless a line
says otherwise; one printed line per mechanism. Usage (from the repository):

    python scripts/lever_effects.py
"""

from __future__ import annotations

from typing import Any

import numpy as np

from returnsim import ReturnModel, Status
from returnsim.scenario import load

BASELINE = "scenarios/baseline.toml"
SOMALIA = "scenarios/somalia.toml"


def run(over: dict[str, Any], *, path: str = BASELINE, months: int | None = 60) -> Any:
    """The model and its timeseries after a run with ``over``."""
    values = {"households.count": 5000, **over}
    if months:
        values["scenario.months"] = months
    model = ReturnModel(load(path, values), rng=42)
    model.run()
    return model, model.datacollector.get_model_vars_dataframe()


def total(ts: Any, column: str) -> int:
    return int(ts[column].sum())


def cohort_home(over: dict[str, Any], seed: int) -> float:
    """Share of the households displaced when peace comes (month 24) home at month 60."""
    values = {
        "households.count": 5000,
        "scenario.months": 60,
        "conflict.schedule": [[0, 1.5], [24, 0.0]],
        **over,
    }
    model = ReturnModel(load(BASELINE, values), rng=seed)
    model.run_for(24)
    away = np.isin(model.pop.status, (Status.INTERNALLY_DISPLACED, Status.REFUGEE))
    model.run()
    return round(float((model.pop.status[away] == Status.RETURNED).mean()), 4)


def stolen(model: ReturnModel) -> float:
    """Share of aid spending lost to theft and diversion where insecure and unsecured."""
    aid = model.levers["aid"]
    return round(aid.stolen_total / (aid.lost_total + aid.delivered_total), 4)


def main() -> None:
    peace = {"conflict.intensity": 0.0}
    _, calm = run(peace)
    _, dry = run({**peace, "drought.schedule": [[0, 0.95]]})
    print(
        "1 at peace, drought 0.95: new displacements",
        total(calm, "new_displacements"),
        "->",
        total(dry, "new_displacements"),
        "(for want",
        total(dry, "need_displacements"),
        "; could not pay the journey",
        total(dry, "unable_to_leave"),
        ")",
    )

    _, s1 = run({}, path=SOMALIA, months=None)
    _, s0 = run({"drought.schedule": []}, path=SOMALIA, months=None)
    print(
        "2 somalia with / without droughts: displacements",
        total(s1, "new_displacements"),
        "/",
        total(s0, "new_displacements"),
        "; months 70-84:",
        int(s1["new_displacements"].iloc[70:85].sum()),
        "/",
        int(s0["new_displacements"].iloc[70:85].sum()),
        "; at home at month 70:",
        int(s1["at_origin"].iloc[70] + s1["returned"].iloc[70]),
    )

    cash = {"return_package.cash_per_person": 20.0}
    m0, k0 = run({**cash, "return_package.shelter_kit": 0.0})
    m1, k1 = run({**cash, "return_package.shelter_kit": 500.0})
    print(
        "3 shelter kit USD 0 -> 500: returns",
        total(k0, "new_returns"),
        "->",
        total(k1, "new_returns"),
        "; returns elsewhere",
        total(k0, "returns_elsewhere"),
        "->",
        total(k1, "returns_elsewhere"),
        "; re-displacements",
        total(k0, "redisplacements"),
        "->",
        total(k1, "redisplacements"),
        "; cost USD",
        int(m0.levers["return_package"].spent_total),
        "->",
        int(m1.levers["return_package"].spent_total),
    )

    teams = {"mhpss.mobile_teams": 40, "mhpss.start": 24}
    print(
        "4 psychosocial teams (40 from month 24, war until 24): share of the month-24 "
        "displaced home at month 60, seeds 1-3:",
        [cohort_home({}, s) for s in (1, 2, 3)],
        "->",
        [cohort_home(teams, s) for s in (1, 2, 3)],
    )

    docs = {
        "return_package.cash_per_person": 45.0,
        "households.undocumented_share": 0.4,
        "return_package.documents_required": True,
    }
    mo, off = run(docs)
    ml, legal = run({**docs, "protection.legal_aid_monthly_budget": 50_000.0})
    mt, trust = run({**docs, "reconciliation.monthly_budget": 200_000.0})
    for n, label, m, ts in ((5, "legal aid", ml, legal), (6, "trust-building", mt, trust)):
        print(
            f"{n} {label} (documents required, 40% undocumented): packages",
            int(mo.pop.assisted.sum()),
            "->",
            int(m.pop.assisted.sum()),
            "; returns",
            total(off, "new_returns"),
            "->",
            total(ts, "new_returns"),
        )

    food = {"drought.schedule": [[12, 0.8], [40, 0.0]], "return_package.cash_per_person": 20.0}
    _, f0 = run({**food, "return_package.food_months": 0})
    _, f6 = run({**food, "return_package.food_months": 6})
    print(
        "7 food support after return 0 -> 6 months (drought months 12-40): re-displacements",
        total(f0, "redisplacements"),
        "->",
        total(f6, "redisplacements"),
    )

    aid = {"aid.monthly_budget": 200_000.0, "aid.pipeline_break_monthly": 0.0}
    ma, _ = run(aid)
    mb, _ = run({**aid, "peacekeeping.troops": 0, "peacekeeping.police": 0})
    mc, _ = run({**aid, "coordination.monthly_budget": 1e9})
    print(
        "8 aid lost to insecurity: default",
        stolen(ma),
        "; no peacekeepers",
        stolen(mb),
        "; coordination fully funded",
        stolen(mc),
    )
    war = {"conflict.intensity": 1.0}

    def early(over: dict[str, Any]) -> tuple[float, float]:
        m = ReturnModel(load(BASELINE, {"households.count": 5000, **war, **over}), rng=42)
        m.run_for(2)
        fled, cautious = m.pop.times_displaced > 0, m.pop.female_head | m.pop.older
        return round(float(fled[cautious].mean()), 4), round(float(fled[~cautious].mean()), 4)

    print(
        "9 journey caution 0 -> 0.8: fled in the first 2 months of war, households headed "
        "by a woman or with a member 60+ / others:",
        early({"decision.journey_caution": 0.0}),
        "->",
        early({}),
    )

    def school(over: dict[str, Any]) -> float:
        m = ReturnModel(
            load(
                BASELINE,
                {
                    "households.count": 5000,
                    "scenario.months": 48,
                    "conflict.schedule": [[0, 1.5], [12, 0.0]],
                    "education.start": 12,
                    "education.targets": ["north", "east", "south"],
                    **over,
                },
            ),
            rng=42,
        )
        m.run_for(12)
        away = np.isin(m.pop.status, (Status.INTERNALLY_DISPLACED, Status.REFUGEE))
        m.run()
        kids = away & m.pop.school_age
        return round(float((m.pop.status[kids] == Status.RETURNED).mean()), 4)

    for w in (0.0, 0.8):
        weight = {"decision.w_school_age": w}
        print(
            f"10 w_school_age {w}: families with a child 5-17 displaced at peace (month 12) "
            "home at month 48, education support at the origins USD 0 -> 100,000 a month:",
            school({**weight, "education.monthly_budget": 0.0}),
            "->",
            school({**weight, "education.monthly_budget": 1e5}),
        )

    papers = {"conflict.intensity": 1.5, "households.undocumented_share": 0.5}
    _, t0 = run({**papers, "decision.undocumented_trap": 0.0}, months=12)
    _, t1 = run(papers, months=12)
    print(
        "11 checkpoints block the undocumented (50% undocumented, war, 12 months): trapped",
        total(t0, "trapped"),
        "->",
        total(t1, "trapped"),
    )

    mw, _ = run({"conflict.intensity": 1.5}, months=24)
    fled = mw.pop.times_displaced > 0
    print(
        "12 family separation (war 1.5, 24 months): separated now",
        int(mw.pop.separated.sum()),
        "of",
        int(fled.sum()),
        "ever displaced households",
    )


if __name__ == "__main__":
    main()
