"""A self-contained HTML report of an experiment folder: ``DIR/report.html``.

One file with its figures embedded (base64 PNG) and its styles inline: it
opens offline, can be mailed, and shows the spec, provenance, run counts,
and every table and figure of ``DIR/analysis/``. When the folder has no
analysis yet, it is made first.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

import pandas as pd

from returnsim.experiments.compare import units
from returnsim.experiments.store import Store, write_atomic

#: Sections of a report: (file stem, title, what it means).
#: tables too long to print (month by month): the report shows their figure only
LONG_TABLES = ("trajectories", "envelope")

SECTIONS = (
    (
        "cost_effectiveness",
        "Cost-effectiveness and ranking",
        "Mean cost and effects of each mix, differences from the baseline with paired-seed "
        "intervals, cost per additional unit of each effect, verdict, rank, and whether the mix "
        "is on the cost-effectiveness frontier.",
    ),
    ("frontier", "Frontier", ""),
    (
        "trajectories",
        "Trajectories",
        "The kept time series month by month: each mix's mean with the 5-95% range of its "
        "seeds (left), and its paired difference from the baseline with the interval (right). "
        "Numbers: analysis/trajectories.csv.",
    ),
    (
        "differences",
        "Differences from the baseline",
        "Mean paired difference of each metric (mix minus baseline, same seeds) with its "
        "Student t interval and p-value.",
    ),
    (
        "envelope",
        "Trajectories over the sweep",
        "The kept time series month by month over every run: median, 50% and 90% of runs. "
        "Numbers: analysis/envelope.csv.",
    ),
    (
        "sobol",
        "Sobol indices",
        "S1: share of the metric's variance a parameter explains alone; ST: alone and through "
        "interactions; _conf: half-width of the bootstrap confidence interval. Computed on "
        "replicate means over each parameter's whole declared range.",
    ),
    (
        "sobol_second_order",
        "Second-order Sobol indices",
        "S2: share of variance due to the interaction of a pair of parameters.",
    ),
    (
        "morris",
        "Morris elementary effects",
        "mu*: mean absolute effect of moving a parameter across its whole range (importance); "
        "sigma: spread of that effect (interactions or non-linearity).",
    ),
    (
        "correlations",
        "Rank correlations",
        "Spearman rank correlation and standardized regression coefficient (SRC) of each "
        "parameter with the metric; r2 is the share of variance the linear fit explains.",
    ),
    (
        "effects",
        "Main effects",
        "Mean metric at each level of each parameter and its swing (max - min).",
    ),
    (
        "seed_variance",
        "Variance due to the seed",
        "seed_share: mean variance between replicates of a point over the variance of all runs; "
        "seed_share_of_means: the same for the replicate means the indices are computed from. "
        "High values mean more replicates are needed.",
    ),
    (
        "convergence_summary",
        "Convergence",
        "Largest change of an index between the first half of the sample and the whole sample; "
        "converged when within the tolerance.",
    ),
    ("convergence", "Convergence by parameter", ""),
)

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.82em; margin: 0.6em 0; display: block;
        overflow-x: auto; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: right; white-space: nowrap; }
td.text { text-align: left; white-space: normal; max-width: 60em; }
th { background: #f4f4f4; } td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; border: 1px solid #eee; margin: 0.6em 0; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.note { color: #555; font-size: 0.9em; } .warn { color: #a33; }
"""


def _table(df: pd.DataFrame) -> str:
    def cell(x: Any) -> str:
        if isinstance(x, float):
            return f"<td>{_num(x)}</td>"
        if isinstance(x, str):
            return f"<td class='text'>{html.escape(x)}</td>"
        return f"<td>{html.escape(str(x))}</td>"

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _image(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _kv(rows: list[tuple[str, Any]]) -> str:
    body = "".join(
        f"<tr><th>{html.escape(k)}</th><td class='text'>{html.escape(str(v))}</td></tr>"
        for k, v in rows
    )
    return f"<table>{body}</table>"


def _num(x: float) -> str:
    """Four significant digits; whole numbers with thousands separators from 10,000 up."""
    if x != x:
        return ""
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:,.4g}"


def _interval(mean: float, low: float, high: float) -> str:
    if mean != mean:
        return ""
    if low != low or high != high:
        return _num(mean)
    return f"{_num(mean)} ({_num(low)} to {_num(high)})"


