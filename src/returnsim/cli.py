"""The ``returnsim`` command: run a scenario, describe its parameters, run experiments.

Bad input of any kind ends with one line on stderr,
``returnsim: error: <what and what is allowed>``, and exit code 2.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any, NoReturn, TextIO

from returnsim import __version__
from returnsim.errors import InputError
from returnsim.parameters import BY_KEY, PARAMS, PLACE_BY_KEY, PLACE_PARAMS
from returnsim.scenario import Scenario, check_value, load, parse_override

PROG = "returnsim"

#: Options that are shorthands for a scenario key.
SHORTHANDS = {
    "seed": ("--seed", "scenario.seed"),
    "steps": ("--steps", "scenario.months"),
    "households": ("--households", "households.count"),
}

#: Rough household-months per second of each engine, to tell a long run.
SPEED = {"arrays": 1e7, "agents": 5e4}
LONG_RUN_SECONDS = 5.0


class ArgumentParser(argparse.ArgumentParser):
    """argparse whose errors are one ``InputError`` line instead of usage + message."""

    def error(self, message: str) -> NoReturn:
        hint = f" (see `{self.prog} --help`)"
        raise InputError(message + hint)


def _int(low: int) -> Any:
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


def build_parser() -> ArgumentParser:
    """The command-line interface."""
    parser = ArgumentParser(
        prog=PROG,
        description="Agent-based model of displacement and voluntary return after conflict.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file")
        p.add_argument(
            "--set",
            dest="overrides",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="override a parameter, e.g. --set conflict.intensity=0.5 or "
            "--set places.north.services=0.6 (repeatable; value read as TOML)",
        )

    run = sub.add_parser(
        "run",
        help="run a scenario and write its results to a folder",
        description="Run a scenario and write timeseries.csv, summary.json, run.json and "
        "stocks.png (plus flows, conditions, reintegration and spending figures with --plot) "
        "into a folder.",
    )
    common(run)
    run.add_argument("--seed", type=_int(0), help="seed of the run (scenario.seed)")
    run.add_argument("--steps", type=_int(1), help="months to simulate (scenario.months)")
    run.add_argument("--households", type=_int(1), help="number of households (households.count)")
    run.add_argument(
        "--out", metavar="DIR", help="output folder (default: out/<scenario name>); replaced"
    )
    run.add_argument(
        "--plot",
        action="store_true",
        help="also draw flows.png, conditions.png, reintegration.png and spending.png",
    )
    run.set_defaults(handler=cmd_run)

    describe = sub.add_parser(
        "describe",
        help="list every parameter with its value, default, allowed range and source",
        description="List every parameter of a scenario (value, default, unit, allowed "
        "values, source), then its places and routes.",
    )
    common(describe)
    describe.set_defaults(handler=cmd_describe)

    from returnsim.calibration.command import add_command as add_calibrate
    from returnsim.validation import add_command as add_validate

    add_calibrate(sub, _int)
    add_validate(sub, _int)

    from returnsim.viz.server import add_command as add_serve

    add_serve(sub, _int)

    from returnsim.experiments.commands import add_commands

    add_commands(sub, _int)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``returnsim`` command; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(args_list)
        return int(args.handler(args, args_list) or 0)
    except InputError as exc:
        print(f"{PROG}: error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # Output piped into e.g. `head` that stopped reading: not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as exc:  # a path given that cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"{PROG}: error: {where}{_one_line(exc.strerror or str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "bad input"


# ---------------------------------------------------------------- scenario
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
                close = difflib.get_close_matches(parts[2], list(PLACE_BY_KEY), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise InputError(
                    f"--set {key}: unknown place key '{parts[2]}'{hint} "
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


# --------------------------------------------------------------------- run
def default_out(spec: Scenario) -> Path:
    """``out/<scenario name>``, with the name made safe as a folder name."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", spec.name).strip("._") or "run"
    return Path("out") / name


def cmd_run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``returnsim run``: simulate, then write the run folder atomically."""
    from returnsim import limits, outcomes, output

    spec = load_scenario(args)
    limits.check(spec, lower="--households")
    out_dir = output.check_destination(args.out if args.out else default_out(spec))

    from returnsim.model import ReturnModel

    t0 = time.perf_counter()
    model = ReturnModel(spec)
    run_with_progress(model, sys.stderr)
    wall = time.perf_counter() - t0

    summary = outcomes.summarize(model)
    try:
        with output.atomic_dir(out_dir) as tmp:
            written = write_run(
                tmp, model, summary, output.provenance(model, argv, wall), args.plot
            )
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise InputError(f"--out {out_dir}: cannot write the run folder there ({why})") from None
    print(f"Ran {spec.name}: {model.pop.n:,} households, {model.steps} months, seed {model.seed}")
    print(_headline(summary))
    print(f"Results in {out_dir}/")
    for name in written:
        print(f"  {out_dir / name}")
    return 0


def write_run(
    folder: Path, model: Any, summary: dict[str, Any], provenance: dict[str, Any], plot: bool
) -> list[str]:
    """Write every file of a run into ``folder``; return their names."""
    from returnsim import output, plots

    ts = model.datacollector.get_model_vars_dataframe()
    ts.to_csv(folder / "timeseries.csv", index=False)
    output.write_json(folder / "summary.json", summary)
    output.write_json(folder / "run.json", provenance)
    names = ["timeseries.csv", "summary.json", "run.json"]
    kw = {"title": model.spec.name, "start_year": model.spec["scenario.start_year"]}
    figures = {"stocks.png": plots.stocks}
    if plot:
        figures |= {
            "flows.png": plots.flows,
            "conditions.png": plots.conditions,
            "reintegration.png": partial(plots.reintegration, summary=summary),
            "spending.png": plots.spending,
        }
    for name, draw in figures.items():
        plots.save(draw(ts, **kw), folder / name)
        names.append(name)
    return names


def _headline(summary: dict[str, Any]) -> str:
    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{100 * x:.0f}%"

    return (
        f"Ever displaced {summary['ever_displaced']:,} households; "
        f"{pct(summary['returned_share'])} of them back home; "
        f"still displaced {summary['still_displaced']:,} "
        f"(peak {summary['peak_displaced']:,} in month {summary['peak_displaced_month']})"
    )


def run_with_progress(model: Any, stream: TextIO) -> None:
    """``model.run()``, reporting the month on ``stream`` for long or interactive runs.

    On a terminal the counter updates in place; otherwise (logs, CI) a line is
    written every 10% of a long run. Short non-interactive runs stay silent.
    """
    total = model.months - model.steps
    tty = hasattr(stream, "isatty") and stream.isatty()
    estimate = model.pop.n * total / SPEED.get(model.spec["scenario.engine"], 5e6)
    if total <= 0 or not (tty or estimate >= LONG_RUN_SECONDS):
        model.run()
        return
    chunk = 1 if tty else max(1, total // 10)
    start = model.steps
    while model.steps < model.months:
        model.run_for(min(chunk, model.months - model.steps))
        done = model.steps - start
        msg = f"month {model.steps}/{model.months} ({100 * done / total:.0f}%)"
        stream.write(f"\r{msg}" if tty else f"{msg}\n")
        stream.flush()
    if tty:
        stream.write("\n")
        stream.flush()


# ---------------------------------------------------------------- describe
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


if __name__ == "__main__":
    sys.exit(main())
