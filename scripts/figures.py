"""Regenerate the README's and docs/calibration.md's calibration figures and tables
(``make figures``), so they always match the code.

For each case (Liberia, Burundi) it runs ``returnsim calibrate`` as the docs show
(5,000 households, 3 seeds from the scenario's seed, the fit years below), copies
``fit.png`` to ``docs/images/calibration_<case>.png``, then runs the calibrated scenario
on 10 fresh seeds (1000-1009, not used in fitting) and writes, between the
``<!-- BEGIN GENERATED: calibration_table -->`` markers of README.md and
docs/calibration.md, one row per case: in-sample and held-out RMSE and correlation on
the fitting seeds and on the fresh seeds, and the held-out skill against the naive
forecasts (last value, exponential trend, zero) fitted on the same years. The validation
table is ``scripts/validation_table.py``'s. About 10 minutes on 2 cores.

    python scripts/figures.py [--households N] [--seeds K] [--maxiter N]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from pathlib import Path

import returnsim
from returnsim.calibration import fit as fitting

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT.parent / "shared" / "data" / "unhcr_returns_liberia_burundi.csv"
CASES = {"liberia": "2004-2009", "burundi": "2002-2008"}
FRESH = list(range(1000, 1010))
DOCS = (ROOT / "README.md", ROOT / "docs" / "calibration.md")
NAME = "calibration_table"
BLOCK = re.compile(
    rf"(<!-- BEGIN GENERATED: {NAME} -->\n).*?(<!-- END GENERATED: {NAME} -->)", re.S
)


def _n(x: float | None, fmt: str = ",.0f") -> str:
    return "n/a" if x is None else format(x, fmt)


def case(name: str, years: str, households: int, seeds: int, maxiter: int) -> dict:
    """Calibrate one case, copy its figure, score it on fresh seeds."""
    out = ROOT / "out" / "figures" / name
    if out.exists():
        shutil.rmtree(out)
    t0 = time.perf_counter()
    cal = returnsim.calibrate(
        ROOT / "scenarios" / f"{name}.toml", TARGET, fit_years=years, seeds=seeds,
        households=households, maxiter=maxiter, out=out,
    )  # fmt: skip
    wall = time.perf_counter() - t0
    shutil.copy(out / "fit.png", ROOT / "docs" / "images" / f"calibration_{name}.png")
    r = cal.fit
    spec = cal.calibrated
    years_table = cal.years.set_index("year")
    observed = years_table["observed"].dropna()
    fresh = fitting.simulate(spec, FRESH, r["series"], r["scale"]["people_per_household"])
    mean = fresh.mean(axis=1)
    fit_years, held = r["fit_years"], r["heldout_years"]
    return {
        "case": name.capitalize(),
        "fit": f"{fit_years[0]}-{fit_years[-1]}",
        "held": f"{held[0]}-{held[-1]}",
        "rmse": r["rmse"],
        "corr": r["correlation"],
        "before": r["initial"]["rmse"],
        "h_rmse": r["heldout_rmse"],
        "h_corr": r["heldout_correlation"],
        "fresh": fitting.metrics(observed.loc[fit_years], mean)["rmse"],
        "fresh_h": fitting.metrics(observed.loc[held], mean)["rmse"],
        "skill": fitting.skill(observed, mean, fit_years, held),
        "wall": wall,
    }


def table(rows: list[dict], households: int, seeds: int, maxiter: int) -> str:
    head = (
        f"`python scripts/figures.py` (`make figures`): {households:,} households, fit on "
        f"{seeds} seeds, differential evolution {maxiter} generations; fresh seeds "
        f"{FRESH[0]}-{FRESH[-1]}. RMSE in people a year; skill = 1 - held-out RMSE / that of "
        "a naive forecast fitted on the fit years (above 0: the model forecasts better), "
        "on the fresh seeds.\n\n"
        "| case | fit years | in sample: RMSE (before), correlation | held out | held out: "
        "RMSE, correlation | on fresh seeds: in sample, held out | skill vs last value, "
        "exponential, zero |\n|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in rows:
        s = r["skill"]
        lines.append(
            f"| {r['case']} | {r['fit']} | {_n(r['rmse'])} ({_n(r['before'])}), "
            f"{_n(r['corr'], '.2f')} | {r['held']} | {_n(r['h_rmse'])}, {_n(r['h_corr'], '.2f')}"
            f" | {_n(r['fresh'])}, {_n(r['fresh_h'])} | {_n(s['last_value'], '+.2f')}, "
            f"{_n(s['exponential'], '+.2f')}, {_n(s['zero'], '+.2f')} |"
        )
    return head + "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--households", type=int, default=5000)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--maxiter", type=int, default=8)
    args = p.parse_args(argv)
    if not TARGET.is_file():
        print(f"{TARGET}: not found (the shared data folder beside the repository)")
        return 2
    rows = []
    for name, years in CASES.items():
        print(f"calibrating {name} (fit {years}) ...", file=sys.stderr, flush=True)
        rows.append(case(name, years, args.households, args.seeds, args.maxiter))
        print(f"  {rows[-1]['wall']:.0f} s", file=sys.stderr)
    text = table(rows, args.households, args.seeds, args.maxiter)
    for doc in DOCS:
        old = doc.read_text(encoding="utf-8")
        new, n = BLOCK.subn(lambda m: m.group(1) + text + m.group(2), old)
        if n != 1:
            print(f"{doc}: no calibration_table block", file=sys.stderr)
            return 1
        doc.write_text(new, encoding="utf-8")
        print(f"wrote {doc}")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
