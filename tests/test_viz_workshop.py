"""The workshop server without a browser: controls, scenario folder, export, story, CLI, assets."""

from __future__ import annotations

import socket
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from returnsim import scenario_toml
from returnsim.cli import main
from returnsim.errors import InputError
from returnsim.model import ReturnModel
from returnsim.parameters import BY_KEY
from returnsim.scenario import from_dict, load
from returnsim.viz import DEAD_CDN, assets, server, solara_env, state_dir, story, workshop
from returnsim.viz.workshop import (
    CONTROLS,
    MAX_HOUSEHOLDS,
    WorkshopModel,
    control_values,
    overrides,
    parse_seed,
    scenario_names,
    scenario_path,
)

REPO = Path(__file__).absolute().parents[1]
SCENARIOS = REPO / "scenarios"


@pytest.fixture(autouse=True)
def scenarios_folder(monkeypatch) -> None:
    """The app reads the scenarios folder from the environment, as `returnsim serve` sets it."""
    monkeypatch.setenv(workshop.FOLDER_ENV, str(SCENARIOS))


# ----------------------------------------------------------------- controls
@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.name)
def test_every_slider_is_bounded_within_the_registry(control) -> None:
    param = BY_KEY[control.key]
    if control.kind == "choice":
        assert control.choices == param.choices and control.choices
        return
    assert control.low < control.high
    assert param.low is None or control.low * control.scale >= param.low
    assert param.high is None or control.high * control.scale <= param.high
    assert control.to_param(10**12) == control.to_param(control.high)  # clamped
    assert control.to_param(-5) == control.to_param(control.low)


def test_households_are_capped_for_the_server(tmp_path) -> None:
    assert workshop.BY_NAME["households"].high == MAX_HOUSEHOLDS <= 100_000
    big = (SCENARIOS / "baseline.toml").read_text().replace("count = 20000", "count = 2000000")
    assert "count = 2000000" in big
    (tmp_path / "big.toml").write_text(big)
    spec = workshop.load_named("big", tmp_path)
    assert spec["households.count"] == MAX_HOUSEHOLDS


def test_the_agent_engine_is_capped_lower(tmp_path, monkeypatch) -> None:
    text = (
        (SCENARIOS / "baseline.toml")
        .read_text()
        .replace("[scenario]", '[scenario]\nengine = "agents"', 1)
    )
    (tmp_path / "agents.toml").write_text(text)
    spec = workshop.load_named("agents", tmp_path)
    assert spec["scenario.engine"] == "agents" and spec["households.count"] == 20_000
    monkeypatch.setenv(workshop.FOLDER_ENV, str(tmp_path))
    model = WorkshopModel(scenario_name="agents", households=100_000)
    assert model.pop.n == workshop.MAX_AGENT_HOUSEHOLDS


def test_sliders_at_the_scenario_values_change_nothing() -> None:
    spec = load(SCENARIOS / "full_response.toml")
    assert overrides(spec, control_values(spec), spec["scenario.seed"]) == {}


def test_more_troops_scale_the_mandate_ceiling() -> None:
    spec = load(SCENARIOS / "baseline.toml")  # 8,000 troops + 500 police, ceiling 8,500
    out = overrides(spec, {"troops": 16_500})
    assert out["peacekeeping.troops"] == 16_500
    assert out["peacekeeping.ceiling"][0] == [20, 17_000.0]
    assert out["peacekeeping.ceiling"][-1][1] == pytest.approx(4_000.0)


def test_money_sliders_are_in_thousands() -> None:
    spec = load(SCENARIOS / "baseline.toml")
    out = overrides(spec, {"aid": 250, "reconstruction": 100})
    assert out == {"aid.monthly_budget": 250_000.0, "reconstruction.monthly_budget": 100_000.0}


@pytest.mark.parametrize(
    ("text", "expected"), [("7", 7), (" 12 ", 12), ("", 42), ("x", 42), ("-3", 42), (9, 9)]
)
def test_seed_typed_by_a_participant(text, expected) -> None:
    assert parse_seed(text, 42) == expected


