"""The household rule: every formula of a household's month, with its equation and source.

This module is the one place where the decision rule is written. Its
functions are elementwise: they take NumPy arrays (the vectorized engine,
``engine.py``, passes every deliberating household at once) or single
values (the per-object engine, ``reference.py``, passes one ``Household``
agent's), and give the same numbers either way. Storage (the population
arrays, float32 rounding on write), the order of random draws and counting
flows belong to the engines, not here.

``d`` is the ``decision`` section of the scenario's parameters
(:func:`returnsim.param.params`); every weight has its unit, range and
source in the registry (``returnsim describe decision``).

The month of a household, in order:

1. **Beliefs** (displaced only). Beliefs about security and conditions at
   home move toward the truth at the learning rate
   ``r = min(1, info_rate + info_bonus + ties_info_rate x ties x back_share)``:
   information lags, and grows with social ties and with the share of one's
   origin already back (network learning; Koser & Kuschminder 2015,
   Alrababah et al. 2023). Assets run down by ``asset_depletion`` a month,
   less where aid covers needs.
2. **Threat, need and trauma.** Under threat when security here is below
   one's own threshold; trauma decays by ``trauma_recovery`` and, under
   threat, rises by ``trauma_rate x (1 - trauma)``. Short of need when the
   place's livelihood or services fall below what a household needs
   (:func:`deprivation`, :func:`need_gap`): droughts, collapsed services and
   aid cuts. The threatened deliberate; the displaced review at
   ``review_rate`` a month; others short of need weigh leaving with a chance
   that grows with the shortfall (:func:`weighs_leaving`).
3. **Choice.** A random-utility (logit) choice among stay, move, return and
   settle (:func:`utilities`), destinations of a move by logit among the
   neighbours (nested logit), drawn by inverse CDF (:func:`logit_draw`).
4. **Capability.** A flight from violence may be blocked
   (:func:`trapped_chance`); one who leaves home for want, not threat, goes
   only if the journey can be paid (:func:`capability`; the poorest are
   trapped, Foresight 2011); a return goes only if the journey can be paid, with a
   return package if one is on offer and funded (:func:`package_takeup`);
   one whose home is lost may settle nearby instead (return elsewhere).
5. **Homes destroyed.** Violence at an origin destroys homes of absent
   households (:func:`destruction_chance`).

The value of each place this month, which the choice reads, is
:func:`place_values`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from returnsim.param import Param

if TYPE_CHECKING:
    from returnsim.households import PackageTakeUp, PackageTerms
    from returnsim.param import Section


BEAMAN = "Beaman et al. 2021 (EVIDENCE.md: return and conditions)"
ALRABABAH = "Alrababah et al. 2023: safety works as a threshold (EVIDENCE.md)"

#: The ``decision.*`` parameters, declared beside the code that reads them (the registry,
#: ``returnsim.parameters``, gathers every module's).
PARAMS: tuple[Param, ...] = (
    Param(
        key="decision.review_rate",
        default=0.2,
        unit="per month",
        doc="Chance a household not under threat reconsiders its location this month",
        source="assumption",
        low=0.01,
        high=1.0,
    ),
    Param(
        key="decision.safety_threshold",
        default=0.4,
        unit="security index",
        doc="Mean security a household needs to stay, or to consider returning",
        source=ALRABABAH,
        low=0.1,
        high=0.9,
    ),
    Param(
        key="decision.safety_threshold_sd",
        default=0.15,
        unit="security index",
        doc="Spread of the safety threshold among households",
        source="assumption",
        low=0.0,
        high=0.3,
    ),
    Param(
        key="decision.vulnerable_threshold_shift",
        default=0.1,
        unit="security index",
        doc="Extra safety a household with a vulnerable member needs",
        source="assumption",
        low=0.0,
        high=0.3,
    ),
    Param(
        key="decision.w_security",
        default=3.0,
        unit="utils per index unit",
        doc="Weight of security in the value of a place",
        source=BEAMAN + ": +1 SD security ~ +6% returns",
        low=0.0,
        high=10.0,
    ),
    Param(
        key="decision.w_services",
        default=1.9,
        unit="utils per index unit",
        doc="Weight of services (health, education, water, shelter)",
        source=BEAMAN + ": +1 SD services ~ +3.8% returns (0.63 x security)",
        low=0.0,
        high=10.0,
    ),
    Param(
        key="decision.w_livelihood",
        default=1.5,
        unit="utils per index unit",
        doc="Weight of livelihood (jobs, land, markets)",
        source="assumption",
        low=0.0,
        high=10.0,
    ),
    Param(
        key="decision.w_education",
        default=0.5,
        unit="utils per index unit",
        doc="Weight of schooling available at a place",
        source="assumption (schooling is part of the services Beaman et al. 2021 find draw "
        "returns)",
        low=0.0,
        high=10.0,
    ),
    Param(
        key="decision.w_cohesion",
        default=0.5,
        unit="utils per index unit",
        doc="Weight of social cohesion and acceptance",
        source="assumption",
        low=0.0,
        high=5.0,
    ),
    Param(
        key="decision.danger_penalty",
        default=3.0,
        unit="utils",
        doc="Disutility of staying where security is below one's threshold, times the "
        "shortfall (1 - security / threshold)",
        source=ALRABABAH,
        low=0.0,
        high=10.0,
    ),
    Param(
        key="decision.displacement_hardship",
        default=1.5,
        unit="utils",
        doc="Disutility of life in displacement beyond the place's conditions: no land or "
        "home of one's own, rent, dependency",
        source="assumption (IDMC/JIPS profiles find the displaced worse off than their hosts)",
        low=0.0,
        high=5.0,
    ),
    Param(
        key="decision.move_cost",
        default=1.0,
        unit="utils",
        doc="Fixed cost of any move",
        source="assumption",
        low=0.0,
        high=5.0,
    ),
    Param(
        key="decision.distance_cost",
        default=0.5,
        unit="utils per 100 km",
        doc="Cost of distance travelled",
        source="assumption",
        low=0.0,
        high=5.0,
    ),
    Param(
        key="decision.crowding_cost",
        default=2.0,
        unit="utils per capacity",
        doc="Disutility of a place per unit of occupancy beyond its capacity",
        source="assumption",
        low=0.0,
        high=10.0,
    ),
    Param(
        key="decision.attachment",
        default=3.0,
        unit="utils",
        doc="Attachment to home when displacement begins (hope to return)",
        source="EVIDENCE.md: ~75% of Syrian refugees hope to return one day",
        low=0.0,
        high=10.0,
    ),
    Param(
        key="decision.attachment_halflife",
        default=36.0,
        unit="months",
        doc="Months of displacement that halve attachment (return intent declines)",
        source="IDMC/JIPS: after 5+ years ~69.5% of IDPs intend to stay",
        low=6.0,
        high=240.0,
    ),
    Param(
        key="decision.settle_weight",
        default=5.0,
        unit="utils",
        doc="Reluctance to give up return and settle where one is; fades with attachment",
        source="assumption (EVIDENCE.md fact 9: the longer displaced, the more intend to stay)",
        low=0.0,
        high=10.0,
    ),
    Param(
        key="decision.housing_penalty",
        default=2.0,
        unit="utils",
        doc="Disutility of returning to a destroyed or occupied home",
        source="EVIDENCE.md: destroyed or occupied property strongly lowers return",
        low=0.0,
        high=10.0,
    ),
    Param(
        key="decision.return_elsewhere_share",
        default=0.5,
        unit="share",
        doc="Chance that a returnee with a destroyed or occupied home settles in a nearby "
        "place instead",
        source="EVIDENCE.md fact 12: some return to places other than origin",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="decision.info_rate",
        default=0.1,
        unit="per month",
        doc="Monthly rate at which displaced households' beliefs about home catch up with "
        "conditions there (information lag)",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="decision.ties_info_rate",
        default=0.5,
        unit="per month",
        doc="Extra learning per unit of social ties times the share of their origin already "
        "back home",
        source="assumption (network learning of conditions at origin)",
        low=0.0,
        high=2.0,
    ),
    Param(
        key="decision.trip_cost_per_person",
        default=30.0,
        unit="USD",
        doc="Cost of a return journey per person; capability = assets / (assets + cost)",
        source="assumption (UNHCR transport grants of similar size)",
        low=0.0,
        high=1000.0,
    ),
    Param(
        key="decision.trip_cost_per_person_km",
        default=0.0,
        unit="USD per person-km",
        doc="Part of the return fare that grows with the road distance home (shortest open "
        "road), on top of trip_cost_per_person (0: a flat fare)",
        source="assumption (bus and truck fares in East and Central Africa about USD 1-3 per "
        "100 km a person; more on bad roads)",
        low=0.0,
        high=10.0,
    ),
    Param(
        key="decision.trapped_share",
        default=0.1,
        unit="share",
        doc="Chance that a household that decides to flee cannot leave (doubled with an older "
        "or disabled member)",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="decision.undocumented_trap",
        default=0.5,
        unit="multiple of trapped_share",
        doc="Extra chance of being blocked in flight for a household without civil "
        "documents (checkpoints, border crossings), as a multiple of trapped_share",
        source="NRC and IHRC (2016), 'Securing status' (Syrian refugees in Jordan) and NRC "
        "reports from Iraq: missing civil documents restrict movement through "
        "checkpoints; the size is an assumption",
        low=0.0,
        high=5.0,
    ),
    Param(
        key="decision.trauma_rate",
        default=0.05,
        unit="per month",
        doc="Rise in trauma for each month under threat",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="decision.trauma_recovery",
        default=0.02,
        unit="per month",
        doc="Monthly natural recovery of trauma",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="decision.livelihood_need",
        default=0.35,
        unit="index 0-1",
        doc="Livelihood a household needs to get by; a place that normally gives less sets "
        "the need at its own normal level (people adapted to it)",
        source="assumption; flight from livelihood loss: UNHCR PRMN, 714,000 drought "
        "displacements in Somalia 1 Nov 2016 - 19 May 2017 (about 6% of 12.3 million)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="decision.services_need",
        default=0.3,
        unit="index 0-1",
        doc="Services (health, water, schooling) a household needs; capped, like livelihood, "
        "at the place's normal level",
        source="assumption (collapse of services as a driver of displacement: IDMC GRID)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="decision.deprivation_review",
        default=0.08,
        unit="per month at full deprivation",
        doc="Chance a month that a household not displaced weighs leaving, per unit of "
        "deprivation (0: people leave only for violence)",
        source="sized so that Somalia's 2016-17 drought displaces about 7-10% of those at home "
        "(UNHCR PRMN: 714,000 by May 2017, about 6.4% of those not already displaced, "
        "more by the end of 2017)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="decision.deprivation_penalty",
        default=1.5,
        unit="utility per unit of deprivation",
        doc="Loss of staying where livelihood and services fall short of need",
        source="assumption",
        low=0.0,
        high=5.0,
    ),
    Param(
        key="hosts.fatigue",
        default=0.3,
        unit="acceptance lost per displaced household per resident household",
        doc="How fast a host community's acceptance of the displaced falls as they outnumber "
        "it (only where places.NAME.residents is given)",
        source="assumption (World Bank, Forcibly Displaced (2017): hosting strains services "
        "and jobs where the displaced are many relative to residents; Lebanon, Jordan, "
        "Uganda's settlements)",
        low=0.0,
        high=5.0,
    ),
    Param(
        key="hosts.max_loss",
        default=0.8,
        unit="share of acceptance",
        doc="Most of a host community's acceptance that fatigue can take",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="hosts.area_relief",
        default=0.5,
        unit="share of fatigue",
        doc="Share of host fatigue removed where aid serves residents too (aid.area_based) "
        "at full coverage",
        source="assumption (UNHCR and World Bank: area-based programmes that serve hosts and "
        "displaced alike ease tensions; Uganda's settlement model)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="hosts.settle_weight",
        default=1.0,
        unit="utils at full fatigue",
        doc="Value of local integration lost where the host community is tired of hosting",
        source="assumption (local integration needs the hosts' acceptance: UNHCR, Durable "
        "Solutions)",
        low=0.0,
        high=5.0,
    ),
    Param(
        key="decision.undocumented_gap",
        default=0.1,
        unit="deprivation 0-1",
        doc="Shortfall of need of a returnee without civil documents, who cannot enrol "
        "children, register at a clinic or claim social assistance (legal aid closes it)",
        source="NRC and IHRC, Securing Status (2018) and UNHCR, Global Report on civil "
        "documentation: without documents returnees are refused school enrolment, health "
        "care and assistance; the size is an assumption, a fifth of the homeless gap (at "
        "0.2 the churn of undocumented returnees hid the return spike after camp closure, "
        "stylized fact 3)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="decision.homeless_gap",
        default=0.5,
        unit="deprivation 0-1",
        doc="Shortfall of need of a returnee whose home is destroyed or occupied and who "
        "has no shelter (post-return support and shelter kits close it)",
        source="assumption (Sphere: shelter is a survival need; EVIDENCE.md: destroyed or "
        "occupied housing blocks return and sustained return)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="decision.flight_trauma",
        default=0.3,
        unit="share of (1 - trauma)",
        doc="Trauma from the violence a household flees: at a flight under threat trauma "
        "closes this share of its gap to 1",
        source="Steel et al. 2009 (JAMA meta-analysis): PTSD in about 31% of "
        "conflict-affected populations; the size per flight is an assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="decision.trauma_safety_shift",
        default=0.2,
        unit="security index per unit of trauma",
        doc="Extra security a traumatised household needs to feel safe, where it is and "
        "before it returns (0: trauma does not enter decisions)",
        source="assumption (trauma and fear of return: war-related PTSD lowers return "
        "intentions among refugees; psychosocial support is expected to move return)",
        low=0.0,
        high=0.5,
    ),
    Param(
        key="decision.trauma_aversion",
        default=1.5,
        unit="utility per unit of trauma",
        doc="Loss of the value of going back to where violence was suffered, per unit of "
        "trauma (avoidance of reminders)",
        source="assumption (avoidance is a core symptom of post-traumatic stress, DSM-5; "
        "size chosen within the range of the other utility weights)",
        low=0.0,
        high=5.0,
    ),
    Param(
        key="decision.journey_caution",
        default=0.8,
        unit="utils",
        doc="Disutility of a journey (flight, onward move or return) for a household headed "
        "by a woman or with a member aged 60+, times the route's risk (1; less on escorted "
        "corridors). 0: sex and age do not enter the choice",
        source="UNHCR 'Desperate Journeys' (2019) and GBV AoR: women and girls face sexual "
        "violence and exploitation on the move; HelpAge International (2022, Ukraine): older "
        "people are over-represented among those who stay in front-line areas; the size is "
        "an assumption (about a quarter of the utility of security at its mean)",
        low=0.0,
        high=5.0,
    ),
    Param(
        key="decision.w_school_age",
        default=0.8,
        unit="utils per index unit",
        doc="Extra weight of schooling for households with a member aged 5-17, where they "
        "stay and at home when weighing return",
        source="UNHCR regional surveys of Syrian refugees' return intentions (2017-2023): "
        "education for the children is among the main conditions of return; the size is an "
        "assumption (1.6 x the general schooling weight)",
        low=0.0,
        high=5.0,
    ),
    Param(
        key="decision.separation_share",
        default=0.1,
        unit="share",
        doc="Chance that a household fleeing violence loses track of a member (family "
        "separation, IASC durable-solutions criterion 6)",
        source="assumption (ICRC Restoring Family Links and UNICEF: family separation is "
        "common in flight from violence; no cross-crisis rate is published)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="decision.reunification_rate",
        default=0.03,
        unit="per month",
        doc="Monthly chance a separated household is reunited on its own (half-life about 2 "
        "years); family tracing (protection.tracing_*) adds to it",
        source="assumption (ICRC Restoring Family Links: most tracing cases take months to "
        "years to close)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="decision.asset_depletion",
        default=0.01,
        unit="per month",
        doc="Share of assets a displaced household spends each month",
        source="assumption",
        low=0.0,
        high=0.5,
    ),
)

F32 = np.float32


# ------------------------------------------------------------ place values
def place_values(
    p: Any,
    *,
    services: np.ndarray,
    livelihood: np.ndarray,
    education: np.ndarray,
    cohesion: np.ndarray,
    security: np.ndarray,
    presence: np.ndarray,
    aid_coverage: np.ndarray,
    crowding: np.ndarray,
    nbr: np.ndarray,
    nbr_km: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Conditions, appeal and the value of each road, per place (``p``: all sections).

        conditions_j = w_services x services_j + w_livelihood x livelihood_j
                       + w_education x education_j + w_cohesion x cohesion_j
                       + presence_weight x presence_j + aid.appeal_weight x aid_coverage_j
        appeal_j     = w_security x security_j + conditions_j - crowding_cost x crowding_j
        road_jk      = appeal_k - distance_cost x km_jk / 100        (-inf for padding)

    ``services`` are per household (diluted by crowding); ``presence`` is the
    visible protection of peacekeepers (``conflict.presence``).
    """
    d = p.decision
    conditions = (
        d.w_services * services
        + d.w_livelihood * livelihood
        + d.w_education * education
        + d.w_cohesion * cohesion
        + p.peacekeeping.presence_weight * presence
        + p.aid.appeal_weight * aid_coverage
    )
    appeal = d.w_security * security + conditions - d.crowding_cost * crowding
    km = np.where(nbr >= 0, nbr_km, 0.0)  # padding is inf: 0 x inf would be NaN
    road = np.where(nbr >= 0, appeal[nbr] - d.distance_cost * km / 100.0, -np.inf)
    return conditions, appeal, road


