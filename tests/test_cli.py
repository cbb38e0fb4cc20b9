"""The `returnsim` command: run folders, summary, describe, and one-line errors for bad input."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from returnsim import cli, output, version
from returnsim.cli import run as cli_run
from returnsim.model import REPORTERS
from returnsim.parameters import PARAMS

ROOT = Path(__file__).resolve().parents[1]
BASELINE = str(ROOT / "scenarios" / "baseline.toml")
SMALL = ["--households", "500", "--steps", "12"]

SUMMARY_KEYS = {
    "returned_share",
    "still_displaced",
    "still_displaced_share",
    "ever_displaced",
    "peak_displaced",
    "peak_displaced_month",
    "returns_total",
    "returns_elsewhere_total",
    "settled_elsewhere",
    "redisplacements_total",
    "redisplacement_rate",
    "months_to_half_returned",
    "person_months_exposed",
    "violence_total",
    "intending_return_total",
    "unable_to_return_total",
    "voluntary_returns_total",
    "induced_returns_total",
    "forced_returns_total",
    "pushbacks_total",
    "voluntary_return_share",
    "by_group",
    "by_origin",
}
GROUP_FIELDS = {"returned_share", "still_displaced", "ever_displaced", "households"}
RUN_KEYS = {
    "seed",
    "scenario",
    "returnsim",
    "model_digest",
    "git",
    "python",
    "platform",
    "dependencies",
    "wall_seconds",
    "command",
    "utc",
    "engine",
}


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small baseline run with all plots, shared by the tests that read its files."""
    out = tmp_path_factory.mktemp("run") / "small"
    assert cli.main(["run", BASELINE, *SMALL, "--seed", "7", "--plot", "--out", str(out)]) == 0
    return out


