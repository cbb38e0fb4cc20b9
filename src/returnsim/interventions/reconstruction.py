"""Reconstruction: core houses, health posts, schools, water points and local administration.

The monthly budget is split by fixed shares among five lines of work.
Money is committed when a project starts (spent = committed); a project
completes after its build time, and only then changes anything:

- **houses**: one core house rebuilds one destroyed home (``Housing.DESTROYED``
  -> ``INTACT``) of a household from a target origin. Homes are earmarked at
  the start in a fixed order: returnees living in destroyed homes first, then
  the displaced, then everyone else (at home or settled elsewhere), each by
  household index. Destroyed or occupied housing blocks return (EVIDENCE.md,
  stylized fact 7), so rebuilt homes lift the housing penalty on return.
- **health posts, schools, water points** are bought as facility-equivalents
  (a fraction is a rehabilitation or extension). A completed facility serving
  ``catchment`` persons out of a place's population ``P`` closes a share
  ``weight x min(1, units x catchment / P)`` of the gap ``1 - base_services``
  (and, for schools, of ``1 - base_education``): diminishing returns toward 1.
  A place stops getting a facility type once the missing share of the
  standard, ``(1 - initial base_services) x P / catchment`` units, is funded.
- **local governance and administration** (engineers, land registries,
  contract management, the staff who run and maintain facilities): funding a
  place up to ``governance_full_cost`` a month while it has works to manage
  sets its funded capacity ``f = baseline + (1 - baseline) x funds /
  full_cost`` (``governance_baseline`` with no funding). Capacity built lasts:
  a lasting part ``L`` moves toward ``f`` each month, up at
  ``governance_build_rate`` (staff trained, registries and procedures set up
  while funded) and down at ``governance_decay`` (staff leave, systems lapse,
  once funding ends: a half-life of about 3 years at 0.02, an assumption after
  World Bank WDR 2011, institutions take a generation to build), and the
  capacity is ``max(f, L)``: what funding buys at once while it lasts, what
  was built after. Capacity shortens build times started that month
  (``months x (1 - governance_speedup x capacity)``), raises the share of
  projects completed that month (``1 - failure_max x (1 - capacity)``) and
  raises the services delivered at the place, which households weigh when
  they choose where to live and fall short of: administration that pays,
  supplies and supervises the staff of schools, health posts and water points
  makes the facilities there work (WDR 2004; absent teachers and health
  workers, Chaudhury et al. 2006). Its contribution to base services is
  ``governance_services_gain x (capacity - baseline) / (1 - baseline) x
  (1 - base) x efficiency``, ``base`` the place's base services without it.

Works carry their materials (``materials_tonnes_per_1000_usd``), trucked from
the nearest supply hub as aid is (``logistics``: good-road km x
``cost_per_tonne_km`` x the insecurity factor, ``base.haulage``): a house or
facility far from a hub, over bad or insecure roads, costs more, and none
starts where no passable road leads this month (a rainy season, a closed road).

Money a line cannot use this month (nothing left to build) is not spent and
goes back to the budget. What a completed project
delivers also scales with coordination
(``self.efficiency``): houses not delivered are lost and the home returns to
the queue. Costs and build times are assumptions, with ranges for
sensitivity analysis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from returnsim import households as hh
from returnsim.interventions.base import Lever, haulage, window
from returnsim.interventions.targeting import in_order, priority
from returnsim.param import Param

K = "reconstruction"

#: Facility types: (name, what, unit cost and range, build months and range,
#: catchment persons and range, weight on services, weight on schooling, source)
FACILITIES = (
    (
        "health_post",
        "a health post",
        (60_000.0, 20_000.0, 250_000.0),
        (9, 3, 24),
        (10_000.0, 2_000.0, 30_000.0),
        0.4,
        0.0,
        "assumption (Sphere: about one basic health unit per 10,000 people)",
    ),
    (
        "school",
        "a primary school",
        (120_000.0, 40_000.0, 400_000.0),
        (12, 4, 30),
        (3_000.0, 1_000.0, 10_000.0),
        0.3,
        0.6,
        "assumption (a school of 6 classrooms for ~500 pupils serves ~3,000 people)",
    ),
    (
        "water_point",
        "a water point (borehole with hand pump)",
        (8_000.0, 2_000.0, 30_000.0),
        (2, 1, 6),
        (500.0, 250.0, 1_500.0),
        0.3,
        0.0,
        "assumption (Sphere: at most 500 people per hand pump)",
    ),
)
NAMES = ("housing", *(f[0] for f in FACILITIES), "governance")


def _share(name: str, default: float, what: str) -> Param:
    return Param(
        key=f"{K}.{name}_share",
        default=default,
        unit="share",
        doc=f"Share of the budget for {what}",
        source="scenario",
        low=0,
        high=1,
    )


def _facility_params(row: tuple) -> tuple[Param, ...]:
    name, what, cost, months, catchment, w_services, w_education, source = row
    out = [
        _share(name, 0.15 if name != "water_point" else 0.1, f"{what}s"),
        Param(
            key=f"{K}.{name}_cost",
            default=cost[0],
            unit="USD",
            doc=f"Cost of {what}",
            source=source,
            low=cost[1],
            high=cost[2],
        ),
        Param(
            key=f"{K}.{name}_months",
            default=months[0],
            unit="months",
            doc=f"Time to build {what}",
            source="assumption",
            low=months[1],
            high=months[2],
            kind="int",
        ),
        Param(
            key=f"{K}.{name}_catchment",
            default=catchment[0],
            unit="persons",
            doc=f"People served by {what} (the standard is one per catchment)",
            source=source,
            low=catchment[1],
            high=catchment[2],
        ),
        Param(
            key=f"{K}.{name}_services_weight",
            default=w_services,
            unit="share",
            doc=f"Share of the services gap closed when {what} serves everyone",
            source="assumption",
            low=0.0,
            high=1.0,
        ),
    ]
    if w_education:
        out.append(
            Param(
                key=f"{K}.{name}_education_weight",
                default=w_education,
                unit="share",
                doc=f"Share of the schooling gap closed when {what} serves everyone",
                source="assumption",
                low=0.0,
                high=1.0,
            )
        )
    return tuple(out)


PARAMS = (
    *window(K, "reconstruction"),
    Param(
        key=f"{K}.monthly_budget",
        default=0.0,
        unit="USD per month",
        doc="Reconstruction spending per month",
        source="scenario",
        low=0.0,
        high=1e11,
    ),
    _share("housing", 0.5, "core houses"),
    Param(
        key=f"{K}.house_cost",
        default=3_000.0,
        unit="USD",
        doc="Cost of a core house (rebuilds one destroyed home)",
        source="assumption (Shelter Cluster core and transitional houses USD 1,000-10,000)",
        low=500.0,
        high=20_000.0,
    ),
    Param(
        key=f"{K}.house_months",
        default=4,
        unit="months",
        doc="Time to build a core house",
        source="assumption",
        low=1,
        high=12,
        kind="int",
    ),
    Param(
        key=f"{K}.materials_tonnes_per_1000_usd",
        default=1.0,
        unit="tonnes per USD 1,000 of works",
        doc="Building materials to truck to the site per USD 1,000 of a house or facility "
        "(cement, blocks, roofing sheets, timber), hauled from the nearest supply hub at "
        "logistics.cost_per_tonne_km",
        source="assumption (cement about USD 150-250 a tonne, roofing sheets and timber more; "
        "labour and sand are local)",
        low=0.0,
        high=20.0,
    ),
    *(p for row in FACILITIES for p in _facility_params(row)),
    _share("governance", 0.1, "local governance and administration capacity"),
    Param(
        key=f"{K}.governance_full_cost",
        default=15_000.0,
        unit="USD per place-month",
        doc="Cost of full administration capacity for reconstruction at one place",
        source="assumption (engineers, land registry and contract staff)",
        low=1_000.0,
        high=500_000.0,
    ),
    Param(
        key=f"{K}.governance_baseline",
        default=0.2,
        unit="index 0-1",
        doc="Administration capacity with no dedicated funding",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key=f"{K}.governance_build_rate",
        default=0.05,
        unit="per month",
        doc="Rate at which funded administration capacity becomes lasting (staff trained, "
        "registries and procedures in place): the lasting part moves this share of the way "
        "toward the funded level each month",
        source="assumption (about 20 months to build two thirds of it; World Bank WDR 2011: "
        "institutional capacity takes a generation to build, so it is not bought in a month)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key=f"{K}.governance_decay",
        default=0.02,
        unit="per month",
        doc="Rate at which lasting administration capacity falls back toward the funded "
        "level (the baseline once funding ends)",
        source="assumption: a half-life of about 3 years (0.02 a month); World Bank WDR 2011 "
        "(Conflict, Security and Development): institutional capacity takes a generation to "
        "build and outlasts the projects that paid for it; the rate itself is not measured",
        low=0.0,
        high=1.0,
    ),
    Param(
        key=f"{K}.governance_services_gain",
        default=0.1,
        unit="share",
        doc="Share of the services gap closed at a place at full administration capacity "
        "(facilities staffed, supplied and maintained), in proportion to capacity above the "
        "baseline",
        source="assumption, modest (0.1); mechanism: World Bank WDR 2004 (Making Services Work "
        "for Poor People) and Chaudhury et al. 2006 (JEP 20(1)): 19% of teachers and 35% of "
        "health workers absent in six countries, where administration is weak",
        low=0.0,
        high=0.5,
    ),
    Param(
        key=f"{K}.governance_speedup",
        default=0.5,
        unit="share",
        doc="Share of build time saved at full administration capacity",
        source="assumption",
        low=0.0,
        high=0.9,
    ),
    Param(
        key=f"{K}.failure_max",
        default=0.2,
        unit="share",
        doc="Share of projects left incomplete or unusable at zero administration capacity",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
)


@dataclass
class Project:
    """A batch of one kind of work started at one place in one month."""

    kind: str  # "housing" or a facility name
    place: int
    done_month: int
    units: float  # houses (whole) or facility-equivalents
    homes: np.ndarray | None = None  # households whose homes are being rebuilt


class Reconstruction(Lever):
    """Rebuilding homes, health posts, schools and water points in return areas."""

    key = K
    counted = ("houses_",)
    default_places = "origins"
    phase = 50
    priority = 50

    def __init__(self, model: object) -> None:
        super().__init__(model)
        pop, n = self.model.pop, self.model.places.n
        total = sum(self.p[f"{name}_share"] for name in NAMES)
        self.shares = {name: self.p[f"{name}_share"] / total if total else 0.0 for name in NAMES}
        #: people who call each place home (the catchment of its facilities)
        self.home_persons = np.bincount(pop.origin, weights=pop.size, minlength=n)
        #: share of the facility standard missing at the start (1 - base services)
        self.initial_gap = 1.0 - self.model.places.base_services.copy()
        #: services and schooling added by the facilities built (they fill at the recovery rate)
        self.effect = self.model.places.contribution(self.key)
        self.queue: list[Project] = []
        self.earmarked = np.zeros(pop.n, dtype=bool)
        #: administration capacity this month, and its lasting part (built while funded)
        self.capacity = np.full(n, self.p.governance_baseline)
        self.lasting = np.full(n, self.p.governance_baseline)
        #: services added by the facilities built and by administration capacity
        self.built_services = np.zeros(n)
        self.governance_services = np.zeros(n)
        self.house_carry = np.zeros(n)  # fractional completed houses carried forward
        self.funded = {f[0]: np.zeros(n) for f in FACILITIES}  # units funded per place
        self.spent_on = dict.fromkeys(NAMES, 0.0)
        self.houses_started = 0
        self.haulage_total = 0.0  # spent trucking building materials to the sites
        self.houses_rebuilt = 0
        self.houses_failed = 0
        self.facilities_completed = {f[0]: 0.0 for f in FACILITIES}
        self.education_weight = {
            f[0]: self.p[f"{f[0]}_education_weight"] if f[6] else 0.0 for f in FACILITIES
        }

    def request(self, month: int) -> float:
        return self.p.monthly_budget

    # ------------------------------------------------------------- helpers
    def _persons(self) -> np.ndarray:
        """Population each place's facilities serve, real persons: its home population or its
        residents."""
        return np.maximum(self.home_persons, self.model.tally.persons) * self.weight

    def _facility_need(self, name: str) -> np.ndarray:
        """Facility-equivalents still missing at each target place (gap x standard - funded)."""
        standard = self._persons() / self.p[f"{name}_catchment"]
        need = standard * self.initial_gap - self.funded[name]
        return np.where(self.mask, np.maximum(need, 0.0), 0.0)

    def _homes_to_rebuild(self) -> np.ndarray:
        """Destroyed homes of target origins not yet earmarked, in priority order."""
        pop = self.model.pop
        ids = np.flatnonzero(
            (pop.housing == hh.Housing.DESTROYED) & self.mask[pop.origin] & ~self.earmarked
        )
        group = priority(pop.status[ids])
        return in_order(ids, group)

    # --------------------------------------------------------------- month
    def apply(self, month: int, funds: float) -> float:
        if funds <= 0 and not self.queue and not self.governance_services.any():
            return 0.0
        houses = self._homes_to_rebuild() if funds > 0 else np.zeros(0, dtype=np.int64)
        busy = np.zeros(self.model.places.n, dtype=bool)
        for p in self.queue:
            busy[p.place] = True
        busy[np.unique(self.model.pop.origin[houses])] = True
        for name, *_ in FACILITIES:
            busy |= self._facility_need(name) > 0
        spent = self._govern(funds * self.shares["governance"], busy & self.mask)
        self._complete(month)
        if funds > 0:
            spent += self._start_houses(month, funds * self.shares["housing"], houses)
            for name, *_ in FACILITIES:
                spent += self._start_facilities(month, name, funds * self.shares[name])
        return min(spent, funds)

    def _govern(self, funds: float, busy: np.ndarray) -> float:
        """Administration capacity this month: funded at places with works to manage,
        lasting where it was built; and the services it adds."""
        base, full = self.p.governance_baseline, self.p.governance_full_cost
        n_busy = int(busy.sum())
        each = min(funds / n_busy, full) if n_busy and funds > 0 else 0.0
        funded = np.full(self.model.places.n, base)
        funded[busy] = base + (1.0 - base) * each / full
        up, down = self.p.governance_build_rate, self.p.governance_decay
        rate = np.where(funded > self.lasting, up, down)
        self.lasting[:] = funded + (1.0 - rate) * (self.lasting - funded)
        self.capacity[:] = np.maximum(funded, self.lasting)
        spent = each * n_busy
        self.spent_on["governance"] += spent
        # Services delivered: the facilities there run as the administration runs them.
        places = self.model.places
        above = (self.capacity - base) / max(1.0 - base, 1e-9)
        without = places.base_services - self.governance_services
        self.governance_services[:] = (
            self.p.governance_services_gain * above * (1.0 - without) * self.efficiency
        )
        self.effect.services[:] = self.built_services + self.governance_services
        return spent

    def _build_months(self, name: str, place: int | np.ndarray) -> np.ndarray:
        months = self.p[f"{name}_months"]
        cut = 1.0 - self.p.governance_speedup * self.capacity[place]
        return np.maximum(1, np.ceil(months * cut - 1e-9)).astype(np.int64)

    def _quality(self, place: int) -> float:
        """Share of a completing batch that is delivered."""
        fail = self.p.failure_max * (1.0 - self.capacity[place])
        return (1.0 - fail) * self.efficiency

    def _unit_costs(self, cost: float) -> np.ndarray:
        """Per place: the cost of works priced ``cost`` with their materials hauled from the
        nearest supply hub (inf where no passable road leads and there is weight to haul)."""
        km, premium = haulage(self.model, np.arange(self.model.places.n))
        w = self.p.materials_tonnes_per_1000_usd * cost / 1000.0
        per_tonne = self.model.p.logistics.cost_per_tonne_km * km * premium
        hauled = np.where(np.isfinite(per_tonne), w * per_tonne, np.inf if w > 0 else 0.0)
        return cost + hauled

    def _start_houses(self, month: int, funds: float, homes: np.ndarray) -> float:
        cost = self.p.house_cost
        unit = self._unit_costs(cost)[self.model.pop.origin[homes]]
        reach = np.isfinite(unit)
        homes, unit = homes[reach], unit[reach]
        n, spent = self.buy("houses", unit, funds)
        homes, unit = homes[:n], unit[:n]
        self.spent_on["housing"] += spent
        if len(homes) == 0:
            return spent
        self.earmarked[homes] = True
        origin = self.model.pop.origin[homes]
        for o in np.unique(origin):
            mine = homes[origin == o]
            done = month + int(self._build_months("house", o))
            self.queue.append(Project("housing", int(o), done, float(len(mine)), mine))
        self.houses_started += len(homes)
        self.haulage_total += float((unit - cost).sum()) * self.weight
        return spent

    def _start_facilities(self, month: int, name: str, funds: float) -> float:
        cost = self.p[f"{name}_cost"]
        unit = self._unit_costs(cost)
        need = np.where(np.isfinite(unit), self._facility_need(name) * unit, 0.0)
        if funds <= 0 or need.sum() <= 0:
            return 0.0
        spend = np.minimum(need, funds * need / need.sum())
        spend[spend < 1.0] = 0.0  # no projects for dust (money left when the budget runs out)
        for p in np.flatnonzero(spend > 0):
            units = spend[p] / unit[p]
            self.haulage_total += units * (unit[p] - cost)
            self.funded[name][p] += units
            done = month + int(self._build_months(name, p))
            self.queue.append(Project(name, int(p), done, units))
        spent = float(spend.sum())
        self.spent_on[name] += spent
        return spent

    def _complete(self, month: int) -> None:
        """Deliver every project due this month; the rest stay queued."""
        due = [p for p in self.queue if p.done_month <= month]
        self.queue = [p for p in self.queue if p.done_month > month]
        pop, places = self.model.pop, self.model.places
        persons = self._persons()
        for p in due:
            q = self._quality(p.place)
            if p.kind == "housing":
                credit = p.units * q + self.house_carry[p.place]
                built = min(int(credit), len(p.homes))
                self.house_carry[p.place] = credit - built
                ok = p.homes[:built]
                ok = ok[pop.housing[ok] == hh.Housing.DESTROYED]
                pop.housing[ok] = hh.Housing.INTACT
                self.earmarked[p.homes] = False
                self.houses_rebuilt += len(ok)
                self.houses_failed += len(p.homes) - built
                continue
            reach = min(1.0, p.units * self.p[f"{p.kind}_catchment"] / max(persons[p.place], 1.0))
            delivered = reach * q
            self.facilities_completed[p.kind] += p.units * q
            w = self.p[f"{p.kind}_services_weight"]
            self.built_services[p.place] += w * delivered * (1.0 - places.base_services[p.place])
            self.effect.services[p.place] = (
                self.built_services[p.place] + self.governance_services[p.place]
            )
            w = self.education_weight[p.kind]
            self.effect.education[p.place] += w * delivered * (1.0 - places.base_education[p.place])
            places.refresh()  # the next facility at this place sees this one

    def summary(self) -> dict[str, float]:
        """What was built and what it cost, for reports."""
        return {
            "houses_started": self.houses_started,
            "houses_rebuilt": self.houses_rebuilt,
            "houses_failed": self.houses_failed,
            "projects_in_progress": len(self.queue),
            **{f"{k}s_completed": float(v) for k, v in self.facilities_completed.items()},
            **{f"spent_{k}": v for k, v in self.spent_on.items()},
            "spent_hauling_materials": self.haulage_total,
        }
