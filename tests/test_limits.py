"""Memory limits: a run too large for the memory available is refused up front, in one line.

"Available memory" is set through ``RETURNSIM_MEMORY_AVAILABLE`` (see
``limits.py``), so these tests do not depend on the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from returnsim import ReturnModel, limits
from returnsim.cli import main
from returnsim.errors import InputError
from returnsim.scenario import load

REPO = Path(__file__).absolute().parents[1]
BASELINE = str(REPO / "scenarios" / "baseline.toml")
MEASURE = str(REPO / "benchmarks" / "measure_memory.py")


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("returnsim: error: ")
    return lines[0]


def test_run_too_large_is_refused_in_one_line_and_writes_nothing(
    tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv(limits.ENV, "1G")
    out = tmp_path / "deep" / "run"
    code = main(["run", BASELINE, "--households", "50000000", "--out", str(out)])
    assert code == 2
    line = one_error_line(capsys)
    size = limits.Size.of(load(BASELINE, {"households.count": 50_000_000}))
    assert "households.count = 50,000,000" in line
    assert f"needs about {limits.human(limits.estimate(size))}" in line
    assert "1.0 GB is available" in line and "--households" in line
    fits = int(line.split("at most about ")[1].split(" households")[0].replace(",", ""))
    assert limits.estimate(limits.Size(fits, size.months, size.places)) <= limits.MARGIN * 1e9
    assert not (tmp_path / "deep").exists()


def test_run_that_fits_proceeds(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(limits.ENV, "2G")
    out = tmp_path / "run"
    assert main(["run", BASELINE, "--households", "200", "--steps", "3", "--out", str(out)]) == 0
    assert (out / "summary.json").is_file()


def test_agents_engine_needs_more_than_arrays(monkeypatch) -> None:
    """The same size fits with the arrays engine and is refused with one agent per household."""
    arrays = load(BASELINE, {"households.count": 1_000_000})
    agents = arrays.with_overrides({"scenario.engine": "agents"})
    need = limits.estimate(limits.Size.of(arrays))
    assert limits.estimate(limits.Size.of(agents)) > 2 * need
    monkeypatch.setenv(limits.ENV, str(2 * need))
    limits.check(arrays)
    with pytest.raises(InputError, match=r"households\.count = 1,000,000"):
        limits.check(agents)


def test_the_model_reads_no_memory_the_entry_points_do(monkeypatch) -> None:
    """ReturnModel builds without asking the machine; the library function refuses in one line."""

    def no_asking() -> None:
        raise AssertionError("ReturnModel read this machine's memory")

    monkeypatch.setattr(limits, "available", no_asking)
    ReturnModel(load(BASELINE), overrides={"households.count": 50, "scenario.months": 1})
    monkeypatch.undo()
    monkeypatch.setenv(limits.ENV, "50M")
    with pytest.raises(InputError, match=r"households\.count = 1,000,000: this run needs about"):
        limits.check(load(BASELINE).with_overrides({"households.count": 1_000_000}))


def test_sweep_counts_every_worker_and_writes_nothing(tmp_path, monkeypatch) -> None:
    """The largest run fits alone but not three side by side: refused before the folder exists."""
    from returnsim.experiments.executors import ExecutorConfig
    from returnsim.experiments.spec import load_spec
    from returnsim.experiments.sweep import execute_plan, make_plan

    plan = make_plan(load_spec(REPO / "experiments" / "compare_mixes.toml"), "compare")
    one = limits.estimate(limits.Size.of(plan.spec.base)) + limits.PER_WORKER
    monkeypatch.setenv(limits.ENV, str(int(2 * one / limits.MARGIN) + 1000))
    limits.check_plan(plan, ExecutorConfig(workers=2))  # two fit
    out = tmp_path / "exp"
    with pytest.raises(InputError, match="3 runs side by side need about") as err:
        execute_plan(plan, out, ExecutorConfig(workers=3))
    assert "fewer workers" in str(err.value) and "\n" not in str(err.value)
    assert not out.exists()


def test_calibrate_and_validate_are_refused(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv(limits.ENV, "100M")
    out = tmp_path / "cal"
    argv = ["calibrate", BASELINE, "--target", str(tmp_path / "none.csv"), "--out", str(out)]
    assert main([*argv, "--households", "2000000"]) == 2
    assert "households.count = 2,000,000" in one_error_line(capsys)
    assert not out.exists()
    assert main(["validate", "--households", "2000000"]) == 2
    assert "households.count = 2,000,000" in one_error_line(capsys)


@pytest.mark.parametrize("text", ["abc", "-5", "1e999", "4X"])
def test_a_bad_override_is_an_input_error(monkeypatch, text: str) -> None:
    monkeypatch.setenv(limits.ENV, text)
    with pytest.raises(InputError, match=limits.ENV):
        limits.available()


def test_override_units(monkeypatch) -> None:
    for text, value in (("4e9", 4e9), ("512M", 512e6), ("3.5G", 3.5e9), ("2048", 2048)):
        monkeypatch.setenv(limits.ENV, text)
        assert limits.available() == (int(value), limits.ENV)


def test_available_is_lowered_to_a_cgroup_limit(tmp_path, monkeypatch) -> None:
    """cgroup v2 (``memory.max``, on the group or a parent) and v1 limits; page cache is free."""
    monkeypatch.delenv(limits.ENV, raising=False)
    proc, root = tmp_path / "proc", tmp_path / "cgroup"
    (proc / "self").mkdir(parents=True)
    (proc / "meminfo").write_text("MemTotal: 8000000 kB\nMemAvailable: 6000000 kB\n")
    assert limits.meminfo_available(proc) == 6_000_000 * 1024

    (proc / "self" / "cgroup").write_text("0::/jobs/one\n")
    group = root / "jobs" / "one"
    group.mkdir(parents=True)
    (group / "memory.max").write_text("max\n")
    assert limits.cgroup_room(proc, root) is None  # no limit anywhere
    (root / "jobs" / "memory.max").write_text("3000000000\n")
    (root / "jobs" / "memory.current").write_text("1000000000\n")
    (root / "jobs" / "memory.stat").write_text("anon 1\ninactive_file 400000000\n")
    assert limits.cgroup_room(proc, root) == 3_000_000_000 - 600_000_000

    (proc / "self" / "cgroup").write_text("4:memory:/not/visible\n1:cpu:/\n")
    v1 = root / "memory"
    v1.mkdir()
    (v1 / "memory.limit_in_bytes").write_text("9223372036854771712\n")
    assert limits.cgroup_room(proc, root) is None  # v1's "unlimited"
    (v1 / "memory.limit_in_bytes").write_text("2000000000\n")
    (v1 / "memory.usage_in_bytes").write_text("500000000\n")
    assert limits.cgroup_room(proc, root) == 1_500_000_000


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(
    budget=st.floats(1e6, 1e12),
    months=st.integers(1, 1200),
    places=st.integers(1, 500),
    engine=st.sampled_from(sorted(limits.PER_HOUSEHOLD)),
)
def test_the_size_allowed_is_the_largest_that_fits(
    budget: float, months: int, places: int, engine: str
) -> None:
    n = limits.max_households(limits.Size(1, months, places, engine), budget)
    if n > 0:
        assert limits.estimate(limits.Size(n, months, places, engine)) <= budget
    assert limits.estimate(limits.Size(n + 1, months, places, engine)) > budget


@pytest.mark.heavy  # a large-memory run (about 350 MB): left to .ci/run's `pytest -m heavy`
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="peak RSS reset needs Linux")
def test_estimate_is_within_a_factor_two_of_the_measured_rss(tmp_path) -> None:
    """A fresh process runs 500,000 households for 12 months; its peak RSS rise vs the estimate."""
    import returnsim

    source = str(Path(returnsim.__file__).parents[1])  # the returnsim under test, not another
    done = subprocess.run(
        [sys.executable, MEASURE, BASELINE, "--households", "500000"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "MPLBACKEND": "Agg",
            "PYTHONPATH": source,
        },
    )
    assert done.returncode == 0, done.stderr[-2000:]
    row = json.loads(done.stdout.splitlines()[-1])
    assert row["households"] == 500_000 and row["measured_bytes"] > 0
    assert 0.5 <= row["estimate_bytes"] / row["measured_bytes"] <= 2.0, row
