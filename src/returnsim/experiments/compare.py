"""Intervention mixes against the baseline: which is worth the money.

Every mix runs with the same seeds as the baseline (replicate r uses seed +
r for all), so each replicate gives a *paired* difference in which the
random numbers that are not about the mix cancel out. For every metric and
mix the table gives the mean paired difference with a Student t
confidence interval (``differences``).

Cost-effectiveness (``cost_effectiveness``) divides the mean extra cost by
the mean extra effect, for each effect of the spec's ``[compare] effects``
(by default households sustainably reintegrated, and households back home
at the end): the cost per additional sustainably reintegrated household or
per additional return. Its interval is a paired bootstrap over replicates
(reported only when every resample gains). A mix that gains nothing has
no cost per gain; one that gains and costs no more *dominates*. For each
metric of ``[compare] averted`` (fewer is better; by default deaths,
``mortality.deaths_total``) the table gives what the mix averts (the paired
reduction, ``METRIC_averted``) and the extra cost per unit averted
(``cost_per_METRIC_averted``: the cost per death averted).

The ranking orders mixes by the first effect: dominant mixes first, then
mixes whose gain is clear (interval above zero) by cost per gain, then
uncertain gains, then mixes with no gain. The frontier keeps the options
(baseline included) that no other option or combination of neighbours
beats on both cost and effect (strong and extended dominance removed);
along it, the incremental cost per extra unit of effect rises.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from returnsim.errors import InputError
from returnsim.experiments.analysis import (
    _records_json,
    load_results,
    replicate_matrix,
    series_cube,
)
from returnsim.experiments.store import Store
from returnsim.output import atomic_dir

#: What a metric counts, in words with its unit: (plural, one unit of it).
UNITS = {
    "sustainably_reintegrated": (
        "households sustainably reintegrated",
        "household sustainably reintegrated",
    ),
    "returned": ("households back home", "household back home"),
    "still_displaced": ("households still displaced", "household still displaced"),
    "ever_displaced": ("households ever displaced", "household ever displaced"),
    "returns_total": ("returns (households)", "return"),
    "redisplacements_total": ("re-displacements (households)", "re-displacement"),
    "person_months_exposed": ("person-months exposed to violence", "person-month exposed"),
    "mortality.deaths_total": ("deaths (persons)", "death"),
}


def units(metric: str) -> tuple[str, str]:
    """(plural, singular) words for a metric with its unit, e.g. ("households back home",
    "household back home"); shares, costs and deaths by their kind, else the name."""
    if metric in UNITS:
        return UNITS[metric]
    last = metric.rsplit(".", 1)[-1]
    if last.endswith(("_share", "_rate")) or "share" in last:
        return f"{metric} (share)", f"unit of {metric}"
    if "cost" in last or "spending" in last:
        return f"{metric} (USD)", f"USD of {metric}"
    if metric.startswith("mortality.deaths"):
        return f"{metric} (deaths)", f"death ({metric})"
    return metric, f"unit of {metric}"


BOOTSTRAP = 2000
BOOTSTRAP_SEED = 20240501


def paired_difference(base: np.ndarray, other: np.ndarray, confidence: float) -> dict[str, Any]:
    """Mean of ``other - base`` over paired replicates with a t interval."""
    from scipy import stats

    d = np.asarray(other, dtype=float) - np.asarray(base, dtype=float)
    n = len(d)
    mean = float(d.mean())
    sd = float(d.std(ddof=1)) if n > 1 else math.nan
    se = sd / math.sqrt(n) if n > 1 else math.nan
    if n > 1 and se > 0:
        half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * se
        p = float(2 * stats.t.sf(abs(mean) / se, n - 1))
    elif n > 1:  # every pair differs by the same amount
        half, p = 0.0, (1.0 if mean == 0 else 0.0)
    else:
        half, p = math.nan, math.nan
    b = float(np.mean(base))
    return {
        "baseline_mean": b,
        "mix_mean": float(np.mean(other)),
        "difference": mean,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "relative": mean / b if b else None,
        "p_value": p,
        "n": n,
    }


def ratio_interval(
    d_cost: np.ndarray, d_effect: np.ndarray, confidence: float
) -> tuple[float | None, float | None]:
    """Percentile bootstrap interval of mean(d_cost) / mean(d_effect) over paired replicates.

    None when some resample has no gain (the ratio is then not a cost per gain).
    """
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    n = len(d_cost)
    idx = rng.integers(0, n, size=(BOOTSTRAP, n))
    gain = d_effect[idx].mean(axis=1)
    if np.any(gain <= 0):
        return None, None
    ratio = d_cost[idx].mean(axis=1) / gain
    alpha = (1 - confidence) / 2
    return float(np.quantile(ratio, alpha)), float(np.quantile(ratio, 1 - alpha))


def frontier(cost: dict[str, float], effect: dict[str, float]) -> dict[str, float | None]:
    """Options on the cost-effectiveness frontier -> incremental cost per unit of effect.

    The cheapest option starts the frontier (its value is None); options
    strongly or extendedly dominated are left out.
    """
    names = sorted(cost, key=lambda n: (cost[n], -effect[n]))
    kept: list[str] = []
    for n in names:
        if kept and effect[n] <= effect[kept[-1]]:
            continue  # costs at least as much for no more effect
        kept.append(n)
        # extended dominance: ICERs must rise along the frontier
        while len(kept) >= 3:
            a, b, c = kept[-3:]
            icer_ab = (cost[b] - cost[a]) / (effect[b] - effect[a])
            icer_bc = (cost[c] - cost[b]) / (effect[c] - effect[b])
            if icer_ab > icer_bc:
                kept.pop(-2)
            else:
                break
    out: dict[str, float | None] = {kept[0]: None}
    for a, b in itertools.pairwise(kept):
        out[b] = (cost[b] - cost[a]) / (effect[b] - effect[a])
    return out


def compare(folder: str | Path) -> dict[str, Any]:
    """The comparison tables of a compare folder (DataFrames) and its settings."""
    store = Store(folder)
    manifest, design, runs = load_results(store)
    if manifest.get("kind") != "compare":
        raise InputError(
            f"{folder}: a {manifest.get('kind')} folder (compare needs a compare folder)"
        )
    opts = manifest["compare"]
    confidence = float(opts["confidence"])
    labels = design["label"].tolist()
    reps = manifest["replicates"]
    base_label, mixes = labels[0], labels[1:]
    y = {m: replicate_matrix(runs, m, len(labels), reps) for m in manifest["metrics"]}

    diff_rows = []
    for metric, values in y.items():
        for i, mix in enumerate(mixes, start=1):
            ok = ~(np.isnan(values[0]) | np.isnan(values[i]))
            if ok.sum() < 2:
                continue
            row = paired_difference(values[0][ok], values[i][ok], confidence)
            diff_rows.append({"metric": metric, "mix": mix, **row})
    differences = pd.DataFrame(diff_rows)

    cost_name = opts["cost"]
    effects = list(opts["effects"])
    averted = list(opts.get("averted", []))
    cost = y[cost_name]
    ce_rows = []
    for i, label in enumerate(labels):
        d_cost = cost[i] - cost[0]
        cd = paired_difference(cost[0], cost[i], confidence)
        row: dict[str, Any] = {
            "mix": label,
            "cost": float(cost[i].mean()),
            "cost_difference": cd["difference"],
            "cost_difference_ci_low": cd["ci_low"],
            "cost_difference_ci_high": cd["ci_high"],
        }
        for e in effects:
            row[e] = float(y[e][i].mean())
            _gain(row, y[e], i, d_cost, confidence, f"{e}_difference", f"cost_per_additional_{e}")
        for a in averted:  # fewer is better: the gain is the reduction
            _gain(row, -y[a], i, d_cost, confidence, f"{a}_averted", f"cost_per_{a}_averted")
        ce_rows.append(row)
    ce = pd.DataFrame(ce_rows)

    primary = effects[0]
    ce["verdict"] = [_verdict(r, primary) if i else "baseline" for i, r in ce.iterrows()]
    ce["rank"] = pd.array(_ranks(ce, primary), dtype="Int64")
    for e in effects:
        front = frontier(
            dict(zip(ce["mix"], ce["cost"], strict=True)), dict(zip(ce["mix"], ce[e], strict=True))
        )
        ce[f"on_frontier_{e}"] = ce["mix"].isin(front)
        ce[f"frontier_icer_{e}"] = ce["mix"].map(front)
    ce = ce.sort_values("rank", na_position="first", kind="stable").reset_index(drop=True)
    info = {
        "baseline": base_label,
        "mixes": {m: manifest["mixes"].get(m, {}) for m in labels},
        "cost": cost_name,
        "effects": effects,
        "averted": averted,
        "confidence": confidence,
        "replicates": reps,
        "seeds": manifest["seeds"],
        "households": manifest["scenario"]["households"],
        "months": manifest["scenario"]["months"],
        "series": list(manifest.get("series", [])),
    }
    out = {"differences": differences, "cost_effectiveness": ce, "_info": info}
    cube = series_cube(store, runs, len(labels), reps)
    if cube:
        out["trajectories"] = trajectories(cube, labels, confidence)
    return out


def trajectories(cube: dict[str, np.ndarray], labels: list[str], confidence: float) -> pd.DataFrame:
    """Month by month, per kept series and mix: the mean and 5-95% range over the seeds,
    and the mean paired difference from the baseline (the first label) with its t interval."""
    from scipy import stats

    rows = []
    for column, y in cube.items():  # y: (mixes, replicates, months)
        n = np.isfinite(y).sum(axis=1)
        mean = np.nanmean(y, axis=1)
        q05, q95 = np.nanquantile(y, [0.05, 0.95], axis=1)
        d = y - y[:1]
        dm = np.nanmean(d, axis=1)
        se = np.nanstd(d, axis=1, ddof=1) / np.sqrt(np.maximum(n, 1))
        t = stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1))
        half = np.where(n > 1, t * se, np.nan)
        for i, mix in enumerate(labels):
            for month in range(y.shape[2]):
                rows.append({
                    "variable": column, "mix": mix, "month": month, "n": int(n[i, month]),
                    "mean": mean[i, month], "q05": q05[i, month], "q95": q95[i, month],
                    "difference": dm[i, month] if i else 0.0,
                    "ci_low": dm[i, month] - half[i, month] if i else 0.0,
                    "ci_high": dm[i, month] + half[i, month] if i else 0.0,
                })  # fmt: skip
    return pd.DataFrame(rows)


def _gain(
    row: dict[str, Any],
    values: np.ndarray,
    i: int,
    d_cost: np.ndarray,
    confidence: float,
    gain: str,
    per: str,
) -> None:
    """Mix ``i``'s paired gain over the baseline (row 0) in ``values`` with its interval
    (``gain``, ``gain_ci_low``, ``gain_ci_high``) and the extra cost per unit gained (``per``,
    with a bootstrap interval; None without a gain)."""
    g = paired_difference(values[0], values[i], confidence)
    row[gain], row[f"{gain}_ci_low"], row[f"{gain}_ci_high"] = (
        g["difference"],
        g["ci_low"],
        g["ci_high"],
    )
    if i > 0 and g["difference"] > 0:
        row[per] = float(d_cost.mean()) / g["difference"]
        row[f"{per}_ci_low"], row[f"{per}_ci_high"] = ratio_interval(
            d_cost, values[i] - values[0], confidence
        )
    else:
        row[per] = row[f"{per}_ci_low"] = row[f"{per}_ci_high"] = None


def _verdict(row: pd.Series, effect: str) -> str:
    gain = row[f"{effect}_difference"]
    low = row[f"{effect}_difference_ci_low"]
    if gain > 0 and row["cost_difference"] <= 0:
        return "dominant"
    if gain > 0 and low > 0:
        return "gain"
    if gain > 0:
        return "uncertain gain"
    return "no gain"


def _ranks(ce: pd.DataFrame, effect: str) -> list[int | None]:
    order = {"dominant": 0, "gain": 1, "uncertain gain": 2, "no gain": 3}
    per = f"cost_per_additional_{effect}"
    keyed = []
    for i, r in ce.iterrows():
        if r["verdict"] == "baseline":
            continue
        group = order[r["verdict"]]
        if group == 0:
            key = (group, -r[f"{effect}_difference"])
        elif group in (1, 2):
            key = (group, r[per])
        else:
            key = (group, -r[f"{effect}_difference"])
        keyed.append((key, i))
    ranks: list[int | None] = [None] * len(ce)
    for rank, (_, i) in enumerate(sorted(keyed), start=1):
        ranks[i] = rank
    return ranks


def headline(folder: str | Path) -> str:
    """One sentence: the best-ranked mix and what it buys."""
    path = Path(folder) / "analysis" / "cost_effectiveness.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    info = json.loads((Path(folder) / "analysis" / "compare.json").read_text(encoding="utf-8"))
    e = info["effects"][0]
    best = next((r for r in rows if r["rank"] == 1), None)
    if best is None:
        return "No mix to rank."
    gain = best[f"{e}_difference"]
    low, high = best[f"{e}_difference_ci_low"], best[f"{e}_difference_ci_high"]
    per = best[f"cost_per_additional_{e}"]
    many, one = units(e)
    tail = f", USD {per:,.0f} per additional {one}" if per is not None and per > 0 else ""
    return (
        f"Ranked first: {best['mix']} ({best['verdict']}): {gain:+,.0f} {many} "
        f"({low:+,.0f} to {high:+,.0f}, {info['confidence']:.0%} interval) against "
        f"{info['baseline']}, for USD {best['cost_difference']:+,.0f}{tail}."
    )


def write(folder: str | Path) -> list[str]:
    """Compare a compare folder and write tables (CSV, JSON) and figures to its analysis/."""
    folder = Path(folder)
    result = compare(folder)
    written = []
    with atomic_dir(folder / "analysis") as tmp:
        for name in ("cost_effectiveness", "differences"):
            df = result[name]
            df.to_csv(tmp / f"{name}.csv", index=False)
            (tmp / f"{name}.json").write_text(_records_json(df) + "\n", encoding="utf-8")
            written += [f"{name}.csv", f"{name}.json"]
        (tmp / "compare.json").write_text(
            json.dumps(result["_info"], indent=2) + "\n", encoding="utf-8"
        )
        written.append("compare.json")
        fig_frontier(result).savefig(tmp / "frontier.png", dpi=110)
        fig_differences(result).savefig(tmp / "differences.png", dpi=110)
        written += ["frontier.png", "differences.png"]
        if "trajectories" in result:
            result["trajectories"].to_csv(tmp / "trajectories.csv", index=False)
            fig_trajectories(result).savefig(tmp / "trajectories.png", dpi=110)
            written += ["trajectories.csv", "trajectories.png"]
    return written


# ---------------------------------------------------------------- figures
def fig_frontier(result: dict[str, Any]) -> Figure:
    """Extra cost against extra effect of each mix over the baseline, and the frontier.

    One panel per effect.

    The cost axis turns logarithmic (symmetric log, linear near 0) when the
    mixes' extra costs span more than two orders of magnitude.
    """
    ce = result["cost_effectiveness"]
    info = result["_info"]
    effects = info["effects"]
    fig = Figure(figsize=(7.5, 4.2 * len(effects)), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(effects), 1, squeeze=False)[:, 0]
    dc = ce["cost_difference"].to_numpy(dtype=float)
    nonzero = np.abs(dc[dc != 0])
    log = len(nonzero) > 0 and nonzero.max() / nonzero.min() > 100
    for ax, e in zip(axes, effects, strict=True):
        de = ce[f"{e}_difference"].to_numpy(dtype=float)
        xerr = np.vstack(
            [dc - ce["cost_difference_ci_low"], ce["cost_difference_ci_high"] - dc]
        ).astype(float)
        yerr = np.vstack(
            [de - ce[f"{e}_difference_ci_low"], ce[f"{e}_difference_ci_high"] - de]
        ).astype(float)
        ax.errorbar(dc, de, xerr=np.nan_to_num(xerr), yerr=np.nan_to_num(yerr), fmt="none",
                    ecolor="#aaaaaa", capsize=2)  # fmt: skip
        on = ce[f"on_frontier_{e}"].to_numpy(dtype=bool)
        ax.scatter(dc[~on], de[~on], color="#7570b3", zorder=3, label="off the frontier")
        ax.scatter(dc[on], de[on], color="#1b9e77", zorder=4, label="on the frontier")
        order = np.argsort(dc[on])
        ax.plot(dc[on][order], de[on][order], color="#1b9e77", lw=1.2)
        for x, y, name in zip(dc, de, ce["mix"], strict=True):
            ax.annotate(name, (x, y), fontsize=8, xytext=(4, 4), textcoords="offset points")
        ax.axhline(0, color="#999999", lw=0.6, ls=":")
        ax.axvline(0, color="#999999", lw=0.6, ls=":")
        if log:
            ax.set_xscale("symlog", linthresh=float(nonzero.min()))
            if dc.min() >= 0:
                ax.set_xlim(left=-float(nonzero.min()))
        seeds = info["replicates"]
        ax.set_xlabel(f"extra {info['cost']} vs {info['baseline']} (USD, mean over {seeds} seeds)")
        ax.set_ylabel(f"extra {e}")
        ax.set_title(f"Cost-effectiveness frontier: {e}", fontsize=10, loc="left")
        ax.legend(fontsize=8, loc="best")
    return fig


def fig_differences(result: dict[str, Any]) -> Figure:
    """Each mix's paired difference from the baseline with its interval, one panel per metric."""
    df = result["differences"]
    info = result["_info"]
    metrics = list(dict.fromkeys(df["metric"]))
    fig = Figure(figsize=(7.5, max(3.0, 1.6 + 0.35 * df["mix"].nunique()) * len(metrics) / 1.6),
                 layout="constrained")  # fmt: skip
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(metrics), 1, squeeze=False)[:, 0]
    for ax, metric in zip(axes, metrics, strict=True):
        sub = df[df["metric"] == metric]
        pos = np.arange(len(sub))
        err = np.vstack([sub["difference"] - sub["ci_low"], sub["ci_high"] - sub["difference"]])
        colours = ["#1b9e77" if lo > 0 else "#d95f02" if hi < 0 else "#999999"
                   for lo, hi in zip(sub["ci_low"], sub["ci_high"], strict=True)]  # fmt: skip
        ax.errorbar(sub["difference"], pos, xerr=np.nan_to_num(err), fmt="none", ecolor="#555555",
                    capsize=3)  # fmt: skip
        ax.scatter(sub["difference"], pos, color=colours, zorder=3)
        ax.set_yticks(pos, sub["mix"])
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.6)
        ax.set_title(f"{metric}: difference from {info['baseline']}", fontsize=10, loc="left")
    axes[-1].set_xlabel(f"paired difference, {100 * info['confidence']:.0f}% interval")
    return fig


