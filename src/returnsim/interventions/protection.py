"""Protection: safe accommodation, monitoring, family tracing, cultural mediators, legal aid.

Five activities, funded in this order from the month's grant (life and
safety first, then remedies):

1. *Safe accommodation* for households with a member at specific risk
   (``protection_risk`` first, then ``female_head``, then ``disability``;
   LGBTQI+ people, children and women in female-headed households, people
   with disabilities) who are displaced or under threat; up to
   ``safe_accommodation`` places at a cost per household-month. Those under
   threat at their current site come first, and they are **relocated** out
   of it: to the nearest camp or town among the target places, on the same
   side of the border (in the country, or abroad for refugees), whose
   security is at or above the safety they need and which has room (capacity
   less the households there), the way UNHCR and its partners move people at
   heightened risk from unsafe sites to safe shelters (UNHCR Emergency
   Handbook: safe shelter and relocation of persons at heightened risk; IASC
   GBV Guidelines 2015). A household at home (or settled elsewhere) who is
   relocated becomes internally displaced (or a refugee, if the safe place
   is abroad), as a flight would make it, but without the trauma of flight;
   refugees moved within the host country stay refugees. One with nowhere
   safe to go is sheltered where it is. The places are a stock: a household
   keeps its place while it stays displaced where it was housed, and places
   freed by returns and onward moves go down the queue. Everyone in safe
   accommodation has a share of trauma relieved each month. Relocations are
   counted by route (from, to) in households and persons (``summary``). No
   random draw: who moves where follows the queue, distances and capacities.
2. *Protection monitoring* (a cost per target place and month): presence,
   reporting and referral avoid a share ``monitoring_relief`` of this
   month's rise in trauma for households under threat at monitored places.
3. *Family tracing* (``tracing_monthly_budget``, a cost per case-month):
   caseworkers trace the missing members of separated households
   (``separated``: a member lost in flight), in household order; a month of
   tracing reunites a case with ``tracing_success_monthly``, on top of the
   natural ``decision.reunification_rate`` (ICRC Restoring Family Links;
   IASC durable-solutions criterion: family reunification).
4. *Cultural mediators* of both genders (cost per mediator-month), shared
   among target places by resident households, each reaching
   ``households_per_mediator``. Coverage (``coverage``) raises acceptance of
   returnees a little (cohesion gains that fade at
   ``reconciliation.relax_rate``). Women mediators reach female-headed
   households (``female_coverage`` per place). Services without women staff
   miss a share ``same_sex_gap`` of female-headed households (women who do
   not come forward to men, or are not allowed to); women mediators close
   that gap in proportion to their coverage:

       missed_j = same_sex_gap x (1 - female_coverage_j)

   A female-headed household is missed (``unreached``) when its fixed
   barrier score (an even spread over households, no draw) is below
   ``missed`` at its place: the same households stay missed while nothing
   changes. Safe accommodation, monitoring, tracing, legal aid and the
   psychosocial teams (``mhpss``) serve only the households they reach
   (UNHCR Policy on Age, Gender and Diversity 2018; IASC GBV Guidelines
   2015: women and girls should be able to speak to women staff).
5. *Legal aid* (``legal_aid_monthly_budget``): civil documentation cases
   restore documents (IASC durable-solutions criterion: documentation);
   housing, land and property (HLP) claims, open only to the documented who
   trust institutions enough to go to them (trust at least ``hlp_min_trust``:
   trust-building in ``reconciliation`` widens take-up), restore an occupied
   home with ``hlp_success_monthly`` per case-month (EVIDENCE.md: housing;
   HLP restitution and legal aid raise return). Returnees come first, then
   the displaced, then the settled elsewhere, each in household order.

Mediators are hired with what is left after safe accommodation and tracing
are priced at their full queues, so the month's reach is known before any
service acts. Everything is deterministic: counts of successes are whole
numbers kept right on average by carrying the fractions from month to
month, so runs that differ in levers keep their common random numbers.
Coordination (``efficiency``) scales how many cases succeed and how much
trauma is relieved.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from returnsim import conflict, rules
from returnsim import households as hh
from returnsim.interventions.base import CohesionGain, Lever, window
from returnsim.param import Param
from returnsim.places import PlaceKind

HLP = "EVIDENCE.md: housing (HLP restitution and legal aid raise return)"
SAME_SEX = (
    "UNHCR Policy on Age, Gender and Diversity (2018) and IASC Guidelines for Integrating "
    "GBV Interventions in Humanitarian Action (2015): women and girls need women staff, "
    "interpreters and mediators to come forward; the size is an assumption"
)
RFL = (
    "ICRC Restoring Family Links (tracing requests, Red Cross messages, reunifications); "
    "cost and rate are assumptions (cases take months to years)"
)

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
        key="protection.hlp_min_trust",
        default=0.3,
        unit="trust 0-1",
        doc="Trust in institutions below which a household with an occupied home brings no "
        "HLP claim (it does not expect courts or commissions to act)",
        source="World Justice Project, Global Insights on Access to Justice (2019): most "
        "people with a legal problem take no action, distrust of institutions among the "
        "reasons; NRC, HLP rights in displacement; the level is an assumption",
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
        doc="Places in safe accommodation for households with a member at specific risk; those "
        "under threat are relocated to the nearest safe place with room",
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
    Param(
        key="protection.same_sex_gap",
        default=0.3,
        unit="share",
        doc="Share of female-headed households that protection and psychosocial services "
        "miss where no women mediators reach them (closed in proportion to women "
        "mediators' coverage)",
        source=SAME_SEX,
        low=0.0,
        high=1.0,
    ),
    Param(
        key="protection.tracing_monthly_budget",
        default=0.0,
        unit="USD per month",
        doc="Spending on family tracing for households separated in flight",
        source="scenario",
        low=0.0,
        high=1e10,
    ),
    Param(
        key="protection.tracing_cost_per_case_month",
        default=40.0,
        unit="USD per case-month",
        doc="Family tracing (caseworker, messages, calls, verification) on one case for a month",
        source=RFL,
        low=1.0,
        high=5000.0,
    ),
    Param(
        key="protection.tracing_success_monthly",
        default=0.15,
        unit="per case-month",
        doc="Chance that a month of tracing reunites a separated household (on top of the "
        "natural decision.reunification_rate)",
        source=RFL,
        low=0.0,
        high=1.0,
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


#: Kinds of place that can take relocated households (never an origin or a border point).
SAFE_KINDS = (PlaceKind.TOWN, PlaceKind.IDP_CAMP, PlaceKind.REFUGEE_CAMP)
#: The golden ratio's fractional part: row x this (mod 1) spreads barrier scores evenly.
WEYL = 0.6180339887498949


def barrier_score(ids: np.ndarray) -> np.ndarray:
    """A fixed score in [0, 1) per household row, evenly spread (a Weyl sequence, no draw)."""
    return ((ids.astype(np.float64) + 1.0) * WEYL) % 1.0


class Protection(Lever):
    """Safe accommodation (relocation), monitoring, tracing, mediators and legal aid."""

    key = "protection"
    counted = (
        "relocated_",
        "households",
        "persons",
        "sheltered_",
        "families_",
        "documents_",
        "homes_",
        "female_headed_",
    )
    needs_access = True
    default_places = "all"
    phase = 10
    priority = 10
    #: female-headed households that services miss this month for want of women staff
    #: (read by the psychosocial teams, ``mhpss``)
    columns: ClassVar[dict[str, str]] = {"unreached": "bool"}

    def __init__(self, model: object) -> None:
        super().__init__(model)
        n = model.places.n
        self.effect = model.places.contribution(self.key)
        self.cohesion = CohesionGain(model.places, self.effect)
        #: per place: share of households a mediator reaches, and of female-headed ones
        self.coverage = np.zeros(n)
        self.female_coverage = np.zeros(n)
        self.rank = _rank()
        self.sheltered = np.zeros(0, dtype=np.int64)
        #: households in safe accommodation and the place each is housed at
        self.residents = np.zeros(0, dtype=np.int64)
        self.resident_place = np.zeros(0, dtype=np.int16)
        self.relocated = np.zeros(0, dtype=np.int64)
        self.documents_restored = 0
        self.homes_restored = 0
        self.reunited_total = 0
        self.reunited_month = 0
        self.tracing_cases_month = 0
        self.cases_month = {"docs": 0, "hlp": 0}
        self.monitored_share = 0.0
        self.mediators_month = 0
        #: relocations so far by (from place, to place): [households, persons]
        self.routes: dict[tuple[int, int], list[int]] = {}
        self.relocated_households = 0
        self.relocated_persons = 0
        self.sheltered_female_headed = 0
        self._gap_shown: float | None = None  # the missed share the column shows, if uniform

    # ------------------------------------------------------------ targeting
    def _at_risk(self) -> np.ndarray:
        """Households under threat here this month (security below the safety they need)."""
        pop, places = self.model.pop, self.model.places
        needed = rules.safety_needed(self.model.p.decision, pop.threshold, pop.trauma)
        return rules.threatened(places.security.astype(np.float32)[pop.place], needed)

    def _shelter_queue(self, threat: np.ndarray, *, reach: bool = True) -> np.ndarray:
        """Households at specific risk at the target places: under threat first; within
        each, a member at protection risk, then female-headed, then disability; then
        household order. ``reach``: only those the services reach (``unreached``)."""
        pop = self.model.pop
        specific = pop.protection_risk | pop.female_head | pop.disability
        away = (pop.status == hh.Status.INTERNALLY_DISPLACED) | (pop.status == hh.Status.REFUGEE)
        ok = specific & (away | threat) & self.at_targets()
        if reach:
            ok &= ~pop.unreached
        ids = np.flatnonzero(ok)
        risk = np.where(pop.protection_risk[ids], 0, np.where(pop.female_head[ids], 1, 2))
        return ids[np.lexsort((risk, ~threat[ids]))]

    def _legal_queue(self, eligible: np.ndarray) -> np.ndarray:
        """Eligible households at the target places, returnees first, in household order."""
        pop = self.model.pop
        rank = self.rank[pop.status]
        ids = np.flatnonzero(eligible & (rank < UNSERVED) & self.at_targets() & ~pop.unreached)
        return ids[np.argsort(rank[ids], kind="stable")]

    def _undocumented(self) -> np.ndarray:
        return self._legal_queue(~self.model.pop.documented)

    def _claimants(self) -> np.ndarray:
        pop = self.model.pop
        trusting = pop.trust >= self.p.hlp_min_trust
        return self._legal_queue((pop.housing == hh.Housing.OCCUPIED) & pop.documented & trusting)

    def _separated(self, *, reach: bool = True) -> np.ndarray:
        """Separated households at the target places, in household order."""
        pop = self.model.pop
        ok = pop.separated & self.at_targets()
        return np.flatnonzero(ok & ~pop.unreached if reach else ok)

    # ------------------------------------------------------------ spending
    def _shelter_upper(self, funds: float | None = None) -> int:
        """Households safe accommodation would take: at most its places, its whole queue
        (reach not yet known) and what ``funds`` pay for."""
        if self.p.safe_accommodation <= 0:
            return 0
        slots = self._slots(funds)
        if slots <= 0:
            return 0
        queue = self._shelter_queue(self._at_risk(), reach=False)
        return min(slots, len(self._staying()[0]) + len(queue))

    def _slots(self, funds: float | None = None) -> int:
        """Places of safe accommodation in simulated households (to the nearest): its whole
        real places, at most what ``funds`` pay for."""
        real = float(self.p.safe_accommodation)
        if funds is not None:
            real = min(real, funds // self.p.accommodation_cost_household_month)
        return int(real / self.weight + 0.5) if self.weight != 1 else int(real)

    def _tracing_upper(self) -> float:
        if self.p.tracing_monthly_budget <= 0:
            return 0.0
        cases = len(self._separated(reach=False)) * self.p.tracing_cost_per_case_month
        return min(self.p.tracing_monthly_budget, cases * self.weight)

    def _costs(self) -> tuple[float, float, float, float, float]:
        legal = 0.0
        if self.p.legal_aid_monthly_budget > 0:
            legal = self.weight * (
                len(self._undocumented()) * self.p.documentation_cost_per_case
                + len(self._claimants()) * self.p.hlp_cost_per_case_month
            )
        return (
            self._shelter_upper() * self.p.accommodation_cost_household_month * self.weight,
            self.p.monitoring * len(self.places) * self.p.monitoring_cost_place_month,
            self._tracing_upper(),
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
        self.relocated = np.zeros(0, dtype=np.int64)
        self.cases_month = {"docs": 0, "hlp": 0}
        self.reunited_month = 0
        self.tracing_cases_month = 0
        self.monitored_share = 0.0
        self.mediators_month = 0
        if funds <= 0:
            self.residents = self.residents[:0]  # places lapse without money
            self.resident_place = self.resident_place[:0]
            self._reach()
            return 0.0
        # Mediators are hired with what is left once shelter, monitoring and tracing are
        # priced at their full queues: the month's reach is then known before they act.
        cost = self.p.accommodation_cost_household_month
        full_monitoring = self.p.monitoring * len(self.places) * self.p.monitoring_cost_place_month
        reserved = self._shelter_upper(funds) * cost
        reserved += min(full_monitoring, max(funds - reserved, 0.0))
        tracing = min(self._tracing_upper(), max(funds - reserved, 0.0))
        spent = self._mediate(max(funds - reserved - tracing, 0.0))
        self._reach()
        spent += self._shelter(funds - spent)
        spent += self._monitor(funds - spent)
        spent += self._trace(min(tracing, funds - spent))
        spent += self._legal_aid(min(funds - spent, self.p.legal_aid_monthly_budget))
        return spent

    # ------------------------------------------------------------ reach
    def _reach(self) -> None:
        """Mark the female-headed households services miss this month (``unreached``):
        barrier score < same_sex_gap x (1 - female_coverage at their place)."""
        pop = self.model.pop
        gap = self.p.same_sex_gap
        uniform = not self.female_coverage.any()
        if uniform and self._gap_shown == gap:
            return  # the column already shows the missed share everywhere
        women = np.flatnonzero(pop.female_head)
        missed = gap * (1.0 - self.female_coverage[pop.place[women]])
        pop.unreached[:] = False
        pop.unreached[women[barrier_score(women) < missed]] = True
        self._gap_shown = gap if uniform else None

    # ------------------------------------------------------------ activities
    def _staying(self) -> tuple[np.ndarray, np.ndarray]:
        """Residents who keep their place: still displaced at the place they were housed."""
        pop, r = self.model.pop, self.residents
        st = pop.status[r]
        away = (st == hh.Status.INTERNALLY_DISPLACED) | (st == hh.Status.REFUGEE)
        ok = away & (pop.place[r] == self.resident_place)
        return r[ok], self.resident_place[ok]

    def _shelter(self, funds: float) -> float:
        """Safe accommodation as a stock of places: residents keep theirs while they stay;
        free places go down the queue, and those under threat are relocated."""
        pop = self.model.pop
        cost = self.p.accommodation_cost_household_month * self.weight  # a simulated household
        slots = self._slots(funds)
        staying, at = self._staying()
        staying, at = staying[:slots], at[:slots]
        free = slots - len(staying)
        if free > 0:
            threat = self._at_risk()
            queue = self._shelter_queue(threat)
            new = queue[~np.isin(queue, staying)][:free]
            self._relocate(new[threat[new]])
            staying = np.concatenate((staying, new))
            at = np.concatenate((at, pop.place[new]))
        self.residents, self.resident_place = staying, at
        self.sheltered = staying
        if len(staying) == 0:
            return 0.0
        keep = 1.0 - self.p.accommodation_relief * self.efficiency
        pop.trauma[staying] *= np.float32(keep)
        self.sheltered_female_headed += int(pop.female_head[staying].sum())
        return min(len(staying) * cost, funds)

    def _destinations(self, ids: np.ndarray) -> np.ndarray:
        """Nearest safe place with room for each household ``ids`` (in queue order), -1 for
        none: a town or camp among the target places, on the same side of the border,
        reachable, not its home, whose security meets the safety the household needs;
        sources in order of first need."""
        pop, places, tally = self.model.pop, self.model.places, self.model.tally
        d = self.model.p.decision
        needed = rules.safety_needed(d, pop.threshold[ids], pop.trauma[ids])
        security = places.security.astype(np.float32)
        spare = np.floor(places.capacity - tally.households).clip(0, None)
        safe_kind = np.isin(places.kind, SAFE_KINDS) & self.mask  # where the lever works
        dest = np.full(len(ids), -1, dtype=np.int64)
        here = pop.place[ids]
        _, first = np.unique(here, return_index=True)
        for s in here[np.sort(first)]:
            rows = np.flatnonzero(here == s)
            km = places.dist_km[s]
            cand = np.flatnonzero(safe_kind & (places.abroad == places.abroad[s]) & np.isfinite(km))
            cand = cand[cand != s]
            for j in cand[np.lexsort((cand, km[cand]))]:
                room = int(min(spare[j], len(rows)))
                if room <= 0:
                    continue
                ok = rows[(dest[rows] < 0) & (needed[rows] <= security[j])]
                ok = ok[pop.origin[ids[ok]] != j][:room]
                dest[ok] = j
                spare[j] -= len(ok)
        return dest

    def _relocate(self, ids: np.ndarray) -> None:
        """Move households under threat to safe accommodation elsewhere (``tally.move``)."""
        if len(ids) == 0:
            return
        pop, places, tally = self.model.pop, self.model.places, self.model.tally
        dest = self._destinations(ids)
        go = dest >= 0
        ids, dest = ids[go], dest[go]
        if len(ids) == 0:
            return
        status = pop.status[ids]
        away = (status == hh.Status.INTERNALLY_DISPLACED) | (status == hh.Status.REFUGEE)
        # From home (or a place of settlement): displaced by the relocation, as by a flight.
        fled = ids[~away]
        if len(fled):
            pop.times_displaced[fled] = np.minimum(
                pop.times_displaced[fled].astype(np.int16) + 1, 255
            )
            first = fled[pop.times_displaced[fled] == 1]
            tally.ever_displaced_by_origin += np.bincount(
                pop.origin[first], minlength=tally.n_places
            )
            pop.months_displaced[fled] = 0
            pop.returned_elsewhere[fled] = False
            home = pop.origin[fled]
            pop.belief_security[fled] = places.security[home]
            pop.belief_conditions[fled] = self._conditions()[home]
        new_status = np.where(
            places.abroad[dest], hh.Status.REFUGEE, hh.Status.INTERNALLY_DISPLACED
        ).astype(np.int8)
        src = pop.place[ids].astype(np.int64)
        tally.move(pop, ids, dest.astype(np.int16), new_status)
        self.relocated = ids
        pairs, where, count = np.unique(
            src * places.n + dest, return_inverse=True, return_counts=True
        )
        persons = np.bincount(where, weights=pop.size[ids])
        for k, pair in enumerate(pairs):
            route = self.routes.setdefault(divmod(int(pair), places.n), [0, 0])
            route[0] += int(count[k])
            route[1] += int(persons[k])
        self.relocated_households += len(ids)
        self.relocated_persons += int(pop.size[ids].sum())

    def _conditions(self) -> np.ndarray:
        """Value of each place's conditions as households see them (``rules.place_values``),
        for what those relocated from home know of it as they leave."""
        places, p = self.model.places, self.model.p
        conditions, _, _ = rules.place_values(
            p,
            services=places.effective_services(),
            livelihood=places.livelihood,
            education=places.education,
            cohesion=places.cohesion,
            security=places.security,
            presence=conflict.presence(places.troops, places.police, p),
            aid_coverage=places.aid_coverage,
            crowding=places.crowding(),
            nbr=places.nbr,
            nbr_km=places.nbr_km,
        )
        return conditions

    def _monitor(self, funds: float) -> float:
        pop = self.model.pop
        full = self.p.monitoring * len(self.places) * self.p.monitoring_cost_place_month
        if full <= 0 or funds <= 0:
            return 0.0
        self.monitored_share = min(1.0, funds / full)
        ids = np.flatnonzero(self._at_risk() & self.at_targets() & ~pop.unreached)
        relief = (
            self.p.monitoring_relief
            * self.monitored_share
            * self.efficiency
            * self.model.p.decision.trauma_rate
        )
        tr = pop.trauma[ids].astype(np.float64)
        pop.trauma[ids] = np.maximum(tr - relief * (1.0 - tr), 0.0).astype(np.float32)
        return self.monitored_share * full

    def _trace(self, funds: float) -> float:
        """Family tracing: cases in household order; successes reunite the first of them."""
        cost = self.p.tracing_cost_per_case_month
        if funds < cost:
            return 0.0
        queue = self._separated()
        w = self.weight  # whole real cases, a fraction of a simulated household's
        cases = min(len(queue), (funds // cost) / w)
        done = self.whole("trace", cases * self.p.tracing_success_monthly * self.efficiency)
        self.model.pop.separated[queue[:done]] = False
        self.tracing_cases_month = cases
        self.reunited_month = done
        self.reunited_total += done
        return cases * cost * self.weight

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
        reach = self.p.households_per_mediator * self.efficiency / self.weight  # simulated
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
        # whole real cases, fractions of simulated households (``whole`` keeps the successes
        # right on average)
        w = self.weight
        queue = self._undocumented()
        cases = min(len(queue), (funds // doc_cost) / w)
        done = self.whole("docs", cases * self.efficiency)
        pop.documented[queue[:done]] = True
        self.documents_restored += done
        spent = cases * doc_cost * w
        queue = self._claimants()
        claims = min(len(queue), ((funds - spent) // hlp_cost) / w)
        won = self.whole("hlp", claims * self.p.hlp_success_monthly * self.efficiency)
        pop.housing[queue[:won]] = hh.Housing.INTACT
        self.homes_restored += won
        self.cases_month = {"docs": cases, "hlp": claims}
        return spent + claims * hlp_cost * w

    # ------------------------------------------------------------ reporting
    def summary(self) -> dict[str, object]:
        """Relocations (households and persons, by route), reunions, legal aid, for reports."""
        names = self.model.places.names
        return {
            "relocated_households": self.relocated_households,
            "relocated_persons": self.relocated_persons,
            "relocated_by_route": {
                f"{names[a]} -> {names[b]}": {"households": h, "persons": n}
                for (a, b), (h, n) in sorted(self.routes.items())
            },
            "sheltered_household_months_female_headed": self.sheltered_female_headed,
            "families_reunited_by_tracing": self.reunited_total,
            "documents_restored": self.documents_restored,
            "homes_restored": self.homes_restored,
            "female_headed_unreached_now": int(self.model.pop.unreached.sum()),
        }
