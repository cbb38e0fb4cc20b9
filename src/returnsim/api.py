"""The Python API: the command line's five jobs as calls that return results with
DataFrames and ``.plot()``.

    >>> import returnsim
    >>> r = returnsim.run("scenarios/baseline.toml", households=2000, months=60)
    >>> r.timeseries[["month", "returned"]].tail(1)  # doctest: +SKIP
    >>> r.plot()  # doctest: +SKIP
    >>> ens = returnsim.run("scenarios/baseline.toml", seeds=10)  # an Ensemble: bands by month
    >>> cmp = returnsim.compare("experiments/compare_mixes.toml", out="out/mixes", workers=2)
    >>> cmp.ranking  # doctest: +SKIP

Each call does what its command does, with the same checks, folders and resume: a
sweep, comparison or optimisation given the ``out`` of an earlier call with the same spec
runs only what that folder does not yet hold. Bad input raises
:class:`returnsim.errors.InputError` with the command's one-line message. Progress goes to
standard error (``progress=False`` silences it).
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pandas as pd

from returnsim.errors import InputError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from returnsim.ensemble import Ensemble
    from returnsim.experiments.spec import ExperimentSpec
    from returnsim.model import ReturnModel
    from returnsim.scenario import Scenario

__all__ = [
    "Calibration",
    "Comparison",
    "Optimization",
    "Run",
    "Sweep",
    "calibrate",
    "compare",
    "optimize",
    "run",
    "sweep",
]


def _scenario(
    scenario: str | Path | Scenario,
    households: int | None,
    months: int | None,
    seed: int | None,
    overrides: Mapping[str, Any] | None,
) -> Scenario:
    from returnsim import limits
    from returnsim.scenario import Scenario, load

    given = dict(overrides or {})
    for key, value in (
        ("households.count", households),
        ("scenario.months", months),
        ("scenario.seed", seed),
    ):
        if value is not None:
            given[key] = value
    if isinstance(scenario, Scenario):
        spec = scenario.with_overrides(given, origin="returnsim.run") if given else scenario
    else:
        spec = load(scenario, given or None)
    limits.check(spec, lower="households")
    return spec


# ------------------------------------------------------------------ one run
@dataclass
class Run:
    """One run: the model at its last month, ``summary.json``'s numbers and its tables."""

    model: ReturnModel
    #: what ``summary.json`` holds (counts at real scale)
    summary: dict[str, Any]
    #: one row per month: the columns of ``timeseries.csv``
    timeseries: pd.DataFrame
    #: outcomes by sex of head, age group and vulnerability (``groups.csv``)
    groups: pd.DataFrame

    def plot(self, what: str = "stocks") -> Figure:
        """A figure of the run: ``stocks`` (where households are), ``flows``, ``conditions``,
        ``reintegration`` or ``spending`` (programmes and the mission)."""
        from functools import partial

        from returnsim import plots

        draw = {
            "stocks": plots.stocks,
            "flows": plots.flows,
            "conditions": plots.conditions,
            "reintegration": partial(plots.reintegration, summary=self.summary),
            "spending": partial(plots.spending, covers=self.model.budget.covers),
        }
        if what not in draw:
            raise InputError(f"plot: unknown figure {what!r} (allowed: {', '.join(draw)})")
        start = self.model.p.scenario.start_year
        return draw[what](self.timeseries, title=self.model.spec.name, start_year=start)


def run(
    scenario: str | Path | Scenario,
    *,
    seeds: int | Iterable[int] | None = None,
    seed: int | None = None,
    households: int | None = None,
    months: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    out: str | Path | None = None,
) -> Run | Ensemble:
    """Run a scenario (a file, or a :class:`~returnsim.scenario.Scenario`) once, or on
    several seeds.

    ``seeds``: a number K (seeds ``seed`` .. ``seed + K - 1``) or the seeds themselves:
    returns an :class:`~returnsim.ensemble.Ensemble` (``.timeseries``, ``.bands()``,
    ``.summary()``, ``.plot()``). Without it, a :class:`Run`. ``overrides``: parameter
    values by dotted key, as ``--set``. ``out``: also write the run folder there, as
    ``returnsim run --out`` does.
    """
    from returnsim import ensemble, outcomes, output
    from returnsim.model import ReturnModel

    spec = _scenario(scenario, households, months, seed, overrides)
    if seeds is not None:
        first = spec["scenario.seed"]
        chosen = range(first, first + int(seeds)) if isinstance(seeds, int) else seeds
        return ensemble.run(spec, chosen)
    model = ReturnModel(spec)
    model.run()
    summary = outcomes.summarize(model)
    if out is not None:
        folder = output.check_destination(out, option="out")
        with output.atomic_dir(folder) as tmp:
            output.write_run(tmp, model, summary, output.run_provenance(model, [], 0.0), False)
    ts = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    return Run(model, summary, ts, _groups(model))


