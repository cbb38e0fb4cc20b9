"""Humanitarian aid: food, water, shelter, sanitation and health where people are.

Each month the budget is shared among the target places in proportion to
the persons there. What is distributed loses a share to theft and diversion
that grows with insecurity and shrinks where distribution points are secured,
by the agencies' own arrangements (``secured_share``: guards, community
committees) or by the police and troops deployed there (their presence,
``conflict.presence``, the same that suppresses violence):

    secured = 1 - (1 - secured_share) x (1 - presence)
    loss    = max_loss x (1 - security) x (1 - secured)

Coordination between agencies does not make insecurity take less: it cuts
duplication (the share of every lever's spending that reaches people,
``coordination.duplication_loss``), so the loss to insecurity is a floor it
cannot go below.

What a person-month costs at a place is the basket plus its haulage from the
nearest supply hub (``Places.haul_km``: road km x the roads' terrain factors,
over the roads open this month), dearer where the place is insecure
(escorts, insurance) unless troops and police are there:

    haulage = tonnes_per_person_month x cost_per_tonne_km x haul_km
              x (1 + insecurity_premium x (1 - security) x (1 - presence))
    unit    = cost_per_person_month + haulage

Area-based aid (``area_based``) serves the host community at its places too
(``places.NAME.residents`` households), at that cost, and eases the hosts'
fatigue (``rules.host_fatigue``). A place out of reach by road this month
(a closed road, a rainy season) gets nothing; the budget is shared among the places that can be
reached. Coverage at a place is what arrives over what its people need (unit
cost per person-month), at most 1. Coverage makes a place more liveable (value in
the decision rule), slows the running down of displaced households' assets,
and counts toward food security in reintegration. A pipeline break (chance
per month) stops deliveries for that month. Spending stops at full coverage.
"""

from __future__ import annotations

import numpy as np

from returnsim import conflict
from returnsim.interventions.base import Lever, haulage, window
from returnsim.param import Param

PARAMS = (
    *window("aid", "humanitarian aid"),
    Param(
        key="aid.monthly_budget",
        default=0.0,
        unit="USD per month",
        doc="Aid spending per month",
        source="scenario",
        low=0.0,
        high=1e11,
    ),
    Param(
        key="aid.cost_per_person_month",
        default=30.0,
        unit="USD",
        doc="Cost of a full basket (food, water, shelter, sanitation, health) per person-month",
        source="assumption (WFP ration ~USD 15 plus non-food items and services)",
        low=1.0,
        high=500.0,
    ),
    Param(
        key="aid.area_based",
        default=False,
        unit="switch",
        doc="Aid serves the host community at its places too (places.NAME.residents, at "
        "households.mean_size persons each), not only the displaced: it costs more and eases "
        "host fatigue (hosts.area_relief)",
        source="UNHCR and World Bank: area-based approaches serving hosts and displaced alike "
        "(Uganda, Jordan, Lebanon)",
        kind="bool",
    ),
    Param(
        key="aid.tonnes_per_person_month",
        default=0.015,
        unit="tonnes per person-month",
        doc="Weight of the basket to haul per person-month (food ration, water treatment, "
        "shelter and hygiene items)",
        source="WFP and Sphere: a 2,100 kcal general ration weighs about 0.5 kg a day, "
        "15 kg a month",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="aid.secured_share",
        default=0.5,
        unit="share",
        doc="Share of distribution points secured without peacekeepers (agency guards, "
        "community committees); police and troops deployed secure more",
        source="scenario",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="aid.max_loss",
        default=0.5,
        unit="share",
        doc="Share of aid lost to theft and diversion at zero security where no point is secured",
        source="assumption (UN Monitoring Group on Somalia 2010 reported up to half of food "
        "aid diverted)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="aid.pipeline_break_monthly",
        default=0.05,
        unit="per month",
        doc="Chance that deliveries break down for a month",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="aid.asset_protection",
        default=0.8,
        unit="share",
        doc="Share of displaced households' asset depletion avoided under full coverage",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="aid.appeal_weight",
        default=1.0,
        unit="utils",
        doc="Value households place on full aid coverage",
        source="assumption (Alrababah et al. 2023: aid barely moves return below the safety "
        "threshold)",
        low=0.0,
        high=5.0,
    ),
)


class Aid(Lever):
    """Humanitarian aid to camps, towns and return areas."""

    key = "aid"
    needs_access = True
    default_places = "all"
    phase = 20
    priority = 20

    def __init__(self, model: object) -> None:
        super().__init__(model)
        #: the share of needs met at each place this month
        self.effect = model.places.contribution(self.key)
        self.lost_total = 0.0  # to insecurity and to duplication
        self.stolen_total = 0.0  # to theft and diversion where insecure and unsecured
        self.delivered_total = 0.0  # value of the baskets that reached people
        self.haulage_total = 0.0  # spent on hauling the baskets from the hubs
        self.breaks = 0

    def request(self, month: int) -> float:
        return self.p.monthly_budget

    def apply(self, month: int, funds: float) -> float:
        places = self.model.places
        broken = self.model.streams["interventions"].random() < self.p.pipeline_break_monthly
        coverage = self.effect.aid_coverage
        coverage[:] = 0.0
        if funds <= 0 or broken:
            self.breaks += bool(broken and funds > 0)
            return 0.0
        t = self.places
        haul_km, premium = haulage(self.model, t)
        persons = self.model.tally.persons[t]
        if self.p.area_based:  # the host community is served too
            persons = persons + places.residents[t] * self.model.p.households.mean_size
        persons = persons * self.weight  # real persons
        persons = np.where(np.isfinite(haul_km), persons, 0)
        if persons.sum() <= 0:
            return 0.0
        presence = conflict.presence(places.troops[t], places.police[t], self.model.p)
        secured = 1.0 - (1.0 - self.p.secured_share) * (1.0 - presence)
        loss = self.p.max_loss * (1.0 - places.security[t]) * (1.0 - secured)
        arrive = (1.0 - loss) * self.efficiency  # share of a dollar that reaches people
        lg = self.model.p.logistics
        km = np.where(persons > 0, haul_km, 0.0)  # out of reach: no one served there
        hauled = self.p.tonnes_per_person_month * lg.cost_per_tonne_km * km * premium
        unit = self.p.cost_per_person_month + hauled
        need = persons * unit / np.maximum(arrive, 1e-9)
        share = funds * persons / persons.sum()
        spend = np.minimum(share, need)
        coverage[t] = np.minimum(1.0, spend * arrive / np.maximum(persons * unit, 1e-9))
        self.lost_total += float((spend * (1.0 - arrive)).sum())
        self.stolen_total += float((spend * loss).sum())
        self.delivered_total += float((spend * arrive * self.p.cost_per_person_month / unit).sum())
        self.haulage_total += float((spend * hauled / unit).sum())
        return float(spend.sum())

    def summary(self) -> dict[str, float]:
        """Where the aid money went over the run (USD), and the months deliveries broke."""
        return {
            "baskets_delivered": self.delivered_total,
            "lost": self.lost_total,
            "stolen": self.stolen_total,
            "haulage": self.haulage_total,
            "pipeline_breaks": self.breaks,
        }