def back_share(returned: np.ndarray, ever_displaced: np.ndarray) -> np.ndarray:
    """Per origin: the share of its ever-displaced households now back home."""
    return returned / np.maximum(ever_displaced, 1)


def deprivation(
    d: Section,
    *,
    livelihood: np.ndarray,
    services: np.ndarray,
    base_livelihood: np.ndarray,
    base_services: np.ndarray,
    aid_coverage: np.ndarray,
) -> np.ndarray:
    """How far a place falls short of what households need, 0-1, per place.

        need_x = min(x_need, base_x)            (a place that normally gives less: its level)
        gap_x  = max(0, 1 - x / need_x)         (x: livelihood, services)
        deprivation = max(gap_livelihood, gap_services) x (1 - aid_coverage)

    Droughts and market collapse (livelihood), the collapse of clinics, water
    and schools (services) and aid cuts (coverage) raise it; aid that covers
    needs offsets it.
    """
    gaps = []
    for level, base, need in (
        (livelihood, base_livelihood, d.livelihood_need),
        (services, base_services, d.services_need),
    ):
        ref = np.minimum(base, need)
        with np.errstate(invalid="ignore", divide="ignore"):
            gaps.append(np.where(ref > 0, np.maximum(0.0, 1.0 - level / ref), 0.0))
    return np.maximum(gaps[0], gaps[1]) * (1.0 - aid_coverage)


