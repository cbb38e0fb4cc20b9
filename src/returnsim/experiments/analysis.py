"""Sensitivity analysis of a sweep: which parameters matter, and how sure we are.

Each metric is averaged over the replicates of a design point (the
replicates share seeds across points, so the average removes much of the
seed's noise, which otherwise biases first-order indices down and
total-order indices up), then:

- ``sobol`` designs: first-order (S1: the share of the metric's variance a
  parameter explains alone) and total-order indices (ST: alone and through
  interactions), second-order (S2) when the design has them, with bootstrap
  confidence intervals (SALib.analyze.sobol);
- ``morris`` designs: mu* (mean absolute elementary effect of moving a
  parameter across its whole range: importance) and sigma (how much that
  effect varies: interactions or non-linearity) (SALib.analyze.morris);
- ``lhs`` designs: Spearman rank correlations and standardized regression
  coefficients;
- ``full_factorial`` and ``one_at_a_time`` designs: the mean metric at each
  level of each parameter and its swing (max - min).

For every design, the share of variance due to the seed: the mean variance
between replicates of a point over the variance of all runs
(``seed_share``), and over the variance of the point means that the
indices are computed from (``seed_share_of_means``, after averaging). For
Sobol and Morris designs, a convergence check recomputes the indices from
the first half of the base samples (trajectories) and reports how much
they move.

Every planned run must be present and ok: missing rows invalidate Sobol and
Morris estimates, so the analysis refuses and says how to finish the sweep.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from returnsim.errors import InputError
from returnsim.experiments.store import Store, frame
from returnsim.output import atomic_dir

#: Largest change of an index between half and full sample still called converged.
SOBOL_TOLERANCE = 0.05
#: Largest change of mu* (relative to the largest mu*) still called converged.
MORRIS_TOLERANCE = 0.10
LEVER_COLOUR, UNCERTAINTY_COLOUR = "#1b9e77", "#7570b3"


# --------------------------------------------------------------- the data
def load_results(store: Store) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """(manifest, design, runs in plan order) of a complete experiment folder.

    Raises InputError when a planned run is missing or failed.
    """
    manifest = store.manifest()
    con = store.connect()
    metrics = ", ".join(f'r."{m}"' for m in manifest["metrics"])
    runs = frame(
        con.sql(
            f"""SELECT p.point, p.replicate, p.seed, p.run_key, r.status, r.error, {metrics}
            FROM plan p LEFT JOIN runs r USING (run_key) ORDER BY p.point, p.replicate"""
        )
    )
    design = frame(con.sql("SELECT * FROM design ORDER BY point"))
    bad = runs[runs["status"].ne("ok") | runs["status"].isna()]
    if len(bad):
        failed = int(bad["status"].eq("failed").sum())
        first = bad.iloc[0]
        why = f": {first['error']}" if isinstance(first["error"], str) else " (not run yet)"
        command = "compare" if manifest.get("kind") == "compare" else "sweep"
        raise InputError(
            f"{store.root}: {len(bad)} of {len(runs)} planned runs are missing or failed "
            f"({failed} failed; first: point {first['point']} seed {first['seed']}{why}); "
            f"rerun `returnsim {command} {manifest['spec']['path']} --out {store.root}` to finish "
            "them (an analysis needs every design point)"
        )
    return manifest, design, runs


def replicate_matrix(runs: pd.DataFrame, metric: str, points: int, replicates: int) -> np.ndarray:
    """The metric as a (points, replicates) array (NaN where undefined)."""
    y = np.full((points, replicates), np.nan)
    values = pd.to_numeric(runs[metric], errors="coerce").to_numpy(dtype=float)
    y[runs["point"].to_numpy(), runs["replicate"].to_numpy()] = values
    return y


def series_cube(
    store: Store, runs: pd.DataFrame, points: int, replicates: int
) -> dict[str, np.ndarray]:
    """Each kept time series as a (points, replicates, months) array (NaN where missing)."""
    long = store.read_series().to_pandas()
    if long.empty:
        return {}
    where = runs.set_index("run_key")[["point", "replicate"]]
    long = long.join(where, on="run_key", how="inner")
    months = int(long["month"].max()) + 1
    out = {}
    for column, df in long.groupby("variable", sort=False):
        y = np.full((points, replicates, months), np.nan)
        y[df["point"].to_numpy(), df["replicate"].to_numpy(), df["month"].to_numpy()] = df["value"]
        out[str(column)] = y
    return out


NAMES = ("q05", "q25", "median", "q75", "q95")


def envelope(cube: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per kept series and month: the 5, 25, 50, 75 and 95% quantiles over every run."""
    rows = []
    for column, y in cube.items():
        flat = y.reshape(-1, y.shape[-1])
        q = np.nanquantile(flat, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
        runs = np.isfinite(flat).sum(axis=0)
        for month in range(y.shape[-1]):
            quantiles = dict(zip(NAMES, q[:, month].tolist(), strict=True))
            rows.append({"variable": column, "month": month, "runs": int(runs[month]), **quantiles})
    return pd.DataFrame(rows)


def seed_variance(y: np.ndarray) -> dict[str, Any]:
    """How much of a metric's variance is due to the seed (see the module docstring).

    ``y`` is (points, replicates). With one replicate the shares are None.
    """
    points, reps = y.shape
    total = float(np.var(y, ddof=1)) if y.size > 1 else 0.0
    means = y.mean(axis=1)
    between = float(np.var(means, ddof=1)) if points > 1 else 0.0
    if reps < 2:
        return {
            "replicates": reps,
            "total_variance": total,
            "seed_variance": None,
            "seed_share": None,
            "seed_share_of_means": None,
        }
    within = float(np.mean(np.var(y, axis=1, ddof=1)))
    return {
        "replicates": reps,
        "total_variance": total,
        "seed_variance": within,
        "seed_share": within / total if total > 0 else None,
        "seed_share_of_means": (within / reps) / between if between > 0 else None,
    }


# ------------------------------------------------------------------ Sobol
def sobol_indices(
    y: np.ndarray,
    names: list[str],
    *,
    second_order: bool,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """S1 and ST with confidence half-widths (and the S2 table) from Sobol-design outputs ``y``."""
    from SALib.analyze import sobol

    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    res = sobol.analyze(
        problem,
        np.asarray(y, dtype=float),
        calc_second_order=second_order,
        conf_level=confidence,
        seed=seed,
    )
    table = pd.DataFrame(
        {
            "parameter": names,
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )
    s2 = None
    if second_order:
        rows = []
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                rows.append(
                    {
                        "parameter_1": names[i],
                        "parameter_2": names[j],
                        "S2": res["S2"][i, j],
                        "S2_conf": res["S2_conf"][i, j],
                    }
                )
        s2 = pd.DataFrame(rows)
    return table, s2


def sobol_convergence(
    y: np.ndarray,
    names: list[str],
    *,
    samples: int,
    second_order: bool,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Indices from the first half of the base samples next to those from all of them."""
    block = (2 if second_order else 1) * len(names) + 2
    half = samples // 2
    full, _ = sobol_indices(y, names, second_order=second_order, confidence=confidence, seed=seed)
    part, _ = sobol_indices(
        y[: half * block], names, second_order=second_order, confidence=confidence, seed=seed
    )
    out = pd.DataFrame({"parameter": names})
    for index in ("S1", "ST"):
        out[f"{index}_half"] = part[index].to_numpy()
        out[index] = full[index].to_numpy()
        out[f"{index}_change"] = (full[index] - part[index]).abs().to_numpy()
    return out


# ----------------------------------------------------------------- Morris
def morris_indices(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    *,
    levels: int,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """mu, mu*, its confidence half-width and sigma, in units of the metric per whole range."""
    from SALib.analyze import morris

    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    with warnings.catch_warnings():  # sigma of a single trajectory is undefined (NaN)
        warnings.simplefilter("ignore", RuntimeWarning)
        res = morris.analyze(
            problem,
            np.asarray(x, dtype=float),
            np.asarray(y, dtype=float),
            num_levels=levels,
            conf_level=confidence,
            seed=seed,
        )
    return pd.DataFrame(
        {
            "parameter": names,
            "mu": np.asarray(res["mu"], dtype=float),
            "mu_star": np.asarray(res["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(res["mu_star_conf"], dtype=float),
            "sigma": np.asarray(res["sigma"], dtype=float),
        }
    )


def morris_convergence(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    *,
    levels: int,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """mu* from the first half of the trajectories next to mu* from all of them."""
    per = len(names) + 1
    half = (len(y) // per) // 2 * per
    full = morris_indices(x, y, names, levels=levels, confidence=confidence, seed=seed)
    part = morris_indices(
        x[:half], y[:half], names, levels=levels, confidence=confidence, seed=seed
    )
    scale = float(full["mu_star"].max()) or 1.0
    return pd.DataFrame(
        {
            "parameter": names,
            "mu_star_half": part["mu_star"].to_numpy(),
            "mu_star": full["mu_star"].to_numpy(),
            "mu_star_change": (full["mu_star"] - part["mu_star"]).abs().to_numpy() / scale,
        }
    )


# ------------------------------------------------- LHS, factorial, OAT
def correlations(x: np.ndarray, y: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Spearman rank correlation and standardized regression coefficient of each parameter."""
    from scipy import stats

    rho = []
    for j in range(x.shape[1]):
        r = stats.spearmanr(x[:, j], y).statistic if np.ptp(x[:, j]) > 0 else np.nan
        rho.append(float(r))
    xs = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    sd = y.std()
    ys = (y - y.mean()) / (sd if sd > 0 else 1.0)
    coef, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(ys)), xs]), ys, rcond=None)
    fitted = np.column_stack([np.ones(len(ys)), xs]) @ coef
    r2 = 1 - float(np.sum((ys - fitted) ** 2)) / max(float(np.sum(ys**2)), 1e-300)
    return pd.DataFrame({"parameter": names, "spearman": rho, "src": coef[1:], "r2": r2})


