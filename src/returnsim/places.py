"""The places network: origins, towns, camps, border points and their conditions.

Each place carries security (from the violence process), services,
livelihood and social cohesion, all indices in [0, 1], plus a capacity in
households. Places are linked by roads (``[[routes]]``); households move one
road at a time, except that a return journey may cross several (its cost is
the shortest-path distance home).
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import shortest_path

if TYPE_CHECKING:
    from returnsim.param import Settings


class PlaceKind(IntEnum):
    """What a place is for displaced people."""

    ORIGIN = 0
    TOWN = 1
    IDP_CAMP = 2
    REFUGEE_CAMP = 3
    BORDER = 4


class Places:
    """Place attributes and conditions as arrays indexed by place id."""

    def __init__(self, scenario: Settings) -> None:
        rows = scenario.places
        self.names: list[str] = [p["name"] for p in rows]
        self.index = {name: i for i, name in enumerate(self.names)}
        n = len(rows)
        self.n = n
        self.kind = np.array([PlaceKind[p["kind"].upper()] for p in rows], dtype=np.int8)
        self.abroad = np.array([p["abroad"] for p in rows], dtype=bool)
        cap = np.array([p["capacity"] for p in rows], dtype=np.float64)
        self.capacity = np.where(cap > 0, cap, np.inf)
        self.origin_share = np.array([p["origin_share"] for p in rows], dtype=np.float64)
        self.base_violence = np.array([p["violence"] for p in rows], dtype=np.float64)
        self.base_services = np.array([p["services"] for p in rows], dtype=np.float64)
        self.base_livelihood = np.array([p["livelihood"] for p in rows], dtype=np.float64)
        self.cohesion = np.array([p["cohesion"] for p in rows], dtype=np.float64)
        self.initial_damage = np.array([p["housing_damage"] for p in rows], dtype=np.float64)
        self.initial_occupied = np.array([p["housing_occupied"] for p in rows], dtype=np.float64)
        self.pos = {p["name"]: (p["x"], p["y"]) for p in rows}

        self.graph = nx.Graph()
        self.graph.add_nodes_from(range(n))
        for r in scenario.routes:
            self.graph.add_edge(self.index[r["from"]], self.index[r["to"]], km=r["km"])
        adj = csr_array(nx.to_scipy_sparse_array(self.graph, nodelist=range(n), weight="km"))
        #: shortest road distance between every pair of places (inf: unreachable)
        self.dist_km = shortest_path(adj, directed=False) if n > 1 else np.zeros((1, 1))
        degree = max((d for _, d in self.graph.degree()), default=0)
        k = max(degree, 1)
        #: neighbours padded with -1, and their distances
        self.nbr = np.full((n, k), -1, dtype=np.int32)
        self.nbr_km = np.full((n, k), np.inf)
        for i in range(n):
            for j, (other, data) in enumerate(sorted(self.graph[i].items())):
                self.nbr[i, j] = other
                self.nbr_km[i, j] = data["km"]

        self.base_cohesion = self.cohesion.copy()
        #: schooling available (enrolment and quality), 0-1; starts at the services level
        self.base_education = self.base_services.copy()

        # Dynamic conditions, updated monthly by the model.
        self.services = self.base_services.copy()
        self.livelihood = self.base_livelihood.copy()
        self.education = self.base_education.copy()
        #: land and property disputes this month (reconciliation lowers them)
        self.disputes = np.zeros(n)
        self.security = np.ones(n)
        self.occupancy = np.zeros(n)
        self.troops = np.zeros(n)
        self.police = np.zeros(n)
        self.observers = np.zeros(n)
        self.aid_coverage = np.zeros(n)
        #: multiplier on the chance of being trapped when fleeing (escorted corridors < 1)
        self.trap_factor = np.ones(n)
        corridors = [self.index[name] for name in scenario["peacekeeping.corridors"]]
        self.trap_factor[corridors] = 1.0 - scenario["peacekeeping.corridor_protection"]
        self.safe_zones = np.array(
            [self.index[name] for name in scenario["peacekeeping.safe_zones"]], dtype=np.int64
        )

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

    def effective_services(self) -> np.ndarray:
        """Services per household, diluted where a place is over capacity."""
        return self.services / (1.0 + self.crowding())
