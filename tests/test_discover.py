"""Scenario discovery (returnsim discover): PRIM finds the box of uncertainties where a
metric fails, and says so in one line when the threshold leaves nothing to find."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from returnsim import cli

REPO = Path(__file__).absolute().parents[1]

SPEC = """
scenario = "{scenario}"
households = 400
steps = 30
seed = 11
replicates = 1

[design]
method = "lhs"
samples = 60

[parameters]
"conflict.intensity" = {{ min = 0.5, max = 2.0 }}
"decision.info_rate" = {{ min = 0.02, max = 0.2 }}
"decision.safety_threshold" = {{ min = 0.3, max = 0.6 }}

[outputs]
metrics = ["returned_share"]
"""


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("discover")
    spec = tmp / "spec.toml"
    spec.write_text(SPEC.format(scenario=(REPO / "scenarios" / "baseline.toml").as_posix()))
    out = tmp / "sweep"
    assert cli.main(["sweep", str(spec), "--out", str(out), "--workers", "0"]) == 0
    return out


def test_prim_finds_where_few_come_home(sweep: Path, capsys) -> None:
    assert (
        cli.main(["discover", str(sweep), "--metric", "returned_share", "--threshold", "0.05"]) == 0
    )
    assert "PRIM box" in capsys.readouterr().out
    box = json.loads((sweep / "discover" / "box.json").read_text())
    assert 0 < box["failures"] < box["points"] == 60
    b = box["box"]
    assert b["density"] >= 0.8 and b["coverage"] > 0.5
    # few come home where information about home travels slowly: the box caps info_rate
    info = b["restricted"]["decision.info_rate"]
    assert info["high"] < 0.15 and info["swept"] == [0.02, 0.2]
    assert (sweep / "discover" / "tradeoff.png").read_bytes()[:4] == b"\x89PNG"
    # the other side: where many come home, information is fast
    assert (
        cli.main(
            ["discover", str(sweep), "--metric", "returned_share", "--threshold", "0.12", "--above"]
        )
        == 0
    )
    capsys.readouterr()
    fast = json.loads((sweep / "discover" / "box.json").read_text())["box"]["restricted"]
    assert fast["decision.info_rate"]["low"] > 0.05


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--metric", "returned_share", "--threshold", "5"], "--threshold"),
        (["--metric", "nope", "--threshold", "0.1"], "--metric nope"),
        (["--metric", "returned_share", "--threshold", "0.1", "--density", "2"], "--density"),
    ],
)
def test_nothing_to_discover_is_one_line(sweep: Path, capsys, args, named) -> None:
    assert cli.main(["discover", str(sweep), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and named in err[0]
