"""Paired figures for the behavioural mechanisms: one change on vs off, the same seed.

One printed line per mechanism (two or three where a test takes several seeds). Lines
1-12: the baseline scenario, 5,000 households x 60 months, seed 42, unless the line says
otherwise. Lines 13 on mirror the paired tests (named in a comment above each block) with
their overrides, scenario, size, seeds and outcome, stated in the line, so they print the
numbers whose direction those tests assert. Counts are at the scenario's stated population
(``households.population``; baseline and full_response: 100,000 persons, so 5,000
simulated households stand for 4 real ones each), where a test of unit accounting runs at
weight 1 (population 0) the line does not. About 30 seconds. Usage (from the repository):

    python scripts/lever_effects.py
"""

from __future__ import annotations

from typing import Any

import numpy as np

from returnsim import ReturnModel, Status, outcomes
from returnsim.demography import SPHERE_CMR
from returnsim.households import Housing
from returnsim.outcomes import headline
from returnsim.scenario import from_dict, load

BASELINE = "scenarios/baseline.toml"
SOMALIA = "scenarios/somalia.toml"


def run(
    over: dict[str, Any],
    *,
    path: str = BASELINE,
    months: int | None = 60,
    households: int | None = 5000,
    seed: int = 42,
) -> Any:
    """The model and its timeseries after a run with ``over`` (``months`` or ``households``
    None: the scenario's own)."""
    values = {"households.count": households, **over} if households else dict(over)
    if months:
        values["scenario.months"] = months
    model = ReturnModel(load(path, values), rng=seed)
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

    protection_lines()
    capacity_lines()
    health_lines()
    documents_and_hosts_lines()
    logistics_lines()
    state_lines()
    closure_lines()
    voluntariness_lines()
    people_lines()
    core_and_build_lines()
    need_shock_durable_lines()
    resettlement_lines()
    hosting_limit_lines()
    materials_and_travel_lines()
    fare_lines()


# ------------------------------------------------------------------------------------------
# Lines 13 on mirror the paired tests named above each block: the same overrides, sizes,
# seeds and outcome, so the figures are those whose direction the test asserts.

DISPLACED = (Status.INTERNALLY_DISPLACED, Status.REFUGEE)
BORDER = "scenarios/border_standoff.toml"
FULL = "scenarios/full_response.toml"
KIVU = "scenarios/drc_kivu.toml"
ORIGINS = ["north", "east", "south"]


def r4(x: float) -> float:
    return round(float(x), 4)


def model(over: dict[str, Any], *, seed: int, households: int, months: int) -> ReturnModel:
    """A fresh, unrun baseline model of ``households`` x ``months`` with ``over``."""
    values = {"households.count": households, "scenario.months": months, **over}
    return ReturnModel(load(BASELINE, values), rng=seed)


def protection_lines() -> None:
    # tests/test_protection_behaviour.py: baseline 3,000 households x 48 months, seed 42
    def threatened(over: dict[str, Any]) -> tuple[ReturnModel, int, float]:
        """The run; household-months under threat of households at specific risk (the
        test's sum); the share of them under threat at the end."""
        m = model(over, seed=42, households=3000, months=48)
        lever = m.levers["protection"]
        specific = m.pop.protection_risk | m.pop.female_head | m.pop.disability
        months = 0
        while m.running and m.steps < m.months:
            m.step()
            months += int((lever._at_risk() & specific).sum())
        return m, months, r4((lever._at_risk() & specific).sum() / specific.sum())

    off, exposed_off, end_off = threatened({})
    on, exposed_on, end_on = threatened({"protection.safe_accommodation": 300})
    print(
        "13 safe accommodation 0 -> 300 places (3,000 x 48, seed 42): households relocated",
        off.levers["protection"].summary()["relocated_households"],
        "->",
        on.levers["protection"].summary()["relocated_households"],
        "; household-months under threat of households at specific risk (protection risk, "
        "female head or disability)",
        exposed_off,
        "->",
        exposed_on,
        "; share of them under threat at month 48",
        end_off,
        "->",
        end_on,
    )

    services = {
        "protection.mediators": 40,
        "mhpss.mobile_teams": 20,
        "protection.legal_aid_monthly_budget": 20_000.0,
        "return_package.cash_per_person": 45.0,
        "return_package.documents_required": True,
        "households.undocumented_share": 0.4,
        "conflict.schedule": [[0, 1.5], [24, 0.0]],
    }
    for seed in (1, 2):
        pair = []
        for share in (0.0, 0.5):
            m = model(
                {**services, "protection.female_mediator_share": share},
                seed=seed,
                households=3000,
                months=48,
            )
            m.run()
            pair.append(m)
        men, mixed = pair
        f = men.pop.female_head
        seen = "female_headed_household_months_seen"
        print(
            f"14 women among 40 mediators 0 -> 50% (war to month 24, documents required, "
            f"3,000 x 48, seed {seed}): households unreached",
            int(men.pop.unreached.sum()),
            "->",
            int(mixed.pop.unreached.sum()),
            "; female-headed household-months seen by psychosocial teams",
            men.levers["mhpss"].summary()[seen],
            "->",
            mixed.levers["mhpss"].summary()[seen],
            "; female-headed households: mean trauma",
            r4(men.pop.trauma[f].mean()),
            "->",
            r4(mixed.pop.trauma[f].mean()),
            ", documented",
            r4(men.pop.documented[f].mean()),
            "->",
            r4(mixed.pop.documented[f].mean()),
            ", assisted returns",
            int(men.pop.assisted[f].sum()),
            "->",
            int(mixed.pop.assisted[f].sum()),
        )

    toff, _ = run({}, households=3000, months=48)
    ton, _ = run({"protection.tracing_monthly_budget": 5000.0}, households=3000, months=48)
    print(
        "15 family tracing USD 0 -> 5,000 a month (3,000 x 48, seed 42): separated households "
        "at the end",
        int(toff.pop.separated.sum()),
        "->",
        int(ton.pop.separated.sum()),
        "; reunited by tracing",
        toff.levers["protection"].summary()["families_reunited_by_tracing"],
        "->",
        ton.levers["protection"].summary()["families_reunited_by_tracing"],
    )


