"""What the model core and the levers read of a running model, as a Protocol.

Levers, peacekeeping, shocks, the reintegration scores and the per-object
engine are handed the running :class:`returnsim.model.ReturnModel`; they
see it through this narrow view, so none of them imports the model class
(which imports them).
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from returnsim.households import Population, Tally
from returnsim.param import Params, Settings
from returnsim.places import Places


class World(Protocol):
    """The running model as the core and the levers see it."""

    spec: Settings
    #: the same values as attribute views (``p.decision.info_rate``)
    p: Params
    places: Places
    pop: Population
    tally: Tally
    streams: dict[str, np.random.Generator]
    steps: int
    #: real households one simulated household stands for (``households.weight``): money
    #: and real numbers meet simulated counts through it
    weight: float

    #: inter-agency coordination this month (0-1) and the share of spending it lets count
    #: (held by the coordination lever; the model reads them out)
    @property
    def coordination(self) -> float: ...
    @property
    def coordination_efficiency(self) -> float: ...

    budget: Any
    violence: Any
    #: the governments' consent this month (``state.State``)
    state: Any
    levers: dict[str, Any]

    def return_pressure(self) -> np.ndarray: ...
    def draws(self) -> Any: ...
