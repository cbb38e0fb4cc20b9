"""The workshop page rendered without a browser (solara.render): controls, views, sessions."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest

from returnsim.viz import workshop

REPO = Path(__file__).absolute().parents[1]


@pytest.fixture(autouse=True)
def scenarios_folder(monkeypatch) -> None:
    monkeypatch.setenv(workshop.FOLDER_ENV, str(REPO / "scenarios"))
    monkeypatch.delenv(workshop.SCENARIO_ENV, raising=False)


@pytest.fixture(scope="module")
def ui() -> Any:
    """solara, ipyvuetify, ipywidgets and the app, imported here, after the module's import
    of returnsim.viz has set Solara's environment (home, telemetry, asset cache)."""
    import ipyvuetify
    import ipywidgets
    import solara

    from returnsim.viz import app, components

    class UI:
        pass

    ns = UI()
    ns.solara, ns.v, ns.w, ns.app, ns.components = solara, ipyvuetify, ipywidgets, app, components
    return ns


def render_page(ui: Any) -> Any:
    """Render one participant's page inside the app layout (as the server does)."""
    _, rc = ui.solara.render(ui.solara.AppLayout(children=[ui.app.Page()]), handle_error=False)
    return rc


def story(ui: Any, rc: Any) -> str:
    return rc.find(ui.v.Html, class_="returnsim-story").widget.children[0]


def running(ui: Any, rc: Any) -> str:
    return rc.find(ui.v.Html, class_="returnsim-running").widget.children[0]


def image(ui: Any, rc: Any, name: str) -> bytes:
    return rc.find(ui.w.Image, _dom_classes=(f"returnsim-{name}",)).widget.value


def click(ui: Any, rc: Any, label: str) -> None:
    rc.find(ui.v.Btn, children=[label]).widget.click()


def test_page_renders_every_control(ui) -> None:
    rc = render_page(ui)
    for label in ("Reset", "▶", "Step"):
        rc.find(ui.v.Btn, children=[label]).assert_single()
    sliders = {s.label for s in rc.find(ui.v.Slider).widgets}
    for c in workshop.CONTROLS:
        if c.kind != "choice":
            assert c.label in sliders
    selects = {s.label: s for s in rc.find(ui.v.Select).widgets}
    assert selects["Scenario"].items == workshop.scenario_names()
    assert selects["Deployment strategy"].items == ["static", "hotspot", "return_areas"]
    rc.find(ui.v.TextField, label="Seed").assert_single()
    assert story(ui, rc).startswith("Month 0 (Jan 2004): the start of baseline")
    tabs = [t.children[0] for t in rc.find(ui.v.Tab).widgets]
    assert tabs == list(ui.app.TABS)


def test_step_advances_the_month_and_redraws(ui) -> None:
    rc = render_page(ui)
    before = {n: image(ui, rc, n) for n in ("map", "stocks", "flows")}
    click(ui, rc, "Step")
    assert story(ui, rc).startswith("Month 1 (Feb 2004)")
    for name, data in before.items():
        assert image(ui, rc, name) != data, name


def test_two_pages_have_their_own_models(ui) -> None:
    a, b = render_page(ui), render_page(ui)
    click(ui, a, "Step")
    click(ui, a, "Step")
    assert story(ui, a).startswith("Month 2 ")
    assert story(ui, b).startswith("Month 0 ")
    click(ui, b, "Step")
    assert story(ui, a).startswith("Month 2 ") and story(ui, b).startswith("Month 1 ")


def test_sliders_and_seed_apply_on_reset(ui) -> None:
    rc = render_page(ui)
    click(ui, rc, "Step")
    rc.find(ui.v.Slider, label="Troops").widget.v_model = 12_000
    rc.find(ui.v.Slider, label="Households").widget.v_model = 5_000
    seed = rc.find(ui.v.TextField, label="Seed").widget
    seed.v_model = "7"
    seed.fire_event("keyup.enter", None)
    assert running(ui, rc) == "Now running: baseline, seed 42"  # not before Reset
    click(ui, rc, "Reset")
    text = running(ui, rc)
    assert text.startswith("Now running: baseline, seed 7")
    assert "Troops 12,000" in text and "Households 5,000" in text
    assert story(ui, rc).startswith("Month 0 (Jan 2004): the start of baseline. 5,000 households")