def capacity_lines() -> None:
    # tests/test_capacity.py: baseline 3,000 x 48, seed 1, war to month 12
    peace = {"conflict.schedule": [[0, 1.5], [12, 0.0]]}
    catchup = {
        "education.monthly_budget": 30_000.0,
        "education.enrolment_share": 0.0,
        "education.materials_share": 0.0,
        "education.start": 12,
        "education.end": 30,
        "education.targets": ORIGINS,
    }

    def schooling(m: ReturnModel) -> float:
        back = (m.pop.status == Status.RETURNED) & (m.pop.children > 0)
        return r4(m.places.education[m.pop.place[back]].mean())

    runs = {}
    for name, over in {
        "none": {},
        "dropped": {**catchup, "education.catchup_retention": 0.0},
        "kept": catchup,
    }.items():
        m = model({**peace, **over}, seed=1, households=3000, months=48)
        m.run()
        runs[name] = m
    o = [runs["kept"].places.index[n] for n in ORIGINS]
    print(
        "16 catch-up classes at the origins, months 12-30 (war to 12, 3,000 x 48, seed 1): "
        "schooling where returnee families with children live at month 48, no classes / "
        "classes, every child dropping out at course end / classes, children kept in school:",
        schooling(runs["none"]),
        "/",
        schooling(runs["dropped"]),
        "/",
        schooling(runs["kept"]),
        "; origins' base schooling (mean)",
        r4(runs["none"].places.base_education[o].mean()),
        "/",
        r4(runs["dropped"].places.base_education[o].mean()),
        "/",
        r4(runs["kept"].places.base_education[o].mean()),
        "; children kept in school",
        int((runs["kept"].pop.catchup_kept > 0).sum()),
    )

    def back_home(over: dict[str, Any], seed: int, households: int = 3000) -> tuple[float, float]:
        m = model({**peace, **over}, seed=seed, households=households, months=48)
        m.run_for(12)
        away = np.isin(m.pop.status, DISPLACED)
        m.run()
        home = m.pop.status == Status.RETURNED
        return float(home[away].mean()), float(home[away & m.pop.school_age].mean())

    without = [back_home({}, s)[1] for s in (1, 2, 3)]
    with_classes = [back_home(catchup, s)[1] for s in (1, 2, 3)]
    print(
        "17 catch-up classes (as 16): families with a child 5-17 displaced at peace (month 12) "
        "home at month 48, seeds 1-3:",
        [r4(x) for x in without],
        "->",
        [r4(x) for x in with_classes],
        "; mean",
        r4(np.mean(without)),
        "->",
        r4(np.mean(with_classes)),
    )

    rebuild = {"reconstruction.monthly_budget": 100_000.0, "reconstruction.end": 30}
    at = (30, 36, 54)

    def capacity(over: dict[str, Any]) -> tuple[ReturnModel, list[float]]:
        m = model(over, seed=1, households=3000, months=max(at))
        lever = m.levers["reconstruction"]
        o = np.flatnonzero(m.places.origin_share > 0)
        out = []
        for month in at:
            m.run_for(month - m.steps)
            out.append(r4(lever.capacity[o].mean()))
        return m, out

    ended, slow = capacity(rebuild)
    _, funded = capacity({**rebuild, "reconstruction.end": 60})
    sudden, fast = capacity({**rebuild, "reconstruction.governance_decay": 1.0})
    o = np.flatnonzero(ended.places.origin_share > 0)
    print(
        "18 administration capacity (reconstruction USD 100,000 a month funded to month 30, "
        "3,000 households, seed 1): origins' mean capacity at months 30 / 36 / 54, baseline 0.2,"
        " decay 1 (back at once) -> default decay:",
        fast,
        "->",
        slow,
        "; funded to 60:",
        funded,
        "; at month 54, services the administration keeps running",
        r4(sudden.levers["reconstruction"].governance_services[o].mean()),
        "->",
        r4(ended.levers["reconstruction"].governance_services[o].mean()),
        ", origins' services",
        r4(sudden.places.services[o].mean()),
        "->",
        r4(ended.places.services[o].mean()),
    )

    admin = {
        "reconstruction.monthly_budget": 45_000.0,
        "reconstruction.start": 12,
        **{f"reconstruction.{k}_share": 0.0 for k in ("housing", "health_post", "school")},
        "reconstruction.water_point_share": 0.0,
        "reconstruction.governance_share": 1.0,
    }
    gain = {
        g: [
            back_home({**admin, "reconstruction.governance_services_gain": g}, s, 8000)[0]
            for s in (1, 2, 3)
        ]
        for g in (0.0, 0.3)
    }
    print(
        "19 services run by the administration, gain 0 -> 0.3 (all of USD 45,000 a month on "
        "administration from month 12, war to 12, 8,000 x 48): share of the month-12 "
        "displaced home at month 48, seeds 1-3:",
        [r4(x) for x in gain[0.0]],
        "->",
        [r4(x) for x in gain[0.3]],
        "; mean",
        r4(np.mean(gain[0.0])),
        "->",
        r4(np.mean(gain[0.3])),
    )

    # tests/test_levers_behaviour.py::test_skills_from_vocational_training_raise_savings_...
    training = {
        "livelihood.monthly_budget": 100_000.0,
        "livelihood.training_share": 1.0,
        "livelihood.employment_share": 0.0,
        "livelihood.loan_share": 0.0,
        "conflict.schedule": [[0, 1.5], [12, 0.0]],
    }
    assets, returns, unable = {}, {}, {}
    for g in (0.0, 0.6):
        runs3 = [
            run(
                {**training, "livelihood.training_skill_gain": g},
                households=3000,
                months=48,
                seed=s,
            )
            for s in (1, 2, 3)
        ]
        assets[g] = round(sum(float(m.pop.assets.mean()) for m, _ in runs3), 1)
        returns[g] = sum(total(ts, "new_returns") for _, ts in runs3)
        unable[g] = sum(total(ts, "unable_to_return") for _, ts in runs3)
    print(
        "20 vocational training skill gain 0 -> 0.6 (USD 100,000 a month, all training, war "
        "to 12, 3,000 x 48), seeds 1-3 summed: mean savings USD",
        assets[0.0],
        "->",
        assets[0.6],
        "; could not pay the journey home",
        unable[0.0],
        "->",
        unable[0.6],
        "; returns",
        returns[0.0],
        "->",
        returns[0.6],
    )


def health_lines() -> None:
    # tests/test_demography.py: baseline 3,000 x 24
    def deaths(ts: Any) -> int:
        return int(ts[[c for c in ts if c.startswith("deaths_") and "_in_" not in c]].sum().sum())

    care = {"health.clinic_coverage": 0.9, "health.wash_coverage": 0.9}
    cmr, dead = {}, {}
    for seed in (1, 2):
        for label, over in (("bare", {}), ("served", care)):
            _, ts = run(over, households=3000, months=24, seed=seed)
            cmr[label, seed] = round(float(ts["cmr_camps"].iloc[1:18].mean()), 2)
            dead[label, seed] = deaths(ts)
    print(
        f"21 clinics and water and sanitation 0 -> 0.9 coverage (3,000 x 24), seeds 1 / 2: "
        f"camps crude mortality over the war months 1-17 per 10,000 a day (Sphere "
        f"{SPHERE_CMR}) {cmr['bare', 1]} / {cmr['bare', 2]} -> {cmr['served', 1]} / "
        f"{cmr['served', 2]}; deaths {dead['bare', 1]} / {dead['bare', 2]} -> "
        f"{dead['served', 1]} / {dead['served', 2]}"
    )

    disease = {}
    for arm in ("none", "health.clinic_coverage", "health.wash_coverage"):
        over = {} if arm == "none" else {arm: 0.9}
        disease[arm] = [
            total(run(over, households=3000, months=24, seed=s)[1], "deaths_disease")
            for s in (1, 2)
        ]
    print(
        "22 each health arm alone at 0.9 coverage (3,000 x 24), deaths from disease, seeds "
        "1 / 2: none",
        disease["none"],
        "; clinics",
        disease["health.clinic_coverage"],
        "; water and sanitation",
        disease["health.wash_coverage"],
    )

    outbreaks = {"demography.measles_onset": 1.0, "demography.cholera_onset": 0.0}
    measles, vaccinated = {}, []
    for seed in (1, 2):
        off, _ = run(outbreaks, households=3000, months=24, seed=seed)
        on, _ = run(
            {**outbreaks, "health.vaccination_coverage": 0.9}, households=3000, months=24, seed=seed
        )
        measles[seed] = (int(off.demography.deaths[3].sum()), int(on.demography.deaths[3].sum()))
        vaccinated.append(on.levers["health"].children_vaccinated)
    print(
        "23 measles vaccination 0 -> 0.9 (a measles outbreak wherever one can start, no "
        "cholera, 3,000 x 24): outbreak deaths, seeds 1 / 2:",
        f"{measles[1][0]} / {measles[2][0]} -> {measles[1][1]} / {measles[2][1]}",
        "; children vaccinated",
        vaccinated,
    )

    cholera = {"demography.cholera_onset": 0.3, "demography.measles_onset": 0.0}
    started = [
        run({**cholera, **over}, households=3000, months=36, seed=3)[0].demography.outbreaks[
            "cholera"
        ]
        for over in ({}, {"health.wash_coverage": 1.0})
    ]
    print(
        "24 water and sanitation 0 -> 1.0 coverage (cholera onset 0.3, 3,000 x 36, seed 3): "
        "cholera outbreaks",
        started[0],
        "->",
        started[1],
    )


