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

    values: dict[str, Any]
    places: list[dict[str, Any]]
    routes: list[dict[str, Any]]

    def __getitem__(self, key: str) -> Any: ...

    def with_overrides(self, overrides: dict[str, Any], *, origin: str = "--set") -> Self: ...


class Section:
    """Read-only attribute view of one section's values: ``p.decision.info_rate``.

    Built from a scenario's values (every registry key is there, defaults
    filled), so a name that is not a parameter is an ``AttributeError`` that
    lists the section's parameters, not a silent default.
    """

    def __init__(self, name: str, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
        self.__dict__["_section"] = name

    def __getattr__(self, name: str) -> Any:  # only reached when ``name`` is not a parameter
        if name.startswith("__"):
            raise AttributeError(name)
        known = ", ".join(sorted(k for k in self.__dict__ if k != "_section"))
        raise AttributeError(f"no parameter {self._section}.{name}; {self._section} has {known}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"parameters are read-only ({self._section}.{name})")

    def __getitem__(self, name: str) -> Any:
        """The value of ``name`` when the name is built, e.g. ``p[f"{line}_share"]``."""
        return getattr(self, name)


class Params(Section):
    """Attribute views of every section of a scenario: ``params(spec).conflict.intensity``."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        known = ", ".join(sorted(k for k in self.__dict__ if k != "_section"))
        raise AttributeError(f"no parameter section {name!r}; the sections are {known}")


def params(settings: Settings) -> Params:
    """The scenario's values as one :class:`Section` per section (the first part of a key)."""
    grouped: dict[str, dict[str, Any]] = {}
    for key, value in settings.values.items():
        section, name = key.split(".", 1)
        grouped.setdefault(section, {})[name] = value
    return Params("sections", {name: Section(name, v) for name, v in grouped.items()})


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


def granted(schedule: list[list[float]], month: int) -> bool:
    """Whether a [month, 0 | 1] gate schedule (a closure, a consent) is open this month;
    open before its first entry and when empty."""
    return schedule_at(schedule, month, default=1.0, linear=False) >= 1.0


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
    kind: str = "float"  # float | int | str | bool | schedule | gate | list | places | months
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
        if self.kind == "gate":
            return "a list of [month, 0 or 1] pairs with months ascending (0 closed, 1 open)"
        if self.kind == "months":
            return "a list of months of the year, integers from 1 to 12, none repeated"
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
