"""Run an experiment's plan into its folder: the runner's public entry points.

The work is split along its concerns: :mod:`.plan` (points, replicates, run
keys), :mod:`.manifest` (the folder's manifest, tables, rows and the resume
check), :mod:`.scheduler` (chunks, executors, retries, progress) and
:mod:`.store` (Parquet parts, DuckDB).
"""

from __future__ import annotations

import shlex
from pathlib import Path

from returnsim.experiments.manifest import EXECUTION_COLUMNS, check_destination, new_manifest
from returnsim.experiments.plan import Plan, make_plan
from returnsim.experiments.progress import duration
from returnsim.experiments.scheduler import Outcome, execute_plan

__all__ = [
    "EXECUTION_COLUMNS",
    "Outcome",
    "Plan",
    "check_destination",
    "execute_plan",
    "make_plan",
    "new_manifest",
    "summary_lines",
]


def summary_lines(plan: Plan, outcome: Outcome, out: Path) -> list[str]:
    """What to tell the user after a sweep."""
    lines = [
        f"{plan.kind.capitalize()} {plan.spec.name}: {outcome.ok}/{outcome.total} runs ok, "
        f"{outcome.failed} failed ({outcome.new_ok} new, {outcome.skipped} already done) "
        f"in {duration(outcome.seconds)}",
    ]
    for f in outcome.failures[:5]:
        lines.append(f"  failed: {f}")
    if len(outcome.failures) > 5:
        lines.append(f"  ... and {len(outcome.failures) - 5} more (see the attempts table)")
    if outcome.failed:
        lines.append(f"Rerun the same command to retry the {outcome.failed} failed run(s).")
    lines.append(f'Results in {out}/ (query: returnsim query {shlex.quote(str(out))} "SELECT ...")')
    return lines
