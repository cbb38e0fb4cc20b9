"""Households as arrays, and the monthly decision rule: stay, move or return.

One row per household, never deleted (structure of arrays, as in LASER).
The value of each place this month is built by ``build_context``. Each month
(see ``decide_and_move``):

1. Displaced households count another month away; their beliefs about
   security and conditions at home catch up with the truth at a rate that
   grows with their social ties and the share of their origin already back
   (information lag, network learning). Their assets run down.
2. A household whose current place is less secure than its own safety
   threshold is *under threat*: its trauma rises and it must deliberate.
   Others deliberate with probability ``review_rate``.
3. Deliberating households make a random-utility (logit) choice among
   stay, move (one road to a neighbouring place, destination drawn by logit
   among the neighbours: nested logit with inclusive value), return home,
   and settle where they are. Return is in the choice set only for the
   displaced whose *belief* about security at home clears their threshold
   (safety first; Alrababah et al. 2023) and whose home is reachable.
   Attachment to home halves every ``attachment_halflife`` months, so
   return intent declines and settling gains with time displaced.
4. Choices meet capability: a household that flees may be trapped; one
   that chooses return goes only if it can pay the journey
   (assets / (assets + cost)), the gap between intention and behaviour.
   A returnee whose home is destroyed or occupied may settle in a nearby
   place instead of at home (return elsewhere).
5. Violence at a home place destroys some homes of absent households.

The same rules, one agent at a time, are in ``reference.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import IntEnum

import numpy as np

from returnsim.param import Settings
from returnsim.places import PlaceKind, Places


class Status(IntEnum):
    """Where a household stands with respect to displacement."""

    AT_ORIGIN = 0  #: at home, never displaced
    INTERNALLY_DISPLACED = 1  #: away from home, in the country
    REFUGEE = 2  #: away from home, abroad
    RETURNED = 3  #: back at home after displacement
    SETTLED_ELSEWHERE = 4  #: local integration or relocation away from home


class Housing(IntEnum):
    """State of the household's home at its origin."""

    INTACT = 0
    DESTROYED = 1
    OCCUPIED = 2


class Choice(IntEnum):
    """Options of the monthly choice."""

    STAY = 0
    MOVE = 1
    RETURN = 2
    SETTLE = 3


DISPLACED = (Status.INTERNALLY_DISPLACED, Status.REFUGEE)
N_STATUS = len(Status)


@dataclass(slots=True)
class Population:
    """Household state, one array per attribute, one row per household."""

    size: np.ndarray  # uint8, persons
    female_head: np.ndarray  # bool
    head_age: np.ndarray  # uint8, years
    children: np.ndarray  # uint8, members under 18
    older: np.ndarray  # bool, a member aged 60+
    disability: np.ndarray  # bool, a member with a disability
    protection_risk: np.ndarray  # bool, a member at specific protection risk
    assets: np.ndarray  # float32, USD
    skills: np.ndarray  # float32, 0-1
    origin: np.ndarray  # int16, home place
    place: np.ndarray  # int16, current place
    status: np.ndarray  # int8, Status
    months_displaced: np.ndarray  # int16, months away in the current or last displacement
    times_displaced: np.ndarray  # uint8
    returned_elsewhere: np.ndarray  # bool
    housing: np.ndarray  # int8, Housing
    trauma: np.ndarray  # float32, 0-1
    trust: np.ndarray  # float32, 0-1, trust in institutions
    ties: np.ndarray  # float32, 0-1, strength of social ties
    threshold: np.ndarray  # float32, security needed to stay or return
    belief_security: np.ndarray  # float32, believed security at home
    belief_conditions: np.ndarray  # float32, believed value of services etc. at home
    documented: np.ndarray  # bool, has civil documentation
    return_month: np.ndarray  # int16, month of the latest return (-1: none)
    assisted: np.ndarray  # bool, went home with a return package
    support_months: np.ndarray  # uint8, months of post-return food and shelter support left
    livelihood_boost: np.ndarray  # float32, 0-1, gain from livelihood programmes (fades)
    loan: np.ndarray  # float32, USD of microloan outstanding

    @property
    def n(self) -> int:
        return len(self.status)

    @property
    def vulnerable(self) -> np.ndarray:
        """A member who is older, disabled or at specific protection risk."""
        return self.older | self.disability | self.protection_risk

    def nbytes(self) -> int:
        return sum(getattr(self, f.name).nbytes for f in fields(self))


