"""Health: field clinics and health posts, water and sanitation, measles vaccination.

Three arms at the target places (camps, border sites and towns by default),
each sized as a coverage the plan aims at and paid per person reached:

- clinics and health posts: ``clinic_coverage`` of the people at a place are
  within reach of staffed primary care, for ``clinic_cost_per_person_month``;
- water, sanitation and hygiene: ``wash_coverage`` of them have safe water
  and latrines to the Sphere standard, for ``wash_cost_per_person_month``;
- vaccination: each month ``vaccination_coverage`` of the households with an
  unvaccinated child are reached and all their children vaccinated against
  measles, for ``vaccine_cost_per_child`` a child.

When the grant is short, the coverage reached is the grant's share of the
need (all arms alike); poor coordination (``efficiency``) loses part of it.
What the arms cover is read by ``demography``: health care lowers the
communicable death rate of the displaced and the case fatality of cholera
and measles, water and sanitation lower the death rate and the chance that
cholera breaks out, and vaccinated children are protected against measles
(``demography.vaccine_efficacy``). Health care at home (targets that are
home places) offsets the deaths that follow when violence closes clinics.

Excess mortality in camps falls most with water, sanitation, measles
vaccination and primary care (Toole & Waldman 1990; Connolly et al. 2004;
Sphere 2018 health and WASH standards).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from returnsim.households import AgeBand
from returnsim.interventions.base import Lever, window
from returnsim.param import Param

STREAM_TAG = 0x4845  # "HE": this lever's sub-stream of the interventions stream


def _coverage(key: str, what: str) -> Param:
    return Param(
        key=f"health.{key}",
        default=0.0,
        unit="share",
        doc=f"Share of the people at the target places {what}",
        source="scenario",
        low=0.0,
        high=1.0,
    )


PARAMS = (
    *window("health", "health care, water and sanitation, and vaccination"),
    _coverage("clinic_coverage", "within reach of a staffed clinic or health post"),
    Param(
        key="health.clinic_cost_per_person_month",
        default=2.5,
        unit="USD per person-month",
        doc="Cost of primary health care per person covered and month (staff, drugs, "
        "supplies, referral)",
        source="assumption (Afghanistan's basic package: USD 14 per person a year needed for "
        "good quality, GHSP 2022; camp care dearer, UNHCR: one facility per 10,000 people)",
        low=0.0,
        high=100.0,
    ),
    _coverage("wash_coverage", "with safe water, latrines and hygiene items"),
    Param(
        key="health.wash_cost_per_person_month",
        default=1.5,
        unit="USD per person-month",
        doc="Cost of water supply, sanitation and hygiene per person covered and month",
        source="assumption (water supply alone USD 6.80-12 per person a year in camps, "
        "IRC/UNHCR 2015; sanitation and hygiene on top)",
        low=0.0,
        high=100.0,
    ),
    Param(
        key="health.vaccination_coverage",
        default=0.0,
        unit="share per month",
        doc="Share of the households with an unvaccinated child at the target places reached "
        "each month by measles vaccination",
        source="scenario (WHO: campaigns aim at 95% coverage)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="health.vaccine_cost_per_child",
        default=1.5,
        unit="USD per child",
        doc="Cost of vaccinating a child against measles (vaccine, cold chain, staff)",
        source="Gandhi & Lydon 2014: campaign delivery about USD 1 a person plus vaccine up "
        "to USD 0.50 a dose",
        low=0.0,
        high=100.0,
    ),
)


class Health(Lever):
    """Clinics, water and sanitation, and measles vaccination where people are."""

    key = "health"
    counted = ("children_vaccinated",)
    needs_access = True
    default_places = "displacement"
    phase = 25
    priority = 15
    #: children of the household vaccinated against measles
    columns: ClassVar[dict[str, str]] = {"vaccinated": "uint8"}

    def __init__(self, model: object) -> None:
        super().__init__(model)
        self.effect = model.places.contribution(self.key)
        seq = model.streams["interventions"].bit_generator.seed_seq
        self._seed = (seq.entropy, tuple(seq.spawn_key))
        self.person_months = {"clinic": 0.0, "wash": 0.0}
        self.children_vaccinated = 0

    def _persons(self) -> np.ndarray:
        return self.model.tally.persons[self.places]

    def _unvaccinated(self) -> tuple[np.ndarray, np.ndarray]:
        """Households at the target places with a child not yet vaccinated, and their
        unvaccinated children."""
        pop = self.model.pop
        kids = pop.members[:, : 2 * AgeBand.ADULT].sum(axis=1, dtype=np.uint8)
        ids = np.flatnonzero(self.at_targets() & (kids > pop.vaccinated))
        return ids, kids[ids]

    def request(self, month: int) -> float:
        if not self.active(month):
            return 0.0
        p, persons = self.p, self._persons().sum() * self.weight  # real persons
        need = persons * (
            p.clinic_coverage * p.clinic_cost_per_person_month
            + p.wash_coverage * p.wash_cost_per_person_month
        )
        if p.vaccination_coverage > 0:
            ids, kids = self._unvaccinated()
            need += (
                p.vaccination_coverage
                * (kids - self.model.pop.vaccinated[ids]).sum()
                * self.weight
                * (p.vaccine_cost_per_child)
            )
        return float(need)

    def apply(self, month: int, funds: float) -> float:
        p, e = self.p, self.effect
        e.health_care[:] = 0.0
        e.wash[:] = 0.0
        need = self.request(month)
        if funds <= 0 or need <= 0:
            return 0.0
        scale = min(1.0, funds / need)  # the grant's share of the need, all arms alike
        reach = scale * self.efficiency  # of which duplication and gaps lose a part
        persons = self._persons().sum() * self.weight  # real persons
        e.health_care[self.places] = p.clinic_coverage * reach
        e.wash[self.places] = p.wash_coverage * reach
        spent = (
            scale
            * persons
            * (
                p.clinic_coverage * p.clinic_cost_per_person_month
                + p.wash_coverage * p.wash_cost_per_person_month
            )
        )
        self.person_months["clinic"] += float(persons * p.clinic_coverage * reach)
        self.person_months["wash"] += float(persons * p.wash_coverage * reach)
        if p.vaccination_coverage > 0:
            pop = self.model.pop
            ids, kids = self._unvaccinated()
            entropy, key = self._seed
            seq = np.random.SeedSequence(entropy, spawn_key=(*key, STREAM_TAG, month))
            u = np.random.default_rng(seq).random(len(ids))
            offered = u < p.vaccination_coverage * scale  # the doses paid for
            reached = u < p.vaccination_coverage * reach  # less those duplication loses
            spent += int((kids[offered] - pop.vaccinated[ids[offered]]).sum()) * (
                p.vaccine_cost_per_child * self.weight
            )
            given = int((kids[reached] - pop.vaccinated[ids[reached]]).sum())
            pop.vaccinated[ids[reached]] = kids[reached]
            self.children_vaccinated += given
        return float(min(spent, funds))

    def summary(self) -> dict[str, float]:
        """Person-months covered by clinics and by water and sanitation; children vaccinated."""
        return {
            "clinic_person_months": self.person_months["clinic"],
            "wash_person_months": self.person_months["wash"],
            "children_vaccinated": self.children_vaccinated,
        }
