"""The experiment subcommands of ``returnsim``: sweep, compare, query, analyze, report.

Bad input (a spec, folder, option or SQL query) raises InputError, which
``returnsim.cli.main`` prints as one line with exit code 2; a spec is
checked completely before any folder is created.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from returnsim.cli.common import whole
from returnsim.errors import InputError

EXECUTOR_HELP = (
    "Runs execute in local processes by default (--workers, default: one per CPU); "
    "--scheduler ADDRESS runs them on a Dask cluster, --dask-local N on a Dask "
    "LocalCluster of N workers on this machine. Every executor gives the same results."
)


def add_command(sub: Any) -> None:
    """Register the experiment subcommands on the ``returnsim`` subparsers ``sub``."""

    def executor_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("spec", metavar="SPEC", help="experiment spec (TOML, see experiments/)")
        p.add_argument(
            "--out", metavar="DIR", help="experiment folder (default: out/<spec name>); resumed"
        )
        where = p.add_mutually_exclusive_group()
        where.add_argument(
            "--workers",
            type=whole(0),
            metavar="N",
            help="local worker processes (default: one per CPU; 0 runs in this process)",
        )
        where.add_argument(
            "--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://10.0.0.5:8786"
        )
        where.add_argument(
            "--dask-local",
            type=whole(1),
            metavar="N",
            help="start a Dask LocalCluster with N workers on 127.0.0.1",
        )
        p.add_argument(
            "--chunk",
            type=whole(1),
            metavar="RUNS",
            help="runs per task (default: about a second of work, at least 4 tasks per worker)",
        )
        p.add_argument(
            "--flush-seconds",
            type=float,
            default=5.0,
            metavar="S",
            help="write finished runs to a new Parquet part at least this often (default 5)",
        )

    for name, help_, description, handler in (
        (
            "sweep",
            "run an experiment's design (resumable) into a folder",
            "Run every design point of an experiment spec, with replicates, into an experiment "
            "folder of Parquet parts. Rerunning the same command finishes only what is "
            "missing; failed runs are recorded and retried.",
            cmd_sweep,
        ),
        (
            "compare",
            "run intervention mixes against the baseline and compare them",
            "Run the baseline and every [mixes.NAME] of a spec with paired seeds, then write "
            "differences with confidence intervals, costs, cost-effectiveness, a ranking and a "
            "frontier plot into DIR/analysis/. Resumable like sweep.",
            cmd_compare,
        ),
        (
            "optimize",
            "search the allocation of a budget over levers (NSGA-II), resumable",
            "Search the [parameters] of a spec (levers, each a range) for allocations that "
            "maximise [optimize] objective and minimise its cost within its budget (pymoo "
            "NSGA-II, every candidate on the spec's paired seeds through the runner), then "
            "evaluate the chosen allocation and the spec's [mixes] on fresh seeds. Writes the "
            "Pareto set, a scenario TOML per allocation and a report into DIR. Resumable like "
            "sweep.",
            cmd_optimize,
        ),
    ):
        parser = sub.add_parser(name, help=help_, description=f"{description} {EXECUTOR_HELP}")
        executor_options(parser)
        parser.set_defaults(handler=handler)

    discover = sub.add_parser(
        "discover",
        help="scenario discovery: the box of uncertainties where a metric fails (PRIM)",
        description="Mark the design points of a finished sweep whose metric (mean over the "
        "replicates) is below --threshold (or above it with --above) and find with PRIM (EMA "
        "Workbench) the box of swept uncertainties where they concentrate; writes "
        "DIR/discover/: trajectory.csv, box.json, tradeoff.png.",
    )
    discover.add_argument("folder", metavar="DIR", help="sweep folder")
    discover.add_argument("--metric", required=True, metavar="M", help="a metric of the sweep")
    discover.add_argument(
        "--threshold", required=True, type=float, metavar="T", help="fails below T"
    )
    discover.add_argument("--above", action="store_true", help="fails above T instead")
    discover.add_argument(
        "--density",
        type=float,
        default=0.8,
        metavar="D",
        help="report the first box with at least this share of failures (default 0.8)",
    )
    discover.set_defaults(handler=cmd_discover)

    query = sub.add_parser(
        "query",
        help="answer an SQL query on an experiment folder (DuckDB)",
        description="Run an SQL query with DuckDB. Tables: runs (one row per run: parameters, "
        "metrics, status), attempts (every attempt, failed ones included), plan (point, "
        "replicate, seed, run_key), design (one row per point) and series (the kept time "
        "series, long: run_key, month, variable, value). Quote names with dots: "
        'SELECT "peacekeeping.troops", avg(returned_share) FROM runs GROUP BY 1',
    )
    query.add_argument("folder", metavar="DIR", help="experiment folder")
    query.add_argument("sql", metavar="SQL", help="the query")
    query.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    query.add_argument(
        "--max-rows", type=whole(1), default=50, metavar="N", help="rows shown (default 50)"
    )
    query.set_defaults(handler=cmd_query)

    analyze = sub.add_parser(
        "analyze",
        help="sensitivity analysis of a sweep (or the comparison of mixes)",
        description="Sobol first and total order indices (second order when the design has "
        "them) with confidence intervals, Morris mu* and sigma, the share of variance due to "
        "the seed and a convergence check, as CSV, JSON and PNG in DIR/analysis/.",
    )
    analyze.add_argument("folder", metavar="DIR", help="experiment folder")
    analyze.set_defaults(handler=cmd_analyze)

    report = sub.add_parser(
        "report",
        help="write DIR/report.html: one self-contained page of the tables and figures",
        description="Write a self-contained HTML report (figures embedded, no network needed) "
        "of an analysed experiment folder to DIR/report.html.",
    )
    report.add_argument("folder", metavar="DIR", help="experiment folder")
    report.set_defaults(handler=cmd_report)


def _executor(args: argparse.Namespace) -> Any:
    from returnsim.experiments.executors import ExecutorConfig

    if args.flush_seconds <= 0:
        raise InputError(f"--flush-seconds {args.flush_seconds:g}: must be above 0")
    return ExecutorConfig(
        workers=args.workers, scheduler=args.scheduler, dask_local=args.dask_local
    )


def _out(args: argparse.Namespace, spec: Any) -> Path:
    from returnsim.api import experiment_folder

    return experiment_folder(args.out or None, spec)


def _run(args: argparse.Namespace, argv: Sequence[str], kind: str) -> tuple[Any, Any, Path]:
    from returnsim.experiments.executors import warm_up
    from returnsim.experiments.spec import load_spec
    from returnsim.experiments.sweep import execute_plan, make_plan, summary_lines

    config = _executor(args)
    warm_up(config)
    spec = load_spec(args.spec)
    plan = make_plan(spec, kind)
    out = _out(args, spec)
    outcome = execute_plan(
        plan,
        out,
        config,
        argv=argv,
        flush_seconds=args.flush_seconds,
        chunk=args.chunk,
    )
    for line in summary_lines(plan, outcome, out):
        print(line)
    return plan, outcome, out


def cmd_sweep(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``returnsim sweep``: 0 when every run is ok, 1 when some failed (rerun to retry)."""
    _, outcome, out = _run(args, argv, "sweep")
    if not outcome.failed:
        print(f"Next: returnsim analyze {out}")
    return 1 if outcome.failed else 0


