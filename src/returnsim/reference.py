"""The reference engine: one ``Household(mesa.Agent)`` per household, rules written plainly.

This is the readable specification of the household rules in
``households.py`` and the test oracle for the vectorized engine: driven by
the same random streams (the same arrays drawn in the same order), both give
the same trajectories. Choose it with ``scenario.engine = "agents"`` for
small teaching runs; it is several hundred times slower (make bench).

Each month the engine (1) loads every agent's state from the population
arrays (levers may have changed them), (2) lets each agent review its
situation and, if it deliberates, choose among stay, move, return and settle,
(3) writes the state back and recounts. Place-level quantities (security,
appeal, neighbour values) come from the model's shared ``Context``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import mesa
import numpy as np

from returnsim.households import CHUNK, Choice, Context, Flows, Housing, Status

if TYPE_CHECKING:
    from returnsim.world import World

#: Household attributes copied between the agent and the population arrays.
STATE = (
    "size",
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
)

F32 = np.float32


class Household(mesa.Agent):
    """A displaced or at-risk household deciding each month where to live."""

    def __init__(self, model: World, *, row: int) -> None:
        super().__init__(model)
        self.row = row
        self.threatened = False

    # --------------------------------------------------------------- state
    def load(self) -> None:
        """Copy this household's row from the population arrays."""
        pop = self.model.pop
        for name in STATE:
            value = getattr(pop, name)[self.row]
            setattr(self, name, value.item() if hasattr(value, "item") else value)

    def save(self) -> None:
        """Write this household's state back to the population arrays."""
        pop = self.model.pop
        for name in STATE:
            getattr(pop, name)[self.row] = getattr(self, name)

    @property
    def away(self) -> bool:
        """Displaced: internally or abroad (not settled elsewhere)."""
        return self.status in (Status.INTERNALLY_DISPLACED, Status.REFUGEE)

    # -------------------------------------------------------------- review
    def review(self, draw: Callable[[], float], ctx: Context) -> bool:
        """Age the displacement, learn about home, feel threat; return True to deliberate.

        ``draw`` gives this household's review uniform; only the displaced take one.
        """
        s = self.model.spec
        away = self.away
        if away:
            self.months_displaced += 1
            rate = min(
                1.0,
                s["decision.info_rate"]
                + ctx.info_bonus
                + s["decision.ties_info_rate"] * self.ties * ctx.back_share[self.origin],
            )
            # Beliefs move toward the truth at home by `rate` (information lag).
            self.belief_security = _f32(
                self.belief_security + rate * (ctx.security[self.origin] - self.belief_security)
            )
            self.belief_conditions = _f32(
                self.belief_conditions
                + rate * (ctx.conditions[self.origin] - self.belief_conditions)
            )
            # Assets run down in displacement, less where aid covers needs.
            cover = ctx.aid_coverage[self.place]
            keep = 1.0 - s["decision.asset_depletion"] * (1.0 - ctx.asset_protection * cover)
            self.assets = float(F32(self.assets) * F32(keep))
        # Under threat when security here is below one's own threshold.
        self.threatened = bool(ctx.security32[self.place] < self.threshold)
        self.trauma = float(F32(self.trauma) * F32(1.0 - s["decision.trauma_recovery"]))
        if self.threatened:
            self.trauma = _f32(self.trauma + s["decision.trauma_rate"] * (1.0 - self.trauma))
        # The threatened must deliberate; the displaced review now and then;
        # others (home or settled, and safe) have nothing to choose but staying.
        reviews = away and draw() < F32(s["decision.review_rate"])
        return self.threatened or reviews

    # -------------------------------------------------------------- decide
    def utilities(self, ctx: Context) -> tuple[list[float], list[float]]:
        """Utility of stay, move, return and settle; and the value of each neighbour."""
        s = self.model.spec
        here, home = self.place, self.origin
        shortfall = 1.0 - ctx.security[here] / self.threshold if self.threatened else 0.0
        fade = 0.5 ** (self.months_displaced / s["decision.attachment_halflife"])
        stay = (
            ctx.appeal[here]
            - s["decision.danger_penalty"] * shortfall
            - s["decision.displacement_hardship"] * self.away
        )
        # Move: one road on, never home; its value is the log-sum over neighbours.
        values = [
            float(v) if j >= 0 and j != home else -math.inf
            for j, v in zip(ctx.nbr[here], ctx.nbr_value[here], strict=True)
        ]
        top = max(values)
        move = -math.inf
        if (self.away or self.threatened) and top > -math.inf:
            inclusive = top + float(np.log(np.exp(np.array(values) - top).sum()))
            move = inclusive - s["decision.move_cost"]
        # Return: only if home is believed safe enough (safety first) and reachable.
        # Escorted convoys lower the security one needs to believe in.
        dist = ctx.dist_km[here, home]
        pkg = ctx.package
        safe_enough = self.belief_security >= self.threshold - pkg.relief
        ret = -math.inf
        if self.away and safe_enough and math.isfinite(dist):
            cash = pkg.cash_per_person * self.size * pkg.offered
            ret = (
                s["decision.w_security"] * self.belief_security
                + self.belief_conditions
                + s["decision.attachment"] * fade
                + pkg.utility_per_usd * cash
                - s["decision.housing_penalty"] * (self.housing != Housing.INTACT)
                - s["decision.move_cost"]
                - s["decision.distance_cost"] * dist / 100.0
            )
        # Settle: give up return and stay for good; reluctance fades with attachment.
        settle = -math.inf
        if self.away and ctx.settle_ok[here]:
            settle = stay - s["decision.settle_weight"] * fade
        return [stay, move, ret, settle], values

    def decide(self, uu: np.ndarray, ctx: Context, flows: Flows) -> None:
        """Choose by logit and act.

        ``uu``: uniforms for the choice, the destination, being trapped or able
        to pay the journey, and returning elsewhere.
        """
        util, values = self.utilities(ctx)
        choice = Choice(pick(util, uu[0]))
        if choice == Choice.MOVE:
            self._move(values, uu, ctx, flows)
        elif choice == Choice.RETURN:
            self._return(uu, ctx, flows)
        elif choice == Choice.SETTLE:
            flows.settlements += 1
            self.status = Status.SETTLED_ELSEWHERE

    def _move(self, values: list[float], uu: np.ndarray, ctx: Context, flows: Flows) -> None:
        s = self.model.spec
        dest = int(ctx.nbr[self.place][pick(values, uu[1])])
        # Fleeing may be impossible; twice as often with an older or disabled member.
        trapped_p = (
            s["decision.trapped_share"]
            * (1 + (self.older or self.disability))
            * ctx.trap_factor[self.place]
        )
        if self.threatened and uu[2] < trapped_p:
            flows.trapped += 1
            return
        if self.away:
            flows.secondary_moves += 1
        else:
            flows.new_displacements += 1
            if self.status == Status.RETURNED:
                flows.redisplacements += 1
            self.times_displaced = min(self.times_displaced + 1, 255)
            if self.times_displaced == 1:
                self.model.tally.ever_displaced_by_origin[self.origin] += 1
            self.months_displaced = 0
            self.returned_elsewhere = False
            self.belief_security = _f32(ctx.security[self.origin])
            self.belief_conditions = _f32(ctx.conditions[self.origin])
        self.place = dest
        self.status = Status.REFUGEE if ctx.abroad[dest] else Status.INTERNALLY_DISPLACED

    def _return(self, uu: np.ndarray, ctx: Context, flows: Flows) -> None:
        s = self.model.spec
        flows.intending_return += 1
        trip = s["decision.trip_cost_per_person"] * self.size
        home_lost = self.housing != Housing.INTACT
        # Capability: can the household pay the journey?
        able = uu[2] < (self.assets / (self.assets + trip) if trip > 0 else 1.0)
        pkg = ctx.package
        takeup = ctx.takeup
        if pkg.offered and not takeup.exhausted:
            # A package: cash adds to what one has, transport pays the fare.
            fare = max(s["decision.trip_cost_per_person"] - pkg.transport_per_person, 0.0)
            have = self.assets + pkg.cash_per_person * self.size
            fare_total = fare * self.size
            if uu[2] < (have / (have + fare_total) if fare_total > 0 else 1.0):
                used = takeup.used + pkg.cost(self.size, home_lost)
                if used <= pkg.funds:  # packages go while the month's funds last
                    takeup.used = used
                    able = True
                    self.assisted = True
                    self.support_months = s["return_package.food_months"]
                    self.assets = float(F32(self.assets) + F32(pkg.cash_per_person * self.size))
                else:
                    takeup.exhausted = True
        if not able:
            flows.unable_to_return += 1
            return
        self.return_month = ctx.month
        alt = ctx.return_elsewhere_place[self.origin]
        if home_lost and uu[3] < s["decision.return_elsewhere_share"] and alt >= 0:
            flows.returns_elsewhere += 1
            self.place, self.status, self.returned_elsewhere = (
                int(alt),
                Status.SETTLED_ELSEWHERE,
                True,
            )
        else:
            flows.new_returns += 1
            self.place, self.status, self.returned_elsewhere = self.origin, Status.RETURNED, False


