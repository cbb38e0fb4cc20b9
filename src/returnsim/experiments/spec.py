"""Experiment specs: a TOML file naming a scenario, parameters to vary and metrics to keep.

A spec is checked completely before any run starts; anything wrong raises
:class:`InputError` with one line naming the file, the key and what is
allowed. The form::

    name = "levers"                      # optional; default: the file's name
    scenario = "scenarios/baseline.toml" # relative to the working folder or to this file
    households = 5000                    # households.count of every run
    steps = 60                           # scenario.months of every run
    seed = 42                            # replicate r runs with seed + r (common random numbers)
    replicates = 2
    retries = 2                          # extra attempts for a run that raises

    [fixed]                              # overrides applied to every run
    "budget.include_peacekeeping" = true

    [design]
    method = "sobol"   # full_factorial | lhs | sobol | morris | one_at_a_time
    samples = 64       # base samples (sobol, a power of 2), points (lhs), trajectories (morris)
    second_order = false  # sobol: also second-order indices (N(2D+2) points instead of N(D+2))
    levels = 4         # morris grid levels; full_factorial / one_at_a_time levels of ranges
    seed = 42          # seed of the sampler (default: the spec's seed)
    confidence = 0.95  # level of the analysis' confidence intervals

    [parameters]
    "peacekeeping.troops" = { min = 0, max = 15000 }
    "conflict.intensity" = { values = [0.5, 1.0, 2.0] }
    "decision.safety_threshold" = { min = 0.3, max = 0.6, kind = "uncertainty", base = 0.4 }

    [outputs]
    metrics = ["returned_share", "sustainably_reintegrated_share", "total_cost"]
    series = ["returned", "internally_displaced"]  # timeseries.csv columns kept per run, by month

    [mixes.security_first]               # named intervention mixes to compare
    "peacekeeping.troops" = 12000

    [compare]
    effects = ["sustainably_reintegrated", "returned"]  # cost-effectiveness denominators
    averted = ['mortality.deaths_total']  # fewer is better: cost per death averted
    cost = "total_cost"   # programmes plus the mission
    confidence = 0.95
    baseline = "status_quo"   # optional: a mix to compare against (default: the scenario)

Levers (what a decision maker controls) are the parameters of the lever
families (:data:`LEVER_SECTIONS`); every other parameter is an uncertainty
(what nobody controls: conflict, behaviour, effect sizes). ``kind = "lever"``
or ``kind = "uncertainty"`` on a parameter overrides that default.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from returnsim import tomlfile, version
from returnsim.check import check_value, integer, is_int, is_number, string, suggest, table
from returnsim.errors import InputError
from returnsim.experiments.design import METHODS, Factor
from returnsim.param import Param
from returnsim.parameters import BY_KEY, LEVER_SECTIONS, PLACE_BY_KEY
from returnsim.scenario import Scenario, load

KINDS = ("lever", "uncertainty")

TOP_KEYS = (
    "name",
    "description",
    "scenario",
    "households",
    "steps",
    "seed",
    "replicates",
    "retries",
    "fixed",
    "design",
    "parameters",
    "outputs",
    "mixes",
    "compare",
    "optimize",
)
DESIGN_KEYS = ("method", "samples", "second_order", "levels", "seed", "confidence")
PARAM_KEYS = ("min", "max", "values", "levels", "base", "kind")
COMPARE_KEYS = ("effects", "averted", "cost", "confidence", "baseline")
OPTIMIZE_KEYS = (
    "objective",
    "cost",
    "budget",
    "generations",
    "population",
    "seed",
    "fresh_seed",
    "fresh_replicates",
    "futures",
    "robustness",
)

#: How a candidate's gains over the sampled futures make one number: their mean, a low
#: percentile (``p10``, ``p25``: the gain it reaches in 90% or 75% of futures), or the worst.
ROBUSTNESS = ("mean", "p10", "p25", "min")

DEFAULT_METRICS = ("returned_share", "sustainably_reintegrated_share", "total_cost")
DEFAULT_EFFECTS = ("sustainably_reintegrated", "returned")
DEFAULT_AVERTED = ("mortality.deaths_total",)
DEFAULT_COST = "total_cost"
BASELINE = "baseline"


@dataclass(frozen=True)
class DesignOptions:
    """The ``[design]`` table."""

    method: str
    samples: int | None
    second_order: bool
    levels: int
    seed: int
    confidence: float


@dataclass(frozen=True)
class CompareOptions:
    """The ``[compare]`` table."""

    effects: tuple[str, ...]
    #: metrics a mix should lower (deaths): the cost per unit averted
    averted: tuple[str, ...]
    cost: str
    confidence: float
    baseline: str | None


@dataclass(frozen=True)
class OptimizeOptions:
    """The ``[optimize]`` table: maximise ``objective`` and minimise ``cost`` (summary.json
    fields, means over the paired seeds), with the extra ``cost`` over the baseline at most
    ``budget``."""

    objective: str
    cost: str
    budget: float
    generations: int
    population: int
    seed: int
    fresh_seed: int
    fresh_replicates: int
    #: futures sampled (Latin hypercube) over the spec's uncertain [parameters]; 1 without any
    futures: int = 1
    robustness: str = "mean"


@dataclass
class ExperimentSpec:
    """A validated experiment: base scenario, factors, metrics, mixes."""

    path: str
    text: str
    name: str
    description: str
    scenario_path: str
    base: Scenario
    seed: int
    replicates: int
    retries: int
    fixed: dict[str, Any]
    design: DesignOptions | None
    factors: tuple[Factor, ...]
    kinds: dict[str, str]
    metrics: tuple[str, ...]
    mixes: dict[str, dict[str, Any]]
    compare: CompareOptions
    optimize: OptimizeOptions | None = None
    #: columns of timeseries.csv kept per run, month by month (the store's ``series``)
    series: tuple[str, ...] = ()

    @property
    def levers(self) -> list[str]:
        """Swept parameters that are levers."""
        return [f.name for f in self.factors if self.kinds[f.name] == "lever"]

    @property
    def uncertainties(self) -> list[str]:
        """Swept parameters that are uncertainties."""
        return [f.name for f in self.factors if self.kinds[f.name] == "uncertainty"]

    def identity(self, kind: str = "sweep") -> dict[str, Any]:
        """What decides the runs of a sweep (or a comparison) and what they compute (hashed).

        A sweep does not depend on ``[mixes]`` and ``[compare]``, a comparison
        not on ``[design]`` and ``[parameters]``.
        """
        common = {
            "kind": kind,
            "model": version.model_digest(),
            "scenario_digest": self.base.digest(),
            "seed": self.seed,
            "replicates": self.replicates,
            "metrics": list(self.metrics),
        }
        if self.series:
            common["series"] = list(self.series)
        if kind == "compare":
            return common | {"mixes": self.mixes, "compare": vars(self.compare)}
        return common | {
            "design": None if self.design is None else vars(self.design),
            "parameters": [vars(f) | {"kind": self.kinds[f.name]} for f in self.factors],
        }

    def digest(self, kind: str = "sweep") -> str:
        """SHA-256 of :meth:`identity`: two specs with the same hash run the same runs."""
        blob = json.dumps(self.identity(kind), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


def load_spec(path: str | Path) -> ExperimentSpec:
    """Read and validate an experiment spec; raise InputError with one line if anything is wrong."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such experiment spec (give a path to a .toml file)")
    text, raw = tomlfile.read(path, what="an experiment spec")
    return from_dict(raw, path=path, text=text)