def documents_and_hosts_lines() -> None:
    # tests/test_documents_trust.py: full response and DRC Kivu, 4,000 x 60, seeds 42 and 7
    no_aid = {"protection.legal_aid_monthly_budget": 0.0}
    for seed in (42, 7):

        def redisplaced(over: dict[str, Any], seed: int = seed) -> int:
            m, _ = run(over, path=FULL, households=4000, months=60, seed=seed)
            return headline(m)["redisplacements_total"]

        by_gap = [redisplaced({**no_aid, "decision.undocumented_gap": g}) for g in (0.0, 0.1, 0.2)]
        print(
            f"25 returnees without documents short of services (full response, 4,000 x 60, "
            f"seed {seed}): re-displacements without legal aid, undocumented gap 0 / 0.1 / 0.2:",
            " / ".join(map(str, by_gap)),
            "; at the default gap 0.1, legal aid without -> with (the scenario's):",
            by_gap[1],
            "->",
            redisplaced({}),
        )
    for seed in (42, 7):
        restored = [
            run({"protection.hlp_min_trust": t}, path=KIVU, households=4000, months=60, seed=seed)[
                0
            ]
            .levers["protection"]
            .homes_restored
            for t in (0.0, 0.3, 0.6)
        ]
        print(
            f"26 trust needed to bring a housing, land and property claim 0 / 0.3 / 0.6 (DRC "
            f"Kivu, 4,000 x 60, seed {seed}): homes restored",
            " / ".join(map(str, restored)),
        )

    # tests/test_hosts.py: baseline 3,000 x 60, seeds 1 and 2
    def hosting(over: dict[str, Any], seed: int) -> tuple[ReturnModel, dict[str, int]]:
        m, ts = run(over, households=3000, months=60, seed=seed)
        capital = m.places.index["capital"]
        return m, {
            "settlements": total(ts, "settlements"),
            "at capital": int((m.pop.place == capital).sum()),
            "returns": total(ts, "new_returns"),
        }

    for seed in (1, 2):
        many = hosting({"places.capital.residents": 10_000}, seed)[1]
        few = hosting({"places.capital.residents": 300}, seed)[1]
        print(
            f"27 host fatigue: resident households at the capital 10,000 -> 300 (3,000 x 60, "
            f"seed {seed}):",
            " ; ".join(f"{k} {many[k]} -> {few[k]}" for k in many),
        )
    for seed in (1, 2):
        over = {"places.capital.residents": 300, "aid.monthly_budget": 1e7}
        mt, targeted = hosting(over, seed)
        ma, area = hosting({**over, "aid.area_based": True}, seed)
        print(
            f"28 area-based aid, targeted -> serving residents too (300 resident households at "
            f"the capital, aid USD 10 million a month, 3,000 x 60, seed {seed}): aid spent USD",
            int(mt.levers["aid"].spent_total),
            "->",
            int(ma.levers["aid"].spent_total),
            "; settlements",
            targeted["settlements"],
            "->",
            area["settlements"],
            "; at the capital",
            targeted["at capital"],
            "->",
            area["at capital"],
        )


def logistics_lines() -> None:
    # tests/test_logistics.py: baseline 2,000 x 36, 30% displaced at the start
    size = {"households.count": 2000, "scenario.months": 36, "households.initial_idp_share": 0.3}
    ample = {"aid.monthly_budget": 1e8}

    def haul(over: dict[str, Any], *, km: float = 1.0, terrain: float = 1.0, seed: int = 42) -> Any:
        raw = load(BASELINE, {**size, **over}).to_dict()
        for r in raw["routes"]:
            r["km"] *= km
            r["terrain"] = terrain
        m = ReturnModel(from_dict(raw, source="<lever_effects>"), rng=seed)
        m.run()
        return m.levers["aid"]

    for seed in (42, 7):
        spent = [
            int(haul(ample, seed=seed, **kw).spent_total)
            for kw in ({}, {"km": 3.0}, {"terrain": 3.0})
        ]
        flat = haul({**ample, "logistics.cost_per_tonne_km": 0.0}, terrain=3.0, seed=seed)
        print(
            f"29 haulage (aid unlimited, 2,000 x 36, seed {seed}): aid spent USD, roads as they "
            f"are / 3 x longer / terrain 3:",
            " / ".join(map(str, spent)),
            "; haulage at no cost per tonne-km (terrain 3) USD",
            int(flat.haulage_total),
        )
    for seed in (42, 7):
        good = haul({"aid.monthly_budget": 150_000.0}, seed=seed)
        bad = haul({"aid.monthly_budget": 150_000.0}, terrain=5.0, seed=seed)
        print(
            f"30 bad roads (terrain 1 -> 5) on a fixed aid budget of USD 150,000 a month "
            f"(2,000 x 36, seed {seed}): haulage USD",
            int(good.haulage_total),
            "->",
            int(bad.haulage_total),
            "; value of the baskets delivered USD",
            int(good.delivered_total),
            "->",
            int(bad.delivered_total),
        )
    war = {**ample, "conflict.intensity": 1.5}
    print(
        "31 insecurity premium on haulage 0 -> default (war 1.5, aid unlimited, 2,000 x 36, "
        "seed 42): haulage USD",
        int(haul({**war, "logistics.insecurity_premium": 0.0}).haulage_total),
        "->",
        int(haul(war).haulage_total),
    )

    raw = load(BASELINE, {**size, **ample}).to_dict()
    for r in raw["routes"]:
        if "camp" in (r["from"], r["to"]):
            r["open"] = [[0, 0], [18, 1]]
    m = ReturnModel(from_dict(raw, source="<lever_effects>"), rng=42)
    camp = m.places.index["camp"]
    cover = []
    for _ in range(24):
        m.step()
        cover.append(float(m.places.aid_coverage[camp]))
    print(
        "32 every road to the camp closed until month 18 (aid unlimited, 2,000 x 36 run 24 months, "
        "seed 42): "
        "the camp's highest aid coverage in months 1-16",
        r4(max(cover[:16])),
        "; in months 19-24",
        r4(max(cover[18:])),
        "; persons in the camp at month 24",
        int(m.tally.persons[camp]),
    )


