"""``returnsim describe``: every parameter of a scenario, then its places and routes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from returnsim.cli.common import load_scenario, scenario_argument
from returnsim.parameters import PARAMS, PLACE_PARAMS


def add_command(sub: Any) -> None:
    """Add ``describe`` to the subcommands ``sub``."""
    describe = sub.add_parser(
        "describe",
        help="list every parameter with its value, default, allowed range and source",
        description="List every parameter of a scenario (value, default, unit, allowed "
        "values, source), then its places and routes.",
    )
    scenario_argument(describe)
    describe.set_defaults(handler=cmd_describe)


def _value(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return str(value)
    return str(value).replace("'", '"')


def cmd_describe(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``returnsim describe``: every parameter, then places and routes."""
    spec = load_scenario(args)
    out = sys.stdout
    out.write(f"Scenario {spec.name!r} from {spec.source}\n")
    if spec["scenario.description"]:
        out.write(f"  {spec['scenario.description']}\n")
    out.write(f"  digest {spec.digest()}\n")
    if spec.overrides:
        sets = ", ".join(f"{k}={_value(v)}" for k, v in spec.overrides.items())
        out.write(f"  overrides: {sets}\n")
    out.write("\nParameters (* = differs from default)\n")
    section = None
    for p in PARAMS:
        head = p.key.split(".")[0]
        if head != section:
            section = head
            out.write(f"\n[{section}]\n")
        value = spec[p.key]
        mark = "*" if value != p.default else " "
        unit = f" {p.unit}" if p.unit else ""
        out.write(f"{mark} {p.key} = {_value(value)}{unit}\n")
        out.write(f"      {p.doc}\n")
        out.write(f"      default {_value(p.default)}; allowed: {p.allowed}; source: {p.source}\n")

    out.write(f"\nPlaces ({len(spec.places)})\n")
    keys = [p.key for p in PLACE_PARAMS]
    rows = [["name", *keys]] + [
        [place["name"], *(_value(place[k]).strip("'") for k in keys)] for place in spec.places
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.write("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        out.write("\n")
    out.write("\nPlace keys\n")
    for p in PLACE_PARAMS:
        unit = f" [{p.unit}]" if p.unit else ""
        out.write(
            f"  {p.key}{unit}: {p.doc}; default {_value(p.default)}; allowed: {p.allowed}; "
            f"source: {p.source}\n"
        )

    out.write(f"\nRoutes ({len(spec.routes)})\n")
    for r in spec.routes:
        out.write(f"  {r['from']} - {r['to']}: {_value(r['km'])} km\n")
    return 0