def _groups(model: ReturnModel) -> pd.DataFrame:
    from returnsim.outcomes import by_group

    rows = []
    for dimension, groups in by_group(model)["by_group"].items():
        for group, values in groups.items():
            rows.append({"dimension": dimension, "group": group, **values})
    return pd.DataFrame(rows)


# -------------------------------------------------------------- experiments
def _spec(spec: str | Path | ExperimentSpec) -> ExperimentSpec:
    from returnsim.experiments.spec import ExperimentSpec, load_spec

    return spec if isinstance(spec, ExperimentSpec) else load_spec(spec)


def experiment_folder(out: str | Path | None, spec: ExperimentSpec) -> Path:
    """``out``, else ``out/<spec name>`` (what the commands write to without ``--out``)."""
    if out is not None:
        return Path(out)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", spec.name).strip("._") or "experiment"
    return Path("out") / name


def _execute(
    spec: ExperimentSpec, kind: str, out: Path, workers: int | None, progress: bool
) -> None:
    from returnsim.experiments.executors import ExecutorConfig, warm_up
    from returnsim.experiments.sweep import execute_plan, make_plan

    config = ExecutorConfig(workers=workers)
    warm_up(config)
    stream = sys.stderr if progress else io.StringIO()
    outcome = execute_plan(make_plan(spec, kind), out, config, stream=stream)
    if outcome.failed:
        raise InputError(
            f"{out}: {outcome.failed} of {outcome.total} runs failed (first: "
            f"{outcome.failures[0] if outcome.failures else '?'}); call again to retry them"
        )


