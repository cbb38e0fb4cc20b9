"""The per-object engine: one ``Household(mesa.Agent)`` per household, one at a time.

It drives the same rule as the vectorized engine (``rules.py``), written as
one household's month: review (beliefs, assets, threat, trauma), then, if it
deliberates, choose among stay, move, return and settle and act. It is the
readable specification of that rule and the test oracle for ``engine.py``:
it takes the same random numbers in the same order, so both give the same
trajectories. Choose it with ``scenario.engine = "agents"`` for small
teaching runs; it is several hundred times slower (make bench).

Each month the engine loads every agent's state from the population arrays
(levers may have changed them), runs the agents, writes their state back
and recounts. Place values come from the model's shared ``Context``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import mesa
import numpy as np

from returnsim import rules
from returnsim.engine import CHUNK
from returnsim.households import GONE, Choice, Context, Flows, Housing, Purpose, Status

if TYPE_CHECKING:
    from returnsim.param import Section
    from returnsim.world import World

#: Household attributes copied between the agent and the population arrays.
STATE = (
    "size",
    "female_head",
    "older",
    "disability",
    "assets",
    "origin",
    "place",
    "status",
    "months_displaced",
    "times_displaced",
    "returned_elsewhere",
    "housing",
    "trauma",
    "ties",
    "threshold",
    "belief_security",
    "belief_conditions",
    "return_month",
    "assisted",
    "support_months",
    "livelihood_boost",
    "documented",
    "trust",
    "separated",
)

F32 = np.float32


def _f32(x: float) -> float:
    """Round to float32, as the population arrays store it."""
    return float(F32(x))


class Household(mesa.Agent):
    """A displaced or at-risk household deciding each month where to live."""

    def __init__(self, model: World, *, row: int) -> None:
        super().__init__(model)
        self.row = row
        #: a member aged 5-17 (read as the month opens: members are born, age and die)
        self.school_age = False
        self.threatened = False
        self.needed = F32(0.0)

    # --------------------------------------------------------------- state
    def load(self) -> None:
        """Copy this household's row from the population arrays."""
        pop = self.model.pop
        for name in STATE:
            value = getattr(pop, name)[self.row]
            setattr(self, name, value.item() if hasattr(value, "item") else value)
        self.school_age = bool(pop.has_school_age(self.row))

    def save(self) -> None:
        """Write this household's state back to the population arrays."""
        pop = self.model.pop
        for name in STATE:
            getattr(pop, name)[self.row] = getattr(self, name)

    @property
    def gone(self) -> bool:
        """Dissolved or resettled (``households.GONE``): it no longer decides."""
        return self.status in GONE

    @property
    def away(self) -> bool:
        """Displaced: internally or abroad (not settled elsewhere)."""
        return self.status in (Status.INTERNALLY_DISPLACED, Status.REFUGEE)

    @property
    def homeless(self) -> bool:
        """A returnee whose home is not habitable (destroyed or occupied)."""
        return self.status == Status.RETURNED and self.home_lost

    @property
    def unserved(self) -> bool:
        """A returnee without civil documents (services out of its reach)."""
        return self.status == Status.RETURNED and not self.documented

    def gap(self, ctx: Context, deprivation: np.ndarray | None = None) -> float:
        """This household's shortfall of livelihood, services and shelter below need (at
        the place's deprivation this month, or at ``deprivation`` per place if given)."""
        d = self.model.p.decision
        return rules.need_gap(
            d,
            (ctx.deprivation if deprivation is None else deprivation)[self.place],
            homeless=self.homeless,
            undocumented=self.unserved,
            supported=self.support_months > 0,
            boost=self.livelihood_boost,
        )

    @property
    def home_lost(self) -> bool:
        """The home at origin is destroyed or occupied."""
        return self.housing != Housing.INTACT

    # -------------------------------------------------------------- review
    def review(self, draw: Callable[[], float], ctx: Context) -> bool:
        """Age the displacement, learn about home, feel threat; return True to deliberate.

        ``draw`` gives this household's review uniform; only the displaced take one.
        """
        d = self.model.p.decision
        away = self.away
        if away:
            self.months_displaced += 1
            rate = rules.learning_rate(
                d, info_bonus=ctx.info_bonus, ties=self.ties, back=ctx.back_share[self.origin]
            )
            self.belief_security = _f32(
                rules.learn(self.belief_security, ctx.security[self.origin], rate)
            )
            self.belief_conditions = _f32(
                rules.learn(self.belief_conditions, ctx.conditions[self.origin], rate)
            )
            keep = rules.asset_retention(
                d, cover=ctx.aid_coverage[self.place], protection=ctx.asset_protection
            )
            self.assets = float(F32(self.assets) * F32(keep))
        # The safety one needs grows with trauma (as the month opens).
        self.needed = rules.safety_needed(d, F32(self.threshold), F32(self.trauma))
        self.threatened = not self.gone and bool(
            rules.threatened(ctx.security32[self.place], self.needed)
        )
        self.trauma = float(F32(self.trauma) * rules.trauma_remaining(d))
        if self.threatened:
            self.trauma = _f32(rules.trauma_exposed(d, self.trauma))
        # The threatened must deliberate; the displaced review now and then (each
        # displaced household takes its uniform either way); others stay.
        pending = self.model.pop.resettle_month[self.row] > 0  # a resettlement case
        reviews = away and bool(rules.reviews(d, draw(), pending))
        return self.threatened or reviews

    # -------------------------------------------------------------- decide
    def decide(self, uu: np.ndarray, ctx: Context, flows: Flows) -> None:
        """Choose by logit and act.

        ``uu``: uniforms for the choice, the destination, being trapped or able
        to pay the journey, and returning elsewhere.
        """
        d = self.model.p.decision
        here, home = self.place, self.origin
        values = rules.move_values(ctx.nbr[here], ctx.nbr_value[here], home)
        gap = self.gap(ctx)
        utilities = rules.utilities(
            d,
            ctx.package,
            appeal=ctx.appeal[here],
            security=ctx.security[here],
            threshold=float(self.needed),
            threat=self.threatened,
            away=self.away,
            months_displaced=self.months_displaced,
            inclusive=ctx.inclusive[here, home],
            settle_ok=ctx.settle_ok[here],
            dist_home=ctx.dist_km[here, home],
            belief_security=self.belief_security,
            belief_conditions=self.belief_conditions,
            size=self.size,
            home_lost=self.home_lost,
            gap=gap,
            trauma=self.trauma,
            cautious=self.female_head or self.older,
            route_risk=ctx.trap_factor[here],
            school_age=self.school_age,
            school_here=ctx.education[here],
            school_home=ctx.education[home],
            settle_penalty=ctx.settle_penalty[here],
        )
        util = np.array(utilities, dtype=np.float64)
        choice = Choice(_pick(util, uu[0]))
        if choice == Choice.MOVE:
            self._move(d, values, uu, ctx, flows)
        elif choice == Choice.RETURN:
            # under a camp closure or an assistance cut: would it have returned without?
            induced = False
            if ctx.pressure is not None and ctx.pressure[here]:
                shift = rules.pressure_shift(
                    d,
                    appeal=ctx.appeal[here],
                    appeal_free=ctx.appeal_free[here],
                    gap=gap,
                    gap_free=self.gap(ctx, ctx.deprivation_free),
                )
                util[Choice.STAY] += shift
                util[Choice.SETTLE] += shift
                induced = _pick(util, uu[0]) != Choice.RETURN
            self._return(d, uu, ctx, flows, induced=induced)
        elif choice == Choice.SETTLE:
            flows.settlements += 1
            self.status = Status.SETTLED_ELSEWHERE

    def _move(
        self, d: Section, values: np.ndarray, uu: np.ndarray, ctx: Context, flows: Flows
    ) -> None:
        dest = int(ctx.nbr[self.place][_pick(values, uu[1])])
        trapped = rules.trapped_chance(
            d,
            frail=self.older or self.disability,
            undocumented=not self.documented,
            trap_factor=ctx.trap_factor[self.place],
        )
        if self.threatened and uu[2] < trapped:
            flows.trapped += 1
            return
        if not self.threatened and not self.away:  # leaving home for want: pay the journey
            if uu[2] >= rules.capability(self.assets, rules.trip_cost(d, self.size)):
                flows.unable_to_leave += 1
                return
            flows.need_displacements += 1
        if self.away:
            flows.secondary_moves += 1
            flows.onward_abroad += int(ctx.abroad[dest])
        else:
            flows.new_displacements += 1
            if self.status == Status.RETURNED:
                flows.redisplacements += 1
            if self.threatened:
                self.trauma = _f32(rules.trauma_of_flight(d, self.trauma))
                if rules.separated_in_flight(d, uu[3]):  # a member lost in flight
                    self.separated = True
            self.times_displaced = min(self.times_displaced + 1, 255)
            if self.times_displaced == 1:
                self.model.tally.ever_displaced_by_origin[self.origin] += 1
            self.months_displaced = 0
            self.returned_elsewhere = False
            self.belief_security = _f32(ctx.security[self.origin])
            self.belief_conditions = _f32(ctx.conditions[self.origin])
        self.place = dest
        self.status = Status.REFUGEE if ctx.abroad[dest] else Status.INTERNALLY_DISPLACED

    def _return(
        self, d: Section, uu: np.ndarray, ctx: Context, flows: Flows, *, induced: bool
    ) -> None:
        flows.intending_return += 1
        km = float(rules.road_home(ctx.dist_km[self.place, self.origin]))
        able = uu[2] < rules.capability(self.assets, rules.trip_cost(d, self.size, km))
        pkg = ctx.package
        if pkg.offered and not ctx.takeup.exhausted:
            registered = rules.registers(
                pkg, documented=self.documented, trust=self.trust, assisted=self.assisted
            )
            can_go = bool(registered) and bool(
                uu[2] < rules.package_capability(d, pkg, assets=self.assets, size=self.size, km=km)
            )
            price = pkg.cost(self.size, self.home_lost, km)
            if rules.package_takeup(
                pkg, ctx.takeup, able=np.array([can_go]), price=np.array([price])
            )[0]:
                able = True
                if pkg.shelter_kit > 0:  # a transitional shelter: the home is habitable again
                    self.housing = Housing.INTACT
                self.assisted = True
                self.support_months = pkg.food_months
                self.assets = float(F32(self.assets) + F32(pkg.cash_per_person * self.size))
        if not able:
            flows.unable_to_return += 1
            return
        self.return_month = ctx.month
        flows.induced_returns += induced
        alt = ctx.return_elsewhere_place[self.origin]
        if rules.returns_elsewhere(d, home_lost=self.home_lost, u=uu[3], alternative=alt):
            flows.returns_elsewhere += 1
            self.place, self.status, self.returned_elsewhere = (
                int(alt),
                Status.SETTLED_ELSEWHERE,
                True,
            )
        else:
            flows.new_returns += 1
            self.place, self.status, self.returned_elsewhere = self.origin, Status.RETURNED, False


