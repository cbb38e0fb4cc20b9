"""Reintegration as practitioners measure it, computed from household state.

Three dimensions in the manner of IOM's Reintegration Sustainability Index
(RSI: economic, social and psychosocial indicators, each scored 0-1 and
averaged within its dimension). A household is *sustainably reintegrated*
when every dimension reaches ``outcomes.reintegration_threshold``.

Indicators (all in [0, 1]; place values are those where the household lives):

- economic: livelihood access (place livelihood x (0.5 + 0.5 skills) plus
  programme boost), housing (own home intact and lived in; half while post-
  return shelter support lasts; camp shelter by aid coverage), food security
  (aid coverage, post-return food support, or livelihood), assets (assets /
  (assets + median assets)), freedom from debt;
- social: access to services, schooling (children; 1 with no children),
  civil documentation, acceptance by the community (cohesion), trust in
  institutions;
- psychosocial: wellbeing (1 - trauma), feeling safe (security here), social
  ties, no wish to leave again (security here meets one's threshold).

Durable solutions follow the IRIS/EGRIS criteria, each binary per household
and benchmarked against households never displaced: safety and security,
adequate standard of living, livelihoods and employment, housing, land and
property, and documentation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from returnsim import rules
from returnsim.households import Housing, Status
from returnsim.param import Param

if TYPE_CHECKING:
    from returnsim.world import World


#: The ``outcomes.*`` parameters, declared beside the code that reads them (the registry,
#: ``returnsim.parameters``, gathers every module's).
PARAMS: tuple[Param, ...] = (
    Param(
        key="outcomes.reintegration_threshold",
        default=0.5,
        unit="score 0-1",
        doc="Score every reintegration dimension must reach for a household to count as "
        "sustainably reintegrated",
        source="assumption in the manner of IOM's Reintegration "
        "Sustainability Index (programme-set cut-offs)",
        low=0.1,
        high=0.9,
    ),
    Param(
        key="outcomes.solution_services_min",
        default=0.4,
        unit="index 0-1",
        doc="Access to services needed for the durable-solution standard-of-living criterion",
        source="assumption (IRIS/EGRIS criteria; the cut-off is set here)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="outcomes.solution_food_min",
        default=0.5,
        unit="index 0-1",
        doc="Food security needed for the durable-solution standard-of-living criterion",
        source="assumption (IRIS/EGRIS criteria; the cut-off is set here)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="outcomes.solution_livelihood_min",
        default=0.4,
        unit="index 0-1",
        doc="Livelihood needed for the durable-solution livelihood criterion",
        source="assumption (IRIS/EGRIS criteria; the cut-off is set here)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="outcomes.horizon_months",
        default=24,
        unit="months",
        doc="Horizon N for the headline 'returns within N months' of the start",
        source="user",
        low=1,
        high=1200,
        kind="int",
    ),
)

DIMENSIONS = ("economic", "social", "psychosocial")
CRITERIA = ("safety", "standard_of_living", "livelihood", "housing_land_property", "documentation")

#: Rows used for the monthly index columns: households are drawn independently,
#: so the first rows are a simple random sample (summary.json uses all rows).
MONTHLY_SAMPLE = 50_000


def indicators(model: World, ids: np.ndarray | slice) -> dict[str, dict[str, np.ndarray]]:
    """Indicator values for households ``ids``, grouped by dimension."""
    pop, places, p = model.pop, model.places, model.p
    place = pop.place[ids]
    at_home = place == pop.origin[ids]
    support = pop.support_months[ids] > 0
    cover = places.aid_coverage[place]
    livelihood = np.minimum(
        1.0, places.livelihood[place] * (0.5 + 0.5 * pop.skills[ids]) + pop.livelihood_boost[ids]
    )
    intact = pop.housing[ids] == Housing.INTACT
    housing = np.where(at_home, np.where(intact, 1.0, 0.5 * support), 0.5 * cover)
    food = np.maximum(
        np.maximum(cover, support.astype(np.float64)), np.minimum(1.0, 2 * livelihood)
    )
    assets = pop.assets[ids].astype(np.float64)
    median = max(p.households.assets_median, 1.0)
    debt_free = 1.0 - pop.loan[ids] / (pop.loan[ids] + assets + median)
    security = places.security[place]
    return {
        "economic": {
            "livelihood": livelihood,
            "housing": housing,
            "food_security": food,
            "assets": assets / (assets + median),
            "debt_free": debt_free,
        },
        "social": {
            "services": places.effective_services()[place],
            "schooling": np.where(pop.has_children(ids), places.education[place], 1.0),
            "documentation": pop.documented[ids].astype(np.float64),
            "acceptance": places.cohesion[place],
            "trust": pop.trust[ids].astype(np.float64),
        },
        "psychosocial": {
            "wellbeing": 1.0 - pop.trauma[ids],
            "feeling_safe": security,
            "social_ties": pop.ties[ids].astype(np.float64),
            "no_wish_to_leave": (
                security >= rules.safety_needed(p.decision, pop.threshold[ids], pop.trauma[ids])
            ).astype(np.float64),
        },
    }


Indicators = dict[str, dict[str, np.ndarray]]


def scores(
    model: World, ids: np.ndarray | slice, values: Indicators | None = None
) -> dict[str, np.ndarray]:
    """Score per dimension (mean of its indicators) and the sustainably reintegrated flag.

    ``values``: the indicators of ``ids`` if already computed.
    """
    values = indicators(model, ids) if values is None else values
    out = {
        dim: np.clip(np.mean(list(ind.values()), axis=0), 0.0, 1.0) for dim, ind in values.items()
    }
    cut = model.p.outcomes.reintegration_threshold
    out["sustainable"] = np.logical_and.reduce([out[d] >= cut for d in DIMENSIONS])
    return out


def criteria(
    model: World, ids: np.ndarray | slice, values: Indicators | None = None
) -> dict[str, np.ndarray]:
    """IRIS/EGRIS durable-solution criteria met (booleans) for households ``ids``.

    ``values``: the indicators of ``ids`` if already computed.
    """
    values = indicators(model, ids) if values is None else values
    pop, p = model.pop, model.p
    met = {
        "safety": values["psychosocial"]["no_wish_to_leave"] > 0,
        "standard_of_living": (values["social"]["services"] >= p.outcomes.solution_services_min)
        & (values["economic"]["food_security"] >= p.outcomes.solution_food_min),
        "livelihood": values["economic"]["livelihood"] >= p.outcomes.solution_livelihood_min,
        "housing_land_property": pop.housing[ids] == Housing.INTACT,
        "documentation": pop.documented[ids],
    }
    met["all"] = np.logical_and.reduce(list(met.values()))
    return met


def monthly_means(model: World) -> dict[str, float]:
    """Reintegration of returnees this month, on the monthly sample (0 when there are none)."""
    rows = slice(0, min(model.pop.n, MONTHLY_SAMPLE))
    back = np.flatnonzero(model.pop.status[rows] == Status.RETURNED)
    if len(back) == 0:
        return {f"reintegration_{d}": 0.0 for d in DIMENSIONS} | {
            "sustainably_reintegrated_share": 0.0
        }
    sc = scores(model, back)
    out = {f"reintegration_{d}": float(sc[d].mean()) for d in DIMENSIONS}
    out["sustainably_reintegrated_share"] = float(sc["sustainable"].mean())
    return out
