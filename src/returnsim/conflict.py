"""Violence at each place: a self-exciting count process that peacekeepers suppress.

Each month a place has an expected number of violent events (civilian
deaths, following Hultman, Kathman & Shannon 2013)::

    rate = (baseline x level + excitation_weight x excitation) x suppression

``excitation`` remembers recent events (decaying by ``memory`` each month),
so violence clusters in time (Hawkes-type; Lewis et al. 2012).
``suppression`` falls with the troops and police deployed at the place, with
diminishing returns; observers do nothing. Events are Poisson draws from the
conflict stream (inverse CDF, one uniform per place). At peace (level < ``conflict.peace_level``)
a place may flare up; peacekeeping presence cuts that risk (Fortna 2008). Security is the index
1 / (1 + perceived violence / security_scale) in [0, 1].
"""

from __future__ import annotations

import numpy as np
from scipy.stats import poisson

from returnsim.param import Param, Params

#: The ``conflict.*`` parameters, declared beside the code that reads them (the registry,
#: ``returnsim.parameters``, gathers every module's).
PARAMS: tuple[Param, ...] = (
    Param(
        key="conflict.intensity",
        default=1.0,
        unit="x default",
        doc="Multiplier on every place's baseline violence: 0 is peace, 1 the scenario's level",
        source="scenario",
        low=0.0,
        high=10.0,
    ),
    Param(
        key="conflict.schedule",
        default=[[0, 1.0]],
        unit="[month, level]",
        doc="Conflict level by month (piecewise constant): peace deals, ceasefires, relapses",
        source="scenario",
        low=0.0,
        high=10.0,
        kind="schedule",
    ),
    Param(
        key="conflict.self_excitation",
        default=0.2,
        unit="events per past event",
        doc="Hawkes-type excitation: each event raises next month's rate by this many events "
        "(times the memory decay)",
        source="self-exciting conflict event models (Lewis et al. 2012; Zammit-Mangion et al. "
        "2012)",
        low=0.0,
        high=0.9,
    ),
    Param(
        key="conflict.memory",
        default=0.5,
        unit="per month",
        doc="Share of excitation carried to the next month",
        source="assumption",
        low=0.0,
        high=0.95,
    ),
    Param(
        key="conflict.security_scale",
        default=15.0,
        unit="events per month",
        doc="Violence at which a place's security index falls to 0.5",
        source="assumption calibrated so ~20 deaths/month reads as insecure",
        low=0.5,
        high=50.0,
    ),
    Param(
        key="conflict.perception_memory",
        default=0.5,
        unit="per month",
        doc="Weight of last month's perceived violence in this month's (smoothing)",
        source="assumption",
        low=0.0,
        high=0.95,
    ),
    Param(
        key="conflict.peace_level",
        default=0.5,
        unit="conflict level",
        doc="Conflict level below which the country is at peace and flare-ups can occur",
        source="assumption",
        low=0.0,
        high=3.0,
    ),
    Param(
        key="conflict.recurrence_monthly",
        default=0.004,
        unit="per place-month",
        doc="Chance that a place at peace (level below conflict.peace_level) has a violent "
        "flare-up",
        source="Collier, Hoeffler & Soderbom 2008: ~40% of post-conflict countries relapse "
        "within a decade",
        low=0.0,
        high=0.1,
    ),
    Param(
        key="conflict.flare_events",
        default=20.0,
        unit="events",
        doc="Violent events added to a place's excitation by a flare-up",
        source="assumption",
        low=0.0,
        high=500.0,
    ),
    Param(
        key="conflict.destruction_scale",
        default=1500.0,
        unit="events",
        doc="Violence that destroys 63% of the empty homes of a place in a month",
        source="assumption",
        low=1.0,
        high=10_000.0,
    ),
)


def suppression(troops: np.ndarray, police: np.ndarray, p: Params) -> np.ndarray:
    """Share of violence that remains given troops and police at each place.

    Each arm removes up to its maximum share, approached exponentially:
    1 - a x (1 - exp(-personnel / scale)). Arms combine multiplicatively.
    """
    pk = p.peacekeeping
    by_troops = 1 - pk.troop_suppression * (1 - np.exp(-troops / pk.troop_scale))
    by_police = 1 - pk.police_suppression * (1 - np.exp(-police / pk.police_scale))
    return by_troops * by_police


def presence(troops: np.ndarray, police: np.ndarray, p: Params) -> np.ndarray:
    """Peacekeeping presence in [0, 1]: 1 - the share of violence remaining."""
    return 1.0 - suppression(troops, police, p)


class ViolenceProcess:
    """Monthly violent events per place."""

    def __init__(self, base_violence: np.ndarray, p: Params) -> None:
        self.base = base_violence
        self.p = p
        n = len(base_violence)
        self.excitation = np.zeros(n)
        self.perceived = np.zeros(n)
        self.events = np.zeros(n)
        self.rate = np.zeros(n)
        self.flare_ups = 0

    def step(
        self, level: float, remaining: np.ndarray, presence: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """Draw this month's events; return the security index per place."""
        p = self.p
        # Draw every random number every month, whatever is used, so that runs
        # differing in levers see the same conflict randomness.
        u_flare = rng.random(len(self.base))
        self.excitation = p.conflict.memory * self.excitation + self.events
        if level < p.conflict.peace_level:
            risk = p.conflict.recurrence_monthly * (
                1 - p.peacekeeping.recurrence_reduction * presence
            )
            flare = (u_flare < risk) & (self.base > 0)
            self.flare_ups += int(flare.sum())
            self.excitation += np.where(flare, p.conflict.flare_events, 0.0)
        self.rate = (self.base * level + p.conflict.self_excitation * self.excitation) * remaining
        # Inverse-CDF draws: one uniform per place whatever the rate, so runs
        # that differ in troops keep sharing the conflict stream (common random numbers).
        self.events = np.maximum(poisson.ppf(rng.random(len(self.base)), self.rate), 0.0)
        m = p.conflict.perception_memory
        self.perceived = m * self.perceived + (1 - m) * self.events
        return 1.0 / (1.0 + self.perceived / p.conflict.security_scale)
