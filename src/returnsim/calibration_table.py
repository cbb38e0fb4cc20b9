"""The optional ``[calibration]`` table of a scenario file.

Example (``scenarios/liberia.toml``)::

    [calibration]
    target = "UNHCR: refugees returned to Liberia per year, 2004-2012"
    where = "country=Liberia"      # rows of a target file with several series
    series = "refugee_returns"     # refugee_returns | idp_returns | returns
    population = 3_300_000         # persons the simulated households stand for

    [calibration.params]           # parameters to fit, with their search ranges
    "decision.attachment_halflife" = [12.0, 120.0]

Observed persons and simulated households are related by the stated scale:
one simulated household stands for ``population / households.count``
persons. Every value is checked here; a problem is one ``InputError`` line.
"""

from __future__ import annotations

from typing import Any

from returnsim.check import is_number
from returnsim.errors import InputError
from returnsim.param import Param
from returnsim.parameters import BY_KEY, PLACE_BY_KEY

#: What the simulated yearly series counts (households returning in the year).
SERIES = {
    "refugee_returns": "refugees who came back to their country (home or elsewhere in it)",
    "idp_returns": "internally displaced households who went home or returned elsewhere",
    "returns": "every return, of refugees and internally displaced",
}

KEYS = ("target", "where", "series", "population", "params")


def fittable(key: str, places: list[str] | None = None) -> Param:
    """The registry entry of a parameter that can be fitted (a number with a range)."""
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "places":
        if places is not None and parts[1] not in places:
            raise ValueError(f"no place '{parts[1]}' (places: {', '.join(places)})")
        param = PLACE_BY_KEY.get(parts[2])
    else:
        param = BY_KEY.get(key)
    if param is None:
        raise ValueError("unknown parameter (see `returnsim describe SCENARIO` for the list)")
    if param.kind not in ("float", "int"):
        raise ValueError(f"is not a number ({param.allowed}); only numbers can be fitted")
    return param


def parse(raw: Any, source: str, places: list[str]) -> dict[str, Any]:
    """Validate a ``[calibration]`` table; return it with defaults filled in.

    ``population`` is present only when given (no default scale).
    """
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError(f"{source}: [calibration] must be a table of keys")
    for key in raw:
        if key not in KEYS:
            raise InputError(
                f"{source}: unknown key 'calibration.{key}' (allowed: {', '.join(KEYS)})"
            )
    out: dict[str, Any] = {
        "target": "",
        "where": "",
        "series": "refugee_returns",
        "params": {},
    }
    for key in ("target", "where", "series"):
        if key in raw:
            if not isinstance(raw[key], str):
                raise InputError(f"{source}: calibration.{key} must be a string")
            out[key] = raw[key]
    if out["where"] and "=" not in out["where"]:
        raise InputError(
            f"{source}: calibration.where = {out['where']!r} must be COLUMN=VALUE, "
            "e.g. 'country=Liberia'"
        )
    if out["series"] not in SERIES:
        raise InputError(
            f"{source}: calibration.series = {out['series']!r} is not allowed "
            f"(one of {', '.join(repr(k) for k in SERIES)})"
        )
    if "population" in raw:
        pop = raw["population"]
        if not is_number(pop) or not pop > 0:
            raise InputError(
                f"{source}: calibration.population = {pop!r} is not allowed "
                "(a number of persons > 0)"
            )
        out["population"] = float(pop)
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise InputError(
            f'{source}: calibration.params must be a table of "key" = [low, high] '
            '(e.g. "decision.attachment" = [1.0, 6.0])'
        )
    for key, bounds in params.items():
        out["params"][key] = check_range(key, bounds, source=source, places=places)
    return out


def check_range(
    key: str, bounds: Any, *, source: str, places: list[str] | None = None
) -> tuple[float, float]:
    """``[low, high]`` for parameter ``key``, within its allowed range, or InputError."""
    where = f"{source}: calibration.params.{key}"
    try:
        param = fittable(key, places)
    except ValueError as exc:
        raise InputError(f"{where}: {exc}") from None
    ok = isinstance(bounds, list | tuple) and len(bounds) == 2 and all(is_number(b) for b in bounds)
    if not ok or not bounds[0] < bounds[1]:
        raise InputError(f"{where} = {bounds!r}: expected [low, high] with low < high")
    low, high = float(bounds[0]), float(bounds[1])
    if (param.low is not None and low < param.low) or (
        param.high is not None and high > param.high
    ):
        raise InputError(
            f"{where} = [{low:g}, {high:g}] is outside what is allowed ({param.allowed})"
        )
    return low, high
