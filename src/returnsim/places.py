"""The places network: origins, towns, camps, border points and their conditions.

Each place carries security (from the violence process), services,
livelihood, schooling and social cohesion, all indices in [0, 1], plus a
capacity in households. Places are linked by roads (``[[routes]]``);
households move one road at a time, except that a return journey may cross
several (its cost is the shortest-path distance home).

Conditions are derived, never written by the levers or the shocks:

- each lever owns a :class:`Contribution` (what it adds to each place's base
  level of services, livelihood and schooling, to acceptance of returnees,
  and the share of needs its aid covers);
  ``base = scenario value + sum of contributions`` and
  ``cohesion = clip(scenario cohesion + sum of contributions, 0, 1)``
  (:meth:`Places.refresh`);
- services, livelihood and schooling drift each month toward the base
  lowered by insecurity (:meth:`Places.update_conditions`); a rise from an
  ``immediate`` contribution shows at once (classes and jobs start), others
  arrive at the recovery rate (built facilities fill up);
- the shocks' :class:`Caps` (camp closures, assistance cuts, droughts) then
  hold them under a share of the base and scale camp capacity
  (:meth:`Places.hold_under`).
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import shortest_path

from returnsim.param import Param, params

if TYPE_CHECKING:
    from returnsim.param import Settings


#: The ``dynamics.*`` parameters, declared beside the code that reads them (the registry,
#: ``returnsim.parameters``, gathers every module's).
PARAMS: tuple[Param, ...] = (
    Param(
        key="dynamics.recovery_rate",
        default=0.05,
        unit="per month",
        doc="Rate at which services and livelihood move toward their target",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="dynamics.insecurity_damage",
        default=0.6,
        unit="share",
        doc="Share of services and livelihood lost at zero security",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="logistics.hubs",
        default=[],
        unit="places",
        doc="Places supplies are trucked from ([]: every town, and every place abroad, "
        "supplied from the host country)",
        source="scenario",
        kind="places",
    ),
    Param(
        key="logistics.cost_per_tonne_km",
        default=0.1,
        unit="USD per tonne-km",
        doc="Road haulage on a good road (terrain factor 1), before any insecurity premium",
        source="Teravaninthorn and Raballand, Transport Prices and Costs in Africa (World "
        "Bank 2009): USD 0.05-0.13 per tonne-km on the main corridors",
        low=0.0,
        high=10.0,
    ),
    Param(
        key="logistics.insecurity_premium",
        default=1.0,
        unit="share of haulage at zero security",
        doc="Extra haulage cost where the place supplied is insecure (escorts, insurance, "
        "truck hire): x (1 + premium x (1 - security) x (1 - peacekeeping presence))",
        source="assumption (Logistics Cluster: armed escorts and risk premiums in South "
        "Sudan, Somalia and the Kivus often double road transport rates)",
        low=0.0,
        high=10.0,
    ),
)


class PlaceKind(IntEnum):
    """What a place is for displaced people."""

    ORIGIN = 0
    TOWN = 1
    IDP_CAMP = 2
    REFUGEE_CAMP = 3
    BORDER = 4


CONDITIONS = ("services", "livelihood", "education")


class Contribution:
    """One lever's effect on the conditions of every place (arrays by place id, 0: none).

    ``services``, ``livelihood``, ``education``: additions to the base level;
    ``cohesion``: addition to acceptance of returnees; ``aid_coverage``: the
    share of needs met this month (0-1). The lever writes only these arrays;
    :meth:`Places.refresh` sums them.
    """

    def __init__(self, key: str, n: int, *, immediate: bool) -> None:
        self.key = key
        #: rises of livelihood and schooling show at once, not at the recovery rate
        self.immediate = immediate
        self.services = np.zeros(n)
        self.livelihood = np.zeros(n)
        self.education = np.zeros(n)
        self.cohesion = np.zeros(n)
        self.aid_coverage = np.zeros(n)
        self.health_care = np.zeros(n)
        self.wash = np.zeros(n)


class Caps:
    """The shocks' limits this month, as multipliers by place (1: no limit)."""

    def __init__(self, roads: np.ndarray) -> None:
        n = len(roads)
        self.capacity = np.ones(n)  # of the scenario's capacity (camp closures)
        self.entry = np.ones(n, dtype=bool)  # open for households to enter (closures)
        self.road = roads.copy()  # (place, neighbour k) road households may take (closures)
        self.passable = roads.copy()  # (place, neighbour k) road open at all (supplies too)
        self.services = np.ones(n)  # of base services (assistance cuts)
        self.livelihood = np.ones(n)  # of base livelihood (assistance cuts, droughts)


