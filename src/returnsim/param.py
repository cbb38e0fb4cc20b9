"""One scenario parameter: name, unit, default, allowed range and source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