@dataclass
class Sweep:
    """A finished sweep's folder: its runs, kept series and analysis."""

    folder: Path
    _analysis: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run: point, replicate, seed, parameter values, metrics."""
        from returnsim.experiments.store import Store

        return Store(self.folder).runs()

    @property
    def series(self) -> pd.DataFrame:
        """The kept time series, long: run_key, month, variable, value."""
        from returnsim.experiments.store import Store

        return Store(self.folder).read_series().to_pandas()

    @property
    def analysis(self) -> dict[str, pd.DataFrame]:
        """The analysis tables (``sobol``, ``morris``, ``convergence_summary``, ...)."""
        if not self._analysis:
            from returnsim.experiments import analysis

            analysis.write(self.folder)
            result = analysis.analyse(self.folder)
            self._analysis.update({k: v for k, v in result.items() if not k.startswith("_")})
        return self._analysis

    def plot(self, what: str | None = None) -> Figure:
        """A figure of the analysis: by default the method's indices (``sobol``, ``morris``,
        ``correlations``, ``effects``); also ``convergence``, ``seed_variance``,
        ``envelope``."""
        from returnsim.experiments import analysis

        tables = self.analysis
        names = [n.removesuffix(".png") for n in analysis.FIGURES]
        if what is None:
            what = next(n for n in ("sobol", "morris", "correlations", "effects") if n in tables)
        if what not in names or (what not in tables and what != "seed_variance"):
            have = [n for n in names if n in tables]
            raise InputError(f"plot: no {what!r} figure here (allowed: {', '.join(have)})")
        return analysis.FIGURES[f"{what}.png"](tables)

    def report(self) -> Path:
        """Write ``report.html`` into the folder; its path."""
        from returnsim.experiments import report

        return report.write(self.folder)


def sweep(
    spec: str | Path | ExperimentSpec,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    progress: bool = True,
) -> Sweep:
    """Run a spec's design (``returnsim sweep``) into ``out`` (default ``out/<name>``) on
    ``workers`` processes (default: every core); a :class:`Sweep`."""
    spec = _spec(spec)
    folder = experiment_folder(out, spec)
    _execute(spec, "sweep", folder, workers, progress)
    return Sweep(folder)


@dataclass
class Comparison:
    """A finished comparison: the mixes against the baseline on paired seeds."""

    folder: Path
    #: per mix: mean cost and effects, paired gains with intervals, cost per gain, rank
    cost_effectiveness: pd.DataFrame
    #: per metric and mix: mean paired difference with its t interval
    differences: pd.DataFrame
    #: per kept series, mix and month: mean, 5-95% of seeds, paired difference (or None)
    trajectories: pd.DataFrame | None
    info: dict[str, Any]

    @property
    def ranking(self) -> pd.DataFrame:
        """The report's ranking table: each mix's gain, its interval and cost per gain."""
        from returnsim.experiments.report import ranking

        return ranking(self.cost_effectiveness, self.info["effects"], self.info["averted"])

    @property
    def headline(self) -> str:
        """One sentence: the best-ranked mix and what it buys."""
        from returnsim.experiments import compare

        return compare.headline(self.folder)

    def plot(self, what: str = "frontier") -> Figure:
        """``frontier`` (extra cost against extra effect), ``differences`` or
        ``trajectories`` (the kept series by month, with bands)."""
        from returnsim.experiments import compare

        result = {
            "cost_effectiveness": self.cost_effectiveness,
            "differences": self.differences,
            "trajectories": self.trajectories,
            "_info": self.info,
        }
        draw = {
            "frontier": compare.fig_frontier,
            "differences": compare.fig_differences,
            "trajectories": compare.fig_trajectories,
        }
        if what not in draw or (what == "trajectories" and self.trajectories is None):
            hint = " ([outputs] series keeps them)" if what == "trajectories" else ""
            raise InputError(f"plot: no {what!r} figure{hint} (allowed: {', '.join(draw)})")
        return draw[what](result)

    def report(self) -> Path:
        """Write ``report.html`` into the folder; its path."""
        from returnsim.experiments import report

        return report.write(self.folder)


def compare(
    spec: str | Path | ExperimentSpec,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    progress: bool = True,
) -> Comparison:
    """Run a spec's ``[mixes]`` against the baseline on paired seeds (``returnsim
    compare``) and compare them; a :class:`Comparison`."""
    from returnsim.experiments import compare as comparison

    spec = _spec(spec)
    folder = experiment_folder(out, spec)
    _execute(spec, "compare", folder, workers, progress)
    comparison.write(folder)
    result = comparison.compare(folder)
    return Comparison(
        folder,
        result["cost_effectiveness"],
        result["differences"],
        result.get("trajectories"),
        result["_info"],
    )


@dataclass
class Optimization:
    """A finished search of the allocation of a budget."""

    folder: Path
    #: what ``optimize.json`` holds: the chosen allocation, its evaluation, the settings
    summary: dict[str, Any]
    #: every candidate evaluated: lever values, gain and extra cost over the baseline
    evaluated: pd.DataFrame
    #: the candidates within the budget no other beats on gain and cost
    pareto: pd.DataFrame

    @property
    def allocation(self) -> dict[str, Any]:
        """The chosen allocation (largest gain within the budget): lever values."""
        return dict(self.summary["allocation"])

    @property
    def evaluation(self) -> pd.DataFrame:
        """The chosen allocation and the spec's mixes on fresh seeds (cost-effectiveness)."""
        return pd.DataFrame(self.summary["evaluation"])

    def plot(self) -> Figure:
        """Every candidate and the Pareto set: extra cost against gain, with the budget."""
        from returnsim.experiments.optimize import fig_pareto

        s = self.summary
        return fig_pareto(self.evaluated, self.pareto, s["objective"], s["budget"])


