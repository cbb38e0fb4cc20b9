"""Return packages: cash, transport, post-return food and shelter, escorted convoys.

Mechanisms (applied inside the household decision rule, see rules.py):

- cash per person adds to what the household can pay for the journey
  (capability) and to the value of returning (``utility_per_100usd`` per
  USD 100 per household): a grant of about USD 45 per person roughly
  tripled monthly returns to Burundi in 2007 (EVIDENCE.md);
- transport pays the journey up to its cost;
- post-return food and shelter support lasts ``food_months`` after return
  (economic reintegration); a shelter kit goes to returnees whose home is
  destroyed or occupied;
- escorted convoys lower the security a household needs to believe in before
  it returns by ``escort_relief``;
- only households that register get one: with civil documentation (when
  ``documents_required``; legal aid provides it) and trust in institutions
  of at least ``min_trust`` (trust-building raises it).

Packages are funded month by month: households who go home take one in
order while the month's funds last; the rest travel unassisted (if they can).
A household gets one package only (a returnee displaced again and going home
once more travels unassisted), as returnees are deregistered on return.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

import numpy as np

from returnsim import rules
from returnsim.households import Housing, PackageTakeUp, PackageTerms, Status
from returnsim.interventions.base import Lever, window
from returnsim.param import Param

BURUNDI = "EVIDENCE.md: ~USD 45 per person roughly tripled monthly returns to Burundi (2007)"

PARAMS = (
    *window("return_package", "return packages"),
    Param(
        key="return_package.cash_per_person",
        default=0.0,
        unit="USD",
        doc="Cash grant per returning person",
        source=BURUNDI,
        low=0.0,
        high=1000.0,
    ),
    Param(
        key="return_package.transport_per_person",
        default=0.0,
        unit="USD",
        doc="Transport paid per returning person (covers the journey up to its cost)",
        source="assumption (UNHCR facilitated return)",
        low=0.0,
        high=1000.0,
    ),
    Param(
        key="return_package.transport_per_person_km",
        default=0.0,
        unit="USD per person-km",
        doc="Organised transport's price by the road distance home (shortest open road), paid "
        "per returning person on top of transport_per_person: it pays the fare by distance",
        source="assumption (IOM and UNHCR return convoys by bus and truck; about USD 0.02-0.05 "
        "a person-km in East Africa, more on bad roads)",
        low=0.0,
        high=10.0,
    ),
    Param(
        key="return_package.food_months",
        default=0,
        unit="months",
        doc="Months of post-return food and shelter support",
        source="assumption (UNHCR/WFP return packages: commonly 3-6 months)",
        low=0,
        high=24,
        kind="int",
    ),
    Param(
        key="return_package.food_cost_per_person_month",
        default=15.0,
        unit="USD",
        doc="Cost of a month of food support per person",
        source="WFP rations ~USD 0.5 per person-day",
        low=0.0,
        high=200.0,
    ),
    Param(
        key="return_package.shelter_kit",
        default=0.0,
        unit="USD per household",
        doc="Shelter kit for returnees whose home is destroyed or occupied",
        source="assumption (Shelter Cluster kits USD 200-600)",
        low=0.0,
        high=10_000.0,
    ),
    Param(
        key="return_package.escorts",
        default=False,
        unit="",
        doc="Escorted return convoys",
        source="scenario",
        kind="bool",
    ),
    Param(
        key="return_package.escort_cost_per_household",
        default=20.0,
        unit="USD",
        doc="Cost of escorting one returning household",
        source="assumption",
        low=0.0,
        high=1000.0,
    ),
    Param(
        key="return_package.escort_relief",
        default=0.1,
        unit="security index",
        doc="How much less security returnees need to believe in when escorted",
        source="assumption",
        low=0.0,
        high=0.5,
    ),
    Param(
        key="return_package.utility_per_100usd",
        default=0.3,
        unit="utils per USD 100",
        doc="Value of the cash grant in the return decision, per USD 100 per household",
        source=BURUNDI + "; calibrated so USD 45 per person about triples returns",
        low=0.0,
        high=3.0,
    ),
    Param(
        key="return_package.documents_required",
        default=False,
        unit="",
        doc="Only households with civil documentation can register for a package (legal "
        "aid for documents then widens access); off by default, as refugees in camps hold "
        "their registration papers, and on for IDP programmes that ask for civil documents",
        source="scenario (UNHCR voluntary repatriation registers returnees and deregisters "
        "them on return)",
        kind="bool",
    ),
    Param(
        key="return_package.min_trust",
        default=0.2,
        unit="trust 0-1",
        doc="Trust in institutions below which a household does not register for assisted "
        "return and travels on its own",
        source="assumption (distrust of authorities deters registration; trust-building raises it)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="return_package.monthly_budget",
        default=1e12,
        unit="USD per month",
        doc="Most spent on packages in a month (1e12: as many as are taken)",
        source="scenario",
        low=0.0,
        high=1e13,
    ),
)


#: Reserve this many times the expected demand for packages each month.
RESERVE_MARGIN = 2.0


class ReturnPackage(Lever):
    """Cash, transport, food and shelter for households going home."""

    key = "return_package"
    phase = 40
    priority = 40
    #: went home with a package; months of post-return food and shelter support left
    columns: ClassVar[dict[str, str]] = {"assisted": "bool", "support_months": "uint8"}

    def __init__(self, model: object) -> None:
        super().__init__(model)
        self.terms = PackageTerms()
        self.expected = 0.0  # USD of the packages expected to be taken this month
        #: this month's take-up, written by the household rule as packages go
        self.takeup = PackageTakeUp()
        self.base = PackageTerms(
            cash_per_person=self.p.cash_per_person,
            transport_per_person=self.p.transport_per_person,
            transport_per_person_km=self.p.transport_per_person_km,
            per_person_cost=self.p.cash_per_person
            + self.p.transport_per_person
            + self.p.food_months * self.p.food_cost_per_person_month,
            per_household_cost=self.p.escort_cost_per_household * self.p.escorts,
            shelter_kit=self.p.shelter_kit,
            utility_per_usd=self.p.utility_per_100usd / 100.0,
            relief=self.p.escort_relief * self.p.escorts,
            food_months=self.p.food_months,
            documents_required=self.p.documents_required,
            min_trust=self.p.min_trust,
        )

    def active(self, month: int) -> bool:
        """In its window, and while the home government consents to organised return."""
        return super().active(month) and self.model.state.return_operations(month)

    def request(self, month: int) -> float:
        """Money for the packages that may be taken this month, within the monthly budget.

        Reserving the whole monthly budget would starve the levers funded
        after this one, so the lever asks for twice the expected demand:
        displaced households who believe home safe enough to return, times
        the chance they review their options this month, times the cost of
        a package for them (margin ``RESERVE_MARGIN``). What is not used goes
        back to the budget when the month is settled.
        """
        b = self.base
        self.expected = 0.0
        if b.per_person_cost + b.per_household_cost + b.transport_per_person_km <= 0:
            return 0.0
        pop = self.model.pop
        away = (pop.status == Status.INTERNALLY_DISPLACED) | (pop.status == Status.REFUGEE)
        needed = rules.safety_needed(self.model.p.decision, pop.threshold, pop.trauma)
        could = np.flatnonzero(away & (pop.belief_security >= needed - b.relief))
        if len(could) == 0:
            return 0.0
        km = rules.road_home(self.model.places.dist_km[pop.place[could], pop.origin[could]])
        cost = b.cost(pop.size[could].astype(np.float64), pop.housing[could] != Housing.INTACT, km)
        expected = float(cost.sum()) * self.weight * self.model.p.decision.review_rate
        self.expected = expected  # the demand the month's chance of a package is judged by
        return min(self.p.monthly_budget, RESERVE_MARGIN * expected)

    def apply(self, month: int, funds: float) -> float:
        """Offer packages this month with ``funds``; support of earlier returnees runs down."""
        pop = self.model.pop
        supported = np.flatnonzero(pop.support_months)
        pop.support_months[supported] -= 1
        b = self.base
        priced = b.per_person_cost + b.per_household_cost + b.transport_per_person_km > 0
        offered = funds > 0 and priced
        chance = min(1.0, funds / self.expected) if self.expected > 0 else 1.0
        self.terms = (
            replace(self.base, funds=funds, offered=offered, weight=self.weight, chance=chance)
            if offered
            else PackageTerms()
        )
        self.takeup = PackageTakeUp(credit=self.takeup.credit)
        return funds if offered else 0.0

    def offer(self) -> tuple[PackageTerms, PackageTakeUp]:
        """This month's package terms and its take-up ledger, which the household rule reads."""
        return self.terms, self.takeup

    def settle(self, month: int) -> float:
        return self.takeup.used