def test_scenario_picker_switches_the_run(ui) -> None:
    rc = render_page(ui)
    rc.find(ui.v.Select, label="Scenario").widget.v_model = "full_response"
    assert running(ui, rc).startswith("Now running: full_response")
    assert "full_response" in story(ui, rc)
    # the sliders now show the new scenario's own settings
    assert rc.find(ui.v.Slider, label="Humanitarian aid, USD k/month").widget.v_model == 250
    # Reset starts a new run of the picked scenario, not of the first one
    rc.find(ui.v.Slider, label="Troops").widget.v_model = 0
    click(ui, rc, "Reset")
    assert running(ui, rc).startswith("Now running: full_response, seed 42; Troops 0")
    assert "Humanitarian aid" not in running(ui, rc)  # its own aid, as the slider shows


def test_compare_runs_mix_b_on_the_same_seed_and_month(ui) -> None:
    model = workshop.WorkshopModel(scenario_name="baseline", households=3_000)
    model.run_for(30)
    _, rc = ui.solara.render(ui.components.CompareView(model), handle_error=False)
    table = rc.find(ui.solara.widgets.HTML).widget.unsafe_innerHTML
    assert "Month 30" in table and "Mix B" in table
    rc.find(ui.v.Slider, label="B: Troops").widget.v_model = 0
    changed = [w.children[0] for w in rc.find(ui.v.Html, tag="span").widgets]
    assert any("peacekeeping.troops = 0" in t for t in changed)
    after = rc.find(ui.solara.widgets.HTML).widget.unsafe_innerHTML
    assert after != table  # mix B without troops ends elsewhere
    rc.find(ui.w.Image, _dom_classes=("returnsim-compare",)).assert_single()


def test_export_offers_csv_and_toml(ui) -> None:
    model = workshop.WorkshopModel(scenario_name="baseline", households=2_000, aid=100)
    model.run_for(3)
    _, rc = ui.solara.render(ui.components.ExportView(model), handle_error=False)
    labels = {str(b.children) for b in rc.find(ui.v.Btn).widgets}
    assert any("Download run (CSV)" in s for s in labels)
    assert any("Download settings (TOML)" in s for s in labels)
    text = rc.find(ui.v.Html, tag="pre").widget.children[0]
    assert text.startswith("# Exported by the returnsim workshop server")
    assert "monthly_budget = 100000.0" in text
    assert "Reproduce: returnsim run baseline-seed42-month3.toml" in text
    csv = ui.components.run_csv(model)
    assert csv.splitlines()[0].startswith("month,") and len(csv.splitlines()) == 5


def test_views_of_money_and_reintegration_render(ui) -> None:
    model = workshop.WorkshopModel(scenario_name="full_response", households=2_000)
    model.run_for(24)
    _, rc = ui.solara.render(ui.app.Views(model), handle_error=False)
    tabs = rc.find(ui.v.Tabs).widget
    tabs.v_model = 1
    rc.find(ui.w.Image, _dom_classes=("returnsim-reintegration",)).assert_single()
    rc.find(ui.w.Image, _dom_classes=("returnsim-spending",)).assert_single()
    budget = rc.find(ui.v.Html, tag="span").widgets
    assert any("USD 60.0 million" in str(w.children) for w in budget)


# ------------------------------------------------------- hostile input
def alerts(ui: Any, rc: Any, name: str) -> list[str]:
    return [str(a.children[0]) for a in rc.find(ui.v.Alert, class_=f"returnsim-{name}").widgets]