def test_run_writes_every_file(small_run: Path) -> None:
    names = {p.name for p in small_run.iterdir()}
    assert names == {
        "timeseries.csv",
        "groups.csv",
        "summary.json",
        "run.json",
        "stocks.png",
        "flows.png",
        "conditions.png",
        "reintegration.png",
        "spending.png",
    }
    with open(small_run / "timeseries.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(REPORTERS)
    assert [int(r[0]) for r in rows[1:]] == list(range(13))  # months 0..12
    for png in ("stocks.png", "flows.png", "conditions.png", "reintegration.png", "spending.png"):
        assert (small_run / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_summary_and_run_json(small_run: Path) -> None:
    summary = json.loads((small_run / "summary.json").read_text())
    assert summary.keys() >= SUMMARY_KEYS
    # 500 simulated households stand for the scenario's 100,000 persons (20,000 households)
    assert summary["simulated_households"] == 500 and summary["weight"] == 40.0
    assert summary["households"] == 20_000 and summary["months"] == 12
    run = json.loads((small_run / "run.json").read_text())
    assert run.keys() >= RUN_KEYS
    assert run["seed"] == 7
    assert run["scenario"]["name"] == "baseline"
    assert re.fullmatch(r"[0-9a-f]{64}", run["scenario"]["digest"])
    assert run["scenario"]["overrides"] == {
        "scenario.seed": 7,
        "scenario.months": 12,
        "households.count": 500,
    }
    assert run["git"]["commit"] == "unknown" or re.fullmatch(r"[0-9a-f]{40}", run["git"]["commit"])
    assert set(run["dependencies"]) == set(output.DEPENDENCIES)  # one list for every result
    assert run["model_digest"] == version.model_digest()
    assert run["command"].startswith("returnsim run ")


def test_summary_agrees_with_timeseries_and_groups_add_up(small_run: Path) -> None:
    summary = json.loads((small_run / "summary.json").read_text())
    with open(small_run / "timeseries.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    last = rows[-1]

    def num(text: str) -> int:  # real households (500 simulated x 40)
        return round(float(text))

    assert summary["still_displaced"] == num(last["internally_displaced"]) + num(last["refugees"])
    assert summary["returned"] == num(last["returned"])
    assert summary["settled_elsewhere"] == num(last["settled_elsewhere"])
    assert summary["ever_displaced"] == 20_000 - num(last["at_origin"])
    assert summary["returns_total"] == sum(num(r["new_returns"]) for r in rows)
    displaced = [num(r["internally_displaced"]) + num(r["refugees"]) for r in rows]
    assert summary["peak_displaced"] == max(displaced)
    assert displaced[summary["peak_displaced_month"]] == max(displaced)

    groups = summary["by_group"]
    partitions = [
        list(groups["sex_of_head"].values()),
        list(groups["head_age"].values()),
        [groups["vulnerability"]["any_vulnerable"], groups["vulnerability"]["none_vulnerable"]],
        list(summary["by_origin"].values()),
    ]
    assert set(summary["by_origin"]) == {"north", "east", "south"}
    for parts in partitions:
        for field in ("households", "ever_displaced", "still_displaced", "returned"):
            assert sum(g[field] for g in parts) == summary[field], field
    for dim in groups.values():
        for g in dim.values():
            assert g.keys() >= GROUP_FIELDS
            assert g["returned"] <= g["ever_displaced"] <= g["households"]
            if g["ever_displaced"]:
                assert g["returned_share"] == pytest.approx(g["returned"] / g["ever_displaced"])
            else:
                assert g["returned_share"] is None


def test_undefined_shares_are_null(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With no conflict and nobody displaced at the start, shares over the displaced are null."""
    out = tmp_path / "calm"
    args = ["run", BASELINE, *SMALL, "--out", str(out)]
    for key in (
        "conflict.intensity=0",
        "conflict.recurrence_monthly=0",
        "households.initial_idp_share=0",
        "households.initial_refugee_share=0",
    ):
        args += ["--set", key]
    code, _, err = run_cli(args, capsys)
    assert code == 0, err
    text = (out / "summary.json").read_text()
    assert "NaN" not in text
    summary = json.loads(text)
    assert summary["ever_displaced"] == 0
    assert summary["returned_share"] is None
    assert summary["redisplacement_rate"] is None
    assert summary["months_to_half_returned"] is None


def test_run_prints_where_results_are(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nested" / "folder"
    code, stdout, _ = run_cli(["run", BASELINE, *SMALL, "--out", str(out)], capsys)
    assert code == 0
    assert str(out) in stdout
    assert {p.name for p in out.iterdir()} == {
        "timeseries.csv",
        "groups.csv",
        "summary.json",
        "run.json",
        "stocks.png",
    }


def test_default_out_is_named_after_the_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, stdout, _ = run_cli(["run", BASELINE, *SMALL], capsys)
    assert code == 0
    assert (tmp_path / "out" / "baseline" / "run.json").is_file()
    assert "out/baseline" in stdout


def test_rerun_replaces_and_failed_run_keeps_old_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    assert run_cli(["run", BASELINE, *SMALL, "--seed", "1", "--out", str(out)], capsys)[0] == 0
    (out / "stray.txt").write_text("from an older run")
    assert run_cli(["run", BASELINE, *SMALL, "--seed", "2", "--out", str(out)], capsys)[0] == 0
    assert not (out / "stray.txt").exists()
    assert json.loads((out / "run.json").read_text())["seed"] == 2
    before = (out / "run.json").read_bytes()
    code, _, _ = run_cli(
        ["run", BASELINE, "--set", "conflict.intensity=-1", "--out", str(out)], capsys
    )
    assert code == 2
    assert (out / "run.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no hidden temporaries


def test_atomic_dir_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "run"
    with pytest.raises(RuntimeError), output.atomic_dir(target) as tmp:
        (tmp / "timeseries.csv").write_text("month\n0\n")
        raise RuntimeError("plotting failed")
    assert list(tmp_path.iterdir()) == []


def test_describe_lists_every_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["describe", BASELINE, "--set", "conflict.intensity=0.5"], capsys)
    assert code == 0
    for p in PARAMS:
        assert re.search(rf"^. {re.escape(p.key)} = ", out, re.M), p.key
        assert p.allowed in out
    assert re.search(r"^\* conflict\.intensity = 0\.5", out, re.M)
    for place in ("north", "east", "south", "capital", "camp", "border", "refugee_camp"):
        assert re.search(rf"^  {place} +\w", out, re.M), place
    assert "north - capital: 150 km" in out


def test_progress_on_a_terminal() -> None:
    from returnsim import ReturnModel
    from returnsim.scenario import load

    class Tty:
        def __init__(self) -> None:
            self.text = ""

        def isatty(self) -> bool:
            return True

        def write(self, s: str) -> None:
            self.text += s

        def flush(self) -> None:
            pass

    model = ReturnModel(load(BASELINE, {"households.count": 100, "scenario.months": 4}))
    stream = Tty()
    cli_run.run_with_progress(model, stream)  # type: ignore[arg-type]
    assert model.steps == 4
    assert "\rmonth 4/4 (100%)" in stream.text


# Bad input of every kind is the corpus in tests/test_bad_input_corpus.py.


# ------------------------------------------------------- as a real process
def test_command_line_errors_and_help_in_a_subprocess(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "returnsim.cli"]
    bad = subprocess.run(
        [*cmd, "run", BASELINE, "--households", "abc"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("returnsim: error: ")
    assert "--households" in bad.stderr and "Traceback" not in bad.stderr
    assert list(tmp_path.iterdir()) == []

    helped = subprocess.run(
        [*cmd, "run", "--help"], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert helped.returncode == 0
    assert "usage: returnsim run" in helped.stdout and "--households" in helped.stdout