def from_dict(raw: dict[str, Any], *, path: Path, text: str = "") -> ExperimentSpec:
    """Validate a parsed spec (see the module docstring for the form)."""
    src = str(path)
    for key in raw:
        if key not in TOP_KEYS:
            raise InputError(
                f"{src}: unknown key '{key}'{suggest(key, TOP_KEYS)} "
                f"(allowed: {', '.join(TOP_KEYS)})"
            )
    if "scenario" not in raw:
        raise InputError(f"{src}: 'scenario' is missing (the path of a scenario TOML file)")
    if not isinstance(raw["scenario"], str):
        raise InputError(f"{src}: scenario must be a path string, e.g. 'scenarios/baseline.toml'")
    scenario_path = _scenario_path(raw["scenario"], path)
    seed = integer(raw, "seed", src, low=0, default=42)
    replicates = integer(raw, "replicates", src, low=1, default=1)
    retries = integer(raw, "retries", src, low=0, default=2)
    overrides: dict[str, Any] = {}
    for key, target in (("households", "households.count"), ("steps", "scenario.months")):
        if key in raw:
            overrides[target] = check_value(BY_KEY[target], raw[key], source=src, key=key)
    fixed = table(raw, "fixed", src)
    for key in fixed:
        if key in ("scenario.seed", "scenario.months", "households.count"):
            raise InputError(
                f"{src}: fixed.'{key}': set it with the top-level seed, steps or households"
            )
    try:
        base = load(scenario_path, overrides or None)
        if fixed:
            base = base.with_overrides(fixed, origin=f"{src}: [fixed]")
    except InputError as exc:
        raise InputError(f"{exc} (scenario of {src})") from None

    params = table(raw, "parameters", src)
    factors, kinds = [], {}
    for key, body in params.items():
        factor, kind = _factor(key, body, base, src)
        factors.append(factor)
        kinds[key] = kind
    design = _design(raw, src, seed, len(factors))

    from returnsim.experiments.runs import check_metrics, check_series

    outputs = table(raw, "outputs", src)
    for key in outputs:
        if key not in ("metrics", "series"):
            raise InputError(f"{src}: unknown key 'outputs.{key}' (allowed: metrics, series)")
    metrics = outputs.get("metrics", list(DEFAULT_METRICS))
    if not isinstance(metrics, list) or not metrics or not all(isinstance(m, str) for m in metrics):
        raise InputError(f"{src}: outputs.metrics must be a non-empty list of summary.json fields")
    if len(set(metrics)) != len(metrics):
        raise InputError(f"{src}: outputs.metrics repeats a name")
    check_metrics(metrics, base, where=f"{src}: outputs.metrics")
    series = outputs.get("series", [])
    if not isinstance(series, list) or not all(isinstance(c, str) for c in series):
        raise InputError(f"{src}: outputs.series must be a list of timeseries.csv columns")
    if len(set(series)) != len(series):
        raise InputError(f"{src}: outputs.series repeats a name")
    check_series(series, base, where=f"{src}: outputs.series")

    mixes = _mixes(raw, base, kinds, src)
    compare = _compare(raw, mixes, base, src)
    return ExperimentSpec(
        path=src,
        text=text,
        name=string(raw, "name", src, default=path.stem),
        description=string(raw, "description", src, default=""),
        scenario_path=str(scenario_path),
        base=base,
        seed=seed,
        replicates=replicates,
        retries=retries,
        fixed=fixed,
        design=design,
        factors=tuple(factors),
        kinds=kinds,
        metrics=tuple(metrics),
        mixes=mixes,
        compare=compare,
        optimize=_optimize(raw, base, seed, factors, kinds, src),
        series=tuple(series),
    )


