"""Helpers shared by the experiment-runner tests: small specs and result tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from returnsim.experiments.store import Store
from returnsim.experiments.sweep import EXECUTION_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"

PARAMETERS = """\
[parameters]
"peacekeeping.troops" = { min = 0, max = 15000 }
"return_package.cash_per_person" = { min = 0, max = 100 }
"conflict.intensity" = { values = [0.5, 1.0, 2.0] }
"""


def spec_text(
    method: str = "sobol",
    *,
    samples: int | None = 4,
    households: int = 300,
    steps: int = 12,
    replicates: int = 2,
    parameters: str = PARAMETERS,
    metrics: tuple[str, ...] = ("returned_share", "total_cost", "returns_total"),
    extra: str = "",
) -> str:
    """A small experiment spec on the baseline scenario."""
    sample_line = f"samples = {samples}\n" if samples is not None else ""
    return (
        f'scenario = "{BASELINE}"\n'
        f"households = {households}\nsteps = {steps}\nseed = 11\nreplicates = {replicates}\n"
        f"{extra}\n"
        f'[design]\nmethod = "{method}"\n{sample_line}\n'
        f"{parameters}\n"
        f"[outputs]\nmetrics = {list(metrics)!r}\n".replace("'", '"')
    )


def write_spec(folder: Path, text: str, name: str = "spec.toml") -> Path:
    """Write a spec file into ``folder``; return its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def result_table(folder: Path) -> pd.DataFrame:
    """One row per run, sorted by run key, without the columns about execution (times, worker)."""
    df = Store(folder).runs()
    df = df.drop(columns=[c for c in EXECUTION_COLUMNS if c in df.columns])
    return df.sort_values("run_key").reset_index(drop=True)
