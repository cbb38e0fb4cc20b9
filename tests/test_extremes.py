"""Extreme parameters: the model runs without NaN or infinity and its invariants hold.

Cases at the edges of what a scenario may say: one household; no money
while every lever is asked for; every place at war, always; nowhere to go
(the longest roads, camps full and closed, a home area with no road at
all); and combinations of registry parameters at the ends of their ranges,
drawn by hypothesis. After every month: households by status add up to
``households.count``, place conditions and reintegration scores are in
[0, 1], spending stays within the monthly ceiling and the total budget; at
the end the time series is finite and summary.json holds no NaN (an
undefined share is null). Invalid floating-point operations (0 x inf, 0 / 0)
are errors here even where their result would be masked, since numpy would
print them as warnings in a normal run. Both engines run; the per-agent
engine at a few households.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from returnsim import ReturnModel, outcomes, reintegration
from returnsim.households import N_STATUS
from returnsim.interventions import PARAMS as LEVER_PARAMS
from returnsim.model import STOCKS
from returnsim.parameters import BY_KEY, PARAMS, PLACE_BY_KEY, ROUTE_BY_KEY
from returnsim.scenario import from_dict, load

FULL = Path(__file__).absolute().parents[1] / "scenarios" / "full_response.toml"
EXTREME = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

ENGINES = st.sampled_from(["arrays", "agents"])
#: Registry parameters with a numeric range (size and seed are drawn separately).
RANGED = [
    p.key
    for p in PARAMS
    if p.kind in ("float", "int")
    and p.key not in ("households.count", "scenario.months", "scenario.seed")
]
SCHEDULES = [p.key for p in PARAMS if p.kind == "schedule"]
#: Indices of the monthly time series that are shares or scores in [0, 1].
UNIT_COLUMNS = (
    "mean_security",
    "mean_services",
    "mean_livelihood",
    "coordination",
    *(f"reintegration_{d}" for d in reintegration.DIMENSIONS),
    "sustainably_reintegrated_share",
)


def base() -> dict[str, Any]:
    """scenarios/full_response.toml (every lever funded) as a nested dict."""
    return load(FULL).to_dict()


def sized(raw: dict[str, Any], engine: str, households: int, months: int) -> dict[str, Any]:
    """``raw`` with an engine and a size; the per-agent engine is kept to a few households."""
    raw = copy.deepcopy(raw)
    if engine == "agents":
        households, months = min(households, 4), min(months, 6)
    raw["scenario"].update(engine=engine, months=months)
    raw["households"]["count"] = households
    return raw


def in_unit(x: Any) -> bool:
    return bool(np.all((np.asarray(x) >= 0.0) & (np.asarray(x) <= 1.0)))


def check_month(model: ReturnModel) -> None:
    """Conservation, indices in [0, 1] and the budget, after one month."""
    spec, places, budget = model.spec, model.places, model.budget
    assert np.bincount(model.pop.status, minlength=N_STATUS).sum() == spec["households.count"]
    assert model.tally.status.sum() == spec["households.count"]
    for name in ("security", "services", "livelihood", "education", "cohesion", "aid_coverage"):
        value = getattr(places, name)
        assert np.isfinite(value).all() and in_unit(value), name
    assert all(in_unit(v) for v in model.reintegration_now.values()), model.reintegration_now
    tol = 1e-9 * max(1.0, spec["budget.total"], spec["budget.monthly_ceiling"])
    assert budget.month_spent <= spec["budget.monthly_ceiling"] + tol
    assert budget.spent <= spec["budget.total"] + tol
    for lever in model.levers.values():
        assert 0.0 <= lever.spent_month <= lever.committed + tol, lever.key


def non_finite(tree: Any, path: str = "") -> list[str]:
    """Paths of NaN or infinite numbers in a JSON-like tree."""
    if isinstance(tree, float):
        return [] if math.isfinite(tree) else [path]
    if isinstance(tree, dict):
        return [p for k, v in tree.items() for p in non_finite(v, f"{path}.{k}")]
    if isinstance(tree, list | tuple):
        return [p for i, v in enumerate(tree) for p in non_finite(v, f"{path}[{i}]")]
    return []


def shares(tree: Any, path: str = "") -> list[tuple[str, Any]]:
    """(path, value) of every share and reintegration score in a summary."""
    out = []
    if isinstance(tree, dict):
        for k, v in tree.items():
            if isinstance(v, dict):
                out += shares(v, f"{path}.{k}")
            elif k.endswith("_share") or k.startswith("reintegration_"):
                out.append((f"{path}.{k}", v))
    return out


def run_checked(raw: dict[str, Any], seed: int = 1) -> ReturnModel:
    """Build and run ``raw`` month by month with every check; return the model."""
    model = ReturnModel(from_dict(raw, source="<extreme>"), rng=seed)
    check_month(model)
    while model.steps < model.months:
        model.step()
        check_month(model)
    spec, n = model.spec, model.spec["households.count"]
    ts = model.datacollector.get_model_vars_dataframe()
    assert len(ts) == model.months + 1
    assert np.isfinite(ts.to_numpy(dtype=float)).all(), ts.columns[~np.isfinite(ts).all()]
    # stocks are real households: the simulated ones times the weight
    assert np.allclose(ts[list(STOCKS)].sum(axis=1), n * model.weight, rtol=1e-9)
    for col in UNIT_COLUMNS:
        assert in_unit(ts[col]), col
    tol = 1e-9 * max(1.0, spec["budget.total"], spec["budget.monthly_ceiling"])
    assert (ts["budget_spending"] <= spec["budget.monthly_ceiling"] + tol).all()
    assert ts["budget_spending"].sum() <= spec["budget.total"] + tol
    assert (ts["budget_remaining"] >= -tol).all()
    summary = outcomes.summarize(model)
    assert not non_finite(summary), non_finite(summary)
    json.dumps(summary, allow_nan=False)
    for path, value in shares(summary):
        assert value is None or 0.0 <= value <= 1.0, (path, value)
    return model


# --------------------------------------------------------------- the cases
@EXTREME
@given(
    engine=ENGINES,
    start=st.sampled_from([(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]),
    months=st.integers(1, 24),
    seed=st.integers(0, 2**32 - 1),
)
def test_one_household(engine: str, start: tuple[float, float], months: int, seed: int) -> None:
    raw = sized(base(), engine, 1, months)
    raw["households"].update(initial_idp_share=start[0], initial_refugee_share=start[1])
    model = run_checked(raw, seed)
    assert model.pop.n == 1


def every_lever_asked_for(raw: dict[str, Any]) -> dict[str, Any]:
    """Every lever at the top of each of its ranges, switched on, all run long."""
    raw = copy.deepcopy(raw)
    for p in LEVER_PARAMS:
        section, name = p.key.split(".", 1)
        if section == "budget":
            continue
        if p.kind == "bool":
            value: Any = True
        elif p.kind in ("float", "int"):
            value = p.low if name == "start" else p.high
        else:
            continue
        raw.setdefault(section, {})[name] = value
    return raw


@EXTREME
@given(
    engine=ENGINES,
    total=st.sampled_from([0.0, 1.0]),
    ceiling=st.sampled_from([0.0, 0.5, 1e13]),
    pk=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_no_money_while_every_lever_is_asked_for(
    engine: str, total: float, ceiling: float, pk: bool, seed: int
) -> None:
    raw = sized(every_lever_asked_for(base()), engine, 40, 12)
    raw["households"].update(initial_idp_share=0.4, initial_refugee_share=0.3)
    raw["budget"].update(total=total, monthly_ceiling=ceiling, include_peacekeeping=pk)
    model = run_checked(raw, seed)
    assert model.budget.spent <= min(total, ceiling * model.months) + 1e-9


@EXTREME
@given(engine=ENGINES, troops=st.sampled_from([0, 200_000]), seed=st.integers(0, 2**32 - 1))
def test_every_place_at_war_always(engine: str, troops: int, seed: int) -> None:
    raw = sized(base(), engine, 60, 12)
    top = {p.key: p.high for p in PARAMS if p.key.startswith("conflict.") and p.high is not None}
    for key, value in top.items():
        raw["conflict"][key.split(".", 1)[1]] = value
    raw["conflict"]["schedule"] = [[0, top["conflict.schedule"]]]
    raw["conflict"]["security_scale"] = BY_KEY["conflict.security_scale"].low
    raw["conflict"]["destruction_scale"] = BY_KEY["conflict.destruction_scale"].low
    raw["peacekeeping"].update(troops=troops, police=troops // 4, deploy_month=0, ceiling=[])
    for place in raw["places"].values():
        place["violence"] = PLACE_BY_KEY["violence"].high
    model = run_checked(raw, seed)
    assert model.violence.events.min() > 0


@EXTREME
@given(engine=ENGINES, roads=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_nowhere_to_go(engine: str, roads: bool, seed: int) -> None:
    """The longest roads (or none), every refuge full at one household, camps closed,
    and a home area no road reaches (households displaced at month 0 start elsewhere)."""
    raw = sized(base(), engine, 60, 12)
    raw["households"].update(initial_idp_share=0.3, initial_refugee_share=0.3)
    for place in raw["places"].values():
        place["violence"] = 500.0
        if place["kind"] != "origin":
            place["capacity"] = 1
    raw["places"]["island"] = {"kind": "origin", "origin_share": 0.5, "violence": 500.0}
    longest = ROUTE_BY_KEY["km"].high
    raw["routes"] = [dict(r, km=longest) for r in raw["routes"]] if roads else []
    raw["camps"] = {"capacity": [[0, 0.0]], "assistance": [[0, 0.0]]}
    model = run_checked(raw, seed)
    island = model.places.index["island"]
    pop = model.pop
    native = pop.origin == island
    # No road leads there: those at home stayed, those displaced at month 0 never got back.
    stayed = native & (pop.times_displaced == 0)
    assert (pop.place[stayed] == island).all() and (pop.place[native & ~stayed] != island).all()
    assert (pop.place[~native] != island).all()


@st.composite
def registry_ends(draw: st.DrawFn) -> dict[str, Any]:
    """A few registry parameters, each at the low or the high end of its range."""
    raw = every_lever_asked_for(base()) if draw(st.booleans()) else base()
    for key in draw(st.lists(st.sampled_from(RANGED), min_size=2, max_size=6, unique=True)):
        p = BY_KEY[key]
        section, name = p.key.split(".", 1)
        raw.setdefault(section, {})[name] = draw(st.sampled_from([p.low, p.high]))
    h = raw["households"]
    if h.get("initial_idp_share", 0.0) + h.get("initial_refugee_share", 0.0) > 1.0:
        h["initial_refugee_share"] = 1.0 - h["initial_idp_share"]
    for key in draw(st.lists(st.sampled_from(SCHEDULES), max_size=2, unique=True)):
        p = BY_KEY[key]
        section, name = p.key.split(".", 1)
        raw.setdefault(section, {})[name] = [[0, draw(st.sampled_from([p.low, p.high]))]]
    if raw.get("camps", {}).get("capacity"):  # a camp with no limit cannot be closed
        for place in raw["places"].values():
            if place["kind"] == "refugee_camp" and not place["capacity"]:
                place["capacity"] = 1
    for place in raw["places"].values():
        key = draw(st.sampled_from(["violence", "services", "livelihood", "housing_damage"]))
        param = PLACE_BY_KEY[key]
        place[key] = draw(st.sampled_from([param.low, param.high]))
    return raw


@settings(EXTREME, max_examples=30)
@given(
    raw=registry_ends(),
    engine=ENGINES,
    households=st.sampled_from([1, 3, 50]),
    months=st.integers(1, 8),
    seed=st.integers(0, 2**32 - 1),
)
def test_registry_extremes_together(
    raw: dict[str, Any], engine: str, households: int, months: int, seed: int
) -> None:
    run_checked(sized(raw, engine, households, months), seed)


@pytest.mark.parametrize("engine", ["arrays", "agents"])
def test_free_roads(engine: str) -> None:
    """Regression: distance_cost = 0 times the inf padding of places with fewer roads was
    0 x inf = NaN (masked, but warned about every month)."""
    raw = sized(base(), engine, 20, 3)
    raw["decision"]["distance_cost"] = BY_KEY["decision.distance_cost"].low
    run_checked(raw)
