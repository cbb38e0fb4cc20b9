"""Reconciliation: community dialogues, dispute-resolution training, trust-building.

Receiving communities (at origins by default; host communities when
targeted) are counted in units of ``households_per_community`` resident
households. The month's money is shared among three activities in
proportion to what each needs, so a funded share ``f = funds / need`` of the
planned programme runs everywhere:

- *community dialogues* between returnees and those who stayed (cost per
  dialogue, ``dialogues_per_community_month`` planned) raise acceptance of
  returnees toward 1 with diminishing returns, each dialogue per community
  closing a share ``dialogue_effect`` of the gap:

      gain += (1 - cohesion) x (1 - (1 - dialogue_effect) ** (f x planned x efficiency))

  The gain relaxes back toward the place's base cohesion at ``relax_rate``
  a month, slowly once funding stops;
- *dispute-resolution training* (alternative dispute resolution, a one-off
  cost per community; trained communities are lost at ``training_attrition``
  a month) lowers land disputes. In Liberia, training 86 of 246 towns cut
  violent land disputes within a year, and the fall lasted three years
  (Blattman, Hartman & Blair 2014; Hartman, Blair & Blattman 2021;
  EVIDENCE.md: reconciliation);
- *trust-building and transparency* (community scorecards, information on
  institutions; cost per community-month) raise residents' trust in
  institutions toward 1.

Land disputes per place and month (``disputes``) come from returnees
whose home is occupied or destroyed (EVIDENCE.md: housing):

    disputes = dispute_rate x returnees_with_lost_home x (1 - cohesion)
               x (1 - dispute_reduction x trained_share)

They are counted every month, funded or not, so a run without the programme
is the counterfactual. Disputes erode the acceptance the programme has built
(``dispute_erosion`` per dispute per resident household), never below the
place's base cohesion, which already reflects the conflict's legacy. With no
money the lever changes nothing but the dispute count.
"""

from __future__ import annotations

import numpy as np

from returnsim import households as hh
from returnsim.interventions.base import CohesionGain, Lever, window
from returnsim.param import Param

BLATTMAN = (
    "Blattman, Hartman & Blair 2014; Hartman, Blair & Blattman 2021 (EVIDENCE.md: "
    "reconciliation): dispute-resolution training cut violent land disputes for 1-3 years"
)

PARAMS = (
    *window("reconciliation", "reconciliation programmes"),
    Param(
        key="reconciliation.monthly_budget",
        default=0.0,
        unit="USD per month",
        doc="Spending on dialogues, dispute-resolution training and trust-building",
        source="scenario",
        low=0.0,
        high=1e10,
    ),
    Param(
        key="reconciliation.households_per_community",
        default=200.0,
        unit="households",
        doc="Resident households per community (a village or town quarter)",
        source="assumption (Liberian towns in Blattman et al. 2014: a few hundred households)",
        low=20.0,
        high=5000.0,
    ),
    Param(
        key="reconciliation.dialogue_cost",
        default=1500.0,
        unit="USD per dialogue",
        doc="Cost of one community dialogue (facilitators, venue, transport)",
        source="assumption",
        low=100.0,
        high=50_000.0,
    ),
    Param(
        key="reconciliation.dialogues_per_community_month",
        default=1.0,
        unit="dialogues per community-month",
        doc="Planned number of dialogues per community and month",
        source="assumption",
        low=0.05,
        high=8.0,
    ),
    Param(
        key="reconciliation.dialogue_effect",
        default=0.03,
        unit="share per dialogue",
        doc="Share of the gap to full acceptance of returnees closed by one dialogue per community",
        source="assumption",
        low=0.0,
        high=0.3,
    ),
    Param(
        key="reconciliation.relax_rate",
        default=0.03,
        unit="per month",
        doc="Rate at which acceptance gains fade back toward the place's base cohesion",
        source="assumption (gains fade over 2-3 years without funding)",
        low=0.0,
        high=0.5,
    ),
    Param(
        key="reconciliation.training_cost_per_community",
        default=5000.0,
        unit="USD per community",
        doc="One-off cost of dispute-resolution training in one community",
        source="assumption (multi-day training of about 15% of adults; Blattman et al. 2014)",
        low=200.0,
        high=100_000.0,
    ),
    Param(
        key="reconciliation.training_attrition",
        default=0.02,
        unit="per month",
        doc="Share of trained communities whose training is lost each month (moves, fading norms)",
        source=BLATTMAN + "; effects lasted 3 years: slow attrition (assumption for the rate)",
        low=0.0,
        high=0.3,
    ),
    Param(
        key="reconciliation.dispute_rate",
        default=0.05,
        unit="disputes per household-month",
        doc="Land disputes per returnee household with an occupied or destroyed home, at zero "
        "cohesion",
        source="assumption (EVIDENCE.md: destroyed or occupied property; land disputes endemic)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="reconciliation.dispute_reduction",
        default=0.35,
        unit="share",
        doc="Share of land disputes avoided where every community is trained",
        source=BLATTMAN + " (direction; size an assumption)",
        low=0.0,
        high=0.9,
    ),
    Param(
        key="reconciliation.dispute_erosion",
        default=1.0,
        unit="cohesion per dispute per household",
        doc="Acceptance gain lost per land dispute per resident household",
        source="assumption",
        low=0.0,
        high=10.0,
    ),
    Param(
        key="reconciliation.trust_cost_per_community_month",
        default=500.0,
        unit="USD per community-month",
        doc="Cost of trust-building and transparency work in one community for a month",
        source="assumption",
        low=10.0,
        high=20_000.0,
    ),
    Param(
        key="reconciliation.trust_effect",
        default=0.02,
        unit="share per month",
        doc="Share of the gap to full trust in institutions closed per month for residents",
        source="assumption",
        low=0.0,
        high=0.3,
    ),
)