def test_workshop_model_applies_the_sliders() -> None:
    model = WorkshopModel(scenario_name="baseline", seed="3", households=2_000, troops=0, police=0)
    model.run_for(30)
    ts = model.datacollector.get_model_vars_dataframe()
    assert model.seed == 3 and model.pop.n == 2_000
    assert ts["peacekeepers_deployed"].max() == 0
    with_mission = WorkshopModel(scenario_name="baseline", seed="3", households=2_000)
    with_mission.run_for(30)
    assert with_mission.datacollector.get_model_vars_dataframe()["troops_deployed"].max() > 0


# --------------------------------------------------------- scenarios folder
def test_picker_lists_only_the_folder(tmp_path) -> None:
    (tmp_path / "a.toml").write_text("x")
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.toml").write_text("x")
    assert scenario_names(tmp_path) == ["a"]
    assert "baseline" in scenario_names(SCENARIOS)


@pytest.mark.parametrize(
    "name", ["../baseline", "/etc/passwd", "sub/c", ".hidden", "", "missing", "..\\x"]
)
def test_names_outside_the_folder_are_refused(tmp_path, name) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.toml").write_text("x")
    with pytest.raises(InputError):
        scenario_path(name, tmp_path)


def test_a_symlink_leaving_the_folder_is_refused(tmp_path) -> None:
    (tmp_path / "evil.toml").symlink_to(SCENARIOS / "baseline.toml")
    with pytest.raises(InputError, match="not in"):
        scenario_path("evil", tmp_path)


# ------------------------------------------------------------------- export
@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.stem)
def test_exported_toml_loads_to_the_same_settings(path) -> None:
    spec = load(path).with_overrides(
        {"peacekeeping.troops": 12_000, "scenario.description": 'quote " and \\ and é'}
    )
    text = scenario_toml.dumps(spec, header="exported\nfor a test")
    again = from_dict(tomllib.loads(text), source="exported")
    assert again.to_dict() == spec.to_dict()
    assert again.calibration == spec.calibration
    assert again.digest() == spec.digest()


def test_exported_settings_reproduce_the_workshop_run(tmp_path) -> None:
    from returnsim.viz.components import run_csv, settings_toml

    model = WorkshopModel(
        scenario_name="baseline", seed="5", households=3_000, troops=12_000, aid=200, cash=50
    )
    model.run_for(18)
    (tmp_path / "run.toml").write_text(settings_toml(model))
    (tmp_path / "run.csv").write_text(run_csv(model))
    assert main(["describe", str(tmp_path / "run.toml")]) == 0
    again = ReturnModel(load(tmp_path / "run.toml"))
    again.run_for(18)
    exported = pd.read_csv(tmp_path / "run.csv")
    rerun = again.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    assert list(exported.columns) == list(rerun.columns)
    pd.testing.assert_frame_equal(exported, rerun, check_dtype=False, check_exact=False)


def test_toml_values_are_valid_toml() -> None:
    for v in (1, 1.5, 1e-7, 1e16, True, "a\tb\x7f\x01", [[0, 1.0]], ["x", "y"]):
        assert tomllib.loads(f"v = {scenario_toml.value(v)}")["v"] == v
    with pytest.raises(ValueError):
        scenario_toml.value(float("inf"))


# -------------------------------------------------------------------- story
def test_violence_sentence_names_where_it_rose_and_fell() -> None:
    names = ["north", "east", "south"]
    text = story.violence_sentence(names, np.array([2.0, 30.0, 5.0]), np.array([20.0, 10.0, 5.5]))
    assert text.startswith("violence rose in north (2 to 20 violent events in north)")
    assert "violence fell in east" in text and "south" not in text
    assert story.violence_sentence(names, np.zeros(3), np.zeros(3)) == ""


def test_month_story_tells_flight_and_return() -> None:
    model = WorkshopModel(scenario_name="baseline", households=5_000)
    assert story.month_story(model).startswith("Month 0 (Jan 2004): the start of baseline")
    model.step()
    text = story.month_story(model)
    assert text.startswith("Month 1 (Feb 2004)")
    assert f"{model.flows.new_displacements:,} households fled" in text
    assert story.month_label(13, 2004) == "Month 13 (Feb 2005)"


