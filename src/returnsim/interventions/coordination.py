"""Coordination between agencies (UN agencies, Red Cross and Red Crescent, ministries, NGOs).

Without coordination, agencies duplicate each other and leave gaps: a share
``duplication_loss`` of every lever's effort is wasted at zero coordination.
Funding a coordination cell (joint assessments, shared data, a who-does-what-
where matrix) raises the coordination level from its baseline toward 1:

    level = baseline + (1 - baseline) x min(1, funds / full_cost)
    efficiency = 1 - duplication_loss x (1 - level)

Efficiency scales what the other levers deliver; coordination also cuts aid
diversion (aid.py). A level set this month serves next month's levers.
"""

from __future__ import annotations

from returnsim.interventions.base import Lever, window
from returnsim.param import Param

PARAMS = (
    *window("coordination", "inter-agency coordination"),
    Param(
        key="coordination.monthly_budget",
        default=0.0,
        unit="USD per month",
        doc="Spending on coordination (cluster system, shared data)",
        source="scenario",
        low=0.0,
        high=1e9,
    ),
    Param(
        key="coordination.full_cost_month",
        default=100_000.0,
        unit="USD per month",
        doc="Cost of full coordination for the whole response",
        source="assumption",
        low=1.0,
        high=1e8,
    ),
    Param(
        key="coordination.baseline",
        default=0.3,
        unit="index 0-1",
        doc="Coordination level with no dedicated funding",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="coordination.duplication_loss",
        default=0.2,
        unit="share",
        doc="Share of lever effort lost to duplication and gaps at zero coordination",
        source="assumption (evaluations of the humanitarian cluster approach)",
        low=0.0,
        high=0.9,
    ),
)


def efficiency(level: float, duplication_loss: float) -> float:
    """Share of spending that reaches people at a coordination ``level``."""
    return 1.0 - duplication_loss * (1.0 - level)


class Coordination(Lever):
    """A coordination cell shared by the agencies of the response."""

    key = "coordination"
    default_places = "all"
    phase = 100
    priority = 100

    def __init__(self, model: object) -> None:
        super().__init__(model)
        #: coordination this month (0-1) and the share of spending it lets reach people
        self.level = self.p.baseline
        self.delivered = efficiency(self.level, self.p.duplication_loss)

    def request(self, month: int) -> float:
        return min(self.p.monthly_budget, self.p.full_cost_month)

    def apply(self, month: int, funds: float) -> float:
        base = self.p.baseline
        level = base + (1.0 - base) * min(1.0, funds / self.p.full_cost_month)
        self.level = level
        self.delivered = efficiency(level, self.p.duplication_loss)
        return funds
