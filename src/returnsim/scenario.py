"""Scenario files: TOML loading, validation, overrides and hashing.

A scenario is a TOML file with one table per parameter section (see
``parameters.py``), a ``[places.NAME]`` table per place and a ``[[routes]]``
array linking places. Every value is checked against the registry; anything
unknown or out of range raises :class:`InputError` with one line that names
the file, the key and what is allowed.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from returnsim import calibration_table, tomlfile
from returnsim.check import check_value, suggest
from returnsim.errors import InputError
from returnsim.parameters import BY_KEY, PARAMS, PLACE_BY_KEY, ROUTE_BY_KEY

SECTIONS = tuple(dict.fromkeys(p.key.split(".")[0] for p in PARAMS))


@dataclass
class Scenario:
    """A validated scenario: flat parameter values, places and routes."""

    values: dict[str, Any]
    places: list[dict[str, Any]]
    routes: list[dict[str, Any]]
    source: str = "<defaults>"
    overrides: dict[str, Any] = field(default_factory=dict)
    #: the optional [calibration] table (calibration_table.py); not part of the digest
    calibration: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def value(self, key: str) -> Any:
        """The value of a dotted key: ``section.name`` or ``places.NAME.key``."""
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "places":
            for place in self.places:
                if place["name"] == parts[1]:
                    return place[parts[2]]
            raise KeyError(key)
        return self.values[key]

    @property
    def name(self) -> str:
        return str(self.values["scenario.name"])

    def to_dict(self) -> dict[str, Any]:
        """Nested form, as in a TOML file."""
        out: dict[str, Any] = {}
        for key, value in self.values.items():
            section, name = key.split(".", 1)
            out.setdefault(section, {})[name] = value
        out["places"] = {
            p["name"]: {k: v for k, v in p.items() if k != "name"} for p in self.places
        }
        out["routes"] = [dict(r) for r in self.routes]
        return out

    def digest(self) -> str:
        """SHA-256 of the resolved scenario (what the model actually runs)."""
        blob = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()

    def with_overrides(self, overrides: dict[str, Any], *, origin: str = "--set") -> Scenario:
        """A new scenario with dotted-key overrides applied and validated."""
        raw = self.to_dict()
        for key, value in overrides.items():
            _apply_override(raw, key, value, origin)
        try:
            new = from_dict(raw, source=self.source)
        except InputError as exc:
            if not overrides:
                raise
            raise InputError(f"{exc} (after {origin} {', '.join(overrides)})") from None
        new.overrides = {**self.overrides, **overrides}
        new.calibration = copy.deepcopy(self.calibration)
        return new


def load(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, validate and apply overrides to a scenario file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such scenario file (give a path to a .toml file)")
    _, raw = tomlfile.read(path, what="a scenario")
    scenario = from_dict(raw, source=str(path))
    if overrides:
        scenario = scenario.with_overrides(overrides)
    return scenario


def default() -> Scenario:
    """The packaged defaults with a minimal two-place network (for tests and notebooks)."""
    return from_dict(
        {
            "places": {
                "home": {"kind": "origin", "origin_share": 1.0, "violence": 20.0},
                "camp": {"kind": "idp_camp", "capacity": 0},
            },
            "routes": [{"from": "home", "to": "camp", "km": 50.0}],
        }
    )


def from_dict(raw: dict[str, Any], *, source: str = "<dict>") -> Scenario:
    """Validate a nested scenario dictionary (as parsed from TOML)."""
    if not isinstance(raw, dict):
        raise InputError(f"{source}: a scenario must be a table of sections")
    values = {p.key: copy.deepcopy(p.default) for p in PARAMS}
    for section, body in raw.items():
        if section in ("places", "routes", "calibration"):
            continue
        if section not in SECTIONS:
            raise InputError(
                f"{source}: unknown section [{section}]{suggest(section, SECTIONS)} "
                f"(allowed: {', '.join(SECTIONS)}, places, routes, calibration)"
            )
        if not isinstance(body, dict):
            raise InputError(f"{source}: [{section}] must be a table of keys")
        for name, value in body.items():
            key = f"{section}.{name}"
            param = BY_KEY.get(key)
            if param is None:
                names = [p.key for p in PARAMS if p.key.startswith(section + ".")]
                raise InputError(
                    f"{source}: unknown key '{key}'{suggest(key, names)} "
                    f"(allowed in [{section}]: {', '.join(n.split('.', 1)[1] for n in names)})"
                )
            values[key] = check_value(param, value, source=source, key=key)
    places = _places(raw.get("places"), source)
    routes = _routes(raw.get("routes", []), places, source)
    _check_consistency(values, places, source)
    calibration = calibration_table.parse(
        raw.get("calibration"), source, [p["name"] for p in places]
    )
    return Scenario(
        values=values, places=places, routes=routes, source=source, calibration=calibration
    )


def _places(raw: Any, source: str) -> list[dict[str, Any]]:
    if not isinstance(raw, dict) or not raw:
        raise InputError(f"{source}: [places] is missing or empty (add [places.NAME] tables)")
    places = []
    for name, body in raw.items():
        if not isinstance(body, dict):
            raise InputError(f"{source}: places.{name} must be a table of keys")
        place: dict[str, Any] = {"name": name}
        place.update({p.key: p.default for p in PLACE_BY_KEY.values()})
        for k, v in body.items():
            key = f"places.{name}.{k}"
            param = PLACE_BY_KEY.get(k)
            if param is None:
                raise InputError(
                    f"{source}: unknown key '{key}'{suggest(k, PLACE_BY_KEY)} "
                    f"(allowed: {', '.join(PLACE_BY_KEY)})"
                )
            place[k] = check_value(param, v, source=source, key=key)
        if "abroad" not in body:
            place["abroad"] = place["kind"] == "refugee_camp"
        places.append(place)
    return places


def _routes(raw: Any, places: list[dict[str, Any]], source: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise InputError(f"{source}: routes must be an array of tables ([[routes]])")
    names = {p["name"] for p in places}
    routes, seen = [], set()
    for i, body in enumerate(raw):
        where = f"routes[{i}]"
        if not isinstance(body, dict):
            raise InputError(f"{source}: {where} must be a table with from, to, km")
        route = {}
        for k in ("from", "to", "km"):
            if k not in body:
                raise InputError(f"{source}: {where}.{k} is missing (a route needs from, to, km)")
        for k, v in body.items():
            param = ROUTE_BY_KEY.get(k)
            if param is None:
                raise InputError(
                    f"{source}: unknown key '{where}.{k}' (allowed: {', '.join(ROUTE_BY_KEY)})"
                )
            route[k] = check_value(param, v, source=source, key=f"{where}.{k}")
        for end in ("from", "to"):
            if route[end] not in names:
                raise InputError(
                    f"{source}: {where}.{end} = '{route[end]}' is not a place"
                    f"{suggest(route[end], names)} (allowed: {', '.join(sorted(names))})"
                )
        pair = frozenset((route["from"], route["to"]))
        if len(pair) == 1:
            raise InputError(f"{source}: {where} links '{route['from']}' to itself")
        if pair in seen:
            raise InputError(f"{source}: {where} repeats the route {route['from']}-{route['to']}")
        seen.add(pair)
        routes.append(route)
    return routes


def _check_consistency(values: dict[str, Any], places: list[dict[str, Any]], source: str) -> None:
    origins = [p for p in places if p["kind"] == "origin"]
    if not origins:
        raise InputError(f"{source}: places: no place has kind = 'origin' (at least one needed)")
    if sum(p["origin_share"] for p in origins) <= 0:
        raise InputError(
            f"{source}: places.*.origin_share: origin shares sum to 0 (give at least one > 0)"
        )
    for p in places:
        if p["kind"] != "origin" and p["origin_share"] > 0:
            raise InputError(
                f"{source}: places.{p['name']}.origin_share: only origins can have an "
                f"origin_share (kind is '{p['kind']}')"
            )
    names = {p["name"] for p in places}
    for param in PARAMS:
        if param.kind == "places":
            unknown = [v for v in values[param.key] if v not in names]
            if unknown:
                raise InputError(
                    f"{source}: {param.key}: '{unknown[0]}' is not a place"
                    f"{suggest(unknown[0], names)} (allowed: {', '.join(sorted(names))})"
                )
    abroad = {p["name"] for p in places if p["abroad"]}
    for name in values["peacekeeping.safe_zones"]:
        if name in abroad:
            raise InputError(
                f"{source}: peacekeeping.safe_zones: '{name}' is abroad "
                "(allowed: places in the country, abroad = false)"
            )
    if values["camps.capacity"]:  # a closure lowers a capacity: every target camp needs one
        targets = values["camps.targets"] or [
            p["name"] for p in places if p["kind"] == "refugee_camp"
        ]
        for p in places:
            if p["name"] in targets and p["capacity"] <= 0:
                raise InputError(
                    f"{source}: camps.capacity: camp '{p['name']}' has no capacity limit "
                    f"(give places.{p['name']}.capacity > 0 to close it)"
                )
    shares = values["households.initial_idp_share"] + values["households.initial_refugee_share"]
    if shares > 1:
        raise InputError(
            f"{source}: households.initial_idp_share + initial_refugee_share = {shares:g} "
            "(allowed: at most 1)"
        )


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``dotted.key=value`` from the command line; value is read as TOML."""
    if "=" not in text:
        raise InputError(f"--set {text!r}: expected dotted.key=value, e.g. conflict.intensity=0.5")
    key, raw = (s.strip() for s in text.split("=", 1))
    if not key:
        raise InputError(f"--set {text!r}: the key is empty (expected dotted.key=value)")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    except RecursionError:
        raise InputError(f"--set {key}: the value is nested too deeply") from None
    return key, value


def _apply_override(raw: dict[str, Any], key: str, value: Any, origin: str) -> None:
    parts = key.split(".")
    if parts[0] == "places":
        if len(parts) != 3:
            raise InputError(f"{origin} {key}: expected places.NAME.key")
        places = raw.setdefault("places", {})
        if parts[1] not in places:
            raise InputError(
                f"{origin} {key}: no place '{parts[1]}'{suggest(parts[1], places)} "
                f"(allowed: {', '.join(places)})"
            )
        places[parts[1]][parts[2]] = value
        return
    if len(parts) != 2 or key not in BY_KEY:
        raise InputError(
            f"{origin} {key}: unknown parameter{suggest(key, BY_KEY)} "
            "(see `returnsim describe SCENARIO` for the list)"
        )
    raw.setdefault(parts[0], {})[parts[1]] = value
