"""Policy levers, one module per family, and the budget that funds them.

A lever module declares its lever class (key, parameters, the household
columns it owns, its phase in the month and its default funding priority)
and its ``PARAMS``. :data:`MODULES` lists the lever modules once; everything
else is derived from it: :data:`LEVERS` (in phase order, the order they act
in a month), :data:`DEFAULT_PRIORITIES` (the default funding order when
money is short), the budget's parameters and :data:`PARAMS` for the
scenario registry. Adding a lever: copy a lever module, give it a new key,
phase and priority, and list it in :data:`MODULES`.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from returnsim.interventions import budget
from returnsim.interventions.base import Lever
from returnsim.interventions.budget import Budget

#: The lever modules (under returnsim.interventions), each listed once; this order is
#: the order of their parameters in the registry (``describe``, the ODD tables).
MODULES = (
    "aid",
    "health",
    "return_package",
    "coordination",
    "protection",
    "mhpss",
    "reconciliation",
    "information",
    "reconstruction",
    "livelihood",
    "education",
    "resettlement",
)


def lever_of(module: ModuleType) -> type[Lever]:
    """The one lever class a lever module defines."""
    found = [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, Lever) and v.__module__ == module.__name__
    ]
    if len(found) != 1 or not found[0].key:
        raise TypeError(f"{module.__name__}: a lever module defines exactly one keyed Lever")
    return found[0]


_modules = [import_module(f"{__name__}.{name}") for name in MODULES]

#: Lever classes in phase order: the fixed order in which they act each month.
LEVERS: tuple[type[Lever], ...] = tuple(
    sorted((lever_of(m) for m in _modules), key=lambda c: (c.phase, c.key))
)
#: Lever keys in their default funding order when money is short.
DEFAULT_PRIORITIES: tuple[str, ...] = tuple(
    c.key for c in sorted(LEVERS, key=lambda c: (c.priority, c.key))
)
#: Parameters of the budget and of every lever, for the scenario registry.
PARAMS = (*budget.params(DEFAULT_PRIORITIES), *(p for m in _modules for p in m.PARAMS))

__all__ = ["DEFAULT_PRIORITIES", "LEVERS", "MODULES", "PARAMS", "Budget", "Lever"]
