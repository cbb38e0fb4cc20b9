"""Information: campaigns about conditions at home, and go-and-see visits.

Displaced households learn about home slowly, through their ties and those
already back (the information lag in rules.py). Two levers speed it up:

- an *information campaign* (radio, text messages, hotlines, camp meetings;
  a cost per month for the whole response) adds ``campaign_learning`` to
  every displaced household's monthly learning rate (``info_bonus``, which
  the model hands to the decision rule)
  while it is funded, in proportion to the share funded and to
  coordination; it is 0 otherwise;
- *go-and-see visits* (a cost per visit) take up to ``visits_per_month``
  displaced households from the target places (displacement places by
  default) home to see for themselves, those displaced longest first, then
  in household order, once per displacement. A visitor's beliefs about
  security and conditions at home are set to the truth this month (in full
  when agencies are fully coordinated, ``efficiency`` of the way otherwise).

Beliefs decide whether return is in the choice set at all (safety first),
so after peace both levers bring returns forward; in a war they keep people
away, which is what accurate information should do.
"""

from __future__ import annotations

import numpy as np

from returnsim import households as hh
from returnsim.interventions.base import Lever, window
from returnsim.param import Param

PARAMS = (
    *window("information", "information campaigns and go-and-see visits"),
    Param(
        key="information.campaign",
        default=False,
        unit="",
        doc="Run an information campaign about conditions at home",
        source="scenario",
        kind="bool",
    ),
    Param(
        key="information.campaign_cost_month",
        default=20_000.0,
        unit="USD per month",
        doc="Cost of the information campaign for a month (radio, SMS, hotlines, meetings)",
        source="assumption",
        low=100.0,
        high=10_000_000.0,
    ),
    Param(
        key="information.campaign_learning",
        default=0.1,
        unit="per month",
        doc="Extra monthly rate at which the displaced learn conditions at home, fully funded",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="information.visits_per_month",
        default=0,
        unit="households per month",
        doc="Displaced households taken home on go-and-see visits each month",
        source="scenario",
        low=0,
        high=10_000_000,
        kind="int",
    ),
    Param(
        key="information.cost_per_visit",
        default=200.0,
        unit="USD per visit",
        doc="Cost of one go-and-see visit (transport, escort, per diem for one household member)",
        source="assumption (UNHCR-organised go-and-see visits)",
        low=10.0,
        high=10_000.0,
    ),
)


class Information(Lever):
    """Information campaigns and go-and-see visits for the displaced."""

    key = "information"
    default_places = "displacement"
    phase = 90
    priority = 90

    def __init__(self, model: object) -> None:
        super().__init__(model)
        #: per household: the displacement (times_displaced) of its last visit, 0 if none
        self.visited = np.zeros(model.pop.n, dtype=np.uint8)
        #: funded share of this month's campaign, and the learning rate it adds this month
        self.campaign_share = 0.0
        self.info_bonus = 0.0
        self.visits_month = 0
        self.visits_total = 0
        self.visitors = np.zeros(0, dtype=np.int64)

    def _queue(self) -> np.ndarray:
        """Displaced households at the target places not yet visited in this displacement."""
        pop = self.model.pop
        away = (pop.status == hh.Status.INTERNALLY_DISPLACED) | (pop.status == hh.Status.REFUGEE)
        ids = np.flatnonzero(away & self.at_targets() & (self.visited < pop.times_displaced))
        return ids[np.argsort(-pop.months_displaced[ids], kind="stable")]

    def _campaign_cost(self) -> float:
        return self.p.campaign * self.p.campaign_cost_month

    def request(self, month: int) -> float:
        visits = self.p.visits_per_month / self.weight  # in simulated households
        if visits > 0:
            visits = min(visits, len(self._queue()))
        return self._campaign_cost() + visits * self.p.cost_per_visit * self.weight

    def apply(self, month: int, funds: float) -> float:
        self.info_bonus = self.campaign_share = 0.0
        self.visits_month = 0
        self.visitors = np.zeros(0, dtype=np.int64)
        campaign = min(funds, self._campaign_cost())
        if campaign > 0:
            self.campaign_share = campaign / self._campaign_cost()
            learning = self.p.campaign_learning
            self.info_bonus = learning * self.campaign_share * self.efficiency
        # whole real visits, in simulated households (right on average, ``whole``)
        cost, w = self.p.cost_per_visit, self.weight
        real = min(self.p.visits_per_month, (funds - campaign) // cost)
        n = self.whole("visits", real / w) if real > 0 else 0
        if n > 0:
            self._visit(n)
        return min(funds, campaign + min(real, self.visits_month * w) * cost)

    def _visit(self, n: int) -> None:
        """The first ``n`` in the queue see home: beliefs move to the truth."""
        pop = self.model.pop
        ids = self._queue()[:n]
        if len(ids) == 0:
            return
        home = pop.origin[ids]
        truth = {
            "belief_security": self.model.places.security,
            "belief_conditions": self.model.context().conditions,
        }
        eff = self.efficiency
        for name, value in truth.items():
            belief = getattr(pop, name)
            b = belief[ids].astype(np.float64)
            belief[ids] = (b + eff * (value[home] - b)).astype(np.float32)
        self.visited[ids] = pop.times_displaced[ids]
        self.visits_month = len(ids)
        self.visits_total += len(ids)
        self.visitors = ids
