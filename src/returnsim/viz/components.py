"""Solara components of the workshop: the map and story, charts, compare and export.

Each view takes the session's model and subscribes to Mesa's
``update_counter``, so it redraws after every Step (or every rendered step of
Play). Figures are drawn to PNG once per month and model (``use_memo``).

No ``solara.Markdown`` here: it loads KaTeX and Mermaid from the CDN, which
the offline asset cache does not hold; plain text and HTML need nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
from collections.abc import Callable
from typing import Any

import reacton.ipywidgets as rw
import solara
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from returnsim import outcomes, output, plots, report, scenario_toml
from returnsim.errors import InputError
from returnsim.viz import figures
from returnsim.viz.story import month_story, usd
from returnsim.viz.workshop import BY_NAME, LEVERS, WorkshopModel, control_values, overrides

#: Dots per inch of the charts in the page.
DPI = 80


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (light compression: drawing time matters more than size)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def png_with_layout(fig: Figure, layouts: dict[str, list[Any]], name: str) -> bytes:
    """PNG of ``fig``, laid out like the first figure of that name (about a third faster).

    Axes ranges of the workshop's charts are fixed for a run (the whole run on
    x, all households for stocks), so the constrained layout computed for the
    first month holds for the next ones.
    """
    positions = layouts.get(name)
    if positions is not None and len(positions) == len(fig.axes):
        fig.set_layout_engine("none")
        for ax, box in zip(fig.axes, positions, strict=True):
            ax.set_position(box)
        return png(fig)
    data = png(fig)
    layouts[name] = [ax.get_position() for ax in fig.axes]
    return data


@solara.component
def Chart(
    model: WorkshopModel, draw: Callable[[], Figure], dependencies: list[Any], name: str = "chart"
) -> None:
    """A figure of ``model`` drawn by ``draw``, redrawn only when ``dependencies`` change."""

    def make() -> bytes:
        with model.lock:
            return png_with_layout(draw(), model.layouts, name)

    data = solara.use_memo(make, dependencies)
    rw.Image(
        value=data,
        format="png",
        layout={"max_width": "100%", "height": "auto"},
        _dom_classes=[f"returnsim-{name}"],
    )


def _deps(model: WorkshopModel) -> list[Any]:
    return [id(model), model.steps]


@solara.component
def StoryView(model: WorkshopModel) -> None:
    """What happened this month, in words."""
    update_counter.get()
    with model.lock:
        story = month_story(model)
    with solara.Card("This month"):
        solara.Text(story, classes=["returnsim-story"], style={"font-size": "1.1em"})


@solara.component
def MapView(model: WorkshopModel) -> None:
    """The places network coloured by security and sized by households present."""
    update_counter.get()
    Chart(model, lambda: figures.place_map(model), _deps(model), name="map")


@solara.component
def StocksView(model: WorkshopModel) -> None:
    """Households by status over time."""
    update_counter.get()
    Chart(
        model,
        lambda: figures.chart(plots.stocks, model, figures.timeseries(model)),
        _deps(model),
        name="stocks",
    )


@solara.component
def FlowsView(model: WorkshopModel) -> None:
    """Returns and displacements per month."""
    update_counter.get()
    Chart(
        model,
        lambda: figures.chart(plots.flows, model, figures.timeseries(model)),
        _deps(model),
        name="flows",
    )


@solara.component
def ReintegrationView(model: WorkshopModel) -> None:
    """Returnees' reintegration by dimension over time, and by group now."""
    update_counter.get()

    def draw() -> Figure:
        summary = outcomes.summarize(model, [outcomes.by_group])
        return figures.chart(
            plots.reintegration, model, figures.timeseries(model), height=6.4, summary=summary
        )

    Chart(model, draw, _deps(model), name="reintegration")


@solara.component
def SpendingView(model: WorkshopModel) -> None:
    """Spending by lever against the budget."""
    update_counter.get()
    Chart(
        model,
        lambda: figures.chart(
            plots.spending, model, figures.timeseries(model), covers=model.budget.covers
        ),
        _deps(model),
        name="spending",
    )
    budget = model.budget
    programmes = sum(lv.spent_total for lv in budget.levers)
    cap = "no cap" if budget.total >= 1e11 else usd(budget.total)
    solara.Text(
        f"Spent so far {usd(programmes + budget.peacekeeping_total)}: programmes "
        f"{usd(programmes)}, peacekeeping mission {usd(budget.peacekeeping_total)}. "
        f"Budget ({budget.covers}): {cap}"
        + ("" if budget.total >= 1e11 else f", left {usd(budget.remaining)}")
    )


# ------------------------------------------------------------------ compare
def _headline(model: WorkshopModel) -> dict[str, str]:
    ts = figures.timeseries(model)
    last = ts.iloc[-1]
    displaced = last["internally_displaced"] + last["refugees"]
    return {
        "Back home": f"{int(last['returned']):,}",
        "Still displaced": f"{int(displaced):,}",
        "Returns so far": f"{int(ts['new_returns'].sum()):,}",
        "Fled so far": f"{int(ts['new_displacements'].sum()):,}",
        "Sustainably reintegrated (share)": f"{last['sustainably_reintegrated_share']:.0%}",
        "Programme spending": usd(float(ts["programme_spending"].sum())),
        "Mission's cost": usd(float(ts["peacekeeping_cost"].sum())),
    }


