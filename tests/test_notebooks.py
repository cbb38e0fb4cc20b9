"""The notebooks in notebooks/ run from top to bottom without error (executed with nbclient,
as nbmake does), at the small sizes they are written for, and produce their figures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_four_tutorials_are_there() -> None:
    names = [p.stem for p in NOTEBOOKS]
    assert names == ["01_first_run", "02_comparing_mixes", "03_sensitivity", "04_calibration"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_and_draws(path: Path, tmp_path: Path) -> None:
    # Run a copy inside a copy of notebooks/, so the committed file is not touched.
    work = tmp_path / "notebooks"
    work.mkdir()
    copy = work / path.name
    shutil.copy(path, copy)
    nb = nbformat.read(copy, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no figure drawn"
    # Every figure a cell shows is drawn, not only named ("<Figure size 800x300 with 1 Axes>",
    # as when the kernel does not draw inline: MPLBACKEND=Agg in the environment it inherits).
    figures = [o["data"] for o in outputs if "<Figure size" in str(o.get("data", {}))]
    assert figures, "no figure shown"
    assert not [d["text/plain"] for d in figures if "image/png" not in d], "figures not drawn"
    # Every code cell has a markdown cell before it somewhere: the notebook explains itself.
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