class Places:
    """Place attributes and conditions as arrays indexed by place id."""

    def __init__(self, scenario: Settings) -> None:
        p = params(scenario)
        rows = scenario.places
        self.names: list[str] = [p["name"] for p in rows]
        self.index = {name: i for i, name in enumerate(self.names)}
        n = len(rows)
        self.n = n
        self.kind = np.array([PlaceKind[p["kind"].upper()] for p in rows], dtype=np.int8)
        self.abroad = np.array([p["abroad"] for p in rows], dtype=bool)
        cap = np.array([p["capacity"] for p in rows], dtype=np.float64)
        #: the scenario's capacity in households (inf: no limit); shocks may lower ``capacity``
        self.scenario_capacity = np.where(cap > 0, cap, np.inf)
        self.capacity = self.scenario_capacity.copy()
        self.origin_share = np.array([p["origin_share"] for p in rows], dtype=np.float64)
        self.base_violence = np.array([p["violence"] for p in rows], dtype=np.float64)
        services = np.array([p["services"] for p in rows], dtype=np.float64)
        #: the scenario's levels, before any lever (schooling starts at the services level)
        self.scenario_base = {
            "services": services,
            "livelihood": np.array([p["livelihood"] for p in rows], dtype=np.float64),
            "education": services.copy(),
        }
        self.scenario_cohesion = np.array([p["cohesion"] for p in rows], dtype=np.float64)
        self.initial_damage = np.array([p["housing_damage"] for p in rows], dtype=np.float64)
        self.initial_occupied = np.array([p["housing_occupied"] for p in rows], dtype=np.float64)
        #: households of the host community, not simulated (0: host fatigue not modelled)
        self.residents = np.array([p["residents"] for p in rows], dtype=np.float64)
        #: room of one real household, in simulated households (``scale_down``)
        self.one_household = 1.0
        self.pos = {p["name"]: (p["x"], p["y"]) for p in rows}

        self.graph = nx.Graph()
        self.graph.add_nodes_from(range(n))
        for r in scenario.routes:
            self.graph.add_edge(self.index[r["from"]], self.index[r["to"]], km=r["km"])
        adj = csr_array(nx.to_scipy_sparse_array(self.graph, nodelist=range(n), weight="km"))
        #: shortest open road distance from a place to another (inf: unreachable)
        self.dist_km = shortest_path(adj, directed=False) if n > 1 else np.zeros((1, 1))
        self._all_open_km = self.dist_km
        degree = max((d for _, d in self.graph.degree()), default=0)
        k = max(degree, 1)
        #: neighbours padded with -1, and their distances
        self.nbr = np.full((n, k), -1, dtype=np.int32)
        self.nbr_km = np.full((n, k), np.inf)
        for i in range(n):
            for j, (other, data) in enumerate(sorted(self.graph[i].items())):
                self.nbr[i, j] = other
                self.nbr_km[i, j] = data["km"]
        #: (place, k) cost of haulage on each road in good-road km (km x terrain factor)
        self.nbr_haul_km = np.full((n, k), np.inf)
        terrain = {
            frozenset((self.index[r["from"]], self.index[r["to"]])): r.get("terrain", 1.0)
            for r in scenario.routes
        }
        for i in range(n):
            for j in range(k):
                if self.nbr[i, j] >= 0:
                    edge = frozenset((i, int(self.nbr[i, j])))
                    self.nbr_haul_km[i, j] = self.nbr_km[i, j] * terrain[edge]
        hubs = p.logistics.hubs
        if hubs:
            self.hubs = np.array([self.index[h] for h in hubs], dtype=np.int64)
        else:
            self.hubs = np.flatnonzero((self.kind == PlaceKind.TOWN) | self.abroad)
        self._haul: tuple[np.ndarray, np.ndarray] | None = None
        #: open for households to enter, and (place, k) roads open to travel (closures)
        self.entry = np.ones(n, dtype=bool)
        self.road = self.nbr >= 0
        #: (place, k) roads open at all this month (a closed road stops supplies too)
        self.passable = self.road.copy()

        # Derived from the scenario and the contributions (refresh); read-only for levers.
        self.base_services = services.copy()
        self.base_livelihood = self.scenario_base["livelihood"].copy()
        #: schooling available (enrolment and quality), 0-1
        self.base_education = services.copy()
        self.cohesion = self.scenario_cohesion.copy()
        self.aid_coverage = np.zeros(n)
        #: share of people covered by health care, and by water and sanitation (0-1)
        self.health_care = np.zeros(n)
        self.wash = np.zeros(n)
        self.contributions: list[Contribution] = []
        self._seen: dict[str, dict[str, np.ndarray]] = {}

        # Dynamic conditions, updated monthly by the model.
        self.services = self.base_services.copy()
        self.livelihood = self.base_livelihood.copy()
        self.education = self.base_education.copy()
        self.security = np.ones(n)
        self.occupancy = np.zeros(n)
        self.troops = np.zeros(n)
        self.police = np.zeros(n)
        self.observers = np.zeros(n)
        #: multiplier on the chance of being trapped when fleeing (escorted corridors < 1)
        self.trap_factor = np.ones(n)
        corridors = [self.index[name] for name in p.peacekeeping.corridors]
        self.trap_factor[corridors] = 1.0 - p.peacekeeping.corridor_protection
        self.safe_zones = np.array(
            [self.index[name] for name in p.peacekeeping.safe_zones], dtype=np.int64
        )

    def scale_down(self, weight: float) -> None:
        """Capacities and host communities, real households in the scenario, in simulated
        households (``households.weight``)."""
        self.one_household = 1.0 / weight
        if weight != 1:
            self.scenario_capacity = self.scenario_capacity / weight
            self.capacity = self.scenario_capacity.copy()
            self.residents = self.residents / weight

    @property
    def origins(self) -> np.ndarray:
        return np.flatnonzero(self.kind == PlaceKind.ORIGIN)

    def crowding(self) -> np.ndarray:
        """Occupancy beyond capacity, as a share of capacity (0 when within capacity)."""
        return np.maximum(self.occupancy / self.capacity - 1.0, 0.0)

    def update_conditions(self, *, recovery: float, damage: float) -> None:
        """Services, livelihood and schooling drift toward a target lowered by insecurity.

        target = base x (1 - damage x (1 - security)): violence closes clinics,
        schools and markets; they recover at ``recovery`` per month once it
        ends. Crowding beyond capacity dilutes services per household.
        """
        factor = 1.0 - damage * (1.0 - self.security)
        self.services += recovery * (self.base_services * factor - self.services)
        self.livelihood += recovery * (self.base_livelihood * factor - self.livelihood)
        self.education += recovery * (self.base_education * factor - self.education)

    def contribution(self, key: str, *, immediate: bool = False) -> Contribution:
        """A new, empty contribution of lever ``key``, summed from now on."""
        c = Contribution(key, self.n, immediate=immediate)
        self.contributions.append(c)
        if immediate:
            self._seen[key] = {x: np.zeros(self.n) for x in ("livelihood", "education")}
        return c

    def refresh(self) -> None:
        """Derive base levels, cohesion and aid coverage from the contributions.

        base_x = min(1, scenario_x + sum of contributions to x) (x: services,
        livelihood, schooling); a rise of an immediate contribution to
        livelihood or schooling is added to the current level at once (a fall
        works through the monthly drift); levels stay at most 1.
        """
        cs = self.contributions
        for x in CONDITIONS:
            base = self.scenario_base[x].copy()
            for c in cs:
                base += getattr(c, x)
            getattr(self, f"base_{x}")[:] = np.minimum(base, 1.0)
        for c in cs:
            if c.immediate:
                for x, seen in self._seen[c.key].items():
                    now = getattr(c, x)
                    if (now != seen).any():
                        level = getattr(self, x)
                        level += np.maximum(now - seen, 0.0)
                        np.minimum(level, 1.0, out=level)
                        seen[:] = now
        cohesion = self.scenario_cohesion.copy()
        for c in cs:
            cohesion += c.cohesion
        self.cohesion[:] = np.clip(cohesion, 0.0, 1.0)
        for x in ("aid_coverage", "health_care", "wash"):
            total = np.zeros(self.n)
            for c in cs:
                total += getattr(c, x)
            getattr(self, x)[:] = np.minimum(total, 1.0)

    def hold_under(self, caps: Caps) -> None:
        """Apply the shocks' caps: camp capacity, services and livelihood at most cap x base,
        and closures (open places and roads; distances over the open roads, one way)."""
        if (caps.passable != self.passable).any():
            self.passable = caps.passable.copy()
        if (caps.road != self.road).any() or (caps.entry != self.entry).any():
            self.entry[:] = caps.entry
            self.road = caps.road.copy()
            if self.road[self.nbr >= 0].all():
                self.dist_km = self._all_open_km
            else:
                i, k = np.nonzero(self.road)
                adj = csr_array((self.nbr_km[i, k], (i, self.nbr[i, k])), shape=(self.n,) * 2)
                self.dist_km = shortest_path(adj, directed=True)
        self.capacity[:] = np.where(
            caps.capacity == 1.0,
            self.scenario_capacity,
            # finite crowding: at least one real household's room
            np.maximum(self.scenario_capacity * caps.capacity, self.one_household),
        )
        for x in ("services", "livelihood"):
            cap = getattr(caps, x)
            level, base = getattr(self, x), getattr(self, f"base_{x}")
            level[:] = np.where(cap < 1.0, np.minimum(level, cap * base), level)

    def haul_km(self) -> np.ndarray:
        """Per place, the good-road km (km x terrain) from the nearest supply hub over the
        roads passable this month (inf: out of reach by road, as in a rainy season; 0 at a
        hub). A place closed to households, or a closed border, does not stop supplies."""
        if self._haul is None or self._haul[0] is not self.passable:
            if len(self.hubs) == 0:
                km = np.full(self.n, np.inf)
            else:
                i, k = np.nonzero(self.passable)
                adj = csr_array(
                    (self.nbr_haul_km[i, k], (i, self.nbr[i, k])), shape=(self.n, self.n)
                )
                km = shortest_path(adj, directed=True, indices=self.hubs).min(axis=0)
            self._haul = (self.passable, km)
        return self._haul[1]

    def effective_services(self) -> np.ndarray:
        """Services per household, diluted where a place is over capacity."""
        return self.services / (1.0 + self.crowding())