# ----------------------------------------------------------------- helpers
def _scenario_path(text: str, spec_path: Path) -> Path:
    """The scenario file: relative to the working folder, else to the spec's folder."""
    candidate = Path(text)
    if candidate.is_absolute() or candidate.is_file():
        return candidate
    beside = spec_path.parent / candidate
    if beside.is_file():
        return beside
    raise InputError(
        f"{spec_path}: scenario = '{text}': no such file (looked in the working folder and "
        f"in {spec_path.parent or '.'}/)"
    )


def registry_param(key: str, base: Scenario, where: str) -> Param:
    """The registry entry of a dotted key (``section.name`` or ``places.NAME.key``)."""
    parts = key.split(".")
    if parts[0] == "places" and len(parts) == 3:
        names = [p["name"] for p in base.places]
        if parts[1] not in names:
            raise InputError(
                f"{where}: '{key}': no place '{parts[1]}' in the scenario"
                f"{suggest(parts[1], names)} (allowed: {', '.join(names)})"
            )
        param = PLACE_BY_KEY.get(parts[2])
        if param is None or parts[2] == "kind":
            allowed = [k for k in PLACE_BY_KEY if k != "kind"]
            raise InputError(
                f"{where}: '{key}': unknown place key{suggest(parts[2], allowed)} "
                f"(allowed: {', '.join(allowed)})"
            )
        return param
    param = BY_KEY.get(key)
    if param is None:
        raise InputError(
            f"{where}: '{key}' is not a parameter{suggest(key, BY_KEY)} "
            "(see `returnsim describe SCENARIO` for the list)"
        )
    if parts[0] == "scenario":
        raise InputError(
            f"{where}: '{key}' cannot vary (seeds come from seed and replicates, months from steps)"
        )
    return param


