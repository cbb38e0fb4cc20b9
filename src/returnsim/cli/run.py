"""``returnsim run``: simulate a scenario and write its run folder."""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from returnsim.cli.common import load_scenario, scenario_argument, size_options, whole
from returnsim.errors import InputError
from returnsim.scenario import Scenario

#: Rough household-months per second of each engine, to tell a long run.
SPEED = {"arrays": 1e7, "agents": 5e4}
LONG_RUN_SECONDS = 5.0


def add_command(sub: Any) -> None:
    """Add ``run`` to the subcommands ``sub``."""
    run = sub.add_parser(
        "run",
        help="run a scenario and write its results to a folder",
        description="Run a scenario and write timeseries.csv, groups.csv, summary.json, "
        "run.json and stocks.png (plus flows, conditions, reintegration and spending "
        "figures with --plot) into a folder; with --report also report.md and report.html.",
    )
    scenario_argument(run)
    size_options(run)
    run.add_argument(
        "--out", metavar="DIR", help="output folder (default: out/<scenario name>); replaced"
    )
    run.add_argument(
        "--seeds",
        type=whole(1),
        default=1,
        metavar="K",
        help="run K seeds (the scenario's and the K-1 after it) and write ensemble.csv, "
        "ensemble.json and ensemble.png: median and 50%%/90%% bands by month",
    )
    run.add_argument(
        "--plot",
        action="store_true",
        help="also draw flows.png, conditions.png, reintegration.png and spending.png",
    )
    run.add_argument(
        "--report",
        nargs="?",
        const="md,html",
        default=None,
        type=report_formats,
        metavar="FORMATS",
        help="also write the thematic report (health care, information, women, minors, "
        "LGBTQI+ people, persons with disabilities, older people) as report.md and "
        "report.html; FORMATS: md, html or md,html (default)",
    )
    run.set_defaults(handler=cmd_run)


def report_formats(text: str) -> tuple[str, ...]:
    """An argparse type: the formats of --report (``report.FORMATS``)."""
    from returnsim import report

    try:
        return report.parse_formats(text)
    except ValueError as exc:
        hint = "; give SCENARIO before --report" if text.endswith(".toml") else ""
        raise argparse.ArgumentTypeError(
            f"{exc} (allowed: {', '.join(report.FORMATS)} or md,html{hint})"
        ) from None


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
    ens = None
    if args.seeds > 1:
        from returnsim import ensemble

        def tell(done: int, total: int) -> None:
            print(f"seed {model.seed + done - 1}: {done}/{total} done", file=sys.stderr)

        seeds = range(model.seed, model.seed + args.seeds)
        ens = ensemble.run(spec, seeds, first=(model, summary), progress=tell)
        summary["ensemble"] = ens.summary()
    try:
        with output.atomic_dir(out_dir) as tmp:
            written = output.write_run(
                tmp, model, summary, output.run_provenance(model, argv, wall), args.plot
            )
            if ens is not None:
                ens.bands().to_csv(tmp / "ensemble.csv", index=False)
                output.write_json(tmp / "ensemble.json", summary["ensemble"])
                ens.plot(spec.name).savefig(tmp / "ensemble.png", dpi=110)
                written += ["ensemble.csv", "ensemble.json", "ensemble.png"]
            if args.report:
                from returnsim import report

                written += report.write(tmp, summary, model, args.report)
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise InputError(f"--out {out_dir}: cannot write the run folder there ({why})") from None
    scale = (
        ""
        if model.weight == 1
        else f" standing for {model.pop.n * model.weight:,.0f} real households"
        f" ({spec['households.population']:,.0f} persons; counts below are real)"
    )
    print(
        f"Ran {spec.name}: {model.pop.n:,} simulated households{scale}, {model.steps} months, "
        f"seed {model.seed}"
    )
    print(_headline(summary))
    print(_costs(summary))
    if ens is not None:
        back = summary["ensemble"]["returned"]
        print(
            f"Over {args.seeds} seeds: back home at the end {back['median']:,.0f} households "
            f"(90% of seeds {back['q05']:,.0f} to {back['q95']:,.0f}); bands by month in "
            "ensemble.csv and ensemble.png"
        )
    print(f"Results in {out_dir}/")
    for name in written:
        print(f"  {out_dir / name}")
    return 0


def _headline(summary: dict[str, Any]) -> str:
    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{100 * x:.0f}%"

    return (
        f"Ever displaced {summary['ever_displaced']:,} households; "
        f"{pct(summary['returned_share'])} of them back home; "
        f"still displaced {summary['still_displaced']:,} "
        f"(peak {summary['peak_displaced']:,} in month {summary['peak_displaced_month']})"
    )


def _costs(summary: dict[str, Any]) -> str:
    def usd(x: float) -> str:
        return f"USD {x / 1e6:,.1f} million" if x >= 1e6 else f"USD {x:,.0f}"

    return (
        f"Spent {usd(summary['total_cost'])}: programmes {usd(summary['programme_cost'])}, "
        f"peacekeeping mission {usd(summary['peacekeeping_cost'])} "
        f"(the budget covers {summary['budget_covers']})"
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
