"""``returnsim calibrate``: fit, then write the calibration folder atomically.

The folder holds ``calibrated.toml`` (the scenario with the fitted values, a
scenario ``returnsim run`` accepts), ``fit.json`` (fit statistics in sample
and held out, before and after, with the yearly series), ``fit.png``
(observed against simulated with the replicate range) and ``run.json``
(provenance). It is built in a temporary folder and renamed into place only
when complete (``output.atomic_dir``), so bad input or a failure leaves
nothing behind.
"""

from __future__ import annotations

import datetime as dt
import shlex
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from returnsim import output
from returnsim.calibration import fit as fitting
from returnsim.calibration.target import parse_where, read_target
from returnsim.calibration_table import SERIES, check_range, fittable
from returnsim.errors import InputError
from returnsim.scenario import Scenario

#: What a scenario without [calibration.params] fits by default (ranges from the registry):
#: the decision rule's parameters no published estimate pins down (docs/calibration.md).
DEFAULT_PARAMS = ("decision.review_rate", "decision.info_rate", "decision.attachment_halflife")


def params_from(text: str | None, spec: Scenario) -> dict[str, tuple[float, float]]:
    """``--params a,b=LOW:HIGH`` (ranges from the scenario's [calibration], else the registry)."""
    declared = spec.calibration.get("params", {})
    if text is None:
        if not declared:  # any scenario: the decision rule's least known rates
            params = (fittable(key) for key in DEFAULT_PARAMS)
            return {q.key: (float(q.low), float(q.high)) for q in params}
        return dict(declared)
    places = [p["name"] for p in spec.places]
    out: dict[str, tuple[float, float]] = {}
    for item in (s.strip() for s in text.split(",")):
        if not item:
            raise InputError(f"--params {text!r}: an empty name (expected a,b,c)")
        key, sep, rng = item.partition("=")
        if sep:
            lo, colon, hi = rng.partition(":")
            try:
                bounds = [float(lo), float(hi)] if colon else None
            except ValueError:
                bounds = None
            if bounds is None:
                raise InputError(f"--params {item!r}: expected KEY=LOW:HIGH, e.g. {key}=1:6")
            out[key] = check_range(key, bounds, source="--params", places=places)
        elif key in declared:
            out[key] = declared[key]
        else:
            try:
                param = fittable(key, places)
            except ValueError as exc:
                raise InputError(f"--params {key}: {exc}") from None
            if param.low is None or param.high is None:
                raise InputError(f"--params {key}: no finite range; give {key}=LOW:HIGH")
            out[key] = (float(param.low), float(param.high))
    return out


def population_of(spec: Scenario, override: float | None) -> float:
    """Persons the simulated households stand for: ``--population``, else the scenario's
    real population (``households.population``), else ``calibration.population``."""
    if override is not None:
        return override
    real = float(spec["households.population"] or 0)
    stated = spec.calibration.get("population")
    if real > 0:
        if stated is not None and float(stated) != real:
            raise InputError(
                f"{spec.source}: calibration.population ({float(stated):,.0f}) differs from "
                f"households.population ({real:,.0f}); keep one (the model runs at "
                "households.population)"
            )
        return real
    if stated is None:
        raise InputError(
            f"{spec.source}: no scale between people and households: add "
            "households.population (persons) to the scenario or give --population N"
        )
    return float(stated)


def build_problem(args: Any, spec: Scenario) -> fitting.Problem:
    """Check every input and assemble the problem (nothing is run or written yet)."""
    cal = spec.calibration
    where = parse_where(args.where) if args.where else {}
    if not where and cal.get("where"):
        # The scenario's filter applies to files that have that column.
        col, _, val = cal["where"].partition("=")
        header = _header(Path(args.target))
        if col.strip() in header:
            where = {col.strip(): val.strip()}
    observed = read_target(args.target, where=where, column=args.column)
    fitting.check_years(observed, spec, args.target)
    if args.fit_years:
        fit_years, heldout = fitting.parse_fit_years(args.fit_years, observed)
    else:
        fit_years, heldout = [int(y) for y in observed.index], []
    params = params_from(args.params, spec)
    series = args.series or cal.get("series", "refugee_returns")
    pph = population_of(spec, args.population) / spec["households.count"]
    seeds = [spec["scenario.seed"] + k for k in range(args.seeds)]
    problem = fitting.Problem(
        spec=spec,
        observed=observed,
        params=params,
        seeds=seeds,
        series=series,
        people_per_household=pph,
        fit_years=fit_years,
        heldout_years=heldout,
        where=where,
    )
    return problem


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8") as fh:
            first = fh.readline()
    except (OSError, UnicodeDecodeError):
        return []  # read_target reports the problem
    return [c.strip() for c in first.split(",")]


