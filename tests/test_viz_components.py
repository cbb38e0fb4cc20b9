"""The workshop page rendered without a browser (solara.render): controls, views, sessions."""

from __future__ import annotations

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
