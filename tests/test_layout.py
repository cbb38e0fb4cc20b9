"""The package's shape: no import cycle, and importing it loads neither Mesa nor matplotlib."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).absolute().parents[1]


def test_no_import_cycle_counting_every_import() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "import_cycles.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert " 0 cycles" in done.stdout


def test_import_loads_neither_mesa_nor_matplotlib() -> None:
    code = (
        "import sys, returnsim, returnsim.errors\n"
        "heavy = sorted(m for m in ('mesa', 'matplotlib', 'numpy') if m in sys.modules)\n"
        "print(returnsim.__version__, heavy)\n"
        "returnsim.ReturnModel\n"  # the public names still load on first use
        "print('mesa' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0].endswith(" []"), out
    assert out[1] == "True"


def test_every_parameter_the_code_reads_is_in_the_registry() -> None:
    """Every parameter the code reads, through an attribute view (``p.conflict.intensity``,
    a lever's ``self.p.monthly_budget``, the rule's ``d.info_rate`` for ``decision``) or by
    key (``spec["section.name"]``), is declared in the registry: a typo fails here, not in
    the month it is first read."""
    import ast
    import re

    from returnsim.parameters import BY_KEY

    sections = {k.split(".")[0] for k in BY_KEY}
    aliases = {"d": "decision", "pk": "peacekeeping"}  # local views of one section
    unknown, read = [], 0
    for path in (REPO / "src" / "returnsim").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        keys = re.findall(r'\["([a-z_]+\.[a-z_0-9]+)"\]', text)
        tree = ast.parse(text)
        for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]:
            lever = next(
                (
                    s.value.value
                    for s in cls.body
                    if isinstance(s, ast.Assign)
                    and any(getattr(t, "id", "") == "key" for t in s.targets)
                    and isinstance(s.value, ast.Constant)
                ),
                None,
            )
            for node in ast.walk(cls) if lever else ():
                chain = ast.unparse(node) if isinstance(node, ast.Attribute) else ""
                if m := re.fullmatch(r"self\.p\.([a-z_0-9]+)", chain):
                    keys.append(f"{lever}.{m[1]}")
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            chain = ast.unparse(node)
            if (m := re.search(r"(?:^|\.)p\.([a-z_]+)\.([a-z_0-9]+)$", chain)) and m[1] in sections:
                keys.append(f"{m[1]}.{m[2]}")
            elif (
                (m := re.fullmatch(r"([a-z]+)\.([a-z_0-9]+)", chain))
                and m[1] in aliases
                and path.name in ("rules.py", "engine.py", "reference.py", "conflict.py")
            ):
                keys.append(f"{aliases[m[1]]}.{m[2]}")
        read += len(keys)
        unknown += [(path.name, k) for k in keys if k not in BY_KEY]
    assert read > 200 and unknown == []
