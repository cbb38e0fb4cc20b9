"""Simulated yearly returns, fit statistics, and fitting parameters with SciPy.

The simulated series is the number of households returning in each calendar
year (``scenario.start_year`` + (month - 1) // 12), averaged over replicate
runs with fixed seeds: every candidate parameter set is run with the same
seeds (common random numbers), so the objective is a deterministic function
of the parameters and differences between candidates are not seed noise.
Households become people with the stated scale, ``people_per_household =
calibration.population / households.count``.

The objective is the root mean square error between observed and simulated
people per year over the fit years, minimised by
``scipy.optimize.differential_evolution`` (derivative-free and bounded: the
objective is a step function of the parameters because households are
whole), started from the scenario's own values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import differential_evolution

from returnsim.calibration_table import fittable
from returnsim.errors import InputError
from returnsim.households import Status
from returnsim.scenario import Scenario


def simulated_years(spec: Scenario) -> list[int]:
    """Calendar years the scenario simulates in full (12 months each)."""
    start = int(spec["scenario.start_year"])
    return [start + k for k in range(int(spec["scenario.months"]) // 12)]


def run_returns(spec: Scenario, seed: int, series: str) -> pd.Series:
    """Households returning per calendar year in one run (``series``: see spec.SERIES)."""
    from returnsim.model import ReturnModel

    model = ReturnModel(spec, rng=seed)
    start = int(spec["scenario.start_year"])
    pop = model.pop
    counts: dict[int, int] = {}
    refugee, idp = int(Status.REFUGEE), int(Status.INTERNALLY_DISPLACED)
    while model.steps < model.months:
        before = pop.status.copy()
        model.step()
        came = np.flatnonzero(pop.return_month == model.steps)
        was = before[came]
        if series == "refugee_returns":
            n = int(np.count_nonzero(was == refugee))
        elif series == "idp_returns":
            n = int(np.count_nonzero(was == idp))
        else:
            n = len(came)
        year = start + (model.steps - 1) // 12
        counts[year] = counts.get(year, 0) + n
    return pd.Series(counts, dtype=float).loc[simulated_years(spec)]


def simulate(
    spec: Scenario, seeds: Sequence[int], series: str, people_per_household: float
) -> pd.DataFrame:
    """People returning per year (rows: years), one column per seed."""
    runs = {seed: run_returns(spec, seed, series) * people_per_household for seed in seeds}
    return pd.DataFrame(runs)


def _corr(a: np.ndarray, b: np.ndarray) -> float | None:
    if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def metrics(observed: pd.Series, simulated: pd.Series, *, prefix: str = "") -> dict[str, Any]:
    """Fit of ``simulated`` (mean people per year) to ``observed`` over observed's years.

    ``rmse`` (people per year), ``nrmse`` (rmse / mean observed), Pearson
    ``correlation`` (None with fewer than 2 years or a flat series),
    ``peak_year_error`` (simulated peak year minus observed peak year) and
    ``total_relative_error`` ((simulated total - observed total) / observed total).
    """
    years = list(observed.index)
    o = observed.to_numpy(dtype=float)
    s = simulated.loc[years].to_numpy(dtype=float)
    if not years:
        return {}
    rmse = float(np.sqrt(np.mean((s - o) ** 2)))
    mean_obs = float(o.mean())
    out = {
        "rmse": rmse,
        "nrmse": rmse / mean_obs if mean_obs > 0 else None,
        "correlation": _corr(o, s),
        "peak_year_error": int(years[int(np.argmax(s))] - years[int(np.argmax(o))]),
        "total_relative_error": float((s.sum() - o.sum()) / o.sum()) if o.sum() > 0 else None,
    }
    return {prefix + k: v for k, v in out.items()}


#: Naive forecasts a model must beat on held-out years, each fitted on the fit years alone.
NAIVE = ("last_value", "exponential", "zero")


def naive_forecasts(observed: pd.Series, years: Sequence[int]) -> dict[str, np.ndarray]:
    """Forecasts of ``years`` from the fit years' ``observed`` values alone: the value of
    the nearest fit year (``last_value``: the last one for years after the fit), an
    exponential trend fitted by least squares to log(1 + value) over the fit years
    (``exponential``: decay or growth), and ``zero``."""
    fit_years = np.asarray(observed.index, dtype=float)
    values = observed.to_numpy(dtype=float)
    t = np.asarray(years, dtype=float)
    nearest = values[np.abs(t[:, None] - fit_years[None, :]).argmin(axis=1)]
    if len(fit_years) >= 2:
        slope, intercept = np.polyfit(fit_years, np.log1p(np.maximum(values, 0.0)), 1)
        trend = np.expm1(intercept + slope * t)
    else:
        trend = np.full(len(t), values[0])
    return {"last_value": nearest, "exponential": trend, "zero": np.zeros(len(t))}


def skill(
    observed: pd.Series, simulated: pd.Series, fit_years: Sequence[int], years: Sequence[int]
) -> dict[str, Any]:
    """Held-out skill of the model against each naive forecast: 1 - RMSE(model) /
    RMSE(naive) over ``years`` (above 0: the model forecasts better; None when the naive
    forecast is exact), with each RMSE."""
    o = observed.loc[list(years)].to_numpy(dtype=float)
    model = float(np.sqrt(np.mean((simulated.loc[list(years)].to_numpy(dtype=float) - o) ** 2)))
    out: dict[str, Any] = {"model_rmse": model}
    for name, forecast in naive_forecasts(observed.loc[list(fit_years)], years).items():
        rmse = float(np.sqrt(np.mean((forecast - o) ** 2)))
        out[f"{name}_rmse"] = rmse
        out[name] = 1 - model / rmse if rmse > 0 else None
    return out


@dataclass
class Problem:
    """A calibration problem: scenario, target, parameters with bounds, replicates."""

    spec: Scenario
    observed: pd.Series
    params: dict[str, tuple[float, float]]
    seeds: list[int]
    series: str
    people_per_household: float
    fit_years: list[int]
    heldout_years: list[int] = field(default_factory=list)
    #: the row filter applied to the target file (``{"country": "Liberia"}``)
    where: dict[str, str] = field(default_factory=dict)
    evaluations: int = 0
    trace: list[tuple[dict[str, float], float]] = field(default_factory=list)

    def overrides(self, x: Sequence[float]) -> dict[str, Any]:
        """Parameter values for the point ``x`` (integers rounded)."""
        out: dict[str, Any] = {}
        for (key, _), v in zip(self.params.items(), x, strict=True):
            out[key] = round(float(v)) if fittable(key).kind == "int" else float(v)
        return out

    def initial(self) -> list[float]:
        """The scenario's own values, clipped into the search bounds."""
        out = []
        for key, (lo, hi) in self.params.items():
            out.append(min(max(float(self.spec.value(key)), lo), hi))
        return out

    def simulate(self, x: Sequence[float] | None = None) -> pd.DataFrame:
        spec = self.spec if x is None else self.spec.with_overrides(self.overrides(x))
        return simulate(spec, self.seeds, self.series, self.people_per_household)

    def objective(self, x: Sequence[float]) -> float:
        """RMSE (people per year) of the replicate mean over the fit years."""
        self.evaluations += 1
        sim = self.simulate(x).mean(axis=1)
        obs = self.observed.loc[self.fit_years]
        value = float(np.sqrt(np.mean((sim.loc[self.fit_years].to_numpy() - obs.to_numpy()) ** 2)))
        self.trace.append((self.overrides(x), value))
        return value

    def solve(
        self, *, maxiter: int, popsize: int, progress: Callable[[str], None] | None = None
    ) -> dict[str, Any]:
        """Differential evolution from the scenario's values; the best overrides found."""
        bounds = list(self.params.values())
        x0 = self.initial()

        def report(xk: np.ndarray, convergence: float = 0.0) -> None:
            if progress is not None:
                best = min(v for _, v in self.trace)
                progress(
                    f"{self.evaluations} runs of {len(self.seeds)} seeds; best RMSE {best:,.0f}"
                )

        result = differential_evolution(
            self.objective,
            bounds,
            x0=x0,
            maxiter=maxiter,
            popsize=popsize,
            seed=0,
            polish=False,
            tol=0.01,
            init="latinhypercube",
            updating="immediate",
            callback=report,
        )
        return self.overrides(result.x)