def need_gap(
    d: Section,
    deprivation_here: Any,
    *,
    homeless: Any,
    undocumented: Any,
    supported: Any,
    boost: Any,
) -> Any:
    """A household's own shortfall: the place's deprivation, or ``homeless_gap`` for a
    returnee without a habitable home, or ``undocumented_gap`` for a returnee without civil
    documents (services out of its reach), whichever is largest; none while food and
    shelter support after return lasts; less by what livelihood programmes added to its
    income.

        gap = max(deprivation_here, homeless_gap x homeless, undocumented_gap x undocumented)
              x (1 - supported) x (1 - boost)
    """
    own = np.maximum(d.homeless_gap * homeless, d.undocumented_gap * undocumented)
    return np.maximum(deprivation_here, own) * (1 - supported) * (1.0 - boost)


def weighs_leaving(d: Section, gap: Any, u: Any) -> Any:
    """A household not displaced, short of need, weighs leaving: u < deprivation_review x gap."""
    return u < d.deprivation_review * gap


# ------------------------------------------------------------- 1. beliefs
def learning_rate(d: Section, *, info_bonus: float, ties: Any, back: Any) -> Any:
    """r = min(1, info_rate + info_bonus + ties_info_rate x ties x back_share_origin)."""
    return np.minimum(1.0, d.info_rate + info_bonus + d.ties_info_rate * ties * back)


