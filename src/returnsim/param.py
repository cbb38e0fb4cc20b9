"""One scenario parameter (name, unit, default, allowed range and source), what the model
reads of a scenario (:class:`Settings`) and the value of a dated schedule."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Protocol, Self


class Settings(Protocol):
    """What the model core reads of a scenario: values by dotted key, places and routes.

    :class:`returnsim.scenario.Scenario` is one; the core needs no loader to read it.
    """

    places: list[dict[str, Any]]
    routes: list[dict[str, Any]]

    def __getitem__(self, key: str) -> Any: ...

    def with_overrides(self, overrides: dict[str, Any], *, origin: str = "--set") -> Self: ...


def schedule_at(schedule: list[list[float]], month: int, *, default: float, linear: bool) -> float:
    """Value of a [month, value] schedule at ``month`` (step or linear between points)."""
    if not schedule:
        return default
    if month <= schedule[0][0]:
        return schedule[0][1] if linear or month == schedule[0][0] else default
    for (m0, v0), (m1, v1) in itertools.pairwise(schedule):
        if m0 <= month < m1:
            return v0 + (v1 - v0) * (month - m0) / (m1 - m0) if linear else v0
    return schedule[-1][1]


@dataclass(frozen=True)
class Param:
    """One scenario parameter."""

    key: str
    default: Any
    unit: str
    doc: str
    source: str
    low: float | None = None
    high: float | None = None
    kind: str = "float"  # float | int | str | bool | schedule | list | places
    choices: tuple[str, ...] = ()

    @property
    def allowed(self) -> str:
        """Human-readable statement of the allowed values."""
        if self.kind == "list":
            return "a list drawn from " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "places":
            return "a list of place names of the scenario ([] means the lever's default)"
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "schedule":
            return "a list of [month, value] pairs with months ascending"
        if self.kind == "bool":
            return "true or false"
        if self.kind == "str":
            return "a string"
        what = "an integer" if self.kind == "int" else "a number"
        return f"{what} from {_fmt(self.low)} to {_fmt(self.high)}"


def _fmt(x: float | None) -> str:
    if x is None:
        return "any"
    return f"{x:g}" if isinstance(x, float) else f"{x:,}"