def state_lines() -> None:
    # tests/test_state.py: no pipeline breaks (a month without aid is one without access)
    nobreak = {"aid.pipeline_break_monthly": 0.0}
    for seed in (1, 2):
        aid = {}
        for label, over in (
            ("open", {"state.refusal_months": 0}),
            ("refused", {}),
            ("agreement", {"state.preparedness_agreement": True}),
        ):
            _, ts = run({**nobreak, **over}, path=BORDER, households=None, months=None, seed=seed)
            aid[label] = [int(x) for x in ts["spending_aid"].iloc[1:4]]
        m0, _ = run(
            {**nobreak, "state.refusal_months": 0},
            path=BORDER,
            households=None,
            months=3,
            seed=seed,
        )
        m1, _ = run(nobreak, path=BORDER, households=None, months=3, seed=seed)
        zone = m0.places.index["border_zone"]
        there = (m0.pop.place == zone) & (m1.pop.place == zone)
        print(
            f"33 the host state refuses access 0 -> 2 months (border standoff, seed {seed}): "
            f"aid spent USD in months 1 / 2 / 3, access open",
            aid["open"],
            "; refused (the scenario)",
            aid["refused"],
            "; refused, preparedness agreement",
            aid["agreement"],
            f"; mean savings USD at month 3 of the {int(there.sum())} households in the border "
            f"zone in both",
            round(float(m0.pop.assets[there].mean()), 1),
            "->",
            round(float(m1.pop.assets[there].mean()), 1),
        )

    # (this test keeps the scenario's pipeline breaks)
    over = {"households.count": 2000, "scenario.months": 24, "aid.monthly_budget": 2e5}
    m = ReturnModel(load(BASELINE, {**over, "state.home_access": [[0, 0], [12, 1]]}), rng=1)
    home, abroad = [], []
    for _ in range(24):
        m.step()
        home.append(float(m.places.aid_coverage[~m.places.abroad].max()))
        abroad.append(float(m.places.aid_coverage[m.places.abroad].max()))
    print(
        "34 the home government refuses access until month 12 (aid USD 200,000 a month, "
        "2,000 x 24, seed 1): highest aid coverage at home, months 1-11",
        r4(max(home[:11])),
        ", months 13-24",
        r4(max(home[12:])),
        "; abroad, months 1-11",
        r4(max(abroad[:11])),
    )

    organised = {
        **nobreak,
        "conflict.schedule": [[0, 1.0], [6, 0.05]],
        "return_package.transport_per_person": 30.0,
        "return_package.monthly_budget": 5e4,
    }
    _, t0 = run(organised, households=2000, months=36, seed=1)
    _, t1 = run(
        {**organised, "state.return_operations": [[0, 0], [24, 1]]},
        households=2000,
        months=36,
        seed=1,
    )
    print(
        "35 the home government's consent to organised return from the start -> from month 24 "
        "(transport USD 30 a person, peace from month 6, 2,000 x 36, seed 1): returns in "
        "months 0-23",
        int(t0["new_returns"][:24].sum()),
        "->",
        int(t1["new_returns"][:24].sum()),
        "; return packages spent USD in months 0-23",
        int(t0["spending_return_package"][:24].sum()),
        "->",
        int(t1["spending_return_package"][:24].sum()),
    )

    _, k0 = run(nobreak, households=2000, months=48, seed=1)
    _, k1 = run({**nobreak, "state.mission_consent": [[30, 0]]}, households=2000, months=48, seed=1)
    print(
        "36 the host state withdraws consent to the mission at month 30 (2,000 x 48, seed 1): "
        "troops deployed at month 31",
        int(k0["troops_deployed"].iloc[31]),
        "->",
        int(k1["troops_deployed"].iloc[31]),
        "; violence after month 30",
        round(float(k0["violence"][31:].sum()), 1),
        "->",
        round(float(k1["violence"][31:].sum()), 1),
        "; new displacements after month 30",
        int(k0["new_displacements"][31:].sum()),
        "->",
        int(k1["new_displacements"][31:].sum()),
    )


def closure_lines() -> None:
    # tests/test_closures.py: baseline 3,000 x 36, households' places read month by month
    size = {"households.count": 3000, "scenario.months": 36}

    def moves(over: dict[str, Any], *, spec: Any = None, seed: int = 42) -> Any:
        m = ReturnModel(spec or load(BASELINE, {**size, **over}), rng=seed)
        where = [m.pop.place.copy()]
        while m.running:
            m.step()
            where.append(m.pop.place.copy())
        return m, np.array(where)

    def crossings(m: ReturnModel, where: np.ndarray, into_abroad: bool) -> np.ndarray:
        abroad = m.places.abroad[where]
        crossed = (~abroad[:-1] & abroad[1:]) if into_abroad else (abroad[:-1] & ~abroad[1:])
        return np.concatenate([[0], crossed.sum(axis=1)])

    for seed in (42, 7):
        m0, w0 = moves({}, seed=seed)
        m1, w1 = moves({"borders.entry": [[6, 0], [18, 1]]}, seed=seed)
        into0, into1 = crossings(m0, w0, True), crossings(m1, w1, True)
        print(
            f"37 border closed to arrivals in months 6-17 (3,000 x 36, seed {seed}): crossings "
            f"abroad in months 0-5",
            int(into0[:6].sum()),
            "->",
            int(into1[:6].sum()),
            ", 6-17",
            int(into0[6:18].sum()),
            "->",
            int(into1[6:18].sum()),
            ", 18-36",
            int(into0[18:].sum()),
            "->",
            int(into1[18:].sum()),
            "; crossings home in months 6-17",
            int(crossings(m0, w0, False)[6:18].sum()),
            "->",
            int(crossings(m1, w1, False)[6:18].sum()),
        )
    for seed in (42, 7):
        m0, w0 = moves({}, seed=seed)
        m1, w1 = moves({"borders.exit": [[12, 0]]}, seed=seed)
        print(
            f"38 border closed to exits from month 12 (3,000 x 36, seed {seed}): crossings "
            f"home from month 12",
            int(crossings(m0, w0, False)[12:].sum()),
            "->",
            int(crossings(m1, w1, False)[12:].sum()),
            "; refugees at the end",
            m0.count(Status.REFUGEE),
            "->",
            m1.count(Status.REFUGEE),
        )

    m0, w0 = moves({})
    _, w1 = moves({"places.camp.open": [[0, 0], [12, 1]]})
    camp, capital = m0.places.index["camp"], m0.places.index["capital"]

    def arrivals(where: np.ndarray) -> np.ndarray:
        return np.concatenate([[0], ((where[1:] == camp) & (where[:-1] != camp)).sum(axis=1)])

    print(
        "39 the camp opens at month 12, not at the start (3,000 x 36, seed 42): arrivals at "
        "the camp in months 0-11",
        int(arrivals(w0)[:12].sum()),
        "->",
        int(arrivals(w1)[:12].sum()),
        ", from month 12",
        int(arrivals(w0)[12:].sum()),
        "->",
        int(arrivals(w1)[12:].sum()),
        "; households at the capital at month 12",
        int((w0[12] == capital).sum()),
        "->",
        int((w1[12] == capital).sum()),
    )

    raw = load(BASELINE, size).to_dict()
    for r in raw["routes"]:
        if {r["from"], r["to"]} == {"north", "camp"}:
            r["open"] = [[0, 0], [24, 1]]
    _, w1 = moves({}, spec=from_dict(raw, source="<lever_effects>"))
    north = m0.places.index["north"]

    def flights(where: np.ndarray) -> np.ndarray:
        return np.concatenate([[0], ((where[:-1] == north) & (where[1:] == camp)).sum(axis=1)])

    print(
        "40 the road north - camp closed until month 24 (3,000 x 36, seed 42): moves from the "
        "north to the camp in months 0-23",
        int(flights(w0)[:24].sum()),
        "->",
        int(flights(w1)[:24].sum()),
        ", from month 24",
        int(flights(w0)[24:].sum()),
        "->",
        int(flights(w1)[24:].sum()),
    )