def optimize(
    spec: str | Path | ExperimentSpec,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    progress: bool = True,
) -> Optimization:
    """Search the allocation of ``[optimize] budget`` over the spec's levers (``returnsim
    optimize``); an :class:`Optimization`."""
    from returnsim.experiments import optimize as search

    spec = _spec(spec)
    if spec.optimize is None:
        raise InputError(f"{spec.path}: no [optimize] table (objective, cost, budget)")
    folder = experiment_folder(out, spec)

    def execute(sub: ExperimentSpec, where: Path) -> None:
        _execute(sub, "compare", where, workers, progress)

    tell = (lambda m: print(m, file=sys.stderr, flush=True)) if progress else (lambda m: None)
    summary = search.write(spec, folder, execute, ["optimize", spec.path], progress=tell)
    return Optimization(
        folder,
        summary,
        pd.read_csv(folder / "evaluated.csv"),
        pd.read_csv(folder / "pareto.csv"),
    )


# -------------------------------------------------------------- calibration
@dataclass
class Calibration:
    """A finished fit: the calibrated scenario and how well it fits, in and out of sample."""

    folder: Path
    #: what ``fit.json`` holds: parameters (start, fitted, range), fit statistics, years
    fit: dict[str, Any]

    @property
    def calibrated(self) -> Scenario:
        """The calibrated scenario (``calibrated.toml``), ready for :func:`run`."""
        from returnsim.scenario import load

        return load(self.folder / "calibrated.toml")

    @property
    def params(self) -> pd.DataFrame:
        """One row per fitted parameter: start value, fitted value, range."""
        rows = [{"parameter": k, **v} for k, v in self.fit["params"].items()]
        return pd.DataFrame(rows)

    @property
    def years(self) -> pd.DataFrame:
        """Per year: observed, simulated (mean, min and max over the seeds) with the fitted
        values, and its role (fit, heldout, not observed)."""
        return pd.DataFrame(self.fit["years"])

    def plot(self) -> Figure:
        """Observed against simulated by year with the seeds' range; held-out years shaded."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        df = self.years
        fig = Figure(figsize=(8, 4), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        ax.fill_between(df["year"], df["simulated_min"], df["simulated_max"], color="#1b9e77",
                        alpha=0.2, label="simulated, range of seeds")  # fmt: skip
        ax.plot(df["year"], df["simulated_mean"], "-", color="#1b9e77", label="simulated, mean")
        ax.plot(df["year"], df["observed"], "o", color="black", label="observed")
        for year in df.loc[df["role"] == "heldout", "year"]:
            ax.axvspan(year - 0.5, year + 0.5, color="#eeeeee", zorder=0)
        ax.set_xlabel("year (shaded: held out)")
        ax.set_ylabel(self.fit.get("series", "returns"))
        ax.set_title(f"{self.fit['scenario']}: fit to {self.fit['target']['file']}", loc="left")
        ax.legend(fontsize=8)
        return fig


def calibrate(
    scenario: str | Path,
    target: str | Path,
    *,
    fit_years: str | None = None,
    params: str | None = None,
    where: Iterable[str] | None = None,
    column: str | None = None,
    series: str | None = None,
    population: float | None = None,
    seeds: int = 3,
    households: int | None = None,
    months: int | None = None,
    maxiter: int = 8,
    popsize: int = 5,
    overrides: Mapping[str, Any] | None = None,
    out: str | Path | None = None,
    progress: bool = True,
) -> Calibration:
    """Fit parameters of a scenario to an observed yearly series (``returnsim calibrate``;
    the arguments are its options); a :class:`Calibration`."""
    from returnsim.calibration.report import calibrate as fit
    from returnsim.calibration.report import default_out

    spec = _scenario(scenario, households, months, None, overrides)
    args = SimpleNamespace(
        target=Path(target), where=list(where) if where else None, column=column,
        params=params, fit_years=fit_years, series=series, population=population,
        seeds=seeds, maxiter=maxiter, popsize=popsize, out=out,
    )  # fmt: skip
    tell = (lambda m: print(m, file=sys.stderr, flush=True)) if progress else (lambda m: None)
    fit(args, ["calibrate", str(scenario), "--target", str(target)], spec, progress=tell)
    folder = Path(out) if out is not None else default_out(spec)
    return Calibration(folder, json.loads((folder / "fit.json").read_text(encoding="utf-8")))
