"""Figures of a run from its monthly time series (``timeseries.csv``).

Each function takes the time series as a pandas DataFrame (columns as in
``model.REPORTERS``) and returns a matplotlib Figure drawn with the Agg
backend (no display needed); :func:`save` writes it as PNG.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: Stocks by status, bottom to top of the stacked area, with labels and colours.
STOCKS = {
    "at_origin": ("At home, never displaced", "#b8b8b8"),
    "returned": ("Returned home", "#1b9e77"),
    "settled_elsewhere": ("Settled elsewhere", "#7570b3"),
    "internally_displaced": ("Internally displaced", "#d95f02"),
    "refugees": ("Refugees", "#e7298a"),
}

FLOWS = {
    "new_displacements": ("New displacements", "#d95f02"),
    "new_returns": ("Returns home", "#1b9e77"),
    "returns_elsewhere": ("Returns elsewhere", "#7570b3"),
    "redisplacements": ("Redisplacements of returnees", "#e7298a"),
}

CONDITIONS = {
    "mean_security": ("Security", "#1b9e77"),
    "mean_services": ("Services", "#7570b3"),
    "mean_livelihood": ("Livelihood", "#e6ab02"),
}


def _figure(rows: int, height_ratios: list[float] | None = None) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=(10, 3.2 + 2.2 * rows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False, height_ratios=height_ratios)
    return fig, list(axes[:, 0])


def _month_axis(ax: Axes, ts: pd.DataFrame, start_year: int | None, *, top: bool) -> None:
    """Months on the bottom axis, and calendar years on top when ``start_year`` is given."""
    ax.set_xlim(ts["month"].min(), max(ts["month"].max(), 1))
    ax.grid(True, alpha=0.3)
    if top and start_year is not None:
        years = ax.secondary_xaxis(
            "top", functions=(lambda m: start_year + m / 12.0, lambda y: (y - start_year) * 12.0)
        )
        years.set_xlabel("Year")
        years.xaxis.get_major_locator().set_params(integer=True)


def _peacekeepers(ax: Axes, ts: pd.DataFrame) -> None:
    """Conflict level (left) and uniformed peacekeepers deployed (right) over time."""
    ax.step(
        ts["month"], ts["conflict_level"], where="post", color="#a50f15", label="Conflict level"
    )
    ax.set_ylabel("Conflict level\n(0 peace, 1 war)")
    ax.set_ylim(bottom=0)
    twin = ax.twinx()
    twin.plot(
        ts["month"], ts["peacekeepers_deployed"], color="#2166ac", label="Peacekeepers deployed"
    )
    twin.set_ylabel("Troops + police")
    twin.set_ylim(bottom=0)
    lines = ax.get_lines() + twin.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="upper right", fontsize="small")


def stocks(ts: pd.DataFrame, *, title: str = "", start_year: int | None = None) -> Figure:
    """Households by status over time (stacked), over the conflict level and peacekeepers."""
    fig, (ax, low) = _figure(2, height_ratios=[3, 1])
    cols = [c for c in STOCKS if c in ts]
    ax.stackplot(
        ts["month"],
        [ts[c] for c in cols],
        labels=[STOCKS[c][0] for c in cols],
        colors=[STOCKS[c][1] for c in cols],
        alpha=0.9,
    )
    ax.set_ylabel("Households")
    ax.set_ylim(0, float(ts[cols].sum(axis=1).max()) or 1.0)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.set_title(f"Households by status — {title}" if title else "Households by status")
    _month_axis(ax, ts, start_year, top=True)
    _peacekeepers(low, ts)
    _month_axis(low, ts, start_year, top=False)
    low.set_xlabel("Month")
    return fig


def flows(ts: pd.DataFrame, *, title: str = "", start_year: int | None = None) -> Figure:
    """Monthly flows: leaving (new displacements, redisplacements) and coming back.

    Two panels with their own scales, so that returns stay readable next to a
    wave of flight.
    """
    fig, (top, low) = _figure(2)
    for ax, cols in (
        (top, ("new_displacements", "redisplacements")),
        (low, ("new_returns", "returns_elsewhere")),
    ):
        for col in cols:
            if col in ts:
                label, colour = FLOWS[col]
                ax.plot(ts["month"], ts[col], label=label, color=colour)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper right")
    top.set_ylabel("Fleeing\n(households per month)")
    low.set_ylabel("Coming back\n(households per month)")
    top.set_title(f"Movements per month — {title}" if title else "Movements per month")
    _month_axis(top, ts, start_year, top=True)
    _month_axis(low, ts, start_year, top=False)
    low.set_xlabel("Month")
    return fig


def conditions(ts: pd.DataFrame, *, title: str = "", start_year: int | None = None) -> Figure:
    """Violence, mean conditions at origin areas, and peacekeepers deployed."""
    fig, (top, mid, low) = _figure(3)
    top.bar(ts["month"], ts["violence"], width=1.0, color="#a50f15", label="Violent events")
    top.set_ylabel("Events per month")
    top.legend(loc="upper right")
    top.set_title(
        f"Violence and conditions at home areas — {title}"
        if title
        else "Violence and conditions at home areas"
    )
    for col, (label, colour) in CONDITIONS.items():
        if col in ts:
            mid.plot(ts["month"], ts[col], label=label, color=colour)
    mid.set_ylabel("Index (0-1), mean\nover home areas")
    mid.set_ylim(0, 1.02)
    mid.legend(loc="lower right")
    low.plot(ts["month"], ts["troops_deployed"], label="Troops", color="#2166ac")
    low.plot(ts["month"], ts["police_deployed"], label="Police", color="#67a9cf")
    low.set_ylabel("Peacekeepers deployed")
    low.set_ylim(bottom=0)
    low.legend(loc="upper right")
    low.set_xlabel("Month")
    _month_axis(top, ts, start_year, top=True)
    _month_axis(mid, ts, start_year, top=False)
    _month_axis(low, ts, start_year, top=False)
    return fig


DIMENSIONS = {
    "reintegration_economic": ("Economic", "#e6ab02"),
    "reintegration_social": ("Social", "#7570b3"),
    "reintegration_psychosocial": ("Psychosocial", "#1b9e77"),
    "sustainably_reintegrated_share": ("Sustainably reintegrated (share)", "#000000"),
}


def reintegration(
    ts: pd.DataFrame,
    *,
    summary: dict | None = None,
    title: str = "",
    start_year: int | None = None,
) -> Figure:
    """Returnees' reintegration by dimension over time, and by group at the end."""
    fig, (ax, low) = _figure(2, height_ratios=[3, 2])
    for col, (label, colour) in DIMENSIONS.items():
        if col in ts:
            style = "--" if col.startswith("sustainably") else "-"
            ax.plot(ts["month"], ts[col], style, label=label, color=colour)
    ax.set_ylim(0, 1)
    ax.set_ylabel("Mean score of returnees (0-1)")
    ax.legend(loc="lower right", fontsize="small")
    ax.set_title(f"{title}: reintegration of returnees" if title else "Reintegration of returnees")
    _month_axis(ax, ts, start_year, top=True)
    low.set_xlabel("Month")
    low.remove()
    if summary:
        bars = fig.add_subplot(2, 1, 2)
        groups = {
            name: values
            for dim in summary.get("by_group", {}).values()
            for name, values in dim.items()
        }
        names = list(groups)
        x = range(len(names))
        width = 0.4
        for offset, key, label, colour in (
            (-width / 2, "returned_share", "Back home (of ever displaced)", "#1b9e77"),
            (width / 2, "sustainably_reintegrated_share", "Sustainably reintegrated", "#000000"),
        ):
            values = [groups[n].get(key) or 0.0 for n in names]
            bars.bar([i + offset for i in x], values, width, label=label, color=colour, alpha=0.8)
        bars.set_xticks(list(x), [n.replace("_", " ") for n in names], rotation=30, ha="right")
        bars.set_ylim(0, 1)
        bars.set_ylabel("Share at the end")
        bars.legend(loc="upper right", fontsize="small")
        bars.grid(True, axis="y", alpha=0.3)
    return fig