def ranking(ce: pd.DataFrame, effects: list[str], averted: list[str] | tuple = ()) -> pd.DataFrame:
    """The planner's view of ``cost_effectiveness``: rank, verdict, extra cost and effects,
    and what each mix averts (deaths) with its cost per unit averted."""
    rows = []
    for _, r in ce.iterrows():
        row = {
            "rank": "" if pd.isna(r["rank"]) else int(r["rank"]),
            "mix": r["mix"],
            "verdict": r["verdict"],
            "extra cost (USD)": _interval(
                r["cost_difference"], r["cost_difference_ci_low"], r["cost_difference_ci_high"]
            ),
        }
        for e in effects:
            many, one = units(e)
            row[f"extra {many}"] = _interval(
                r[f"{e}_difference"], r[f"{e}_difference_ci_low"], r[f"{e}_difference_ci_high"]
            )
            per = f"cost_per_additional_{e}"
            row[f"USD per additional {one}"] = _interval(
                r[per], r[f"{per}_ci_low"], r[f"{per}_ci_high"]
            )
        for a in averted:
            many, one = units(a)
            g, per = f"{a}_averted", f"cost_per_{a}_averted"
            row[f"{many} averted"] = _interval(r[g], r[f"{g}_ci_low"], r[f"{g}_ci_high"])
            row[f"USD per {one} averted"] = _interval(
                r[per], r[f"{per}_ci_low"], r[f"{per}_ci_high"]
            )
        rows.append(row)
    return pd.DataFrame(rows)


def warnings(analysis: Path) -> list[str]:
    """The analysis' notes (undefined metrics, constant metrics, ...) and, for a sweep,
    the metrics whose indices did not converge: what the report and the console say
    first."""
    notes = []
    for meta in ("analysis.json", "compare.json"):
        if (analysis / meta).is_file():
            notes += json.loads((analysis / meta).read_text(encoding="utf-8")).get("notes", [])
    conv = analysis / "convergence_summary.json"
    if conv.is_file():
        for r in json.loads(conv.read_text(encoding="utf-8")):
            if not r["converged"]:
                notes.append(
                    f"{r['metric']}: not converged (indices moved by {r['max_change']:.3f} "
                    f"between half and all of the sample; tolerance {r['tolerance']:g})"
                )
    return notes


def _findings(analysis: Path) -> list[str]:
    """The report's opening: what was compared, which is best, by how much with its
    interval and at what cost per household (a comparison), or whether the indices
    converged (a sweep); every warning of the analysis."""
    out = []
    ce_path, info_path = analysis / "cost_effectiveness.json", analysis / "compare.json"
    if ce_path.is_file() and info_path.is_file():
        info = json.loads(info_path.read_text(encoding="utf-8"))
        rows = json.loads(ce_path.read_text(encoding="utf-8"))
        e, base = info["effects"][0], info["baseline"]
        lines = []
        for r in sorted((r for r in rows if r["rank"] is not None), key=lambda r: r["rank"]):
            per = r.get(f"cost_per_additional_{e}")
            cost = f"USD {r['cost_difference']:+,.0f}"
            many, one = units(e)
            each = f", USD {per:,.0f} per additional {html.escape(one)}" if per else ""
            lines.append(
                f"{r['rank']}. <b>{html.escape(r['mix'])}</b> ({html.escape(r['verdict'])}): "
                f"{r[f'{e}_difference']:+,.0f} {html.escape(many)} "
                f"({r[f'{e}_difference_ci_low']:+,.0f} to {r[f'{e}_difference_ci_high']:+,.0f}, "
                f"{info['confidence']:.0%} interval) for {cost}{each}"
            )
        out += [
            "<h2>Findings</h2>",
            f"<p>{len(rows) - 1} mixes against {html.escape(base)}, "
            f"{info['replicates']} paired seeds, {info['households']:,} simulated households "
            f"x {info['months']} months; counts are real households, costs real USD "
            f"({html.escape(info['cost'])}), ranked by {html.escape(units(e)[0])}:</p>",
            "<ol style='list-style:none;padding-left:0'>"
            + "".join(f"<li>{x}</li>" for x in lines)
            + "</ol>",
        ]
    conv = analysis / "convergence_summary.json"
    if conv.is_file():
        rows = json.loads(conv.read_text(encoding="utf-8"))
        bad = [r["metric"] for r in rows if not r["converged"]]
        verdict = (
            f"Not converged for {', '.join(bad)}: the indices changed more than the tolerance "
            "between half and all of the sample; take more samples before reading them."
            if bad
            else "Converged: the indices changed less than the tolerance between half and "
            "all of the sample."
        )
        out += [
            "<h2>Findings</h2>" if not out else "",
            f"<p class='warn'>{html.escape(verdict)}</p>",
        ]
    return out


