"""Policy triggers and shocks that act on places: camp closures, cessation, drought.

These are not levers (nobody pays for them): they are dated events of a
scenario that change the conditions households face. Each month, after
place conditions drift and before the levers and the households act, they
set caps (``places.Caps``) that ``Places.hold_under`` applies; they write no
place array themselves.

- **Camp capacity** (``camps.capacity``, a [month, multiplier] schedule):
  the capacity of the target camps is their scenario capacity times the
  multiplier. A camp closure is a multiplier near 0: occupancy far beyond
  capacity makes staying costly (``decision.crowding_cost``), so the
  households there move on or go home (EVIDENCE.md fact 6: camp closures in
  Tanzania, 2008-2009, and Burundi's return spike).
- **Camp assistance** (``camps.assistance``, [month, multiplier]): services
  and livelihood at the target camps are held at most at their base value
  times the multiplier, as when assistance ends with the cessation of
  refugee status (Liberia and Burundi, 2012) or aid is cut; after the cut
  they recover at ``dynamics.recovery_rate``.
- **Drought** (``drought.schedule``, [month, severity]): livelihood at the
  target places (default: home areas) is held at most at (1 - severity)
  times its base value while the drought lasts, then recovers at
  ``dynamics.recovery_rate``; it lowers the value of home for those
  deciding whether to return (Somalia 2011 and 2016-17).

- **Closures** (Flee's closures.csv: a place, a road or a border, by date):
  ``places.NAME.open`` and ``[[routes]] open`` are [month, 0 | 1] step
  schedules (0 closed, 1 open; open before the first entry), and
  ``borders.entry`` and ``borders.exit`` close every road from the country
  to a place abroad (asylum seekers turned back at the border) or from
  abroad into the country (refugees cannot come home that way). A closed
  road cannot be taken in either direction; nobody enters a closed place,
  by road, by a return journey or by returning elsewhere, while those in it
  may leave. A return home crosses the open roads only (the shortest open
  path; none, and home is out of reach this month). A camp that opens at a
  date is a place closed until then. A road's ``closed_months`` (months of
  the year, placed by ``scenario.start_month``) close it every year in its
  rainy season: no one travels it and no supplies pass (``logistics``),
  unless it is an escorted corridor's road (``peacekeeping.corridors`` at
  either end) with the mission's troops at either end that month: the
  mission's engineers keep the main supply routes passable through the
  rains (as UNMISS's and MONUSCO's engineering units do).

- **Forced returns**: ``deportation.schedule`` ([month, share]) returns that
  share of the refugee households at the target places (default: every place
  abroad) to their home place each month, against their will; a place's
  ``pushback`` schedule ([month, share]) sends that share of the households
  who arrived at it this month back to where they came from (to their home:
  a forced return too). Both act on households after they decide (the
  ``forced`` stream, one uniform per household at risk, in household order)
  and are counted apart from chosen returns (``forced_returns``,
  ``pushbacks``); a return chosen under a camp closure or an assistance cut
  that the household would not have chosen without it is ``induced``
  (``engine``, ``rules.pressure_shift``).

A drought or an assistance cut also raises the places' deprivation
(``rules.deprivation``): households short of need weigh leaving, and go as
far as they can pay the journey.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from returnsim.households import Status
from returnsim.param import Param, granted, schedule_at
from returnsim.places import Caps, PlaceKind

if TYPE_CHECKING:
    from returnsim.world import World

CESSATION = (
    "EVIDENCE.md: cessation of refugee status (Liberia, Burundi 2012) and camp closures "
    "in Tanzania (2008-2009) caused late return spikes"
)

PARAMS: tuple[Param, ...] = (
    Param(
        key="camps.targets",
        default=[],
        unit="places",
        doc="Camps the closure and assistance schedules apply to ([]: every refugee camp)",
        source="scenario",
        kind="places",
    ),
    Param(
        key="camps.capacity",
        default=[],
        unit="[month, multiplier]",
        doc="Capacity of the target camps as a multiple of their scenario capacity, by month "
        "(step schedule; near 0 closes a camp); empty means no change",
        source=CESSATION,
        low=0.0,
        high=1.0,
        kind="schedule",
    ),
    Param(
        key="camps.assistance",
        default=[],
        unit="[month, multiplier]",
        doc="Most services and livelihood at the target camps can be, as a multiple of their base, "
        "by month (step schedule; cessation of status or aid cuts); empty means no change",
        source=CESSATION,
        low=0.0,
        high=1.0,
        kind="schedule",
    ),
    Param(
        key="drought.targets",
        default=[],
        unit="places",
        doc="Places a drought strikes ([]: every home area)",
        source="scenario",
        kind="places",
    ),
    Param(
        key="drought.schedule",
        default=[],
        unit="[month, severity]",
        doc="Drought severity by month (step schedule): livelihood at the target places is held "
        "at most at (1 - severity) x its base; empty means no drought",
        source="FSNAU/FEWS NET: the 2011 and 2016-17 Somali droughts cut harvests and herds by "
        "half or more in the south (severity of about 0.5-0.7)",
        low=0.0,
        high=1.0,
        kind="schedule",
    ),
    Param(
        key="deportation.targets",
        default=[],
        unit="places",
        doc="Places refugees are deported from ([]: every place abroad)",
        source="scenario",
        kind="places",
    ),
    Param(
        key="deportation.schedule",
        default=[],
        unit="[month, share per month]",
        doc="Share of the refugee households at the target places returned to their home "
        "place each month against their will (step schedule; empty: none)",
        source="scenario (e.g. Lithuania's returns to Iraq from August 2021; Pakistan's "
        "deportations of Afghans from 2023)",
        low=0.0,
        high=1.0,
        kind="schedule",
    ),
    Param(
        key="borders.entry",
        default=[],
        unit="[month, 0 closed | 1 open]",
        doc="Whether households can cross from the country to a place abroad, by month (step "
        "schedule; open before the first entry and when empty)",
        source="scenario (Flee closures.csv border closures; Lithuania closed its border "
        "with Belarus to irregular entries in August 2021)",
        low=0.0,
        high=1.0,
        kind="gate",
    ),
    Param(
        key="borders.exit",
        default=[],
        unit="[month, 0 closed | 1 open]",
        doc="Whether households can cross from abroad into the country (returns of refugees "
        "over the border), by month (step schedule; open before the first entry and when empty)",
        source="scenario (Flee closures.csv border closures)",
        low=0.0,
        high=1.0,
        kind="gate",
    ),
)


class Shocks:
    """Dated camp closures, assistance cuts and droughts of a scenario."""

    def __init__(self, model: World) -> None:
        p, places = model.p, model.places
        self.p = p
        #: households pushed back at a border this month
        self.pushed = np.zeros(0, dtype=np.int64)
        names = p.camps.targets
        if names:
            self.camps = np.array([places.index[n] for n in names], dtype=np.int64)
        else:
            self.camps = np.flatnonzero(places.kind == PlaceKind.REFUGEE_CAMP)
        names = p.drought.targets
        if names:
            self.drought_places = np.array([places.index[n] for n in names], dtype=np.int64)
        else:
            self.drought_places = places.origins
        base_capacity = places.scenario_capacity[self.camps]
        #: every target camp has a capacity (a closure can lower it)
        #: (a closure schedule needs one: the scenario checks it, ``scenario._check_consistency``)
        self.limited = bool(np.isfinite(base_capacity).all())
        #: this month's limits on the places (``Places.hold_under`` applies them)
        self.caps = Caps(places.nbr >= 0)
        self.model = model
        names = p.deportation.targets
        self.deport_from = np.zeros(places.n, dtype=bool)
        if names:
            self.deport_from[[places.index[n] for n in names]] = True
        else:
            self.deport_from[:] = places.abroad
        self.pushback = [
            (i, g["pushback"]) for i, g in enumerate(model.spec.places) if g["pushback"]
        ]
        self.place_gates = [(i, g["open"]) for i, g in enumerate(model.spec.places) if g["open"]]
        self.road_gates = [
            (places.index[r["from"]], places.index[r["to"]], r["open"])
            for r in model.spec.routes
            if r.get("open")
        ]
        #: roads closed in some months of every year (rainy seasons): (from, to, months)
        self.seasons = [
            (places.index[r["from"]], places.index[r["to"]], set(r["closed_months"]))
            for r in model.spec.routes
            if r.get("closed_months")
        ]
        self.corridor = {places.index[n] for n in p.peacekeeping.corridors}
        self.gated = bool(
            self.place_gates or self.road_gates or self.seasons or p.borders.entry or p.borders.exit
        )
        #: (place, k) crossing the border from the country to abroad, and back
        src = np.repeat(np.arange(places.n)[:, None], places.nbr.shape[1], axis=1)
        real = places.nbr >= 0
        dst_abroad = places.abroad[np.maximum(places.nbr, 0)]
        self.entering = real & ~places.abroad[src] & dst_abroad
        self.leaving = real & places.abroad[src] & ~dst_abroad
        self.nbr = places.nbr
        #: this month's multipliers (reported for plots and tests)
        self.capacity_factor = 1.0
        self.assistance_factor = 1.0
        self.drought_severity = 0.0
        self.pressure: np.ndarray | None = None

    def apply(self, month: int) -> Caps:
        """This month's caps: camp capacity, and services and livelihood as shares of base."""
        p, caps = self.p, self.caps
        self.capacity_factor = schedule_at(p.camps.capacity, month, default=1.0, linear=False)
        self.assistance_factor = schedule_at(p.camps.assistance, month, default=1.0, linear=False)
        if self.model.state.camps_closed(month):  # the host government's rule (state.py)
            share = p.state.closure_share
            if self.limited:
                self.capacity_factor = min(self.capacity_factor, share)
            self.assistance_factor = min(self.assistance_factor, share)
        self.drought_severity = schedule_at(p.drought.schedule, month, default=0.0, linear=False)
        caps.capacity[:] = caps.services[:] = caps.livelihood[:] = 1.0
        c = self.camps
        #: places a camp closure or an assistance cut holds this month (None: none), where a
        #: return may be induced rather than chosen freely (engine, ``rules.pressure_shift``)
        self.pressure = None
        if self.capacity_factor < 1.0 or self.assistance_factor < 1.0:
            self.pressure = np.zeros(len(caps.capacity), dtype=bool)
            self.pressure[c] = True
        if p.camps.capacity or self.capacity_factor < 1.0:
            caps.capacity[c] = self.capacity_factor
        if self.assistance_factor < 1.0:
            caps.services[c] = self.assistance_factor
            caps.livelihood[c] = self.assistance_factor
        if self.drought_severity > 0.0:
            d = self.drought_places
            caps.livelihood[d] = np.minimum(caps.livelihood[d], 1.0 - self.drought_severity)
        if self.gated:
            self._gates(month)
        return caps

    def _gates(self, month: int) -> None:
        """This month's open places and roads: ``Caps.passable`` (the roads themselves, for
        supplies too), ``Caps.entry`` and ``Caps.road`` (what households may take)."""
        p, caps = self.p, self.caps

        def shut(schedule: list[list[float]]) -> bool:
            return not granted(schedule, month)

        caps.entry[:] = True
        for i, schedule in self.place_gates:
            caps.entry[i] = not shut(schedule)
        caps.passable[:] = self.nbr >= 0
        calendar = (self.model.p.scenario.start_month - 1 + month) % 12 + 1
        closed = [(a, b) for a, b, schedule in self.road_gates if shut(schedule)]
        closed += [
            (a, b)
            for a, b, months in self.seasons
            if calendar in months and not self.engineered(a, b)
        ]
        for a, b in closed:
            caps.passable[a, self.nbr[a] == b] = False
            caps.passable[b, self.nbr[b] == a] = False
        road = caps.passable & caps.entry[np.maximum(self.nbr, 0)]
        if shut(p.borders.entry):
            road &= ~self.entering
        if shut(p.borders.exit):
            road &= ~self.leaving
        caps.road[:] = road

    def engineered(self, a: int, b: int) -> bool:
        """The road from ``a`` to ``b`` is kept open through the rains this month: an escorted
        corridor's road with the mission's troops at either end."""
        troops = self.model.places.troops
        return bool({a, b} & self.corridor) and troops[a] + troops[b] > 0

    # ----------------------------------------------------------- forced returns
    def pushing(self, month: int) -> np.ndarray | None:
        """Per place, the share of this month's arrivals pushed back (None: nowhere)."""
        if not self.pushback:
            return None
        share = np.zeros(self.model.places.n)
        for i, schedule in self.pushback:
            share[i] = schedule_at(schedule, month, default=0.0, linear=False)
        return share if share.any() else None

    def force(self, month: int, came_from: np.ndarray | None, push: np.ndarray | None) -> None:
        """Pushbacks of this month's arrivals (``came_from``: each household's place before
        it decided), then deportations; counted in the model's flows."""
        m = self.model
        pop, tally, flows, rng = m.pop, m.tally, m.flows, m.streams["forced"]
        self.pushed = np.zeros(0, dtype=np.int64)
        if push is not None and came_from is not None:
            at = np.flatnonzero((pop.place != came_from) & (push[pop.place] > 0))
            st = pop.status[at]
            at = at[(st == Status.INTERNALLY_DISPLACED) | (st == Status.REFUGEE)]
            back = at[rng.random(len(at)) < push[pop.place[at]]]
            dest = came_from[back]
            home = dest == pop.origin[back]
            status = np.where(
                home,
                Status.RETURNED,
                np.where(m.places.abroad[dest], Status.REFUGEE, Status.INTERNALLY_DISPLACED),
            ).astype(np.int8)
            pop.return_month[back[home]] = month
            tally.move(pop, back, dest, status)
            flows.pushbacks += len(back)
            self.pushed = back  # in flight again this month (``demography``)
            flows.forced_returns += int(home.sum())
        share = schedule_at(self.p.deportation.schedule, month, default=0.0, linear=False)
        if share > 0:
            refugees = np.flatnonzero(pop.status == Status.REFUGEE)
            refugees = refugees[self.deport_from[pop.place[refugees]]]
            sent = refugees[rng.random(len(refugees)) < share]
            pop.return_month[sent] = month
            pop.returned_elsewhere[sent] = False
            tally.move(pop, sent, pop.origin[sent], np.full(len(sent), Status.RETURNED, np.int8))
            flows.forced_returns += len(sent)
