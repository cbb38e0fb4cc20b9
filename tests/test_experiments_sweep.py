"""Sweeps: every design method, resume after kill -9, failures recorded and retried,
the same results on every executor and worker count, and the folder's safety rules."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from exp_support import result_table, spec_text, write_spec

from returnsim import cli
from returnsim.errors import InputError
from returnsim.experiments import runs as runs_mod
from returnsim.experiments.executors import ExecutorConfig
from returnsim.experiments.spec import load_spec
from returnsim.experiments.store import Store
from returnsim.experiments.sweep import execute_plan, make_plan
from returnsim.model import ReturnModel
from returnsim.outcomes import summarize

IN_PROCESS = ExecutorConfig(workers=0)


def sweep(spec_path: Path, out: Path, config: ExecutorConfig = IN_PROCESS, **kw):
    plan = make_plan(load_spec(spec_path), "sweep")
    return plan, execute_plan(plan, out, config, stream=io.StringIO(), **kw)


@pytest.mark.parametrize(
    ("method", "samples", "points"),
    [
        ("full_factorial", None, 2 * 2 * 3),
        ("lhs", 4, 4),
        ("sobol", 4, 4 * 5),
        ("morris", 2, 2 * 4),
        ("one_at_a_time", None, 1 + 2 + 1 + 2),  # troops base 8000 is not a level
    ],
)
def test_every_design_method_sweeps(tmp_path: Path, method: str, samples, points: int) -> None:
    text = spec_text(method, samples=samples, households=200, steps=6)
    if method in ("full_factorial", "one_at_a_time"):
        text = text.replace(f'method = "{method}"', f'method = "{method}"\nlevels = 2')
    plan, outcome = sweep(write_spec(tmp_path, text), tmp_path / "out")
    assert len(plan.points) == points
    unique = len(plan.unique_runs())
    assert outcome.ok == outcome.total == outcome.new_ok == unique
    assert outcome.failed == 0
    df = Store(tmp_path / "out").runs()
    assert len(df) == unique and df["run_key"].is_unique
    assert (df["status"] == "ok").all()
    assert set(df["seed"]) == {11, 12}
    assert df["returns_total"].notna().all() and df["total_cost"].notna().all()
    # each row carries the parameter values of its design point
    for _, row in df.iterrows():
        for name, value in plan.points[row["point"]].items():
            assert row[name] == value


def test_a_row_is_the_model_run_with_those_values(tmp_path: Path) -> None:
    spec_path = write_spec(tmp_path, spec_text("lhs", samples=3, households=250, steps=8))
    plan, _ = sweep(spec_path, tmp_path / "out")
    row = Store(tmp_path / "out").runs().iloc[-1]
    point = plan.points[row["point"]]
    model = ReturnModel(plan.spec.base, rng=int(row["seed"]), overrides=point)
    model.run()
    summary = summarize(model)
    assert row["returned_share"] == summary["returned_share"]
    assert row["total_cost"] == summary["total_cost"]
    assert row["returns_total"] == summary["returns_total"]


def test_rerun_of_a_finished_sweep_does_nothing(tmp_path: Path) -> None:
    spec_path = write_spec(tmp_path, spec_text("lhs", samples=3, households=200, steps=6))
    out = tmp_path / "out"
    sweep(spec_path, out)
    parts = Store(out).part_files()
    before = result_table(out)
    _, outcome = sweep(spec_path, out)
    assert outcome.new_ok == 0 and outcome.skipped == outcome.total
    assert Store(out).part_files() == parts
    pd.testing.assert_frame_equal(result_table(out), before)
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["invocations"]) == 2
    assert manifest["status"]["ok"] == outcome.total


def test_resume_after_kill_9_gives_the_uninterrupted_table(tmp_path: Path) -> None:
    """kill -9 the sweep once some parts are written; rerunning finishes only what is missing."""
    text = spec_text("lhs", samples=30, households=2000, steps=24, replicates=2)
    spec_path = write_spec(tmp_path, text)
    reference = tmp_path / "reference"
    sweep(spec_path, reference, ExecutorConfig(workers=2))
    expected = result_table(reference)

    out = tmp_path / "killed"
    command = [sys.executable, "-m", "returnsim.cli", "sweep", str(spec_path), "--out", str(out)]
    command += ["--workers", "1", "--chunk", "2", "--flush-seconds", "0.2"]
    proc = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while len(Store(out).part_files()) < 3:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "no parts written"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes
        proc.wait()
    done_at_kill = len(Store(out).runs())
    assert 0 < done_at_kill < len(expected)

    code = cli.main(["sweep", str(spec_path), "--out", str(out), "--workers", "1"])
    assert code == 0
    attempts = Store(out).read_attempts()
    assert attempts.num_rows == len(expected)  # no duplicate row
    pd.testing.assert_frame_equal(result_table(out), expected)  # no lost row, same values


def test_damaged_part_is_set_aside_and_redone(tmp_path: Path) -> None:
    spec_path = write_spec(tmp_path, spec_text("lhs", samples=3, households=200, steps=6))
    out = tmp_path / "out"
    sweep(spec_path, out, flush_seconds=0.0)
    expected = result_table(out)
    parts = Store(out).part_files()
    assert len(parts) >= 2
    parts[0].write_bytes(parts[0].read_bytes()[:100])  # cut short
    (out / "parts" / ".tmp-abc-part-x.parquet").write_bytes(b"half written")
    _, outcome = sweep(spec_path, out)
    assert 0 < outcome.new_ok < outcome.total
    assert parts[0].with_name(parts[0].name + ".corrupt").exists()
    assert not (out / "parts" / ".tmp-abc-part-x.parquet").exists()
    pd.testing.assert_frame_equal(result_table(out), expected)


def test_failing_run_is_recorded_retried_and_does_not_stop_the_sweep(tmp_path: Path) -> None:
    """Points where the IDP and refugee shares add to more than 1 cannot be run."""
    params = (
        "[parameters]\n"
        '"households.initial_idp_share" = { values = [0.1, 0.95] }\n'
        '"households.initial_refugee_share" = { values = [0.0, 0.5] }\n'
    )
    text = spec_text("full_factorial", samples=None, households=200, steps=6, parameters=params)
    spec_path = write_spec(tmp_path, text.replace("seed = 11", "seed = 11\nretries = 1"))
    out = tmp_path / "out"
    _, outcome = sweep(spec_path, out)
    assert outcome.total == 8 and outcome.ok == 6 and outcome.failed == 2
    df = Store(out).runs()
    failed = df[df["status"] == "failed"]
    assert set(failed["point"]) == {3}  # idp 0.95 + refugees 0.5
    assert failed["error"].str.contains("initial_idp_share").all()
    assert (failed["attempt"] == 2).all()  # tried, then retried once
    assert failed["returned_share"].isna().all()
    # rerunning retries what failed (and only that)
    _, again = sweep(spec_path, out)
    assert again.skipped == 6 and again.new_failed == 2
    attempts = Store(out).connect().sql("SELECT count(*) FROM attempts WHERE status = 'failed'")
    assert attempts.fetchall() == [(8,)]
    assert (Store(out).runs().query("status == 'failed'")["attempt"] == 4).all()
    # the analysis refuses an incomplete design with one line
    from returnsim.experiments import analysis

    with pytest.raises(InputError, match=r"2 of 8 planned runs are missing or failed"):
        analysis.write(out)


def test_transient_failure_is_retried_and_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec_path = write_spec(tmp_path, spec_text("lhs", samples=3, households=200, steps=6))
    real = runs_mod.simulate
    calls: list[int] = []

    def flaky(base, overrides, seed, series=()):
        calls.append(seed)
        if len(calls) == 2:
            raise MemoryError("worker ran out of memory")
        return real(base, overrides, seed, series)

    monkeypatch.setattr(runs_mod, "simulate", flaky)
    out = tmp_path / "out"
    _, outcome = sweep(spec_path, out)
    assert outcome.ok == outcome.total == 6 and outcome.failed == 0
    assert len(calls) == 7
    con = Store(out).connect()
    rows = con.sql("SELECT run_key, status, attempt, error FROM attempts").fetchall()
    failed = [r for r in rows if r[1] == "failed"]
    assert len(rows) == 7 and len(failed) == 1
    assert failed[0][2] == 1 and failed[0][3].startswith("MemoryError: worker ran out of memory")
    retried = [r for r in rows if r[0] == failed[0][0] and r[1] == "ok"]
    assert len(retried) == 1 and retried[0][2] == 2
    assert (Store(out).runs()["status"] == "ok").all()


@pytest.fixture(scope="module")
def dask_cluster():
    """A Dask LocalCluster on 127.0.0.1 with two single-threaded worker processes."""
    from distributed import LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    )
    yield cluster
    cluster.close()


def test_every_executor_and_worker_count_gives_the_same_table(tmp_path: Path, dask_cluster) -> None:
    spec_path = write_spec(tmp_path, spec_text("sobol", samples=4, households=300, steps=8))
    configs = {
        "in-process": IN_PROCESS,
        "local-1": ExecutorConfig(workers=1),
        "local-2": ExecutorConfig(workers=2),
        "dask-local-1": ExecutorConfig(dask_local=1),
        "dask-2": ExecutorConfig(scheduler=dask_cluster.scheduler_address),
    }
    tables = {}
    for name, config in configs.items():
        _, outcome = sweep(spec_path, tmp_path / name, config, chunk=3)
        assert outcome.ok == outcome.total, name
        tables[name] = result_table(tmp_path / name)
    workers = {
        name: Store(tmp_path / name).runs()["worker"].nunique() for name in ("local-2", "dask-2")
    }
    assert workers == {"local-2": 2, "dask-2": 2}  # both workers did runs
    for name, table in tables.items():
        pd.testing.assert_frame_equal(table, tables["in-process"], obj=name)


def test_unreachable_scheduler_is_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_path = write_spec(tmp_path, spec_text("lhs", samples=2, households=200, steps=6))
    out = tmp_path / "out"
    code = cli.main(
        ["sweep", str(spec_path), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9"]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("returnsim: error: --scheduler tcp://127.0.0.1:9: cannot connect")
    assert not out.exists()


def test_folder_of_another_experiment_or_other_files_is_refused(tmp_path: Path) -> None:
    a = write_spec(tmp_path, spec_text("lhs", samples=2, households=200, steps=6), "a.toml")
    b = write_spec(tmp_path, spec_text("lhs", samples=3, households=200, steps=6), "b.toml")
    out = tmp_path / "out"
    sweep(a, out)
    with pytest.raises(InputError, match="holds the results of another experiment"):
        sweep(b, out)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="is not an experiment folder"):
        sweep(a, other)
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]


def test_second_writer_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    spec_path = write_spec(tmp_path, spec_text("lhs", samples=2, households=200, steps=6))
    out = tmp_path / "out"
    sweep(spec_path, out)
    with Store(out).lock(), pytest.raises(InputError, match="another sweep is writing"):
        sweep(spec_path, out)


def test_cli_sweep_query_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec_path = write_spec(tmp_path, spec_text("lhs", samples=3, households=200, steps=6))
    out = tmp_path / "out"
    assert cli.main(["sweep", str(spec_path), "--out", str(out), "--workers", "0"]) == 0
    stdout = capsys.readouterr().out
    assert "6/6 runs ok, 0 failed" in stdout
    sql = "SELECT count(*) AS n, count(DISTINCT seed) AS seeds FROM runs WHERE status = 'ok'"
    assert cli.main(["query", str(out), sql, "--csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n,seeds", "6,2"]
    q = 'SELECT "peacekeeping.troops" AS troops FROM runs JOIN plan USING (run_key) LIMIT 1'
    assert cli.main(["query", str(out), q]) == 0
    assert "troops" in capsys.readouterr().out
    assert cli.main(["query", str(out), "SELECT nope FROM runs"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("returnsim: error: query: ") and err.count("\n") == 1
    assert cli.main(["query", str(tmp_path), "SELECT 1"]) == 2
    assert "not an experiment folder" in capsys.readouterr().err
    # a mistyped option is one line too
    assert cli.main(["sweep", str(spec_path), "--workers", "-1"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


DYING = """
import os, sys
from pathlib import Path
from returnsim.experiments import runs, scheduler, sweep
from returnsim.experiments.executors import ExecutorConfig
from returnsim.experiments.spec import load_spec