def pick(util: list[float], u: float) -> int:
    """Option chosen with logit probabilities exp(U) / sum exp(U), by inverse CDF."""
    weights = np.exp(np.array(util) - max(util))
    total, cdf = 0.0, []
    for w in weights:
        total += float(w)
        cdf.append(total)
    k = sum(1 for c in cdf if u * cdf[-1] >= c)  # first option with cdf > u x total
    return min(k, len(util) - 1)


def _f32(x: float) -> float:
    """Round to float32, as the population arrays store it."""
    return float(F32(x))


class AgentEngine:
    """Runs the household rules one ``Household`` agent at a time."""

    def __init__(self, model: World) -> None:
        self.model = model
        self.households = [Household(model, row=i) for i in range(model.pop.n)]

    def step(self, ctx: Context) -> Flows:
        model, s = self.model, self.model.spec
        rng = model.streams["decisions"]
        flows = Flows()
        for h in self.households:
            h.load()
        # Review uniforms: one per displaced household, in household order.
        n_away = sum(h.away for h in self.households)
        review_draws = iter(rng.random(n_away, dtype=np.float32))
        deliberating = [h for h in self.households if h.review(review_draws.__next__, ctx)]
        # Choice uniforms, drawn chunk by chunk as the vectorized engine does.
        for start in range(0, len(deliberating), CHUNK):
            chunk = deliberating[start : start + CHUNK]
            uu = rng.random((len(chunk), 4), dtype=np.float32)
            for h, row in zip(chunk, uu, strict=True):
                h.decide(row, ctx, flows)
        # Violence destroys homes of absent households (housing stream).
        p_destroy = 1.0 - np.exp(-ctx.events / s["conflict.destruction_scale"])
        if (p_destroy > 0).any():
            exposed = [
                h
                for h in self.households
                if h.place != h.origin and h.housing == Housing.INTACT and p_destroy[h.origin] > 0
            ]
            draws = model.streams["housing"].random(len(exposed))
            for h, d in zip(exposed, draws, strict=True):
                if d < p_destroy[h.origin]:
                    h.housing = Housing.DESTROYED
                    flows.homes_destroyed += 1
        for h in self.households:
            h.save()
        model.tally.recount(model.pop)
        return flows
