"""Design points: which parameter values each run of a sweep uses.

Every method first draws points in the unit hypercube [0, 1]^D (one
coordinate per factor), then maps each coordinate to a parameter value:
a range ``min..max`` linearly (integers: equal-width bins, so every integer
is equally likely), a list of ``values`` by equal-width bins of its index.
Sensitivity indices are computed on the unit coordinates, so they compare
factors over their whole declared ranges.

Methods:

- ``full_factorial``: every combination of each factor's levels;
- ``lhs``: Latin hypercube of ``samples`` points (SALib.sample.latin);
- ``sobol``: Saltelli/Sobol' sequence of ``samples`` base points,
  N(D+2) points, or N(2D+2) with second-order indices (SALib.sample.sobol);
- ``morris``: ``samples`` trajectories of D+1 points on a ``levels`` grid
  (SALib.sample.morris);
- ``one_at_a_time``: the base point, then each factor through its levels
  with the others at their base values.

The same factors, method and seed give the same points, in the same order.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

METHODS = ("full_factorial", "lhs", "sobol", "morris", "one_at_a_time")


@dataclass(frozen=True)
class Factor:
    """One varied parameter: a range (``low``..``high``) or a list of ``values``.

    ``integer`` marks whole-number parameters; ``levels`` is how many evenly
    spaced values of a range full-factorial and one-at-a-time designs use
    (None: the design's default); ``base`` is its value in one-at-a-time
    designs.
    """

    name: str
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] | None = None
    integer: bool = False
    levels: int | None = None
    base: Any = None

    def from_unit(self, u: float) -> Any:
        """The parameter value at unit coordinate ``u`` in [0, 1]."""
        u = min(max(float(u), 0.0), 1.0)
        if self.values is not None:
            k = len(self.values)
            return self.values[min(math.floor(u * k), k - 1)]
        lo, hi = self.low, self.high
        if self.integer:
            return int(min(lo + math.floor(u * (hi - lo + 1)), hi))
        return float(lo + u * (hi - lo))

    def to_unit(self, value: Any) -> float:
        """The unit coordinate of ``value`` (the centre of its bin for integers and lists)."""
        if self.values is not None:
            k = len(self.values)
            return (self.values.index(value) + 0.5) / k
        if self.integer:
            return (value - self.low + 0.5) / (self.high - self.low + 1)
        return (value - self.low) / (self.high - self.low)

    def grid(self, default_levels: int) -> list[Any]:
        """Evenly spaced values of a range (or every value of a list), ascending, unique."""
        if self.values is not None:
            return list(self.values)
        n = self.levels or default_levels
        points = np.linspace(self.low, self.high, n)
        if self.integer:
            return sorted({round(float(x)) for x in points})
        return [float(x) for x in points]


@dataclass
class Design:
    """Design points of a sweep: unit coordinates and the parameter values they map to."""

    method: str
    factors: tuple[Factor, ...]
    unit: np.ndarray
    points: list[dict[str, Any]]
    options: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.points)

    @property
    def names(self) -> list[str]:
        """Factor names, in column order."""
        return [f.name for f in self.factors]

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem in unit coordinates."""
        d = len(self.factors)
        return {"num_vars": d, "names": self.names, "bounds": [[0.0, 1.0]] * d}


def build(
    method: str,
    factors: tuple[Factor, ...] | list[Factor],
    *,
    samples: int | None = None,
    second_order: bool = False,
    levels: int = 3,
    seed: int = 0,
) -> Design:
    """Design points of ``method`` over ``factors`` (see the module docstring)."""
    factors = tuple(factors)
    d = len(factors)
    if d == 0:
        raise ValueError("a design needs at least one factor")
    problem = {"num_vars": d, "names": [f.name for f in factors], "bounds": [[0.0, 1.0]] * d}
    options: dict[str, Any] = {"seed": seed}
    if method == "sobol":
        from SALib.sample import sobol

        unit = sobol.sample(problem, samples, calc_second_order=second_order, seed=seed)
        options |= {"samples": samples, "second_order": second_order}
    elif method == "morris":
        from SALib.sample import morris

        unit = morris.sample(problem, samples, num_levels=levels, seed=seed)
        options |= {"samples": samples, "levels": levels}
    elif method == "lhs":
        from SALib.sample import latin

        unit = latin.sample(problem, samples, seed=seed)
        options |= {"samples": samples}
    elif method == "full_factorial":
        grids = [f.grid(levels) for f in factors]
        rows = list(itertools.product(*grids))
        points = [dict(zip(problem["names"], row, strict=True)) for row in rows]
        unit = np.array([[f.to_unit(v) for f, v in zip(factors, row, strict=True)] for row in rows])
        return Design(method, factors, unit, points, options | {"levels": levels})
    elif method == "one_at_a_time":
        base = {f.name: f.base for f in factors}
        points = [dict(base)]
        for f in factors:
            for v in f.grid(levels):
                if v != f.base:
                    points.append(base | {f.name: v})
        unit = np.array([[f.to_unit(p[f.name]) for f in factors] for p in points])
        return Design(method, factors, unit, points, options | {"levels": levels})
    else:
        raise ValueError(f"unknown design method {method!r} (allowed: {', '.join(METHODS)})")
    unit = np.asarray(unit, dtype=np.float64)
    points = [{f.name: f.from_unit(u) for f, u in zip(factors, row, strict=True)} for row in unit]
    return Design(method, factors, unit, points, options)
