"""Births, deaths and ageing of household members; outbreaks in crowded camps.

Each month, after households have moved, every member is exposed to a death
rate by age band and setting, every woman aged 18-59 to a birth rate, and
every child and adult to ageing into the next band. Rates are per person and
month, from deaths per 10,000 persons per day (the unit of the Sphere
thresholds) as ``m = r x 30.44 / 10,000``. For a member of age band ``b`` and
sex ``x`` of a household in setting ``s`` at place ``j``::

    death   = base_b x [(1 - c) + c x F_s,j] + violence_j x w_bx + outbreak_j,b
    F_camp  = 1 + camp_excess x G_j x (1 + crowding_weight x min(crowding_j, 2))
    F_host  = 1 + host_excess x G_j                (displaced in a town or village)
    F_move  = 1 + transit_excess                   (fled or pushed back this month)
    F_home  = 1 + home_excess x shortfall_j x (1 - health_j)       (not displaced)
    G_j     = wash_weight (1 - wash_j) + health_weight (1 - health_j)
              + (1 - wash_weight - health_weight) (1 - aid_j)
    violence_j = violent_rate x events_j / conflict.security_scale

``base_b``: baseline rates of sub-Saharan Africa (Sphere's regional
figures: crude 0.44, under-5 1.14 per 10,000 a day); ``c``: the share of deaths from
communicable disease, the part that crowding, unsafe water, no shelter and no
health care multiply (Connolly et al. 2004: 60-90% of deaths in emergencies);
``shortfall_j``: how far services fell below the scenario's level (violence
closes clinics); ``health_j``, ``wash_j``: the coverage of health care and of
water and sanitation the health lever funds; ``aid_j``: aid coverage. Camps,
border sites and transit are where excess mortality is largest (Toole &
Waldman 1993; Heudtlass et al. 2016).

Outbreaks: a camp or border site with displaced people starts a cholera
outbreak with chance ``cholera_onset x (1 - wash_j) x (1 + crowding_j)`` and
a measles outbreak with chance ``measles_onset x (1 + crowding_j)`` a month
(one uniform each per place, in place order); an outbreak lasts
``outbreak_months``, during which every person there dies of cholera at
``cholera_attack / outbreak_months x CFR_j`` and every child not protected by
vaccination (``efficacy x`` the household's vaccinated children) of measles
at ``measles_attack / outbreak_months x CFR_j``, with
``CFR_j = cfr_untreated (1 - health_j) + cfr_treated health_j``.

Births: ``births_per_woman_year / 12`` per woman aged 18-59, a girl with
``FEMALE_BIRTH_SHARE``. Ageing: 1/60 of the under-5s a month move to 5-17,
1/156 of those to 18-59, 1/504 of adults to 60+ (the band widths in months).

Each household draws one uniform a month from the ``health`` stream; at most
one event (a death, a birth or a member ageing) happens to it in a month,
picked in proportion to the rates (competing risks). Only households whose
uniform falls under a cheap upper bound of their rates (or who are in flight)
are examined one by one, so the cost is one uniform per household and month. A household whose
last member dies is dissolved (``Status.DISSOLVED``): it no longer decides,
moves or counts as a household. When no adult is left, the children are a
child-headed household at specific protection risk.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from returnsim.households import (
    FEMALE_BIRTH_SHARE,
    MEMBER_GROUPS,
    AgeBand,
    Population,
    Sex,
    Status,
    Tally,
    member_column,
)
from returnsim.param import Param
from returnsim.places import PlaceKind, Places

DAYS = 30.44  # days in a month, on average
#: Sphere emergency thresholds where the baseline is not known: deaths per 10,000 a day,
#: crude and under 5 (Sphere Handbook; Checchi et al. 2008, Conflict and Health 2:9)
SPHERE_CMR, SPHERE_U5MR = 1.0, 2.0
PER_10K = 10_000.0

SPHERE = (
    "Sphere regional baselines cited by Checchi et al. 2008 (Conflict and Health 2:9): "
    "sub-Saharan Africa crude 0.44, "
)
CAMPS = (
    "assumption calibrated so an unserved camp has a crude rate of about 2 per 10,000 a day, "
    "about 5x the baseline: Toole & Waldman 1993 (JAMA) found 5-12x baseline among refugees and "
    "12-25x among IDPs in emergencies; Heudtlass et al. 2016 a median 2.5x among IDPs"
)


def _param(unit: str, high: float):
    """A non-negative demography parameter of ``unit``, at most ``high`` by default."""

    def make(key: str, default: float, doc: str, source: str, high: float = high) -> Param:
        return Param(
            key=f"demography.{key}",
            default=default,
            unit=unit,
            doc=doc,
            source=source,
            low=0.0,
            high=high,
        )

    return make


_rate = _param("deaths per 10,000 per day", 50.0)
_share = _param("share", 1.0)
_factor = _param("x", 100.0)


PARAMS: tuple[Param, ...] = (
    Param(
        key="demography.on",
        default=True,
        unit="switch",
        doc="Members are born, age and die (false: a closed population, as before)",
        source="model",
        kind="bool",
    ),
    _rate(
        "baseline_under5",
        1.14,
        "Baseline death rate of children under 5",
        SPHERE + "under-5 1.14 per 10,000 a day)",
    ),
    _rate(
        "baseline_school_age",
        0.15,
        "Baseline death rate at ages 5-17",
        "assumption (UN WPP life tables for sub-Saharan Africa: about 0.5% a year)",
    ),
    _rate(
        "baseline_adult",
        0.3,
        "Baseline death rate at ages 18-59",
        "assumption (UN WPP life tables; with the other bands a crude rate near Sphere's 0.44)",
    ),
    _rate(
        "baseline_older",
        1.5,
        "Baseline death rate at ages 60+",
        "assumption (UN WPP life tables for sub-Saharan Africa: about 5% a year)",
    ),
    _share(
        "communicable_share",
        0.5,
        "Share of baseline deaths from communicable disease, the part that the conditions "
        "of displacement multiply",
        "assumption (GBD: communicable, maternal, neonatal and nutritional causes are about half "
        "of deaths in sub-Saharan Africa)",
    ),
    _factor(
        "camp_excess",
        8.0,
        "Communicable mortality multiplier, less 1, in a camp or border site with no water "
        "and sanitation, health care or aid",
        CAMPS,
    ),
    _factor(
        "host_excess",
        2.0,
        "The same for the displaced living in a town or village among a host community",
        "assumption (urban and host-community displacement has lower excess mortality than "
        "camps; Heudtlass et al. 2016)",
    ),
    _factor(
        "transit_excess",
        10.0,
        "The same in the month of flight, or of being pushed back at a border (exposure, "
        "no water, no care)",
        "assumption",
    ),
    _factor(
        "home_excess",
        1.0,
        "The same at home for the full loss of a place's services (violence closing clinics), "
        "less what health care covers",
        "assumption",
    ),
    _factor(
        "crowding_weight",
        0.5,
        "Rise of camp excess mortality per 100% occupancy beyond capacity (counted to 200%)",
        "assumption (Toole & Waldman 1990: crowding drives diarrhoea, measles and respiratory "
        "infections)",
    ),
    _share(
        "wash_weight",
        0.45,
        "Weight of water and sanitation in the conditions that raise camp mortality (the "
        "rest: health care, then shelter and food through aid)",
        "assumption (Connolly et al. 2004; Wolf et al. 2018: sanitation and handwashing cut "
        "diarrhoea by 25-30%, safe water at the point of use by 61%)",
    ),
    _share(
        "health_weight",
        0.45,
        "Weight of health care in those conditions",
        "assumption (Connolly et al. 2004)",
    ),
    _rate(
        "violent_rate",
        0.3,
        "Violent deaths per 10,000 persons a day at a place with conflict.security_scale "
        "violent events a month (in proportion to events)",
        "assumption (Coghlan et al. 2006, DRC: violence a small share of excess deaths)",
    ),
    _factor(
        "violent_male_weight",
        2.0,
        "Violent death risk of men aged 18+ relative to other persons",
        "assumption (adult men are the majority of civilian violent deaths in conflict surveys)",
    ),
    Param(
        key="demography.births_per_woman_year",
        default=0.17,
        unit="births per woman-year",
        doc="Births per woman aged 18-59 a year",
        source="PRB 2012: crude birth rate 38 per 1,000 in sub-Saharan Africa (DRC, South Sudan, "
        "Liberia 40-42); about 0.17 a year per woman aged 18-59 at the model's age structure",
        low=0.0,
        high=0.5,
    ),
    _share(
        "cholera_onset",
        0.01,
        "Chance a month that a cholera outbreak starts in a camp or border site at capacity "
        "with no water and sanitation",
        "assumption",
    ),
    _share(
        "cholera_attack",
        0.03,
        "Share of a site's people who fall ill in a cholera outbreak",
        "camp outbreaks of 0.5-5.1% (Malawi 1988 2.6%, 1990 2.4%: Swerdlow et al. 1997; "
        "Dadaab 2015-16 0.5%: Golicha et al. 2018)",
    ),
    _share(
        "cholera_cfr_untreated",
        0.1,
        "Case fatality of cholera without health care",
        "assumption for all cases (Shannon et al. 2019: 50-60% of severe cases die without "
        "care; camps with late care 3.3-3.5%, Swerdlow et al. 1997)",
    ),
    _share(
        "cholera_cfr_treated",
        0.01,
        "Case fatality of cholera with health care",
        "Shannon et al. 2019, WHO: below 1% with proper clinical management",
    ),
    _share(
        "measles_onset",
        0.02,
        "Chance a month that a measles outbreak starts in a camp or border site at capacity",
        "assumption",
    ),
    _share(
        "measles_attack",
        0.3,
        "Share of unvaccinated children who fall ill in a measles outbreak",
        "assumption (measles infects most susceptible contacts; Toole & Waldman 1990)",
    ),
    _share(
        "measles_cfr_untreated",
        0.1,
        "Case fatality of measles among displaced children without health care",
        "assumption (Kouadio et al. 2009: 1-2% in stable populations, up to 34% in refugee "
        "settings)",
    ),
    _share(
        "measles_cfr_treated",
        0.02,
        "Case fatality of measles with health care (vitamin A, treatment of complications)",
        "assumption (Kouadio et al. 2009: 1-2% in stable populations with care)",
    ),
    _share(
        "vaccine_efficacy",
        0.85,
        "Share of vaccinated children protected against measles",
        "Sudfeld et al. 2010 (Int J Epidemiol 39 Suppl 1): 85% for one dose before age 1",
    ),
    Param(
        key="demography.outbreak_months",
        default=3,
        unit="months",
        doc="Length of an outbreak",
        source="assumption",
        low=1,
        high=24,
        kind="int",
    ),
)

#: The month's mortality rates reported (``Demography.rates_now``), per 10,000 a day.
MORTALITY_RATES = ("cmr_displaced", "u5mr_displaced", "cmr_camps", "cmr_others")
#: Death causes, in the order of the death counts.
CAUSES = ("other", "disease", "violence", "outbreak")
#: Settings of exposure: not displaced, displaced where they are, in flight this month.
HOME, AWAY, MOVING = 0, 1, 2
CAMP_KINDS = (PlaceKind.IDP_CAMP, PlaceKind.REFUGEE_CAMP, PlaceKind.BORDER)
#: Monthly ageing out of each band (the band's width in months); the last band does not age.
AGEING = {AgeBand.UNDER_5: 1 / 60, AgeBand.SCHOOL_AGE: 1 / 156, AgeBand.ADULT: 1 / 504}
G = len(MEMBER_GROUPS)
ADULT_COLUMNS = [member_column(s, b) for b in (AgeBand.ADULT, AgeBand.OLDER) for s in Sex]


def monthly(rate: np.ndarray | float) -> np.ndarray | float:
    """Per person-month from deaths per 10,000 a day."""
    return rate * DAYS / PER_10K


def per_10k_day(deaths: float, persons: float) -> float:
    """Deaths in a month per 10,000 persons a day (0 where there is no one)."""
    return float(deaths) / (float(persons) * DAYS) * PER_10K if persons > 0 else 0.0


class Demography:
    """The month's births, deaths, ageing and outbreaks, and their accounts."""

    def __init__(self, model: Any) -> None:
        self.model = model
        d = model.p.demography
        self.p = d
        places: Places = model.places
        n = places.n
        band = np.array([b for _, b in MEMBER_GROUPS])
        self.base = monthly(
            np.array(
                [d.baseline_under5, d.baseline_school_age, d.baseline_adult, d.baseline_older]
            )[band]
        ).astype(np.float32)
        male_adult = np.array([s == Sex.MALE and b >= AgeBand.ADULT for s, b in MEMBER_GROUPS])
        self.violence_weight = np.where(male_adult, d.violent_male_weight, 1.0).astype(np.float32)
        self.child = band <= AgeBand.SCHOOL_AGE
        #: monthly rate of ageing out of each member group's band (0 for the last band)
        self.ageing = np.array([AGEING.get(b, 0.0) for _, b in MEMBER_GROUPS], dtype=np.float32)
        #: monthly rate of births and ageing per member of each group
        self.growth_rate = self.ageing.copy()
        self.growth_rate[member_column(Sex.FEMALE, AgeBand.ADULT)] += d.births_per_woman_year / 12
        self.camp = np.isin(places.kind, CAMP_KINDS)
        self.cholera_left = np.zeros(n, dtype=np.int64)
        self.measles_left = np.zeros(n, dtype=np.int64)
        self.outbreaks = {"cholera": 0, "measles": 0}
        #: deaths by cause (rows, ``CAUSES``) and member group (columns), over the run
        self.deaths = np.zeros((len(CAUSES), G), dtype=np.int64)
        self.births_total = 0
        self.dissolved_total = 0
        self.month = self._empty_month()
        pop: Population = model.pop
        #: per household, kept as members change: the monthly rate of births and ageing, and
        #: its members' baseline death rate
        self.growth, self.mortal = self._growth(pop.members)

    @staticmethod
    def _empty_month() -> dict[str, Any]:
        return {
            "deaths": np.zeros(len(CAUSES), dtype=np.int64),
            "by_setting": np.zeros(3, dtype=np.int64),
            "under5_by_setting": np.zeros(3, dtype=np.int64),
            "camp_deaths": 0,
            "births": 0,
            "pushed_back_deaths": 0,
            #: households dissolved this month, by the status they had
            "dissolved_from": np.zeros(len(Status), dtype=np.int64),
        }

    def _growth(self, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per household: births and ageing per month, and the members' baseline death
        rate per month (float32, one column at a time)."""
        f32 = np.float32
        women = members[:, member_column(Sex.FEMALE, AgeBand.ADULT)]
        growth = women * f32(self.p.births_per_woman_year / 12.0)
        for band, r in AGEING.items():
            for s in Sex:
                growth += members[:, member_column(s, band)] * f32(r)
        mortal = np.zeros(len(members), dtype=f32)
        for c in range(G):
            mortal += members[:, c] * f32(self.base[c])
        return growth.astype(f32), mortal

    # ---------------------------------------------------------------- rates
    def _rates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per setting and place: the disease multiplier F (3, places); per place: violence
        and cholera rates, and measles among unprotected children (per person-month)."""
        m, d, places = self.model, self.p, self.model.places
        health, wash, aid = places.health_care, places.wash, places.aid_coverage
        rest = max(1.0 - d.wash_weight - d.health_weight, 0.0)
        g = d.wash_weight * (1 - wash) + d.health_weight * (1 - health) + rest * (1 - aid)
        crowd = np.minimum(places.crowding(), 2.0)
        camp = 1.0 + d.camp_excess * g * (1.0 + d.crowding_weight * crowd)
        host = 1.0 + d.host_excess * g
        ref = places.scenario_base["services"]
        shortfall = np.clip(1.0 - places.services / np.maximum(ref, 1e-9), 0.0, 1.0)
        home = 1.0 + d.home_excess * shortfall * (1.0 - health)
        f = np.stack(
            [home, np.where(self.camp, camp, host), np.full(places.n, 1 + d.transit_excess)]
        )
        violence = monthly(d.violent_rate) * m.violence.events / m.p.conflict.security_scale
        cfr_c = d.cholera_cfr_untreated * (1 - health) + d.cholera_cfr_treated * health
        cfr_m = d.measles_cfr_untreated * (1 - health) + d.measles_cfr_treated * health
        months = d.outbreak_months
        cholera = np.where(self.cholera_left > 0, d.cholera_attack / months * cfr_c, 0.0)
        measles = np.where(self.measles_left > 0, d.measles_attack / months * cfr_m, 0.0)
        return f, violence, cholera, measles

    def _outbreaks(self, rng: np.random.Generator) -> None:
        """Outbreaks end, then start (two uniforms per place, in place order)."""
        d, places = self.p, self.model.places
        self.cholera_left = np.maximum(self.cholera_left - 1, 0)
        self.measles_left = np.maximum(self.measles_left - 1, 0)
        u = rng.random((places.n, 2))
        crowd = 1.0 + np.minimum(places.crowding(), 2.0)
        occupied = self.camp & (self.model.tally.persons > 0)
        for j, (left, chance) in enumerate(
            (
                (self.cholera_left, d.cholera_onset * (1 - places.wash) * crowd),
                (self.measles_left, d.measles_onset * crowd),
            )
        ):
            start = occupied & (left == 0) & (u[:, j] < chance)
            left[start] = d.outbreak_months
            self.outbreaks[("cholera", "measles")[j]] += int(start.sum())

    # ---------------------------------------------------------------- month
    def step(self, *, pushed: np.ndarray | None = None) -> None:
        """One month of outbreaks, deaths, births and ageing (the ``health`` stream)."""
        m = self.model
        self.month = self._empty_month()
        if not self.p.on:
            return
        pop = m.pop
        rng = m.streams["health"]
        self._outbreaks(rng)
        f, violence, cholera, measles = self._rates()
        u = rng.random(pop.n, dtype=np.float32)
        # Upper bound of a household's rate unless it is in flight: births and ageing, its
        # baseline deaths times the larger multiplier of staying or being displaced at its
        # place, its size times the violence and outbreak rates there (a margin for rounding).
        # Built in place: a few bytes per household.
        stay = (f[:2].max(axis=0) * 1.001).astype(np.float32)
        bound = stay[pop.place]
        bound *= self.mortal
        bound += self.growth
        per_person = violence * self.violence_weight.max() + cholera + measles
        if per_person.any():
            extra = (per_person * 1.001).astype(np.float32)[pop.place]
            extra *= pop.size
            bound += extra
            del extra
        mask = u < bound  # never a dissolved household: no members, so a bound of 0
        del bound
        if m.tally.status[Status.RESETTLED]:  # out of the scenario: not followed
            mask &= pop.status != Status.RESETTLED
        # Those in flight this month are all examined (few: the displaced who just fled).
        mask |= (pop.status.view(np.uint8) - np.uint8(1) < 2) & (pop.months_displaced == 0)
        if pushed is not None and len(pushed):
            mask[pushed] = True
        ids = np.flatnonzero(mask)
        if len(ids) == 0:
            return
        self._events(ids, u[ids], f, violence, cholera, measles, pushed)

    def _setting(self, ids: np.ndarray, pushed: np.ndarray | None) -> np.ndarray:
        pop = self.model.pop
        st = pop.status[ids]
        away = (st == Status.INTERNALLY_DISPLACED) | (st == Status.REFUGEE)
        setting = np.where(away, AWAY, HOME)
        setting[away & (pop.months_displaced[ids] == 0)] = MOVING
        if pushed is not None and len(pushed):
            setting[np.isin(ids, pushed)] = MOVING
        return setting

    def _events(
        self,
        ids: np.ndarray,
        u: np.ndarray,
        f: np.ndarray,
        violence: np.ndarray,
        cholera: np.ndarray,
        measles: np.ndarray,
        pushed: np.ndarray | None,
    ) -> None:
        """Exact rates of the candidate households ``ids``; at most one event each."""
        m, d = self.model, self.p
        pop, tally = m.pop, m.tally
        # in float32, as the draws: half the memory traffic of float64
        f32 = np.float32
        f, violence, cholera, measles = (a.astype(f32) for a in (f, violence, cholera, measles))
        place = pop.place[ids]
        setting = self._setting(ids, pushed)
        members = pop.members[ids].astype(f32)
        c = f32(d.communicable_share)
        children = members[:, self.child].sum(axis=1)
        vacc = np.minimum(pop.vaccinated[ids], children)
        unprotected = 1 - f32(d.vaccine_efficacy) * vacc / np.maximum(children, 1)
        # Rates per member of each death cause for households h (the names are read at call
        # time: after the draw below they are those of the households hit).
        unit = (
            lambda _: self.base * (1 - c),
            lambda h: self.base * c * f[setting[h], place[h]][:, None],
            lambda h: violence[place[h]][:, None] * self.violence_weight,
            lambda h: (
                cholera[place[h]][:, None]
                + np.where(self.child, (measles[place[h]] * unprotected[h])[:, None], 0.0)
            ),
        )
        # Each household's monthly rate of each event class: deaths by cause (CAUSES, the sums
        # over its members of ``unit``), girls and boys born to its women, ageing out of a band.
        women = members[:, member_column(Sex.FEMALE, AgeBand.ADULT)]
        birth = f32(d.births_per_woman_year / 12.0)
        base = members @ self.base
        classes = np.column_stack(
            [
                base * (1 - c),
                base * c * f[setting, place],
                violence[place] * (members @ self.violence_weight),
                cholera[place] * pop.size[ids] + measles[place] * unprotected * children,
                women * (birth * f32(FEMALE_BIRTH_SHARE)),
                women * (birth * f32(1 - FEMALE_BIRTH_SHARE)),
                members @ self.ageing,
            ]
        )
        total = classes.sum(axis=1)
        p = -np.expm1(-total)
        hit = u < p
        if not hit.any():
            return
        # One event per household hit: its class, then its member group within the class,
        # each with probability proportional to its rate (a uniform reused, rescaled).
        ids, place, setting = ids[hit], place[hit], setting[hit]
        members, unprotected, classes = members[hit], unprotected[hit], classes[hit]
        v = u[hit] / p[hit] * total[hit]
        cum = np.cumsum(classes, axis=1)
        kind = np.minimum((cum < v[:, None]).sum(axis=1), classes.shape[1] - 1)
        r = np.arange(len(ids))
        v -= cum[r, kind] - classes[r, kind]
        n_causes = len(CAUSES)
        group = np.zeros(len(ids), dtype=np.int64)
        for k in [*range(n_causes), n_causes + 2]:
            h = np.flatnonzero(kind == k)
            if len(h) == 0:
                continue
            w = self.ageing if k > n_causes else np.broadcast_to(unit[k](h), (len(h), G))
            w = w * members[h]
            g = np.minimum((np.cumsum(w, axis=1) < v[h, None]).sum(axis=1), G - 1)
            # past the last group with members by rounding: that last group
            off = np.flatnonzero(w[np.arange(len(h)), g] == 0)
            g[off] = G - 1 - np.argmax(w[off, ::-1] > 0, axis=1)
            group[h] = g
        status = pop.status[ids]
        size_old = pop.size[ids].astype(np.int64)
        # the flags of households.HOUSEHOLD_GROUPS, in order
        flags_old = (pop.female_head[ids], pop.disability[ids], pop.protection_risk[ids])

        died = kind < n_causes
        cause = kind[died]
        dead = ids[died]
        group_dead = group[died]
        pop.members[dead, group_dead] -= np.uint8(1)
        pop.size[dead] -= np.uint8(1)
        np.add.at(self.deaths, (cause, group_dead), 1)
        self.month["deaths"] += np.bincount(cause, minlength=len(CAUSES))
        self.month["by_setting"] += np.bincount(setting[died], minlength=3)
        u5 = np.isin(group_dead, [member_column(s, AgeBand.UNDER_5) for s in Sex])
        self.month["under5_by_setting"] += np.bincount(setting[died][u5], minlength=3)
        self.month["camp_deaths"] += int((self.camp[place[died]] & (setting[died] == AWAY)).sum())
        if pushed is not None and len(pushed):
            self.month["pushed_back_deaths"] += int(np.isin(dead, pushed).sum())

        born = (kind == n_causes) | (kind == n_causes + 1)
        girl = kind[born] == n_causes
        mothers = ids[born]
        col = np.where(
            girl,
            member_column(Sex.FEMALE, AgeBand.UNDER_5),
            member_column(Sex.MALE, AgeBand.UNDER_5),
        )
        grow = pop.size[mothers] < 255
        pop.members[mothers[grow], col[grow]] += np.uint8(1)
        pop.size[mothers[grow]] += np.uint8(1)
        self.month["births"] = int(grow.sum())
        self.births_total += int(grow.sum())

        aged = kind == n_causes + 2
        frm = group[aged]  # member_column(sex, band) = 2 band + sex: the next band is + 2
        who = ids[aged]
        pop.members[who, frm] -= np.uint8(1)
        pop.members[who, frm + 2] += np.uint8(1)
        # members changed, as (row of ids, member column, change)
        at = np.flatnonzero
        events = (
            np.concatenate([at(died), at(born)[grow], at(aged), at(aged)]),
            np.concatenate([group_dead, col[grow], frm, frm + 2]),
            np.repeat(
                np.array([-1, 1, -1, 1], dtype=f32), [died.sum(), grow.sum(), len(frm), len(frm)]
            ),
        )

        changed = ids
        members[events[0], events[1]] += events[2]  # now as in pop.members
        pop.older[changed] = members[:, 2 * AgeBand.OLDER :].any(axis=1)
        kids = members[:, : 2 * AgeBand.ADULT].sum(axis=1)
        pop.vaccinated[changed] = np.minimum(pop.vaccinated[changed], kids)
        women, men = (
            members[:, member_column(s, AgeBand.ADULT)]
            + members[:, member_column(s, AgeBand.OLDER)]
            for s in (Sex.FEMALE, Sex.MALE)
        )
        # The head's place passes to an adult of the other sex when none of its own is left;
        # with no adult left the children head the household (a specific protection risk).
        fh = pop.female_head[changed]
        pop.female_head[changed] = np.where(fh & (women == 0) & (men > 0), False, fh)
        pop.female_head[changed] = np.where(
            ~fh & (men == 0) & (women > 0), True, pop.female_head[changed]
        )
        alive = pop.size[changed] > 0
        pop.protection_risk[changed] |= alive & (women + men == 0)
        self.growth[changed] = members @ self.growth_rate
        self.mortal[changed] = members @ self.base

        tally.persons += np.bincount(
            place, weights=pop.size[ids].astype(np.int64) - size_old, minlength=tally.n_places
        )
        self._count_persons(tally, ids, status, size_old, flags_old, events)
        gone = ids[pop.size[ids] == 0]
        if len(gone):
            self._dissolve(pop, tally, gone)

    def _count_persons(
        self,
        tally: Tally,
        ids: np.ndarray,
        status: np.ndarray,
        size_old: np.ndarray,
        flags_old: tuple[np.ndarray, ...],
        events: tuple[np.ndarray, np.ndarray, np.ndarray],
    ) -> None:
        """Persons by status and group (``person_columns``) kept up to date from the
        members changed and the household flags before and after."""
        pop, by = self.model.pop, tally.persons_by_group
        rows, cols, change = events
        width = by.shape[1]
        by += np.bincount(
            status[rows].astype(np.int64) * width + cols, weights=change, minlength=by.size
        ).reshape(by.shape)
        size_new = pop.size[ids].astype(np.int64)
        flags_new = (pop.female_head[ids], pop.disability[ids], pop.protection_risk[ids])
        for j, (old, new) in enumerate(zip(flags_old, flags_new, strict=True)):
            by[:, G + j] += np.bincount(
                status,
                weights=np.where(new, size_new, 0) - np.where(old, size_old, 0),
                minlength=len(by),
            )

    def _dissolve(self, pop: Population, tally: Tally, gone: np.ndarray) -> None:
        """Households whose last member died: out of every decision and count of households."""
        self.month["dissolved_from"] += np.bincount(pop.status[gone], minlength=len(Status))
        self.model.flows.dissolutions += len(gone)
        tally.depart(pop, gone, Status.DISSOLVED)
        for flag in (pop.separated, pop.disability, pop.protection_risk, pop.older):
            flag[gone] = False
        pop.trauma[gone] = 0.0
        self.dissolved_total += len(gone)

    # ------------------------------------------------------------- reports
    def rates_now(self) -> dict[str, float]:
        """The month's crude and under-5 mortality rates (per 10,000 a day) of the displaced
        (those in flight this month included), of those living in camps and border sites (not
        in their month of flight), and of everyone else."""
        tally, mo = self.model.tally, self.month
        by = tally.persons_by_group
        u5 = [member_column(s, AgeBand.UNDER_5) for s in Sex]
        displaced = by[[Status.INTERNALLY_DISPLACED, Status.REFUGEE]][:, :G].sum()
        displaced_u5 = by[[Status.INTERNALLY_DISPLACED, Status.REFUGEE]][:, u5].sum()
        others = by[:, :G].sum() - displaced
        camp_persons = tally.persons[self.camp].sum()
        d_away = mo["by_setting"][AWAY] + mo["by_setting"][MOVING]
        d_u5 = mo["under5_by_setting"][AWAY] + mo["under5_by_setting"][MOVING]
        return {
            "cmr_displaced": per_10k_day(d_away, displaced),
            "u5mr_displaced": per_10k_day(d_u5, displaced_u5),
            "cmr_camps": per_10k_day(mo["camp_deaths"], camp_persons),
            "cmr_others": per_10k_day(mo["by_setting"][HOME], others),
        }

    def summary(self) -> dict[str, Any]:
        """Deaths by cause, sex and age band; births; outbreaks; dissolved households."""
        from returnsim.households import AGE_LABELS

        by_group = self.deaths.sum(axis=0)
        w = self.model.weight  # real persons and households
        return {
            "deaths_total": int(self.deaths.sum()) * w,
            "deaths_by_cause": {c: int(self.deaths[i].sum()) * w for i, c in enumerate(CAUSES)},
            "deaths_by_sex_and_age": {
                f"{s.name.lower()}_{AGE_LABELS[b]}": int(by_group[member_column(s, b)]) * w
                for s, b in MEMBER_GROUPS
            },
            "births_total": self.births_total * w,
            "outbreaks": dict(self.outbreaks),
            "households_dissolved": self.dissolved_total * w,
        }