def evaluate(problem: fitting.Problem, overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Fit statistics and yearly series for ``overrides`` (None: the scenario as is)."""
    spec = problem.spec.with_overrides(overrides) if overrides else problem.spec
    runs = fitting.simulate(spec, problem.seeds, problem.series, problem.people_per_household)
    mean = runs.mean(axis=1)
    obs = problem.observed
    out = fitting.metrics(obs.loc[problem.fit_years], mean)
    if problem.heldout_years:
        out |= fitting.metrics(obs.loc[problem.heldout_years], mean, prefix="heldout_")
        out["heldout_skill"] = fitting.skill(obs, mean, problem.fit_years, problem.heldout_years)
    out["all_years"] = fitting.metrics(obs, mean)
    out["_runs"] = runs
    return out


def yearly_table(problem: fitting.Problem, runs: pd.DataFrame) -> list[dict[str, Any]]:
    obs = problem.observed
    rows = []
    for year in runs.index:
        role = (
            "fit"
            if year in problem.fit_years
            else "heldout"
            if year in problem.heldout_years
            else "not observed"
        )
        rows.append(
            {
                "year": int(year),
                "observed": float(obs[year]) if year in obs.index else None,
                "simulated_mean": float(runs.loc[year].mean()),
                "simulated_min": float(runs.loc[year].min()),
                "simulated_max": float(runs.loc[year].max()),
                "role": role,
            }
        )
    return rows


def plot(problem: fitting.Problem, runs: pd.DataFrame, stats: dict[str, Any], title: str) -> Any:
    """Observed against simulated people per year, with the replicate range."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import StrMethodFormatter

    fig = Figure(figsize=(8, 4.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    years = runs.index.to_numpy()
    ax.fill_between(
        years,
        runs.min(axis=1),
        runs.max(axis=1),
        color="tab:blue",
        alpha=0.25,
        label=f"simulated, range over {runs.shape[1]} seed(s)",
    )
    ax.plot(years, runs.mean(axis=1), color="tab:blue", lw=2, label="simulated, mean")
    obs = problem.observed
    ax.plot(obs.index, obs.to_numpy(), "o-", color="black", label="observed")
    if problem.heldout_years:
        held = obs.loc[problem.heldout_years]
        ax.plot(held.index, held.to_numpy(), "o", mfc="white", color="black", label="held out")
        for y in problem.heldout_years:
            ax.axvspan(y - 0.5, y + 0.5, color="0.9", zorder=0)
    corr = stats.get("correlation")
    ax.set_title(
        f"{title}\nRMSE {stats['rmse']:,.0f} people/year, correlation "
        + ("n/a" if corr is None else f"{corr:.2f}")
        + (
            f"; held out: RMSE {stats['heldout_rmse']:,.0f}"
            if stats.get("heldout_rmse") is not None
            else ""
        ),
        fontsize=10,
    )
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_xlabel("year")
    ax.set_ylabel(f"people per year ({problem.series.replace('_', ' ')})")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def _plain(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in stats.items() if not k.startswith("_")}


def default_out(spec: Scenario) -> Path:
    """Where a calibration of ``spec`` goes without ``--out``."""
    return Path("out") / f"{spec.name}_calibration"


def calibrate(
    args: Any, argv: Sequence[str], spec: Scenario, *, progress: Callable[[str], None]
) -> list[str]:
    """Fit the parameters, then write calibrated.toml, fit.json, fit.png and run.json.

    ``args`` holds the command's options (``returnsim calibrate --help``);
    ``progress`` receives a line as the fit goes. Returns the lines that
    report the result.
    """
    from returnsim import plots, scenario_toml

    problem = build_problem(args, spec)
    out_dir = output.check_destination(args.out or default_out(spec))
    t0 = time.perf_counter()
    n_fit = len(problem.params)
    progress(
        f"Calibrating {spec.name}: {n_fit} parameter(s) {', '.join(problem.params)} "
        f"against {args.target} ({len(problem.observed)} years; fit {problem.fit_years[0]}-"
        f"{problem.fit_years[-1]}); {len(problem.seeds)} seeds x "
        f"{spec['households.count']:,} households; 1 household = "
        f"{problem.people_per_household:,.1f} people"
    )
    before = evaluate(problem, None)

    best = problem.solve(
        maxiter=args.maxiter, popsize=args.popsize, progress=lambda msg: progress(f"  {msg}")
    )
    after = evaluate(problem, best)
    if after["rmse"] > before["rmse"]:  # never report a fit worse than the start
        best = {k: spec.value(k) for k in problem.params}
        after = before
    calibrated = spec.with_overrides(best, origin="calibration")
    wall = time.perf_counter() - t0
    runs = after["_runs"]
    command = shlex.join(["returnsim", *argv])
    result = {
        "scenario": spec.name,
        "scenario_file": spec.source,
        "target": {
            "file": str(args.target),
            "where": problem.where,
            "column": problem.observed.name,
            "description": spec.calibration.get("target", ""),
            "years": [int(y) for y in problem.observed.index],
        },
        "series": problem.series,
        "series_meaning": SERIES[problem.series],
        "scale": {
            "population": problem.people_per_household * spec["households.count"],
            "households": spec["households.count"],
            "people_per_household": problem.people_per_household,
        },
        "fit_years": problem.fit_years,
        "heldout_years": problem.heldout_years,
        "seeds": problem.seeds,
        "params": {
            k: {
                "value": best[k],
                "initial": spec.value(k),
                "low": lo,
                "high": hi,
            }
            for k, (lo, hi) in problem.params.items()
        },
        **_plain(after),
        "initial": _plain(before),
        "optimizer": {
            "method": "scipy.optimize.differential_evolution",
            "maxiter": args.maxiter,
            "popsize": args.popsize,
            "evaluations": problem.evaluations,
            "objective": "RMSE of the replicate mean over the fit years (people per year)",
        },
        "years": yearly_table(problem, runs),
        "wall_seconds": round(wall, 1),
        "command": command,
    }
    where = problem.where
    header = (
        f"{spec.name} calibrated with `{command}`\n"
        f"on {dt.date.today().isoformat()} against {args.target}"
        + (f" ({', '.join(f'{k}={v}' for k, v in where.items())})" if where else "")
        + f".\nFitted: {', '.join(f'{k} = {v:.4g}' for k, v in best.items())}; "
        f"RMSE {after['rmse']:,.0f} people/year (was {before['rmse']:,.0f}).\n"
        "See fit.json beside this file for the fit in and out of sample."
    )
    provenance = {
        "kind": "calibration",
        "scenario": {"name": spec.name, "source": spec.source, "digest": calibrated.digest()},
        **output.provenance(argv),
        "wall_seconds": round(wall, 3),
    }
    described = spec.calibration.get("target", "").split(" (")[0]
    title = f"{spec.name}: {described or problem.observed.name}"
    try:
        with output.atomic_dir(out_dir) as tmp:
            (tmp / "calibrated.toml").write_text(
                scenario_toml.dumps(calibrated, header=header), encoding="utf-8"
            )
            output.write_json(tmp / "fit.json", result)
            output.write_json(tmp / "run.json", provenance)
            plots.save(plot(problem, runs, after, title), tmp / "fit.png")
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise InputError(f"--out {out_dir}: cannot write the calibration there ({why})") from None

    def f(x: float | None, fmt: str) -> str:
        return "n/a" if x is None else format(x, fmt)

    lines = [f"Calibrated {spec.name} in {wall:.0f} s ({problem.evaluations} evaluations)"]
    for k, v in best.items():
        lines.append(f"  {k} = {v:.4g} (was {spec.value(k):.4g})")
    lines.append(
        f"In sample {problem.fit_years[0]}-{problem.fit_years[-1]}: RMSE "
        f"{after['rmse']:,.0f} people/year (was {before['rmse']:,.0f}), correlation "
        f"{f(after['correlation'], '.2f')}, peak year error {after['peak_year_error']:+d}, "
        f"total relative error {f(after['total_relative_error'], '+.0%')}"
    )
    if problem.heldout_years:
        lines.append(
            f"Held out {', '.join(map(str, problem.heldout_years))}: RMSE "
            f"{after['heldout_rmse']:,.0f} people/year, correlation "
            f"{f(after['heldout_correlation'], '.2f')}"
        )
        sk = after["heldout_skill"]
        lines.append(
            "  skill against naive forecasts fitted on the same years (1 - RMSE / naive "
            "RMSE; above 0 is better): "
            + ", ".join(f"{name.replace('_', ' ')} {f(sk[name], '+.2f')}" for name in fitting.NAIVE)
        )
    lines.append(f"Results in {out_dir}/: calibrated.toml, fit.json, fit.png, run.json")
    return lines
