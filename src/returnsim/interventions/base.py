"""The shared shape of a policy lever (Covasim/Starsim-style interventions).

A lever family is a class with its parameters (declared beside it as
``PARAMS``), a ``start`` and ``end`` month, targeting by place, unit costs,
and two calls a month at fixed points of the model step:

- ``apply(month, funds)`` before households decide: act on place conditions
  or household state, spending at most ``funds`` USD; return what it commits.
- ``settle(month)`` after households decide: return what was actually spent
  (at most what was committed). Most levers spend what they commit; return
  packages spend only on the households that actually went home.

``apply`` is called every month, also before ``start``, after ``end`` and
with no money (``funds`` 0): levers use it to let projects finish, effects
fade and coverage lapse. A lever may define ``summary() -> dict`` with its
own accounts (participants, homes rebuilt...); it goes into summary.json.

Effects act on conditions or household state, never on outcomes directly.
A lever's effect on places is its own :class:`returnsim.places.Contribution`
(``model.places.contribution(key)``): it writes those arrays and its own
household columns, never an array of the places or an attribute of the
model; the places derive their conditions from every contribution after
each lever acts (``Places.refresh``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from returnsim import conflict
from returnsim.households import GONE
from returnsim.param import Param
from returnsim.places import Contribution, PlaceKind, Places

if TYPE_CHECKING:
    from returnsim.households import PackageTakeUp, PackageTerms
    from returnsim.world import World

MAX_MONTH = 1200


def window(key: str, what: str) -> tuple[Param, Param, Param]:
    """The ``start``, ``end`` and ``targets`` parameters every lever has."""
    return (
        Param(
            key=f"{key}.start",
            default=0,
            unit="month",
            doc=f"First month of {what}",
            source="scenario",
            low=0,
            high=MAX_MONTH,
            kind="int",
        ),
        Param(
            key=f"{key}.end",
            default=MAX_MONTH,
            unit="month",
            doc=f"Last month of {what}",
            source="scenario",
            low=0,
            high=MAX_MONTH,
            kind="int",
        ),
        Param(
            key=f"{key}.targets",
            default=[],
            unit="places",
            doc=f"Places where {what} operates ([]: the lever's default places)",
            source="scenario",
            kind="places",
        ),
    )


def number(
    *, key: str, default: float, unit: str, doc: str, source: str, low: float, high: float
) -> Param:
    """A numeric parameter: an integer when its default is one, else a float."""
    kind = "int" if isinstance(default, int) and not isinstance(default, bool) else "float"
    return Param(
        key=key, default=default, unit=unit, doc=doc, source=source, low=low, high=high, kind=kind
    )


class Lever:
    """Base class: timing, targeting and the monthly spending protocol."""

    key: ClassVar[str] = ""
    #: Which places the lever serves when ``targets`` is empty.
    default_places: ClassVar[str] = "origins"  # origins | displacement | in_country | all
    #: When in the month the lever acts (lower first): the fixed, documented phase order.
    phase: ClassVar[int] = 0
    #: Its default place in the funding order when money is short (lower is paid first).
    priority: ClassVar[int] = 0
    #: The household columns it owns and others read (the rule, the outcomes), with their
    #: dtypes; the model adds them to ``Population`` (zero at the start).
    columns: ClassVar[dict[str, str]] = {}
    #: Needs the consent of the government where it works (humanitarian access,
    #: ``state.py``): where access is refused it neither spends nor acts (``reach``).
    needs_access: ClassVar[bool] = False
    #: keys (or their beginnings) of ``summary()`` that count simulated households, persons
    #: or cases: outputs give them at real scale (times ``weight``)
    counted: ClassVar[tuple[str, ...]] = ()

    def __init__(self, model: World) -> None:
        self.model = model
        #: this lever's parameters as attributes (``self.p.monthly_budget``); others' are
        #: ``model.p.<section>.<name>``
        self.p = model.p[self.key]
        self.committed = 0.0
        self.spent_total = 0.0
        self.spent_month = 0.0
        names = self.p.targets
        places = model.places
        if names:
            self.places = np.array([places.index[n] for n in names], dtype=np.int64)
        else:
            kind = places.kind
            mask = {
                "origins": places.origin_share > 0,
                "displacement": kind != PlaceKind.ORIGIN,
                "in_country": ~places.abroad,
                "all": np.ones(places.n, dtype=bool),
            }[self.default_places]
            self.places = np.flatnonzero(mask)
        self.mask = np.zeros(places.n, dtype=bool)
        self.mask[self.places] = True
        self._targets = (self.places, self.mask)
        #: fractions of whole units carried to the next month (``whole``)
        self.carry: dict[str, float] = {}

    @property
    def weight(self) -> float:
        """Real households one simulated household stands for (``households.population``):
        a unit cost per simulated household or person is the real cost times it, and a real
        number of households or places served is that number divided by it."""
        return self.model.weight

    def buy(self, what: str, price: np.ndarray, funds: float) -> tuple[int, float]:
        """How many of a queue of simulated households ``funds`` pay for in order, at
        ``price`` each (USD for one real household), and the USD spent. Each costs
        ``weight`` times its price; what is left at the first that cannot be paid buys whole
        real units of it, ``real / weight`` of it, carried (``whole``) until they make one
        (with weight 1 nothing is left to carry)."""
        cost = price * self.weight
        before = np.concatenate(([0.0], np.cumsum(cost)))
        k = int(np.searchsorted(before[1:], funds + 1e-9, side="right"))
        if k >= len(price):
            return len(price), float(before[-1])
        real = float(np.floor((funds - before[k]) / price[k] + 1e-9)) if price[k] > 0 else 0.0
        spent = float(before[k]) + real * float(price[k])
        return k + self.whole(what, real / self.weight), spent

    def whole(self, what: str, expected: float) -> int:
        """A whole number of units (cases, places, successes) right on average: the
        fraction of ``expected`` is carried over to the next month."""
        total = self.carry.get(what, 0.0) + expected
        n = int(total)
        self.carry[what] = total - n
        return n

    def reach(self, access: np.ndarray) -> None:
        """Serve, this month, only the target places where access is granted (``places``
        and ``mask`` are the targets themselves while access is granted everywhere)."""
        if not self.needs_access:
            return
        targets, mask = self._targets
        if access[targets].all():
            self.places, self.mask = targets, mask
        else:
            self.places, self.mask = targets[access[targets]], mask & access

    def active(self, month: int) -> bool:
        return self.p.start <= month <= self.p.end

    def at_targets(self) -> np.ndarray:
        """Per household: at one of the places served this month, and still in the
        scenario (not dissolved or resettled, ``households.GONE``)."""
        pop = self.model.pop
        here = self.mask[pop.place]
        if self.model.tally.gone:
            here &= ~np.isin(pop.status, GONE)
        return here

    def request(self, month: int) -> float:
        """USD the lever would spend this month with no budget limit."""
        return 0.0

    def apply(self, month: int, funds: float) -> float:
        """Act with at most ``funds`` USD; return USD committed."""
        return 0.0

    def offer(self) -> tuple[PackageTerms, PackageTakeUp] | None:
        """A return package on offer this month and its take-up ledger, read by the
        household rule (``rules.package_takeup``); None for a lever that offers none."""
        return None

    def settle(self, month: int) -> float:
        """USD actually spent this month (default: all that was committed)."""
        return self.committed

    @property
    def efficiency(self) -> float:
        """Share of spending that reaches people, given inter-agency coordination."""
        return self.model.coordination_efficiency


def haulage(model: World, places: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per place of ``places``: the good-road km from the nearest supply hub over the roads
    passable this month (``Places.haul_km``; inf out of reach), and the insecurity factor
    on hauling there, 1 + ``logistics.insecurity_premium`` x (1 - security) x (1 -
    peacekeeping presence). A tonne costs ``logistics.cost_per_tonne_km`` x km x factor."""
    pl = model.places
    presence = conflict.presence(pl.troops[places], pl.police[places], model.p)
    premium = 1.0 + model.p.logistics.insecurity_premium * (1.0 - pl.security[places]) * (
        1.0 - presence
    )
    return pl.haul_km()[places], premium


class CohesionGain:
    """One lever's own addition to acceptance of returnees (its contribution's ``cohesion``).

    ``set(new)`` replaces the gain and derives the places' cohesion again
    (``Places.refresh``), so the next step of the same lever reads it.
    """

    def __init__(self, places: Places, effect: Contribution) -> None:
        self.places = places
        self.effect = effect

    @property
    def gain(self) -> np.ndarray:
        return self.effect.cohesion

    def set(self, new: np.ndarray) -> None:
        if (new != self.effect.cohesion).any():
            self.effect.cohesion[:] = new
            self.places.refresh()

    def push(self, share: np.ndarray) -> None:
        """Close ``share`` of the gap between cohesion and 1 (diminishing returns)."""
        self.set(self.gain + share * (1.0 - self.places.cohesion))

    def relax(self, rate: float) -> None:
        """Let the gain fade by ``rate`` toward the base."""
        if rate > 0 and self.gain.any():
            self.set(self.gain * (1.0 - rate))
