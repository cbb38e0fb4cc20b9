"""ReturnModel: the monthly loop that wires places, conflict, peacekeeping, levers and households.

The month (``ReturnModel.step``), in this fixed order (as in Starsim):

1. conflict level: ``conflict.intensity`` x the schedule's value for the month;
2. budget opens the month's room (the ceiling, or what is left of the total);
3. mission: resizes to its mandate, is paid (from the budget if it is in it),
   redeploys when due;
4. violence: events per place, suppressed where troops and police are;
5. place conditions: services, livelihood and schooling move toward base
   levels that insecurity lowers; dated camp closures, assistance cuts and
   droughts (``shocks.py``) set caps that hold them under a share of base;
6. levers: the governments' consent this month (``state.py``) limits where those that
   need humanitarian access work; funded in ``budget.priorities`` order, then each acts with its
   grant in its fixed phase order (``interventions``; priority decides only
   who is paid when money is short); a lever changes only its own
   contribution and household columns, and the places' base levels,
   cohesion and aid coverage are derived again after each
   (``Places.refresh``);
7. households: the value of each place (``rules.place_values``), then the
   household rule (``rules.py``), vectorized (``engine.py``) or one agent at a
   time (``reference.py``); then pushbacks and deportations (``shocks.py``: forced
   returns, counted apart from chosen ones); then separated families reunite
   (``engine.reunite``); then members are born, age and die, and outbreaks start
   and end in crowded camps (``demography.py``, the ``health`` stream);
8. budget settles: what each lever spent is booked, the rest returns;
9. observation: occupancy, exposure to violence, reintegration means and the
   ``DataCollector`` reporters (``REPORTERS``).

The lever modules are the only implementations the model imports: it wires
them here. It reads no file and no machine limit; entry points do that.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from returnsim import conflict, reintegration
from returnsim.conflict import ViolenceProcess
from returnsim.demography import CAUSES, MORTALITY_RATES, MOVING, Demography
from returnsim.engine import build_context, decide_and_move, reunite
from returnsim.households import (
    Context,
    Draws,
    Flows,
    PackageTakeUp,
    PackageTerms,
    Population,
    Status,
    Tally,
    init_population,
    weight,
)
from returnsim.interventions import LEVERS, Budget
from returnsim.interventions.coordination import efficiency
from returnsim.param import Params, Settings, params, schedule_at
from returnsim.peacekeeping import Mission
from returnsim.places import PlaceKind, Places
from returnsim.shocks import Shocks
from returnsim.state import State

#: Named random streams, spawned in this order from the run's SeedSequence.
#: Append new streams at the end so existing ones keep their numbers.
STREAMS = (
    "population",
    "conflict",
    "decisions",
    "housing",
    "interventions",
    "families",
    "forced",
    "health",
)

STOCKS = {
    "at_origin": Status.AT_ORIGIN,
    "internally_displaced": Status.INTERNALLY_DISPLACED,
    "refugees": Status.REFUGEE,
    "returned": Status.RETURNED,
    "settled_elsewhere": Status.SETTLED_ELSEWHERE,
    "dissolved": Status.DISSOLVED,
    "resettled": Status.RESETTLED,
}


def spawn_streams(seed: int) -> dict[str, np.random.Generator]:
    """One generator per purpose, so runs differing in levers share random numbers."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(c) for name, c in zip(STREAMS, children, strict=True)}


