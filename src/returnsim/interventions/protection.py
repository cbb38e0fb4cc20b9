"""Protection: legal aid, protection monitoring, safe accommodation, cultural mediators.

Four activities, funded in this order from the month's grant (life and
safety first, then remedies):

1. *Safe accommodation* for households with a member at specific risk
   (children and women in female-headed households, LGBTQI+ people, people
   with disabilities: ``protection_risk``, ``female_head``, ``disability``)
   who are displaced or under threat; up to ``safe_accommodation`` places at
   a cost per household-month. It relieves a share of their trauma each
   month. Those under threat come first, then household order.
2. *Protection monitoring* (a cost per target place and month): presence,
   reporting and referral avoid a share ``monitoring_relief`` of this
   month's rise in trauma for households under threat at monitored places.
3. *Cultural mediators* of both genders (cost per mediator-month), shared
   among target places by resident households, each reaching
   ``households_per_mediator``. Coverage (``coverage``) raises acceptance of
   returnees a little (cohesion gains that fade at
   ``reconciliation.relax_rate``); female mediators' coverage of
   female-headed households is recorded per place (``female_coverage``),
   as disaggregated reporting requires (EVIDENCE.md: disaggregation).
4. *Legal aid* (``legal_aid_monthly_budget``): civil documentation cases
   restore documents (IASC durable-solutions criterion: documentation);
   housing, land and property (HLP) claims, open only to the documented,
   restore an occupied home with ``hlp_success_monthly`` per case-month
   (EVIDENCE.md: housing; HLP restitution and legal aid raise return).
   Returnees come first, then the displaced, then the settled elsewhere,
   each in household order.

Everything is deterministic: counts of successes are whole numbers kept
right on average by carrying the fractions from month to month, so runs
that differ in levers keep their common random numbers. Coordination
(``efficiency``) scales how many cases succeed and how much trauma is
relieved.
"""

from __future__ import annotations

import numpy as np

from returnsim import households as hh
from returnsim import rules
from returnsim.interventions.base import CohesionGain, Lever, window
from returnsim.param import Param

HLP = "EVIDENCE.md: housing (HLP restitution and legal aid raise return)"

PARAMS = (
    *window("protection", "protection services"),
    Param(
        key="protection.legal_aid_monthly_budget",
        default=0.0,
        unit="USD per month",
        doc="Spending on legal aid: civil documentation and housing, land and property claims",
        source="scenario",
        low=0.0,
        high=1e10,
    ),
    Param(
        key="protection.documentation_cost_per_case",
        default=60.0,
        unit="USD per case",
        doc="Legal aid to restore one household's civil documentation",
        source="assumption (NRC information, counselling and legal assistance programmes)",
        low=5.0,
        high=2000.0,
    ),
    Param(
        key="protection.hlp_cost_per_case_month",
        default=100.0,
        unit="USD per case-month",
        doc="Legal aid on one housing, land and property claim for a month",
        source="assumption",
        low=5.0,
        high=5000.0,
    ),
    Param(
        key="protection.hlp_success_monthly",
        default=0.1,
        unit="per case-month",
        doc="Chance that a month of legal aid restores an occupied home to its owner",
        source=HLP + "; rate an assumption (claims take months to years)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="protection.monitoring",
        default=False,
        unit="",
        doc="Fund protection monitoring at the target places",
        source="scenario",
        kind="bool",
    ),
    Param(
        key="protection.monitoring_cost_place_month",
        default=5000.0,
        unit="USD per place-month",
        doc="Cost of protection monitoring (presence, reporting, referral) at one place",
        source="assumption",
        low=100.0,
        high=200_000.0,
    ),
    Param(
        key="protection.monitoring_relief",
        default=0.3,
        unit="share",
        doc="Share of the month's rise in trauma avoided by households under threat",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="protection.safe_accommodation",
        default=0,
        unit="households",
        doc="Places in safe accommodation for households with a member at specific risk",
        source="scenario",
        low=0,
        high=10_000_000,
        kind="int",
    ),
    Param(
        key="protection.accommodation_cost_household_month",
        default=150.0,
        unit="USD per household-month",
        doc="Cost of one household's month in safe accommodation",
        source="assumption",
        low=10.0,
        high=5000.0,
    ),
    Param(
        key="protection.accommodation_relief",
        default=0.1,
        unit="share per month",
        doc="Share of trauma relieved per month in safe accommodation",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="protection.mediators",
        default=0,
        unit="mediators",
        doc="Cultural mediators employed (both genders)",
        source="scenario",
        low=0,
        high=1_000_000,
        kind="int",
    ),
    Param(
        key="protection.mediator_cost_month",
        default=500.0,
        unit="USD per mediator-month",
        doc="Cost of one cultural mediator for a month",
        source="assumption",
        low=10.0,
        high=20_000.0,
    ),
    Param(
        key="protection.female_mediator_share",
        default=0.5,
        unit="share",
        doc="Share of mediators who are women (they reach female-headed households)",
        source="scenario",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="protection.households_per_mediator",
        default=100.0,
        unit="households",
        doc="Households one mediator reaches in a month",
        source="assumption",
        low=1.0,
        high=10_000.0,
    ),
    Param(
        key="protection.mediator_effect",
        default=0.01,
        unit="share per month",
        doc="Share of the gap to full acceptance closed per month at full mediator coverage",
        source="assumption (a small effect next to reconciliation programmes)",
        low=0.0,
        high=0.2,
    ),
)