def default_kind(key: str) -> str:
    """``lever`` for keys of a lever section, else ``uncertainty``."""
    return "lever" if key.split(".")[0] in LEVER_SECTIONS else "uncertainty"


def _factor(key: str, body: Any, base: Scenario, src: str) -> tuple[Factor, str]:
    where = f"{src}: parameters"
    param = registry_param(key, base, where)
    at = f"{where}.'{key}'"
    if not isinstance(body, dict):
        raise InputError(
            f"{at} must be a table such as {{ min = 0, max = 1 }} or {{ values = [..] }}"
        )
    for k in body:
        if k not in PARAM_KEYS:
            raise InputError(
                f"{at}: unknown key '{k}'{suggest(k, PARAM_KEYS)} "
                f"(allowed: {', '.join(PARAM_KEYS)})"
            )
    kind = body.get("kind", default_kind(key))
    if kind not in KINDS:
        raise InputError(f"{at}: kind = {kind!r} is not allowed (allowed: 'lever', 'uncertainty')")
    has_range = "min" in body or "max" in body
    if has_range == ("values" in body):
        raise InputError(f"{at}: give either min and max, or values (a list), not both or neither")
    numeric = param.kind in ("int", "float")
    levels = body.get("levels")
    if has_range:
        if not numeric:
            raise InputError(
                f"{at}: min/max need a numeric parameter; give values = [...] ({param.allowed})"
            )
        if "min" not in body or "max" not in body:
            raise InputError(f"{at}: give both min and max")
        lo = check_value(param, body["min"], source=src, key=f"parameters.'{key}'.min")
        hi = check_value(param, body["max"], source=src, key=f"parameters.'{key}'.max")
        if not lo < hi:
            raise InputError(f"{at}: min = {lo} is not below max = {hi} (an empty range)")
        if levels is not None and (not is_int(levels) or levels < 2):
            raise InputError(f"{at}: levels = {levels!r} is not allowed (an integer >= 2)")
        values = None
    else:
        if levels is not None:
            raise InputError(f"{at}: levels applies to min/max ranges, not to values")
        raw_values = body["values"]
        if not isinstance(raw_values, list) or len(raw_values) < 2:
            raise InputError(
                f"{at}: values must be a list of at least 2 values "
                "(a single value belongs in [fixed])"
            )
        values = tuple(
            check_value(param, v, source=src, key=f"parameters.'{key}'.values[{i}]")
            for i, v in enumerate(raw_values)
        )
        if len({json.dumps(v, sort_keys=True) for v in values}) != len(values):
            raise InputError(f"{at}: values repeats a value")
        lo = hi = None
    integer = param.kind == "int"
    if "base" in body:
        b = check_value(param, body["base"], source=src, key=f"parameters.'{key}'.base")
        if values is not None and b not in values:
            raise InputError(f"{at}: base = {b!r} is not one of values")
        if values is None and not lo <= b <= hi:
            raise InputError(f"{at}: base = {b} is outside min..max ({lo}..{hi})")
    else:
        current = base.value(key)
        if values is not None:
            b = current if current in values else values[0]
        elif lo <= current <= hi:
            b = current
        else:
            b = (lo + hi) // 2 if integer else (lo + hi) / 2
    factor = Factor(
        name=key, low=lo, high=hi, values=values, integer=integer, levels=levels, base=b
    )
    return factor, kind


def _section(raw: dict[str, Any], name: str, keys: tuple[str, ...], src: str) -> dict[str, Any]:
    """The table ``[name]`` of the spec, every key of it one of ``keys``."""
    body = table(raw, name, src)
    for k in body:
        if k not in keys:
            raise InputError(
                f"{src}: unknown key '{name}.{k}'{suggest(k, keys)} (allowed: {', '.join(keys)})"
            )
    return body


