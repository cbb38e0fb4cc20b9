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
    """A key read as ``s["section.name"]`` (or ``s[f"{K}.name"]`` with the module's ``K``) that
    the registry does not declare is a typo: it fails here, not in the month it is first read."""
    import re

    from returnsim.parameters import BY_KEY

    unknown, read = [], 0
    for path in (REPO / "src" / "returnsim").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        section = re.search(r'^K = "([a-z_]+)"$', text, re.M)
        keys = re.findall(r'\["([a-z_]+\.[a-z_0-9]+)"\]', text)
        if section:
            keys += [f"{section[1]}.{k}" for k in re.findall(r'\[f"\{K\}\.([a-z_0-9]+)"\]', text)]
        read += len(keys)
        unknown += [(path.name, k) for k in keys if k not in BY_KEY]
    assert read > 150 and unknown == []
