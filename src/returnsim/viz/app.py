"""The workshop app: ``solara run returnsim.viz.app`` (``returnsim serve`` starts it).

Every browser session renders :func:`Page` afresh, so each participant gets
their own model: nothing here is shared between sessions except read-only
settings. Mesa's :func:`SolaraViz` supplies the controls (Step, Play/Pause,
Reset) and the sliders, which apply when Reset starts a new run; the views
below it are this package's components, in tabs.

Importing this module first runs ``returnsim/viz/__init__.py``, which sets
Solara's offline environment; ``returnsim serve`` also passes it to the server.
"""

from __future__ import annotations

from typing import Any

import solara
import solara.lab
from mesa.visualization import SolaraViz

from returnsim.scenario import Scenario
from returnsim.viz.components import (
    CompareView,
    ExportView,
    FlowsView,
    MapView,
    ReintegrationView,
    SpendingView,
    StocksView,
    StoryView,
)
from returnsim.viz.workshop import (
    CONTROLS,
    WorkshopModel,
    control_values,
    default_scenario,
    describe,
    load_named,
    scenario_names,
)

#: Milliseconds between months when playing (participants can change it in the page).
PLAY_INTERVAL = 300

#: Slider values always visible (Mesa's sliders show them only while dragging), with room.
CSS = """
.v-navigation-drawer .v-slider__thumb-label-container { display: block !important; }
.v-navigation-drawer .v-slider__thumb-label {
  transform: translate(-50%, -4px) !important; border-radius: 4px !important;
  width: auto !important; min-width: 28px; height: 20px !important; padding: 0 5px;
}
.v-navigation-drawer .v-slider__thumb-label > * { transform: none !important; }
.v-navigation-drawer .v-input__slider { margin-top: 22px; }
"""

TABS = ("Map and story", "Reintegration and money", "Compare", "Export")


def model_params(spec: Scenario, name: str) -> dict[str, Any]:
    """Mesa model parameters: the scenario (fixed), a seed box and the bounded sliders."""
    values = control_values(spec)
    params: dict[str, Any] = {
        "scenario_name": name,
        "seed": {"type": "InputText", "value": str(spec["scenario.seed"]), "label": "Seed"},
    }
    for c in CONTROLS:
        if c.kind == "choice":
            params[c.name] = {
                "type": "Select",
                "value": values[c.name],
                "values": list(c.choices),
                "label": c.label,
            }
            continue
        kind = "SliderFloat" if c.kind == "float" else "SliderInt"
        high = c.high if c.name == "households" else max(c.high, values[c.name])
        params[c.name] = {
            "type": kind,
            "value": values[c.name],
            "min": c.low,
            "max": high,
            "step": c.step,
            "label": c.label,
        }
    return params


@solara.component
def Views(model: WorkshopModel) -> None:
    """The views of the session's model, one tab at a time."""
    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab(TABS[0]), solara.Columns([1, 1]):
            with solara.Column():
                StoryView(model)
                MapView(model)
            with solara.Column():
                StocksView(model)
                FlowsView(model)
        with solara.lab.Tab(TABS[1]), solara.Columns([1, 1]):
            ReintegrationView(model)
            SpendingView(model)
        with solara.lab.Tab(TABS[2]):
            CompareView(model)
        with solara.lab.Tab(TABS[3]):
            ExportView(model)


@solara.component
def Page() -> None:
    """One participant's page: scenario picker, Mesa's controls and sliders, the views."""
    names = solara.use_memo(scenario_names, [])
    name, set_name = solara.use_state(default_scenario())
    first = solara.use_memo(lambda: WorkshopModel(scenario_name=name), [])
    model = solara.use_reactive(first)
    spec = solara.use_memo(lambda: load_named(name), [name])

    def pick(new: str) -> None:
        set_name(new)
        model.set(WorkshopModel(scenario_name=new))

    solara.Title("returnsim workshop")
    solara.Style(CSS)
    with solara.Sidebar(), solara.Card("Scenario"):
        solara.Select("Scenario", value=name, values=names, on_value=pick)
        solara.HTML(
            "p",
            "Move the sliders below, then press <b>Reset</b> to start a new run with them. "
            "Step advances one month; ▶ plays, ❚❚ pauses.",
        )
        solara.Text(f"Now running: {describe(model.value)}", classes=["returnsim-running"])
    SolaraViz(
        model,
        components=[],
        model_params=model_params(spec, name),
        name=f"returnsim workshop: {name}",
        play_interval=PLAY_INTERVAL,
    ).key(f"viz-{name}")
    Views(model.value)
