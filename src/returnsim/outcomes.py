"""Headline outcomes of a run, overall and by group, for ``summary.json``.

Everything here is read from the model after (or during) a run: the
household arrays (``model.pop``) for who is where now, and the monthly
time series (the DataCollector's model variables) for flows and peaks.
Nothing here changes the model.

Vocabulary:

- *ever displaced*: a household that was away from home at month 0 or fled
  later (``times_displaced > 0``).
- *returned*: status RETURNED, i.e. back at its own home after displacement.
  A household that returned to a nearby place instead (return elsewhere) or
  integrated locally is *settled elsewhere*, not returned.
- *still displaced*: an internally displaced person (IDP) or refugee now.
- a *share* is null (``None``) when its denominator is 0.

To add an outcome for every group (e.g. a reintegration index), extend
:func:`household_outcomes`; to add a whole section (e.g. costs), write a
function ``model -> dict`` and add it to :data:`SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from returnsim import reintegration, rules
from returnsim.households import GONE, PERSON_GROUPS, Population, Status, persons_by
from returnsim.places import PlaceKind

if TYPE_CHECKING:
    from returnsim.model import ReturnModel

#: Head-of-household age groups: label -> (lowest age, highest age), inclusive.
AGE_GROUPS: dict[str, tuple[int, int]] = {"18-34": (18, 34), "35-59": (35, 59), "60+": (60, 255)}


def share(part: float, whole: float) -> float | None:
    """``part / whole`` as a float, or None when ``whole`` is 0 (undefined)."""
    return float(part) / float(whole) if whole else None


def household_outcomes(
    pop: Population,
    mask: np.ndarray | None = None,
    scores: dict[str, np.ndarray] | None = None,
    weight: float = 1,
) -> dict[str, Any]:
    """Status and reintegration outcomes at the end for the households in ``mask`` (all if None).

    Returns counts of ``households``, ``ever_displaced``, ``returned``,
    ``still_displaced``, ``settled_elsewhere`` and ``resettled`` (to a third country),
    and ``returned_share`` and ``still_displaced_share``, both as shares of the ever displaced. With
    ``scores`` (reintegration scores of every household, see
    :func:`reintegration.scores`), also the mean score of returnees in each
    dimension and the count and share of returnees sustainably reintegrated. Counts are
    real households: simulated ones times ``weight`` (``households.population``).
    """
    sel = slice(None) if mask is None else mask
    status = pop.status[sel]
    counts = np.bincount(status, minlength=len(Status))
    ever = int(np.count_nonzero(pop.times_displaced[sel]))
    returned = int(counts[Status.RETURNED])
    still = int(counts[Status.INTERNALLY_DISPLACED] + counts[Status.REFUGEE])

    def w(n: int) -> int:
        return n if weight == 1 else round(n * weight)

    out: dict[str, Any] = {
        "households": w(len(status)),
        "ever_displaced": w(ever),
        "returned": w(returned),
        "still_displaced": w(still),
        "settled_elsewhere": w(int(counts[Status.SETTLED_ELSEWHERE])),
        "resettled": w(int(counts[Status.RESETTLED])),
        "returned_share": share(returned, ever),
        "still_displaced_share": share(still, ever),
    }
    if scores is not None:
        back = status == Status.RETURNED
        for dim in reintegration.DIMENSIONS:
            values = scores[dim][sel][back]
            out[f"reintegration_{dim}"] = float(values.mean()) if returned else None
        sustainable = int(np.count_nonzero(scores["sustainable"][sel][back]))
        out["sustainably_reintegrated"] = w(sustainable)
        out["sustainably_reintegrated_share"] = share(sustainable, returned)
    return out


def group_masks(pop: Population) -> dict[str, dict[str, np.ndarray]]:
    """Boolean row masks of the disaggregation groups, by dimension.

    Within ``sex_of_head``, ``head_age`` and the pair ``any_vulnerable`` /
    ``none_vulnerable`` the groups partition the households; ``older_member``,
    ``disability``, ``protection_risk`` and ``with_children`` may overlap.
    """
    vulnerable = pop.vulnerable
    age = pop.head_age
    return {
        "sex_of_head": {"female_head": pop.female_head, "male_head": ~pop.female_head},
        "head_age": {label: (age >= lo) & (age <= hi) for label, (lo, hi) in AGE_GROUPS.items()},
        "vulnerability": {
            "older_member": pop.older,
            "disability": pop.disability,
            "protection_risk": pop.protection_risk,
            "with_children": pop.children > 0,
            "any_vulnerable": vulnerable,
            "none_vulnerable": ~vulnerable,
        },
    }


def by_group(model: ReturnModel) -> dict[str, Any]:
    """``by_group`` (sex and age of head, vulnerability) and ``by_origin`` (place name)."""
    pop = model.pop
    sc = household_scores(model)
    w = model.weight
    groups = {
        dim: {name: household_outcomes(pop, mask, sc, w) for name, mask in masks.items()}
        for dim, masks in group_masks(pop).items()
    }
    names = model.places.names
    by_origin = {
        names[o]: household_outcomes(pop, pop.origin == o, sc, w) for o in model.places.origins
    }
    return {"by_group": groups, "by_origin": by_origin}


def by_person(model: ReturnModel) -> dict[str, Any]:
    """``by_person``: outcomes at the end in persons, by sex and age band of persons and for
    all members of female-headed, disability and protection-risk households.

    Per group: ``persons``, ``ever_displaced``, ``returned``, ``still_displaced``,
    ``settled_elsewhere``, ``resettled`` (persons), ``returned_share`` of the ever displaced.
    """
    pop = model.pop
    by_status = model.tally.persons_by_group
    ever = np.flatnonzero(pop.times_displaced > 0)
    sums = {
        "persons": by_status.sum(axis=0),
        "ever_displaced": persons_by(np.zeros(len(ever), np.intp), pop, ever, 1)[0],
        "returned": by_status[Status.RETURNED],
        "still_displaced": by_status[Status.INTERNALLY_DISPLACED] + by_status[Status.REFUGEE],
        "settled_elsewhere": by_status[Status.SETTLED_ELSEWHERE],
        "resettled": by_status[Status.RESETTLED],
    }
    out = {}
    for j, name in enumerate(PERSON_GROUPS):
        row = {k: int(np.rint(v[j] * model.weight)) for k, v in sums.items()}
        row["returned_share"] = share(row["returned"], row["ever_displaced"])
        out[name] = row
    return {"by_person": out}


def _n(x: float) -> int:
    """A count at real scale as a whole number."""
    return round(float(x))


def _series(model: ReturnModel, column: str) -> np.ndarray:
    """One column of the monthly time series (month 0 first)."""
    return np.asarray(model.datacollector.model_vars[column], dtype=np.float64)


def first_month_reaching(cumulative: np.ndarray, months: np.ndarray, level: float) -> int | None:
    """First month at which ``cumulative`` reaches ``level`` (> 0), or None if never."""
    if level <= 0:
        return None
    hit = np.flatnonzero(cumulative >= level)
    return int(months[hit[0]]) if len(hit) else None


def headline(model: ReturnModel) -> dict[str, Any]:
    """Headline outcomes of the whole population: stocks at the end, flows, peaks, exposure.

    ``returns_total`` counts returns home (new_returns); returns to a place
    other than home are ``returns_elsewhere_total``. ``redisplacement_rate``
    is redisplacements of returnees per return home. ``months_to_half_returned``
    is the first month when cumulative returns home reach half the peak
    displaced stock (IDPs + refugees).
    """
    pop = model.pop
    months = _series(model, "month").astype(np.int64)
    displaced = _series(model, "internally_displaced") + _series(model, "refugees")
    peak_at = int(np.argmax(displaced))
    returns = _series(model, "new_returns")
    redisplacements = _n(_series(model, "redisplacements").sum())
    returns_total = _n(returns.sum())
    returns_elsewhere = _n(_series(model, "returns_elsewhere").sum())
    overall = household_outcomes(pop, None, household_scores(model), model.weight)
    horizon = model.p.outcomes.horizon_months
    return {
        "households": overall["households"],
        "ever_displaced": overall["ever_displaced"],
        "returned": overall["returned"],
        "returned_share": overall["returned_share"],
        "still_displaced": overall["still_displaced"],
        "still_displaced_share": overall["still_displaced_share"],
        "settled_elsewhere": overall["settled_elsewhere"],
        **{k: v for k, v in overall.items() if k.startswith(("reintegration_", "sustainably"))},
        "peak_displaced": _n(displaced[peak_at]),
        "peak_displaced_month": int(months[peak_at]),
        "returns_total": returns_total,
        "returns_elsewhere_total": returns_elsewhere,
        "returned_to_origin_share": share(returns_total, returns_total + returns_elsewhere),
        f"returns_within_{horizon}_months": _n(returns[months <= horizon].sum()),
        "redisplacements_total": redisplacements,
        "redisplacement_rate": share(redisplacements, returns_total),
        "months_to_half_returned": first_month_reaching(
            np.cumsum(returns), months, displaced[peak_at] / 2.0
        ),
        "person_months_exposed": float(model.person_months_exposed),
        "violence_total": float(_series(model, "violence").sum()),
        "intending_return_total": _n(_series(model, "intending_return").sum()),
        "unable_to_return_total": _n(_series(model, "unable_to_return").sum()),
        "secondary_moves_total": _n(_series(model, "secondary_moves").sum()),
        "onward_abroad_total": _n(_series(model, "onward_abroad").sum()),
        **voluntariness(model, returns_total + returns_elsewhere),
    }


def voluntariness(model: ReturnModel, chosen: int) -> dict[str, Any]:
    """Returns by how free they were: chosen returns (home or elsewhere) are voluntary or
    induced (``induced_returns``: not chosen without a camp closure or an assistance
    cut); deportations and pushbacks to home are forced and not among the chosen."""
    induced = _n(_series(model, "induced_returns").sum())
    forced = _n(_series(model, "forced_returns").sum())
    return {
        "voluntary_returns_total": chosen - induced,
        "induced_returns_total": induced,
        "forced_returns_total": forced,
        "pushbacks_total": _n(_series(model, "pushbacks").sum()),
        "voluntary_return_share": share(chosen - induced, chosen + forced),
    }


def _evaluate(model: ReturnModel) -> tuple[reintegration.Indicators, dict[str, np.ndarray]]:
    """Indicators and scores of every household now, computed once per month and kept."""
    cached = getattr(model, "_final_scores", None)
    if cached is None or cached[0] != model.steps:
        values = reintegration.indicators(model, slice(None))
        cached = (model.steps, values, reintegration.scores(model, slice(None), values))
        model._final_scores = cached
    return cached[1], cached[2]


def household_scores(model: ReturnModel) -> dict[str, np.ndarray]:
    """Reintegration scores of every household now."""
    return _evaluate(model)[1]


def costs(model: ReturnModel) -> dict[str, Any]:
    """Spending: the mission, programmes and their sum, by lever, the budget, and
    cost-effectiveness.

    ``total_cost`` is everything spent: ``programme_cost`` (the levers) plus
    ``peacekeeping_cost`` (the mission, whoever pays). ``budget_spent`` is what the
    budget paid (``budget_covers``: programmes, and the mission when
    ``budget.include_peacekeeping``). ``cost_per_sustainably_reintegrated`` and
    ``cost_per_return`` divide the total cost, ``programme_cost_per_*`` the programmes'
    cost, by returnees sustainably reintegrated at the end and by returns.
    """
    budget = model.budget
    programmes = float(sum(lv.spent_total for lv in model.levers.values()))
    mission = float(budget.peacekeeping_total)
    total = programmes + mission
    sustainable = model.weight * int(
        np.count_nonzero(
            household_scores(model)["sustainable"] & (model.pop.status == Status.RETURNED)
        )
    )
    returns = _n(_series(model, "new_returns").sum())
    limited = budget.total < 1e11
    return {
        "total_cost": total,
        "programme_cost": programmes,
        "peacekeeping_cost": mission,
        "spending_by_lever": {key: float(lv.spent_total) for key, lv in model.levers.items()},
        "budget_covers": budget.covers,
        "budget_spent": float(budget.spent),
        "budget_total": budget.total if limited else None,
        "budget_unspent": float(budget.remaining) if limited else None,
        "cost_per_sustainably_reintegrated": total / sustainable if sustainable else None,
        "cost_per_return": total / returns if returns else None,
        "programme_cost_per_sustainably_reintegrated": (
            programmes / sustainable if sustainable else None
        ),
        "programme_cost_per_return": programmes / returns if returns else None,
        "levers": {
            key: at_scale(lever.summary(), lever.counted, model.weight)
            for key, lever in model.levers.items()
            if hasattr(lever, "summary")
        },
    }


def at_scale(values: dict[str, Any], counted: tuple[str, ...], weight: float) -> dict[str, Any]:
    """``values`` with the numbers under keys beginning with one of ``counted`` (simulated
    counts, also in nested tables) times ``weight``: at real scale."""
    if weight == 1 or not counted:
        return values
    return {k: _scaled(k, v, counted, weight) for k, v in values.items()}


def _scaled(key: str, value: Any, counted: tuple[str, ...], weight: float) -> Any:
    if isinstance(value, dict):
        return {k: _scaled(k, v, counted, weight) for k, v in value.items()}
    if key.startswith(counted) and isinstance(value, int | float) and value is not True:
        return value * weight
    return value


def durable_solutions(model: ReturnModel) -> dict[str, Any]:
    """The eight IASC durable-solution criteria and ``all`` (``reintegration.criteria``), by
    status group, with the IRIS/EGRIS benchmark against the never-displaced residents of the
    same place (``reintegration.benchmark``).

    Per criterion: the share meeting it of each group (``returned``,
    ``settled_elsewhere``, ``still_displaced``, ``never_displaced``, and
    ``ever_displaced``); ``gap_returned_vs_never_displaced`` (returnees minus all
    never-displaced households); and for each ever-displaced group:
    ``residents_share`` (share of the residents of each household's benchmark place
    meeting it, averaged over the group's households), ``gap_vs_residents`` (the group's
    share minus ``residents_share``: the gap between the group and the residents of the
    places it lives in, weighted by its households there) and
    ``no_worse_than_residents`` (share met or below residents' parity,
    ``outcomes.benchmark_parity``). ``benchmark`` says where each group is benchmarked:
    ``at_current_place``, ``at_origin`` (no never-displaced residents where it lives)
    or ``population_wide`` (none at its origin either).
    """
    pop = model.pop
    met = reintegration.criteria(model, slice(None), _evaluate(model)[0])
    place = reintegration.benchmark_place(model)
    residents = reintegration.benchmark(model, met, place)
    fine = reintegration.no_worse_than_residents(model, met, residents)
    # those resettled abroad or dissolved are no longer at a place to be compared
    here = ~np.isin(pop.status, GONE)
    ever = (pop.times_displaced > 0) & here
    status_groups = {
        "returned": pop.status == Status.RETURNED,
        "settled_elsewhere": pop.status == Status.SETTLED_ELSEWHERE,
        "still_displaced": (pop.status == Status.INTERNALLY_DISPLACED)
        | (pop.status == Status.REFUGEE),
    }
    displaced = status_groups | {"ever_displaced": ever}
    groups = status_groups | {"never_displaced": here & ~ever, "ever_displaced": ever}
    sizes = {g: np.count_nonzero(m) for g, m in groups.items()}

    def mean(values: np.ndarray, g: str) -> float | None:
        value = float(values[displaced[g]].mean()) if sizes[g] else np.nan
        return None if np.isnan(value) else value  # no benchmark when none never displaced

    out: dict[str, Any] = {}
    for name, values in met.items():
        row: dict[str, Any] = {
            g: share(np.count_nonzero(values & m), sizes[g]) for g, m in groups.items()
        }
        base, back = row["never_displaced"], row["returned"]
        row["gap_returned_vs_never_displaced"] = (
            back - base if back is not None and base is not None else None
        )
        bench = {g: mean(residents[name], g) for g in displaced}
        row["residents_share"] = bench
        row["gap_vs_residents"] = {
            g: row[g] - bench[g] if bench[g] is not None else None for g in displaced
        }
        row["no_worse_than_residents"] = {
            g: share(np.count_nonzero(fine[name] & m), sizes[g]) for g, m in displaced.items()
        }
        out[name] = row
    kinds = {
        "at_current_place": place == pop.place,
        "at_origin": (place >= 0) & (place != pop.place),
        "population_wide": place < 0,
    }
    out["benchmark"] = {
        k: {g: share(np.count_nonzero(where & m), sizes[g]) for g, m in displaced.items()}
        for k, where in kinds.items()
    }
    return {"durable_solutions": out}


def return_gap(model: ReturnModel) -> dict[str, Any]:
    """Hope, intention and actual return among those away from home (EVIDENCE.md fact 4).

    Among households displaced or settled elsewhere now, or returned in the
    last 12 months: ``hope_share`` have not given up return (not settled),
    ``intention_share`` are displaced and believe home safe enough to go
    (return is in their choice set), ``returned_12m_share`` went home in the
    last 12 months.
    """
    pop = model.pop
    displaced = (pop.status == Status.INTERNALLY_DISPLACED) | (pop.status == Status.REFUGEE)
    settled = pop.status == Status.SETTLED_ELSEWHERE
    recent = (pop.status == Status.RETURNED) & (pop.return_month > model.steps - 12)
    base = int(np.count_nonzero(displaced | settled | recent))
    needed = rules.safety_needed(model.p.decision, pop.threshold, pop.trauma)
    intend = displaced & (pop.belief_security >= needed)
    return {
        "hope_share": share(np.count_nonzero(displaced | recent), base),
        "intention_share": share(np.count_nonzero(intend | recent), base),
        "returned_12m_share": share(np.count_nonzero(recent), base),
    }


def final_places(model: ReturnModel) -> dict[str, Any]:
    """Where households are at the end: households and persons by place, with kind and abroad.

    It tells onward movement from return where a scenario needs it (e.g.
    scenarios/border_standoff.toml: settling in a place abroad is onward movement).
    """
    places, tally = model.places, model.tally
    return {
        "final_places": {
            name: {
                "kind": PlaceKind(int(places.kind[i])).name.lower(),
                "abroad": bool(places.abroad[i]),
                "households": int(tally.households[i]) * model.weight,
                "persons": float(tally.persons[i]) * model.weight,
            }
            for i, name in enumerate(places.names)
        }
    }


def mortality(model: ReturnModel) -> dict[str, Any]:
    """Deaths and births over the run (``demography``), and the mortality of the displaced
    against the Sphere emergency thresholds (crude 1, under-5 2 per 10,000 a day).

    ``months_cmr_above_sphere`` and ``months_u5mr_above_sphere`` count the months the
    displaced were above them; ``peak_cmr_displaced`` and ``mean_cmr_camps`` (over the
    months with anyone in a camp) are per 10,000 a day."""
    from returnsim.demography import SPHERE_CMR, SPHERE_U5MR

    ts = model.datacollector.get_model_vars_dataframe().iloc[1:]
    cmr, u5, camps = ts["cmr_displaced"], ts["u5mr_displaced"], ts["cmr_camps"]
    lived = camps[camps > 0]
    return {
        "mortality": {
            **model.demography.summary(),
            "months_cmr_above_sphere": int((cmr > SPHERE_CMR).sum()),
            "months_u5mr_above_sphere": int((u5 > SPHERE_U5MR).sum()),
            "peak_cmr_displaced": float(cmr.max()) if len(cmr) else 0.0,
            "mean_cmr_camps": float(lived.mean()) if len(lived) else None,
            "deaths_in_flight": _n(ts["deaths_in_flight"].sum()),
            "deaths_pushed_back": _n(ts["deaths_pushed_back"].sum()),
        }
    }


#: Sections of the summary, merged in this order. Append ``model -> dict`` functions.
SECTIONS: list[Callable[[ReturnModel], dict[str, Any]]] = [
    headline,
    costs,
    return_gap,
    durable_solutions,
    final_places,
    mortality,
    by_group,
    by_person,
]


def summarize(model: ReturnModel, sections: Sequence[Callable[..., dict]] | None = None) -> dict:
    """Headline and disaggregated outcomes of a run, JSON-ready (plain numbers, no NaN)."""
    out: dict[str, Any] = {
        "scenario": model.spec.name,
        "seed": int(model.seed),
        "months": int(model.steps),
        # counts below are real: simulated households times the weight
        "simulated_households": int(model.pop.n),
        "weight": float(model.weight),
        "population": float(model.p.households.population) or None,
    }
    for section in SECTIONS if sections is None else sections:
        out.update(section(model))
    return out
