"""``returnsim calibrate``: fit parameters to an observed yearly series of returns."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from returnsim.calibration_table import SERIES
from returnsim.cli.common import load_scenario, scenario_argument, size_options, whole


def add_command(sub: Any) -> None:
    """Add ``calibrate`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "calibrate",
        help="fit parameters to an observed yearly series of returns",
        description="Fit parameters of a scenario to an observed yearly series of returns "
        "(a CSV with year and one value column) with SciPy's differential evolution over "
        "replicate-averaged runs with common random numbers. Writes calibrated.toml (runs "
        "with `returnsim run`), fit.json, fit.png and run.json into a folder.",
    )
    scenario_argument(
        p, help_set="override a parameter before fitting (repeatable; value read as TOML)"
    )
    p.add_argument("--target", required=True, metavar="FILE.csv", help="observed series (CSV)")
    p.add_argument(
        "--where",
        action="append",
        metavar="COLUMN=VALUE",
        help="rows of a file with several series, e.g. country=Liberia (repeatable; default: "
        "the scenario's calibration.where when the file has that column)",
    )
    p.add_argument("--column", metavar="NAME", help="value column (default: the only numeric one)")
    p.add_argument(
        "--params",
        metavar="a,b,c",
        help="parameters to fit, each KEY or KEY=LOW:HIGH (default: the scenario's "
        "[calibration.params]; ranges from there, else the registry)",
    )
    p.add_argument(
        "--fit-years",
        metavar="Y1-Y2",
        help="fit these observed years; report held-out fit over the others",
    )
    p.add_argument(
        "--series",
        choices=sorted(SERIES),
        help="what the simulated series counts (default: calibration.series)",
    )
    p.add_argument(
        "--population",
        type=float,
        metavar="N",
        help="people the simulated households stand for (default: calibration.population)",
    )
    p.add_argument("--seeds", type=whole(1), default=3, help="replicates per candidate (3)")
    size_options(p)
    p.add_argument(
        "--maxiter", type=whole(0), default=8, help="differential evolution generations (8)"
    )
    p.add_argument("--popsize", type=whole(1), default=5, help="population size per parameter (5)")
    p.add_argument(
        "--out", metavar="DIR", help="output folder (default: out/<scenario>_calibration)"
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Load the scenario with its overrides, then fit and write the folder."""
    from returnsim.calibration.report import calibrate

    if args.population is not None and not args.population > 0:
        from returnsim.errors import InputError

        raise InputError(f"--population {args.population:g}: allowed: a number of people > 0")
    from returnsim import limits

    spec = load_scenario(args)
    limits.check(spec, lower="--households")
    for line in calibrate(args, argv, spec, progress=lambda m: print(m, file=sys.stderr)):
        print(line)
    return 0