@dataclass(frozen=True)
class PackageTerms:
    """What a returning household is offered this month (set by the return-package lever)."""

    cash_per_person: float = 0.0
    transport_per_person: float = 0.0
    per_person_cost: float = 0.0  # cash + transport + food support
    per_household_cost: float = 0.0  # escort
    shelter_kit: float = 0.0
    utility_per_usd: float = 0.0
    relief: float = 0.0
    funds: float = 0.0
    offered: bool = False

    def cost(self, size: np.ndarray | int, home_lost: np.ndarray | bool) -> np.ndarray | float:
        """Cost of one package for a household of ``size`` persons."""
        return self.per_person_cost * size + self.per_household_cost + self.shelter_kit * home_lost


@dataclass
class PackageTakeUp:
    """The month's take-up of return packages, the one thing the rule writes outside the
    household arrays: ``used`` counts spending as packages go, in household order; once a
    package cannot be paid, ``exhausted`` ends the offer for the month. The lever books it."""

    used: float = 0.0
    exhausted: bool = False


@dataclass
class Context:
    """Place-level quantities the decision rule reads this month (shared by both engines);
    it writes only ``takeup``."""

    security: np.ndarray  # per place
    security32: np.ndarray  # the same in float32, for the threat test against thresholds
    appeal: np.ndarray  # value of being at a place, all dimensions
    conditions: np.ndarray  # value of services, livelihood, cohesion, presence (no security)
    nbr: np.ndarray  # (place, k) neighbour ids, -1 padded
    nbr_value: np.ndarray  # (place, k) value of each neighbour after distance cost; -inf pad
    dist_km: np.ndarray  # (place, place) shortest road distance
    settle_ok: np.ndarray  # bool per place: local integration possible here
    abroad: np.ndarray  # bool per place
    return_elsewhere_place: np.ndarray  # per origin: nearby place for those who cannot go home
    back_share: np.ndarray  # per origin: share of its ever-displaced now back home
    events: np.ndarray  # violent events this month per place
    month: int = 0
    aid_coverage: np.ndarray | None = None  # per place, 0-1
    asset_protection: float = 0.0  # share of asset depletion avoided under full aid coverage
    trap_factor: np.ndarray | None = None  # per place: multiplier on the chance of being trapped
    info_bonus: float = 0.0  # extra monthly learning rate from information campaigns
    package: PackageTerms = field(default_factory=PackageTerms)  # return package on offer
    takeup: PackageTakeUp = field(default_factory=PackageTakeUp)  # written as packages go


@dataclass
class Flows:
    """Counts of this month's transitions."""

    new_displacements: int = 0
    redisplacements: int = 0
    new_returns: int = 0
    returns_elsewhere: int = 0
    settlements: int = 0
    secondary_moves: int = 0
    intending_return: int = 0
    unable_to_return: int = 0
    trapped: int = 0
    homes_destroyed: int = 0