def voluntariness_lines() -> None:
    # tests/test_voluntariness.py
    peace = {"conflict.schedule": [[0, 1.0], [12, 0.05]]}
    closure = {"camps.capacity": [[30, 0.01]], "camps.assistance": [[30, 0.2]]}
    for seed in (1, 2):
        m0, free = run(peace, households=3000, months=48, seed=seed)
        m1, closed = run({**peace, **closure}, households=3000, months=48, seed=seed)

        def chosen(ts: Any) -> int:
            return int((ts["new_returns"][30:] + ts["returns_elsewhere"][30:]).sum())

        print(
            f"41 camps closed and assistance cut to 20% at month 30 (peace from month 12, "
            f"3,000 x 48, seed {seed}): induced returns",
            total(free, "induced_returns"),
            "->",
            total(closed, "induced_returns"),
            "(before month 30:",
            int(closed["induced_returns"][:30].sum()),
            "); returns home or elsewhere from month 30",
            chosen(free),
            "->",
            chosen(closed),
            "; voluntary share of returns",
            r4(headline(m0)["voluntary_return_share"]),
            "->",
            r4(headline(m1)["voluntary_return_share"]),
        )
    for seed in (1, 2):
        d0, ts0 = run({}, path=BORDER, households=1200, months=12, seed=seed)
        d1, ts1 = run(
            {"deportation.schedule": [[4, 0.1]]}, path=BORDER, households=1200, months=12, seed=seed
        )
        print(
            f"42 deportation of 10% a month from month 4 (border standoff, 1,200 x 12, seed "
            f"{seed}): forced returns",
            total(ts0, "forced_returns"),
            "->",
            total(ts1, "forced_returns"),
            "(before month 4:",
            int(ts1["forced_returns"][:4].sum()),
            "); refugees at the end",
            int(ts0["refugees"].iloc[-1]),
            "->",
            int(ts1["refugees"].iloc[-1]),
            "; chosen returns",
            total(ts0, "new_returns"),
            "->",
            total(ts1, "new_returns"),
            "; households home (returned)",
            int((d0.pop.status == Status.RETURNED).sum()),
            "->",
            int((d1.pop.status == Status.RETURNED).sum()),
        )

    over = {"households.count": 1200, "scenario.months": 12}
    pushed = ReturnModel(load(BORDER, {**over, "places.reception.pushback": [[0, 1.0]]}), rng=1)
    free = ReturnModel(load(BORDER, {**over, "places.reception.pushback": [[0, 0.0]]}), rng=1)
    at = pushed.places.index["reception"]
    kept = let_in = 0
    for _ in range(12):
        before, before_free = pushed.pop.place == at, free.pop.place == at
        pushed.step()
        free.step()
        kept += int(((pushed.pop.place == at) & ~before).sum())
        let_in += int(((free.pop.place == at) & ~before_free).sum())
    print(
        "43 full pushback at reception 0 -> 1 (border standoff, 1,200 x 12, seed 1): arrivals "
        "let in",
        let_in,
        "->",
        kept,
        "; pushbacks",
        total(free.datacollector.get_model_vars_dataframe(), "pushbacks"),
        "->",
        total(pushed.datacollector.get_model_vars_dataframe(), "pushbacks"),
    )


def people_lines() -> None:
    # tests/test_levers_behaviour.py::test_fleeing_violence_leaves_trauma: 3,000 x 12, seed 42
    m0, _ = run({"decision.flight_trauma": 0.0}, households=3000, months=12)
    m1, _ = run({}, households=3000, months=12)
    fled = m1.pop.times_displaced > 0
    print(
        "44 trauma of flight 0 -> default (3,000 x 12, seed 42): mean trauma of the households "
        "that fled",
        r4(m0.pop.trauma[fled].mean()),
        "->",
        r4(m1.pop.trauma[fled].mean()),
    )

    # tests/test_levers_people.py: baseline 3,000 x 48 with occupied and destroyed homes
    small = {
        "households.population": 0,
        "households.count": 3000,
        "scenario.months": 48,
        "places.north.housing_occupied": 0.4,
        "places.east.housing_occupied": 0.3,
        "places.north.housing_damage": 0.3,
    }

    def people(over: dict[str, Any], seed: int) -> ReturnModel:
        return ReturnModel(load(BASELINE, {**small, **over}), rng=seed)

    def trace(over: dict[str, Any], seed: int, record: Any) -> tuple[ReturnModel, list[Any]]:
        m = people(over, seed)
        out = []
        for _ in range(48):
            m.step()
            out.append(record(m))
        return m, out

    def ran(over: dict[str, Any], seed: int) -> tuple[ReturnModel, Any]:
        m = people(over, seed)
        m.run()
        return m, m.datacollector.get_model_vars_dataframe()

    reconcile = {"reconciliation.monthly_budget": 60_000.0}
    for seed in (1, 2):

        def record(m: ReturnModel) -> tuple[float, float]:
            cohesion = float(m.places.cohesion[m.places.origins].mean())
            return cohesion, float(m.levers["reconciliation"].disputes.sum())

        _, rows0 = trace({}, seed, record)
        _, rows1 = trace({**reconcile, "reconciliation.end": 30}, seed, record)
        print(
            f"45 reconciliation USD 60,000 a month to month 30 (3,000 x 48, seed {seed}): "
            f"origins' mean cohesion at month 30",
            r4(rows0[29][0]),
            "->",
            r4(rows1[29][0]),
            ", at month 48",
            r4(rows0[-1][0]),
            "->",
            r4(rows1[-1][0]),
            "; land disputes",
            round(sum(r[1] for r in rows0), 1),
            "->",
            round(sum(r[1] for r in rows1), 1),
        )
    training = {
        **reconcile,
        "reconciliation.dialogue_effect": 0.0,
        "reconciliation.trust_effect": 0.0,
    }
    d0, _ = ran({}, 3)
    d1, _ = ran(training, 3)
    print(
        "46 dispute-resolution training alone (reconciliation with no dialogue or trust "
        "effect, 3,000 x 48, seed 3): land disputes",
        round(d0.levers["reconciliation"].disputes_total, 1),
        "->",
        round(d1.levers["reconciliation"].disputes_total, 1),
    )
    t0, _ = ran({}, 4)
    t1, _ = ran({**reconcile, "reconciliation.targets": ["north"]}, 4)
    north = t1.places.index["north"]
    there = (t0.pop.place == north) & (t1.pop.place == north)
    print(
        "47 reconciliation in the north (USD 60,000 a month, 3,000 x 48, seed 4): mean trust "
        "of the households in the north in both runs",
        r4(t0.pop.trust[there].mean()),
        "->",
        r4(t1.pop.trust[there].mean()),
    )
    for seed in (1, 2):
        l0, _ = ran({}, seed)
        l1, _ = ran({"protection.legal_aid_monthly_budget": 20_000.0}, seed)
        print(
            f"48 legal aid USD 0 -> 20,000 a month (north and east homes occupied, 3,000 x 48, "
            f"seed {seed}): documented share",
            r4(l0.pop.documented.mean()),
            "->",
            r4(l1.pop.documented.mean()),
            "; households whose home is occupied",
            int((l0.pop.housing == Housing.OCCUPIED).sum()),
            "->",
            int((l1.pop.housing == Housing.OCCUPIED).sum()),
            "; homes restored",
            l0.levers["protection"].homes_restored,
            "->",
            l1.levers["protection"].homes_restored,
        )

    shelter = {"protection.safe_accommodation": 200, "protection.monitoring": True}
    p0, trauma0 = trace({}, 6, lambda m: m.pop.trauma.copy())
    p1, trauma1 = trace(shelter, 6, lambda m: m.pop.trauma.copy())
    at_risk = p1.pop.protection_risk | p1.pop.female_head | p1.pop.disability
    peak = int(np.argmax([t[at_risk].mean() for t in trauma0]))
    print(
        f"49 safe accommodation 200 places and protection monitoring (3,000 x 48, seed 6): mean "
        f"trauma of households at specific risk at month {peak + 1} (their peak without)",
        r4(trauma0[peak][at_risk].mean()),
        "->",
        r4(trauma1[peak][at_risk].mean()),
        "; mean trauma of all at month 48",
        r4(p0.pop.trauma.mean()),
        "->",
        r4(p1.pop.trauma.mean()),
    )

    c0, _ = ran({}, 7)
    c1, _ = ran({"protection.mediators": 30}, 7)
    rise = [r4((m.places.cohesion - m.places.scenario_cohesion).mean()) for m in (c0, c1)]
    print(
        "50 mediators 0 -> 30 (3,000 x 48, seed 7): places' mean cohesion above their scenario "
        "value at month 48",
        rise[0],
        "->",
        rise[1],
        "; places with cohesion raised",
        int((c0.places.cohesion > c0.places.scenario_cohesion).sum()),
        "->",
        int((c1.places.cohesion > c1.places.scenario_cohesion).sum()),
        "of",
        c1.places.n,
    )
    for seed in (1, 2):
        h0, _ = ran({}, seed)
        h1, served = trace(
            {"mhpss.mobile_teams": 4}, seed, lambda m: m.levers["mhpss"].served.copy()
        )
        ever = np.unique(np.concatenate(served))
        print(
            f"51 psychosocial teams 0 -> 4 (3,000 x 48, seed {seed}): mean trauma at month 48 of "
            f"the {len(ever)} households ever seen",
            r4(h0.pop.trauma[ever].mean()),
            "->",
            r4(h1.pop.trauma[ever].mean()),
            "; of all",
            r4(h0.pop.trauma.mean()),
            "->",
            r4(h1.pop.trauma.mean()),
        )

    v0 = people({}, 9)
    v1 = people({"information.visits_per_month": 200, "information.start": 22}, 9)
    for _ in range(22):
        v0.step()
        v1.step()
    visitors = v1.levers["information"].visitors

    def belief_error(m: ReturnModel) -> float:
        truth = m.places.security[m.pop.origin[visitors]]
        return r4(np.abs(m.pop.belief_security[visitors] - truth).mean())

    print(
        f"52 go-and-see visits 0 -> 200 a month from month 22 (3,000 x 48, seed 9): error of "
        f"the {len(visitors)} visitors' belief about security at home at month 22",
        belief_error(v0),
        "->",
        belief_error(v1),
    )
    for label, lever in (
        ("go-and-see visits 200 a month", {"information.visits_per_month": 200}),
        ("information campaign", {"information.campaign": True}),
    ):
        off = [total(ran({}, s)[1], "new_returns") for s in (1, 2, 3)]
        on = [
            total(ran({**lever, "information.start": 20}, s)[1], "new_returns") for s in (1, 2, 3)
        ]
        print(
            f"53 {label} from month 20 (3,000 x 48): returns, seeds 1-3",
            off,
            "->",
            on,
            "; summed",
            sum(off),
            "->",
            sum(on),
        )


