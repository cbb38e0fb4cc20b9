"""Scenario discovery: in which futures does a policy fail?

``returnsim discover DIR --metric M --threshold T`` reads a finished sweep, marks the
design points whose metric (the mean over their replicates) falls below ``T`` (``--above``:
rises above it) as failures, and finds with PRIM, the Patient Rule Induction Method
(Friedman and Fisher 1999) as EMA Workbench implements it (``ema_workbench.analysis.prim``,
the scenario-discovery tool of robust decision making, Bryant and Lempert 2010), the box of
the swept uncertainties (every swept parameter when none is marked an uncertainty) where
failures concentrate.

The peeling trajectory trades coverage (the share of all failures inside the box) against
density (the share of failures among the points inside). The box reported is the first on
the trajectory with density at least ``--density`` (default 0.8), else the densest. Written
to ``DIR/discover/``: ``trajectory.csv``, ``box.json`` (coverage, density, mass and the
limits of each restricted parameter beside its swept range) and ``tradeoff.png``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from returnsim.errors import InputError
from returnsim.experiments.analysis import load_results, replicate_matrix
from returnsim.experiments.store import Store
from returnsim.output import atomic_dir, write_json


def discover(
    folder: str | Path, metric: str, threshold: float, *, above: bool = False, density: float = 0.8
) -> dict[str, Any]:
    """The PRIM box of the sweep in ``folder`` where ``metric`` fails ``threshold``."""
    store = Store(folder)
    manifest, design, runs = load_results(store)
    if manifest.get("kind") != "sweep":
        raise InputError(f"{folder}: a {manifest.get('kind')} folder (discover needs a sweep)")
    if metric not in manifest["metrics"]:
        raise InputError(
            f"--metric {metric}: not a metric of {folder} "
            f"(allowed: {', '.join(manifest['metrics'])})"
        )
    names = manifest.get("uncertainties") or [p["name"] for p in manifest["parameters"]]
    x = design[names].astype(float)
    y = np.nanmean(replicate_matrix(runs, metric, len(design), manifest["replicates"]), axis=1)
    fails = y > threshold if above else y < threshold
    word = "above" if above else "below"
    if not fails.any() or fails.all():
        share = "every" if fails.all() else "no"
        raise InputError(
            f"--threshold {threshold:g}: {share} design point has {metric} {word} it "
            f"(the sweep's range: {np.nanmin(y):g} to {np.nanmax(y):g}); choose one inside"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        box = prim.Prim(x, fails).find_box()
    trajectory = box.peeling_trajectory.reset_index(drop=True)
    good = np.flatnonzero(trajectory["density"].to_numpy() >= density)
    chosen = int(good[0]) if len(good) else int(trajectory["density"].to_numpy().argmax())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box.select(chosen)
    limits = box.box_lim
    ranges = {p["name"]: (p["low"], p["high"]) for p in manifest["parameters"]}
    restricted = {}
    for name in names:
        low, high = float(limits[name].iloc[0]), float(limits[name].iloc[1])
        full = ranges.get(name, (float(x[name].min()), float(x[name].max())))
        if low > x[name].min() or high < x[name].max():
            restricted[name] = {"low": low, "high": high, "swept": list(full)}
    row = trajectory.iloc[chosen]
    return {
        "metric": metric,
        "threshold": threshold,
        "fails_when": word,
        "points": len(y),
        "failures": int(fails.sum()),
        "parameters": names,
        "box": {
            "index": chosen,
            "coverage": float(row["coverage"]),
            "density": float(row["density"]),
            "mass": float(row["mass"]),
            "restricted": restricted,
        },
        "_trajectory": trajectory,
    }


def fig_tradeoff(result: dict[str, Any]) -> Figure:
    """Coverage against density along the peeling trajectory; the chosen box marked."""
    t, b = result["_trajectory"], result["box"]
    fig = Figure(figsize=(6.5, 4.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    sc = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18)
    fig.colorbar(sc, ax=ax, label="parameters restricted")
    ax.scatter([b["coverage"]], [b["density"]], s=120, facecolors="none", edgecolors="#d95f02")
    ax.set_xlabel("Coverage (share of all failures in the box)")
    ax.set_ylabel("Density (share of failures in the box)")
    ax.set_title(
        f"PRIM: where {result['metric']} is {result['fails_when']} {result['threshold']:g}",
        loc="left",
        fontsize=10,
    )
    ax.grid(True, alpha=0.3)
    return fig


def write(folder: str | Path, metric: str, threshold: float, **kw: Any) -> dict[str, Any]:
    """Discover and write ``DIR/discover/``; return the result (JSON-ready)."""
    result = discover(folder, metric, threshold, **kw)
    with atomic_dir(Path(folder) / "discover") as tmp:
        result["_trajectory"].to_csv(tmp / "trajectory.csv", index=False)
        fig_tradeoff(result).savefig(tmp / "tradeoff.png", dpi=110)
        out = {k: v for k, v in result.items() if not k.startswith("_")}
        write_json(tmp / "box.json", out)
    return out


def lines(result: dict[str, Any]) -> list[str]:
    """What to tell the user."""
    b = result["box"]
    head = (
        f"{result['failures']} of {result['points']} design points have {result['metric']} "
        f"{result['fails_when']} {result['threshold']:g}. PRIM box: coverage {b['coverage']:.0%}"
        f", density {b['density']:.0%} ({b['mass']:.0%} of the points), where"
    )
    return [head] + [
        f"  {name} in {r['low']:g} .. {r['high']:g} (swept {r['swept'][0]:g} .. {r['swept'][1]:g})"
        for name, r in b["restricted"].items()
    ]
