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

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import solara
import solara.lab
from ipyvuetify.extra import FileInput
from mesa.visualization import SolaraViz

from returnsim.errors import InputError
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
    MAX_UPLOAD_BYTES,
    WorkshopModel,
    control_values,
    default_scenario,
    describe,
    load_named,
    load_uploaded,
    scenario_names,
)

#: Milliseconds between months when playing (participants can change it in the page).
PLAY_INTERVAL = 300
#: Ranges of Mesa's own sliders, held on the server: play interval (ms), months per Step.
PLAY_RANGE = (1, 500)
RENDER_RANGE = (1, 100)

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


class Clamped(solara.Reactive):
    """A whole number set by one of Mesa's sliders, held to ``[low, high]`` whatever a client sends.

    Mesa's play and render interval sliders bound the value only in the
    browser; without this a client could ask for a billion months per Step.
    A value that is not a number is ignored.
    """

    def __init__(self, store: solara.Reactive, low: int, high: int) -> None:
        super().__init__(store)
        self.low, self.high = low, high

    def set(self, value: Any) -> None:
        if not isinstance(value, int | float) or isinstance(value, bool) or value != value:
            return
        super().set(int(min(max(value, self.low), self.high)))


def model_class(name: str, base: Scenario | None = None) -> type[WorkshopModel]:
    """WorkshopModel opening scenario ``name`` (or the uploaded ``base``) when given none.

    Mesa's Reset builds ``type(model)(**params)``. After a scenario switch the
    sidebar keeps Mesa's controls (a portal reconciles them by position), and
    their parameters then hold only the sliders moved since, without the
    scenario; the class carries it.
    """
    return type("WorkshopModel", (WorkshopModel,), {"default_name": name, "default_base": base})


def model_params(spec: Scenario, name: str, base: Scenario | None = None) -> dict[str, Any]:
    """Mesa model parameters: the scenario (fixed), a seed box and the bounded sliders.

    ``base`` is an uploaded scenario (``name`` is then its label).
    """
    values = control_values(spec)
    params: dict[str, Any] = {
        "scenario_name": name,
        "base": base,
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


class ScenarioField(FileInput):
    """ipyvuetify's file field, not thrown by a malformed file list from the browser."""

    def reset_stats(self) -> None:
        try:
            super().reset_stats()
        except (KeyError, TypeError):  # sizes missing or not numbers: ScenarioUpload says so
            self.stats, self.total_size_inner = [], 0


@solara.component
def ScenarioUpload(on_file: Callable[[str, bytes], None], on_error: Callable[[str], None]) -> None:
    """A field to choose a scenario file; its name and bytes go to ``on_file``.

    At most :data:`MAX_UPLOAD_BYTES` + 1 bytes are read from the browser
    (enough to tell a file is too large); nothing is written to disk. The
    file list comes from the browser, so a malformed one goes to
    ``on_error`` as one line.
    """
    info, set_info = solara.use_state(None)
    files, set_files = solara.use_state(None)
    field = ScenarioField.element(
        accept=".toml", multiple=False, show_progress=False, on_file_info=set_info
    )

    def fail(exc: Exception) -> None:
        on_error(f"upload: the file could not be read ({type(exc).__name__}); choose it again")

    def wire() -> None:
        if not info:
            return
        try:  # as solara.FileDrop: a new version invalidates reads of an earlier file
            widget = solara.get_widget(field)
            widget.version += 1
            widget.reset_stats()
            set_files(widget.get_files()[:1])
        except Exception as exc:  # the browser's file list can be anything
            fail(exc)

    solara.use_effect(wire, [info])

    def read(cancel: threading.Event) -> None:
        if not files:
            return
        try:  # waits for the browser to send the chunks
            name, data = files[0]["name"], files[0]["file_obj"].read(MAX_UPLOAD_BYTES + 1)
        except Exception as exc:  # so can the chunks
            fail(exc)
            return
        if not cancel.is_set():
            on_file(name, data)

    solara.use_thread(read, [files])


@solara.component
def Page() -> None:
    """One participant's page: scenario picker and upload, Mesa's controls and sliders, views."""
    names = solara.use_memo(scenario_names, [])
    name, set_name = solara.use_state(default_scenario())
    uploaded, set_uploaded = solara.use_state(None)
    loads, set_loads = solara.use_state(0)
    error, set_error = solara.use_state("")
    first = solara.use_memo(lambda: model_class(name)(scenario_name=name), [])
    model = solara.use_reactive(first)
    spec = solara.use_memo(
        lambda: load_named(name) if uploaded is None else uploaded, [name, loads]
    )
    play_store = solara.use_reactive(PLAY_INTERVAL)
    render_store = solara.use_reactive(1)
    play = solara.use_memo(lambda: Clamped(play_store, *PLAY_RANGE), [])
    render = solara.use_memo(lambda: Clamped(render_store, *RENDER_RANGE), [])

    def switch(new_name: str, base: Scenario | None) -> None:
        """Start a run of another scenario; a bad one leaves the running model as it is."""
        try:
            new = model_class(new_name, base)(scenario_name=new_name, base=base)
        except InputError as exc:
            set_error(str(exc))
            return
        set_error("")
        set_uploaded(base)
        set_name(new_name)
        set_loads(lambda n: n + 1)
        model.set(new)

    def upload(filename: str, data: bytes) -> None:
        try:
            base = load_uploaded(filename, data)
        except InputError as exc:
            set_error(str(exc))
            return
        switch(Path(filename).stem, base)

    solara.Title("returnsim workshop")
    solara.Style(CSS)
    with solara.Sidebar(), solara.Card("Scenario"):
        solara.Select(
            "Scenario",
            value=name if uploaded is None and name in names else None,
            values=names,
            on_value=lambda new: switch(new, None),
        )
        solara.Text(
            f"Or load a scenario file (.toml, at most {MAX_UPLOAD_BYTES // 1024} KB, e.g. one "
            "exported below); it runs in this page only and is not saved on the server."
        )
        ScenarioUpload(upload, set_error)
        if error:
            solara.Error(error, classes=["returnsim-error"])
        solara.HTML(
            "p",
            "Move the sliders below, then press <b>Reset</b> to start a new run with them. "
            "Step advances one month; ▶ plays, ❚❚ pauses.",
        )
        solara.Text(f"Now running: {describe(model.value)}", classes=["returnsim-running"])
        for note in model.value.notes:
            solara.Warning(note, classes=["returnsim-note"])
    SolaraViz(
        model,
        components=[],
        model_params=model_params(spec, name, uploaded),
        name=f"returnsim workshop: {name}",
        play_interval=play,
        render_interval=render,
    ).key(f"viz-{loads}")
    Views(model.value)
