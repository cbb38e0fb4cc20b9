"""The bad-input corpus: every way in (scenario files, --set and other options, experiment
specs and folders, target files, the server's command line) with something wrong in it.

Each case runs the real command (``cli.main``) in an empty folder holding valid inputs, one of
them broken, and must end with exactly one line ``returnsim: error: ...`` on stderr naming the
file, key or option (the ``expect`` fragments), exit code 2, nothing on stdout, no traceback,
and the folder exactly as it was (no output folder, no half-written file). A sample of the
cases also runs as a real process. To add a case, add a ``Case`` to the table.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from returnsim import cli

ROOT = Path(__file__).resolve().parents[1]

# A small valid scenario; the scenario cases below each break one thing in it.
MINI = """\
[scenario]
name = "mini"
months = 6

[households]
count = 200

[conflict]
intensity = 1.0
schedule = [[0, 1.0], [3, 0.2]]

[peacekeeping]
strategy = "static"

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

# A small valid experiment spec on MINI (@TMP@ is the case's folder).
SPEC = """\
scenario = "@TMP@/mini.toml"
households = 100
steps = 6
seed = 3
replicates = 1

[design]
method = "lhs"
samples = 2

[parameters]
"peacekeeping.troops" = { min = 0, max = 5000 }

[mixes.troops]
"peacekeeping.troops" = 4000

[outputs]
metrics = ["returned_share", "total_cost"]
"""

TARGET = "year,returns\n2000,10\n2001,20\n"


@dataclass(frozen=True)
class Case:
    """One malformed input: the command line, the files it reads, what the line must name.

    ``argv`` and file texts may use @TMP@ (the case's folder) and @PORT@ (a port that is
    already in use). ``files`` replaces or adds files beside mini.toml, spec.toml and
    target.csv; a bytes value is written as is.
    """

    id: str
    argv: tuple[str, ...]
    expect: tuple[str, ...]
    files: dict[str, str | bytes] = field(default_factory=dict)


def scenario_case(id: str, text: str | bytes, *expect: str, command: str = "run") -> Case:
    """A broken scenario file, bad.toml, given to ``command`` (run unless said)."""
    argv = {
        "run": ("run", "@TMP@/bad.toml", "--out", "@TMP@/result"),
        "describe": ("describe", "@TMP@/bad.toml"),
        "calibrate": ("calibrate", "@TMP@/bad.toml", "--target", "@TMP@/target.csv",
                      "--params", "conflict.intensity", "--out", "@TMP@/result"),
        "serve": ("serve", "@TMP@/bad.toml", "--port", "1"),
    }[command]  # fmt: skip
    return Case(id, argv, ("@TMP@/bad.toml", *expect), {"bad.toml": text})


def mini(old: str, new: str) -> str:
    """MINI with one piece of text replaced (which must be there)."""
    assert old in MINI, old
    return MINI.replace(old, new, 1)


def spec(old: str, new: str) -> str:
    assert old in SPEC, old
    return SPEC.replace(old, new, 1)


def sweep_case(id: str, text: str, *expect: str, command: str = "sweep") -> Case:
    """A broken experiment spec, bad_spec.toml, given to sweep (or compare)."""
    argv = (command, "@TMP@/bad_spec.toml", "--out", "@TMP@/exp", "--workers", "0")
    return Case(id, argv, expect, {"bad_spec.toml": text})


def target_case(id: str, text: str | bytes, *expect: str, extra: tuple[str, ...] = ()) -> Case:
    """A broken target file, bad.csv, given to calibrate."""
    argv = ("calibrate", "@TMP@/mini.toml", "--target", "@TMP@/bad.csv",
            "--params", "conflict.intensity", "--out", "@TMP@/result", *extra)  # fmt: skip
    return Case(id, argv, ("@TMP@/bad.csv", *expect), {"bad.csv": text})


def run_case(id: str, *args: str, expect: tuple[str, ...]) -> Case:
    """Options of ``returnsim run`` on the valid mini scenario."""
    return Case(id, ("run", "@TMP@/mini.toml", *args), expect)