def render(folder: Path) -> str:
    """The report of ``folder`` as an HTML string."""
    store = Store(folder)
    m = store.manifest()
    analysis = folder / "analysis"
    status = m.get("status", {})
    prov = m.get("provenance", {})
    git = prov.get("git", {})
    design = m.get("design") or {}
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(m['name'])}: returnsim {html.escape(m['kind'])}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(m['name'])} <span class='note'>({html.escape(m['kind'])})</span></h1>",
    ]
    if m.get("description"):
        parts.append(f"<p>{html.escape(m['description'])}</p>")
    parts += _findings(analysis)
    for note in warnings(analysis):  # every warning of the analysis, at the top
        parts.append(f"<p class='warn'>{html.escape(note)}</p>")
    rows = [
        ("spec", m["spec"]["path"]),
        ("spec hash", m["spec"]["hash"]),
        ("scenario", f"{m['scenario']['name']} ({m['scenario']['path']})"),
        ("scenario digest", m["scenario"]["digest"]),
        ("households x months", f"{m['scenario']['households']:,} x {m['scenario']['months']}"),
        ("replicates (seeds)", f"{m['replicates']} ({', '.join(map(str, m['seeds']))})"),
    ]
    if design:
        opts = ", ".join(f"{k} = {v}" for k, v in design.items() if k != "method")
        rows.append(("design", f"{design['method']} ({opts})"))
    rows += [
        ("runs", f"{status.get('ok', '?')} ok, {status.get('failed', '?')} failed of "
                 f"{m.get('unique_runs')} unique ({m.get('planned_runs')} planned)"),
        ("metrics", ", ".join(m["metrics"])),
    ]  # fmt: skip
    if m.get("levers") or m.get("uncertainties"):
        rows.append(("levers", ", ".join(m.get("levers", [])) or "none"))
        rows.append(("uncertainties", ", ".join(m.get("uncertainties", [])) or "none"))
    parts += ["<h2>Experiment</h2>", _kv(rows)]
    if m.get("parameters"):
        ptab = pd.DataFrame(
            [
                {
                    "parameter": p["name"],
                    "kind": p["kind"],
                    "range or values": (
                        f"{p['low']} .. {p['high']}"
                        if p.get("values") is None
                        else ", ".join(map(str, p["values"]))
                    ),
                    "base": p.get("base"),
                }
                for p in m["parameters"]
            ]
        )
        parts.append(_table(ptab))
    if m.get("mixes"):
        mtab = pd.DataFrame([{"mix": n, "settings": json.dumps(s)} for n, s in m["mixes"].items()])
        parts += ["<h3>Mixes</h3>", _table(mtab)]

    for stem, title, what in SECTIONS:
        csv, png = analysis / f"{stem}.csv", analysis / f"{stem}.png"
        if not (csv.is_file() or png.is_file()):
            continue
        parts.append(f"<h2>{html.escape(title)}</h2>")
        if what:
            parts.append(f"<p class='note'>{html.escape(what)}</p>")
        if csv.is_file() and stem not in LONG_TABLES:
            df = pd.read_csv(csv)
            if stem == "cost_effectiveness" and (analysis / "compare.json").is_file():
                info = json.loads((analysis / "compare.json").read_text())
                parts.append(_table(ranking(df, info["effects"], info.get("averted", []))))
                parts.append(f"<details><summary>All columns</summary>{_table(df)}</details>")
            else:
                parts.append(_table(df))
        if png.is_file():
            parts.append(_image(png, title))

    inv = m.get("invocations", [])
    prov_rows = [
        ("returnsim", prov.get("returnsim")),
        ("git commit", f"{git.get('commit')} (dirty: {git.get('dirty')})"),
        ("python", f"{prov.get('python')} on {prov.get('platform')}"),
        ("dependencies", ", ".join(f"{k} {v}" for k, v in prov.get("dependencies", {}).items())),
        ("created", prov.get("utc")),
        ("command", prov.get("command")),
    ]
    for i, call in enumerate(inv, start=1):
        prov_rows.append(
            (
                f"invocation {i}",
                f"{call.get('started')} .. {call.get('finished', 'interrupted')}: "
                f"{call.get('new_ok', '?')} ok, {call.get('new_failed', '?')} failed on "
                f"{call.get('executor')}",
            )
        )
    parts += ["<h2>Provenance</h2>", _kv(prov_rows)]
    parts += ["<h2>Spec</h2>", f"<pre>{html.escape(m['spec'].get('text', ''))}</pre>"]
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write(folder: str | Path) -> Path:
    """Write ``folder/report.html`` (analysing first if there is no analysis); return its path."""
    folder = Path(folder)
    m = Store(folder).manifest()
    if not (folder / "analysis").is_dir():
        from returnsim.experiments import analysis, compare

        (compare.write if m.get("kind") == "compare" else analysis.write)(folder)
    path = folder / "report.html"
    write_atomic(path, render(folder).encode("utf-8"))
    return path