def fig_trajectories(result: dict[str, Any]) -> Figure:
    """Per kept series: each mix by month (mean, 5-95% of seeds), and its paired difference
    from the baseline with the interval."""
    df = result["trajectories"]
    info = result["_info"]
    columns = list(dict.fromkeys(df["variable"]))
    mixes = list(dict.fromkeys(df["mix"]))
    colours = dict(zip(mixes, _PALETTE * (len(mixes) // len(_PALETTE) + 1), strict=False))
    fig = Figure(figsize=(11, 3.2 * len(columns)), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(columns), 2, squeeze=False)
    pct = f"{100 * info['confidence']:.0f}%"
    for (left, right), column in zip(axes, columns, strict=True):
        for mix in mixes:
            sub = df[(df["variable"] == column) & (df["mix"] == mix)]
            c = colours[mix]
            left.fill_between(sub["month"], sub["q05"], sub["q95"], color=c, alpha=0.12)
            left.plot(sub["month"], sub["mean"], color=c, lw=1.6, label=mix)
            if mix == info["baseline"]:
                continue
            right.fill_between(sub["month"], sub["ci_low"], sub["ci_high"], color=c, alpha=0.2)
            right.plot(sub["month"], sub["difference"], color=c, lw=1.6, label=mix)
        left.set_title(f"{column}: mean and 5-95% of {info['replicates']} seeds", fontsize=10,
                       loc="left")  # fmt: skip
        right.set_title(f"{column}: mix minus {info['baseline']} (same seeds), {pct} interval",
                        fontsize=10, loc="left")  # fmt: skip
        right.axhline(0, color="black", lw=0.6)
        for ax in (left, right):
            ax.set_xlabel("month")
            ax.grid(True, alpha=0.3)
    axes[0][0].legend(fontsize=8, loc="best")
    return fig


_PALETTE = ["#444444", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d"]
