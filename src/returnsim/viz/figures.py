"""Matplotlib figures of the workshop: the map, and the run's charts at workshop size.

Figures are built with the object API (no pyplot), so sessions drawing in
different threads do not share state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from returnsim import plots
from returnsim.peacekeeping import Arm

if TYPE_CHECKING:
    from returnsim.model import ReturnModel

#: Size of a chart in the page, inches (drawn at 80 dpi).
CHART_SIZE = (7.0, 4.6)

#: How each arm of the mission is drawn on the map.
UNIT_STYLE = {
    Arm.TROOPS: ("s", "#2166ac", "Troop battalion"),
    Arm.POLICE: ("^", "#053061", "Police unit"),
    Arm.OBSERVERS: ("o", "#92c5de", "Observer team"),
}

SECURITY_CMAP = colormaps["RdYlGn"]


def timeseries(model: ReturnModel) -> pd.DataFrame:
    """The run so far, one row per month (as ``timeseries.csv``)."""
    return model.datacollector.get_model_vars_dataframe()


def sized(fig: Figure, months: int, ts: pd.DataFrame, height: float = CHART_SIZE[1]) -> Figure:
    """A figure of :mod:`returnsim.plots` resized for the page, its month axes the whole run.

    Month axes are those :mod:`returnsim.plots` set to the months of ``ts``.
    """
    fig.set_size_inches(CHART_SIZE[0], height)
    span = (float(ts["month"].min()), float(max(ts["month"].max(), 1)))
    for ax in fig.axes:
        if tuple(float(x) for x in ax.get_xlim()) == span:
            ax.set_xlim(0, max(months, 1))
    return fig


def chart(
    draw: Callable[..., Figure],
    model: ReturnModel,
    ts: pd.DataFrame,
    *,
    height: float = CHART_SIZE[1],
    **kw: Any,
) -> Figure:
    """One of the run's charts (``plots.stocks``, ``plots.flows``...) for the page."""
    fig = draw(ts, title=model.spec.name, start_year=model.spec["scenario.start_year"], **kw)
    return sized(fig, model.months, ts, height)


def place_map(model: ReturnModel) -> Figure:
    """The places network: colour is security, size is households present; units around."""
    places = model.places
    names = places.names
    xy = np.array([places.pos[n] for n in names], dtype=float)
    present = np.asarray(model.tally.households, dtype=float)
    fig = Figure(figsize=(7.0, 5.2), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for r in model.spec.routes:
        a, b = xy[places.index[r["from"]]], xy[places.index[r["to"]]]
        ax.plot([a[0], b[0]], [a[1], b[1]], color="#999999", lw=1.2, zorder=1)
        mid = (a + b) / 2
        ax.text(*mid, f"{r['km']:g} km", fontsize=7, color="#777777", ha="center", zorder=1)
    total = max(float(model.pop.n), 1.0)
    sizes = 80 + 2400 * np.sqrt(present / total)
    norm = Normalize(0.0, 1.0)
    dots = ax.scatter(
        xy[:, 0],
        xy[:, 1],
        s=sizes,
        c=places.security,
        cmap=SECURITY_CMAP,
        norm=norm,
        edgecolors="#333333",
        linewidths=[2.5 if a else 0.8 for a in places.abroad],
        zorder=2,
    )
    for i, name in enumerate(names):
        ax.annotate(
            f"{name}\n{present[i]:,.0f} hh",
            xy[i],
            xytext=(0, -np.sqrt(sizes[i]) / 2 - 4),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=8,
            zorder=4,
        )
    _draw_units(ax, model, xy)
    span = np.ptp(xy, axis=0) if len(xy) > 1 else np.ones(2)
    pad = 0.18 * np.maximum(span, 0.2)
    ax.set_xlim(xy[:, 0].min() - pad[0], xy[:, 0].max() + pad[0])
    ax.set_ylim(xy[:, 1].min() - 1.4 * pad[1], xy[:, 1].max() + pad[1])
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"{model.spec.name}: places at month {model.steps}")
    bar = fig.colorbar(dots, ax=ax, shrink=0.6, pad=0.01)
    bar.set_label("Security (0 violent, 1 safe)")
    handles = [
        Line2D([], [], marker=m, color=c, ls="", markersize=7, label=label)
        for m, c, label in UNIT_STYLE.values()
    ]
    handles.append(
        Line2D([], [], marker="o", color="#cccccc", mec="#333333", mew=2.5, ls="", ms=9,
               label="Abroad")
    )  # fmt: skip
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=8, frameon=False)
    return fig


def _draw_units(ax: Any, model: ReturnModel, xy: np.ndarray) -> None:
    """Peacekeeping units as small markers in a ring around their place."""
    by_place: dict[int, list[Arm]] = {}
    for arm, units in model.mission.units.items():
        for unit in units:
            if unit.place >= 0:
                by_place.setdefault(int(unit.place), []).append(arm)
    for place, arms in by_place.items():
        n = len(arms)
        radius = 0.045 + 0.004 * min(n, 20)
        for k, arm in enumerate(arms):
            angle = np.pi / 2 + 2 * np.pi * k / n
            x = xy[place, 0] + radius * np.cos(angle)
            y = xy[place, 1] + radius * np.sin(angle)
            marker, colour, _ = UNIT_STYLE[arm]
            ax.plot(x, y, marker=marker, color=colour, markersize=6, mec="white", zorder=3)


def compare(a: ReturnModel, b: ReturnModel) -> Figure:
    """Two runs side by side: households by status, and returns and flight per month."""
    ta, tb = timeseries(a), timeseries(b)
    fig = Figure(figsize=(10.0, 5.6), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 2, sharex=True, sharey="row")
    top = max(float(t[list(plots.STOCKS)].sum(axis=1).max()) for t in (ta, tb)) or 1.0
    for col, (ts, label) in enumerate(((ta, "Mix A"), (tb, "Mix B"))):
        ax = axes[0, col]
        ax.stackplot(
            ts["month"],
            [ts[c] for c in plots.STOCKS],
            labels=[v[0] for v in plots.STOCKS.values()],
            colors=[v[1] for v in plots.STOCKS.values()],
            alpha=0.9,
        )
        ax.set_ylim(0, top)
        ax.set_title(f"{label}: households by status")
        low = axes[1, col]
        for c in ("new_displacements", "new_returns", "redisplacements"):
            name, colour = plots.FLOWS[c]
            low.plot(ts["month"], ts[c], color=colour, label=name)
        low.set_title(f"{label}: per month")
        low.set_xlabel("Month")
        for axis in (ax, low):
            axis.grid(True, alpha=0.3)
            axis.set_xlim(0, max(a.months, 1))
    axes[0, 0].set_ylabel("Households")
    axes[1, 0].set_ylabel("Households per month")
    handles, labels = axes[0, 1].get_legend_handles_labels()
    axes[0, 1].legend(handles[::-1], labels[::-1], fontsize=7, loc="upper right")
    axes[1, 1].legend(fontsize=7, loc="upper right")
    return fig