def calibrate_case(id: str, *args: str, expect: tuple[str, ...]) -> Case:
    argv = ("calibrate", "@TMP@/mini.toml", "--target", "@TMP@/target.csv",
            "--steps", "24", "--out", "@TMP@/result", *args)  # fmt: skip
    return Case(id, argv, expect)


SCENARIO_FILES = [
    scenario_case("scenario_not_toml", "this is [not toml", "not valid TOML"),
    scenario_case("scenario_empty", "", "[places]"),
    scenario_case("scenario_binary", b"\xff\xfe\x00\x9c garbage", "not a text file"),
    scenario_case("scenario_nested_too_deeply", "x = " + "[" * 100_000, "nested too deeply"),
    scenario_case("scenario_duplicate_key", mini("months = 6", "months = 6\nmonths = 7"), "TOML"),
    scenario_case("scenario_unknown_section", MINI + "\n[conflcit]\nintensity = 1.0\n", "conflcit"),
    scenario_case(
        "scenario_unknown_key",
        mini("intensity = 1.0", "intensty = 1.0"),
        "conflict.intensty",
        "did you mean 'conflict.intensity'",
    ),
    scenario_case(
        "scenario_key_with_a_newline",
        mini("intensity = 1.0", '"inten\\nsity" = 1.0'),
        "conflict.inten\\nsity",
    ),
    scenario_case("scenario_section_not_a_table", "decision = 3\n" + MINI, "[decision]"),
    scenario_case(
        "scenario_string_for_number", mini("intensity = 1.0", 'intensity = "high"'), "intensity"
    ),
    scenario_case("scenario_bool_for_number", mini("count = 200", "count = true"), "count"),
    scenario_case("scenario_float_for_integer", mini("count = 200", "count = 2.5"), "count"),
    scenario_case("scenario_nan", mini("intensity = 1.0", "intensity = nan"), "intensity"),
    scenario_case("scenario_infinity", mini("violence = 10.0", "violence = inf"), "violence"),
    scenario_case("scenario_list_for_number", mini("count = 200", "count = [200]"), "count"),
    scenario_case(
        "scenario_households_zero",
        mini("count = 200", "count = 0"),
        "households.count",
        "an integer from 1 to",
    ),
    scenario_case(
        "scenario_households_huge", mini("count = 200", "count = 10000000000000"), "count"
    ),
    scenario_case("scenario_months_too_many", mini("months = 6", "months = 100000"), "months"),
    scenario_case("scenario_negative_seed", mini("months = 6", "months = 6\nseed = -1"), "seed"),
    scenario_case(
        "scenario_schedule_out_of_order",
        mini("[[0, 1.0], [3, 0.2]]", "[[3, 1.0], [1, 0.2]]"),
        "conflict.schedule",
    ),
    scenario_case(
        "scenario_schedule_not_pairs", mini("[[0, 1.0], [3, 0.2]]", "[0, 1.0]"), "schedule"
    ),
    scenario_case(
        "scenario_unknown_strategy",
        mini('strategy = "static"', 'strategy = "everywhere"'),
        "peacekeeping.strategy",
        "'hotspot'",
    ),
    scenario_case(
        "scenario_unknown_engine", mini("months = 6", 'months = 6\nengine = "gpu"'), "engine"
    ),
    scenario_case("scenario_no_places", MINI.split("[places.home]")[0], "place"),
    scenario_case("scenario_no_origin", mini('kind = "origin"', 'kind = "town"'), "origin"),
    scenario_case(
        "scenario_unknown_place_kind", mini('kind = "idp_camp"', 'kind = "hotel"'), "kind"
    ),
    scenario_case(
        "scenario_unknown_place_key", mini("violence = 10.0", "violense = 10.0"), "places.home"
    ),
    scenario_case(
        "scenario_place_value_out_of_range", mini("violence = 10.0", "violence = -4.0"), "violence"
    ),
    scenario_case("scenario_route_unknown_place", mini('to = "camp"', 'to = "nowhere"'), "nowhere"),
    scenario_case("scenario_route_to_itself", mini('to = "camp"', 'to = "home"'), "routes[0]"),
    scenario_case("scenario_route_negative_km", mini("km = 50", "km = -50"), "routes[0]"),
    scenario_case("scenario_route_missing_end", mini('to = "camp"\n', ""), "routes[0]"),
    scenario_case("scenario_routes_not_a_list", mini("[[routes]]", "[routes]"), "routes"),
    scenario_case(
        "scenario_calibration_bad_series",
        MINI + '\n[calibration]\nseries = "deaths"\n',
        "calibration.series",
    ),
    scenario_case(
        "describe_scenario_unknown_key",
        mini("intensity = 1.0", "intensty = 1.0"),
        "conflict.intensty",
        command="describe",
    ),
    scenario_case(
        "calibrate_scenario_unknown_key",
        mini("intensity = 1.0", "intensty = 1.0"),
        "conflict.intensty",
        command="calibrate",
    ),
    scenario_case(
        "serve_scenario_out_of_range",
        mini("count = 200", "count = 0"),
        "households.count",
        command="serve",
    ),
]