def core_and_build_lines() -> None:
    # tests/test_levers_core.py: baseline 3,000 x 48, seed 3
    returning = {
        "households.initial_idp_share": 0.6,
        "households.initial_refugee_share": 0.2,
        "conflict.schedule": [[0, 1.0], [4, 0.05]],
    }

    def core(over: dict[str, Any]) -> tuple[ReturnModel, Any]:
        return run(over, households=3000, months=48, seed=3)

    closed = {**returning, "demography.on": False}
    _, off = core(closed)
    _, on = core(
        {**closed, "return_package.cash_per_person": 45.0, "return_package.food_months": 3}
    )
    print(
        "54 return package USD 45 a person and 3 months of food (80% displaced at the start, "
        "peace from month 4, no births or deaths, 3,000 x 48, seed 3): returns",
        total(off, "new_returns"),
        "->",
        total(on, "new_returns"),
        "; could not pay the journey home",
        total(off, "unable_to_return"),
        "->",
        total(on, "unable_to_return"),
        "; intending to return",
        total(off, "intending_return"),
        "->",
        total(on, "intending_return"),
    )
    base = {**returning, "return_package.cash_per_person": 1.0}
    _, off = core(base)
    _, on = core({**base, "return_package.escorts": True, "return_package.escort_relief": 0.3})
    print(
        "55 escorted convoys, relief 0.3 (as 54 with births and deaths, USD 1 a person): "
        "household-months intending to return",
        total(off, "intending_return"),
        "->",
        total(on, "intending_return"),
    )
    a0, _ = core({})
    a1, _ = core({"aid.monthly_budget": 500_000.0, "aid.pipeline_break_monthly": 0.0})
    away = np.isin(a0.pop.status, DISPLACED) & np.isin(a1.pop.status, DISPLACED)
    print(
        "56 aid USD 0 -> 500,000 a month (3,000 x 48, seed 3): mean savings USD of those "
        "displaced at the end in both",
        round(float(a0.pop.assets[away].mean()), 1),
        "->",
        round(float(a1.pop.assets[away].mean()), 1),
    )
    common = {"aid.monthly_budget": 200_000.0, "aid.pipeline_break_monthly": 0.0}

    def loss(m: ReturnModel) -> float:
        aid = m.levers["aid"]
        return r4(aid.lost_total / (aid.lost_total + aid.delivered_total))

    print(
        "57 aid lost (USD 200,000 a month, 3,000 x 48, seed 3): conflict 0.2",
        loss(core({**common, "conflict.intensity": 0.2})[0]),
        "; conflict 2.0",
        loss(core({**common, "conflict.intensity": 2.0})[0]),
        "; conflict 2.0, coordination baseline 0.9",
        loss(core({**common, "conflict.intensity": 2.0, "coordination.baseline": 0.9})[0]),
    )
    war = {"peacekeeping.troops": 0, "decision.trapped_share": 0.4}
    _, off = core(war)
    _, on = core({**war, "peacekeeping.corridors": ORIGINS})
    print(
        "58 humanitarian corridors from the origins (no troops, trapped share 0.4, 3,000 x 48, "
        "seed 3): trapped",
        total(off, "trapped"),
        "->",
        total(on, "trapped"),
    )

    # tests/test_levers_build.py: baseline 3,000 x 48, seed 1
    def build(over: dict[str, Any], months: int = 48) -> tuple[ReturnModel, Any]:
        return run(over, households=3000, months=months, seed=1)

    b0, ts0 = build({})
    b1, ts1 = build({"reconstruction.monthly_budget": 100_000.0})
    o = b1.places.origins
    print(
        "59 reconstruction USD 100,000 a month (3,000 x 48, seed 1): destroyed homes",
        int((b0.pop.housing == Housing.DESTROYED).sum()),
        "->",
        int((b1.pop.housing == Housing.DESTROYED).sum()),
        "; origins' base services (mean)",
        r4(b0.places.base_services[o].mean()),
        "->",
        r4(b1.places.base_services[o].mean()),
        "; base schooling",
        r4(b0.places.base_education[o].mean()),
        "->",
        r4(b1.places.base_education[o].mean()),
        "; mean services at month 48",
        r4(ts0["mean_services"].iloc[-1]),
        "->",
        r4(ts1["mean_services"].iloc[-1]),
    )
    weak = build(
        {"reconstruction.monthly_budget": 100_000.0, "reconstruction.governance_share": 0.0}
    )[0]
    strong = build(
        {"reconstruction.monthly_budget": 100_000.0, "reconstruction.governance_share": 0.3}
    )[0]
    failed = [
        r4(m.levers["reconstruction"].houses_failed / m.levers["reconstruction"].houses_started)
        for m in (weak, strong)
    ]
    print(
        "60 governance share of reconstruction 0 -> 0.3 (USD 100,000 a month, 3,000 x 48, "
        "seed 1): share of houses started that failed",
        failed[0],
        "->",
        failed[1],
    )
    l1, lts = build({"livelihood.monthly_budget": 30_000.0})
    served = l1.levers["livelihood"].served
    print(
        f"61 livelihood USD 30,000 a month (3,000 x 48, seed 1): mean skills of the "
        f"{int(served.sum())} participants",
        r4(b0.pop.skills[served].mean()),
        "->",
        r4(l1.pop.skills[served].mean()),
        "; places' mean livelihood from month 12",
        r4(ts0["mean_livelihood"].iloc[12:].mean()),
        "->",
        r4(lts["mean_livelihood"].iloc[12:].mean()),
    )

    def boost_path(halflife: float) -> list[float]:
        m = model(
            {
                "livelihood.monthly_budget": 30_000.0,
                "livelihood.end": 12,
                "livelihood.boost_halflife_months": halflife,
            },
            seed=1,
            households=3000,
            months=96,
        )
        out = []
        for month in (24, 60, 96):
            m.run_for(month - m.steps)
            out.append(r4(m.pop.livelihood_boost[m.levers["livelihood"].served].mean()))
        return out

    print(
        "62 livelihood gains after the programme ends at month 12 (USD 30,000 a month, 3,000 x "
        "96, seed 1): participants' mean earnings boost at months 24 / 60 / 96, half-life 36 "
        "-> 12 months:",
        boost_path(36.0),
        "->",
        boost_path(12.0),
    )
    edu = {
        "education.monthly_budget": 20_000.0,
        "education.end": 24,
        "education.catchup_retention": 0.0,
        "demography.on": False,
    }
    e0 = model({"demography.on": False}, seed=1, households=3000, months=48)
    e1 = model(edu, seed=1, households=3000, months=48)
    e0.run_for(20)
    e1.run_for(20)
    during = [r4(m.places.education.mean()) for m in (e0, e1)]
    e0.run_for(28)
    e1.run_for(28)
    print(
        "63 education USD 20,000 a month to month 24, none kept in school after catch-up (no "
        "births or deaths, 3,000 x 48, seed 1): places' mean schooling at month 20",
        during[0],
        "->",
        during[1],
        "; base schooling at month 48",
        r4(e0.places.base_education.mean()),
        "->",
        r4(e1.places.base_education.mean()),
    )


