"""One toolkit for checking input files (scenarios, experiment specs, the calibration table,
command-line values): each problem is an :class:`InputError` of one line naming the file,
the key and what is allowed."""

from __future__ import annotations

import difflib
import json
import math
from typing import Any

from returnsim.errors import InputError
from returnsim.param import Param


def suggest(word: str, options: Any) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``options``, or nothing."""
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def is_number(x: Any) -> bool:
    """A finite int or float (not a bool)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def is_int(x: Any) -> bool:
    """An int (not a bool)."""
    return isinstance(x, int) and not isinstance(x, bool)


def in_range(param: Param, x: float) -> bool:
    """Within the parameter's [low, high] (a missing bound is no bound)."""
    return (param.low is None or x >= param.low) and (param.high is None or x <= param.high)


def table(raw: dict[str, Any], key: str, src: str) -> dict[str, Any]:
    """``raw[key]`` as a table (empty when missing)."""
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise InputError(f"{src}: {key} must be a table ([{key}])")
    return value


def integer(raw: dict[str, Any], key: str, src: str, *, low: int, default: int) -> int:
    """``raw[key]`` as a whole number >= ``low``."""
    value = raw.get(key, default)
    if not is_int(value) or value < low:
        raise InputError(f"{src}: {key} = {value!r} is not allowed (an integer >= {low})")
    return int(value)


def string(raw: dict[str, Any], key: str, src: str, *, default: str) -> str:
    """``raw[key]`` as a string."""
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise InputError(f"{src}: {key} must be a string")
    return value


def check_value(param: Param, value: Any, *, source: str, key: str) -> Any:
    """Return ``value`` converted to the parameter's type, or raise InputError."""

    def bad(why: str = "") -> InputError:
        got = json.dumps(value, default=str)
        if len(got) > 60:
            got = got[:57] + "..."
        return InputError(f"{source}: {key} = {got}{why} is not allowed ({param.allowed})")

    if param.kind == "str":
        if not isinstance(value, str) or (param.choices and value not in param.choices):
            raise bad()
        return value
    if param.kind == "bool":
        if not isinstance(value, bool):
            raise bad()
        return value
    if param.kind in ("list", "places"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad()
        if param.choices and any(v not in param.choices for v in value):
            raise bad()
        if len(set(value)) != len(value):
            raise bad(" (repeats a name)")
        return list(value)
    if param.kind == "months":
        if not isinstance(value, list) or not all(
            is_number(v) and v == int(v) and 1 <= v <= 12 for v in value
        ):
            raise bad()
        if len(set(value)) != len(value):
            raise bad(" (repeats a month)")
        return [int(v) for v in value]
    if param.kind in ("schedule", "gate"):
        if not isinstance(value, list):
            raise bad()
        out, last = [], -1
        for item in value:
            if not (isinstance(item, list) and len(item) == 2):
                raise bad()
            month, level = item
            if not is_number(month) or month != int(month) or month < 0 or month <= last:
                raise bad()
            if not is_number(level) or not in_range(param, level):
                raise bad()
            if param.kind == "gate" and level not in (0, 1):
                raise bad()
            last = int(month)
            out.append([int(month), float(level)])
        return out
    if not is_number(value):
        raise bad()
    if param.kind == "int":
        if value != int(value):
            raise bad()
        value = int(value)
    else:
        value = float(value)
    if not in_range(param, value):
        raise bad()
    return value