OPTIONS = [
    Case("missing_file", ("run", "@TMP@/nope.toml"), ("@TMP@/nope.toml",)),
    Case("folder_as_scenario", ("run", "@TMP@"), ("@TMP@",)),
    Case("unknown_subcommand", ("fly", "@TMP@/mini.toml"), ("fly",)),
    Case("no_subcommand", (), ("COMMAND",)),
    Case("no_scenario", ("run",), ("SCENARIO",)),
    run_case("set_syntax", "--set", "conflict.intensity", expect=("--set",)),
    run_case("set_empty_key", "--set", "=1", expect=("--set",)),
    run_case("set_empty_value", "--set", "conflict.intensity=", expect=("conflict.intensity",)),
    run_case("set_unknown_key", "--set", "conflict.bogus=1", expect=("conflict.bogus",)),
    run_case("set_unknown_section", "--set", "bogus.key=1", expect=("bogus.key",)),
    run_case("set_unknown_place", "--set", "places.nowhere.services=0.5", expect=("nowhere",)),
    run_case(
        "set_unknown_place_key", "--set", "places.home.servics=0.5", expect=("places.home.servics",)
    ),
    run_case("set_out_of_range", "--set", "conflict.intensity=99", expect=("conflict.intensity",)),
    run_case("set_string", "--set", "conflict.intensity=high", expect=("conflict.intensity",)),
    run_case("set_table", "--set", "conflict.intensity={a=1}", expect=("conflict.intensity",)),
    run_case(
        "set_nested_too_deeply",
        "--set",
        "conflict.intensity=" + "[" * 50_000,
        expect=("nested too deeply",),
    ),
    run_case("set_nan", "--set", "conflict.intensity=nan", expect=("conflict.intensity",)),
    run_case("steps_zero", "--steps", "0", expect=("--steps",)),
    run_case("steps_negative", "--steps", "-1", expect=("--steps",)),
    run_case("steps_too_many", "--steps", "5000", expect=("--steps",)),
    run_case("households_abc", "--households", "abc", expect=("--households",)),
    run_case("households_too_many", "--households", "10" * 12, expect=("--households",)),
    run_case("seed_negative", "--seed", "-3", expect=("--seed",)),
    run_case("seed_too_big", "--seed", str(2**64), expect=("--seed",)),
    run_case("unknown_option", "--frobnicate", expect=("--frobnicate",)),
    run_case("out_is_a_file", "--out", "@TMP@/file.txt", expect=("--out",)),
    run_case("out_under_a_file", "--out", "@TMP@/file.txt/run", expect=("--out",)),
    run_case("out_not_a_run", "--out", "@TMP@/precious", expect=("--out",)),
    Case(
        "describe_bad_set",
        ("describe", "@TMP@/mini.toml", "--set", "decision.nope=1"),
        ("decision.nope",),
    ),
    Case("validate_facts_zero", ("validate", "--facts", "0"), ("--facts",)),
    Case("validate_facts_words", ("validate", "--facts", "one,two"), ("--facts",)),
    Case("validate_households_too_few", ("validate", "--households", "5"), ("--households",)),
    Case("serve_port_zero", ("serve", "--port", "0"), ("--port",)),
    Case("serve_port_too_big", ("serve", "--port", "70000"), ("--port 70000",)),
    Case("serve_port_busy", ("serve", "--port", "@PORT@"), ("--port @PORT@", "in use")),
    Case("serve_unknown_scenario", ("serve", "atlantis"), ("atlantis",)),
    Case("serve_scenario_missing_file", ("serve", "@TMP@/gone.toml"), ("@TMP@/gone.toml",)),
    Case(
        "serve_scenarios_not_a_folder", ("serve", "--scenarios", "@TMP@/nowhere"), ("--scenarios",)
    ),
    Case(
        "serve_scenario_outside_its_folder",
        ("serve", "@TMP@/mini.toml", "--scenarios", str(ROOT / "scenarios")),
        ("not in the scenarios folder",),
    ),
]

