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

from returnsim.param import schedule_at

if TYPE_CHECKING:
    from returnsim.world import World


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
        if month < p.peacekeeping.deploy_month:
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