def wait_for(rc: Any, check: Any, seconds: float = 60.0) -> None:
    """Wait until ``check()`` is true (an upload is read in a thread), then for the render
    pass that made it true to end: a click during that pass is left to the upload's
    thread, which would render the page from before the click."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    assert rc.thread_lock.acquire(timeout=seconds), "a render pass did not end"
    rc.thread_lock.release()


def test_hostile_widget_values_are_held_by_the_server(ui) -> None:
    rc = render_page(ui)
    months = rc.find(ui.v.Slider, label="Render Interval (steps)").widget
    months.v_model = 10**9  # what a hostile client can send over the websocket
    assert months.v_model == ui.app.RENDER_RANGE[1]
    play = rc.find(ui.v.Slider, label="Play Interval (ms)").widget
    play.v_model = -5
    assert play.v_model == ui.app.PLAY_RANGE[0]
    rc.find(ui.v.Slider, label="Troops").widget.v_model = 10**9
    rc.find(ui.v.Select, label="Deployment strategy").widget.v_model = "everywhere"
    seed = rc.find(ui.v.TextField, label="Seed").widget
    seed.v_model = "<script>"
    seed.fire_event("keyup.enter", None)
    click(ui, rc, "Reset")
    assert running(ui, rc) == "Now running: baseline, seed 42; Troops 30,000"
    notes = alerts(ui, rc, "note")
    assert len(notes) == 2
    assert notes[0].startswith("Deployment strategy (peacekeeping.strategy): 'everywhere' is not")
    assert notes[1].startswith("Seed: '<script>' is not allowed (a whole number from 0 to")
    click(ui, rc, "Step")  # at most 100 months per Step, not a billion
    assert story(ui, rc).startswith("Month 100 (")


def test_a_hostile_scenario_pick_leaves_the_run_as_it_is(ui) -> None:
    rc = render_page(ui)
    click(ui, rc, "Step")
    for name in ("../../etc/passwd", "/etc/passwd", "baseline\x00", None, 7):
        rc.find(ui.v.Select, label="Scenario").widget.v_model = name
        (error,) = alerts(ui, rc, "error")
        assert "\n" not in error and error.startswith("scenario ")
        assert running(ui, rc) == "Now running: baseline, seed 42"
        assert story(ui, rc).startswith("Month 1 ")


def upload(ui: Any, rc: Any, name: Any, data: bytes) -> None:
    """What the browser does when a file is chosen: the file list, then the chunks on request."""
    from ipyvuetify.extra import FileInput

    field = rc.find(FileInput).widget
    field.get_files = lambda timeout=30: [
        {"name": name, "size": len(data), "file_obj": io.BytesIO(data)}
    ]
    field.file_info = [{"name": name, "size": len(data)}]


def test_a_scenario_file_uploads_and_runs(ui) -> None:
    rc = render_page(ui)
    text = (REPO / "scenarios" / "full_response.toml").read_text(encoding="utf-8")
    upload(ui, rc, "mine.toml", text.replace("count = 20000", "count = 3000").encode())
    wait_for(rc, lambda: running(ui, rc).startswith("Now running: mine (uploaded), seed "))
    assert alerts(ui, rc, "error") == []
    assert "the start of full_response. 3,000 households" in story(ui, rc)
    assert rc.find(ui.v.Slider, label="Humanitarian aid, USD k/month").widget.v_model == 250
    rc.find(ui.v.Slider, label="Troops").widget.v_model = 0
    click(ui, rc, "Reset")  # Reset keeps the uploaded scenario
    assert running(ui, rc).startswith("Now running: mine (uploaded), seed 42; Troops 0")
    click(ui, rc, "Step")
    assert story(ui, rc).startswith("Month 1 ")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("big.toml", b" " * (workshop.MAX_UPLOAD_BYTES + 10), "is too large"),
        ("bin.toml", bytes(range(256)), "not a text file"),
        ("many.toml", None, "households.count = 2,000,000 is not allowed on this server"),
        ("../evil.toml", b"", "not a plain file name"),
        (["not", "a", "name"], b"", "not a scenario file"),
    ],
)
def test_a_bad_upload_shows_one_line_and_keeps_the_run(ui, name, data, message) -> None:
    if data is None:
        text = (REPO / "scenarios" / "baseline.toml").read_text(encoding="utf-8")
        data = text.replace("count = 20000", "count = 2000000").encode()
    rc = render_page(ui)
    click(ui, rc, "Step")
    upload(ui, rc, name, data)
    wait_for(rc, lambda: alerts(ui, rc, "error") != [])
    (error,) = alerts(ui, rc, "error")
    assert message in error and "\n" not in error and error.startswith("upload ")
    assert running(ui, rc) == "Now running: baseline, seed 42"
    assert story(ui, rc).startswith("Month 1 ")


def test_a_malformed_file_list_from_the_browser_is_one_line(ui) -> None:
    from ipyvuetify.extra import FileInput

    rc = render_page(ui)
    rc.find(FileInput).widget.file_info = [{"no": "size"}]
    wait_for(rc, lambda: alerts(ui, rc, "error") != [])
    assert alerts(ui, rc, "error") == [
        "upload: the file could not be read (KeyError); choose it again"
    ]
    assert running(ui, rc) == "Now running: baseline, seed 42"