def init_population(scenario: Settings, places: Places, rng: np.random.Generator) -> Population:
    """Draw the households of a scenario (population stream)."""
    s = scenario
    n = s["households.count"]
    origins = places.origins
    share = places.origin_share[origins] / places.origin_share[origins].sum()
    origin = rng.choice(origins, size=n, p=share).astype(np.int16)
    size = np.clip(1 + rng.poisson(s["households.mean_size"] - 1, n), 1, 30).astype(np.uint8)
    female_head = rng.random(n) < s["households.female_head_share"]
    head_age = np.clip(
        rng.normal(s["households.head_age_mean"], s["households.head_age_sd"], n), 18, 90
    ).astype(np.uint8)
    children = rng.binomial(size - 1, s["households.child_share"]).astype(np.uint8)
    older = rng.random(n) < s["households.older_member_share"]
    disability = rng.random(n) < s["households.disability_share"]
    protection_risk = rng.random(n) < s["households.protection_risk_share"]
    assets = (
        s["households.assets_median"] * rng.lognormal(0.0, s["households.assets_spread"], n)
    ).astype(np.float32)
    skills = rng.beta(2, 2, n).astype(np.float32)
    trust = rng.beta(2, 2, n).astype(np.float32)
    ties = rng.beta(2, 2, n).astype(np.float32)
    vulnerable = older | disability | protection_risk
    threshold = np.clip(
        rng.normal(s["decision.safety_threshold"], s["decision.safety_threshold_sd"], n)
        + s["decision.vulnerable_threshold_shift"] * vulnerable,
        0.05,
        0.95,
    ).astype(np.float32)
    housing = np.where(
        rng.random(n) < places.initial_damage[origin], Housing.DESTROYED, Housing.INTACT
    ).astype(np.int8)

    place = origin.copy()
    status = np.full(n, Status.AT_ORIGIN, dtype=np.int8)
    u = rng.random(n)
    idp = u < s["households.initial_idp_share"]
    ref = ~idp & (u < s["households.initial_idp_share"] + s["households.initial_refugee_share"])
    for mask, want_abroad, st in (
        (idp, False, Status.INTERNALLY_DISPLACED),
        (ref, True, Status.REFUGEE),
    ):
        hosts = np.flatnonzero((places.abroad == want_abroad) & (places.kind != PlaceKind.ORIGIN))
        if mask.any() and len(hosts) == 0:
            mask[:] = False  # nowhere to be displaced to in this scenario
            continue
        for o in origins:
            sel = np.flatnonzero(mask & (origin == o))
            if len(sel) == 0:
                continue
            w = np.exp(
                -np.nan_to_num(places.dist_km[o, hosts], posinf=1e9)
                / s["households.host_distance_km"]
            )
            w = w / w.sum() if w.sum() > 0 else np.full(len(hosts), 1 / len(hosts))
            place[sel] = rng.choice(hosts, size=len(sel), p=w)
        status[mask] = st
    displaced = idp | ref
    months = np.where(
        displaced, rng.integers(0, s["households.initial_months_max"] + 1, n), 0
    ).astype(np.int16)
    occupied = (
        displaced & (housing == Housing.INTACT) & (rng.random(n) < places.initial_occupied[origin])
    )
    housing[occupied] = Housing.OCCUPIED
    documented = rng.random(n) >= s["households.undocumented_share"]
    return Population(
        size=size,
        female_head=female_head,
        head_age=head_age,
        children=children,
        older=older,
        disability=disability,
        protection_risk=protection_risk,
        assets=assets,
        skills=skills,
        origin=origin,
        place=place.astype(np.int16),
        status=status,
        months_displaced=months,
        times_displaced=displaced.astype(np.uint8),
        returned_elsewhere=np.zeros(n, dtype=bool),
        housing=housing,
        trauma=np.zeros(n, dtype=np.float32),
        trust=trust,
        ties=ties,
        threshold=threshold,
        # Those displaced at the start fled violence: they believe home unsafe.
        belief_security=np.where(displaced, s["households.initial_belief_security"], 1.0).astype(
            np.float32
        ),
        belief_conditions=np.zeros(n, dtype=np.float32),
        documented=documented,
        return_month=np.full(n, -1, dtype=np.int16),
        assisted=np.zeros(n, dtype=bool),
        support_months=np.zeros(n, dtype=np.uint8),
        livelihood_boost=np.zeros(n, dtype=np.float32),
        loan=np.zeros(n, dtype=np.float32),
    )