SPECS = [
    sweep_case("spec_not_toml", "scenario = [", "@TMP@/bad_spec.toml"),
    sweep_case("spec_nested_too_deeply", "x = " + "{a = " * 50_000, "nested too deeply"),
    sweep_case("spec_binary", b"\x00\xff\xfe", "@TMP@/bad_spec.toml"),  # type: ignore[arg-type]
    sweep_case("spec_no_scenario", spec('scenario = "@TMP@/mini.toml"\n', ""), "scenario"),
    sweep_case(
        "spec_scenario_missing", spec("@TMP@/mini.toml", "@TMP@/gone.toml"), "@TMP@/gone.toml"
    ),
    sweep_case("spec_unknown_top_key", "colour = 3\n" + SPEC, "colour"),
    sweep_case(
        "spec_unknown_parameter",
        spec('"peacekeeping.troops" = { min', '"peacekeeping.troopz" = { min'),
        "peacekeeping.troopz",
    ),
    sweep_case(
        "spec_range_reversed", spec("{ min = 0, max = 5000 }", "{ min = 5000, max = 0 }"), "troops"
    ),
    sweep_case(
        "spec_range_outside_registry",
        spec("{ min = 0, max = 5000 }", "{ min = -10, max = 5000 }"),
        "peacekeeping.troops",
    ),
    sweep_case("spec_unknown_method", spec('"lhs"', '"saltelli"'), "design.method"),
    sweep_case(
        "spec_sobol_samples_not_power_of_two",
        spec('method = "lhs"\nsamples = 2', 'method = "sobol"\nsamples = 10'),
        "design.samples",
    ),
    sweep_case("spec_replicates_zero", spec("replicates = 1", "replicates = 0"), "replicates"),
    sweep_case(
        "spec_households_string", spec("households = 100", 'households = "many"'), "households"
    ),
    sweep_case(
        "spec_unknown_metric",
        spec('"total_cost"]', '"total_costs"]'),
        "unknown metric 'total_costs'",
    ),
    sweep_case(
        "spec_mix_value_out_of_range",
        spec('"peacekeeping.troops" = 4000', '"peacekeeping.troops" = -5'),
        "mixes.troops",
        command="compare",
    ),
    Case(
        "sweep_workers_negative",
        ("sweep", "@TMP@/spec.toml", "--workers", "-1", "--out", "@TMP@/exp"),
        ("--workers",),
    ),
    Case(
        "sweep_flush_zero",
        ("sweep", "@TMP@/spec.toml", "--flush-seconds", "0", "--out", "@TMP@/exp"),
        ("--flush-seconds",),
    ),
    Case(
        "sweep_chunk_zero",
        ("sweep", "@TMP@/spec.toml", "--chunk", "0", "--out", "@TMP@/exp"),
        ("--chunk",),
    ),
    Case(
        "sweep_two_executors",
        ("sweep", "@TMP@/spec.toml", "--workers", "1", "--dask-local", "1"),
        ("--dask-local",),
    ),
    Case(
        "sweep_into_a_foreign_folder",
        ("sweep", "@TMP@/spec.toml", "--workers", "0", "--out", "@TMP@/precious"),
        ("@TMP@/precious",),
    ),
]

