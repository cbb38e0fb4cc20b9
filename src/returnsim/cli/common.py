"""What the commands share: the argparse parser, whole-number options, the scenario
argument with its --set overrides and size shorthands, and loading the scenario."""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from returnsim.check import check_value, suggest
from returnsim.errors import InputError
from returnsim.parameters import BY_KEY, PLACE_BY_KEY
from returnsim.scenario import Scenario, load, parse_override

#: Options that are shorthands for a scenario key.
SHORTHANDS = {
    "seed": ("--seed", "scenario.seed"),
    "steps": ("--steps", "scenario.months"),
    "households": ("--households", "households.count"),
}


class ArgumentParser(argparse.ArgumentParser):
    """argparse whose errors are one ``InputError`` line instead of usage + message."""

    def error(self, message: str) -> NoReturn:
        hint = f" (see `{self.prog} --help`)"
        raise InputError(message + hint)


def whole(low: int) -> Any:
    """An argparse type: a whole number >= ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a whole number (allowed: an integer >= {low})"
            ) from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} is not allowed (an integer >= {low})")
        return value

    parse.__name__ = "integer"
    return parse


def scenario_argument(p: argparse.ArgumentParser, *, help_set: str = "") -> None:
    """SCENARIO and its repeatable ``--set KEY=VALUE`` overrides."""
    p.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=help_set
        or "override a parameter, e.g. --set conflict.intensity=0.5 or "
        "--set places.north.services=0.6 (repeatable; value read as TOML)",
    )


def size_options(p: argparse.ArgumentParser) -> None:
    """--seed, --steps and --households: shorthands for scenario keys (:data:`SHORTHANDS`)."""
    p.add_argument("--seed", type=whole(0), help="seed of the run (scenario.seed)")
    p.add_argument("--steps", type=whole(1), help="months to simulate (scenario.months)")
    p.add_argument("--households", type=whole(1), help="number of households (households.count)")


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    """Dotted-key overrides from --set and the shorthand options, each checked."""
    out: dict[str, Any] = {}
    for text in args.overrides:
        key, value = parse_override(text)
        param = BY_KEY.get(key)
        parts = key.split(".")
        if param is None and len(parts) == 3 and parts[0] == "places":
            param = PLACE_BY_KEY.get(parts[2])
            if param is None:
                raise InputError(
                    f"--set {key}: unknown place key '{parts[2]}'{suggest(parts[2], PLACE_BY_KEY)} "
                    f"(allowed: {', '.join(PLACE_BY_KEY)})"
                )
        if param is not None:
            value = check_value(param, value, source="--set", key=key)
        out[key] = value
    for attr, (option, key) in SHORTHANDS.items():
        value = getattr(args, attr, None)
        if value is not None:
            out[key] = check_value(BY_KEY[key], value, source=option, key=key)
    return out


def load_scenario(args: argparse.Namespace) -> Scenario:
    """The scenario named on the command line, with its overrides applied."""
    return load(args.scenario, overrides_from(args) or None)
