"""Ensembles: one scenario on K seeds, its trajectory with its uncertainty.

:func:`run` runs a scenario once per seed (replicate r on seed + r, as sweeps do) and keeps
each run's time series and summary. :meth:`Ensemble.bands` gives, month by month, the
median and the 50% and 90% bands (quantiles 5, 25, 50, 75 and 95) of every column over
the seeds; :meth:`Ensemble.summary` the same quantiles of the headline numbers; and
:meth:`Ensemble.plot` draws households displaced and back home, deaths and spending by
month with their bands. ``returnsim run --seeds K`` writes them into the run folder as
``ensemble.csv`` (long: month, column, q05 .. q95), ``ensemble.json`` and
``ensemble.png``.

    >>> import returnsim
    >>> from returnsim import ensemble
    >>> ens = ensemble.run(returnsim.load("scenarios/baseline.toml"), seeds=range(42, 52))
    >>> ens.bands().query("column == 'returned'").tail(1)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from returnsim.outcomes import summarize
from returnsim.scenario import Scenario

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
NAMES = ("q05", "q25", "median", "q75", "q95")
#: headline numbers of summary.json whose spread over the seeds the ensemble reports
HEADLINE = (
    "ever_displaced",
    "returned",
    "still_displaced",
    "sustainably_reintegrated",
    "returns_total",
    "redisplacements_total",
    "person_months_exposed",
    "total_cost",
    "programme_cost",
)


@dataclass
class Ensemble:
    """The runs of one scenario on several seeds."""

    seeds: list[int]
    #: every run's time series, one after the other, with a ``seed`` column
    timeseries: pd.DataFrame
    #: every run's summary.json, in seed order
    summaries: list[dict[str, Any]]

    def bands(self) -> pd.DataFrame:
        """Per month and column: the quantiles over the seeds (long format)."""
        ts = self.timeseries.drop(columns="seed")
        q = ts.groupby("month").quantile(list(QUANTILES))
        q.index = q.index.set_names(["month", "q"])
        long = q.stack().rename("value").reset_index().rename(columns={"level_2": "column"})
        out = long.pivot_table(index=["month", "column"], columns="q", values="value")
        out.columns = list(NAMES)
        return out.reset_index()

    def summary(self) -> dict[str, Any]:
        """The seeds, and per headline number (and deaths) its median and 90% band."""
        rows = {k: [s[k] for s in self.summaries] for k in HEADLINE}
        rows["deaths_total"] = [s["mortality"]["deaths_total"] for s in self.summaries]
        out: dict[str, Any] = {"seeds": self.seeds}
        for key, values in rows.items():
            v = np.asarray(values, dtype=float)
            q = np.quantile(v, QUANTILES)
            out[key] = {"median": float(q[2]), "q05": float(q[0]), "q95": float(q[4])}
        return out

    def plot(self, title: str = "") -> Figure:
        """Displaced and back home, deaths and spending by month: median, 50% and 90% bands."""
        ts = self.timeseries.assign(
            displaced=self.timeseries["internally_displaced"] + self.timeseries["refugees"],
            deaths=self.timeseries[[c for c in self.timeseries if _is_death(c)]].sum(axis=1),
            spent=self.timeseries.groupby("seed")["total_spending"].cumsum() / 1e6,
        )
        fig = Figure(figsize=(9, 6), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(2, 2).ravel()
        panels = (
            ("displaced", "Households displaced (IDPs and refugees)", "#d95f02"),
            ("returned", "Households back home", "#1b9e77"),
            ("deaths", "Deaths this month (persons)", "#444444"),
            ("spent", "Spent so far, USD million (programmes and mission)", "#7570b3"),
        )
        for ax, (column, label, colour) in zip(axes, panels, strict=True):
            by = ts.groupby("month")[column]
            q = by.quantile(list(QUANTILES)).unstack()
            months = q.index.to_numpy()
            ax.fill_between(months, q[0.05], q[0.95], color=colour, alpha=0.15, label="90%")
            ax.fill_between(months, q[0.25], q[0.75], color=colour, alpha=0.35, label="50%")
            ax.plot(months, q[0.5], color=colour, lw=2, label="median")
            ax.set_title(label, fontsize=10, loc="left")
            ax.set_xlabel("Month")
            ax.grid(True, alpha=0.3)
        axes[0].legend(loc="upper right", fontsize="small")
        fig.suptitle(
            f"{title}: {len(self.seeds)} seeds ({self.seeds[0]}-{self.seeds[-1]})"
            if title
            else f"{len(self.seeds)} seeds"
        )
        return fig


def _is_death(column: str) -> bool:
    return column.startswith("deaths_") and column not in ("deaths_in_flight", "deaths_pushed_back")


def run(
    spec: Scenario,
    seeds: Iterable[int],
    *,
    first: tuple[Any, dict[str, Any]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Ensemble:
    """Run ``spec`` once per seed. ``first``: the model and summary of a run already made on
    the first seed (not run again)."""
    from returnsim.model import ReturnModel

    seeds = [int(s) for s in seeds]
    frames, summaries = [], []
    for i, seed in enumerate(seeds):
        if i == 0 and first is not None:
            model, summary = first
        else:
            model = ReturnModel(spec, rng=seed)
            model.run()
            summary = summarize(model)
        frames.append(model.datacollector.get_model_vars_dataframe().assign(seed=seed))
        summaries.append(summary)
        if progress is not None:
            progress(i + 1, len(seeds))
    return Ensemble(seeds, pd.concat(frames, ignore_index=True), summaries)
