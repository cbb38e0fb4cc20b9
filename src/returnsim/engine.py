"""The vectorized engine: the household rule (``rules.py``) applied to every household at once.

Whole-array NumPy work over the population arrays, no Python loop over
households (as in LASER). Random numbers come from ``households.Draws``: one
review uniform per displaced household, one per household short of need, four per
deliberating household, one per exposed home, keyed by household (common random
numbers per household) or, with ``scenario.random_numbers = "stream"``, in that order
from the ``decisions`` and ``housing`` streams. The per-object engine
(``reference.py``) draws the same numbers, so both give the same trajectories.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from returnsim import rules
from returnsim.households import (
    GONE,
    Choice,
    Context,
    Draws,
    Flows,
    Housing,
    PackageTakeUp,
    PackageTerms,
    Population,
    Purpose,
    Status,
    Tally,
)
from returnsim.places import PlaceKind, Places

#: Deliberating households are processed in chunks of this many rows, which
#: bounds the memory of the choice step whatever the population size.
CHUNK = 65_536


def build_context(
    p: Any,
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
    pressure: np.ndarray | None = None,
    guests: np.ndarray | None = None,
) -> Context:
    """What both engines read of the places this month (:func:`rules.place_values`).

    ``pressure`` marks places a camp closure or an assistance cut holds this month; their
    appeal and deprivation without it are computed too (services and livelihood at the
    level they drift toward, the scenario's capacity), to tell induced returns apart.
    ``guests``: per place, households whose home is elsewhere (given where residents are
    set): the host community's fatigue (``rules.host_fatigue``) lowers its cohesion."""
    cohesion, fatigue = places.cohesion, np.zeros(places.n)
    if guests is not None:
        area = places.aid_coverage if p.aid.area_based else np.zeros(places.n)
        fatigue = rules.host_fatigue(
            p.hosts, guests=guests, residents=places.residents, area_cover=area
        )
        cohesion = cohesion * (1.0 - fatigue)

    def values(services: np.ndarray, livelihood: np.ndarray, crowding: np.ndarray) -> tuple:
        return rules.place_values(
            p,
            services=services / (1.0 + crowding),
            livelihood=livelihood,
            education=places.education,
            cohesion=cohesion,
            security=places.security,
            presence=presence,
            aid_coverage=places.aid_coverage,
            crowding=crowding,
            nbr=places.nbr,
            nbr_km=places.nbr_km,
        )

    def deprived(services: np.ndarray, livelihood: np.ndarray) -> np.ndarray:
        return rules.deprivation(
            p.decision,
            livelihood=livelihood,
            services=services,
            base_livelihood=places.base_livelihood,
            base_services=places.base_services,
            aid_coverage=places.aid_coverage,
        )

    conditions, appeal, road = values(places.services, places.livelihood, places.crowding())
    free = {}
    if pressure is not None and pressure.any():
        target = 1.0 - p.dynamics.insecurity_damage * (1.0 - places.security)
        services = np.where(
            pressure, np.maximum(places.services, places.base_services * target), places.services
        )
        livelihood = np.where(
            pressure,
            np.maximum(places.livelihood, places.base_livelihood * target),
            places.livelihood,
        )
        room = np.where(pressure, places.scenario_capacity, places.capacity)
        crowding = np.maximum(places.occupancy / room - 1.0, 0.0)
        free = {
            "pressure": pressure,
            "appeal_free": values(services, livelihood, crowding)[1],
            "deprivation_free": deprived(services, livelihood),
        }
    road = np.where(places.road, road, -np.inf)  # a closed road is no option (closures)
    every_home = np.arange(places.n)[None, :]
    return Context(
        inclusive=rules.inclusive_value(
            rules.move_values(places.nbr[:, None, :], road[:, None, :], every_home)
        ),
        security=places.security,
        security32=places.security.astype(np.float32),
        appeal=appeal,
        conditions=conditions,
        education=places.education,
        nbr=places.nbr,
        nbr_value=road,
        dist_km=places.dist_km,
        settle_ok=np.isin(places.kind, (PlaceKind.ORIGIN, PlaceKind.TOWN)),
        abroad=places.abroad,
        return_elsewhere_place=return_elsewhere_place,
        back_share=rules.back_share(tally.returned_by_origin, tally.ever_displaced_by_origin),
        deprivation=deprived(places.services, places.livelihood),
        events=events,
        month=month,
        aid_coverage=places.aid_coverage,
        asset_protection=p.aid.asset_protection,
        trap_factor=places.trap_factor,
        info_bonus=info_bonus,
        package=package,
        takeup=takeup,
        fatigue=fatigue,
        settle_penalty=p.hosts.settle_weight * fatigue,
        **free,
    )


def decide_and_move(
    pop: Population,
    tally: Tally,
    ctx: Context,
    p: Any,
    draws: Draws,
) -> Flows:
    """One month of household decisions (steps 1-5 of ``rules``), vectorized over households."""
    d = p.decision
    flows = Flows()
    # Displaced: status IDP (1) or refugee (2), i.e. status - 1 < 2 in unsigned bytes.
    away = np.flatnonzero(pop.status.view(np.uint8) - np.uint8(1) < 2)

    # 1. Time away, beliefs about home, assets.
    pop.months_displaced[away] += 1
    home = pop.origin[away]
    rate = rules.learning_rate(
        d,
        info_bonus=ctx.info_bonus,
        ties=pop.ties[away].astype(np.float64),
        back=ctx.back_share[home],
    )
    for belief, truth in (
        (pop.belief_security, ctx.security),
        (pop.belief_conditions, ctx.conditions),
    ):
        belief[away] = rules.learn(belief[away].astype(np.float64), truth[home], rate)
    keep = rules.asset_retention(
        d, cover=ctx.aid_coverage[pop.place[away]], protection=ctx.asset_protection
    )
    pop.assets[away] *= keep.astype(np.float32)

    # 2. Threat, trauma and deliberation.
    needed = rules.safety_needed(d, pop.threshold, pop.trauma)  # trauma as the month opens
    threatened = rules.threatened(ctx.security32[pop.place], needed)
    if tally.gone:  # dissolved or resettled: no one here to decide
        threatened &= ~np.isin(pop.status, GONE)
    pop.trauma *= rules.trauma_remaining(d)
    t_ids = np.flatnonzero(threatened)
    pop.trauma[t_ids] = rules.trauma_exposed(d, pop.trauma[t_ids].astype(np.float64))
    review = np.zeros(pop.n, dtype=bool)
    # a resettlement case pending (none where no places are offered)
    pending = pop.resettle_month[away] > 0 if p.resettlement.persons_per_year > 0 else False
    review[away[rules.reviews(d, draws(Purpose.REVIEW, away), pending)]] = True
    # Those not displaced and short of need weigh leaving: at a deprived place, or a
    # returnee without a habitable home or without documents (one uniform each, in
    # household order, after the above). A household's gap is at most its limit, so only
    # those whose uniform falls under it need their own gap.
    deprived = ctx.deprivation > 0
    own_gap = d.homeless_gap > 0 or d.undocumented_gap > 0
    returned = np.flatnonzero(pop.status == Status.RETURNED) if own_gap else away[:0]
    own_short = returned[
        ((pop.housing[returned] != Housing.INTACT) & (d.homeless_gap > 0))
        | (~pop.documented[returned] & (d.undocumented_gap > 0))
    ]
    if deprived.any() or len(own_short):
        few = np.flatnonzero(deprived)
        if len(few) <= 4:  # a comparison per place is cheaper than a gather
            mark = np.zeros(pop.n, dtype=bool)
            for j in few:
                mark |= pop.place == j
        else:
            mark = deprived[pop.place]
        mark[own_short] = True
        short = np.flatnonzero(mark)
        st = pop.status[short]
        keep = (st != Status.INTERNALLY_DISPLACED) & (st != Status.REFUGEE)
        keep &= ~np.isin(st, GONE)
        short, st = short[keep], st[keep]
        u = draws(Purpose.WANT, short)
        back = st == Status.RETURNED
        lost = back & (pop.housing[short] != Housing.INTACT)
        unserved = back & ~pop.documented[short]
        own = np.maximum(d.homeless_gap * lost, d.undocumented_gap * unserved)
        limit = np.maximum(ctx.deprivation[pop.place[short]], own)
        maybe = rules.weighs_leaving(d, limit, u)
        ids = short[maybe]
        review[ids[rules.weighs_leaving(d, _gap(pop, ctx, d, ids), u[maybe])]] = True
    idx = np.flatnonzero(threatened | review)
    del review, away, home, rate, keep

    # 3-4. Choice and capability, chunk by chunk.
    for start in range(0, len(idx), CHUNK):
        chunk = idx[start : start + CHUNK]
        uu = draws(Purpose.CHOICE, chunk, 4)
        _choose_and_act(pop, tally, ctx, d, chunk, threatened[chunk], needed[chunk], uu, flows)

    # 5. Violence destroys homes of absent households (housing stream).
    flows.homes_destroyed = destroy_homes(pop, ctx, p.conflict.destruction_scale, draws)
    return flows


def reunite(pop: Population, d: Any, rng: np.random.Generator) -> None:
    """Separated families reunite (``rules.reunites``; the ``families`` stream, one uniform
    per separated household in household order). Both engines' month ends with it."""
    apart = np.flatnonzero(pop.separated)
    if len(apart):
        pop.separated[apart[rules.reunites(d, rng.random(len(apart)))]] = False


def _gap(
    pop: Population, ctx: Context, d: Any, ids: np.ndarray, deprivation: np.ndarray | None = None
) -> np.ndarray:
    """Households' own shortfall of need (``rules.need_gap``), at the places' deprivation
    this month or at ``deprivation`` (per place) if given."""
    back = pop.status[ids] == Status.RETURNED
    return rules.need_gap(
        d,
        (ctx.deprivation if deprivation is None else deprivation)[pop.place[ids]],
        homeless=back & (pop.housing[ids] != Housing.INTACT),
        undocumented=back & ~pop.documented[ids],
        supported=pop.support_months[ids] > 0,
        boost=pop.livelihood_boost[ids],
    )


def _choose_and_act(
    pop: Population,
    tally: Tally,
    ctx: Context,
    d: Any,
    idx: np.ndarray,
    threat: np.ndarray,
    needed: np.ndarray,
    uu: np.ndarray,
    flows: Flows,
) -> None:
    """Choice among stay, move, return, settle for households ``idx``, then act.

    ``uu`` holds four uniforms per household: the choice, the destination of
    a move, being trapped or able to pay the journey, and return elsewhere.
    """
    place, origin, status = pop.place[idx], pop.origin[idx], pop.status[idx]
    is_away = (status == Status.INTERNALLY_DISPLACED) | (status == Status.REFUGEE)
    home_lost = pop.housing[idx] != Housing.INTACT
    pkg = ctx.package
    gap = _gap(pop, ctx, d, idx)
    util = np.empty((len(idx), len(Choice)))
    (
        util[:, Choice.STAY],
        util[:, Choice.MOVE],
        util[:, Choice.RETURN],
        util[:, Choice.SETTLE],
    ) = rules.utilities(
        d,
        pkg,
        appeal=ctx.appeal[place],
        security=ctx.security[place],
        threshold=needed.astype(np.float64),
        threat=threat,
        away=is_away,
        months_displaced=pop.months_displaced[idx],
        inclusive=ctx.inclusive[place, origin],
        settle_ok=ctx.settle_ok[place],
        dist_home=ctx.dist_km[place, origin],
        belief_security=pop.belief_security[idx].astype(np.float64),
        belief_conditions=pop.belief_conditions[idx].astype(np.float64),
        size=pop.size[idx],
        home_lost=home_lost,
        gap=gap,
        trauma=pop.trauma[idx].astype(np.float64),
        cautious=pop.female_head[idx] | pop.older[idx],
        route_risk=ctx.trap_factor[place],
        school_age=pop.has_school_age(idx),
        school_here=ctx.education[place],
        school_home=ctx.education[origin],
        settle_penalty=ctx.settle_penalty[place],
    )
    choice = rules.logit_draw(util, uu[:, 0])
    # A return chosen under a camp closure or an assistance cut: would the same uniform
    # have chosen it without the pressure (rules.pressure_shift)?
    induced = np.zeros(len(idx), dtype=bool)
    if ctx.pressure is not None:
        r = np.flatnonzero((choice == Choice.RETURN) & ctx.pressure[place])
        if len(r):
            shift = rules.pressure_shift(
                d,
                appeal=ctx.appeal[place[r]],
                appeal_free=ctx.appeal_free[place[r]],
                gap=gap[r],
                gap_free=_gap(pop, ctx, d, idx[r], ctx.deprivation_free),
            )
            free = util[r]
            free[:, Choice.STAY] += shift
            free[:, Choice.SETTLE] += shift
            induced[r] = rules.logit_draw(free, uu[r, 0]) != Choice.RETURN

    # Moves: destination by logit among neighbours; fleeing may be blocked.
    sel = np.flatnonzero(choice == Choice.MOVE)
    nbr = ctx.nbr[place[sel]]
    value = rules.move_values(nbr, ctx.nbr_value[place[sel]], origin[sel])
    dest = nbr[np.arange(len(sel)), rules.logit_draw(value, uu[sel, 1])]
    trapped_p = rules.trapped_chance(
        d,
        frail=pop.older[idx[sel]] | pop.disability[idx[sel]],
        undocumented=~pop.documented[idx[sel]],
        trap_factor=ctx.trap_factor[place[sel]],
    )
    blocked = threat[sel] & (uu[sel, 2] < trapped_p)
    flows.trapped += int(blocked.sum())
    # Leaving home for want, not threat: only if the journey can be paid.
    want = ~threat[sel] & ~is_away[sel]
    ids = idx[sel[want]]
    cannot = np.zeros(len(sel), dtype=bool)
    cannot[want] = uu[sel[want], 2] >= rules.capability(
        pop.assets[ids].astype(np.float64), rules.trip_cost(d, pop.size[ids])
    )
    flows.unable_to_leave += int(cannot.sum())
    keep = ~blocked & ~cannot
    flows.need_displacements += int((want & keep).sum())
    sel, dest = sel[keep], dest[keep]
    ids = idx[sel]
    was = status[sel]
    new_status = np.where(ctx.abroad[dest], Status.REFUGEE, Status.INTERNALLY_DISPLACED)
    newly = ~is_away[sel]  # from home (or a settled place): a new displacement
    flows.new_displacements += int(newly.sum())
    flows.redisplacements += int((was[newly] == Status.RETURNED).sum())
    flows.secondary_moves += int((~newly).sum())
    flows.onward_abroad += int((~newly & ctx.abroad[dest]).sum())
    fled = ids[newly]
    under_threat = threat[sel][newly]
    shaken = fled[under_threat]
    pop.trauma[shaken] = rules.trauma_of_flight(d, pop.trauma[shaken].astype(np.float64))
    # The fourth uniform (return elsewhere, unused by a move) decides a family separation.
    lost = under_threat & rules.separated_in_flight(d, uu[sel[newly], 3])
    pop.separated[fled[lost]] = True
    pop.times_displaced[fled] = np.minimum(pop.times_displaced[fled].astype(np.int16) + 1, 255)
    first = fled[pop.times_displaced[fled] == 1]
    tally.ever_displaced_by_origin += np.bincount(pop.origin[first], minlength=tally.n_places)
    pop.months_displaced[fled] = 0
    pop.returned_elsewhere[fled] = False
    pop.belief_security[fled] = ctx.security[pop.origin[fled]]
    pop.belief_conditions[fled] = ctx.conditions[pop.origin[fled]]
    tally.move(pop, ids, dest.astype(np.int16), new_status.astype(np.int8))

    # Returns: capability to pay the journey, a package if one is funded, return elsewhere.
    sel = np.flatnonzero(choice == Choice.RETURN)
    flows.intending_return += len(sel)
    ids = idx[sel]
    size = pop.size[ids]
    assets = pop.assets[ids].astype(np.float64)
    km = rules.road_home(ctx.dist_km[pop.place[ids], pop.origin[ids]])
    able = uu[sel, 2] < rules.capability(assets, rules.trip_cost(d, size, km))
    if pkg.offered and not ctx.takeup.exhausted:
        takes = rules.package_takeup(
            pkg,
            ctx.takeup,
            able=(uu[sel, 2] < rules.package_capability(d, pkg, assets=assets, size=size, km=km))
            & rules.registers(
                pkg,
                documented=pop.documented[ids],
                trust=pop.trust[ids],
                assisted=pop.assisted[ids],
            ),
            price=pkg.cost(size, home_lost[sel], km),
        )
        able = takes | able
        got = ids[takes]
        if pkg.shelter_kit > 0:  # a transitional shelter: the home is habitable again
            pop.housing[got[pop.housing[got] != Housing.INTACT]] = Housing.INTACT
        pop.assisted[got] = True
        pop.support_months[got] = pkg.food_months
        pop.assets[got] += (pkg.cash_per_person * pop.size[got]).astype(np.float32)
    flows.unable_to_return += int((~able).sum())
    sel, ids = sel[able], ids[able]
    pop.return_month[ids] = ctx.month
    alt = ctx.return_elsewhere_place[pop.origin[ids]]
    lost = pop.housing[ids] != Housing.INTACT  # after any shelter kit
    elsewhere = rules.returns_elsewhere(d, home_lost=lost, u=uu[sel, 3], alternative=alt)
    dest = np.where(elsewhere, alt, pop.origin[ids]).astype(np.int16)
    new_status = np.where(elsewhere, Status.SETTLED_ELSEWHERE, Status.RETURNED).astype(np.int8)
    pop.returned_elsewhere[ids] = elsewhere
    flows.new_returns += int((~elsewhere).sum())
    flows.returns_elsewhere += int(elsewhere.sum())
    flows.induced_returns += int(induced[sel].sum())
    tally.move(pop, ids, dest, new_status)

    # Local integration where one is.
    ids = idx[choice == Choice.SETTLE]
    flows.settlements += len(ids)
    tally.move(pop, ids, pop.place[ids], np.full(len(ids), Status.SETTLED_ELSEWHERE, np.int8))


def destroy_homes(pop: Population, ctx: Context, scale: float, draws: Draws) -> int:
    """Homes of absent households at a violent origin are destroyed (see ``rules``)."""
    p_destroy = rules.destruction_chance(ctx.events, scale)
    if not (p_destroy > 0).any():
        return 0
    ids = np.flatnonzero(
        (pop.place != pop.origin) & (pop.housing == Housing.INTACT) & (p_destroy[pop.origin] > 0)
    )
    hit = ids[draws(Purpose.HOUSING, ids) < p_destroy[pop.origin[ids]]]
    pop.housing[hit] = Housing.DESTROYED
    return len(hit)