def need_shock_durable_lines() -> None:
    # tests/test_need.py: baseline 2,000 x 48, seed 7
    peace = {
        "conflict.intensity": 0.0,
        "decision.undocumented_gap": 0.0,
        "decision.homeless_gap": 0.0,
        "drought.schedule": [[6, 0.9]],
    }
    _, rich = run({**peace, "households.assets_median": 2000.0}, households=2000, months=48, seed=7)
    _, poor = run({**peace, "households.assets_median": 20.0}, households=2000, months=48, seed=7)
    print(
        "64 median savings USD 2,000 -> 20 (at peace, drought 0.9 from month 6, 2,000 x 48, "
        "seed 7): displacements for want",
        total(rich, "need_displacements"),
        "->",
        total(poor, "need_displacements"),
        "; could not pay the journey",
        total(rich, "unable_to_leave"),
        "->",
        total(poor, "unable_to_leave"),
    )
    _, kept = run({"camps.assistance": [[12, 1.0]]}, households=2000, months=48, seed=7)
    _, cut = run({"camps.assistance": [[12, 0.2]]}, households=2000, months=48, seed=7)
    print(
        "65 assistance in camps cut to 20% at month 12 (2,000 x 48, seed 7): refugees at the end",
        int(kept["refugees"].iloc[-1]),
        "->",
        int(cut["refugees"].iloc[-1]),
        "; secondary moves and returns",
        total(kept, "secondary_moves") + total(kept, "new_returns"),
        "->",
        total(cut, "secondary_moves") + total(cut, "new_returns"),
    )

    # tests/test_shocks.py: baseline 2,000 x 36, seed 1, peace from month 6
    calm = {"conflict.schedule": [[0, 1.0], [6, 0.1]]}
    fates = []
    for schedule in ([], [[24, 0.001]]):
        m = model({**calm, "camps.capacity": schedule}, seed=1, households=2000, months=36)
        camp = m.places.index["refugee_camp"]
        m.run_for(24)
        there = np.flatnonzero(m.pop.place == camp)
        m.run_for(8)
        status = m.pop.status[there]
        home = np.isin(status, (Status.RETURNED, Status.SETTLED_ELSEWHERE))
        fates.append((len(there), int((m.pop.place[there] == camp).sum()), int(home.sum())))
    print(
        f"66 the refugee camp closes at month 24 (peace from month 6, 2,000 x 36, seed 1): of "
        f"the {fates[0][0]} households there at month 24, still there at month 32",
        fates[0][1],
        "->",
        fates[1][1],
        "; home or settled elsewhere",
        fates[0][2],
        "->",
        fates[1][2],
    )
    alone = {**calm, "decision.deprivation_review": 0.0}
    _, s0 = run(alone, households=2000, months=36, seed=1)
    _, s1 = run(
        {**alone, "drought.schedule": [[8, 0.7], [30, 0.0]]}, households=2000, months=36, seed=1
    )
    print(
        "67 drought 0.7 in months 8-29 at the origins, no flight for want (peace from month 6, "
        "2,000 x 36, seed 1): mean livelihood in months 10-29",
        r4(s0["mean_livelihood"].iloc[10:30].mean()),
        "->",
        r4(s1["mean_livelihood"].iloc[10:30].mean()),
        "; returns in months 8-29",
        int(s0["new_returns"].iloc[8:30].sum()),
        "->",
        int(s1["new_returns"].iloc[8:30].sum()),
    )

    # tests/test_durable.py: baseline 2,000 x 24, seed 42
    def solution(over: dict[str, Any], criterion: str) -> dict[str, Any]:
        m, _ = run(over, households=2000, months=24)
        return outcomes.durable_solutions(m)["durable_solutions"][criterion]

    fam = [
        solution(over, "family_reunification")
        for over in ({"decision.separation_share": 0.0}, {}, {"decision.reunification_rate": 1.0})
    ]
    print(
        "68 family reunification criterion met by the ever displaced (2,000 x 24, seed 42): no "
        "separation in flight / default / reunification rate 1.0:",
        " / ".join(str(r4(f["ever_displaced"])) for f in fam),
        "; gap to residents",
        " / ".join(str(r4(f["gap_vs_residents"]["ever_displaced"])) for f in fam),
    )
    just = [
        solution({"protection.legal_aid_monthly_budget": b}, "remedies_and_justice")
        for b in (0.0, 50_000.0)
    ]
    print(
        "69 legal aid USD 0 -> 50,000 a month (2,000 x 24, seed 42): access to remedies and "
        "justice of the ever displaced",
        r4(just[0]["ever_displaced"]),
        "->",
        r4(just[1]["ever_displaced"]),
        "; gap to residents",
        r4(just[0]["gap_vs_residents"]["ever_displaced"]),
        "->",
        r4(just[1]["gap_vs_residents"]["ever_displaced"]),
    )


