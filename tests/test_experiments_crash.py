"""Crashes: kill -9 at random moments, damaged parts and manifests, killed Dask workers.

A sweep that was interrupted or damaged, once finished, must hold exactly
the runs table of an uninterrupted sweep of the same spec (see TIMING for
the columns left out); damage it cannot repair is one line naming the file.

The kill campaigns (six SIGKILLs of a sweep, killed Dask workers, five kills
while writing the analysis) start many processes and take about two minutes
together: they are marked ``heavy``, left out of ``make test`` and run by
``.ci/run`` (``python -m pytest -m heavy``).
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from exp_support import BASELINE, spec_text, write_spec

from returnsim import cli
from returnsim.errors import InputError
from returnsim.experiments.executors import ExecutorConfig
from returnsim.experiments.spec import load_spec
from returnsim.experiments.store import Store
from returnsim.experiments.sweep import execute_plan, make_plan

IN_PROCESS = ExecutorConfig(workers=0)

#: Columns left out of the comparisons: when and how long a run took, and which
#: process (host:pid) did it. Everything else (``attempt`` too) must be equal.
TIMING = ("wall_seconds", "started", "finished", "worker")


def table(folder: Path) -> pd.DataFrame:
    """The runs table without the TIMING columns, sorted by run key."""
    df = Store(folder).runs().drop(columns=list(TIMING))
    return df.sort_values("run_key").reset_index(drop=True)


def sweep(spec_path: Path, out: Path, config: ExecutorConfig = IN_PROCESS, **kw):
    plan = make_plan(load_spec(spec_path), "sweep")
    return execute_plan(plan, out, config, stream=io.StringIO(), **kw)


def done_runs(out: Path) -> int:
    """Runs recorded ok in ``out`` (0 when the folder or its manifest does not exist yet)."""
    if not Store(out).is_experiment():
        return 0
    attempts = Store(out).read_attempts().to_pydict()
    return len(
        {k for k, s in zip(attempts["run_key"], attempts["status"], strict=True) if s == "ok"}
    )


def temporary_files(out: Path) -> list[str]:
    return [p.name for d in (out, out / "parts") if d.is_dir() for p in d.glob(".tmp-*")]


# ------------------------------------------------------ kill -9 at random moments
CLI_FLAGS = ["--workers", "1", "--chunk", "2", "--flush-seconds", "0.1"]


def start(spec_path: Path, out: Path) -> subprocess.Popen:
    """``returnsim sweep`` in its own process group (so killpg reaches its workers)."""
    command = [sys.executable, "-m", "returnsim.cli", "sweep", str(spec_path), "--out", str(out)]
    return subprocess.Popen(
        [*command, *CLI_FLAGS],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@dataclass
class Kill:
    moment: str  # "start", "run" or "write"
    seconds: float  # after the process started
    alive: bool  # the sweep was still running when killed
    done_before: int
    done_after: int
    temporary: int  # temporary files the kill left behind


def rows_written(out: Path, seen: dict[str, int]) -> int:
    """Rows in the finished parts of ``out`` (row counts cached by part name)."""
    for path in Store(out).part_files():
        if path.name not in seen:
            seen[path.name] = pq.read_metadata(path).num_rows
    return sum(seen.values())


def kill_once(spec_path: Path, out: Path, moment: str, u: float, first_part: float, total: int):
    """Start the sweep, kill its process group with SIGKILL at ``moment``, report what happened.

    ``start``: at ``u`` times the reference's time to its first part (imports,
    folder and manifest, starting the worker). ``run``: once the folder holds
    a share ``u`` of the runs still missing (at most all but 8). ``write``: as
    then, and as soon as a part is being written (a temporary file in parts/).
    """
    done_before = done_runs(out)
    target = done_before + 1 + int(u * max(0, total - 8 - done_before - 1))
    seen: dict[str, int] = {}
    t0 = time.monotonic()
    proc = start(spec_path, out)
    try:
        if moment == "start":
            time.sleep(u * first_part)
        else:
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                if rows_written(out, seen) >= target:
                    break
                time.sleep(0.01)
            while moment == "write" and proc.poll() is None and time.monotonic() < deadline:
                if any(p.name.startswith(".tmp-") for p in os.scandir(out / "parts")):
                    break
                time.sleep(0.001)
        alive = proc.poll() is None
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep, its fork server and its worker
        proc.wait()
    seconds = time.monotonic() - t0
    return Kill(moment, seconds, alive, done_before, done_runs(out), len(temporary_files(out)))


@pytest.mark.heavy
def test_kill_9_at_random_moments_resumes_to_the_uninterrupted_table(tmp_path: Path) -> None:
    """Six SIGKILLs (while starting, while running, while writing a part), each resumed."""
    text = spec_text("lhs", samples=32, households=2000, steps=24, replicates=2)
    spec_path = write_spec(tmp_path, text)

    # the uninterrupted sweep, same command; its timeline sizes the kill delays
    reference = tmp_path / "reference"
    t0 = time.monotonic()
    proc = start(spec_path, reference)
    first_part = None
    while proc.poll() is None:
        if first_part is None and Store(reference).part_files():
            first_part = time.monotonic() - t0
        time.sleep(0.01)
    end = time.monotonic() - t0
    assert proc.returncode == 0
    expected = table(reference)
    total = len(expected)
    assert total == 64 and (expected["status"] == "ok").all()

    rng = random.Random(20240808)
    moments = ["start", "run", "write", "start", "run", "write"]
    out = tmp_path / "killed"
    kills = [
        kill_once(spec_path, out, moment, rng.random(), first_part or end, total)
        for moment in moments
    ]
    report = "\n".join(map(str, kills))
    print(f"reference: first part at {first_part} s, end at {end} s", report, sep="\n")

    # the kills were real: every one hit a running sweep, several with runs done and missing
    assert all(k.alive for k in kills), report
    assert sum(0 < k.done_after < total for k in kills) >= 3, report
    assert sum(k.done_after > k.done_before for k in kills) >= 3, report  # progress, then killed
    assert all(k.done_after >= k.done_before for k in kills), report  # no run ever lost
    assert done_runs(out) < total, report  # the last resume has work left

    command = [sys.executable, "-m", "returnsim.cli", "sweep", str(spec_path), "--out", str(out)]
    done = subprocess.run(
        [*command, *CLI_FLAGS],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert Store(out).read_attempts().num_rows == total, report  # each run recorded once
    assert not temporary_files(out) and not list((out / "parts").glob("*.corrupt"))
    pd.testing.assert_frame_equal(table(out), expected)


def test_a_sweep_killed_while_starting_resumes(tmp_path: Path) -> None:
    """Killed after taking the lock but before its manifest: the folder is resumed, not refused."""
    spec_path = write_spec(tmp_path, spec_text("lhs", samples=3, households=200, steps=6))
    expected_dir = tmp_path / "expected"
    sweep(spec_path, expected_dir)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".lock").write_text("12345\n")
    (out / "design.parquet").write_bytes(b"PAR1 from another spec, cut")  # overwritten
    (out / ".tmp-0123abcd-plan.parquet").write_bytes(b"half")
    outcome = sweep(spec_path, out)
    assert outcome.ok == outcome.total == 6 and outcome.skipped == 0
    assert not temporary_files(out)
    pd.testing.assert_frame_equal(table(out), table(expected_dir))
    assert Store(out).read_design().num_rows == 3


# ----------------------------------------------------------------- damaged parts
def wrong_schema(path: Path) -> None:
    """A valid Parquet file, but not runner rows (the design table)."""
    shutil.copy(path.parents[1] / "design.parquet", path)


def wrong_types(path: Path) -> None:
    """A valid Parquet file with the right column names but the seed as text."""
    t = pq.read_table(path)
    i = t.schema.get_field_index("seed")
    pq.write_table(t.set_column(i, "seed", t.column("seed").cast(pa.string())), path)


def unknown_status(path: Path) -> None:
    t = pq.read_table(path)
    i = t.schema.get_field_index("status")
    pq.write_table(t.set_column(i, "status", pa.array(["maybe"] * t.num_rows)), path)


DAMAGE = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "zero bytes": lambda p: p.write_bytes(b""),
    "garbage": lambda p: p.write_bytes(random.Random(3).randbytes(4000)),
    "footer only": lambda p: p.write_bytes(b"PAR1" + p.read_bytes()[-200:]),
    "wrong schema": wrong_schema,
    "wrong column types": wrong_types,
    "unknown status": unknown_status,
}


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, pd.DataFrame]:
    """A finished sweep in many small parts: (spec, folder, its table)."""
    folder = tmp_path_factory.mktemp("finished")
    spec_path = write_spec(folder, spec_text("lhs", samples=4, households=200, steps=6))
    sweep(spec_path, folder / "out", flush_seconds=0.0)
    assert len(Store(folder / "out").part_files()) >= 3
    return spec_path, folder / "out", table(folder / "out")


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_a_damaged_part_is_detected_and_its_runs_redone(
    kind: str,
    finished,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    spec_path, original, expected = finished
    out = tmp_path / "out"
    shutil.copytree(original, out)
    victim = Store(out).part_files()[1]
    lost = pq.read_table(victim).num_rows
    DAMAGE[kind](victim)
    assert done_runs(out) == len(expected) - lost  # readers skip it too
    capsys.readouterr()
    outcome = sweep(spec_path, out)
    assert outcome.new_ok == lost and outcome.skipped == len(expected) - lost
    # said on stderr or through the "returnsim" logger (whether a handler prints it to
    # stderr depends on what configured logging before: the command line does)
    assert f"{victim} is damaged" in capsys.readouterr().err + caplog.text
    assert victim.with_name(victim.name + ".corrupt").is_file() and not victim.exists()
    pd.testing.assert_frame_equal(table(out), expected)


def test_a_leftover_temporary_part_is_removed_and_not_read(finished, tmp_path: Path) -> None:
    spec_path, original, expected = finished
    out = tmp_path / "out"
    shutil.copytree(original, out)
    victim = Store(out).part_files()[0]
    lost = pq.read_table(victim).num_rows
    leftover = victim.with_name(f".tmp-0123456789ab-{victim.name}")
    victim.rename(leftover)  # written, not yet renamed: a kill between the two
    (out / ".tmp-ba9876543210-manifest.json").write_text('{"half": ')
    assert done_runs(out) == len(expected) - lost
    outcome = sweep(spec_path, out)
    assert outcome.new_ok == lost
    assert not temporary_files(out)
    pd.testing.assert_frame_equal(table(out), expected)


@pytest.mark.parametrize("name", ["design.parquet", "plan.parquet"])
def test_a_damaged_design_or_plan_is_one_line_then_rewritten(
    name: str, finished, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_path, original, expected = finished
    out = tmp_path / "out"
    shutil.copytree(original, out)
    (out / name).write_bytes((out / name).read_bytes()[:50])
    assert cli.main(["query", str(out), "SELECT count(*) FROM runs"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{out / name}: cannot be read" in err
    outcome = sweep(spec_path, out)
    assert outcome.new_ok == 0
    pd.testing.assert_frame_equal(table(out), expected)


MANIFESTS = {
    "zero bytes": b"",
    "truncated": None,  # the real manifest cut in half
    "garbage": bytes(range(256)) * 4,
    "a JSON array": b"[1, 2, 3]",
    "without its keys": b'{"format": "returnsim-experiment/1"}',
    "bad column type": None,  # the real manifest with an unknown column type
}


@pytest.mark.parametrize("kind", list(MANIFESTS))
def test_a_corrupt_manifest_is_one_line_naming_it(
    kind: str, finished, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_path, original, _ = finished
    out = tmp_path / "out"
    shutil.copytree(original, out)
    path = out / "manifest.json"
    good = path.read_bytes()
    data = MANIFESTS[kind]
    if kind == "truncated":
        data = good[: len(good) // 2]
    elif kind == "bad column type":
        m = json.loads(good)
        m["columns"]["seed"] = "int128"
        data = json.dumps(m).encode()
    path.write_bytes(data)
    for argv in (
        ["sweep", str(spec_path), "--out", str(out), "--workers", "0"],
        ["query", str(out), "SELECT 1"],
        ["analyze", str(out)],
        ["report", str(out)],
    ):
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert err.startswith(f"returnsim: error: {path}: "), err
    assert path.read_bytes() == data  # left as found, nothing else written
    assert not (out / "analysis").exists() and not (out / "report.html").exists()
    with pytest.raises(InputError, match=r"manifest\.json"):
        Store(out).runs()


# ------------------------------------------------------------ killed Dask workers
def executing(dask_worker) -> tuple[int, list[str]]:
    """(pid, keys of the tasks it is running) of a Dask worker (for ``client.run``)."""
    return os.getpid(), [str(ts.key) for ts in dask_worker.state.executing]


def times_in_state(dask_scheduler, key: str, state: str) -> int:
    """How often the scheduler moved task ``key`` to ``state`` (for ``client.run_on_scheduler``)."""
    return sum(t[2] == state for t in dask_scheduler.story(key))


def shared_scenario_made(dask_scheduler) -> int:
    """How often the scheduler held a computed shared object (``executors._value``)."""
    log = dask_scheduler.transition_log
    return sum(str(t[0]).startswith("_value-") and t[2] == "memory" for t in log)


@pytest.mark.heavy
def test_dask_workers_killed_mid_run_are_survived(tmp_path: Path) -> None:
    """SIGKILL one worker while it runs a task, later every worker at once: same table.

    The first kill loses a running task (the scheduler runs it again on the
    other worker); the second also loses every copy of the shared scenario
    (made again, as it is a task's result). The table equals that of local
    processes, ``attempt`` included: no run was recorded as failed.
    """
    from distributed import Client, LocalCluster

    spec_path = write_spec(tmp_path, spec_text("lhs", samples=50, households=2000, steps=24))
    sweep(spec_path, tmp_path / "reference", ExecutorConfig(workers=2))
    expected = table(tmp_path / "reference")

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    )
    client = Client(cluster)
    try:
        out = tmp_path / "dask"
        result: dict = {}

        def run() -> None:
            config = ExecutorConfig(scheduler=cluster.scheduler_address)
            try:
                result["outcome"] = sweep(spec_path, out, config, chunk=6, flush_seconds=0.0)
            except BaseException as exc:  # reported by the main thread
                result["error"] = exc

        thread = threading.Thread(target=run, daemon=True)
        thread.start()

        def wait_until_busy(done_before: int) -> int:
            """Wait until more runs are done and a worker runs a task; return the runs done."""
            deadline = time.monotonic() + 60
            while True:
                assert thread.is_alive() and time.monotonic() < deadline, "no moment to kill"
                done = done_runs(out)
                if done > done_before:
                    state = client.run(executing, on_error="ignore")
                    if any(keys for _, keys in state.values()):
                        return done
                time.sleep(0.01)

        done_first = wait_until_busy(0)
        pid, keys = next(v for v in client.run(executing).values() if v[1])
        os.kill(pid, signal.SIGKILL)  # one worker, while it runs a task
        done_second = wait_until_busy(done_first)
        for other in client.run(os.getpid, on_error="ignore").values():
            os.kill(other, signal.SIGKILL)  # every worker up now
        thread.join(timeout=120)
        assert not thread.is_alive(), "the sweep did not finish after the kills"
        assert "error" not in result, result.get("error")
        outcome = result["outcome"]
        assert 0 < done_first < done_second < outcome.total  # both kills were mid-sweep
        assert outcome.ok == outcome.total and outcome.failed == 0

        # the task the first victim ran was scheduled again; the scenario was made twice
        assert client.run_on_scheduler(times_in_state, key=keys[0], state="processing") >= 2
        assert client.run_on_scheduler(shared_scenario_made) >= 2
        assert pid not in client.run(os.getpid).values()
    finally:
        client.close()
        cluster.close()
    assert Store(out).read_attempts().num_rows == outcome.total  # no failed attempt
    pd.testing.assert_frame_equal(table(out), expected)


# ------------------------------------------------- kill -9 while writing the analysis
REWRITE = """
import sys
from pathlib import Path
from returnsim.experiments import analysis, report

while True:  # until killed
    analysis.write(Path(sys.argv[1]))
    report.write(Path(sys.argv[1]))
"""


def snapshot(out: Path) -> dict[str, bytes]:
    """The visible analysis files and report of ``out``, by relative path."""
    files = [out / "report.html"] if (out / "report.html").exists() else []
    if (out / "analysis").is_dir():
        files += sorted((out / "analysis").iterdir())
    return {str(p.relative_to(out)): p.read_bytes() for p in files}


@pytest.mark.heavy
def test_kill_9_while_writing_the_analysis_leaves_the_old_or_the_new(tmp_path: Path) -> None:
    """analysis/ and report.html are replaced whole: after any kill each is complete."""
    from returnsim.experiments import analysis, report

    spec_path = write_spec(tmp_path, spec_text("sobol", samples=4, households=200, steps=6))
    out = tmp_path / "out"
    sweep(spec_path, out)
    analysis.write(out)
    report.write(out)
    expected = snapshot(out)
    assert len(expected) > 5 and "analysis/analysis.json" in expected
    script = tmp_path / "rewrite.py"
    script.write_text(REWRITE)

    rng = random.Random(7)
    caught_writing = 0
    for i in range(5):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(out)],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            if i % 2:  # as soon as a new analysis folder is being written
                deadline = time.monotonic() + 30
                while proc.poll() is None and time.monotonic() < deadline:
                    if list(out.glob(".analysis.tmp-*")):
                        break
                    time.sleep(0.002)
            else:
                time.sleep(rng.uniform(0.5, 4.0))
            assert proc.poll() is None, "the rewriting loop stopped"
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        caught_writing += bool(list(out.glob(".analysis.tmp-*")))
        assert snapshot(out) == expected, f"kill {i}"
    assert caught_writing >= 1  # at least one kill hit a half-written analysis folder


# ------------------------------------------------------------------ long sweeps
#: One run in a fresh interpreter, after a first run (imports, caches). Everything
#: that exists before the measured run is frozen out of the collector's sight and
#: the collector is off during the run, so what a collection then finds (saved in
#: gc.garbage to be named) is what the run itself left in reference cycles.
GARBAGE = """
import gc, json, sys
from collections import Counter

from returnsim.experiments import runs
from returnsim.scenario import load

small = load(sys.argv[1], {"households.count": 300, "scenario.months": 6})
runs.simulate(small, {}, 1)
while gc.collect():
    pass
gc.freeze()
gc.disable()
summary, spec, _ = runs.simulate(small, {"conflict.intensity": 1.5}, 2)
gc.set_debug(gc.DEBUG_SAVEALL)
found = gc.collect()
kinds = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage)
print(json.dumps({
    "found": found,
    "kinds": kinds.most_common(15),
    "ever_displaced": summary["ever_displaced"],
    "intensity": spec["conflict.intensity"],
}))
"""


def test_a_finished_run_leaves_no_garbage_for_the_collector(tmp_path: Path) -> None:
    """A worker's runs are freed as they end, not at a full garbage collection (bench_soak.py).

    The model sits in reference cycles; left to the collector, thousands of
    finished models could pile up in a worker between two full collections.
    Measured in a fresh process (GARBAGE), as a worker is one: in this one,
    what earlier tests left running (a Dask client's threads, say) makes
    garbage of its own at any time.
    """
    import returnsim

    source = str(Path(returnsim.__file__).parents[1])  # the returnsim under test
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", GARBAGE, str(BASELINE)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    row = json.loads(done.stdout.splitlines()[-1])
    assert row["found"] == 0, row  # nothing unreachable was left in cycles
    assert row["ever_displaced"] > 0 and row["intensity"] == 1.5  # the run did run
