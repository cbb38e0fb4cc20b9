"""docs/ODD.md lists every outcome; the user guide covers every shipped scenario and command."""

from __future__ import annotations

import re
from pathlib import Path

from returnsim import ReturnModel, outcomes
from returnsim.cli import build_parser
from returnsim.model import REPORTERS
from returnsim.scenario import load

ROOT = Path(__file__).resolve().parents[1]
ODD = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
GUIDE = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")


def test_every_time_series_column_is_in_the_odd() -> None:
    documented = set(re.findall(r"`([a-z_0-9<>]+)`", ODD))
    missing = [
        c
        for c in REPORTERS
        if c not in documented and not (c.startswith("spending_") and "`spending_<lever>`" in ODD)
    ]
    assert not missing


def test_every_summary_key_is_in_the_odd() -> None:
    spec = load(
        ROOT / "scenarios" / "baseline.toml", {"households.count": 200, "scenario.months": 3}
    )
    model = ReturnModel(spec)
    model.run()
    summary = outcomes.summarize(model)
    horizon = f"returns_within_{spec['outcomes.horizon_months']}_months"
    missing = [
        k
        for k in summary
        if f"`{k}`" not in ODD and k not in ("scenario", "seed", "months", horizon)
    ]
    assert not missing
    assert "`returns_within_N_months`" in ODD


def test_the_user_guide_covers_every_scenario_and_command() -> None:
    for path in (ROOT / "scenarios").glob("*.toml"):
        assert f"`{path.stem}`" in GUIDE, path.stem
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"returnsim {name}" in GUIDE, name
