"""Write a scenario back as TOML that ``returnsim run`` accepts.

Only what differs from the registry's defaults is written, in the registry's
order, then the optional ``[calibration]`` table, every place (its non-default
keys) and every route, so the file reads like a hand-written scenario and
loads to the same values: ``load(path).to_dict() == spec.to_dict()``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from returnsim.parameters import PARAMS, PLACE_BY_KEY
from returnsim.scenario import Scenario

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")

#: Written even when equal to the default, so a reader sees them at the top.
ALWAYS = ("scenario.name", "scenario.months", "scenario.seed", "households.count")


def value(v: Any) -> str:
    """One TOML value: string, boolean, integer, float or (nested) array."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"{v} cannot be written to a scenario")
        return repr(v)
    if isinstance(v, str):
        # a JSON string is a TOML basic string, once DEL (which JSON leaves bare) is escaped
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def key(k: str) -> str:
    """A TOML key, quoted unless bare."""
    return k if _BARE_KEY.match(k) else json.dumps(k)


def dumps(spec: Scenario, *, header: str = "") -> str:
    """The scenario as TOML text, with ``header`` as leading comment lines."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    if lines:
        lines.append("")
    section = None
    for p in PARAMS:
        v = spec[p.key]
        if v == p.default and p.key not in ALWAYS:
            continue
        head, name = p.key.split(".", 1)
        if head != section:
            if section is not None:
                lines.append("")
            lines.append(f"[{head}]")
            section = head
        lines.append(f"{key(name)} = {value(v)}")
    lines += _table("calibration", getattr(spec, "calibration", None) or {})
    for place in spec.places:
        lines += ["", f"[places.{key(place['name'])}]", f"kind = {value(place['kind'])}"]
        for k, param in PLACE_BY_KEY.items():
            if k in ("kind", "abroad"):
                continue
            if place[k] != param.default:
                lines.append(f"{key(k)} = {value(place[k])}")
        if place["abroad"] != (place["kind"] == "refugee_camp"):
            lines.append(f"abroad = {value(place['abroad'])}")
    for route in spec.routes:
        lines += ["", "[[routes]]"] + [f"{key(k)} = {value(route[k])}" for k in route]
    return "\n".join(lines) + "\n"


def _table(name: str, body: dict[str, Any]) -> list[str]:
    """``[name]`` with its scalar and array keys, then its sub-tables as ``[name.sub]``."""
    if not body:
        return []
    lines = ["", f"[{name}]"]
    subs = {k: v for k, v in body.items() if isinstance(v, dict)}
    lines += [f"{key(k)} = {value(v)}" for k, v in body.items() if k not in subs]
    for k, v in subs.items():
        lines += _table(f"{name}.{key(k)}", v)
    return lines