def _design(raw: dict[str, Any], src: str, seed: int, n_factors: int) -> DesignOptions | None:
    if "design" not in raw:
        if n_factors and "optimize" not in raw:
            raise InputError(f"{src}: [parameters] given but no [design] (add method = ...)")
        return None
    body = _section(raw, "design", DESIGN_KEYS, src)
    method = body.get("method")
    if method not in METHODS:
        raise InputError(
            f"{src}: design.method = {method!r} is not allowed{suggest(str(method), METHODS)} "
            f"(allowed: {', '.join(METHODS)})"
        )
    if not n_factors:
        raise InputError(f"{src}: [design] given but [parameters] is empty (nothing to vary)")
    samples = body.get("samples")
    needs_samples = method in ("lhs", "sobol", "morris")
    if needs_samples:
        if samples is None:
            raise InputError(f"{src}: design.samples is missing (method {method} needs it)")
        if not is_int(samples) or samples < 2:
            raise InputError(
                f"{src}: design.samples = {samples!r} is not allowed (an integer >= 2)"
            )
        if method == "sobol" and (samples < 4 or samples & (samples - 1)):
            raise InputError(
                f"{src}: design.samples = {samples} is not allowed for sobol "
                "(a power of 2, at least 4: 8, 16, 32, 64, ...)"
            )
    elif samples is not None:
        raise InputError(
            f"{src}: design.samples does not apply to {method} "
            "(it runs every level; set levels or values per parameter)"
        )
    second = body.get("second_order", False)
    if not isinstance(second, bool):
        raise InputError(f"{src}: design.second_order must be true or false")
    if second and method != "sobol":
        raise InputError(f"{src}: design.second_order applies to method = 'sobol' only")
    default_levels = 4 if method == "morris" else 3
    levels = body.get("levels", default_levels)
    if not is_int(levels) or levels < 2:
        raise InputError(f"{src}: design.levels = {levels!r} is not allowed (an integer >= 2)")
    if method == "morris" and levels % 2:
        raise InputError(
            f"{src}: design.levels = {levels} is not allowed for morris (an even number)"
        )
    dseed = body.get("seed", seed)
    if not is_int(dseed) or dseed < 0:
        raise InputError(f"{src}: design.seed = {dseed!r} is not allowed (an integer >= 0)")
    confidence = _confidence(body.get("confidence", 0.95), f"{src}: design.confidence")
    return DesignOptions(
        method=method,
        samples=samples if needs_samples else None,
        second_order=second,
        levels=levels,
        seed=dseed,
        confidence=confidence,
    )


def _optimize(
    raw: dict[str, Any],
    base: Scenario,
    seed: int,
    factors: list[Factor],
    kinds: dict[str, str],
    src: str,
) -> OptimizeOptions | None:
    from returnsim.experiments.runs import check_metrics

    if "optimize" not in raw:
        return None
    body = _section(raw, "optimize", OPTIMIZE_KEYS, src)
    if not factors or any(f.values is not None for f in factors):
        raise InputError(
            f"{src}: [optimize] needs [parameters] with a range each (min and max): the "
            "levers to allocate"
        )
    objective = body.get("objective", "sustainably_reintegrated")
    cost = body.get("cost", "total_cost")
    for key, value in (("objective", objective), ("cost", cost)):
        if not isinstance(value, str):
            raise InputError(f"{src}: optimize.{key} must be the name of a summary.json field")
    check_metrics([objective, cost], base, where=f"{src}: optimize")
    budget = body.get("budget")
    if not is_number(budget) or budget <= 0:
        raise InputError(
            f"{src}: optimize.budget = {budget!r} is not allowed (USD over the run, above 0)"
        )
    uncertain = [f for f in factors if kinds[f.name] == "uncertainty"]
    if len(uncertain) == len(factors):
        raise InputError(
            f"{src}: [optimize] needs at least one lever among [parameters] (the others, "
            "uncertainties, are sampled as futures)"
        )
    futures = integer(body, "futures", f"{src}: optimize", low=1, default=8 if uncertain else 1)
    if uncertain and futures < 2:
        raise InputError(
            f"{src}: optimize.futures = {futures} is not allowed with uncertain [parameters] "
            f"({', '.join(f.name for f in uncertain)}): an integer >= 2"
        )
    if futures > 1 and not uncertain:
        raise InputError(
            f"{src}: optimize.futures = {futures} needs uncertain [parameters] to sample "
            '(add one with kind = "uncertainty", or leave futures out)'
        )
    robustness = body.get("robustness", "mean")
    if robustness not in ROBUSTNESS:
        raise InputError(
            f"{src}: optimize.robustness = {robustness!r} is not allowed "
            f"(allowed: {', '.join(ROBUSTNESS)})"
        )
    return OptimizeOptions(
        futures=futures,
        robustness=robustness,
        objective=objective,
        cost=cost,
        budget=float(budget),
        generations=integer(body, "generations", f"{src}: optimize", low=1, default=10),
        population=integer(body, "population", f"{src}: optimize", low=4, default=16),
        seed=integer(body, "seed", f"{src}: optimize", low=0, default=seed),
        fresh_seed=integer(body, "fresh_seed", f"{src}: optimize", low=0, default=seed + 10_000),
        fresh_replicates=integer(body, "fresh_replicates", f"{src}: optimize", low=2, default=10),
    )


