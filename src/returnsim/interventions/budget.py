"""The budget: a total and a monthly ceiling, shared among levers by priority.

Two orders stay apart. Each month levers are first *funded* in priority
order (``budget.priorities``): each gets what it asks for (its monthly
budget or need) while the month's room lasts, where room is the smaller of
the monthly ceiling and what is left of the total. Then they *act* in their
fixed phase order (``Lever.phase``), each with its grant, so the priority
decides only who is paid when money is short, never who acts first; with
money enough, any order of priorities gives the same run. Spending never
exceeds the room; money not spent is reported. Peacekeeping is paid from the
same budget only when ``budget.include_peacekeeping`` is true (missions are
usually financed by assessed contributions, not programme budgets).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from returnsim.param import Param, Section

if TYPE_CHECKING:
    from returnsim.interventions.base import Lever

NO_LIMIT = 1e12


def params(default_priorities: tuple[str, ...]) -> tuple[Param, ...]:
    """The budget's parameters; ``default_priorities`` are the lever keys in their default
    funding order (each lever's ``priority``; life-saving first)."""
    return (
        Param(
            key="budget.total",
            default=NO_LIMIT,
            unit="USD",
            doc="Money for the levers over the whole run (1e12: no practical limit)",
            source="scenario",
            low=0.0,
            high=1e13,
        ),
        Param(
            key="budget.monthly_ceiling",
            default=NO_LIMIT,
            unit="USD per month",
            doc="Most that may be spent in any month (1e12: no practical limit)",
            source="scenario",
            low=0.0,
            high=1e13,
        ),
        Param(
            key="budget.priorities",
            default=list(default_priorities),
            unit="",
            doc="Order in which levers are funded when money is short (unlisted levers come last)",
            source="scenario",
            kind="list",
            choices=default_priorities,
        ),
        Param(
            key="budget.include_peacekeeping",
            default=False,
            unit="",
            doc="Pay the peacekeeping mission from this budget (first, before every lever)",
            source="scenario",
            kind="bool",
        ),
    )


class Budget:
    """Allocates money to levers each month and keeps the accounts."""

    def __init__(self, p: Section, levers: list[Lever]) -> None:
        """``p``: the ``budget`` parameters; ``levers`` in their phase order (acting order)."""
        self.total = float(p.total)
        self.ceiling = float(p.monthly_ceiling)
        self.include_peacekeeping = bool(p.include_peacekeeping)
        rank = {key: i for i, key in enumerate(p.priorities)}
        self.levers = list(levers)  # phase order: acting, settling and summing
        self.by_priority = sorted(levers, key=lambda lv: rank.get(lv.key, len(rank)))
        self.spent = 0.0
        self.room = 0.0
        self.peacekeeping_month = 0.0
        self.peacekeeping_total = 0.0

    @property
    def remaining(self) -> float:
        return self.total - self.spent

    def open_month(self) -> None:
        """Set this month's room: the ceiling, or what is left of the total."""
        self.room = max(0.0, min(self.ceiling, self.remaining))

    def pay_peacekeeping(self, cost: float) -> float:
        """Share of the mission's cost that can be paid (1 when outside the budget)."""
        if not self.include_peacekeeping or cost <= 0:
            self.peacekeeping_month = cost
            self.peacekeeping_total += cost
            return 1.0
        paid = min(cost, self.room)
        self.room -= paid
        self.spent += paid
        self.peacekeeping_month = paid
        self.peacekeeping_total += paid
        return paid / cost

    def allocate(self, month: int, *, acted: Callable[[], None] = lambda: None) -> None:
        """Fund the levers in priority order, then let each act in phase order with its grant.

        Every request is made before any lever acts, so what a lever asks for
        cannot depend on which levers were funded before it; inactive levers
        get nothing. What a lever does not commit goes back to the room.
        ``acted`` runs after each lever acts (the model derives place conditions
        from the levers' contributions there).
        """
        grants = {}
        for lever in self.by_priority:
            ask = lever.request(month) if lever.active(month) else 0.0
            grants[lever.key] = grant = max(0.0, min(ask, self.room))
            self.room -= grant
        for lever in self.levers:
            grant = grants[lever.key]
            lever.committed = min(max(lever.apply(month, grant), 0.0), grant)
            self.room += grant - lever.committed
            acted()

    def settle(self, month: int) -> None:
        """Book what each lever actually spent; return unspent commitments to the room."""
        for lever in self.levers:
            spent = min(max(lever.settle(month), 0.0), lever.committed)
            self.room += lever.committed - spent
            lever.spent_month = spent
            lever.spent_total += spent
            self.spent += spent

    @property
    def programmes_month(self) -> float:
        """What the levers (programmes) spent this month."""
        return sum(lv.spent_month for lv in self.levers)

    @property
    def month_spent(self) -> float:
        """What the budget paid this month: programmes, and the mission when it is in it."""
        pk = self.peacekeeping_month if self.include_peacekeeping else 0.0
        return self.programmes_month + pk

    @property
    def covers(self) -> str:
        """What the budget pays for, in words."""
        if self.include_peacekeeping:
            return "programmes and the peacekeeping mission"
        return "programmes only"
