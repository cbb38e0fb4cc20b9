"""Keep the generated parts of docs/ODD.md true to the code.

Blocks between ``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED:
name -->`` are rebuilt from the parameter registry and the lever modules'
docstrings: ``python scripts/odd.py`` rewrites them, ``--check`` fails
(one line, exit 1) when the document is stale. The test suite runs the check.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

from returnsim.interventions import DEFAULT_PRIORITIES, LEVERS
from returnsim.param import Param
from returnsim.parameters import PARAMS, PLACE_PARAMS, ROUTE_PARAMS

DOC = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
BLOCK = re.compile(
    r"(<!-- BEGIN GENERATED: (?P<name>[a-z_]+) -->\n).*?(<!-- END GENERATED: (?P=name) -->)",
    re.S,
)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _value(p: Param) -> str:
    v = p.default
    if isinstance(v, float) and v >= 1e11:
        return "no limit (1e12)"
    if isinstance(v, bool):
        return str(v).lower()
    return f"`{v}`" if isinstance(v, list | str) else f"{v:g}" if isinstance(v, float) else str(v)


def table(params: tuple[Param, ...] | list[Param], *, strip: str = "") -> str:
    """Markdown table of parameters: key, unit, default, allowed values, meaning, source."""
    rows = [
        "| parameter | unit | default | allowed | meaning | source |",
        "|---|---|---|---|---|---|",
    ]
    for p in params:
        key = p.key.removeprefix(strip)
        rows.append(
            f"| `{key}` | {_cell(p.unit)} | {_cell(_value(p))} | {_cell(p.allowed)} | "
            f"{_cell(p.doc)} | {_cell(p.source)} |"
        )
    return "\n".join(rows) + "\n"


def core_parameters() -> str:
    """Tables of the model's own parameters, one per section (levers excluded)."""
    lever_sections = {cls.key for cls in LEVERS} | {"budget"}
    out = []
    for section in dict.fromkeys(p.key.split(".")[0] for p in PARAMS):
        if section in lever_sections:
            continue
        out.append(
            f"#### [{section}]\n\n" + table([p for p in PARAMS if p.key.startswith(section + ".")])
        )
    out.append("#### [places.NAME]\n\n" + table(PLACE_PARAMS))
    out.append("#### [[routes]]\n\n" + table(ROUTE_PARAMS))
    return "\n".join(out)


def levers() -> str:
    """Each lever: its mechanism (the module docstring) and its parameters."""
    out = []
    for cls in (*LEVERS, None):
        key = "budget" if cls is None else cls.key
        module = importlib.import_module(f"returnsim.interventions.{key}")
        doc = (module.__doc__ or "").strip()
        title, _, body = doc.partition("\n")
        params = [p for p in PARAMS if p.key.startswith(key + ".")]
        out.append(f"#### `{key}`: {title.strip()}\n\n{body.strip()}\n\n{table(params)}")
    return "\n".join(out)


def phases() -> str:
    """The levers in the order they act in a month, with their default funding priority."""
    rows = [
        "| phase | lever | default funding rank | serves by default | household columns it owns |",
        "|---|---|---|---|---|",
    ]
    rank = {key: i + 1 for i, key in enumerate(DEFAULT_PRIORITIES)}
    for cls in LEVERS:
        owned = ", ".join(f"`{c}`" for c in cls.columns) or "none"
        rows.append(
            f"| {cls.phase} | `{cls.key}` | {rank[cls.key]} | {cls.default_places} | {owned} |"
        )
    return "\n".join(rows) + "\n"


GENERATORS = {"core_parameters": core_parameters, "levers": levers, "phases": phases}


def render(text: str) -> str:
    """The document with every generated block rebuilt."""
    return BLOCK.sub(lambda m: m.group(1) + GENERATORS[m.group("name")]() + m.group(3), text)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = DOC.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in args:
        if new != text:
            print(
                f"{DOC}: generated blocks are stale; run `python scripts/odd.py`", file=sys.stderr
            )
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
