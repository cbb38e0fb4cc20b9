"""Resettlement to third countries: UNHCR submissions against the places states offer.

Each month a twelfth of the year's quota (``persons_per_year``, the places
third countries offer) is filled with submissions of refugee households at
the target places (refugee camps, border sites and towns abroad by default),
most vulnerable first, as UNHCR's submission categories put them (Resettlement
Handbook 2011, ch. 6): households at specific protection risk, then those
headed by a woman, with a member who has a disability or an older member,
then by trauma, the longest displaced first among equals. A case is paid for
when it is submitted (``cost_per_person``: case processing, health assessment
and travel) and departs ``processing_months`` later if the household is still
a refugee then; a case whose household has gone home or moved on lapses.

Departure is a durable solution outside the scenario: the household's status
becomes ``RESETTLED``, it leaves the camp's occupancy and crowding (so the
rest gain room, and less crowding lowers disease deaths there) and it no
longer decides, is counted at a place or is served by a lever. Places are
few: in 2023 UNHCR submitted 155,000 refugees against 2.4 million in need of
resettlement (UNHCR Projected Global Resettlement Needs 2024). How long a
case takes from submission to departure is set at a year (an assumption; the
US admissions programme has taken 18-24 months).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from returnsim.households import Status
from returnsim.interventions.base import Lever, window
from returnsim.param import Param

PARAMS = (
    *window("resettlement", "resettlement submissions"),
    Param(
        key="resettlement.persons_per_year",
        default=0.0,
        unit="persons per year",
        doc="Resettlement places third countries offer to refugees of the scenario (filled a "
        "twelfth a month)",
        source="scenario (UNHCR: 155,000 submitted in 2023, 2.4 million in need, Projected "
        "Global Resettlement Needs 2024)",
        low=0.0,
        high=1e7,
    ),
    Param(
        key="resettlement.processing_months",
        default=12,
        unit="months",
        doc="Months from a case's submission to its departure",
        source="assumption (about a year; the US admissions programme has taken 18-24 months)",
        low=0,
        high=60,
        kind="int",
    ),
    Param(
        key="resettlement.cost_per_person",
        default=1500.0,
        unit="USD per person",
        doc="Cost of a person's case: processing, health assessment, travel (the receiving "
        "state's reception is not counted)",
        source="assumption (IOM movement and health assessment about USD 1,000 a person, "
        "UNHCR case processing on top)",
        low=0.0,
        high=50_000.0,
    ),
)

#: ``resettle_month`` of a household with no case pending
NOT_PENDING = 0


class Resettlement(Lever):
    """Submits refugees for resettlement, most vulnerable first; cases depart later."""

    key = "resettlement"
    counted = ("households_", "persons_", "cases_")
    needs_access = True
    default_places = "displacement"
    phase = 75
    priority = 110  # last: the receiving states pay most of it
    #: the month a submitted case departs, plus one (0: no case pending)
    columns: ClassVar[dict[str, str]] = {"resettle_month": "int16"}

    def __init__(self, model: object) -> None:
        super().__init__(model)
        self.owed = 0.0  # persons of the quota carried to the next month (fractions)
        self.submitted = {"households": 0, "persons": 0}
        self.departed = {"households": 0, "persons": 0}
        self.lapsed = 0

    def _candidates(self) -> np.ndarray:
        """Refugee households at the targets with no case pending, most vulnerable first."""
        pop = self.model.pop
        ids = np.flatnonzero(
            self.at_targets()
            & (pop.status == Status.REFUGEE)
            & (pop.resettle_month == NOT_PENDING)
            & (pop.size > 0)
        )
        rank = np.where(pop.protection_risk[ids], 0, 2) - (
            pop.female_head[ids] | pop.disability[ids] | pop.older[ids]
        )
        order = np.lexsort((-pop.months_displaced[ids], -pop.trauma[ids], rank))
        return ids[order]

    def _quota(self) -> float:
        """Persons to submit this month: a twelfth of the year's places, plus places left
        unused before (at most a year's worth)."""
        return self.p.persons_per_year / 12.0 + self.owed

    def request(self, month: int) -> float:
        if self.p.persons_per_year <= 0:
            return 0.0
        return self._quota() * self.p.cost_per_person

    def apply(self, month: int, funds: float) -> float:
        self._depart(month)  # cases submitted before, whether or not the window is open
        if not self.active(month) or self.p.persons_per_year <= 0:
            return 0.0
        pop, cost = self.model.pop, self.p.cost_per_person
        quota = self._quota()  # real persons
        room = min(quota, funds / cost) if cost > 0 else quota
        ids = self._candidates()
        # a simulated household's case is ``weight`` real ones, the room left at the first
        # that does not fit buys whole real cases of it, carried (``Lever.buy``)
        n, _ = self.buy("cases", pop.size[ids].astype(np.float64), room)
        take = ids[:n]
        size = int(pop.size[take].sum())
        persons = size * self.weight  # real persons submitted
        self.owed = max(min(quota - persons, self.p.persons_per_year), 0.0)
        pop.resettle_month[take] = month + self.p.processing_months + 1
        self.submitted["households"] += len(take)
        self.submitted["persons"] += size
        self._depart(month)  # with no processing time they leave this month
        return min(persons * cost, funds) if cost > 0 else 0.0

    def _depart(self, month: int) -> None:
        """Cases due this month depart if the household is still a refugee; others lapse."""
        if self.submitted["households"] == 0:
            return
        pop, tally = self.model.pop, self.model.tally
        due = np.flatnonzero(pop.resettle_month == month + 1)
        if len(due) == 0:
            return
        pop.resettle_month[due] = NOT_PENDING
        go = due[pop.status[due] == Status.REFUGEE]
        self.lapsed += len(due) - len(go)
        self.departed["households"] += len(go)
        self.departed["persons"] += int(pop.size[go].sum())
        tally.depart(pop, go, Status.RESETTLED)

    def summary(self) -> dict[str, float]:
        """Households and persons submitted and resettled; cases lapsed; still pending."""
        pop = self.model.pop
        return {
            "households_submitted": self.submitted["households"],
            "persons_submitted": self.submitted["persons"],
            "households_resettled": self.departed["households"],
            "persons_resettled": self.departed["persons"],
            "cases_lapsed": self.lapsed,
            "cases_pending": int((pop.resettle_month > NOT_PENDING).sum()),
        }