class ReturnModel(mesa.Model):
    """Displacement and voluntary return after conflict.

    Args:
        scenario: a validated scenario (:func:`returnsim.load` reads one from a
            TOML file, :func:`returnsim.scenario.default` gives the packaged
            two-place default).
        rng: seed of the run (default: the scenario's ``scenario.seed``).
        overrides: dotted-key parameter values applied on top of the scenario.

    The model does not check that the run fits in this machine's memory: the
    entry points do that first (:func:`returnsim.limits.check`).
    """

    def __init__(
        self,
        scenario: Settings,
        *,
        rng: int | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> None:
        if isinstance(scenario, str | Path) or not hasattr(scenario, "with_overrides"):
            raise TypeError(
                "ReturnModel(scenario): give a Scenario, e.g. returnsim.load(path), "
                f"not {type(scenario).__name__}"
            )
        spec = scenario.with_overrides(overrides) if overrides else scenario
        p = params(spec)
        seed = int(p.scenario.seed if rng is None else rng)
        super().__init__(rng=seed)
        self.spec = spec
        #: the scenario's values as attribute views: ``self.p.decision.info_rate``
        self.p: Params = p
        self.seed = seed
        self.months = self.p.scenario.months
        self.streams = spawn_streams(seed)

        #: real households one simulated household stands for (1: the simulated population)
        self.weight = weight(p)
        self.places = Places(spec)
        self.places.scale_down(self.weight)
        self.violence = ViolenceProcess(self.places.base_violence, p)
        self.pop: Population = init_population(
            p,
            self.places,
            self.streams["population"],
            columns=[column for cls in LEVERS for column in cls.columns.items()],
        )
        self.tally = Tally(self.pop, self.places.n)
        self.places.occupancy = self.tally.households.astype(np.float64)
        self.levers = {cls.key: cls(self) for cls in LEVERS}
        self.budget = Budget(self.p.budget, list(self.levers.values()))
        self.mission = Mission(self)
        self.shocks = Shocks(self)
        self.state = State(self)
        self.demography = Demography(self)
        self._alt_home = self._return_elsewhere_places()
        self.level = self.p.conflict.intensity * schedule_at(
            self.p.conflict.schedule, 0, default=1.0, linear=False
        )
        self.flows = Flows()
        self.person_months_exposed = 0.0
        self.persons_exposed = 0.0

        if self.p.scenario.engine == "agents":
            from returnsim.reference import AgentEngine

            self.engine = AgentEngine(self)
        else:
            self.engine = None
        self.reintegration_now = reintegration.monthly_means(self)
        #: per month: persons by status and group (``Tally.persons_by_group``), for groups.csv
        self.persons_by_group: list[np.ndarray] = []
        self.datacollector = mesa.DataCollector(model_reporters=REPORTERS)
        self.collect()

    # ----------------------------------------------------------------- step
    def step(self) -> None:
        """Advance one month: stages 1-9 of the module docstring, in that order."""
        p, places = self.p, self.places
        month = self.steps
        self.level = p.conflict.intensity * schedule_at(
            p.conflict.schedule, month, default=1.0, linear=False
        )
        # where each household is as the month opens, if arrivals somewhere are pushed back
        push = self.shocks.pushing(month)
        came_from = self.pop.place.copy() if push is not None else None
        self.budget.open_month()
        self.mission.step(month)
        remaining = conflict.suppression(places.troops, places.police, p)
        places.security = self.violence.step(
            self.level, remaining, 1.0 - remaining, self.streams["conflict"]
        )
        places.update_conditions(
            recovery=p.dynamics.recovery_rate, damage=p.dynamics.insecurity_damage
        )
        places.hold_under(self.shocks.apply(month))
        access = self.state.step(month)
        for lever in self.levers.values():
            lever.reach(access)
        self.budget.allocate(month, acted=places.refresh)
        ctx = self.context()
        if self.engine is None:
            self.flows = decide_and_move(self.pop, self.tally, ctx, self.p, self.draws())
        else:
            self.flows = self.engine.step(ctx)
        self.shocks.force(month, came_from, push)
        reunite(self.pop, p.decision, self.streams["families"])
        self.demography.step(pushed=self.shocks.pushed)
        self.budget.settle(month)
        places.occupancy = self.tally.households.astype(np.float64)
        self.persons_exposed = (
            float(self.tally.persons[self.violence.events > 0].sum()) * self.weight
        )
        self.person_months_exposed += self.persons_exposed
        self.reintegration_now = reintegration.monthly_means(self)
        self.collect()
        if month >= self.months:
            self.running = False

    def collect(self) -> None:
        """Record the month: the reporters, and persons by status and group."""
        self.datacollector.collect(self)
        self.persons_by_group.append(self.tally.persons_by_group * self.weight)

    def run(self) -> None:
        """Run to the scenario's last month."""
        self.run_for(self.months - self.steps)

    def draws(self) -> Draws:
        """This month's uniforms of the household rule (``scenario.random_numbers``)."""
        return Draws(self.p.scenario.random_numbers, self.seed, self.steps, self.streams)

    # ------------------------------------------------------------- context
    def context(self) -> Context:
        """Place-level values the households' decision rule reads this month."""
        places = self.places
        offers = [o for lever in self.levers.values() if (o := lever.offer()) is not None]
        if len(offers) > 1:
            raise RuntimeError("more than one lever offers a return package")
        terms, takeup = offers[0] if offers else (PackageTerms(), PackageTakeUp())
        return build_context(
            self.p,
            places,
            presence=conflict.presence(places.troops, places.police, self.p),
            tally=self.tally,
            events=self.violence.events,
            month=self.steps,
            return_elsewhere_place=np.where(places.entry[self._alt_home], self._alt_home, -1),
            info_bonus=self.info_bonus,
            package=terms,
            takeup=takeup,
            pressure=self.shocks.pressure,
            guests=self._guests(),
        )

    def _guests(self) -> np.ndarray | None:
        """Per place, households whose home is elsewhere, where a host community is set."""
        if not self.places.residents.any():
            return None
        pop = self.pop
        return np.bincount(pop.place[pop.place != pop.origin], minlength=self.places.n)

    def _return_elsewhere_places(self) -> np.ndarray:
        """Per origin, the nearby in-country town (else village) for those who cannot go home."""
        places = self.places
        alt = np.full(places.n, -1, dtype=np.int16)
        for o in places.origins:
            best = None
            for j in places.nbr[o]:
                if (
                    j < 0
                    or places.abroad[j]
                    or places.kind[j] not in (PlaceKind.TOWN, PlaceKind.ORIGIN)
                ):
                    continue
                key = (places.kind[j] == PlaceKind.TOWN, places.base_services[j], -j)
                if best is None or key > best[0]:
                    best = (key, j)
            if best is not None:
                alt[o] = best[1]
        return alt

    # ------------------------------------------- what the levers hold, read-only
    @property
    def coordination(self) -> float:
        """Inter-agency coordination this month (0-1), as the coordination lever set it."""
        if "levers" not in self.__dict__:  # while the levers are being built
            return self.p.coordination.baseline
        return self.levers["coordination"].level

    @property
    def coordination_efficiency(self) -> float:
        """Share of every lever's spending that reaches people, given coordination."""
        if "levers" not in self.__dict__:
            return efficiency(self.coordination, self.p.coordination.duplication_loss)
        return self.levers["coordination"].delivered

    @property
    def info_bonus(self) -> float:
        """Extra monthly learning rate about home from information campaigns."""
        return self.levers["information"].info_bonus

    def return_pressure(self) -> np.ndarray:
        """Returnees plus those still displaced, by origin (where return support is needed)."""
        return (self.tally.returned_by_origin + self.tally.displaced_by_origin).astype(np.float64)

    # ------------------------------------------------------------ reporters
    def count(self, status: Status) -> int:
        return int(self.tally.status[status])

    def origin_mean(self, values: np.ndarray) -> float:
        """Mean over origin places weighted by the households who call them home."""
        o = self.places.origins
        return float(np.average(values[o], weights=self.places.origin_share[o]))


def _stock(status: Status) -> Any:
    return lambda m: m.count(status) * m.weight  # real households


def _flow(name: str) -> Any:
    return lambda m: getattr(m.flows, name) * m.weight


REPORTERS: dict[str, Any] = {
    "month": lambda m: m.steps,
    **{name: _stock(st) for name, st in STOCKS.items()},
    **{f.name: _flow(f.name) for f in fields(Flows)},
    "conflict_level": lambda m: m.level,
    "violence": lambda m: float(m.violence.events.sum()),
    "mean_security": lambda m: m.origin_mean(m.places.security),
    "mean_services": lambda m: m.origin_mean(m.places.services),
    "mean_livelihood": lambda m: m.origin_mean(m.places.livelihood),
    "peacekeepers_deployed": lambda m: float(m.places.troops.sum() + m.places.police.sum()),
    "troops_deployed": lambda m: float(m.places.troops.sum()),
    "police_deployed": lambda m: float(m.places.police.sum()),
    "persons_exposed": lambda m: m.persons_exposed,
    "coordination": lambda m: m.coordination,
    "total_spending": lambda m: m.budget.programmes_month + m.budget.peacekeeping_month,
    "programme_spending": lambda m: m.budget.programmes_month,
    "peacekeeping_cost": lambda m: m.budget.peacekeeping_month,
    "budget_spending": lambda m: m.budget.month_spent,
    "budget_remaining": lambda m: m.budget.remaining,
}


def _deaths(i: int) -> Any:
    return lambda m: int(m.demography.month["deaths"][i]) * m.weight  # real persons


def _mortality(name: str) -> Any:
    return lambda m: m.demography.rates_now()[name]


REPORTERS.update({f"deaths_{cause}": _deaths(i) for i, cause in enumerate(CAUSES)})
REPORTERS.update(
    {
        "births": lambda m: m.demography.month["births"] * m.weight,
        "deaths_in_flight": lambda m: int(m.demography.month["by_setting"][MOVING]) * m.weight,
        "deaths_pushed_back": lambda m: m.demography.month["pushed_back_deaths"] * m.weight,
        **{name: _mortality(name) for name in MORTALITY_RATES},
        "cholera_outbreaks": lambda m: int((m.demography.cholera_left > 0).sum()),
        "measles_outbreaks": lambda m: int((m.demography.measles_left > 0).sum()),
    }
)


def _spending(key: str) -> Any:
    return lambda m: m.levers[key].spent_month


REPORTERS.update({f"spending_{cls.key}": _spending(cls.key) for cls in LEVERS})


def _reintegration(name: str) -> Any:
    return lambda m: m.reintegration_now[name]


REPORTERS.update(
    {
        name: _reintegration(name)
        for name in (
            *(f"reintegration_{d}" for d in reintegration.DIMENSIONS),
            "sustainably_reintegrated_share",
        )
    }
)
