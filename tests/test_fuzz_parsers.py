"""The parsers fuzzed with hypothesis: whatever comes in, the answer is a valid object or one
InputError line, never another exception.

Scenarios and experiment specs are fuzzed as parsed TOML (a valid file's tables with values
replaced, keys removed and keys added), because random text mostly stops at the TOML
decoder; raw bytes go through the file loaders too. A scenario the validator accepts must
also run: a value that passes validation and then breaks the model is a validator bug.
Target files (CSV) and the small option parsers (--set, --where, --params, --fit-years) are
fuzzed as text. ``benchmarks/fuzz_parsers.py`` runs the same targets under atheris.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from returnsim.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
RAW = tomllib.loads((ROOT / "scenarios" / "full_response.toml").read_text(encoding="utf-8"))
#: Every shipped scenario, parsed: the fuzzer mutates these.
RAWS = [tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(ROOT.glob("scenarios/*.toml"))]

#: RETURNSIM_FUZZ_EXAMPLES=5000 for a longer search than the suite's.
FUZZ = settings(
    max_examples=int(os.environ.get("RETURNSIM_FUZZ_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Values a TOML file can hold, weighted toward the edges validators miss.
EDGE_FLOATS = st.sampled_from(
    [0.0, -0.0, 1e-320, 1e308, -1e308, math.inf, -math.inf, math.nan, 0.5, -1.0, 1.0]
)
SCALARS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, -1, 2**31, 2**62, 10**12]),
    st.floats(allow_nan=True, allow_infinity=True),
    EDGE_FLOATS,
    st.booleans(),
    st.text(max_size=20),
    st.sampled_from(["", "static", "hotspot", "arrays", "origin", "nan", "1e999", "../x"]),
    st.dates(),
    st.just(dt.time(12, 0)),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
NAMES = st.one_of(st.text(max_size=12), st.sampled_from(["kind", "km", "from", "to", "count"]))


def paths(tree: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value in a nested dict/list (tables and arrays included)."""
    out = [prefix] if prefix else []
    if isinstance(tree, dict):
        for k, v in tree.items():
            out += paths(v, (*prefix, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            out += paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with one to four values replaced, removed or keys added."""
    raw = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        where = paths(raw)
        if not where:
            break
        path = draw(st.sampled_from(where))
        *head, last = path
        parent = raw
        for step in head:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
        if action == "replace":
            parent[last] = draw(VALUES)
        elif action == "remove":
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(NAMES)] = draw(VALUES)
        else:
            parent.append(draw(VALUES))
    return raw


def one_line(exc: InputError, source: str) -> None:
    text = str(exc)
    assert "\n" not in text and text.strip(), text
    assert text.startswith(source) or source in text, text


def runs_finite(spec: Any) -> None:
    """An accepted scenario runs a few months at a small size with finite outputs."""
    from returnsim import ReturnModel

    small = spec.with_overrides({"households.count": 60, "scenario.months": 4})
    model = ReturnModel(small)
    model.run()
    ts = model.datacollector.get_model_vars_dataframe()
    numbers = ts.select_dtypes("number").to_numpy(dtype=float)
    assert np.isfinite(numbers).all()


@FUZZ
@given(raw=st.sampled_from(RAWS).flatmap(mutated))
def test_a_mutated_scenario_is_accepted_or_one_line(raw: dict[str, Any]) -> None:
    from returnsim.scenario import from_dict

    try:
        spec = from_dict(raw, source="fuzz.toml")
    except InputError as exc:
        one_line(exc, "fuzz.toml")
        return
    runs_finite(spec)


@FUZZ
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_raw_bytes_as_a_scenario_file(tmp_path: Path, data: bytes) -> None:
    from returnsim.scenario import load

    path = tmp_path / "raw.toml"
    path.write_bytes(data)
    try:
        load(path)
    except InputError as exc:
        one_line(exc, str(path))


@FUZZ
@given(
    text=st.one_of(
        st.text(max_size=40),
        st.tuples(
            st.sampled_from(["conflict.intensity", "households.count", "places.north.services",
                             "peacekeeping.strategy", "budget.total", "x", ""]),
            st.sampled_from(["=", "= ", "=="]),
            st.text(max_size=15) | st.sampled_from(["nan", "inf", "-1", "1e400", "[1]", "{}"]),
        ).map("".join),
    )
)  # fmt: skip
def test_set_overrides(text: str) -> None:
    import argparse

    from returnsim.cli import common as cli
    from returnsim.scenario import load

    args = argparse.Namespace(overrides=[text], seed=None, steps=None, households=None)
    try:
        overrides = cli.overrides_from(args)
        spec = load(ROOT / "scenarios" / "baseline.toml", overrides)
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).strip()
        return
    runs_finite(spec)


SPEC_TEXT = f"""\
scenario = "{ROOT / "scenarios" / "baseline.toml"}"
households = 60
steps = 4
seed = 3
replicates = 2

[design]
method = "sobol"
samples = 4

[parameters]
"peacekeeping.troops" = {{ min = 0, max = 15000 }}
"conflict.intensity" = {{ values = [0.5, 1.0, 2.0] }}

[mixes.troops]
"peacekeeping.troops" = 12000

[compare]
confidence = 0.9

[outputs]
metrics = ["returned_share", "total_cost"]
"""
SPEC_RAW = tomllib.loads(SPEC_TEXT)


@FUZZ
@given(raw=mutated(SPEC_RAW))
def test_a_mutated_experiment_spec_is_accepted_or_one_line(
    tmp_path: Path, raw: dict[str, Any]
) -> None:
    from returnsim.experiments.spec import from_dict
    from returnsim.experiments.sweep import make_plan

    path = tmp_path / "spec.toml"
    try:
        spec = from_dict(raw, path=path)
    except InputError as exc:
        one_line(exc, str(path))
        return
    for kind in ("sweep", "compare"):
        try:
            plan = make_plan(spec, kind)
        except InputError as exc:  # e.g. a comparison without mixes
            one_line(exc, str(path))
            continue
        assert len(plan.entries) >= 1


CELLS = st.one_of(
    st.sampled_from(["year", "returns", "country", "2001", "2002", "1999", "10", "0", "-3", "",
                     "nan", "inf", "1e999", "2001.5", " 7 ", '"5"', "A", "é", "NULL"]),
    st.integers(-5, 3000).map(str),
    st.text(max_size=6),
)  # fmt: skip
ROWS = st.lists(st.lists(CELLS, min_size=1, max_size=4).map(",".join), max_size=8)


@FUZZ
@given(
    head=st.sampled_from(["year,returns", "country,year,returns", "year", "returns,year", ""]),
    rows=ROWS,
    where=st.sampled_from([None, {"country": "A"}, {"region": "x"}]),
    column=st.sampled_from([None, "returns", "nope"]),
)
def test_a_target_file_reads_as_a_clean_series_or_one_line(
    tmp_path: Path, head: str, rows: list[str], where: Any, column: Any
) -> None:
    from returnsim.calibration.target import read_target

    path = tmp_path / "target.csv"
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    try:
        series = read_target(path, where=where, column=column)
    except InputError as exc:
        one_line(exc, str(path))
        return
    assert isinstance(series, pd.Series) and len(series) > 0
    assert series.index.is_unique and all(isinstance(y, int | np.integer) for y in series.index)
    assert np.isfinite(series.to_numpy(dtype=float)).all() and (series >= 0).all()


@FUZZ
@given(
    params=st.one_of(
        st.text(max_size=30),
        st.lists(
            st.tuples(
                st.sampled_from(["conflict.intensity", "decision.attachment",
                                 "places.north.services", "scenario.engine", "nope"]),
                st.sampled_from(["", "=0:1", "=1:0", "=a:b", "=0.5:3", "=:", "=1e999:2",
                                 "=nan:1"]),
            ).map("".join),
            max_size=3,
        ).map(",".join),
    ),
    years=st.one_of(st.text(max_size=12), st.sampled_from(["2001-2002", "2002-2001", "2001",
                                                           "-", "2001-", "1-99999"])),
    where=st.text(max_size=20),
)  # fmt: skip
def test_calibration_options(params: str, years: str, where: str) -> None:
    from returnsim.calibration.fit import parse_fit_years
    from returnsim.calibration.report import params_from
    from returnsim.calibration.target import parse_where
    from returnsim.scenario import load

    spec = load(ROOT / "scenarios" / "baseline.toml")
    observed = pd.Series([1.0, 2.0, 3.0], index=[2001, 2002, 2003])
    for parse in (
        lambda: params_from(params, spec),
        lambda: parse_fit_years(years, observed),
        lambda: parse_where([where]),
    ):
        try:
            parse()
        except InputError as exc:
            assert "\n" not in str(exc) and str(exc).strip()


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused_in_every_numeric_key(value: float) -> None:
    """The fuzzer's most common find, pinned: no NaN or infinity gets past validation."""
    from returnsim.parameters import PARAMS
    from returnsim.scenario import from_dict

    numeric = [p for p in PARAMS if p.kind in ("float", "int")]
    assert numeric
    for p in numeric:
        section, name = p.key.split(".", 1)
        raw = copy.deepcopy(RAW)
        raw.setdefault(section, {})[name] = value
        with pytest.raises(InputError, match=p.key.replace(".", r"\.")):
            from_dict(raw, source="x.toml")