def learn(belief: Any, truth: Any, rate: Any) -> Any:
    """Belief moves toward the truth: b + r x (truth - b)."""
    return belief + rate * (truth - belief)


def asset_retention(d: Section, *, cover: Any, protection: float) -> Any:
    """Share of assets kept this month away from home: 1 - depletion x (1 - protection x cover)."""
    return 1.0 - d.asset_depletion * (1.0 - protection * cover)


# ------------------------------------------------------- 2. threat, trauma
def safety_needed(d: Section, threshold: Any, trauma: Any) -> Any:
    """Security a household needs to feel safe: its threshold + trauma_safety_shift x trauma
    (float32, as both are stored). Trauma makes people flee sooner and return later."""
    return threshold + F32(d.trauma_safety_shift) * trauma


def threatened(security32: Any, threshold: Any) -> Any:
    """Under threat: security here (float32, as thresholds are stored) below one's threshold."""
    return security32 < threshold


def trauma_remaining(d: Section) -> np.float32:
    """Share of trauma left after a month: 1 - trauma_recovery (float32, as trauma is stored)."""
    return F32(1.0 - d.trauma_recovery)


def trauma_exposed(d: Section, trauma: Any) -> Any:
    """Under threat trauma rises: t + trauma_rate x (1 - t)."""
    return trauma + d.trauma_rate * (1.0 - trauma)