def main_effects(values: pd.DataFrame, y: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Mean metric at each level of each parameter (averaged over the other parameters)."""
    rows = []
    for name in names:
        col = values[name].astype(str) if values[name].dtype == object else values[name]
        means = pd.Series(y).groupby(col.to_numpy()).mean()
        swing = float(means.max() - means.min())
        for level, m in means.items():
            rows.append({"parameter": name, "level": level, "mean": float(m), "swing": swing})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- driving
def analyse(folder: str | Path) -> dict[str, Any]:
    """Every table of the analysis of a sweep folder (DataFrames) plus notes."""
    store = Store(folder)
    manifest, design, runs = load_results(store)
    if manifest.get("kind") != "sweep":
        raise InputError(f"{folder}: a {manifest.get('kind')} folder (analyze a sweep folder)")
    d = manifest["design"]
    method = d["method"]
    names = [p["name"] for p in manifest["parameters"]]
    kinds = {p["name"]: p["kind"] for p in manifest["parameters"]}
    points, reps = len(design), manifest["replicates"]
    confidence = float(d.get("confidence", 0.95))
    seed = int(d.get("seed", 0))
    x = design[[f"unit.{n}" for n in names]].to_numpy(dtype=float)
    tables: dict[str, list[pd.DataFrame]] = {}
    notes: list[str] = []
    seed_rows = []
    for metric in manifest["metrics"]:
        y_all = replicate_matrix(runs, metric, points, reps)
        missing = int(np.isnan(y_all).sum())
        if missing:
            notes.append(
                f"{metric}: undefined (null) in {missing} of {y_all.size} runs (e.g. a share of "
                "zero households); not analysed"
            )
            continue
        seed_rows.append({"metric": metric, **seed_variance(y_all)})
        y = y_all.mean(axis=1)
        if np.ptp(y) == 0:
            notes.append(f"{metric}: the same value at every design point; no index computed")
            continue

        def add(name: str, df: pd.DataFrame, metric: str = metric) -> None:
            df.insert(0, "metric", metric)
            if "parameter" in df:
                df.insert(2, "kind", df["parameter"].map(kinds))
            tables.setdefault(name, []).append(df)

        if method == "sobol":
            table, s2 = sobol_indices(
                y, names, second_order=d["second_order"], confidence=confidence, seed=seed
            )
            add("sobol", table)
            if s2 is not None:
                add("sobol_second_order", s2)
            conv = sobol_convergence(
                y,
                names,
                samples=d["samples"],
                second_order=d["second_order"],
                confidence=confidence,
                seed=seed,
            )
            add("convergence", conv)
        elif method == "morris":
            add(
                "morris",
                morris_indices(x, y, names, levels=d["levels"], confidence=confidence, seed=seed),
            )
            add(
                "convergence",
                morris_convergence(
                    x, y, names, levels=d["levels"], confidence=confidence, seed=seed
                ),
            )
        elif method == "lhs":
            add("correlations", correlations(x, y, names))
        else:
            add("effects", main_effects(design, y, names))
    out: dict[str, Any] = {name: pd.concat(dfs, ignore_index=True) for name, dfs in tables.items()}
    out["seed_variance"] = pd.DataFrame(seed_rows)
    cube = series_cube(store, runs, points, reps)
    if cube:
        out["envelope"] = envelope(cube)
    summary = _convergence_summary(out.get("convergence"), method)
    if summary is not None:
        out["convergence_summary"] = summary
    out["_notes"] = notes
    out["_info"] = {
        "method": method,
        "points": points,
        "replicates": reps,
        "runs": len(runs),
        "parameters": names,
        "levers": manifest.get("levers", []),
        "uncertainties": manifest.get("uncertainties", []),
        "confidence": confidence,
        "tolerance": SOBOL_TOLERANCE if method == "sobol" else MORRIS_TOLERANCE,
    }
    return out


def _convergence_summary(conv: pd.DataFrame | None, method: str) -> pd.DataFrame | None:
    if conv is None:
        return None
    rows = []
    for metric, df in conv.groupby("metric", sort=False):
        if method == "sobol":
            change = float(max(df["S1_change"].max(), df["ST_change"].max()))
            tol = SOBOL_TOLERANCE
        else:
            change = float(df["mu_star_change"].max())
            tol = MORRIS_TOLERANCE
        rows.append(
            {"metric": metric, "max_change": change, "tolerance": tol, "converged": change <= tol}
        )
    return pd.DataFrame(rows)


def write(folder: str | Path) -> list[str]:
    """Analyse a sweep folder and write tables (CSV, JSON) and figures (PNG) to its analysis/."""
    folder = Path(folder)
    result = analyse(folder)
    written: list[str] = []
    with atomic_dir(folder / "analysis") as tmp:
        for name, df in result.items():
            if name.startswith("_") or df.empty:
                continue
            df.to_csv(tmp / f"{name}.csv", index=False)
            (tmp / f"{name}.json").write_text(_records_json(df) + "\n", encoding="utf-8")
            written += [f"{name}.csv", f"{name}.json"]
        info = result["_info"] | {"notes": result["_notes"]}
        (tmp / "analysis.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        written.append("analysis.json")
        for name, draw in FIGURES.items():
            if name.split(".")[0] in result or name == "seed_variance.png":
                fig = draw(result)
                if fig is not None:
                    fig.savefig(tmp / name, dpi=110)
                    written.append(name)
    return written


def _records_json(df: pd.DataFrame) -> str:
    def clean(v: Any) -> Any:
        if isinstance(v, float | np.floating):
            return None if not math.isfinite(float(v)) else float(v)
        if isinstance(v, np.integer):
            return int(v)
        if isinstance(v, np.bool_):
            return bool(v)
        return v

    records = [{k: clean(v) for k, v in row.items()} for row in df.to_dict(orient="records")]
    return json.dumps(records, indent=2)


# ---------------------------------------------------------------- figures
def _figure(rows: int, width: float = 8.0, height: float = 2.6) -> tuple[Figure, list[Any]]:
    fig = Figure(figsize=(width, max(2.8, height * rows)), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 1, squeeze=False)[:, 0]
    return fig, list(axes)


def _colour(kind: str) -> str:
    return LEVER_COLOUR if kind == "lever" else UNCERTAINTY_COLOUR


def _bars(ax: Any, df: pd.DataFrame, cols: list[tuple[str, str | None, str]], title: str) -> None:
    names = df["parameter"].tolist()
    pos = np.arange(len(names))
    width = 0.8 / len(cols)
    for k, (col, err, label) in enumerate(cols):
        ax.barh(
            pos + (k - (len(cols) - 1) / 2) * width,
            df[col],
            height=width,
            xerr=None if err is None else df[err],
            label=label,
            color=[_colour(kd) for kd in df["kind"]],
            alpha=1.0 - 0.45 * k,
            capsize=2,
        )
    ax.set_yticks(pos, [f"{n} ({kd[0].upper()})" for n, kd in zip(names, df["kind"], strict=True)])
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.6)
    ax.set_title(title, fontsize=10, loc="left")
    ax.legend(fontsize=8, loc="lower right")


def fig_sobol(result: dict[str, Any]) -> Figure:
    """S1 and ST per parameter with confidence intervals, one panel per metric."""
    df = result["sobol"]
    metrics = list(dict.fromkeys(df["metric"]))
    fig, axes = _figure(len(metrics))
    for ax, metric in zip(axes, metrics, strict=True):
        sub = df[df["metric"] == metric]
        _bars(
            ax,
            sub,
            [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total order ST")],
            metric,
        )
    axes[-1].set_xlabel("Sobol index (share of variance); (L) lever, (U) uncertainty")
    return fig


def fig_morris(result: dict[str, Any]) -> Figure:
    """mu* against sigma per parameter, one panel per metric."""
    df = result["morris"]
    metrics = list(dict.fromkeys(df["metric"]))
    fig, axes = _figure(len(metrics), height=3.2)
    for ax, metric in zip(axes, metrics, strict=True):
        sub = df[df["metric"] == metric]
        ax.errorbar(
            sub["mu_star"], sub["sigma"], xerr=sub["mu_star_conf"], fmt="none", ecolor="#999999"
        )
        ax.scatter(sub["mu_star"], sub["sigma"], c=[_colour(k) for k in sub["kind"]], zorder=3)
        for _, r in sub.iterrows():
            ax.annotate(r["parameter"], (r["mu_star"], r["sigma"]), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")  # fmt: skip
        ax.set_title(metric, fontsize=10, loc="left")
        ax.set_ylabel("sigma")
    axes[-1].set_xlabel("mu* (effect of moving a parameter across its range)")
    return fig


def fig_convergence(result: dict[str, Any]) -> Figure:
    """Indices from half the sample against those from the whole sample."""
    df = result["convergence"]
    fig, axes = _figure(1, width=5.5, height=4.5)
    ax = axes[0]
    if "ST" in df:
        ax.scatter(df["S1"], df["S1_half"], label="S1", s=18)
        ax.scatter(df["ST"], df["ST_half"], label="ST", s=18, marker="s")
        lo, hi = -0.1, 1.1
        ax.set_xlabel("index, full sample")
        ax.set_ylabel("index, first half of the sample")
    else:
        ax.scatter(df["mu_star"], df["mu_star_half"], label="mu*", s=18)
        lo = 0.0
        hi = float(max(df["mu_star"].max(), df["mu_star_half"].max()) * 1.1) or 1.0
        ax.set_xlabel("mu*, all trajectories")
        ax.set_ylabel("mu*, first half of the trajectories")
    ax.plot([lo, hi], [lo, hi], color="black", lw=0.6)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.legend(fontsize=8)
    ax.set_title("Convergence: points near the diagonal have settled", fontsize=10, loc="left")
    return fig


def fig_seed_variance(result: dict[str, Any]) -> Figure | None:
    """Share of each metric's variance due to the seed."""
    df = result["seed_variance"]
    if df.empty or df["seed_share"].isna().all():
        return None
    fig, axes = _figure(1, height=0.5 * len(df) + 1.2)
    ax = axes[0]
    pos = np.arange(len(df))
    ax.barh(pos - 0.2, df["seed_share"].fillna(0), height=0.4, label="of all runs", color="#d95f02")
    ax.barh(
        pos + 0.2,
        df["seed_share_of_means"].fillna(0),
        height=0.4,
        label="of replicate means (analysed)",
        color="#e6ab02",
    )
    ax.set_yticks(pos, df["metric"])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of variance due to the seed")
    ax.legend(fontsize=8)
    return fig


def fig_correlations(result: dict[str, Any]) -> Figure:
    """Spearman correlation and standardized regression coefficient per parameter."""
    df = result["correlations"]
    metrics = list(dict.fromkeys(df["metric"]))
    fig, axes = _figure(len(metrics))
    for ax, metric in zip(axes, metrics, strict=True):
        sub = df[df["metric"] == metric]
        _bars(ax, sub, [("spearman", None, "Spearman rho"), ("src", None, "SRC")], metric)
    return fig


def fig_effects(result: dict[str, Any]) -> Figure:
    """Tornado: swing of each metric over each parameter's levels."""
    df = result["effects"].drop_duplicates(["metric", "parameter"])
    metrics = list(dict.fromkeys(df["metric"]))
    fig, axes = _figure(len(metrics))
    for ax, metric in zip(axes, metrics, strict=True):
        sub = df[df["metric"] == metric].sort_values("swing", ascending=False)
        _bars(ax, sub, [("swing", None, "swing (max - min of level means)")], metric)
    return fig


def fig_envelope(result: dict[str, Any]) -> Figure:
    """Each kept series by month over every run of the sweep: median, 50% and 90% of runs."""
    df = result["envelope"]
    columns = list(dict.fromkeys(df["variable"]))
    fig, axes = _figure(len(columns), height=2.8)
    for ax, column in zip(axes, columns, strict=True):
        sub = df[df["variable"] == column]
        ax.fill_between(sub["month"], sub["q05"], sub["q95"], color=LEVER_COLOUR, alpha=0.15,
                        label="90% of runs")  # fmt: skip
        ax.fill_between(sub["month"], sub["q25"], sub["q75"], color=LEVER_COLOUR, alpha=0.35,
                        label="50% of runs")  # fmt: skip
        ax.plot(sub["month"], sub["median"], color=LEVER_COLOUR, lw=1.8, label="median")
        ax.set_title(f"{column} by month, over every design point and seed", fontsize=10,
                     loc="left")  # fmt: skip
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=8, loc="best")
    axes[-1].set_xlabel("month")
    return fig


FIGURES = {
    "envelope.png": fig_envelope,
    "sobol.png": fig_sobol,
    "morris.png": fig_morris,
    "convergence.png": fig_convergence,
    "seed_variance.png": fig_seed_variance,
    "correlations.png": fig_correlations,
    "effects.png": fig_effects,
}