def check_years(observed: pd.Series, spec: Scenario, path: str) -> None:
    """Every observed year must be simulated in full."""
    years = simulated_years(spec)
    if not years:
        raise InputError(f"{spec.source}: scenario.months < 12 simulates no full year")
    outside = [int(y) for y in observed.index if y not in years]
    if outside:
        raise InputError(
            f"{path}: year {outside[0]} is outside the simulated years {years[0]}-{years[-1]} "
            "(scenario.start_year and scenario.months; lengthen with --steps)"
        )


def parse_fit_years(text: str, observed: pd.Series) -> tuple[list[int], list[int]]:
    """``"2004-2009"`` -> (observed years inside, observed years outside: held out)."""
    lo_s, sep, hi_s = text.partition("-")
    try:
        lo, hi = int(lo_s), int(hi_s if sep else lo_s)
    except ValueError:
        raise InputError(f"--fit-years {text!r}: expected Y1-Y2, e.g. 2004-2009") from None
    if lo > hi:
        raise InputError(f"--fit-years {text!r}: the first year is after the last")
    years = [int(y) for y in observed.index]
    fit = [y for y in years if lo <= y <= hi]
    held = [y for y in years if not lo <= y <= hi]
    if len(fit) < 2:
        raise InputError(
            f"--fit-years {text}: fewer than 2 observed years inside "
            f"(observed: {years[0]}-{years[-1]})"
        )
    if not held:
        raise InputError(
            f"--fit-years {text}: holds out no observed year "
            f"(observed: {years[0]}-{years[-1]}); leave it out to fit every year"
        )
    return fit, held


def finite_or_none(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else x