def trauma_of_flight(d: Section, trauma: Any) -> Any:
    """Fleeing violence leaves its mark: t + flight_trauma x (1 - t)."""
    return trauma + d.flight_trauma * (1.0 - trauma)


def reviews(d: Section, u: Any, pending: Any = False) -> Any:
    """A displaced household reviews its situation this month (uniform ``u``, float32),
    unless a resettlement case of its is pending (``resettlement``): it waits for the
    departure rather than weigh going home or moving on (assumption; only threat makes it
    deliberate then)."""
    return (u < F32(d.review_rate)) & ~np.asarray(pending, dtype=bool)


# ------------------------------------------------------------- 3. choice
def move_values(nbr: Any, road: Any, origin: Any) -> Any:
    """Value of each neighbour for a move: the road's value, never home (-inf)."""
    return np.where(nbr == np.asarray(origin)[..., None], -np.inf, road)


def inclusive_value(values: Any) -> Any:
    """Log-sum over neighbours, top + log sum exp(v - top): the value of moving (nested logit)."""
    top = np.max(values, axis=-1, initial=-np.inf)
    with np.errstate(invalid="ignore"):
        return top + np.log(np.exp(values - np.asarray(top)[..., None]).sum(axis=-1))


def utilities(
    d: Section,
    pkg: PackageTerms,
    *,
    appeal: Any,
    security: Any,
    threshold: Any,
    threat: Any,
    away: Any,
    months_displaced: Any,
    inclusive: Any,
    settle_ok: Any,
    dist_home: Any,
    belief_security: Any,
    belief_conditions: Any,
    size: Any,
    home_lost: Any,
    gap: Any,
    trauma: Any,
    cautious: Any,
    route_risk: Any,
    school_age: Any,
    school_here: Any,
    school_home: Any,
    settle_penalty: Any = 0.0,
) -> tuple[Any, Any, Any, Any]:
    """Utility of staying, moving, returning and settling (-inf: not an option).

        shortfall = 1 - security_here / threshold   when under threat, else 0
        fade      = 0.5 ^ (months_displaced / attachment_halflife)
        journey   = journey_caution x cautious x route_risk_here
        U_stay    = appeal_here - danger_penalty x shortfall - displacement_hardship x away
                    - deprivation_penalty x gap + w_school_age x school_age x school_here
        U_move    = inclusive value of the neighbours - move_cost - journey
                    (the displaced, those under threat or short of need; never straight home)
        U_return  = w_security x belief_security + belief_conditions + attachment x fade
                    + utility_per_usd x cash x q - housing_penalty x home_lost x (1 - q
                    when a shelter kit is on offer) - trauma_aversion x trauma - move_cost
                    - distance_cost x km_home / 100 - journey x (1 - organised x q)
                    + w_school_age x school_age x school_home
                    (organised: a package with transport or escorts on offer; q: the
                    chance of getting one, the month's funds over the expected demand)
                    only if away, home reachable and belief_security >= threshold - relief x q
                    (safety first: Alrababah et al. 2023; escorted convoys give ``relief``;
                    a cash grant on offer adds value, Burundi 2007)
        U_settle  = U_stay - settle_weight x fade - settle_penalty
                    where local integration is possible (settle_penalty:
                    hosts.settle_weight x the host community's fatigue, host_fatigue)

    ``threshold`` is the safety the household needs (:func:`safety_needed`: its
    own threshold raised by trauma). Attachment to home halves every
    ``attachment_halflife`` months, so return intent declines and settling
    gains with time displaced. ``gap`` is the
    household's shortfall of livelihood and services (:func:`need_gap`):
    security dominates as a threshold, need adds a push. ``cautious``: headed by
    a woman or with a member aged 60+, who avoid risky journeys (``route_risk``:
    1, less on escorted corridors); ``school_age``: a member aged 5-17, for whom
    schooling where one stays and at home weighs more.
    """
    shortfall = np.where(threat, 1.0 - security / threshold, 0.0)
    fade = 0.5 ** (months_displaced / d.attachment_halflife)
    journey = d.journey_caution * cautious * route_risk
    schooling = d.w_school_age * school_age
    stay = (
        appeal
        - d.danger_penalty * shortfall
        - d.displacement_hardship * away
        - d.deprivation_penalty * gap
        + schooling * school_here
    )
    movers = away | threat | (gap > 0)
    move = np.where(movers & np.isfinite(inclusive), inclusive - d.move_cost - journey, -np.inf)
    # What a package offers counts by the chance of getting one this month (``pkg.chance``:
    # the month's funds over the expected demand): a few dollars on offer are not a promise.
    offer = pkg.chance if pkg.offered else 0.0
    may_return = away & (belief_security >= threshold - pkg.relief * offer) & np.isfinite(dist_home)
    # A transitional shelter on offer answers a lost home (the household expects to be housed).
    housing_lost = home_lost * (1 - offer * (pkg.shelter_kit > 0))
    cash = pkg.cash_per_person * size * offer
    # Organised return (transport or escorted convoys on offer): no journey alone.
    organised = offer * (
        pkg.transport_per_person > 0 or pkg.transport_per_person_km > 0 or pkg.relief > 0
    )
    ret = np.where(
        may_return,
        d.w_security * belief_security
        + belief_conditions
        + d.attachment * fade
        + pkg.utility_per_usd * cash
        - d.housing_penalty * housing_lost
        - d.trauma_aversion * trauma
        - d.move_cost
        - d.distance_cost * np.where(may_return, dist_home, 0.0) / 100.0
        - journey * (1 - organised)
        + schooling * school_home,
        -np.inf,
    )
    settle = np.where(away & settle_ok, stay - d.settle_weight * fade - settle_penalty, -np.inf)
    return stay, move, ret, settle