def resettlement_lines() -> None:
    # tests/test_resettlement.py: baseline 3,000 x 48, 3,000 places a year from month 6
    quota = {"resettlement.persons_per_year": 3000.0, "resettlement.start": 6}
    for seed in (1, 2):
        (m0, s0), (m1, s1) = (run(o, households=3000, months=48, seed=seed) for o in ({}, quota))
        lever = outcomes.summarize(m1)["levers"]["resettlement"]
        print(
            f"70 resettlement 0 -> 3,000 places a year from month 6 (3,000 x 48, seed {seed}):",
            "households resettled",
            int(s0["resettled"].iloc[-1]),
            "->",
            int(s1["resettled"].iloc[-1]),
            "; refugees at the end",
            int(s0["refugees"].iloc[-1]),
            "->",
            int(s1["refugees"].iloc[-1]),
            "; deaths",
            int(m0.demography.deaths.sum()),
            "->",
            int(m1.demography.deaths.sum()),
            "; cases lapsed",
            lever["cases_lapsed"],
            "of",
            lever["households_submitted"],
        )


def hosting_limit_lines() -> None:
    # tests/test_state.py: baseline 3,000 x 48, peace from month 12, six months' notice
    over = {
        "households.count": 3000,
        "scenario.months": 48,
        "conflict.schedule": [[0, 1.0], [12, 0.0]],
        "state.closure_notice_months": 6,
        "aid.pipeline_break_monthly": 0.0,
    }
    for seed in (1, 2):
        (_, a), (m1, b) = (
            run(o, households=None, months=None, seed=seed)
            for o in (over, {**over, "state.hosting_limit": 500.0})
        )
        print(
            f"71 the host closes the camps past 500 refugees (3,000 x 48, seed {seed}): closed "
            "from month",
            m1.state.closure_month,
            "; refugees at the end",
            int(a["refugees"].iloc[-1]),
            "->",
            int(b["refugees"].iloc[-1]),
            "; induced returns",
            total(a, "induced_returns"),
            "->",
            total(b, "induced_returns"),
        )


def materials_and_travel_lines() -> None:
    # tests/test_logistics.py: baseline 2,000 x 36, 30% IDPs at the start, every road
    # 3x longer on worse terrain
    base = {"households.count": 2000, "scenario.months": 36, "households.initial_idp_share": 0.3}

    def far(over: dict[str, Any], seed: int, km: float, terrain: float) -> ReturnModel:
        raw = load(BASELINE, {**base, **over}).to_dict()
        for r in raw["routes"]:
            r["km"] *= km
            r["terrain"] = terrain
        m = ReturnModel(from_dict(raw, source="<lever_effects>"), rng=seed)
        m.run()
        return m

    build = {"reconstruction.monthly_budget": 60_000.0, "reconstruction.start": 6}
    teams = {"mhpss.mobile_teams": 4, "mhpss.start": 6, "budget.monthly_ceiling": 33_000.0}
    for seed in (42, 7):
        near, away = (far(build, seed, *r).levers["reconstruction"] for r in ((1, 1), (3, 5)))
        print(
            f"72 building materials, roads 3 x longer on terrain 5 (USD 60,000 a month, 2,000 x "
            f"36, seed {seed}): houses started",
            near.houses_started,
            "->",
            away.houses_started,
            "; haulage USD",
            round(near.haulage_total),
            "->",
            round(away.haulage_total),
        )
    for seed in (42, 7):
        near, away = (far(teams, seed, *r).levers["mhpss"] for r in ((1, 1), (3, 3)))
        print(
            f"73 psychosocial teams' travel, roads 3 x longer on terrain 3 (4 teams, USD 33,000 a "
            f"month, 2,000 x 36, seed {seed}): household-months seen",
            near.served_total,
            "->",
            away.served_total,
        )


def fare_lines() -> None:
    # tests/test_logistics.py: baseline 2,000 x 36, 40% IDPs at the start, peace from month 6
    over = {
        "households.count": 2000,
        "scenario.months": 36,
        "households.initial_idp_share": 0.4,
        "conflict.schedule": [[0, 1.0], [6, 0.1]],
    }
    package = {
        "return_package.monthly_budget": 1e7,
        "return_package.start": 6,
        "return_package.cash_per_person": 1.0,
        "decision.trip_cost_per_person_km": 0.1,
    }

    def unable(ts: Any) -> float:
        return r4(ts["unable_to_return"].sum() / ts["intending_return"].sum())

    for seed in (42, 7):
        (_, a), (_, b) = (
            run(
                {**over, "decision.trip_cost_per_person_km": r},
                households=None,
                months=None,
                seed=seed,
            )
            for r in (0.0, 0.1)
        )
        (m0, c), (m1, e) = (
            run(
                {**over, **package, "return_package.transport_per_person_km": t},
                households=None,
                months=None,
                seed=seed,
            )
            for t in (0.0, 0.1)
        )
        per = [
            m.levers["return_package"].spent_total / max(int(m.pop.assisted.sum()), 1)
            for m in (m0, m1)
        ]
        print(
            f"74 a fare by distance, USD 0 -> 0.1 a person-km (2,000 x 36, seed {seed}): share "
            "of those going home who could not pay",
            unable(a),
            "->",
            unable(b),
            "; returns",
            total(a, "new_returns"),
            "->",
            total(b, "new_returns"),
            "; organised transport by the km 0 -> 0.1 with it: share",
            unable(c),
            "->",
            unable(e),
            "; returns",
            total(c, "new_returns"),
            "->",
            total(e, "new_returns"),
            "; USD per household assisted",
            round(per[0], 1),
            "->",
            round(per[1], 1),
        )

    # tests/test_closures.py::test_the_missions_engineers_keep_a_corridor_road_open_...
    raw = load(BASELINE, {"households.count": 3000, "scenario.months": 36}).to_dict()
    for r in raw["routes"]:
        if {r["from"], r["to"]} == {"north", "camp"}:
            r["closed_months"] = [6, 7, 8, 9]
    zone = {"peacekeeping.deploy_month": 0, "peacekeeping.safe_zones": ["north"]}
    rainy_flights = []
    for over in (zone, {**zone, "peacekeeping.corridors": ["north"]}):
        m = ReturnModel(from_dict(raw, source="<rains>").with_overrides(over), rng=42)
        north, camp, n = m.places.index["north"], m.places.index["camp"], 0
        while m.running:
            before = m.pop.place == north
            m.step()
            if m.steps % 12 + 1 in (6, 7, 8, 9):  # month 0 is January
                n += int((before & (m.pop.place == camp)).sum())
        rainy_flights.append(n)
    print(
        "75 north-camp road closed June-September, troops at north; escorted corridor at "
        "north off -> on (3,000 x 36, seed 42): flights north -> camp in the rains",
        rainy_flights[0],
        "->",
        rainy_flights[1],
    )

    # tests/test_state.py::test_the_home_government_refuses_access_to_contested_places
    for seed in (1, 2):
        ms = []
        for floor in (0.0, 0.95):
            m = run(
                {
                    "households.population": 100_000,  # the scenario's, as in the test
                    "aid.monthly_budget": 1e9,
                    "aid.pipeline_break_monthly": 0.0,
                    "state.contested_security": floor,
                },
                households=3000,
                months=24,
                seed=seed,
            )[0]
            ms.append(m)
        camp = ms[0].places.index["camp"]
        there = (ms[0].pop.place == camp) & (ms[1].pop.place == camp)
        print(
            f"76 access refused where security < 0.95 (3,000 x 24 standing for 100,000 persons, "
            f"aid unlimited, "
            f"seed {seed}): mean assets of the {int(there.sum())} households at the IDP camp "
            "in both runs",
            round(float(ms[0].pop.assets[there].mean()), 1),
            "->",
            round(float(ms[1].pop.assets[there].mean()), 1),
        )


if __name__ == "__main__":
    main()
