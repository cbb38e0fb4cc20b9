"""Peacekeeping units (mesa.Agent) and how a mission deploys them.

A mission has troops (infantry battalions), UN police (formed police units)
and military observers. Its strength follows the authorised numbers, capped
by a mandate ceiling that may change by month (drawdown). Every
``redeploy_every`` months units are assigned to places by the strategy:

- ``static``: spread over origin areas in proportion to their population.
- ``hotspot``: each unit goes where perceived violence per unit already
  there is highest (Hultman et al.: effects come where troops are deployed).
- ``return_areas``: each unit goes where returnees and would-be returnees
  per unit already there are most numerous.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import TYPE_CHECKING

import mesa
import numpy as np

from returnsim.param import Param, granted, schedule_at

if TYPE_CHECKING:
    from returnsim.world import World


HULTMAN = "Hultman, Kathman & Shannon 2013 (EVIDENCE.md: peacekeeping, violence)"

#: The ``peacekeeping.*`` parameters, declared beside the code that reads them (the registry,
#: ``returnsim.parameters``, gathers every module's).
PARAMS: tuple[Param, ...] = (
    Param(
        key="peacekeeping.troops",
        default=0,
        unit="personnel",
        doc="Authorised troop strength",
        source="scenario",
        low=0,
        high=200_000,
        kind="int",
    ),
    Param(
        key="peacekeeping.police",
        default=0,
        unit="personnel",
        doc="Authorised UN police strength",
        source="scenario",
        low=0,
        high=50_000,
        kind="int",
    ),
    Param(
        key="peacekeeping.observers",
        default=0,
        unit="personnel",
        doc="Military observers (no effect on violence, per Hultman et al.)",
        source=HULTMAN,
        low=0,
        high=10_000,
        kind="int",
    ),
    Param(
        key="peacekeeping.strategy",
        default="static",
        unit="",
        doc="Deployment: static (even across origin areas), hotspot (where violence is), "
        "return_areas (where returnees are and are expected)",
        source="design card",
        kind="str",
        choices=("static", "hotspot", "return_areas"),
    ),
    Param(
        key="peacekeeping.deploy_month",
        default=0,
        unit="month",
        doc="Month the force starts deploying",
        source="scenario",
        low=0,
        high=1200,
        kind="int",
    ),
    Param(
        key="peacekeeping.ceiling",
        default=[],
        unit="[month, personnel]",
        doc="Mandate ceiling on uniformed personnel by month (linear between points; "
        "drawdown); empty means no ceiling",
        source="scenario",
        low=0,
        high=200_000,
        kind="schedule",
    ),
    Param(
        key="peacekeeping.redeploy_every",
        default=3,
        unit="months",
        doc="How often units are redeployed",
        source="assumption",
        low=1,
        high=120,
        kind="int",
    ),
    Param(
        key="peacekeeping.battalion_size",
        default=850,
        unit="troops",
        doc="Troops per infantry battalion unit",
        source="UN DPO: infantry battalions of about 850",
        low=50,
        high=5000,
        kind="int",
    ),
    Param(
        key="peacekeeping.police_unit_size",
        default=140,
        unit="police",
        doc="Officers per formed police unit",
        source="UN DPO: formed police units of about 140",
        low=10,
        high=1000,
        kind="int",
    ),
    Param(
        key="peacekeeping.observer_team_size",
        default=10,
        unit="observers",
        doc="Observers per team",
        source="assumption",
        low=1,
        high=100,
        kind="int",
    ),
    Param(
        key="peacekeeping.troop_suppression",
        default=0.98,
        unit="share",
        doc="Largest share of violence troops can suppress where deployed",
        source=HULTMAN + ": ~100 deaths/month fall below 2 with ~8,000 troops",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="peacekeeping.troop_scale",
        default=1500.0,
        unit="troops per place",
        doc="Troops at a place that deliver 63% of the largest suppression (diminishing returns)",
        source=HULTMAN + "; 2014: ~10,000 troops cut battle deaths ~70%",
        low=100.0,
        high=20_000.0,
    ),
    Param(
        key="peacekeeping.police_suppression",
        default=0.9,
        unit="share",
        doc="Largest share of violence against civilians police can suppress",
        source=HULTMAN,
        low=0.0,
        high=1.0,
    ),
    Param(
        key="peacekeeping.police_scale",
        default=60.0,
        unit="police per place",
        doc="Police at a place that deliver 63% of their largest suppression",
        source=HULTMAN + ": ~500 UN police bring civilian deaths near 0",
        low=5.0,
        high=2000.0,
    ),
    Param(
        key="peacekeeping.hotspot_base_weight",
        default=0.01,
        unit="weight",
        doc="Weight of baseline violence beside perceived violence in the hotspot strategy's "
        "need (orders quiet places by their underlying risk)",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="peacekeeping.recurrence_reduction",
        default=0.6,
        unit="share",
        doc="Cut in flare-up risk at a place with full peacekeeping presence",
        source="Fortna 2008: peacekeeping cuts the risk of war recurring by 50-75%",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="peacekeeping.presence_weight",
        default=0.5,
        unit="utils",
        doc="Value households place on full peacekeeping presence at a place",
        source="assumption",
        low=0.0,
        high=3.0,
    ),
    Param(
        key="peacekeeping.safe_zones",
        default=[],
        unit="places",
        doc="Places declared safe zones: each gets a unit of every arm before the strategy "
        "assigns the rest",
        source="scenario",
        kind="places",
    ),
    Param(
        key="peacekeeping.corridors",
        default=[],
        unit="places",
        doc="Places on escorted safe-passage corridors: fleeing from them is rarely blocked, "
        "and their roads stay open in the rainy season while the mission's troops are there "
        "(its engineers keep the supply routes passable)",
        source="scenario (UNMISS and MONUSCO engineering units repair and maintain main supply "
        "routes through the rains)",
        kind="places",
    ),
    Param(
        key="peacekeeping.corridor_protection",
        default=0.8,
        unit="share",
        doc="Cut in the chance of being trapped when fleeing along an escorted corridor",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="peacekeeping.cost_per_person_month",
        default=6000.0,
        unit="USD",
        doc="All-in mission cost per uniformed person-month",
        source="UN peacekeeping budget ~USD 6.5bn a year for ~90,000 uniformed personnel (2019-20)",
        low=0.0,
        high=50_000.0,
    ),
)


class Arm(StrEnum):
    """Branch of a peacekeeping mission."""

    TROOPS = "troops"
    POLICE = "police"
    OBSERVERS = "observers"


UNIT_SIZE_KEY = {
    Arm.TROOPS: "battalion_size",
    Arm.POLICE: "police_unit_size",
    Arm.OBSERVERS: "observer_team_size",
}


class PeacekeepingUnit(mesa.Agent):
    """A battalion, formed police unit or observer team deployed at one place."""

    def __init__(self, model: World, *, arm: Arm, strength: int) -> None:
        super().__init__(model)
        self.arm = arm
        self.strength = strength
        self.place = -1  # not yet deployed


class Mission:
    """The peacekeeping mission: its strength by month and its deployment."""

    def __init__(self, model: World) -> None:
        self.model = model
        p = model.p
        self.strategy = p.peacekeeping.strategy
        self.units: dict[Arm, list[PeacekeepingUnit]] = {arm: [] for arm in Arm}
        places = model.places
        self.eligible = np.flatnonzero(~places.abroad)
        self.origins = places.origins

    def authorised(self, month: int) -> dict[Arm, int]:
        """Personnel by arm this month: authorised strength within the mandate ceiling."""
        p = self.model.p
        if month < p.peacekeeping.deploy_month or not granted(p.state.mission_consent, month):
            return dict.fromkeys(Arm, 0)
        troops, police = p.peacekeeping.troops, p.peacekeeping.police
        ceiling = schedule_at(p.peacekeeping.ceiling, month, default=np.inf, linear=True)
        uniformed = troops + police
        scale = min(1.0, ceiling / uniformed) if uniformed > 0 else 1.0
        # Round the total down so it never exceeds the ceiling; police take the remainder.
        total = math.floor(uniformed * scale)
        kept_troops = math.floor(troops * scale)
        return {
            Arm.TROOPS: kept_troops,
            Arm.POLICE: min(police, total - kept_troops),
            Arm.OBSERVERS: p.peacekeeping.observers,
        }

    def step(self, month: int) -> None:
        """Pay for, resize and (when due) redeploy the mission for this month."""
        p = self.model.p
        strength = self.authorised(month)
        cost = (strength[Arm.TROOPS] + strength[Arm.POLICE]) * p.peacekeeping.cost_per_person_month
        # Within the budget, a mission that cannot be paid in full shrinks.
        paid = self.model.budget.pay_peacekeeping(cost)
        changed = False
        for arm, personnel in strength.items():
            if arm != Arm.OBSERVERS:
                personnel = int(personnel * paid)
            changed |= self._resize(arm, personnel)
        due = month % self.model.p.peacekeeping.redeploy_every == 0
        if changed or due:
            self._deploy()
        places = self.model.places
        for arm, out in (
            (Arm.TROOPS, places.troops),
            (Arm.POLICE, places.police),
            (Arm.OBSERVERS, places.observers),
        ):
            out[:] = 0.0
            for unit in self.units[arm]:
                out[unit.place] += unit.strength

    def _resize(self, arm: Arm, personnel: int) -> bool:
        size = self.model.p.peacekeeping[UNIT_SIZE_KEY[arm]]
        full, rest = divmod(personnel, size)
        strengths = [size] * full + ([rest] if rest else [])
        units = self.units[arm]
        before = [u.strength for u in units]
        while len(units) > len(strengths):
            units.pop().remove()  # drawdown: the last unit deployed leaves first
        while len(units) < len(strengths):
            units.append(PeacekeepingUnit(self.model, arm=arm, strength=0))
        for unit, strength in zip(units, strengths, strict=True):
            unit.strength = strength
        return before != strengths

    def _deploy(self) -> None:
        """Assign every unit to a place according to the strategy (greedy, by need)."""
        model = self.model
        places = model.places
        if self.strategy == "static" or len(self.eligible) == 0:
            candidates = self.origins
            need = places.origin_share[candidates]
        elif self.strategy == "hotspot":
            candidates = self.eligible
            w = model.p.peacekeeping.hotspot_base_weight
            need = model.violence.perceived[candidates] + w * places.base_violence[candidates]
        else:  # return_areas
            candidates = self.origins
            need = model.return_pressure()[candidates]
        need = np.asarray(need, dtype=np.float64) + 1e-9
        zones = places.safe_zones
        for arm in Arm:
            load = np.zeros(len(candidates))
            units = self.units[arm]
            # Safe zones first: one unit of each arm in each zone while units last.
            for unit, zone in zip(units, zones, strict=False):
                unit.place = int(zone)
            for unit in units[len(zones) :]:
                k = int(np.argmax(need / (1.0 + load)))
                unit.place = int(candidates[k])
                load[k] += 1.0