class Tally:
    """Counts kept up to date as households move (no full-array recount per month)."""

    def __init__(self, pop: Population, n_places: int) -> None:
        self.n_places = n_places
        self.recount(pop)

    def recount(self, pop: Population) -> None:
        """Recompute every count from the arrays."""
        p = self.n_places
        self.status = np.bincount(pop.status, minlength=N_STATUS).astype(np.int64)
        self.households = np.bincount(pop.place, minlength=p).astype(np.int64)
        self.persons = np.bincount(pop.place, weights=pop.size, minlength=p)
        back = pop.status == Status.RETURNED
        self.returned_by_origin = np.bincount(pop.origin[back], minlength=p).astype(np.int64)
        away = np.isin(pop.status, DISPLACED)
        self.displaced_by_origin = np.bincount(pop.origin[away], minlength=p).astype(np.int64)
        ever = pop.times_displaced > 0
        self.ever_displaced_by_origin = np.bincount(pop.origin[ever], minlength=p).astype(np.int64)

    def move(
        self, pop: Population, ids: np.ndarray, new_place: np.ndarray, new_status: np.ndarray
    ) -> None:
        """Relocate households ``ids`` and keep the counts right."""
        if len(ids) == 0:
            return
        p = self.n_places
        old_place, old_status = pop.place[ids], pop.status[ids]
        size, origin = pop.size[ids], pop.origin[ids]
        self.households += np.bincount(new_place, minlength=p) - np.bincount(old_place, minlength=p)
        self.persons += np.bincount(new_place, weights=size, minlength=p) - np.bincount(
            old_place, weights=size, minlength=p
        )
        self.status += np.bincount(new_status, minlength=N_STATUS) - np.bincount(
            old_status, minlength=N_STATUS
        )
        for counter, states in (
            (self.returned_by_origin, (Status.RETURNED,)),
            (self.displaced_by_origin, DISPLACED),
        ):
            counter += np.bincount(origin[np.isin(new_status, states)], minlength=p)
            counter -= np.bincount(origin[np.isin(old_status, states)], minlength=p)
        pop.place[ids] = new_place
        pop.status[ids] = new_status


#: Deliberating households are processed in chunks of this many rows, which
#: bounds the memory of the choice step whatever the population size.
CHUNK = 65_536


def build_context(
    s: Settings,
    places: Places,
    *,
    presence: np.ndarray,
    tally: Tally,
    events: np.ndarray,
    month: int,
    return_elsewhere_place: np.ndarray,
    info_bonus: float,
    package: PackageTerms,
    takeup: PackageTakeUp,
) -> Context:
    """What the decision rule reads of the places this month: the value of each place.

    Conditions and appeal of place j (``decision.*`` weights, sources in the
    registry; security from ``conflict.py``, presence of peacekeepers from
    ``conflict.presence``):

        conditions_j = w_services x services_j (aid-adjusted) + w_livelihood x livelihood_j
                       + w_education x education_j + w_cohesion x cohesion_j
                       + presence_weight x presence_j + aid.appeal_weight x aid_coverage_j
        appeal_j     = w_security x security_j + conditions_j - crowding_cost x crowding_j

    The value of a road from j to a neighbour k is appeal_k - distance_cost x km_jk / 100
    (``-inf`` for padding). ``back_share`` per origin is returned / ever displaced, the
    network signal of step 1.
    """
    conditions = (
        s["decision.w_services"] * places.effective_services()
        + s["decision.w_livelihood"] * places.livelihood
        + s["decision.w_education"] * places.education
        + s["decision.w_cohesion"] * places.cohesion
        + s["peacekeeping.presence_weight"] * presence
        + s["aid.appeal_weight"] * places.aid_coverage
    )
    appeal = (
        s["decision.w_security"] * places.security
        + conditions
        - s["decision.crowding_cost"] * places.crowding()
    )
    nbr = places.nbr
    km = np.where(nbr >= 0, places.nbr_km, 0.0)  # padding is inf: 0 x inf would be NaN
    nbr_value = np.where(nbr >= 0, appeal[nbr] - s["decision.distance_cost"] * km / 100.0, -np.inf)
    back = tally.returned_by_origin / np.maximum(tally.ever_displaced_by_origin, 1)
    return Context(
        security=places.security,
        security32=places.security.astype(np.float32),
        appeal=appeal,
        conditions=conditions,
        nbr=nbr,
        nbr_value=nbr_value,
        dist_km=places.dist_km,
        settle_ok=np.isin(places.kind, (PlaceKind.ORIGIN, PlaceKind.TOWN)),
        abroad=places.abroad,
        return_elsewhere_place=return_elsewhere_place,
        back_share=back,
        events=events,
        month=month,
        aid_coverage=places.aid_coverage,
        asset_protection=s["aid.asset_protection"],
        trap_factor=places.trap_factor,
        info_bonus=info_bonus,
        package=package,
        takeup=takeup,
    )