def spending(
    ts: pd.DataFrame,
    *,
    title: str = "",
    start_year: int | None = None,
    covers: str = "programmes",
) -> Figure:
    """Programme spending by lever per month (stacked) with the mission's monthly cost; below,
    what has been spent so far (programmes, the mission, both) and the budget left
    (``covers``: what the budget pays for)."""
    fig, (ax, low) = _figure(2, height_ratios=[3, 1.5])
    cols = [c for c in ts.columns if c.startswith("spending_") and ts[c].sum() > 0]
    mission = ts["peacekeeping_cost"]
    if cols:
        ax.stackplot(
            ts["month"],
            [ts[c] / 1e6 for c in cols],
            labels=[c.removeprefix("spending_").replace("_", " ") for c in cols],
            alpha=0.85,
        )
        ax.legend(loc="upper left", fontsize="small")
        ax.set_ylabel("Programmes, USD million per month")
    else:
        ax.text(0.5, 0.5, "No programme spending", transform=ax.transAxes, ha="center")
        ax.set_yticks([])
    if mission.sum() > 0:
        pk = ax.twinx()
        pk.plot(ts["month"], mission / 1e6, color="#1f4e9e", lw=2, label="Peacekeeping mission")
        pk.set_ylabel("Mission, USD million per month", color="#1f4e9e")
        pk.set_ylim(bottom=0)
        pk.legend(loc="upper right", fontsize="small")
    ax.set_title(f"{title}: spending, programmes and the mission" if title else "Spending")
    _month_axis(ax, ts, start_year, top=True)
    for column, label, colour in (
        ("total_spending", "Total so far", "#000000"),
        ("programme_spending", "Programmes so far", "#7570b3"),
        ("peacekeeping_cost", "Mission so far", "#1f4e9e"),
    ):
        low.plot(ts["month"], ts[column].cumsum() / 1e6, color=colour, label=label)
    remaining = ts["budget_remaining"]
    if remaining.iloc[0] < 1e11:
        low.plot(
            ts["month"], remaining / 1e6, color="#d95f02", label=f"Budget left (covers {covers})"
        )
    low.set_ylabel("USD million")
    low.set_yscale("symlog", linthresh=1.0)
    low.set_xlabel("Month")
    low.legend(loc="upper left", fontsize="small")
    _month_axis(low, ts, start_year, top=False)
    return fig


def save(fig: Figure, path: str | Path, *, dpi: int = 110) -> Path:
    """Write ``fig`` as PNG and return the path."""
    fig.savefig(path, dpi=dpi)
    return Path(path)
