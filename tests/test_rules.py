"""Each model rule pushes outcomes in its stated direction.

Comparisons are paired (common random numbers): the two runs share the seed
and differ only in the parameter under test. Where noise matters, counts are
summed over a few seeds. Assertions are on direction, never on numbers
copied from a run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from returnsim import ReturnModel, Status
from returnsim.conflict import ViolenceProcess, presence, suppression
from returnsim.param import Params, params
from returnsim.rules import logit_draw
from returnsim.scenario import Scenario, default

SEEDS = (1, 2, 3)
SIZE = {"households.count": 3000, "scenario.months": 48}
ORIGINS = ("north", "east", "south")
NO_MISSION = {"peacekeeping.troops": 0, "peacekeeping.police": 0, "peacekeeping.observers": 0}
#: Everyone starts displaced and the country is at peace: only return-side rules act.
ALL_DISPLACED_AT_PEACE = {
    "conflict.schedule": [[0, 0.0]],
    "conflict.recurrence_monthly": 0.0,
    "households.initial_idp_share": 0.6,
    "households.initial_refugee_share": 0.4,
}


def totals(run_model: Any, overrides: dict[str, Any], columns: list[str]) -> dict[str, float]:
    """Column sums of the timeseries over SEEDS."""
    out = dict.fromkeys(columns, 0.0)
    for seed in SEEDS:
        _, df = run_model({**SIZE, **overrides}, seed=seed)
        for c in columns:
            out[c] += float(df[c].sum())
    return out


def trace(spec: Scenario, seed: int) -> tuple[ReturnModel, np.ndarray, np.ndarray]:
    """Run month by month; events and troops per place, shape (months, places)."""
    model = ReturnModel(spec, rng=seed)
    events, troops = [], []
    for _ in range(model.months):
        model.step()
        events.append(model.violence.events.copy())
        troops.append(model.places.troops.copy())
    return model, np.array(events), np.array(troops)


# --------------------------------------------------------------- peacekeeping
def test_troops_at_hotspots_cut_violence_there_and_raise_returns(small_baseline) -> None:
    base = {**SIZE, **NO_MISSION, "peacekeeping.strategy": "hotspot", "peacekeeping.ceiling": []}
    deploy = small_baseline["peacekeeping.deploy_month"]
    there_without = there_with = returns_without = returns_with = 0.0
    for seed in SEEDS:
        m0, ev0, _ = trace(small_baseline.with_overrides(base), seed)
        m1, ev1, tr1 = trace(
            small_baseline.with_overrides({**base, "peacekeeping.troops": 12000}), seed
        )
        assert tr1[: deploy - 1].sum() == 0 and tr1[deploy - 1 :].sum() > 0
        # "There": the places where the hotspot strategy put most troops.
        hot = tr1[deploy - 1 :].mean(axis=0) >= 500
        assert hot.any()
        # The hotspot strategy sends troops where violence is.
        assert ev0[: deploy - 1, hot].sum() > ev0[: deploy - 1, ~hot].sum()
        there_without += ev0[deploy - 1 :, hot].sum()
        there_with += ev1[deploy - 1 :, hot].sum()
        df0 = m0.datacollector.get_model_vars_dataframe()
        df1 = m1.datacollector.get_model_vars_dataframe()
        returns_without += df0["new_returns"].sum()
        returns_with += df1["new_returns"].sum()
    assert there_with < 0.5 * there_without
    assert returns_with > returns_without


def test_more_troops_less_violence_monotone(run_model) -> None:
    """Troop numbers matter: 0 < 2,000 < 12,000 troops, ever less violence (static)."""
    violence = []
    for troops in (0, 2000, 12000):
        t = totals(
            run_model,
            {**NO_MISSION, "peacekeeping.troops": troops, "peacekeeping.ceiling": []},
            ["violence"],
        )
        violence.append(t["violence"])
    assert violence[0] > violence[1] > violence[2]


def test_police_suppress_violence(run_model) -> None:
    ov = {**NO_MISSION, "peacekeeping.ceiling": []}
    without = totals(run_model, ov, ["violence", "new_returns"])
    with_police = totals(run_model, {**ov, "peacekeeping.police": 500}, ["violence", "new_returns"])
    assert with_police["violence"] < without["violence"]
    assert with_police["new_returns"] > without["new_returns"]


@pytest.mark.parametrize("strategy", ["static", "hotspot", "return_areas"])
def test_observers_change_nothing(run_model, strategy: str) -> None:
    """Observers enter nothing but deployment: the whole run is identical."""
    ov = {**SIZE, "peacekeeping.strategy": strategy, "peacekeeping.observers": 0}
    m0, df0 = run_model(ov, seed=5)
    m1, df1 = run_model({**ov, "peacekeeping.observers": 2000}, seed=5)
    assert m1.places.observers.sum() == 2000 and m0.places.observers.sum() == 0
    assert df0["violence"].sum() > 0
    pd.testing.assert_series_equal(df0["violence"], df1["violence"])
    pd.testing.assert_frame_equal(df0, df1)
    assert np.array_equal(m0.pop.status, m1.pop.status)
    assert np.array_equal(m0.pop.place, m1.pop.place)


def test_ceiling_drawdown_lowers_deployment(run_model) -> None:
    mission = {
        "peacekeeping.troops": 9000,
        "peacekeeping.police": 1000,
        "peacekeeping.deploy_month": 6,
    }
    _, full = run_model({**SIZE, **mission, "peacekeeping.ceiling": []})
    _, down = run_model({**SIZE, **mission, "peacekeeping.ceiling": [[12, 10000], [36, 1000]]})
    deployed = down.set_index("month")["peacekeepers_deployed"]
    assert (deployed.loc[:5] == 0).all()
    assert deployed.loc[12] == 10000
    drawdown = deployed.loc[12:36].to_numpy()
    assert (np.diff(drawdown) <= 0).all() and drawdown[-1] < drawdown[0]
    assert (deployed.loc[36:] <= 1000).all()
    # Without the ceiling the mission keeps its strength.
    assert (full.set_index("month")["peacekeepers_deployed"].loc[6:] == 10000).all()


# ------------------------------------------------------------------ conflict
def test_higher_intensity_more_displacement(run_model) -> None:
    low = totals(run_model, {"conflict.intensity": 0.5}, ["new_displacements", "violence"])
    high = totals(run_model, {"conflict.intensity": 2.0}, ["new_displacements", "violence"])
    assert high["violence"] > low["violence"]
    assert high["new_displacements"] > low["new_displacements"]


def test_returns_only_after_peace(run_model) -> None:
    """War so intense no origin is safe enough: nobody returns until peace at month 24."""
    war = {
        **SIZE,
        **NO_MISSION,
        "conflict.intensity": 4.0,
        "conflict.recurrence_monthly": 0.0,
        "decision.safety_threshold_sd": 0.0,
    }
    for seed in SEEDS:
        _, peace = run_model({**war, "conflict.schedule": [[0, 1.0], [24, 0.0]]}, seed=seed)
        _, endless = run_model({**war, "conflict.schedule": [[0, 1.0]]}, seed=seed)
        back = (peace["new_returns"] + peace["returns_elsewhere"]).to_numpy()
        months = peace["month"].to_numpy()
        assert back[months < 24].sum() == 0
        assert back[months >= 24].sum() > 0
        assert (endless["new_returns"] + endless["returns_elsewhere"]).sum() == 0


def test_relapse_redisplaces_returnees(run_model) -> None:
    # relapse of violence alone (households short of need may also leave: test_need.py)
    ov = {
        **SIZE,
        **NO_MISSION,
        "conflict.recurrence_monthly": 0.0,
        "decision.deprivation_review": 0.0,
    }
    for seed in SEEDS:
        _, calm = run_model({**ov, "conflict.schedule": [[0, 1.0], [6, 0.0]]}, seed=seed)
        _, relapse = run_model(
            {**ov, "conflict.schedule": [[0, 1.0], [6, 0.0], [30, 2.0]]}, seed=seed
        )
        r = relapse.set_index("month")
        assert calm["redisplacements"].sum() == 0
        assert r["redisplacements"].loc[:29].sum() == 0
        assert r["redisplacements"].loc[30:].sum() > 0
        assert r["returned"].loc[29] > 0
        assert r["returned"].iloc[-1] < r["returned"].loc[29]


# ---------------------------------------------------------------- households
def test_destroyed_housing_fewer_returns_home_more_elsewhere(run_model) -> None:
    cols = ["new_returns", "returns_elsewhere", "intending_return"]
    intact = totals(run_model, {f"places.{p}.housing_damage": 0.0 for p in ORIGINS}, cols)
    ruined = totals(run_model, {f"places.{p}.housing_damage": 0.9 for p in ORIGINS}, cols)
    assert ruined["new_returns"] < intact["new_returns"]
    assert ruined["returns_elsewhere"] > intact["returns_elsewhere"]
    # Destroyed homes deter return itself, not only where returnees end up.
    assert ruined["intending_return"] < intact["intending_return"]
    went = ruined["new_returns"] + ruined["returns_elsewhere"]
    assert went < intact["new_returns"] + intact["returns_elsewhere"]


def test_short_attachment_fewer_returns_more_settled(run_model) -> None:
    cols = ["new_returns", "settlements"]
    lasting = totals(run_model, {"decision.attachment_halflife": 240.0}, cols)
    fading = totals(run_model, {"decision.attachment_halflife": 6.0}, cols)
    assert fading["new_returns"] < lasting["new_returns"]
    assert fading["settlements"] > lasting["settlements"]


def test_displaced_longer_return_less_in_one_run(small_baseline) -> None:
    """Initial time displaced (0-12 months, drawn at random) lowers return, raises settling."""
    spec = small_baseline.with_overrides(
        {
            **ALL_DISPLACED_AT_PEACE,
            "households.count": 4000,
            "scenario.months": 24,
            "decision.attachment_halflife": 12.0,
        }
    )
    back = {"short": 0, "long": 0}
    settled = {"short": 0, "long": 0}
    n = {"short": 0, "long": 0}
    for seed in SEEDS:
        model = ReturnModel(spec, rng=seed)
        groups = {
            "short": model.pop.months_displaced <= 3,
            "long": model.pop.months_displaced >= 9,
        }
        model.run()
        for g, mask in groups.items():
            n[g] += int(mask.sum())
            back[g] += int((model.pop.status[mask] == Status.RETURNED).sum())
            settled[g] += int((model.pop.status[mask] == Status.SETTLED_ELSEWHERE).sum())
    assert n["short"] > 0 and n["long"] > 0
    assert back["long"] / n["long"] < back["short"] / n["short"]
    assert settled["long"] / n["long"] > settled["short"] / n["short"]


def test_higher_safety_threshold_fewer_returns(run_model) -> None:
    """At peace, with everyone displaced, a higher threshold keeps more away longer."""
    ov = {**ALL_DISPLACED_AT_PEACE, "scenario.months": 12}
    low = totals(run_model, {**ov, "decision.safety_threshold": 0.3}, ["new_returns"])
    high = totals(run_model, {**ov, "decision.safety_threshold": 0.7}, ["new_returns"])
    assert high["new_returns"] < low["new_returns"]


def test_safety_first_no_return_below_threshold(small_baseline) -> None:
    """Everyone who went home this month believed home at least as safe as their threshold."""
    # No escorted convoys (they lower the security needed to go home).
    spec = small_baseline.with_overrides({"scenario.months": 48, "return_package.escorts": False})
    model = ReturnModel(spec, rng=2)
    returned_total = 0
    for _ in range(model.months):
        was_away = np.isin(model.pop.status, (Status.INTERNALLY_DISPLACED, Status.REFUGEE))
        model.step()
        went_back = was_away & (model.pop.status == Status.RETURNED)
        returned_total += int(went_back.sum())
        belief = model.pop.belief_security[went_back]
        assert (belief >= model.pop.threshold[went_back]).all()
    assert returned_total > 0


def test_trip_cost_leaves_households_unable_to_return(run_model) -> None:
    cols = ["new_returns", "unable_to_return"]
    free = totals(run_model, {"decision.trip_cost_per_person": 0.0}, cols)
    dear = totals(run_model, {"decision.trip_cost_per_person": 300.0}, cols)
    assert free["unable_to_return"] == 0  # a free journey: capability is 1
    assert dear["unable_to_return"] > 0
    assert dear["new_returns"] < free["new_returns"]


def test_free_journey_needs_no_assets(run_model) -> None:
    _, df = run_model(
        {**SIZE, "households.assets_median": 0.0, "decision.trip_cost_per_person": 0.0}
    )
    assert df["intending_return"].sum() > 0
    assert df["unable_to_return"].sum() == 0


# --------------------------------------------------------- conflict functions
def _spec(**values: float) -> Params:
    return params(default().with_overrides({f"peacekeeping.{k}": v for k, v in values.items()}))


def test_suppression_is_one_without_personnel() -> None:
    s = params(default())
    zero = np.zeros(4)
    assert np.array_equal(suppression(zero, zero, s), np.ones(4))
    assert np.array_equal(presence(zero, zero, s), np.zeros(4))


@pytest.mark.parametrize("arm", ["troops", "police"])
def test_suppression_decreasing_with_diminishing_returns(arm: str) -> None:
    s = params(default())
    personnel = np.linspace(0.0, 20000.0 if arm == "troops" else 2000.0, 41)
    zero = np.zeros_like(personnel)
    left = suppression(personnel, zero, s) if arm == "troops" else suppression(zero, personnel, s)
    step = np.diff(left)
    assert (step < 0).all()  # every extra unit suppresses more
    assert (np.diff(step) > 0).all()  # ... but less than the one before
    floor = 1.0 - s.peacekeeping[f"{'troop' if arm == 'troops' else 'police'}_suppression"]
    assert (left > floor).all() and (left <= 1.0).all()
    assert left[-1] == pytest.approx(floor, abs=1e-3)


def test_suppression_arms_combine_multiplicatively() -> None:
    s = params(default())
    t, p, z = np.array([3000.0]), np.array([200.0]), np.zeros(1)
    both = suppression(t, p, s)
    assert both == pytest.approx(suppression(t, z, s) * suppression(z, p, s))
    assert both < min(suppression(t, z, s), suppression(z, p, s))


def test_suppression_scale_and_maximum() -> None:
    """At `troop_scale` troops, 63% of the largest suppression is delivered."""
    s = _spec(troop_scale=1000.0, troop_suppression=0.8)
    left = suppression(np.array([1000.0]), np.zeros(1), s)
    assert 1 - left == pytest.approx(0.8 * (1 - np.exp(-1.0)))
    no_effect = _spec(troop_suppression=0.0, police_suppression=0.0)
    assert suppression(np.array([5e4]), np.array([5e3]), no_effect) == pytest.approx(1.0)


def test_security_index_mapping() -> None:
    """security = 1 / (1 + perceived / security_scale), perceived = smoothed events."""
    s = default().with_overrides(
        {"conflict.security_scale": 10.0, "conflict.perception_memory": 0.0}
    )
    p = params(s)
    base = np.array([0.0, 5.0, 40.0, 400.0])
    vp = ViolenceProcess(base, p)
    sec = vp.step(1.0, np.ones(4), np.zeros(4), np.random.default_rng(0))
    assert sec[0] == 1.0  # no violence: fully secure
    assert np.allclose(sec, 1.0 / (1.0 + vp.events / 10.0))
    assert ((sec > 0) & (sec <= 1)).all()
    order = np.argsort(vp.events)
    assert (np.diff(sec[order]) <= 0).all()
    # Perceived violence equal to the scale reads as security 0.5.
    # Perception smooths: half last month's, half this month's (none, all suppressed).
    vp.p = params(s.with_overrides({"conflict.perception_memory": 0.5}))
    vp.perceived = np.full(4, 20.0)
    sec2 = vp.step(1.0, np.zeros(4), np.ones(4), np.random.default_rng(0))
    assert (vp.events == 0).all()
    assert np.allclose(vp.perceived, 10.0)
    assert np.allclose(sec2, 0.5)  # perceived violence at the scale reads as 0.5


def test_suppressed_violence_has_lower_rate() -> None:
    s = params(default())
    base = np.full(3, 50.0)
    free = ViolenceProcess(base, s)
    kept = ViolenceProcess(base, s)
    free.step(1.0, np.ones(3), np.zeros(3), np.random.default_rng(1))
    kept.step(1.0, np.array([1.0, 0.5, 0.1]), np.array([0.0, 0.5, 0.9]), np.random.default_rng(1))
    assert np.allclose(kept.rate, free.rate * np.array([1.0, 0.5, 0.1]))


# ---------------------------------------------------------------- logit draw
def test_logit_draw_follows_utilities() -> None:
    rng = np.random.default_rng(3)
    util = np.tile([0.0, np.log(3.0), -np.inf], (60_000, 1))
    k = logit_draw(util, rng.random(60_000, dtype=np.float32))
    assert not (k == 2).any()
    assert (k == 1).mean() == pytest.approx(0.75, abs=0.01)
