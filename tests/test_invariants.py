"""Invariants that hold after every month, whatever the parameters.

Property tests draw random scenarios around the baseline network (hypothesis,
derandomized so the suite is deterministic) and check, after every step:
valid states, conserved stocks, incremental counts equal to a recount, flows
that explain the change in stocks, bounded indices, finite outputs, occupancy
and peacekeeping within its mandate. Extreme cases follow.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from returnsim import ReturnModel, Status
from returnsim.households import DISPLACED, Flows, Tally
from returnsim.param import schedule_at
from returnsim.rules import logit_draw
from returnsim.scenario import Scenario, from_dict

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ORIGINS = ("north", "east", "south")


def check_month(model: ReturnModel, before: np.ndarray) -> None:
    """Every invariant after one step; ``before`` is the status count before it."""
    pop, places, spec = model.pop, model.places, model.spec
    n = spec["households.count"]

    # Each household has exactly one valid status and a valid place.
    assert set(np.unique(pop.status)) <= {int(s) for s in Status}
    assert ((pop.place >= 0) & (pop.place < places.n)).all()
    at_home = np.isin(pop.status, (Status.AT_ORIGIN, Status.RETURNED))
    assert (pop.place[at_home] == pop.origin[at_home]).all()
    away = np.isin(pop.status, DISPLACED)
    assert (pop.place[away] != pop.origin[away]).all()
    refugee = pop.status == Status.REFUGEE
    idp = pop.status == Status.INTERNALLY_DISPLACED
    assert places.abroad[pop.place[refugee]].all()
    assert not places.abroad[pop.place[idp]].any()
    alive = pop.status != Status.DISSOLVED
    assert ((pop.times_displaced[alive] == 0) == (pop.status[alive] == Status.AT_ORIGIN)).all()
    assert (pop.size[~alive] == 0).all() and (pop.size[alive] > 0).all()
    assert (pop.members.sum(axis=1) == pop.size).all()

    # Stocks add up, and the incremental tally equals a fresh recount.
    stocks = np.bincount(pop.status, minlength=len(Status))
    assert stocks.sum() == n
    fresh = Tally(pop, places.n)
    for name, value in vars(fresh).items():
        assert np.array_equal(getattr(model.tally, name), value), f"tally.{name} drifted"

    # Flows explain the change in stocks.
    f = model.flows
    delta = stocks - before
    displaced = delta[Status.INTERNALLY_DISPLACED] + delta[Status.REFUGEE]
    chosen = f.new_returns + f.returns_elsewhere
    gone = model.demography.month["dissolved_from"]  # households whose last member died
    assert f.dissolutions == gone.sum() == delta[Status.DISSOLVED]
    assert displaced == (
        f.new_displacements
        - chosen
        - f.settlements
        - f.forced_returns
        - gone[Status.INTERNALLY_DISPLACED]
        - gone[Status.REFUGEE]
    )
    assert delta[Status.RETURNED] == (
        f.new_returns - f.redisplacements + f.forced_returns - gone[Status.RETURNED]
    )
    assert f.induced_returns <= chosen
    assert delta[Status.AT_ORIGIN] <= 0  # nobody becomes never-displaced again
    assert min(vars(f).values()) >= 0
    assert f.redisplacements <= f.new_displacements
    assert f.need_displacements <= f.new_displacements
    assert f.new_returns + f.returns_elsewhere + f.unable_to_return == f.intending_return

    # Place conditions are indices in [0, 1]; occupancy is the count of households.
    for name in ("security", "services", "livelihood"):
        value = getattr(places, name)
        assert np.isfinite(value).all() and (value >= 0).all() and (value <= 1).all(), name
    assert np.array_equal(places.occupancy, np.bincount(pop.place[alive], minlength=places.n))

    # Peacekeepers stay within the authorised strength and the mandate ceiling.
    month = model.steps
    troops, police = places.troops.sum(), places.police.sum()
    if month < spec["peacekeeping.deploy_month"]:
        assert troops == police == places.observers.sum() == 0
    assert troops <= spec["peacekeeping.troops"] and police <= spec["peacekeeping.police"]
    assert places.observers.sum() <= spec["peacekeeping.observers"]
    ceiling = schedule_at(spec["peacekeeping.ceiling"], month, default=np.inf, linear=True)
    assert troops + police <= ceiling
    assert not places.abroad[places.troops > 0].any()


def run_checked(model: ReturnModel) -> None:
    """Run to the end, checking every month and the collected timeseries."""
    before = np.bincount(model.pop.status, minlength=len(Status))
    check_month(model, before)
    while model.running and model.steps < model.months:
        before = model.tally.status.copy()
        model.step()
        check_month(model, before)
    assert model.steps == model.months
    df = model.datacollector.get_model_vars_dataframe()
    assert len(df) == model.months + 1
    numeric = df.select_dtypes("number")
    assert numeric.shape[1] == df.shape[1], "a timeseries column is not numeric"
    assert np.isfinite(numeric.to_numpy(dtype=float)).all()


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    months = draw(st.integers(1, 24))
    idp = draw(st.floats(0.0, 1.0))
    schedule_months = sorted(draw(st.sets(st.integers(0, 30), min_size=1, max_size=4)))
    ov: dict[str, Any] = {
        "households.count": draw(st.integers(1, 300)),
        "scenario.months": months,
        "conflict.intensity": draw(st.floats(0.0, 3.0)),
        "conflict.schedule": [[m, draw(st.floats(0.0, 2.0))] for m in schedule_months],
        "conflict.recurrence_monthly": draw(st.floats(0.0, 0.1)),
        "peacekeeping.troops": draw(st.integers(0, 20000)),
        "peacekeeping.police": draw(st.integers(0, 1000)),
        "peacekeeping.observers": draw(st.integers(0, 200)),
        "peacekeeping.strategy": draw(st.sampled_from(["static", "hotspot", "return_areas"])),
        "peacekeeping.deploy_month": draw(st.integers(0, 24)),
        "peacekeeping.redeploy_every": draw(st.integers(1, 6)),
        "decision.safety_threshold": draw(st.floats(0.1, 0.9)),
        "decision.safety_threshold_sd": draw(st.floats(0.0, 0.3)),
        "decision.review_rate": draw(st.floats(0.01, 1.0)),
        "decision.trip_cost_per_person": draw(st.floats(0.0, 500.0)),
        "decision.attachment_halflife": draw(st.floats(6.0, 240.0)),
        "decision.return_elsewhere_share": draw(st.floats(0.0, 1.0)),
        "conflict.destruction_scale": draw(st.floats(1.0, 10_000.0)),
        "households.initial_idp_share": idp,
        "households.initial_refugee_share": draw(st.floats(0.0, 1.0 - idp)),
    }
    if draw(st.booleans()):
        m0 = draw(st.integers(0, 12))
        ov["peacekeeping.ceiling"] = [
            [m0, draw(st.floats(0.0, 20000.0))],
            [m0 + draw(st.integers(1, 12)), draw(st.floats(0.0, 20000.0))],
        ]
    for p in ORIGINS:
        ov[f"places.{p}.housing_damage"] = draw(st.floats(0.0, 1.0))
    return ov


@PROPERTY
@given(ov=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_every_month(baseline_path, ov: dict[str, Any], seed: int) -> None:
    from returnsim.scenario import load

    run_checked(ReturnModel(load(baseline_path, ov), rng=seed))


FLOWS = tuple(f.name for f in fields(Flows))


@pytest.mark.parametrize("engine", ["arrays", "agents"])
def test_invariants_in_an_eventful_run(baseline_path, engine: str) -> None:
    """A run in which every transition happens, so every identity is exercised."""
    from returnsim.scenario import load

    spec = load(
        baseline_path,
        {
            "scenario.engine": engine,
            "households.count": 1500 if engine == "arrays" else 300,
            "scenario.months": 48,
            "households.initial_idp_share": 0.2,
            "households.initial_refugee_share": 0.1,
            "conflict.schedule": [[0, 1.0], [8, 0.0], [30, 2.0], [40, 0.0]],
            "drought.schedule": [[12, 0.9], [24, 0.0]],  # flight for want at peace
            "camps.capacity": [[14, 0.05], [20, 1.0]],  # returns induced by a closure
            "camps.assistance": [[14, 0.3], [20, 1.0]],
            "deportation.schedule": [[36, 0.2], [38, 0.0]],  # forced returns
            "places.border.pushback": [[1, 0.5], [6, 0.0]],
            "conflict.destruction_scale": 100.0,
            "decision.attachment_halflife": 12.0,
            "peacekeeping.troops": 0,
            "peacekeeping.police": 0,
            **{f"places.{p}.housing_damage": 0.5 for p in ORIGINS},
        },
    )
    model = ReturnModel(spec, rng=8)
    run_checked(model)
    df = model.datacollector.get_model_vars_dataframe()
    for col in FLOWS:
        assert df[col].sum() > 0, f"{col} never happened: the run tests less than it claims"


# ------------------------------------------------------------- extreme cases
def _spec(baseline_path, **overrides: Any) -> Scenario:
    from returnsim.scenario import load

    return load(baseline_path, {"scenario.months": 24, **overrides})


@pytest.mark.parametrize("seed", range(6))
def test_one_household(baseline_path, seed: int) -> None:
    spec = _spec(
        baseline_path,
        **{
            "households.count": 1,
            "households.initial_idp_share": 0.4,
            "households.initial_refugee_share": 0.4,
        },
    )
    run_checked(ReturnModel(spec, rng=seed))


def test_every_place_at_war(baseline_path) -> None:
    spec = _spec(baseline_path, **{"households.count": 500, "conflict.intensity": 10.0})
    raw = spec.to_dict()
    for body in raw["places"].values():
        body["violence"] = 100.0
    model = ReturnModel(from_dict(raw), rng=3)
    run_checked(model)
    df = model.datacollector.get_model_vars_dataframe()
    assert df["new_displacements"].sum() > 0
    assert (model.places.security < 0.5).all()


def test_no_routes_nobody_moves(baseline_path) -> None:
    spec = _spec(
        baseline_path,
        **{
            "households.count": 500,
            "households.initial_idp_share": 0.3,
            "households.initial_refugee_share": 0.2,
        },
    )
    raw = spec.to_dict()
    raw["routes"] = []
    model = ReturnModel(from_dict(raw), rng=4)
    start = model.pop.place.copy()
    assert (start != model.pop.origin).any()  # some start displaced, cut off from home
    run_checked(model)
    assert np.array_equal(model.pop.place, start)
    df = model.datacollector.get_model_vars_dataframe()
    for col in ("new_displacements", "secondary_moves", "new_returns", "returns_elsewhere"):
        assert df[col].sum() == 0, col
    assert df["violence"].sum() > 0  # there was a reason to flee


def test_zero_troops(baseline_path) -> None:
    spec = _spec(
        baseline_path,
        **{"households.count": 300, "peacekeeping.troops": 0, "peacekeeping.police": 0},
    )
    model = ReturnModel(spec, rng=5)
    run_checked(model)
    df = model.datacollector.get_model_vars_dataframe()
    assert (df["peacekeepers_deployed"] == 0).all()
    assert model.places.observers.sum() == spec["peacekeeping.observers"] > 0


@pytest.mark.parametrize(
    ("overrides", "month"),
    [
        # An integer ceiling: 513.5 + 513.5 must not both round up to 514.
        (
            {
                "peacekeeping.troops": 1024,
                "peacekeeping.police": 1024,
                "peacekeeping.deploy_month": 0,
                "peacekeeping.ceiling": [[0, 1027]],
            },
            1,
        ),
        # The shipped baseline's drawdown: ceiling 2,406.25 at month 117, 2,407 deployed.
        ({}, 117),
    ],
    ids=["integer_ceiling", "baseline_drawdown"],
)
def test_ceiling_never_exceeded_after_rounding(
    baseline_path, overrides: dict[str, Any], month: int
) -> None:
    """Regression: troops and police were rounded separately and overshot by one."""
    spec = _spec(baseline_path, **{"households.count": 10, "scenario.months": month, **overrides})
    model = ReturnModel(spec, rng=1)
    model.run()
    ceiling = schedule_at(spec["peacekeeping.ceiling"], month, default=np.inf, linear=True)
    assert model.places.troops.sum() + model.places.police.sum() <= ceiling


# -------------------------------------------------------------- logit draw
@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(
    rows=st.lists(
        st.lists(st.one_of(st.floats(-30, 30), st.just(-np.inf)), min_size=1, max_size=5).filter(
            lambda r: any(np.isfinite(r))
        ),
        min_size=1,
        max_size=20,
    ),
    u=st.floats(0.0, 1.0, exclude_max=True, width=32),
)
def test_logit_draw_picks_an_available_option(rows: list[list[float]], u: float) -> None:
    width = max(len(r) for r in rows)
    util = np.full((len(rows), width), -np.inf)
    for i, r in enumerate(rows):
        util[i, : len(r)] = r
    k = logit_draw(util, np.full(len(rows), u, dtype=np.float32))
    assert np.isfinite(util[np.arange(len(rows)), k]).all()


def test_logit_draw_with_zero_uniform_skips_unavailable() -> None:
    """Regression: with u == 0.0 an unavailable first option (cdf 0) was chosen."""
    util = np.array([[-np.inf, 0.0, 1.0], [-np.inf, -np.inf, 2.0], [0.5, -np.inf, 1.0]])
    k = logit_draw(util, np.zeros(3, dtype=np.float32))
    assert k.tolist() == [1, 2, 0]
