"""Scenario files: loading, validation messages, overrides, schedules, hashing."""

from __future__ import annotations

import itertools
import math
import shutil
from pathlib import Path

import pytest

from returnsim import ReturnModel
from returnsim.errors import InputError
from returnsim.param import schedule_at
from returnsim.parameters import BY_KEY
from returnsim.scenario import Scenario, load, parse_override

MINIMAL = """
[scenario]
name = "tiny"

[places.home]
kind = "origin"
origin_share = 1.0
violence = 10.0

[places.camp]
kind = "idp_camp"

[[routes]]
from = "home"
to = "camp"
km = 50
"""


def write(tmp_path: Path, text: str, name: str = "case.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(InputError) as info:
        load(path)
    message = str(info.value)
    assert "\n" not in message, "an input error is one line"
    assert message.startswith(str(path)), "the message names the file first"
    return message


# ------------------------------------------------------------------- loading
def test_minimal_file_loads(tmp_path: Path) -> None:
    s = load(write(tmp_path, MINIMAL))
    assert isinstance(s, Scenario) and s.name == "tiny"
    assert [p["name"] for p in s.places] == ["home", "camp"]
    assert s.routes == [{"from": "home", "to": "camp", "km": 50.0}]
    # Keys not in the file take the registry's defaults.
    assert s["decision.review_rate"] == BY_KEY["decision.review_rate"].default


def test_baseline_loads(baseline_path: Path) -> None:
    s = load(baseline_path)
    assert s.name == "baseline"
    assert s.source == str(baseline_path)
    assert s["households.count"] == 20000
    assert s["peacekeeping.troops"] == 8000 and s["peacekeeping.strategy"] == "static"
    assert s["conflict.schedule"] == [[0, 1.0], [18, 0.3], [36, 0.1]]
    names = [p["name"] for p in s.places]
    assert names == ["north", "east", "south", "capital", "camp", "border", "refugee_camp"]
    assert len(s.routes) == 9
    # Refugee camps are abroad unless the file says otherwise; other places are not.
    abroad = {p["name"]: p["abroad"] for p in s.places}
    assert abroad.pop("refugee_camp") is True and not any(abroad.values())
    # Every declared value is of its parameter's type.
    for key, value in s.values.items():
        kind = BY_KEY[key].kind
        expected = {"float": float, "int": int, "str": str, "bool": bool, "schedule": list}
        if kind in expected:
            assert isinstance(value, expected[kind]), key


def test_baseline_runs_from_a_loaded_file(baseline_path: Path) -> None:
    model = ReturnModel(
        load(baseline_path), overrides={"households.count": 50, "scenario.months": 3}
    )
    model.run()
    assert model.seed == 42  # scenario.seed when no rng is given
    assert model.steps == 3 and model.pop.n == 50
    with pytest.raises(TypeError, match="give a Scenario"):
        ReturnModel(str(baseline_path))


def test_load_applies_overrides(baseline_path: Path) -> None:
    s = load(baseline_path, {"households.count": 123, "places.north.violence": 5})
    assert s["households.count"] == 123
    assert next(p for p in s.places if p["name"] == "north")["violence"] == 5.0


# ----------------------------------------------------------------- overrides
def test_with_overrides_returns_a_new_validated_scenario(baseline_path: Path) -> None:
    s = load(baseline_path)
    t = s.with_overrides({"conflict.intensity": 2, "peacekeeping.strategy": "hotspot"})
    assert t["conflict.intensity"] == 2.0 and isinstance(t["conflict.intensity"], float)
    assert t["peacekeeping.strategy"] == "hotspot"
    assert s["conflict.intensity"] == 1.0 and s["peacekeeping.strategy"] == "static"
    assert t.overrides == {"conflict.intensity": 2, "peacekeeping.strategy": "hotspot"}
    u = t.with_overrides({"households.count": 10})
    assert u.overrides == {**t.overrides, "households.count": 10}


@pytest.mark.parametrize(
    ("overrides", "fragments"),
    [
        ({"conflict.intensity": 11}, ["conflict.intensity", "from 0 to 10"]),
        ({"conflict.intensity": "high"}, ["conflict.intensity", "a number"]),
        ({"conflict.intensity": math.nan}, ["conflict.intensity", "a number"]),
        ({"households.count": True}, ["households.count", "an integer"]),
        ({"peacekeeping.strategy": "everywhere"}, ["peacekeeping.strategy", "'hotspot'"]),
        ({"conflict.intensty": 1.0}, ["conflict.intensty", "did you mean 'conflict.intensity'"]),
        ({"intensity": 1.0}, ["intensity", "unknown parameter"]),
        ({"places.nort.violence": 1.0}, ["places.nort.violence", "did you mean 'north'"]),
        ({"places.north.violnce": 1.0}, ["places.north.violnce", "did you mean 'violence'"]),
        ({"places.north": 1.0}, ["places.north", "places.NAME.key"]),
        ({"places.camp.origin_share": 0.5}, ["places.camp.origin_share", "only origins"]),
        (
            {"households.initial_idp_share": 0.8, "households.initial_refugee_share": 0.3},
            ["initial_idp_share", "at most 1"],
        ),
    ],
)
def test_with_overrides_validates(baseline_path: Path, overrides: dict, fragments: list) -> None:
    s = load(baseline_path)
    with pytest.raises(InputError) as info:
        s.with_overrides(overrides)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message


# ---------------------------------------------------------------- bad files
CASES = {
    "unknown_section": (
        "[conflit]\nintensity = 1.0\n",
        ["[conflit]", "did you mean 'conflict'", "allowed:", "peacekeeping"],
    ),
    "unknown_key": (
        "[conflict]\nintensty = 1.0\n",
        ["'conflict.intensty'", "did you mean 'conflict.intensity'", "allowed in [conflict]"],
    ),
    "unknown_key_far_from_any": (
        "[conflict]\nzzz = 1.0\n",
        ["'conflict.zzz'", "allowed in [conflict]", "intensity"],
    ),
    "section_not_a_table": ("conflict = 3\n", ["[conflict] must be a table"]),
    "wrong_type_string": (
        '[conflict]\nintensity = "high"\n',
        ["conflict.intensity", '"high"', "a number from 0 to 10"],
    ),
    "wrong_type_for_string": ("[peacekeeping]\nstrategy = 3\n", ["peacekeeping.strategy"]),
    "out_of_range_high": (
        "[conflict]\nintensity = 11.0\n",
        ["conflict.intensity", "11", "a number from 0 to 10"],
    ),
    "out_of_range_low": (
        "[households]\ncount = 0\n",
        ["households.count", "an integer from 1 to"],
    ),
    "float_for_integer": ("[households]\ncount = 2.5\n", ["households.count", "an integer"]),
    "bool_for_number": (
        "[conflict]\nintensity = true\n",
        ["conflict.intensity", "true", "a number from 0 to 10"],
    ),
    "bool_for_integer": ("[households]\ncount = false\n", ["households.count", "an integer"]),
    "nan": ("[conflict]\nintensity = nan\n", ["conflict.intensity", "a number from 0 to 10"]),
    "inf": ("[conflict]\nintensity = inf\n", ["conflict.intensity", "a number from 0 to 10"]),
    "minus_inf_without_bounds": (
        "[peacekeeping]\ntroops = -inf\n",
        ["peacekeeping.troops", "an integer"],
    ),
    "nan_in_schedule": (
        "[conflict]\nschedule = [[0, nan]]\n",
        ["conflict.schedule", "months ascending"],
    ),
    "schedule_not_ascending": (
        "[conflict]\nschedule = [[5, 1.0], [3, 0.5]]\n",
        ["conflict.schedule", "months ascending"],
    ),
    "schedule_repeated_month": (
        "[conflict]\nschedule = [[0, 1.0], [0, 0.5]]\n",
        ["conflict.schedule", "months ascending"],
    ),
    "schedule_negative_month": (
        "[conflict]\nschedule = [[-1, 1.0]]\n",
        ["conflict.schedule", "[month, value] pairs"],
    ),
    "schedule_fractional_month": (
        "[conflict]\nschedule = [[0.5, 1.0]]\n",
        ["conflict.schedule", "[month, value] pairs"],
    ),
    "schedule_not_pairs": (
        "[conflict]\nschedule = [[0, 1.0, 2.0]]\n",
        ["conflict.schedule", "[month, value] pairs"],
    ),
    "schedule_level_out_of_range": (
        "[conflict]\nschedule = [[0, 11.0]]\n",
        ["conflict.schedule", "[month, value] pairs"],
    ),
    "schedule_not_a_list": ("[conflict]\nschedule = 1.0\n", ["conflict.schedule"]),
    "initial_shares_above_one": (
        "[households]\ninitial_idp_share = 0.7\ninitial_refugee_share = 0.5\n",
        ["households.initial_idp_share", "initial_refugee_share", "1.2", "at most 1"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_value_names_file_key_and_what_is_allowed(tmp_path: Path, case: str) -> None:
    extra, fragments = CASES[case]
    message = error_of(write(tmp_path, extra + MINIMAL))
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


PLACE_CASES = {
    "unknown_place_key": (
        MINIMAL.replace("violence = 10.0", "violnce = 10.0"),
        ["'places.home.violnce'", "did you mean 'violence'", "allowed:", "housing_damage"],
    ),
    "unknown_kind": (
        MINIMAL.replace('kind = "idp_camp"', 'kind = "village"'),
        ["places.camp.kind", '"village"', "one of 'origin', 'town'"],
    ),
    "place_value_out_of_range": (
        MINIMAL.replace("violence = 10.0", "violence = -1.0"),
        ["places.home.violence", "a number from 0"],
    ),
    "no_origin": (
        MINIMAL.replace('kind = "origin"\norigin_share = 1.0', 'kind = "town"'),
        ["no place has kind = 'origin'", "at least one"],
    ),
    "origin_shares_zero": (
        MINIMAL.replace("origin_share = 1.0", "origin_share = 0.0"),
        ["origin_share", "give at least one > 0"],
    ),
    "origin_share_on_non_origin": (
        MINIMAL.replace('kind = "idp_camp"', 'kind = "idp_camp"\norigin_share = 0.2'),
        ["places.camp.origin_share", "only origins", "'idp_camp'"],
    ),
    "no_places": ('[scenario]\nname = "x"\n', ["[places] is missing", "[places.NAME]"]),
    "route_to_unknown_place": (
        MINIMAL + '\n[[routes]]\nfrom = "home"\nto = "cmap"\nkm = 10\n',
        ["routes[1].to", "'cmap'", "did you mean 'camp'", "allowed: camp, home"],
    ),
    "duplicate_route": (
        MINIMAL + '\n[[routes]]\nfrom = "home"\nto = "camp"\nkm = 70\n',
        ["routes[1]", "repeats the route home-camp"],
    ),
    "duplicate_route_reversed": (
        MINIMAL + '\n[[routes]]\nfrom = "camp"\nto = "home"\nkm = 70\n',
        ["routes[1]", "repeats the route"],
    ),
    "route_to_itself": (
        MINIMAL + '\n[[routes]]\nfrom = "home"\nto = "home"\nkm = 1\n',
        ["routes[1]", "to itself"],
    ),
    "route_missing_km": (
        MINIMAL + '\n[[routes]]\nfrom = "home"\nto = "camp"\n',
        ["routes[1].km is missing", "from, to, km"],
    ),
    "route_unknown_key": (
        MINIMAL.replace("km = 50", "km = 50\nspeed = 3"),
        ["routes[0].speed", "allowed: from, to, km"],
    ),
    "route_km_zero": (MINIMAL.replace("km = 50", "km = 0"), ["routes[0].km", "a number from"]),
    "routes_not_an_array": (
        MINIMAL.replace("[[routes]]", "[routes]"),
        ["routes must be an array"],
    ),
}


@pytest.mark.parametrize("case", list(PLACE_CASES))
def test_bad_network_names_file_and_what_is_allowed(tmp_path: Path, case: str) -> None:
    text, fragments = PLACE_CASES[case]
    message = error_of(write(tmp_path, text))
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(InputError, match="no such scenario file"):
        load(missing)
    assert "not valid TOML" in error_of(write(tmp_path, "[scenario\nname = 1"))
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert "not a text file" in error_of(binary)


# ----------------------------------------------------------------- schedules
STEPS = [[0, 1.0], [18, 0.3], [36, 0.1]]


@pytest.mark.parametrize(
    ("month", "expected"),
    [(0, 1.0), (1, 1.0), (17, 1.0), (18, 0.3), (30, 0.3), (35, 0.3), (36, 0.1), (500, 0.1)],
)
def test_schedule_at_steps(month: int, expected: float) -> None:
    assert schedule_at(STEPS, month, default=9.0, linear=False) == expected


def test_schedule_at_before_first_point() -> None:
    late = [[10, 0.2], [20, 0.4]]
    assert schedule_at(late, 5, default=9.0, linear=False) == 9.0  # not yet scheduled
    assert schedule_at(late, 10, default=9.0, linear=False) == 0.2
    assert schedule_at(late, 5, default=9.0, linear=True) == 0.2  # held flat backwards


@pytest.mark.parametrize(
    ("month", "expected"),
    [(0, 8500.0), (20, 8500.0), (50, 8500.0), (72, 8500.0), (96, 5250.0), (120, 2000.0)],
)
def test_schedule_at_linear(month: int, expected: float) -> None:
    ceiling = [[20, 8500], [72, 8500], [120, 2000]]
    assert schedule_at(ceiling, month, default=0.0, linear=True) == pytest.approx(expected)
    assert schedule_at(ceiling, 200, default=0.0, linear=True) == 2000


def test_schedule_at_linear_is_monotone_between_points() -> None:
    down = [[0, 100.0], [10, 0.0]]
    values = [schedule_at(down, m, default=-1.0, linear=True) for m in range(12)]
    assert values[0] == 100.0 and values[5] == pytest.approx(50.0) and values[10] == 0.0
    assert all(a >= b for a, b in itertools.pairwise(values))


def test_schedule_at_empty_gives_default() -> None:
    assert schedule_at([], 7, default=1.5, linear=False) == 1.5
    assert schedule_at([], 7, default=math.inf, linear=True) == math.inf


# -------------------------------------------------------------------- digest
def test_digest_stable_for_equal_scenarios(baseline_path: Path, tmp_path: Path) -> None:
    a, b = load(baseline_path), load(baseline_path)
    assert a.digest() == b.digest()
    assert len(a.digest()) == 64 and int(a.digest(), 16) >= 0
    copy = tmp_path / "copy.toml"
    shutil.copy(baseline_path, copy)
    assert load(copy).digest() == a.digest()  # what runs, not where it came from
    # Setting a value to what it already is (int for a float) changes nothing.
    assert a.with_overrides({"conflict.intensity": 1}).digest() == a.digest()


@pytest.mark.parametrize(
    "overrides",
    [
        {"conflict.intensity": 1.01},
        {"scenario.seed": 43},
        {"peacekeeping.ceiling": [[20, 8500], [72, 8500], [120, 2001]]},
        {"places.north.violence": 30.5},
        {"scenario.description": "changed"},
    ],
)
def test_digest_changes_with_any_value(baseline_path: Path, overrides: dict) -> None:
    a = load(baseline_path)
    assert a.with_overrides(overrides).digest() != a.digest()


def test_digest_changes_with_routes(tmp_path: Path) -> None:
    a = load(write(tmp_path, MINIMAL, "a.toml"))
    b = load(write(tmp_path, MINIMAL.replace("km = 50", "km = 51"), "b.toml"))
    assert a.digest() != b.digest()


# ------------------------------------------------------------ parse_override
@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("conflict.intensity=0.5", "conflict.intensity", 0.5),
        ("households.count=300", "households.count", 300),
        (" households.count = 300 ", "households.count", 300),
        ("peacekeeping.strategy=hotspot", "peacekeeping.strategy", "hotspot"),
        ('peacekeeping.strategy="hotspot"', "peacekeeping.strategy", "hotspot"),
        ("scenario.description=war and peace", "scenario.description", "war and peace"),
        ("scenario.description=a=b", "scenario.description", "a=b"),
        ("places.north.abroad=true", "places.north.abroad", True),
        ("conflict.schedule=[[0, 1.0], [18, 0.3]]", "conflict.schedule", [[0, 1.0], [18, 0.3]]),
        ("peacekeeping.ceiling=[]", "peacekeeping.ceiling", []),
    ],
)
def test_parse_override_reads_toml_values(text: str, key: str, value: object) -> None:
    k, v = parse_override(text)
    assert k == key
    assert v == value and type(v) is type(value)


@pytest.mark.parametrize("text", ["conflict.intensity", "=3", " = 3"])
def test_parse_override_rejects_malformed(text: str) -> None:
    with pytest.raises(InputError, match=r"dotted\.key=value"):
        parse_override(text)


def test_parsed_overrides_are_validated(baseline_path: Path) -> None:
    s = load(baseline_path)
    t = s.with_overrides(dict([parse_override("conflict.schedule=[[0, 2.0], [6, 0.0]]")]))
    assert t["conflict.schedule"] == [[0, 2.0], [6, 0.0]]
    with pytest.raises(InputError, match=r"conflict\.intensity"):
        s.with_overrides(dict([parse_override("conflict.intensity=nan")]))


def test_safe_zone_abroad_is_refused() -> None:
    from returnsim.errors import InputError
    from returnsim.scenario import load

    with pytest.raises(InputError, match=r"peacekeeping\.safe_zones: 'refugee_camp' is abroad"):
        load("scenarios/baseline.toml", {"peacekeeping.safe_zones": ["refugee_camp"]})