@solara.component
def CompareView(model: WorkshopModel) -> None:
    """Mix A (the running model) and mix B (other levers) side by side, same seed and month.

    Mix B follows mix A month by month; changing a mix B slider reruns B to
    A's month.
    """
    update_counter.get()
    base = control_values(model.spec)
    mix_b, set_mix_b = solara.use_state(dict(base), key=f"mix-b-{id(model)}")

    def build() -> WorkshopModel:
        return WorkshopModel(
            scenario_name=model.scenario_name,
            base=model.base,
            seed=str(model.seed),
            **{**model.settings, **mix_b},
        )

    other = solara.use_memo(build, [id(model), tuple(sorted(mix_b.items()))])
    with other.lock:
        while other.steps < model.steps:
            other.step()

    with solara.Card("Mix B: change the levers, same scenario, seed and month as the run"):
        with solara.Row(style={"flex-wrap": "wrap"}):
            for c in LEVERS:
                _MixSlider(c.name, mix_b, set_mix_b)
        changed = overrides(model.spec, {k: v for k, v in mix_b.items() if k in base})
        solara.Text(
            "B differs from A in: "
            + (
                ", ".join(f"{k} = {v}" for k, v in changed.items() if "ceiling" not in k)
                or "nothing"
            )
        )

    def draw() -> Figure:
        with other.lock:
            return figures.compare(model, other)

    Chart(model, draw, [*_deps(model), id(other)], name="compare")
    with model.lock, other.lock:
        a, b = _headline(model), _headline(other)
    solara.HTML(
        "table",
        unsafe_innerHTML=table(f"Month {model.steps}", a, b),
        classes=["returnsim-compare-table"],
        style="width: auto; border-spacing: 16px 2px",
    )


def table(title: str, a: dict[str, str], b: dict[str, str]) -> str:
    """Rows of an HTML table: the headline of mix A against mix B."""
    esc = html.escape
    head = f"<tr><th>{esc(title)}</th><th>Mix A</th><th>Mix B</th></tr>"
    rows = "".join(
        f"<tr><td>{esc(k)}</td><td align=right>{esc(a[k])}</td>"
        f"<td align=right>{esc(b[k])}</td></tr>"
        for k in a
    )
    return head + rows


@solara.component
def _MixSlider(name: str, mix: dict[str, Any], set_mix: Callable[[dict], None]) -> None:
    c = BY_NAME[name]

    def change(v: Any) -> None:
        with contextlib.suppress(InputError):  # not a value of this slider: mix B stays
            set_mix({**mix, name: c.clamp(v)})  # a client may send anything

    with solara.Column(style={"min-width": "260px", "flex": "1"}):
        if c.kind == "choice":
            solara.Select(c.label, value=mix[name], values=list(c.choices), on_value=change)
        else:
            high = max(c.high, mix[name])
            solara.SliderInt(
                f"B: {c.label}", value=int(mix[name]), min=int(c.low), max=int(high),
                step=int(c.step), on_value=change,
            )  # fmt: skip


# ------------------------------------------------------------------- export
def settings_toml(model: WorkshopModel) -> str:
    """The run's settings as a scenario file, with a header saying where it came from."""
    with model.lock:
        return _settings_toml(model)


def _settings_toml(model: WorkshopModel) -> str:
    spec = model.spec
    changed = ", ".join(f"{k} = {v}" for k, v in spec.overrides.items()) or "none"
    stem = _stem(model)
    now = dt.datetime.now(dt.UTC)
    header = (
        f"Exported by the returnsim workshop server, {now:%Y-%m-%d %H:%M} UTC.\n"
        f"Scenario {model.scenario_name!r} from {spec.source}; reached month {model.steps} "
        f"of {model.months}.\n"
        f"Workshop settings: {changed}.\n"
        f"Reproduce: returnsim run {stem}.toml"
    )
    return scenario_toml.dumps(spec, header=header)


def run_csv(model: WorkshopModel) -> str:
    """The run so far as CSV (one row per month)."""
    with model.lock:
        return figures.timeseries(model).to_csv(index=False)


def report_html(model: WorkshopModel) -> str:
    """The thematic report of the run so far (as report.html of `returnsim run --report`)."""
    import pandas as pd

    with model.lock:
        ts = figures.timeseries(model)
        groups = pd.DataFrame(output.person_table(ts["month"], model.persons_by_group))
        texts = report.render(
            groups, ts, outcomes.summarize(model), report.access_figures(model), ("html",)
        )
    return texts[report.FORMATS["html"]]


def _stem(model: WorkshopModel) -> str:
    return f"{model.scenario_name}-seed{model.seed}-month{model.steps}"


@solara.component
def ExportView(model: WorkshopModel) -> None:
    """Download the run so far (CSV) and its settings (scenario TOML)."""
    update_counter.get()
    stem = _stem(model)
    with solara.Card("Take the run home"):
        solara.Text(
            "The CSV has one row per month so far (as timeseries.csv of `returnsim run`). "
            "The TOML is this run's scenario: `returnsim run FILE.toml` reproduces it "
            "exactly (same seed), as a research run you can extend. The report is the "
            "thematic report of the run so far (health care, information, women, minors, "
            "LGBTQI+ people, persons with disabilities, older people), one offline page."
        )
        with solara.Row():
            solara.FileDownload(
                lambda: run_csv(model),
                filename=f"{stem}.csv",
                label="Download run (CSV)",
                mime_type="text/csv",
            )
            solara.FileDownload(
                lambda: settings_toml(model),
                filename=f"{stem}.toml",
                label="Download settings (TOML)",
                mime_type="application/toml",
            )
            solara.FileDownload(
                lambda: report_html(model),
                filename=f"{stem}-report.html",
                label="Download report (HTML)",
                mime_type="text/html",
            )
        solara.Preformatted(settings_toml(model), class_="returnsim-toml")