def host_fatigue(h: Section, *, guests: Any, residents: Any, area_cover: Any) -> Any:
    """A host community's fatigue (0-1): the share of its acceptance of the displaced lost
    as they outnumber it, eased where aid serves residents too.

        fatigue = min(max_loss, fatigue x guests / residents) x (1 - area_relief x area_cover)

    ``guests``: displaced or settled households at the place whose home is elsewhere;
    ``residents``: its own households (``places.NAME.residents``; 0: fatigue not modelled,
    none); ``area_cover``: aid coverage there if aid is area-based, else 0. It lowers the
    place's cohesion (x (1 - fatigue)), so staying is worth less (people move on), and the
    value of settling there (``hosts.settle_weight`` x fatigue).
    """
    ratio = np.where(residents > 0, guests / np.maximum(residents, 1e-9), 0.0)
    return np.minimum(h.max_loss, h.fatigue * ratio) * (1.0 - h.area_relief * area_cover)


def pressure_shift(d: Section, *, appeal: Any, appeal_free: Any, gap: Any, gap_free: Any) -> Any:
    """How much more staying (and settling) would be worth without a camp closure or an
    assistance cut where the household is: the place's appeal and the household's gap of
    need as they would be without it (``Context.appeal_free``, ``deprivation_free``).

        shift = (appeal_free - appeal) - deprivation_penalty x (gap_free - gap)

    A return is *induced* when the same uniform, drawn on the utilities with U_stay and
    U_settle raised by the shift, would not have chosen return (IASC: return under
    pressure is not voluntary); otherwise it is voluntary.
    """
    return (appeal_free - appeal) - d.deprivation_penalty * (gap_free - gap)