MARKER = Path(sys.argv[3])


def dying_chunk(base, batch, metrics, series=()):
    if not MARKER.exists():  # the first task kills its worker process
        MARKER.write_text("died")
        os._exit(1)
    return runs.execute_chunk(base, batch, metrics, series)


if __name__ == "__main__":
    plan = sweep.make_plan(load_spec(sys.argv[1]), "sweep")
    scheduler.execute_chunk = dying_chunk  # what the scheduler ships to workers
    outcome = sweep.execute_plan(plan, sys.argv[2], ExecutorConfig(workers=2), chunk=2)
    print(outcome.ok, outcome.total, outcome.failed)
"""


def test_a_dead_worker_process_is_replaced_and_its_runs_retried(tmp_path: Path) -> None:
    spec_path = write_spec(tmp_path, spec_text("lhs", samples=4, households=200, steps=6))
    script = tmp_path / "dying.py"
    script.write_text(DYING)
    out, marker = tmp_path / "out", tmp_path / "died"
    done = subprocess.run(
        [sys.executable, str(script), str(spec_path), str(out), str(marker)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["8", "8", "0"]
    assert marker.exists()
    attempts = Store(out).connect().sql("SELECT status, error FROM attempts").fetchall()
    lost = [error for status, error in attempts if status == "failed"]
    assert lost and all(e.startswith("BrokenProcessPool") for e in lost)
    assert (Store(out).runs()["status"] == "ok").all()


def test_folder_of_another_model_is_refused_and_left_as_it_is(tmp_path, monkeypatch) -> None:
    """A resume after the code changed (simulated: another model digest) refuses in one line
    and writes nothing; the same model resumes."""
    from returnsim import version

    spec_path = write_spec(tmp_path, spec_text("lhs", samples=2, households=200, steps=6))
    out = tmp_path / "out"
    sweep(spec_path, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    sweep(spec_path, out)  # same model: resumes (nothing to do)
    monkeypatch.setattr(version, "model_digest", lambda: "f" * 64)
    with pytest.raises(InputError, match=r"made by model .{12}, this is ffffffffffff"):
        sweep(spec_path, out)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after.keys() == before.keys()
    assert all(after[p] == before[p] for p in before if p.name != "manifest.json")