class Reconciliation(Lever):
    """Dialogues, dispute resolution and trust-building in receiving communities."""

    key = "reconciliation"
    default_places = "origins"
    phase = 80
    priority = 80

    def __init__(self, model: object) -> None:
        super().__init__(model)
        n = model.places.n
        self.effect = model.places.contribution(self.key)
        self.cohesion = CohesionGain(model.places, self.effect)
        #: share of each place's communities trained in dispute resolution
        self.trained = np.zeros(n)
        #: land and property disputes this month, by place
        self.disputes = np.zeros(n)
        self.disputes_total = 0.0
        self.dialogues_month = 0.0
        self.trained_month = 0.0
        self.trust_community_months = 0.0

    def communities(self) -> np.ndarray:
        """Resident communities at the target places (0 elsewhere), real: real households
        (simulated ones x ``weight``) over ``households_per_community``."""
        c = np.zeros(self.model.places.n)
        real = self.model.tally.households[self.places] * self.weight
        c[self.places] = real / self.p.households_per_community
        return c

    def _needs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """USD per place this month for training, dialogues and trust-building."""
        com = self.communities()
        training = (1.0 - self.trained) * com * self.p.training_cost_per_community
        dialogues = com * self.p.dialogues_per_community_month * self.p.dialogue_cost
        trust = com * self.p.trust_cost_per_community_month
        return training, dialogues, trust

    def request(self, month: int) -> float:
        need = sum(float(x.sum()) for x in self._needs())
        return min(self.p.monthly_budget, need)

    def apply(self, month: int, funds: float) -> float:
        places = self.model.places
        self.trained *= 1.0 - self.p.training_attrition
        self.cohesion.relax(self.p.relax_rate)
        self.dialogues_month = self.trained_month = self.trust_community_months = 0.0
        spent = 0.0
        training, dialogues, trust = self._needs()
        need = float(training.sum() + dialogues.sum() + trust.sum())
        if funds > 0 and need > 0:
            f = min(1.0, funds / need)
            eff = self.efficiency
            com = self.communities()
            t = self.places
            # Training: a funded share f of the untrained communities.
            self.trained_month = float(f * ((1.0 - self.trained) * com).sum())
            self.trained[t] += f * eff * (1.0 - self.trained[t])
            # Dialogues: f x planned dialogues per community, diminishing returns.
            per_com = f * self.p.dialogues_per_community_month
            self.dialogues_month = float(per_com * com.sum())
            close = np.zeros(places.n)
            close[t] = 1.0 - (1.0 - self.p.dialogue_effect) ** (per_com * eff)
            self.cohesion.push(close)
            # Trust-building: residents' trust in institutions rises toward 1.
            self.trust_community_months = float(f * com.sum())
            self._build_trust(f * eff * self.p.trust_effect)
            spent = f * need
        self._disputes()
        return min(spent, funds)

    def _build_trust(self, share: float) -> None:
        if share <= 0:
            return
        pop = self.model.pop
        ids = np.flatnonzero(self.at_targets())
        trust = pop.trust[ids].astype(np.float64)
        pop.trust[ids] = (trust + share * (1.0 - trust)).astype(np.float32)

    def _disputes(self) -> None:
        """Land disputes this month; they erode the acceptance gained."""
        places, pop = self.model.places, self.model.pop
        lost = (pop.status == hh.Status.RETURNED) & (pop.housing != hh.Housing.INTACT)
        claimants = np.bincount(pop.origin[lost], minlength=places.n)
        self.disputes[:] = (
            self.p.dispute_rate
            * claimants
            * (1.0 - places.cohesion)
            * (1.0 - self.p.dispute_reduction * self.trained)
        )
        self.disputes_total += float(self.disputes.sum())
        if self.cohesion.gain.any():
            per_household = self.disputes / np.maximum(self.model.tally.households, 1)
            loss = self.p.dispute_erosion * per_household
            self.cohesion.set(np.maximum(self.cohesion.gain - loss, 0.0))