#: Order in which legal aid serves households (never-displaced households are not served).
LEGAL_AID_ORDER = ("RETURNED", "INTERNALLY_DISPLACED|REFUGEE", "SETTLED_ELSEWHERE")
UNSERVED = 99


def _rank() -> np.ndarray:
    """Rank of each status in the legal-aid queue (UNSERVED: not served)."""
    rank = np.full(len(hh.Status), UNSERVED, dtype=np.int8)
    for r, names in enumerate(LEGAL_AID_ORDER):
        for name in names.split("|"):
            rank[hh.Status[name]] = r
    return rank


class Protection(Lever):
    """Legal aid, monitoring, safe accommodation and mediators for people at risk."""

    key = "protection"
    default_places = "all"
    phase = 10
    priority = 10

    def __init__(self, model: object) -> None:
        super().__init__(model)
        n = model.places.n
        self.effect = model.places.contribution(self.key)
        self.cohesion = CohesionGain(model.places, self.effect)
        #: per place: share of households a mediator reaches, and of female-headed ones
        self.coverage = np.zeros(n)
        self.female_coverage = np.zeros(n)
        self.rank = _rank()
        self.carry = {"docs": 0.0, "hlp": 0.0}
        self.sheltered = np.zeros(0, dtype=np.int64)
        self.documents_restored = 0
        self.homes_restored = 0
        self.cases_month = {"docs": 0, "hlp": 0}
        self.monitored_share = 0.0
        self.mediators_month = 0

    # ------------------------------------------------------------ targeting
    def _at_risk(self) -> np.ndarray:
        """Households under threat here this month (security below the safety they need)."""
        pop, places = self.model.pop, self.model.places
        needed = rules.safety_needed(self.model.p.decision, pop.threshold, pop.trauma)
        return rules.threatened(places.security.astype(np.float32)[pop.place], needed)

    def _shelter_queue(self, threat: np.ndarray) -> np.ndarray:
        pop = self.model.pop
        specific = pop.protection_risk | pop.female_head | pop.disability
        away = (pop.status == hh.Status.INTERNALLY_DISPLACED) | (pop.status == hh.Status.REFUGEE)
        ok = specific & (away | threat) & self.mask[pop.place]
        return np.concatenate((np.flatnonzero(ok & threat), np.flatnonzero(ok & ~threat)))

    def _legal_queue(self, eligible: np.ndarray) -> np.ndarray:
        """Eligible households at the target places, returnees first, in household order."""
        pop = self.model.pop
        rank = self.rank[pop.status]
        ids = np.flatnonzero(eligible & (rank < UNSERVED) & self.mask[pop.place])
        return ids[np.argsort(rank[ids], kind="stable")]

    def _undocumented(self) -> np.ndarray:
        return self._legal_queue(~self.model.pop.documented)

    def _claimants(self) -> np.ndarray:
        pop = self.model.pop
        return self._legal_queue((pop.housing == hh.Housing.OCCUPIED) & pop.documented)

    # ------------------------------------------------------------ spending
    def _costs(self) -> tuple[float, float, float, float]:
        shelter, legal = 0, 0.0
        if self.p.safe_accommodation > 0:
            shelter = min(self.p.safe_accommodation, len(self._shelter_queue(self._at_risk())))
        if self.p.legal_aid_monthly_budget > 0:
            legal = (
                len(self._undocumented()) * self.p.documentation_cost_per_case
                + len(self._claimants()) * self.p.hlp_cost_per_case_month
            )
        return (
            shelter * self.p.accommodation_cost_household_month,
            self.p.monitoring * len(self.places) * self.p.monitoring_cost_place_month,
            self.p.mediators * self.p.mediator_cost_month,
            min(self.p.legal_aid_monthly_budget, legal),
        )

    def request(self, month: int) -> float:
        return float(sum(self._costs()))

    def apply(self, month: int, funds: float) -> float:
        self.cohesion.relax(self.model.p.reconciliation.relax_rate)
        self.coverage[:] = 0.0
        self.female_coverage[:] = 0.0
        self.sheltered = np.zeros(0, dtype=np.int64)
        self.cases_month = {"docs": 0, "hlp": 0}
        self.monitored_share = 0.0
        self.mediators_month = 0
        if funds <= 0:
            return 0.0
        left = funds
        left -= self._shelter(left)
        left -= self._monitor(left)
        left -= self._mediate(left)
        legal = min(left, self.p.legal_aid_monthly_budget)
        left -= self._legal_aid(legal)
        return funds - left

    def _shelter(self, funds: float) -> float:
        pop = self.model.pop
        cost = self.p.accommodation_cost_household_month
        slots = min(self.p.safe_accommodation, int(funds // cost))
        if slots <= 0:
            return 0.0
        self.sheltered = self._shelter_queue(self._at_risk())[:slots]
        keep = 1.0 - self.p.accommodation_relief * self.efficiency
        pop.trauma[self.sheltered] *= np.float32(keep)
        return len(self.sheltered) * cost

    def _monitor(self, funds: float) -> float:
        pop = self.model.pop
        full = self.p.monitoring * len(self.places) * self.p.monitoring_cost_place_month
        if full <= 0 or funds <= 0:
            return 0.0
        self.monitored_share = min(1.0, funds / full)
        ids = np.flatnonzero(self._at_risk() & self.mask[pop.place])
        relief = (
            self.p.monitoring_relief
            * self.monitored_share
            * self.efficiency
            * self.model.p.decision.trauma_rate
        )
        tr = pop.trauma[ids].astype(np.float64)
        pop.trauma[ids] = np.maximum(tr - relief * (1.0 - tr), 0.0).astype(np.float32)
        return self.monitored_share * full

    def _mediate(self, funds: float) -> float:
        pop = self.model.pop
        cost = self.p.mediator_cost_month
        n = min(self.p.mediators, int(funds // cost))
        if n <= 0:
            return 0.0
        self.mediators_month = n
        t = self.places
        households = self.model.tally.households[t].astype(np.float64)
        if households.sum() <= 0:
            return n * cost
        mediators = n * households / households.sum()
        reach = self.p.households_per_mediator * self.efficiency
        self.coverage[t] = np.minimum(1.0, mediators * reach / np.maximum(households, 1.0))
        women = np.bincount(pop.place[pop.female_head], minlength=self.model.places.n)[t]
        female_reach = mediators * self.p.female_mediator_share * reach
        self.female_coverage[t] = np.minimum(1.0, female_reach / np.maximum(women, 1.0))
        self.cohesion.push(self.p.mediator_effect * self.coverage)
        return n * cost

    def _legal_aid(self, funds: float) -> float:
        pop = self.model.pop
        doc_cost = self.p.documentation_cost_per_case
        hlp_cost = self.p.hlp_cost_per_case_month
        if funds < min(doc_cost, hlp_cost):
            return 0.0
        queue = self._undocumented()
        cases = min(len(queue), int(funds // doc_cost))
        done = self._whole("docs", cases * self.efficiency)
        pop.documented[queue[:done]] = True
        self.documents_restored += done
        spent = cases * doc_cost
        queue = self._claimants()
        claims = min(len(queue), int((funds - spent) // hlp_cost))
        won = self._whole("hlp", claims * self.p.hlp_success_monthly * self.efficiency)
        pop.housing[queue[:won]] = hh.Housing.INTACT
        self.homes_restored += won
        self.cases_month = {"docs": cases, "hlp": claims}
        return spent + claims * hlp_cost

    def _whole(self, what: str, expected: float) -> int:
        """A whole number of successes, right on average (fractions carried over)."""
        total = self.carry[what] + expected
        n = int(total)
        self.carry[what] = total - n
        return n