def logit_draw(util: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Column chosen in each row with logit probabilities exp(U) / sum exp(U).

    Inverse-CDF draw with one uniform per row; -inf marks an unavailable
    option. Every row must have at least one finite utility. Weights and
    their cumulative sums are float32.
    """
    cols = util.shape[1]
    top = util[:, 0]
    for j in range(1, cols):
        top = np.maximum(top, util[:, j])
    # Weights in float32 (exp is five times faster; 1e-7 relative is far below any effect).
    weight = np.exp((util - top[:, None]).astype(np.float32))
    # Cumulative weights, column by column.
    cdf = [weight[:, 0]]
    for j in range(1, cols):
        cdf.append(cdf[-1] + weight[:, j])
    # The first option whose cumulative weight exceeds u x total.
    target = u * cdf[-1]
    k = np.zeros(len(u), dtype=np.int64)
    for c in cdf:
        k += target >= c
    return np.minimum(k, cols - 1)


# --------------------------------------------------------- 4. capability
def trapped_chance(d: Section, *, frail: Any, undocumented: Any, trap_factor: Any) -> Any:
    """Chance that a flight is blocked:
    trapped_share x (1 + older or disabled + undocumented_trap x undocumented) x trap_factor.

    Twice as often with an older or disabled member; more often without civil
    documents (checkpoints); escorted corridors lower ``trap_factor``.
    """
    return d.trapped_share * (1 + frail + d.undocumented_trap * undocumented) * trap_factor


def capability(assets: Any, cost: Any) -> Any:
    """Chance of being able to pay a journey: assets / (assets + cost); 1 when it is free."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cost > 0, assets / (assets + cost), 1.0)


def trip_cost(d: Section, size: Any, km: Any = 0.0) -> Any:
    """The journey for a household of ``size`` persons, USD: (trip_cost_per_person +
    trip_cost_per_person_km x km) x size, ``km`` the road distance home for a return (0 for
    a flight: the flat part only)."""
    return (d.trip_cost_per_person + d.trip_cost_per_person_km * km) * size


def road_home(dist_km: Any) -> Any:
    """Road km home for the fare: the shortest open road (0 where none is open: no fare by
    distance is due where no return can be made)."""
    return np.where(np.isfinite(dist_km), dist_km, 0.0)


def registers(pkg: PackageTerms, *, documented: Any, trust: Any, assisted: Any) -> Any:
    """Who can register for a package: not assisted before (one package per household),
    documented when documents are required, and trusting institutions enough."""
    return (
        ~np.asarray(assisted)
        & (np.asarray(documented) | (not pkg.documents_required))
        & (np.asarray(trust) >= pkg.min_trust)
    )


def package_capability(
    d: Section, pkg: PackageTerms, *, assets: Any, size: Any, km: Any = 0.0
) -> Any:
    """With a package: its cash adds to what one has and its transport pays the fare (the
    flat part and, at ``transport_per_person_km``, the part by distance)."""
    fare = np.maximum(
        d.trip_cost_per_person
        + d.trip_cost_per_person_km * km
        - (pkg.transport_per_person + pkg.transport_per_person_km * km),
        0.0,
    )
    return capability(assets + pkg.cash_per_person * size, fare * size)


def package_takeup(
    pkg: PackageTerms, takeup: PackageTakeUp, *, able: np.ndarray, price: np.ndarray
) -> np.ndarray:
    """Who of those able to go with a package gets one (once: never a second package).

    ``price``: one real household's package; a simulated household's costs ``pkg.weight``
    times it (the real households it stands for). Packages go in household order while
    the month's funds last; the first that cannot be paid ends the offer for the month,
    and what is left buys whole real packages for it, ``real / weight`` of its simulated
    package, added to ``takeup.credit``: a credit of 1 takes the package (with weight 1 a
    real package that cannot be paid is not bought, so nothing is carried). Updates
    ``takeup`` (spending so far, exhausted, credit)."""
    cost = price * pkg.weight
    before = np.cumsum(np.concatenate(([takeup.used], np.where(able, cost, 0.0))))
    takes = able & (before[1:] <= pkg.funds)
    short = np.flatnonzero(able & ~takes)
    spent = float(before[1:][takes][-1]) if takes.any() else takeup.used
    if len(short):
        i = short[0]
        takeup.exhausted = True
        real = np.floor((pkg.funds - before[i]) / price[i]) if price[i] > 0 else 0.0
        spent = float(before[i] + real * price[i])
        takeup.credit += float(real) / pkg.weight
        if takeup.credit >= 1.0 - 1e-9:
            takes[i] = True
            takeup.credit -= 1.0
    takeup.used = spent
    return takes


def returns_elsewhere(d: Section, *, home_lost: Any, u: Any, alternative: Any) -> Any:
    """A returnee whose home is lost settles nearby instead, with ``return_elsewhere_share``."""
    return home_lost & (u < d.return_elsewhere_share) & (alternative >= 0)


def separated_in_flight(d: Section, u: Any) -> Any:
    """A household fleeing violence loses track of a member: u < separation_share."""
    return u < d.separation_share


def reunites(d: Section, u: Any) -> Any:
    """A separated household is reunited this month: u < reunification_rate."""
    return u < d.reunification_rate


# ------------------------------------------------------ 5. homes destroyed
def destruction_chance(events: np.ndarray, scale: float) -> np.ndarray:
    """Chance that an absent household's intact home is destroyed: 1 - exp(-events / scale)."""
    return 1.0 - np.exp(-events / scale)
