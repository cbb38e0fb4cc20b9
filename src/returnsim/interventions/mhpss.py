"""Mental health and psychosocial support (MHPSS): mobile teams.

``mobile_teams`` teams (a psychologist and trained lay helpers with a
vehicle) work at the target places, all places by default, for a cost per
team-month; the month's grant fields as many whole teams as it pays for.
Each team sees ``caseload_per_team_month`` households a month; poor
coordination between agencies (``efficiency``) loses part of that caseload
to duplication and gaps. Teams see the households with the highest trauma
first (those above ``min_trauma``), wherever they are among the target
places. A household seen in a month has its trauma cut by
``effect_per_session``:

    trauma <- trauma x (1 - effect_per_session)

Teams reach only the households they can reach: a female-headed household
that services miss for want of women staff (``unreached``, set each month
by the protection lever from ``protection.same_sex_gap`` and the coverage
of women mediators) is not seen. Women mediators thus raise the teams'
reach of female-headed households, whose lower trauma then lowers the
safety they need to return (``rules.safety_needed``) (UNHCR Policy on Age,
Gender and Diversity 2018; IASC GBV Guidelines 2015: same-sex staff). The
month's women and girls seen (persons in the households seen) are counted.

Brief psychological interventions delivered by trained lay helpers, such
as WHO Problem Management Plus, had moderate effects on psychological
distress in randomized trials (Bryant et al. 2017, Kenya; Jordans et al.
2021, Nepal); the size per month of support is an assumption with a range.
"""

from __future__ import annotations

import numpy as np

from returnsim.households import AgeBand, Sex, member_column
from returnsim.interventions.base import Lever, window
from returnsim.param import Param

PMPLUS = (
    "Bryant et al. 2017 (WHO Problem Management Plus trial): moderate effects on distress; "
    "size per month an assumption"
)

PARAMS = (
    *window("mhpss", "mobile mental health and psychosocial support"),
    Param(
        key="mhpss.mobile_teams",
        default=0,
        unit="teams",
        doc="Mobile MHPSS teams in the field",
        source="scenario",
        low=0,
        high=100_000,
        kind="int",
    ),
    Param(
        key="mhpss.cost_per_team_month",
        default=10_000.0,
        unit="USD per team-month",
        doc="Cost of one mobile team for a month (staff, transport, supervision)",
        source="assumption",
        low=1000.0,
        high=100_000.0,
    ),
    Param(
        key="mhpss.caseload_per_team_month",
        default=50.0,
        unit="households per team-month",
        doc="Households one team supports in a month",
        source="assumption (PM+: five weekly sessions per client by lay helpers)",
        low=5.0,
        high=1000.0,
    ),
    Param(
        key="mhpss.effect_per_session",
        default=0.3,
        unit="share",
        doc="Share of a household's trauma relieved by a month of support",
        source=PMPLUS,
        low=0.05,
        high=0.7,
    ),
    Param(
        key="mhpss.min_trauma",
        default=0.1,
        unit="index 0-1",
        doc="Trauma below which a household is not referred to the teams",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
)


class MHPSS(Lever):
    """Mobile teams that see the most traumatized households first."""

    key = "mhpss"
    needs_access = True
    default_places = "all"
    phase = 30
    priority = 30

    def __init__(self, model: object) -> None:
        super().__init__(model)
        self.teams_month = 0
        self.served_month = 0
        self.served_total = 0
        self.served_female_headed_total = 0
        #: women and girls in the households seen, summed over months
        self.women_and_girls_total = 0
        #: households seen this month (for reporting and tests)
        self.served = np.zeros(0, dtype=np.int64)

    def request(self, month: int) -> float:
        return self.p.mobile_teams * self.p.cost_per_team_month

    def apply(self, month: int, funds: float) -> float:
        pop = self.model.pop
        cost = self.p.cost_per_team_month
        self.teams_month = min(self.p.mobile_teams, int(funds // cost))
        self.served = np.zeros(0, dtype=np.int64)
        self.served_month = 0
        if self.teams_month <= 0:
            return 0.0
        capacity = int(self.teams_month * self.p.caseload_per_team_month * self.efficiency)
        # Female-headed households services miss for want of women staff are not seen.
        need = np.flatnonzero(self.at_targets() & (pop.trauma > self.p.min_trauma) & ~pop.unreached)
        if 0 < capacity < len(need):
            need = need[np.argpartition(-pop.trauma[need], capacity - 1)[:capacity]]
        elif capacity <= 0:
            need = need[:0]
        self.served = np.sort(need)
        pop.trauma[self.served] *= np.float32(1.0 - self.p.effect_per_session)
        self.served_month = len(self.served)
        self.served_total += self.served_month
        self.served_female_headed_total += int(pop.female_head[self.served].sum())
        female = [member_column(Sex.FEMALE, band) for band in AgeBand]
        self.women_and_girls_total += int(pop.members[self.served][:, female].sum())
        return self.teams_month * cost

    def summary(self) -> dict[str, int]:
        """Households seen (all, female-headed) and women and girls in them, for reports."""
        return {
            "household_months_seen": self.served_total,
            "female_headed_household_months_seen": self.served_female_headed_total,
            "women_and_girls_seen_person_months": self.women_and_girls_total,
        }