# ---------------------------------------------------------------------- CLI
def test_serve_help_documents_the_server(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["serve", "--help"])
    assert exc.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    for word in ("--host", "--port", "--scenarios", "127.0.0.1", "8765", "offline", "compare"):
        assert word in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.toml"], "missing.toml: no such scenario file"),
        (["nothere"], "scenario 'nothere' is not in"),
        (["--port", "70000"], "--port 70000 is not allowed"),
        (["--port", "x"], "is not a whole number"),
        (["--scenarios", "/nonexistent/dir"], "no such folder"),
    ],
)
def test_serve_bad_input_is_one_line_and_exit_2(capsys, args, message) -> None:
    assert main(["serve", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("returnsim: error: ")
    assert message in err


def test_serve_refuses_a_file_outside_the_scenarios_folder(tmp_path, capsys) -> None:
    other = tmp_path / "mine.toml"
    other.write_text((SCENARIOS / "baseline.toml").read_text())
    assert main(["serve", str(other), "--scenarios", str(SCENARIOS)]) == 2
    assert "not in the scenarios folder" in capsys.readouterr().err


def test_serve_bad_scenario_reports_its_error(tmp_path, capsys) -> None:
    (tmp_path / "bad.toml").write_text("[conflict]\nintensity = -1\n")
    assert main(["serve", str(tmp_path / "bad.toml")]) == 2
    assert "conflict.intensity" in capsys.readouterr().err


def test_serve_port_in_use(capsys) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_serve_launches_solara_offline(monkeypatch, capsys) -> None:
    launched = []
    monkeypatch.setattr(server, "launch", launched.append)
    assert main(["serve", "--port", str(_free_port())]) == 0
    (plan,) = launched
    assert plan.argv[1:5] == ["-m", "solara", "run", "returnsim.viz.app"]
    assert {"--production", "--no-open", "--no-check-version"} <= set(plan.argv)
    assert plan.argv[plan.argv.index("--host") + 1] == "127.0.0.1"
    env = plan.env
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SOLARA_ASSETS_CDN"] == DEAD_CDN
    assert Path(env["SOLARA_HOME"]).is_relative_to(state_dir())
    assert Path(env["SOLARA_ASSETS_PROXY_CACHE_DIR"]) == assets.assets_dir()
    assert env[workshop.SCENARIO_ENV] == "baseline"
    assert env[workshop.FOLDER_ENV] == str(SCENARIOS)
    out, err = capsys.readouterr()
    assert "http://127.0.0.1:" in out and err == ""


def test_serve_without_web_assets_says_how_to_get_them(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("RETURNSIM_STATE_DIR", str(tmp_path))
    assert main(["serve", "--port", str(_free_port())]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "web assets are missing" in err and "make bootstrap" in err


def test_serve_on_the_network_warns(monkeypatch, capsys) -> None:
    monkeypatch.setattr(server, "launch", lambda plan: None)
    assert main(["serve", "baseline", "--host", "0.0.0.0", "--port", str(_free_port())]) == 0
    err = capsys.readouterr().err
    assert err.startswith("returnsim: warning: serving on 0.0.0.0: anyone on the network")


@pytest.mark.parametrize(
    ("host", "local"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.1.1", True),
     ("0.0.0.0", False), ("192.168.1.5", False), ("::", False), ("example.org", False)],
)  # fmt: skip
def test_is_local(host, local) -> None:
    assert server.is_local(host) is local


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------- assets
def test_state_and_assets_stay_in_the_project() -> None:
    env = solara_env()
    home = Path.home().resolve()
    for key in ("SOLARA_HOME", "SOLARA_ASSETS_PROXY_CACHE_DIR"):
        assert not Path(env[key]).resolve().is_relative_to(home / ".solara")
        assert Path(env[key]).is_relative_to(state_dir())


def test_asset_specs_are_read_from_the_installed_solara() -> None:
    specs = assets.required_specs()
    for spec in ("@widgetti/solara-vuetify-app@", "requirejs@", "font-awesome@"):
        assert any(s.startswith(spec) for s in specs)
    assert not any("vuetify3" in s for s in specs)


def test_asset_specs_follow_the_solara_sources(tmp_path) -> None:
    texts = {
        "server/templates/solara.html.j2": '<script src="{{cdn}}/requirejs@9.9.9/require.js">'
        '<link href="{{cdn}}/@widgetti/solara-vuetify3-app@5.2.0/dist/x.css">',
        "server/settings.py": 'fontawesome_path: str = "/font-awesome@4.7.0/css/x.css"',
        "widgets/vue/gridlayout.vue": "`${this.getCdn()}/@widgetti/vue-grid-layout@3.0.0/d.js`",
        "widgets/vue/vegalite.vue": "`${this.getCdn()}/vega@6/build/vega.min.js`",
    }
    for rel, text in texts.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    assert assets.required_specs(tmp_path) == [
        "requirejs@9.9.9", "font-awesome@4.7.0", "@widgetti/vue-grid-layout@3.0.0", "vega@6"
    ]  # fmt: skip
    (tmp_path / "server/settings.py").unlink()
    assert assets.required_specs(tmp_path) == list(assets.FALLBACK)


def test_assets_are_installed_by_the_bootstrap() -> None:
    assert assets.missing_files() == [], "run `make bootstrap` (returnsim assets)"


def test_asset_install_fails_in_one_line_without_npm(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(assets.shutil, "which", lambda name: None)
    with pytest.raises(assets.AssetError, match="npm not found"):
        assets.install(tmp_path, ["requirejs@2.3.6"])
    monkeypatch.setattr(assets, "assets_dir", lambda: tmp_path)
    assert main(["assets"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("returnsim: error: npm not found")


def test_asset_install_skips_what_is_there(tmp_path) -> None:
    done = tmp_path / "requirejs@2.3.6"
    done.mkdir()
    (done / assets.DONE).write_text("")
    assert assets.install(tmp_path, ["requirejs@2.3.6"], npm="/nonexistent/npm") == []


# ------------------------------------------------------------------- README
def test_readme_documents_the_workshop() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## Running a workshop" in text and "returnsim serve" in text
    assert "](docs/images/workshop.png)" in text
    assert (REPO / "docs" / "images" / "workshop.png").stat().st_size > 50_000
    workshop_part = text.split("## Running a workshop", 1)[1].split("\n## ", 1)[0]
    assert [f"\n{i}. **" in workshop_part for i in (1, 2, 3)] == [True] * 3


# ------------------------------------------------------- hostile input
#: Paths opened while ``opened`` is recording (an audit hook: every open() in this process).
_OPENED: list[tuple[str, str]] | None = None


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _OPENED is not None:
        _OPENED.append((str(args[0]), str(args[1])))


sys.addaudithook(_audit)


@contextmanager
def opened() -> Iterator[list[tuple[str, str]]]:
    """(path, mode) of every file opened in the block."""
    global _OPENED
    _OPENED = seen = []
    try:
        yield seen
    finally:
        _OPENED = None


def one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert text and "\n" not in text and "Traceback" not in text
    return text


NUMBERS = [c for c in CONTROLS if c.kind != "choice"]


@pytest.mark.parametrize("control", NUMBERS, ids=lambda c: c.name)
def test_a_slider_value_outside_its_range_is_clamped(control) -> None:
    assert control.clamp(10**400) == control.clamp(float("inf")) == control.high
    assert control.clamp(-(10**12)) == control.low
    inside = control.low + control.step
    assert control.clamp(inside) == inside


@pytest.mark.parametrize("bad", [float("nan"), "5000", None, [1], {"v": 1}, True])
def test_a_slider_value_that_is_not_a_number_is_refused(bad) -> None:
    for control in NUMBERS:
        with pytest.raises(InputError) as exc:
            control.clamp(bad)
        text = one_line(exc)
        assert text.startswith(f"{control.label} ({control.key}): ")
        assert f"is not allowed (a number from {control.low:,g} to {control.high:,g})" in text


@pytest.mark.parametrize("bad", ["evil", "", "STATIC", 1, None])
def test_a_choice_outside_its_list_is_refused(bad) -> None:
    with pytest.raises(InputError) as exc:
        workshop.BY_NAME["strategy"].clamp(bad)
    assert "(one of static, hotspot, return_areas)" in one_line(exc)


def test_hostile_values_never_reach_the_model() -> None:
    model = WorkshopModel(
        scenario_name="baseline",
        households=10**9,
        troops=-(10**9),
        police=float("inf"),
        intensity=float("nan"),
        strategy="../../etc/passwd",
        cash="300; rm -rf /",
        aid=[1e12],
        seed="12; DROP",
    )
    spec, base = model.spec, load(SCENARIOS / "baseline.toml")
    assert model.pop.n == spec["households.count"] == MAX_HOUSEHOLDS
    assert spec["peacekeeping.troops"] == 0 and spec["peacekeeping.police"] == 5_000
    for key in ("conflict.intensity", "peacekeeping.strategy", "return_package.cash_per_person",
                "aid.monthly_budget", "scenario.seed"):  # fmt: skip
        assert spec[key] == base[key], key
    assert len(model.notes) == 5 and all("\n" not in n for n in model.notes)
    assert any(n.startswith("Seed: '12; DROP' is not allowed") for n in model.notes)
    assert any(n.startswith("Conflict intensity (x scenario) (conflict.intensity): nan is")
               for n in model.notes)  # fmt: skip


@pytest.mark.parametrize(
    "bad", ["abc", "-1", "1" * 30, "1e5", "0x10", str(2**63), 3.5, None, [1], True]
)
def test_seed_garbage_is_refused_in_one_line(bad) -> None:
    with pytest.raises(InputError) as exc:
        workshop.check_seed(bad)
    assert one_line(exc).startswith("Seed: ")
    assert parse_seed(bad, 42) == 42


def test_seed_box_takes_whole_numbers() -> None:
    assert workshop.check_seed("") is None and workshop.check_seed("  ") is None
    assert workshop.check_seed(" 7 ") == 7 and workshop.check_seed(str(2**63 - 1)) == 2**63 - 1


def test_steps_after_the_last_month_do_nothing() -> None:
    base = load(SCENARIOS / "baseline.toml").with_overrides(
        {"scenario.months": 3, "households.count": 1_000}
    )
    model = WorkshopModel(scenario_name="short", base=base)
    for _ in range(10):
        model.step()
    assert model.steps == 3 and model.finished
    assert len(model.datacollector.get_model_vars_dataframe()) == 4  # months 0 to 3


# ------------------------------------------------------------------ upload
def test_an_exported_scenario_uploads_to_the_same_settings() -> None:
    from returnsim.viz.components import settings_toml

    model = WorkshopModel(scenario_name="baseline", seed="9", households=2_000, troops=4_000)
    model.run_for(2)
    text = settings_toml(model)
    with opened() as seen:
        spec = workshop.load_uploaded("baseline-seed9-month2.toml", text.encode())
    assert seen == []  # nothing read from or written to disk
    assert spec.to_dict() == model.spec.to_dict()
    again = WorkshopModel(scenario_name="baseline-seed9-month2", base=spec)
    assert again.uploaded and again.spec.digest() == model.spec.digest()
    assert workshop.describe(again).startswith("baseline-seed9-month2 (uploaded), seed 9")


BASELINE = (SCENARIOS / "baseline.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("big.toml", b"#" * (workshop.MAX_UPLOAD_BYTES + 1),
         "upload big.toml: 262,145 bytes or more is too large (a scenario file of at most 256 KB)"),
        ("bin.toml", b"\xff\xfe\x00\x01", "upload bin.toml: not a text file (a scenario is UTF-8"),
        ("bad.toml", b"[scenario\nname = 1", "upload bad.toml: not valid TOML: "),
        ("key.toml", BASELINE.replace("[scenario]", "[scenario]\nbogus = 1", 1).encode(),
         "upload key.toml: unknown key 'scenario.bogus'"),
        ("range.toml", BASELINE.replace("intensity = 1.0", "intensity = -1.0").encode(),
         "upload range.toml: conflict.intensity = -1.0 is not allowed"),
        ("many.toml", BASELINE.replace("count = 20000", "count = 2000000").encode(),
         "upload many.toml: households.count = 2,000,000 is not allowed on this server "
         "(at most 100,000)"),
        ("agents.toml",
         BASELINE.replace("[scenario]", '[scenario]\nengine = "agents"', 1).encode(),
         "households.count = 20,000 is not allowed on this server with engine = 'agents' "
         "(at most 5,000)"),
        ("empty.toml", b"", "upload empty.toml: [places] is missing"),
        ("deep.toml", b"x = " + b"[" * 200_000, "upload deep.toml: not valid TOML: arrays or "
         "tables nested too deeply"),
        ("scenario.txt", BASELINE.encode(), "upload 'scenario.txt': not a scenario file"),
        ("../../etc/evil.toml", BASELINE.encode(), "not a plain file name"),
        ("/etc/evil.toml", BASELINE.encode(), "not a plain file name"),
        ("..\\evil.toml", BASELINE.encode(), "not a plain file name"),
        ("evil\x00.toml", BASELINE.encode(), "not a plain file name"),
        ("new\nline.toml", BASELINE.encode(), "not a plain file name"),
        (".hidden.toml", BASELINE.encode(), "not a plain file name"),
        ("x" * 300 + ".toml", BASELINE.encode(), "at most 120 characters"),
        (None, BASELINE.encode(), "upload None: not a scenario file"),
    ],
    ids=lambda x: x[:12] if isinstance(x, str) else None,
)  # fmt: skip
def test_a_bad_upload_is_refused_in_one_line(tmp_path, monkeypatch, filename, data, message):
    assert "count = 20000" in BASELINE and "intensity = 1.0" in BASELINE
    monkeypatch.chdir(tmp_path)
    with opened() as seen, pytest.raises(InputError) as exc:
        workshop.load_uploaded(filename, data)
    assert message in one_line(exc)
    assert not [p for p, mode in seen if set(mode) & set("wax+")]  # nothing written
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------- picker, hostile names
@pytest.mark.parametrize(
    "name",
    ["../outside/secret", "../outside/secret.toml", "..%2Foutside%2Fsecret",
     "%2e%2e%2foutside%2fsecret", "..\\outside\\secret", "C:\\outside\\secret",
     "sub/../../outside/secret", "secret\x00", "a\x00/../../outside/secret", "x" * 5_000,
     "\u2025/outside/secret", "link", "dirlink/secret", "~/secret", "$HOME", "*", " ", 7, None],
)  # fmt: skip
def test_hostile_names_read_nothing_outside_the_folder(tmp_path, name) -> None:
    folder, outside = tmp_path / "scenarios", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (outside / "secret.toml").write_text(BASELINE, encoding="utf-8")
    (folder / "a.toml").write_text(BASELINE, encoding="utf-8")
    (folder / "link.toml").symlink_to(outside / "secret.toml")
    (folder / "dirlink").symlink_to(outside)
    with opened() as seen, pytest.raises(InputError) as exc:
        workshop.load_named(name, folder)
    one_line(exc)
    assert seen == []
    with opened() as seen:
        assert workshop.load_named("a", folder)["households.count"] == 20_000
    assert [Path(p).resolve() for p, _ in seen] == [(folder / "a.toml").resolve()]


# ------------------------------------------------------------- cull delay
def test_the_drop_delay_of_closed_pages_can_be_set(monkeypatch, capsys) -> None:
    launched = []
    monkeypatch.setattr(server, "launch", launched.append)
    assert main(["serve", "--port", str(_free_port())]) == 0
    assert launched[-1].env["SOLARA_KERNEL_CULL_TIMEOUT"] == "15m"
    monkeypatch.setenv(server.CULL_ENV, "5s")
    assert main(["serve", "--port", str(_free_port())]) == 0
    assert launched[-1].env["SOLARA_KERNEL_CULL_TIMEOUT"] == "5s"
    monkeypatch.setenv(server.CULL_ENV, "soon; rm -rf /")
    capsys.readouterr()
    assert main(["serve", "--port", str(_free_port())]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "RETURNSIM_CULL_TIMEOUT='soon; rm -rf /' is not allowed (a delay such as 30s" in err


def test_serve_needs_a_scenarios_folder_it_is_told_of(tmp_path, monkeypatch) -> None:
    """No fallback into the source tree (an installed package has none): ./scenarios, the
    environment variable or --scenarios, else one line saying so."""
    monkeypatch.delenv(workshop.FOLDER_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="no scenarios folder here"):
        server.resolve_scenario("baseline", None)
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "baseline.toml").write_bytes(
        (Path(__file__).absolute().parents[1] / "scenarios" / "baseline.toml").read_bytes()
    )
    assert server.resolve_scenario("baseline", None) == ("baseline", tmp_path / "scenarios")


def test_the_workshop_checks_memory_before_it_builds_a_page(monkeypatch) -> None:
    from returnsim import limits

    monkeypatch.setenv(limits.ENV, "1M")
    with pytest.raises(InputError, match="this run needs about"):
        workshop.WorkshopModel(scenario_name="baseline")
