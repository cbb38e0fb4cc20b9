"""Search the allocation of a budget: which levels of the levers buy the most for the money.

``returnsim optimize SPEC`` searches the ``[parameters]`` of an experiment spec (the
levers, each a range) for allocations that maximise ``[optimize] objective`` (default
``sustainably_reintegrated``, real households) and minimise ``cost`` (default
``total_cost``, USD: programmes and the mission), with its extra over the baseline at
most ``budget``. The optimiser is pymoo's
NSGA-II (Deb et al. 2002): a maintained multi-objective genetic algorithm with
constraints and an ask-and-tell loop, so each generation's candidates run as one
comparison through the experiment runner (its executors, Dask included, and its store):
a killed search resumes, as the same seed asks for the same candidates and their runs are
already stored.

The first generation holds the allocation that spends nothing and the spec's ``[mixes]``
that set only levers searched (a warm start), then random allocations.

Robustness: in each future, a candidate's gain and extra cost are the paired differences
of its means over the spec's seeds (``seed`` .. ``seed + replicates - 1``, the same for
every candidate) from the baseline's in that future. The futures are ``[optimize] futures``
points of a Latin hypercube over the spec's uncertain ``[parameters]`` (``kind =
"uncertainty"``, or any parameter outside the lever families), the same for every
candidate; without uncertain parameters there is one future, the scenario's values.
``[optimize] robustness`` makes one number of a candidate's gains over the futures: their
``mean``, a low percentile (``p10``, ``p25``: what it gains in 90% or 75% of futures) or the
worst (``min``); its cost is the mean, or the matching high percentile (``p90``, ``p75``,
the most), so the budget holds in that share of futures. With futures, ``robustness/``
checks the chosen allocation and the spec's lever-only mixes on as many fresh futures
and fresh seeds: per mix its gains, the robust gain and its largest regret (the most any
other gained more in one future).

The result, in DIR:

- ``generations/NNN/``: each generation's runs (a compare folder);
- ``pareto.csv`` / ``pareto.json``: the allocations no other beats on both objective and
  cost, within the budget, with their means;
- ``chosen``: the allocation with the largest objective within the budget, and one per
  weighting of the two objectives (0, 0.25, 0.5, 0.75, 1 on the objective, scaled);
- ``evaluation/``: the chosen allocation and the spec's ``[mixes]`` against the baseline
  on ``fresh_replicates`` fresh seeds (``fresh_seed`` ..), not used in the search: paired
  differences with intervals (``returnsim report DIR/evaluation``);
- ``allocations/NAME.toml``: a scenario file per Pareto allocation that ``returnsim run``
  accepts;
- ``optimize.json`` and ``pareto.png``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from returnsim.errors import InputError
from returnsim.experiments.analysis import load_results, replicate_matrix
from returnsim.experiments.spec import ExperimentSpec
from returnsim.experiments.store import Store
from returnsim.output import write_json

WEIGHTINGS = (0.0, 0.25, 0.5, 0.75, 1.0)
#: percentile of the gains (and of the costs, from the top) of each robustness measure
PERCENTILE = {"p10": 10.0, "p25": 25.0, "min": 0.0}


def levers(spec: ExperimentSpec) -> list[Any]:
    """The factors searched (the spec's lever parameters)."""
    return [f for f in spec.factors if spec.kinds[f.name] == "lever"]


def futures(spec: ExperimentSpec, count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` futures: a Latin hypercube over the spec's uncertain parameters (one future,
    the scenario's values, without any)."""
    from scipy.stats import qmc

    uncertain = [f for f in spec.factors if spec.kinds[f.name] == "uncertainty"]
    if not uncertain:
        return [{}]
    unit = qmc.LatinHypercube(d=len(uncertain), seed=seed).random(count)
    return [_values(uncertain, u) for u in unit]


def robust(gains: np.ndarray, costs: np.ndarray, measure: str) -> tuple[float, float]:
    """One gain and one cost of a candidate's per-future values (see the module doc)."""
    if measure == "mean":
        return float(np.mean(gains)), float(np.mean(costs))
    q = PERCENTILE[measure]
    return float(np.percentile(gains, q)), float(np.percentile(costs, 100 - q))


def _values(factors: Sequence[Any], x: np.ndarray) -> dict[str, Any]:
    """The parameter values of unit coordinates ``x``."""
    out = {}
    for f, u in zip(factors, x, strict=True):
        v = f.from_unit(float(u))
        out[f.name] = v if f.integer else round(float(v), 6)
    return out


def _row_values(spec: ExperimentSpec, row: pd.Series) -> dict[str, Any]:
    """The lever values of a row of the evaluated table, as the registry's types."""
    return {f.name: int(row[f.name]) if f.integer else float(row[f.name]) for f in levers(spec)}


def _evaluate(
    spec: ExperimentSpec,
    mixes: dict[str, dict[str, Any]],
    out: Path,
    run: Callable[[ExperimentSpec, Path], Any],
    *,
    seed: int,
    worlds: Sequence[dict[str, Any]] = ({},),
    replicates: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Run ``mixes`` in every future of ``worlds`` (and the baseline in each) on the paired
    seeds from ``seed``: (gains, extra costs) over the baseline of the same future, each
    (mixes, futures), from the means over the seeds."""
    from returnsim.experiments.spec import CompareOptions

    o = spec.optimize
    assert o is not None
    compare = CompareOptions(
        effects=(o.objective,),
        averted=(),
        cost=o.cost,
        confidence=spec.compare.confidence,
        baseline=None,
    )
    several = len(worlds) > 1
    runs_of: dict[str, dict[str, Any]] = {}
    for k, world in enumerate(worlds):
        if several:
            runs_of[f"future{k:02d}"] = dict(world)
        for name, values in mixes.items():
            runs_of[f"{name}_f{k:02d}" if several else name] = values | world
    sub = dataclasses.replace(
        spec,
        mixes=runs_of,
        compare=compare,
        seed=seed,
        replicates=replicates or spec.replicates,
        factors=(),
        design=None,
    )
    run(sub, out)
    manifest, design, runs = load_results(Store(out))
    labels = design["label"].tolist()
    reps = manifest["replicates"]
    mean = {
        name: dict(zip(labels, replicate_matrix(runs, name, len(labels), reps).mean(axis=1),
                       strict=True))
        for name in (o.objective, o.cost)
    }  # fmt: skip
    gains = np.empty((len(mixes), len(worlds)))
    costs = np.empty_like(gains)
    for k in range(len(worlds)):
        base = f"future{k:02d}" if several else "baseline"
        for i, name in enumerate(mixes):
            label = f"{name}_f{k:02d}" if several else name
            gains[i, k] = mean[o.objective][label] - mean[o.objective][base]
            costs[i, k] = mean[o.cost][label] - mean[o.cost][base]
    return gains, costs


def known(spec: ExperimentSpec) -> list[np.ndarray]:
    """The spec's mixes that set only levers searched, as unit coordinates (the levers they
    leave at the scenario's value at that value, clipped to the range)."""
    names = [f.name for f in levers(spec)]
    out = []
    for mix in spec.mixes.values():
        if mix and set(mix) <= set(names):
            out.append(
                np.array(
                    [
                        min(max(f.to_unit(mix.get(f.name, spec.base.value(f.name))), 0.0), 1.0)
                        for f in levers(spec)
                    ]
                )
            )
    return out


def pareto(effect: np.ndarray, cost: np.ndarray, feasible: np.ndarray) -> np.ndarray:
    """Indices of the feasible points no other feasible point beats on both (more effect,
    less cost), by cost; of points with the same effect and cost, the first."""
    idx = np.flatnonzero(feasible)
    _, first = np.unique(np.column_stack([effect[idx], cost[idx]]), axis=0, return_index=True)
    idx = idx[np.sort(first)]
    keep = [
        i
        for i in idx
        if not any(
            (effect[j] >= effect[i] and cost[j] <= cost[i])
            and (effect[j] > effect[i] or cost[j] < cost[i])
            for j in idx
        )
    ]
    return np.array(sorted(keep, key=lambda i: (cost[i], -effect[i])), dtype=np.int64)


def search(
    spec: ExperimentSpec,
    out: Path,
    run: Callable[[ExperimentSpec, Path], Any],
    progress: Callable[[str], None] = lambda m: None,
) -> dict[str, Any]:
    """NSGA-II over the spec's levers; every candidate evaluated through ``run`` (which
    executes a comparison spec into a folder). Returns the search's result (JSON-ready)."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem

    o = spec.optimize
    assert o is not None
    searched = levers(spec)
    worlds = futures(spec, o.futures, o.seed)
    n = len(searched)
    problem = Problem(n_var=n, n_obj=2, n_ieq_constr=1, xl=np.zeros(n), xu=np.ones(n))
    # First generation: nothing spent, then the spec's mixes that set only levers searched
    # (a warm start from the known options), then random allocations, each scaled by a
    # random share of the ranges, so that many fit the budget.
    rng = np.random.default_rng(o.seed)
    first = rng.random((o.population, n)) * rng.random((o.population, 1))
    first[0] = 0.0
    for row, values in enumerate(known(spec)[: o.population - 1], start=1):
        first[row] = values
    algorithm = NSGA2(pop_size=o.population, sampling=first)
    algorithm.setup(problem, termination=("n_gen", o.generations), seed=o.seed, verbose=False)
    rows: list[dict[str, Any]] = []
    for gen in range(o.generations):
        pop = algorithm.ask()
        x = pop.get("X")
        mixes = {f"g{gen:03d}_{i:03d}": _values(searched, xi) for i, xi in enumerate(x)}
        folder = out / "generations" / f"{gen:03d}"
        gains, costs = _evaluate(spec, mixes, folder, run, seed=spec.seed, worlds=worlds)
        both = np.array([robust(g, c, o.robustness) for g, c in zip(gains, costs, strict=True)])
        effect, cost = both[:, 0], both[:, 1]
        pop.set("F", np.column_stack([-effect, cost]))
        pop.set("G", (cost - o.budget)[:, None])
        algorithm.tell(infills=pop)
        for i, (name, values) in enumerate(mixes.items()):
            rows.append({
                "allocation": name, "generation": gen, **values, "gain": effect[i],
                "cost": cost[i], "gain_mean": gains[i].mean(), "gain_worst": gains[i].min(),
                "cost_mean": costs[i].mean(),
            })  # fmt: skip
        fits = [r["gain"] for r in rows if r["cost"] <= o.budget]
        best = f"{max(fits):+,.0f} {o.objective}" if fits else "none yet"
        progress(f"generation {gen + 1}/{o.generations}: best within the budget so far {best}")
    table = pd.DataFrame(rows)
    front = pareto(
        table["gain"].to_numpy(), table["cost"].to_numpy(), (table["cost"] <= o.budget).to_numpy()
    )
    return {
        "evaluated": table,
        "pareto": table.iloc[front].reset_index(drop=True),
        "futures": worlds,
    }


def choose(front: pd.DataFrame) -> dict[str, str]:
    """The Pareto allocation chosen per weighting of the objective against the cost (both
    scaled to 0-1 over the front); weighting 1 is the largest gain within the budget."""
    gain, cost = front["gain"].to_numpy(), front["cost"].to_numpy()

    def scaled(v: np.ndarray) -> np.ndarray:
        span = v.max() - v.min()
        return (v - v.min()) / span if span > 0 else np.zeros_like(v)

    out = {}
    for w in WEIGHTINGS:
        score = w * scaled(gain) - (1 - w) * scaled(cost)
        out[f"{w:g}"] = str(front["allocation"].iloc[int(np.argmax(score))])
    return out


def fig_pareto(
    evaluated: pd.DataFrame, front: pd.DataFrame, objective: str, budget: float
) -> Figure:
    fig = Figure(figsize=(7.5, 4.8), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.scatter(evaluated["cost"] / 1e6, evaluated["gain"], s=10, color="#bbbbbb", label="evaluated")
    ax.plot(front["cost"] / 1e6, front["gain"], "o-", color="#1b9e77", label="Pareto set")
    ax.axvline(budget / 1e6, color="#d95f02", ls="--", label="budget")
    ax.set_xlabel("Extra cost over the baseline, USD million")
    ax.set_ylabel(f"Extra {objective} over the baseline")
    ax.set_title("Allocations searched (NSGA-II), means over the paired seeds", loc="left")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return fig


def write(
    spec: ExperimentSpec,
    out: Path,
    run: Callable[[ExperimentSpec, Path], Any],
    argv: Sequence[str],
    progress: Callable[[str], None] = lambda m: None,
) -> dict[str, Any]:
    """Search, choose, evaluate on fresh seeds, and write the result into ``out``."""
    from returnsim import scenario_toml
    from returnsim.experiments import compare

    o = spec.optimize
    assert o is not None
    result = search(spec, out, run, progress)
    evaluated, front = result["evaluated"], result["pareto"]
    if front.empty:
        raise InputError(
            f"{spec.path}: optimize.budget: no allocation within USD {o.budget:,.0f} was found "
            "(raise the budget or lower the [parameters] ranges)"
        )
    chosen = choose(front)
    best = chosen["1"]
    mixes = {"optimized": _row_values(spec, front.set_index("allocation").loc[best])}
    mixes.update(spec.mixes)
    progress(f"evaluating {best} and the spec's {len(spec.mixes)} mixes on fresh seeds")
    fresh = dataclasses.replace(
        spec,
        mixes=mixes,
        seed=o.fresh_seed,
        replicates=o.fresh_replicates,
        factors=(),
        design=None,
        compare=dataclasses.replace(spec.compare, effects=(o.objective,), cost=o.cost),
    )
    run(fresh, out / "evaluation")
    compare.write(out / "evaluation")
    ce = json.loads((out / "evaluation" / "analysis" / "cost_effectiveness.json").read_text())
    check = None
    if o.futures > 1:
        progress(f"checking them on {o.futures} fresh futures and fresh seeds")
        check = robustness_check(spec, mixes, out / "robustness", run)
        check.to_csv(out / "robustness.csv", index=False)
    folder = out / "allocations"
    folder.mkdir(parents=True, exist_ok=True)
    for _, row in front.iterrows():
        text = scenario_toml.dumps(spec.base.with_overrides(_row_values(spec, row)))
        (folder / f"{row['allocation']}.toml").write_text(text, encoding="utf-8")
    front.to_csv(out / "pareto.csv", index=False)
    (out / "pareto.json").write_text(front.to_json(orient="records", indent=1), encoding="utf-8")
    evaluated.to_csv(out / "evaluated.csv", index=False)
    fig_pareto(evaluated, front, o.objective, o.budget).savefig(out / "pareto.png", dpi=110)
    summary = {
        "spec": spec.path,
        "objective": o.objective,
        "cost": o.cost,
        "budget": o.budget,
        "optimiser": "pymoo NSGA-II",
        "generations": o.generations,
        "population": o.population,
        "robustness": (
            f"{o.robustness} over {o.futures} futures (Latin hypercube of "
            f"{', '.join(f.name for f in spec.factors if spec.kinds[f.name] == 'uncertainty')})"
            f" of the means over {spec.replicates} paired seeds from {spec.seed}"
            if o.futures > 1
            else f"mean over {spec.replicates} paired seeds from {spec.seed}"
        ),
        "futures": result["futures"],
        "robustness_check": None if check is None else check.to_dict(orient="records"),
        "evaluated": len(evaluated),
        "chosen": chosen,
        "allocation": mixes["optimized"],
        "fresh_seeds": f"{o.fresh_replicates} from {o.fresh_seed}",
        "evaluation": ce,
        "command": " ".join(argv),
    }
    write_json(out / "optimize.json", summary)
    return summary


def robustness_check(
    spec: ExperimentSpec,
    mixes: dict[str, dict[str, Any]],
    out: Path,
    run: Callable[[ExperimentSpec, Path], Any],
) -> pd.DataFrame:
    """The chosen allocation and the spec's lever-only mixes on fresh futures and fresh
    seeds: per mix the gain in each future, their mean, worst and robust value, the robust
    cost, and the largest regret (the most another of them gained more in one future)."""
    o = spec.optimize
    assert o is not None
    names = [f.name for f in levers(spec)]
    kept = {m: v for m, v in mixes.items() if set(v) <= set(names)}
    worlds = futures(spec, o.futures, o.fresh_seed)
    gains, costs = _evaluate(
        spec, kept, out, run, seed=o.fresh_seed, worlds=worlds, replicates=spec.replicates
    )
    regret = (gains.max(axis=0, keepdims=True) - gains).max(axis=1)
    rows = []
    for i, name in enumerate(kept):
        gain, cost = robust(gains[i], costs[i], o.robustness)
        rows.append({
            "mix": name, "robust_gain": gain, "robust_cost": cost, "mean_gain": gains[i].mean(),
            "worst_gain": gains[i].min(), "max_regret": regret[i],
            "within_budget": cost <= o.budget,
            **{f"gain_future{k:02d}": g for k, g in enumerate(gains[i])},
        })  # fmt: skip
    return pd.DataFrame(rows).sort_values("robust_gain", ascending=False, ignore_index=True)


def headline(summary: dict[str, Any]) -> list[str]:
    """What to tell the user: the chosen allocation on fresh seeds against each mix."""
    from returnsim.experiments.compare import units

    o, rows = summary["objective"], {r["mix"]: r for r in summary["evaluation"]}
    words = units(o)[0]
    opt = rows["optimized"]
    lines = [
        f"Chosen allocation (largest {o} within USD {summary['budget']:,.0f}), on fresh seeds: "
        f"{opt[f'{o}_difference']:+,.0f} {words} "
        f"({opt[f'{o}_difference_ci_low']:+,.0f} to {opt[f'{o}_difference_ci_high']:+,.0f}) "
        f"for USD {opt['cost_difference']:+,.0f} against the baseline",
    ]
    for name, r in rows.items():
        if name in ("baseline", "optimized"):
            continue
        lines.append(
            f"  {name}: {r[f'{o}_difference']:+,.0f} {words} for USD {r['cost_difference']:+,.0f}"
        )
    if summary.get("robustness_check"):
        lines.append(f"On fresh futures ({summary['robustness']}):")
        for r in summary["robustness_check"]:
            lines.append(
                f"  {r['mix']}: robust {r['robust_gain']:+,.0f} {words} (worst "
                f"{r['worst_gain']:+,.0f}, largest regret {r['max_regret']:,.0f}) for USD "
                f"{r['robust_cost']:+,.0f}"
            )
    return lines