def cmd_optimize(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``returnsim optimize``: search, choose, evaluate on fresh seeds; 1 if runs failed."""

    from returnsim.experiments import optimize
    from returnsim.experiments.executors import warm_up
    from returnsim.experiments.spec import load_spec
    from returnsim.experiments.sweep import execute_plan, make_plan

    config = _executor(args)
    warm_up(config)
    spec = load_spec(args.spec)
    if spec.optimize is None:
        raise InputError(f"{args.spec}: no [optimize] table (objective, cost, budget)")
    out = _out(args, spec)

    def run(sub_spec: Any, folder: Path) -> None:
        plan = make_plan(sub_spec, "compare")
        outcome = execute_plan(
            plan, folder, config, argv=argv, flush_seconds=args.flush_seconds, chunk=args.chunk
        )
        if outcome.failed:
            raise InputError(
                f"{folder}: {outcome.failed} run(s) failed; rerun the same command to retry"
            )

    summary = optimize.write(
        spec, out, run, argv, progress=lambda m: print(m, file=sys.stderr, flush=True)
    )
    for line in optimize.headline(summary):
        print(line)
    print(
        f"Pareto set, allocations and evaluation in {out}/ (report: returnsim report "
        f"{out / 'evaluation'})"
    )
    return 0


def cmd_discover(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``returnsim discover``: the PRIM box where the metric fails."""
    import math

    from returnsim.experiments import discover

    if not math.isfinite(args.threshold):
        raise InputError(f"--threshold {args.threshold}: must be a finite number")
    if not 0 < args.density <= 1:
        raise InputError(f"--density {args.density:g}: must be above 0 and at most 1")
    folder = Path(args.folder)
    if not (folder / "manifest.json").is_file():
        raise InputError(f"{folder}: not an experiment folder (no manifest.json)")
    result = discover.write(
        folder, args.metric, args.threshold, above=args.above, density=args.density
    )
    for line in discover.lines(result):
        print(line)
    print(f"Box and trajectory in {folder / 'discover'}/")
    return 0


def cmd_compare(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``returnsim compare``: run the mixes, then write the comparison into DIR/analysis/."""
    from returnsim.experiments import compare

    _, outcome, out = _run(args, argv, "compare")
    if outcome.failed:
        print(f"Not compared: {outcome.failed} run(s) failed; rerun the same command to retry.")
        return 1
    written = compare.write(out)
    print(compare.headline(out))
    print(f"Comparison in {out / 'analysis'}/: {', '.join(written)}")
    print(f"Next: returnsim report {out}")
    return 0


def cmd_query(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``returnsim query``: print the answer of an SQL query."""
    import duckdb

    from returnsim.experiments.store import Store, frame

    store = Store(args.folder)
    store.manifest()
    con = store.connect()
    try:
        relation = con.sql(args.sql)
        if relation is None:  # a statement without rows, e.g. CREATE VIEW
            return 0
        df = frame(relation)
    except duckdb.Error as exc:
        raise InputError(f"query: {exc} (tables: runs, attempts, plan, design, series)") from None
    if args.csv:
        df.to_csv(sys.stdout, index=False)
        return 0
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_columns", 50):
        print(df.head(args.max_rows).to_string(index=False))
    if len(df) > args.max_rows:
        print(f"... {len(df) - args.max_rows} more rows (--max-rows N, or --csv for all)")
    return 0


def cmd_analyze(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``returnsim analyze``: write the analysis tables and figures into DIR/analysis/."""
    from returnsim.experiments import analysis, compare
    from returnsim.experiments.report import warnings
    from returnsim.experiments.store import Store

    store = Store(args.folder)
    kind = store.manifest().get("kind")
    written = compare.write(store.root) if kind == "compare" else analysis.write(store.root)
    for note in warnings(store.root / "analysis"):
        print(f"returnsim: warning: {note}", file=sys.stderr)
    conv = store.root / "analysis" / "convergence_summary.csv"
    if conv.is_file():
        import pandas as pd

        done = pd.read_csv(conv)
        print(f"Converged: {int(done['converged'].sum())} of {len(done)} metrics")
    print(f"Analysis in {store.root / 'analysis'}/: {', '.join(written)}")
    print(f"Next: returnsim report {store.root}")
    return 0


def cmd_report(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``returnsim report``: write DIR/report.html."""
    from returnsim.experiments import report

    path = report.write(Path(args.folder))
    print(f"Report: {path}")
    return 0