def decide_and_move(
    pop: Population,
    tally: Tally,
    ctx: Context,
    scenario: Settings,
    rng: np.random.Generator,
    rng_housing: np.random.Generator,
) -> Flows:
    """One month of household decisions, vectorized over households."""
    s = scenario
    flows = Flows()
    away = np.flatnonzero(
        (pop.status == Status.INTERNALLY_DISPLACED) | (pop.status == Status.REFUGEE)
    )

    # 1. Time away, beliefs about home, assets.
    pop.months_displaced[away] += 1
    home = pop.origin[away]
    rate = np.minimum(
        1.0,
        s["decision.info_rate"]
        + ctx.info_bonus
        + s["decision.ties_info_rate"] * pop.ties[away].astype(np.float64) * ctx.back_share[home],
    )
    for belief, truth in (
        (pop.belief_security, ctx.security),
        (pop.belief_conditions, ctx.conditions),
    ):
        b = belief[away].astype(np.float64)
        belief[away] = b + rate * (truth[home] - b)
    # Assets run down in displacement, less where aid covers needs.
    cover = ctx.aid_coverage[pop.place[away]]
    keep = 1.0 - s["decision.asset_depletion"] * (1.0 - ctx.asset_protection * cover)
    pop.assets[away] *= keep.astype(np.float32)

    # 2. Threat (security here below one's threshold) and deliberation.
    threatened = ctx.security32[pop.place] < pop.threshold
    pop.trauma *= np.float32(1.0 - s["decision.trauma_recovery"])
    t_ids = np.flatnonzero(threatened)
    tr = pop.trauma[t_ids].astype(np.float64)
    pop.trauma[t_ids] = tr + s["decision.trauma_rate"] * (1.0 - tr)
    # The threatened must deliberate; the displaced review at `review_rate`.
    # Others (home or settled, safe) have nothing to choose but staying.
    u = rng.random(len(away), dtype=np.float32)
    review = np.zeros(pop.n, dtype=bool)
    review[away[u < np.float32(s["decision.review_rate"])]] = True
    idx = np.flatnonzero(threatened | review)
    del review, away, home, rate, u, cover, keep

    for start in range(0, len(idx), CHUNK):
        chunk = idx[start : start + CHUNK]
        uu = rng.random((len(chunk), 4), dtype=np.float32)
        _choose_and_act(pop, tally, ctx, s, chunk, threatened[chunk], uu, flows)

    # 3. Violence destroys homes of absent households (housing stream).
    flows.homes_destroyed = destroy_homes(pop, ctx, scenario, rng_housing)
    return flows