FOLDERS = [
    Case("query_missing_folder", ("query", "@TMP@/noexp", "SELECT 1"), ("@TMP@/noexp",)),
    Case("query_not_an_experiment", ("query", "@TMP@/precious", "SELECT 1"), ("@TMP@/precious",)),
    Case("analyze_not_an_experiment", ("analyze", "@TMP@/precious"), ("@TMP@/precious",)),
    Case("report_not_an_experiment", ("report", "@TMP@/precious"), ("@TMP@/precious",)),
    Case(
        "query_corrupt_manifest",
        ("query", "@TMP@/broken", "SELECT 1"),
        ("@TMP@/broken",),
        {"broken/manifest.json": '{"format": 1, "kind": '},
    ),
    Case(
        "analyze_manifest_not_a_table",
        ("analyze", "@TMP@/broken"),
        ("@TMP@/broken",),
        {"broken/manifest.json": "[1, 2, 3]"},
    ),
    Case(
        "report_manifest_without_its_keys",
        ("report", "@TMP@/broken"),
        ("@TMP@/broken",),
        {"broken/manifest.json": '{"format": 1}'},
    ),
]

TARGETS = [
    Case(
        "target_missing",
        (
            "calibrate",
            "@TMP@/mini.toml",
            "--target",
            "@TMP@/gone.csv",
            "--params",
            "conflict.intensity",
            "--out",
            "@TMP@/result",
        ),
        ("@TMP@/gone.csv",),
    ),
    target_case("target_empty", "", "empty"),
    target_case("target_header_only", "year,returns\n", "no rows"),
    target_case("target_no_year_column", "yr,returns\n2001,5\n", "no 'year' column"),
    target_case("target_duplicate_year", "year,returns\n2001,5\n2001,6\n", "2001"),
    target_case("target_not_a_number", "year,returns\n2001,five\n", "'five' is not a number"),
    target_case("target_negative", "year,returns\n2001,-3\n", "is not a number >= 0"),
    target_case("target_not_a_year", "year,returns\nlast,3\n", "'last' is not a year"),
    target_case("target_row_longer_than_header", "returns,year\nyear,year,2001\n", "more fields"),
    target_case("target_missing_value", "year,returns\n2000,5\n2001\n", "line 3"),
    target_case("target_binary", b"\x89PNG\r\n\x1a\n\x00\x00", "bad.csv"),
    target_case(
        "target_unknown_where",
        "country,year,returns\nA,2000,1\n",
        "region",
        extra=("--where", "region=A"),
    ),
    target_case(
        "target_unknown_column", "year,a,b\n2000,1,2\n", "--column c", extra=("--column", "c")
    ),
    calibrate_case(
        "calibrate_unknown_param", "--params", "decision.atachment", expect=("atachment",)
    ),
    calibrate_case(
        "calibrate_reversed_range",
        "--params",
        "conflict.intensity=2:1",
        expect=("conflict.intensity",),
    ),
    calibrate_case(
        "calibrate_fit_years_malformed",
        "--params",
        "conflict.intensity",
        "--fit-years",
        "soon",
        expect=("--fit-years",),
    ),
    calibrate_case(
        "calibrate_population_negative",
        "--params",
        "conflict.intensity",
        "--population",
        "-5",
        expect=("--population",),
    ),
    calibrate_case(
        "calibrate_unknown_series",
        "--params",
        "conflict.intensity",
        "--series",
        "deaths",
        expect=("--series",),
    ),
    Case(
        "calibrate_no_target",
        ("calibrate", "@TMP@/mini.toml", "--params", "conflict.intensity"),
        ("--target",),
    ),
]

CASES = SCENARIO_FILES + OPTIONS + SPECS + FOLDERS + TARGETS