def _confidence(value: Any, where: str) -> float:
    if not is_number(value) or not 0.5 <= value < 1:
        raise InputError(f"{where} = {value!r} is not allowed (a number from 0.5 to below 1)")
    return float(value)


MIX_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def _mixes(
    raw: dict[str, Any], base: Scenario, kinds: dict[str, str], src: str
) -> dict[str, dict[str, Any]]:
    out = {}
    for name, body in table(raw, "mixes", src).items():
        where = f"{src}: mixes.{name}"
        if not MIX_NAME.match(name) or name == BASELINE:
            raise InputError(
                f"{where}: bad mix name (letters, digits, _ and -; '{BASELINE}' is reserved)"
            )
        if not isinstance(body, dict) or not body:
            raise InputError(
                f'{where} must be a table of lever values, e.g. "aid.monthly_budget" = 1e5'
            )
        mix = {}
        for key, value in body.items():
            param = registry_param(key, base, where)
            kind = kinds.get(key, default_kind(key))
            if kind != "lever":
                raise InputError(
                    f"{where}: '{key}' is an uncertainty, not a lever (a mix sets levers; "
                    "fix assumptions in [fixed], or declare kind = 'lever' in [parameters])"
                )
            mix[key] = check_value(param, value, source=src, key=f"mixes.{name}.'{key}'")
        try:
            base.with_overrides(mix, origin=where)
        except InputError as exc:
            raise InputError(str(exc)) from None
        out[name] = mix
    return out


def _compare(
    raw: dict[str, Any], mixes: dict[str, dict[str, Any]], base: Scenario, src: str
) -> CompareOptions:
    from returnsim.experiments.runs import check_metrics

    body = _section(raw, "compare", COMPARE_KEYS, src)
    effects = body.get("effects", list(DEFAULT_EFFECTS))
    if not isinstance(effects, list) or not effects or not all(isinstance(e, str) for e in effects):
        raise InputError(f"{src}: compare.effects must be a non-empty list of summary.json fields")
    averted = body.get("averted", list(DEFAULT_AVERTED))
    if not isinstance(averted, list) or not all(isinstance(e, str) for e in averted):
        raise InputError(f"{src}: compare.averted must be a list of summary.json fields")
    cost = body.get("cost", DEFAULT_COST)
    if not isinstance(cost, str):
        raise InputError(f"{src}: compare.cost must be the name of a summary.json field")
    check_metrics([*effects, *averted, cost], base, where=f"{src}: compare")
    baseline = body.get("baseline")
    if baseline is not None and baseline not in mixes:
        raise InputError(
            f"{src}: compare.baseline = {baseline!r} is not a mix{suggest(str(baseline), mixes)} "
            f"(allowed: {', '.join(mixes) or 'none defined'})"
        )
    confidence = _confidence(body.get("confidence", 0.95), f"{src}: compare.confidence")
    return CompareOptions(
        effects=tuple(effects),
        averted=tuple(averted),
        cost=cost,
        confidence=confidence,
        baseline=baseline,
    )