def _choose_and_act(
    pop: Population,
    tally: Tally,
    ctx: Context,
    s: Settings,
    idx: np.ndarray,
    threat: np.ndarray,
    uu: np.ndarray,
    flows: Flows,
) -> None:
    """Logit choice among stay, move, return, settle for households ``idx``, then act.

    ``uu`` holds four uniforms per household: the choice, the destination of
    a move, being trapped or able to pay the journey, and return elsewhere.
    """
    m = len(idx)
    place, origin, status = pop.place[idx], pop.origin[idx], pop.status[idx]
    is_away = (status == Status.INTERNALLY_DISPLACED) | (status == Status.REFUGEE)
    threshold = pop.threshold[idx].astype(np.float64)
    # Danger grows with how far security falls short of one's threshold.
    shortfall = np.where(threat, 1.0 - ctx.security[place] / threshold, 0.0)
    fade = 0.5 ** (pop.months_displaced[idx] / s["decision.attachment_halflife"])
    util = np.empty((m, len(Choice)))
    util[:, Choice.STAY] = (
        ctx.appeal[place]
        - s["decision.danger_penalty"] * shortfall
        - s["decision.displacement_hardship"] * is_away
    )
    # Moving goes one road on, never home (going home is the return option):
    # nested logit, the move's value is the inclusive value over neighbours.
    nbr = ctx.nbr[place]
    value = np.where(nbr == origin[:, None], -np.inf, ctx.nbr_value[place])
    top = value.max(axis=1, initial=-np.inf)
    with np.errstate(invalid="ignore"):
        inclusive = top + np.log(np.exp(value - top[:, None]).sum(axis=1))
    # Those at home or settled move only to flee; the displaced may move on.
    util[:, Choice.MOVE] = np.where(
        (is_away | threat) & np.isfinite(inclusive), inclusive - s["decision.move_cost"], -np.inf
    )
    # Return only when home is believed safe enough (safety first) and reachable.
    dist_home = ctx.dist_km[place, origin]
    belief_sec = pop.belief_security[idx].astype(np.float64)
    pkg = ctx.package
    # Escorted convoys lower the security one needs to believe in before going.
    can_return = is_away & (belief_sec >= threshold - pkg.relief) & np.isfinite(dist_home)
    # A cash grant on offer adds to the value of going home (Burundi 2007).
    cash = pkg.cash_per_person * pop.size[idx] * pkg.offered
    util[:, Choice.RETURN] = np.where(
        can_return,
        s["decision.w_security"] * belief_sec
        + pop.belief_conditions[idx].astype(np.float64)
        + s["decision.attachment"] * fade
        + pkg.utility_per_usd * cash
        - s["decision.housing_penalty"] * (pop.housing[idx] != Housing.INTACT)
        - s["decision.move_cost"]
        - s["decision.distance_cost"] * np.where(can_return, dist_home, 0.0) / 100.0,
        -np.inf,
    )
    util[:, Choice.SETTLE] = np.where(
        is_away & ctx.settle_ok[place],
        util[:, Choice.STAY] - s["decision.settle_weight"] * fade,
        -np.inf,
    )
    choice = logit_draw(util, uu[:, 0])

    # Moves: destination by logit among neighbours; fleeing may be blocked.
    sel = np.flatnonzero(choice == Choice.MOVE)
    dest = nbr[sel, logit_draw(value[sel], uu[sel, 1])]
    older_or_disabled = pop.older[idx[sel]] | pop.disability[idx[sel]]
    trapped_p = s["decision.trapped_share"] * (1 + older_or_disabled) * ctx.trap_factor[place[sel]]
    blocked = threat[sel] & (uu[sel, 2] < trapped_p)
    flows.trapped += int(blocked.sum())
    sel, dest = sel[~blocked], dest[~blocked]
    ids = idx[sel]
    was = status[sel]
    new_status = np.where(ctx.abroad[dest], Status.REFUGEE, Status.INTERNALLY_DISPLACED)
    newly = ~is_away[sel]  # from home (or a settled place): a new displacement
    flows.new_displacements += int(newly.sum())
    flows.redisplacements += int((was[newly] == Status.RETURNED).sum())
    flows.secondary_moves += int((~newly).sum())
    fled = ids[newly]
    pop.times_displaced[fled] = np.minimum(pop.times_displaced[fled].astype(np.int16) + 1, 255)
    first = fled[pop.times_displaced[fled] == 1]
    tally.ever_displaced_by_origin += np.bincount(pop.origin[first], minlength=tally.n_places)
    pop.months_displaced[fled] = 0
    pop.returned_elsewhere[fled] = False
    pop.belief_security[fled] = ctx.security[pop.origin[fled]]
    pop.belief_conditions[fled] = ctx.conditions[pop.origin[fled]]
    tally.move(pop, ids, dest.astype(np.int16), new_status.astype(np.int8))

    # Returns: capability to pay the journey, and return elsewhere.
    sel = np.flatnonzero(choice == Choice.RETURN)
    flows.intending_return += len(sel)
    ids = idx[sel]
    size = pop.size[ids]
    trip = s["decision.trip_cost_per_person"] * size
    assets = pop.assets[ids].astype(np.float64)
    able = uu[sel, 2] < capability(assets, trip)
    if pkg.offered and not ctx.takeup.exhausted:
        # With a package: cash adds to what one has, transport pays the trip.
        # Packages go in household order until the month's funds run out.
        fare = np.maximum(s["decision.trip_cost_per_person"] - pkg.transport_per_person, 0.0)
        have = assets + pkg.cash_per_person * size
        able_pkg = uu[sel, 2] < capability(have, fare * size)
        price = pkg.cost(size, pop.housing[ids] != Housing.INTACT)
        used = np.cumsum(np.concatenate(([ctx.takeup.used], np.where(able_pkg, price, 0.0))))[1:]
        takes = able_pkg & (used <= pkg.funds)
        ctx.takeup.exhausted = bool((able_pkg & ~takes).any())
        if takes.any():
            ctx.takeup.used = float(used[takes][-1])
        able = takes | able
        got = ids[takes]
        pop.assisted[got] = True
        pop.support_months[got] = s["return_package.food_months"]
        pop.assets[got] += (pkg.cash_per_person * pop.size[got]).astype(np.float32)
    flows.unable_to_return += int((~able).sum())
    sel, ids = sel[able], ids[able]
    pop.return_month[ids] = ctx.month
    alt = ctx.return_elsewhere_place[pop.origin[ids]]
    elsewhere = (
        (pop.housing[ids] != Housing.INTACT)
        & (uu[sel, 3] < s["decision.return_elsewhere_share"])
        & (alt >= 0)
    )
    dest = np.where(elsewhere, alt, pop.origin[ids]).astype(np.int16)
    new_status = np.where(elsewhere, Status.SETTLED_ELSEWHERE, Status.RETURNED).astype(np.int8)
    pop.returned_elsewhere[ids] = elsewhere
    flows.new_returns += int((~elsewhere).sum())
    flows.returns_elsewhere += int(elsewhere.sum())
    tally.move(pop, ids, dest, new_status)

    # Local integration where one is.
    ids = idx[choice == Choice.SETTLE]
    flows.settlements += len(ids)
    tally.move(pop, ids, pop.place[ids], np.full(len(ids), Status.SETTLED_ELSEWHERE, np.int8))


