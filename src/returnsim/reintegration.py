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

Durable solutions: the eight criteria of the IASC Framework on Durable
Solutions for IDPs (2010), each binary per household (:func:`criteria`), and
benchmarked as IRIS/EGRIS do against the never-displaced residents of the same
place (:func:`benchmark`). Rules (place values where the household lives):

1. ``safety`` (long-term safety and security): security here meets the safety
   the household needs (``no_wish_to_leave``).
2. ``standard_of_living`` (adequate standard of living): services at least
   ``outcomes.solution_services_min`` and food security at least
   ``outcomes.solution_food_min``.
3. ``livelihood`` (livelihoods and employment): livelihood access at least
   ``outcomes.solution_livelihood_min``.
4. ``housing_land_property`` (HLP restitution): own home intact.
5. ``documentation``: has civil documentation.
6. ``family_reunification``: no member lost in flight and not yet reunited
   (``~pop.separated``; separation and reunification: ``decision.separation_share``,
   ``decision.reunification_rate``).
7. ``public_participation`` (participation in public affairs on an equal basis
   with residents): living in the country (refugees abroad cannot take part at
   home), documented (civil documents are needed to register and vote), trust
   in institutions at least ``outcomes.solution_trust_min`` and acceptance by
   the community (place cohesion) at least ``outcomes.solution_acceptance_min``.
8. ``remedies_and_justice`` (access to effective remedies and justice):
   documented (legal identity is needed to bring a claim; protection.py opens
   HLP claims to the documented only) and trust in institutions at least
   ``outcomes.solution_justice_trust_min`` (confidence enough to use courts and
   claims mechanisms). Legal aid declares no household column of a case in
   process, so it counts through the documents it restores.

Criteria 1-5 are the IRIS/EGRIS criteria scored before; 6-8 are the IASC
criteria 6-8, their rules and cut-offs assumptions set here. ``all``: every
criterion met.

Benchmark (IRIS/EGRIS): a household is compared with the never-displaced
households living at its *benchmark place*: where it lives now; where no
never-displaced household lives there (camps, the border, a town of refuge,
abroad), the residents of its origin; where its origin has none either, all
never-displaced households. A household is *no worse off than residents* on a
criterion when it meets it, or when fewer than ``outcomes.benchmark_parity``
of its benchmark residents meet it (residents of the place mostly do not meet
it either); on ``all``, when it is no worse off on every criterion.
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
        key="outcomes.solution_trust_min",
        default=0.4,
        unit="index 0-1",
        doc="Trust in institutions needed for the durable-solution criterion participation "
        "in public affairs",
        source="assumption (IASC Framework 2010 criterion 7; the cut-off is set here)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="outcomes.solution_acceptance_min",
        default=0.4,
        unit="index 0-1",
        doc="Acceptance by the community where one lives (place cohesion) needed for the "
        "durable-solution criterion participation in public affairs",
        source="assumption (IASC Framework 2010 criterion 7; the cut-off is set here)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="outcomes.solution_justice_trust_min",
        default=0.5,
        unit="index 0-1",
        doc="Trust in institutions needed for the durable-solution criterion access to "
        "effective remedies and justice (with civil documentation)",
        source="assumption (IASC Framework 2010 criterion 8; the cut-off is set here)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="outcomes.benchmark_parity",
        default=0.5,
        unit="share",
        doc="A household not meeting a durable-solution criterion is still no worse off than "
        "the never-displaced residents of its benchmark place when fewer than this share "
        "of them meet it",
        source="assumption (IRIS 2023 / EGRIS: benchmark against the non-displaced "
        "residents of the same area; the parity level is set here)",
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
#: The eight IASC criteria, in the Framework's order (see the module docstring).
CRITERIA = (
    "safety",
    "standard_of_living",
    "livelihood",
    "housing_land_property",
    "documentation",
    "family_reunification",
    "public_participation",
    "remedies_and_justice",
)

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
    """The eight IASC durable-solution criteria met (booleans) for households ``ids``, and
    ``all`` (rules: the module docstring).

    ``values``: the indicators of ``ids`` if already computed.
    """
    values = indicators(model, ids) if values is None else values
    pop, p = model.pop, model.p
    o = p.outcomes
    social = values["social"]
    documented = pop.documented[ids]
    trust = social["trust"]
    at_home_country = ~model.places.abroad[pop.place[ids]]
    met = {
        "safety": values["psychosocial"]["no_wish_to_leave"] > 0,
        "standard_of_living": (social["services"] >= o.solution_services_min)
        & (values["economic"]["food_security"] >= o.solution_food_min),
        "livelihood": values["economic"]["livelihood"] >= o.solution_livelihood_min,
        "housing_land_property": pop.housing[ids] == Housing.INTACT,
        "documentation": documented,
        "family_reunification": ~pop.separated[ids],
        "public_participation": at_home_country
        & documented
        & (trust >= o.solution_trust_min)
        & (social["acceptance"] >= o.solution_acceptance_min),
        "remedies_and_justice": documented & (trust >= o.solution_justice_trust_min),
    }
    met["all"] = np.logical_and.reduce(list(met.values()))
    return met


def benchmark_place(model: World) -> np.ndarray:
    """Each household's benchmark place: where it lives, or its origin where no
    never-displaced household lives (camps, the border, a town of refuge, abroad); -1 where
    its origin has none either (then all never-displaced households are the benchmark)."""
    pop = model.pop
    never = pop.times_displaced == 0
    residents = np.bincount(pop.place[never], minlength=model.places.n) > 0
    place = pop.place.astype(np.intp)
    origin = pop.origin.astype(np.intp)
    return np.where(residents[place], place, np.where(residents[origin], origin, -1))


def benchmark(
    model: World, met: dict[str, np.ndarray], bench: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Share of the never-displaced residents of each household's benchmark place
    (``bench``: :func:`benchmark_place`, computed if not given) who meet each criterion,
    one value per household.

    ``met``: criteria of every household (:func:`criteria` on ``slice(None)``). NaN when no
    household was never displaced (no benchmark: only meeting a criterion counts).
    """
    pop = model.pop
    never = pop.times_displaced == 0
    where = pop.place[never]
    count = np.bincount(where, minlength=model.places.n).astype(np.float64)
    bench = benchmark_place(model) if bench is None else bench
    known = bench >= 0
    out = {}
    for name, values in met.items():
        hits = np.bincount(where, weights=values[never], minlength=model.places.n)
        hits = hits.astype(np.float64)  # bincount of no residents is int64 even with weights
        local = np.divide(hits, count, out=np.zeros_like(hits), where=count > 0)
        overall = float(values[never].mean()) if never.any() else np.nan
        out[name] = np.where(known, local[np.where(known, bench, 0)], overall)
    return out


def no_worse_than_residents(
    model: World, met: dict[str, np.ndarray], residents: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Households no worse off than the residents of their benchmark place, per criterion:
    met, or fewer than ``outcomes.benchmark_parity`` of those residents meet it; ``all``:
    no worse off on every criterion.

    ``residents``: :func:`benchmark` of ``met``.
    """
    parity = model.p.outcomes.benchmark_parity
    out = {name: met[name] | (residents[name] < parity) for name in CRITERIA}
    out["all"] = np.logical_and.reduce([out[name] for name in CRITERIA])
    return out


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
