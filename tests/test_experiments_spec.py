"""Experiment specs and designs: validation with one-line errors, design sizes and value mapping."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from exp_support import BASELINE, PARAMETERS, spec_text, write_spec

from returnsim import cli
from returnsim.errors import InputError
from returnsim.experiments.design import Factor, build
from returnsim.experiments.spec import load_spec
from returnsim.experiments.sweep import make_plan

FACTORS = (
    Factor("a", 0.0, 10.0),
    Factor("n", 0, 15000, integer=True),
    Factor("c", values=("x", "y", "z")),
)


@pytest.mark.parametrize(
    ("method", "kwargs", "points"),
    [
        ("full_factorial", {"levels": 2}, 2 * 2 * 3),
        ("one_at_a_time", {"levels": 3}, 1 + 2 + 2 + 2),
        ("lhs", {"samples": 10}, 10),
        ("sobol", {"samples": 8}, 8 * (3 + 2)),
        ("sobol", {"samples": 8, "second_order": True}, 8 * (2 * 3 + 2)),
        ("morris", {"samples": 5, "levels": 4}, 5 * (3 + 1)),
    ],
)
def test_design_sizes_and_values(method: str, kwargs: dict, points: int) -> None:
    base = {"a": 5.0, "n": 0, "c": "y"}
    factors = tuple(
        Factor(f.name, f.low, f.high, f.values, f.integer, f.levels, base[f.name]) for f in FACTORS
    )
    design = build(method, factors, seed=3, **kwargs)
    assert len(design) == points
    assert design.unit.shape == (points, 3)
    assert ((design.unit >= 0) & (design.unit <= 1)).all()
    for p in design.points:
        assert 0.0 <= p["a"] <= 10.0 and isinstance(p["a"], float)
        assert 0 <= p["n"] <= 15000 and type(p["n"]) is int
        assert p["c"] in ("x", "y", "z")
    again = build(method, factors, seed=3, **kwargs)
    assert again.points == design.points
    if method in ("lhs", "sobol", "morris"):
        assert build(method, factors, seed=4, **kwargs).points != design.points


def test_full_factorial_is_every_combination() -> None:
    design = build("full_factorial", FACTORS, levels=3)
    combos = {(p["a"], p["n"], p["c"]) for p in design.points}
    assert combos == {
        (a, n, c) for a in (0.0, 5.0, 10.0) for n in (0, 7500, 15000) for c in ("x", "y", "z")
    }


def test_one_at_a_time_moves_one_factor_from_the_base() -> None:
    factors = (Factor("a", 0.0, 10.0, base=5.0), Factor("c", values=("x", "y"), base="x"))
    design = build("one_at_a_time", factors, levels=3)
    assert design.points == [
        {"a": 5.0, "c": "x"},
        {"a": 0.0, "c": "x"},
        {"a": 10.0, "c": "x"},
        {"a": 5.0, "c": "y"},
    ]


def test_unit_mapping_gives_every_integer_and_value_equal_bins() -> None:
    n = Factor("n", 0, 3, integer=True)
    u = np.linspace(0, 1, 4001)
    counts = np.bincount([n.from_unit(x) for x in u])
    assert counts.tolist() == pytest.approx([1000, 1000, 1000, 1000], abs=2)
    c = Factor("c", values=("x", "y"))
    assert [c.from_unit(x) for x in (0.0, 0.49, 0.5, 1.0)] == ["x", "x", "y", "y"]
    assert Factor("a", 2.0, 4.0).from_unit(0.25) == 2.5


def test_spec_from_the_issue_loads(tmp_path: Path) -> None:
    spec = load_spec(write_spec(tmp_path, spec_text("sobol", samples=64)))
    assert [f.name for f in spec.factors] == [
        "peacekeeping.troops",
        "return_package.cash_per_person",
        "conflict.intensity",
    ]
    assert spec.levers == ["peacekeeping.troops", "return_package.cash_per_person"]
    assert spec.uncertainties == ["conflict.intensity"]
    troops = spec.factors[0]
    assert (troops.low, troops.high, troops.integer) == (0, 15000, True)
    assert spec.factors[2].values == (0.5, 1.0, 2.0)
    assert spec.base["households.count"] == 300 and spec.base["scenario.months"] == 12
    plan = make_plan(spec, "sweep")
    assert len(plan.points) == 64 * 5
    assert len(plan.entries) == 64 * 5 * 2
    # replicate r of every point runs with seed + r: common random numbers across points
    assert {seed for _, rep, seed, _ in plan.entries if rep == 1} == {12}


def test_kind_can_be_declared(tmp_path: Path) -> None:
    params = PARAMETERS.replace(
        '"conflict.intensity" = { values = [0.5, 1.0, 2.0] }',
        '"conflict.intensity" = { values = [0.5, 1.0, 2.0] }\n'
        '"peacekeeping.troop_suppression" = { min = 0.5, max = 0.99, kind = "uncertainty" }',
    )
    spec = load_spec(write_spec(tmp_path, spec_text(parameters=params)))
    assert spec.kinds["peacekeeping.troop_suppression"] == "uncertainty"
    assert "peacekeeping.troop_suppression" in spec.uncertainties


def test_spec_digest_changes_with_what_is_run(tmp_path: Path) -> None:
    a = load_spec(write_spec(tmp_path, spec_text(), "a.toml"))
    b = load_spec(write_spec(tmp_path, spec_text(), "b.toml"))
    c = load_spec(write_spec(tmp_path, spec_text(replicates=3), "c.toml"))
    d = load_spec(write_spec(tmp_path, spec_text(households=301), "d.toml"))
    assert a.digest() == b.digest()
    assert len({a.digest(), c.digest(), d.digest()}) == 3


def _replace(old: str, new: str) -> str:
    text = spec_text()
    assert old in text
    return text.replace(old, new)


BAD = {
    "unknown top key": (spec_text(extra="replicate = 3"), "unknown key 'replicate'"),
    "unknown parameter": (
        _replace('"peacekeeping.troops"', '"peacekeeping.troopz"'),
        "'peacekeeping.troopz' is not a parameter (did you mean 'peacekeeping.troops'?)",
    ),
    "empty range": (
        _replace("{ min = 0, max = 15000 }", "{ min = 100, max = 100 }"),
        "is not below max",
    ),
    "range beyond the registry": (
        _replace("{ min = 0, max = 100 }", "{ min = 0, max = 5000 }"),
        "cash_per_person'.max = 5000.0 is not allowed (a number from 0 to 1000)",
    ),
    "fraction for an integer": (
        _replace("{ min = 0, max = 15000 }", "{ min = 0.5, max = 15000 }"),
        "is not allowed (an integer",
    ),
    "unknown key in a parameter": (
        _replace("{ min = 0, max = 100 }", "{ min = 0, max = 100, step = 5 }"),
        "unknown key 'step'",
    ),
    "range and values": (
        _replace("{ min = 0, max = 100 }", "{ min = 0, max = 100, values = [1, 2] }"),
        "either min and max, or values",
    ),
    "seed cannot vary": (
        _replace('"peacekeeping.troops"', '"scenario.seed"'),
        "cannot vary",
    ),
    "unknown metric": (
        spec_text(metrics=("returned_shares",)),
        "unknown metric 'returned_shares' (did you mean 'returned_share'?)",
    ),
    "metric that is a table": (spec_text(metrics=("by_group",)), "is a table in summary.json"),
    "sobol samples not a power of two": (
        spec_text(samples=10),
        "design.samples = 10 is not allowed for sobol",
    ),
    "unknown method": (
        spec_text("saltelli"),
        "design.method = 'saltelli' is not allowed",
    ),
    "samples for a factorial design": (spec_text("full_factorial", samples=8), "does not apply"),
    "uncertainty in a mix": (
        spec_text(extra='[mixes.calm]\n"conflict.intensity" = 0.5\n'),
        "'conflict.intensity' is an uncertainty, not a lever",
    ),
    "value out of range in a mix": (
        spec_text(extra='[mixes.big]\n"peacekeeping.troops" = -5\n'),
        "mixes.big.'peacekeeping.troops' = -5 is not allowed",
    ),
    "unknown scenario": (
        spec_text().replace(str(BASELINE), "nowhere/baseline.toml"),
        "scenario = 'nowhere/baseline.toml': no such file (looked in the working folder",
    ),
    "unknown place": (
        _replace('"peacekeeping.troops"', '"places.nowhere.services"'),
        "no place 'nowhere'",
    ),
    "bad fixed value": (
        spec_text(extra='[fixed]\n"conflict.intensity" = 99\n'),
        "conflict.intensity = 99",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_spec_is_one_line(case: str, tmp_path: Path) -> None:
    text, expected = BAD[case]
    with pytest.raises(InputError) as info:
        load_spec(write_spec(tmp_path, text))
    message = str(info.value)
    assert "\n" not in message
    assert expected in message


def test_bad_spec_on_the_command_line_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, spec_text(metrics=("nonsense",)))
    out = tmp_path / "out" / "exp"
    for command in ("sweep", "compare"):
        code = cli.main([command, str(spec), "--out", str(out), "--workers", "0"])
        _, err = capsys.readouterr()
        assert code == 2
        assert err.startswith("returnsim: error: ") and err.count("\n") == 1
        assert "unknown metric 'nonsense'" in err
    assert not (tmp_path / "out").exists()


def test_places_parameters_can_vary(tmp_path: Path) -> None:
    params = '[parameters]\n"places.north.services" = { min = 0.2, max = 0.8 }\n'
    spec = load_spec(write_spec(tmp_path, spec_text("lhs", samples=3, parameters=params)))
    assert spec.kinds["places.north.services"] == "uncertainty"
    plan = make_plan(spec, "sweep")
    assert plan.param_types == {"places.north.services": "double"}


def test_a_sweep_does_not_depend_on_mixes_nor_a_comparison_on_the_design(tmp_path: Path) -> None:
    mix = '[mixes.troops]\n"peacekeeping.troops" = 12000\n'
    a = load_spec(write_spec(tmp_path, spec_text(extra=mix), "a.toml"))
    b = load_spec(write_spec(tmp_path, spec_text(extra=mix.replace("12000", "9000")), "b.toml"))
    c = load_spec(write_spec(tmp_path, spec_text("lhs", samples=5, extra=mix), "c.toml"))
    assert a.digest("sweep") == b.digest("sweep") != c.digest("sweep")
    assert a.digest("compare") == c.digest("compare") != b.digest("compare")
    assert a.digest("sweep") != a.digest("compare")