def capability(assets: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Chance of being able to pay a journey: assets / (assets + cost); 1 when it is free."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cost > 0, assets / (assets + cost), 1.0)


def logit_draw(util: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Column chosen in each row with logit probabilities exp(U) / sum exp(U).

    Inverse-CDF draw with one uniform per row; -inf marks an unavailable
    option. Every row must have at least one finite utility.
    """
    top = util.max(axis=1, keepdims=True)
    cdf = np.cumsum(np.exp(util - top), axis=1)
    # The first option whose cumulative weight exceeds u x total.
    k = (u[:, None] * cdf[:, -1:] >= cdf).sum(axis=1)
    return np.minimum(k, util.shape[1] - 1)


def destroy_homes(
    pop: Population, ctx: Context, scenario: Settings, rng: np.random.Generator
) -> int:
    """Homes of absent households at a violent origin are destroyed with p = 1 - exp(-events/k)."""
    p_destroy = 1.0 - np.exp(-ctx.events / scenario["conflict.destruction_scale"])
    if not (p_destroy > 0).any():
        return 0
    ids = np.flatnonzero(
        (pop.place != pop.origin) & (pop.housing == Housing.INTACT) & (p_destroy[pop.origin] > 0)
    )
    hit = ids[rng.random(len(ids)) < p_destroy[pop.origin[ids]]]
    pop.housing[hit] = Housing.DESTROYED
    return len(hit)
