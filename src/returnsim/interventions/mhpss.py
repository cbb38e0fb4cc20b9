"""Mental health and psychosocial support (MHPSS): mobile teams.

``mobile_teams`` teams (a psychologist and trained lay helpers with a
vehicle) work at the target places, all places by default, for a cost per
team-month plus their travel: ``trips_per_team_month`` round trips from the
nearest supply hub to where the households in need are, at
``cost_per_vehicle_km`` a km of good road (``base.haulage``: km x the roads'
terrain factors x the insecurity factor, averaged over the households in
need). The month's grant fields as many whole teams as it pays for; a place
no passable road leads to this month is not visited.
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
from returnsim.interventions.base import Lever, haulage, window
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
        doc="Cost of one mobile team for a month (staff, supervision; travel on top)",
        source="assumption",
        low=1000.0,
        high=100_000.0,
    ),
    Param(
        key="mhpss.trips_per_team_month",
        default=8.0,
        unit="round trips per team-month",
        doc="Round trips a team drives from its base at the nearest hub to the households it "
        "sees, a month (two a week)",
        source="assumption",
        low=0.0,
        high=60.0,
    ),
    Param(
        key="mhpss.cost_per_vehicle_km",
        default=0.6,
        unit="USD per vehicle-km",
        doc="Running a field vehicle with driver a km on a good road (fuel, maintenance, "
        "driver, insurance)",
        source="assumption (humanitarian fleet cost recovery rates, about USD 0.4-1 a km)",
        low=0.0,
        high=10.0,
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
    counted = ("household_months", "female_headed", "women_and_girls")
    needs_access = True
    default_places = "all"
    phase = 30
    priority = 30

    def __init__(self, model: object) -> None:
        super().__init__(model)
        self.teams_month = 0
        self.team_cost = self.p.cost_per_team_month
        self.served_month = 0
        self.served_total = 0
        self.served_female_headed_total = 0
        #: women and girls in the households seen, summed over months
        self.women_and_girls_total = 0
        #: households seen this month (for reporting and tests)
        self.served = np.zeros(0, dtype=np.int64)

    def _need(self) -> tuple[np.ndarray, float]:
        """Households in need the teams can reach this month, and a team-month's cost with
        its travel to them. Female-headed households services miss for want of women staff
        are not seen."""
        pop, places = self.model.pop, self.model.places
        km, premium = haulage(self.model, np.arange(places.n))
        road = np.where(np.isfinite(km), km * premium, np.inf)
        need = np.flatnonzero(
            self.at_targets()
            & (pop.trauma > self.p.min_trauma)
            & ~pop.unreached
            & np.isfinite(road)[pop.place]
        )
        trip = 2.0 * road[pop.place[need]].mean() if len(need) else 0.0
        travel = self.p.trips_per_team_month * trip * self.p.cost_per_vehicle_km
        return need, self.p.cost_per_team_month + travel

    def request(self, month: int) -> float:
        if self.p.mobile_teams <= 0:
            return 0.0
        return self.p.mobile_teams * self._need()[1]

    def apply(self, month: int, funds: float) -> float:
        pop = self.model.pop
        self.served = np.zeros(0, dtype=np.int64)
        self.served_month = 0
        if self.p.mobile_teams <= 0 or funds <= 0:
            self.teams_month = 0
            return 0.0
        need, cost = self._need()
        #: this month's cost of a team-month, its travel included
        self.team_cost = cost
        self.teams_month = min(self.p.mobile_teams, int(funds // cost))
        if self.teams_month <= 0:
            return 0.0
        # whole real households the teams see this month, in simulated ones (right on average)
        seen = int(self.teams_month * self.p.caseload_per_team_month * self.efficiency)
        capacity = self.whole("seen", seen / self.weight)
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