def test_the_corpus_is_large_and_every_case_is_distinct() -> None:
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)
    commands = {c.argv[0] for c in CASES if c.argv}
    assert {"run", "describe", "sweep", "compare", "query", "analyze", "report"} <= commands
    assert {"calibrate", "validate", "serve"} <= commands


def test_the_valid_inputs_the_cases_break_are_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the break, the same inputs run: so each case fails for its own reason."""
    folder = setup_folder(tmp_path)
    monkeypatch.chdir(folder)
    assert cli.main(["run", str(folder / "mini.toml"), "--out", str(folder / "ok")]) == 0
    assert cli.main(["describe", str(folder / "mini.toml")]) == 0
    sweep = ["sweep", str(folder / "spec.toml"), "--out", str(folder / "exp"), "--workers", "0"]
    assert cli.main(sweep) == 0
    assert cli.main(["query", str(folder / "exp"), "SELECT count(*) FROM runs"]) == 0
    from returnsim.calibration.target import read_target

    assert len(read_target(folder / "target.csv")) == 2
    capsys.readouterr()


def setup_folder(tmp_path: Path) -> Path:
    """The valid inputs every case starts from, plus a file and a folder that must survive."""
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "mini.toml").write_text(MINI, encoding="utf-8")
    (folder / "spec.toml").write_text(SPEC.replace("@TMP@", str(folder)), encoding="utf-8")
    (folder / "target.csv").write_text(TARGET, encoding="utf-8")
    (folder / "file.txt").write_text("not a folder", encoding="utf-8")
    (folder / "precious").mkdir()
    (folder / "precious" / "notes.txt").write_text("keep me", encoding="utf-8")
    shutil.copytree(ROOT / "scenarios", folder / "scenarios")  # what `returnsim serve` lists
    return folder


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``folder`` with its size and modification time."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }


@contextmanager
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that something is already listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        yield s.getsockname()[1]


def materialise(case: Case, folder: Path, port: int) -> tuple[list[str], list[str]]:
    """Write the case's files; return its command line and expected fragments."""

    def fill(text: str) -> str:
        return text.replace("@TMP@", str(folder)).replace("@PORT@", str(port))

    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(fill(content), encoding="utf-8")
    return [fill(a) for a in case.argv], [fill(e) for e in case.expect]


@pytest.fixture
def never_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    """A serve case that got past every check must fail the test, not start a server."""
    from returnsim.viz import server

    def refuse(plan: object) -> None:
        raise AssertionError("the server would have started: the bad input was accepted")

    monkeypatch.setattr(server, "launch", refuse)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    case: Case,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    never_serve: None,
) -> None:
    folder = setup_folder(tmp_path)
    monkeypatch.chdir(folder)  # default output folders (out/...) would land here
    with busy_port() as port:
        argv, expect = materialise(case, folder, port)
        before = snapshot(folder)
        code = cli.main(argv)
    out, err = capsys.readouterr()

    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("returnsim: error: ")
    for fragment in expect:
        assert fragment in lines[0]
    assert "Traceback" not in err and out == ""
    assert snapshot(folder) == before  # no output folder, nothing half-written or touched


# Cases run again as a real process: the installed entry point, its exit status and stderr.
IN_A_PROCESS = [
    "scenario_not_toml",
    "scenario_binary",
    "scenario_unknown_key",
    "households_abc",
    "spec_unknown_metric",
    "target_not_a_number",
    "query_corrupt_manifest",
    "serve_port_busy",
]


def test_the_corpus_names_real_cases_for_the_process_runs() -> None:
    assert set(IN_A_PROCESS) <= {c.id for c in CASES}


@pytest.mark.parametrize("name", IN_A_PROCESS)
def test_bad_input_in_a_real_process(name: str, tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == name)
    folder = setup_folder(tmp_path)
    with busy_port() as port:
        argv, expect = materialise(case, folder, port)
        before = snapshot(folder)
        done = subprocess.run(
            [sys.executable, "-m", "returnsim.cli", *argv],
            capture_output=True,
            text=True,
            cwd=folder,
            stdin=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("returnsim: error: ")
    assert all(fragment in done.stderr for fragment in expect), done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert snapshot(folder) == before