def _pick(util: np.ndarray, u: float) -> int:
    """One household's logit draw (:func:`rules.logit_draw` on a single row)."""
    return int(rules.logit_draw(util[None, :], np.array([u]))[0])


class AgentEngine:
    """Runs the household rules one ``Household`` agent at a time."""

    def __init__(self, model: World) -> None:
        self.model = model
        self.households = [Household(model, row=i) for i in range(model.pop.n)]

    def step(self, ctx: Context) -> Flows:
        model = self.model
        draws = model.draws()
        flows = Flows()
        for h in self.households:
            h.load()
        # Review uniforms: one per displaced household, in household order.
        away = np.array([h.row for h in self.households if h.away], dtype=np.int64)
        review_draws = iter(draws(Purpose.REVIEW, away))
        deliberates = [h.review(review_draws.__next__, ctx) for h in self.households]
        # Then one per household not displaced at a deprived place, or a returnee without a
        # habitable home or without documents, in household order.
        d = model.p.decision

        def own_short(h: Household) -> bool:
            return (d.homeless_gap > 0 and h.homeless) or (d.undocumented_gap > 0 and h.unserved)

        if (ctx.deprivation > 0).any() or any(own_short(h) for h in self.households):
            short = [
                i
                for i, h in enumerate(self.households)
                if not h.away and not h.gone and (ctx.deprivation[h.place] > 0 or own_short(h))
            ]
            rows = np.array([self.households[i].row for i in short], dtype=np.int64)
            for i, u in zip(short, draws(Purpose.WANT, rows), strict=True):
                if rules.weighs_leaving(d, self.households[i].gap(ctx), u):
                    deliberates[i] = True
        deliberating = [h for h, yes in zip(self.households, deliberates, strict=True) if yes]
        # Choice uniforms, drawn chunk by chunk as the vectorized engine does.
        for start in range(0, len(deliberating), CHUNK):
            chunk = deliberating[start : start + CHUNK]
            uu = draws(Purpose.CHOICE, np.array([h.row for h in chunk], dtype=np.int64), 4)
            for h, row in zip(chunk, uu, strict=True):
                h.decide(row, ctx, flows)
        # Violence destroys homes of absent households (housing stream).
        p_destroy = rules.destruction_chance(ctx.events, model.p.conflict.destruction_scale)
        if (p_destroy > 0).any():
            exposed = [
                h
                for h in self.households
                if h.place != h.origin and h.housing == Housing.INTACT and p_destroy[h.origin] > 0
            ]
            rows = np.array([h.row for h in exposed], dtype=np.int64)
            for h, d in zip(exposed, draws(Purpose.HOUSING, rows), strict=True):
                if d < p_destroy[h.origin]:
                    h.housing = Housing.DESTROYED
                    flows.homes_destroyed += 1
        for h in self.households:
            h.save()
        model.tally.recount(model.pop)
        return flows
