"""Run folders written atomically, and the provenance record ``run.json``.

A run folder is built in a hidden temporary sibling of its destination and
renamed onto it only when every file is written (and synced to disk), so a
reader never sees a half-written run, and a failed run leaves nothing
behind (nor does it touch an older run in the same place). An older folder
is swapped out in one step where the system can (Linux ``renameat2``), so
even ``kill -9`` at that moment leaves the old folder or the new one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata
import json
import math
import os
import platform
import secrets
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from returnsim import version
from returnsim.errors import InputError

if TYPE_CHECKING:
    from returnsim.model import ReturnModel

#: Distributions whose versions a run records.
#: Distributions whose versions every result records (one list for runs, sweeps and fits).
DEPENDENCIES = (
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "SALib",
    "pyarrow",
    "duckdb",
    "dask",
    "distributed",
)

#: A folder holding this file is a run folder and may be replaced by a new run.
MARKER = "run.json"


def check_destination(out_dir: str | Path, *, option: str = "--out") -> Path:
    """Refuse a destination that is a file, or a folder that is neither empty nor a run folder.

    Replacing an arbitrary folder (``--out .``) would delete the user's files.
    """
    path = Path(out_dir)
    if path.exists() or path.is_symlink():
        if not path.is_dir():
            raise InputError(f"{option} {path}: exists and is not a folder (give a folder path)")
        if any(path.iterdir()) and not (path / MARKER).is_file():
            raise InputError(
                f"{option} {path}: folder exists and is not a returnsim run folder "
                f"(no {MARKER}); give a new or empty folder, or a previous run's folder"
            )
    return path


@contextlib.contextmanager
def atomic_dir(out_dir: str | Path) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``out_dir``, on error it vanishes.

    Parent folders created for the run are removed again if the run fails.
    """
    target = Path(out_dir).absolute()
    created = _make_parents(target.parent)
    try:
        tmp = _fresh_dir(target, "tmp")
        tmp.mkdir()
    except BaseException:
        _remove_empty(created)
        raise
    try:
        yield tmp
        _sync_tree(tmp)
        _replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_empty(created)
        raise


def _fresh_dir(target: Path, tag: str) -> Path:
    """An unused hidden sibling name of ``target`` (created by the caller, with umask rights)."""
    while True:
        path = target.with_name(f".{target.name}.{tag}-{secrets.token_hex(4)}")
        if not (path.exists() or path.is_symlink()):
            return path


def _make_parents(parent: Path) -> list[Path]:
    """Create ``parent`` and its missing ancestors; return those created, outermost first."""
    missing = []
    p = parent
    while not p.exists():
        missing.append(p)
        p = p.parent
    missing.reverse()
    for p in missing:
        p.mkdir()
    return missing


def _remove_empty(created: list[Path]) -> None:
    for p in reversed(created):
        with contextlib.suppress(OSError):
            p.rmdir()


def _sync_tree(folder: Path) -> None:
    """fsync every file under ``folder``, then the folders themselves (best effort)."""
    folders = [folder]
    for path in folder.rglob("*"):
        if path.is_symlink():
            continue
        if path.is_dir():
            folders.append(path)
        elif path.is_file():
            with contextlib.suppress(OSError), open(path, "rb") as f:
                os.fsync(f.fileno())
    for path in folders:
        fsync_dir(path)


def fsync_dir(folder: Path) -> None:
    """Make the renames in ``folder`` durable (best effort: not every system syncs a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p] * 2 + [ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (38, 22, 95):  # ENOSYS, EINVAL, EOPNOTSUPP: this kernel or file system cannot
        return False
    raise OSError(errno, os.strerror(errno), str(b))


def _replace(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` onto ``target``, swapping an older ``target`` out (atomically if possible)."""
    old = None
    if target.exists() or target.is_symlink():
        if _exchange(tmp, target):
            old = tmp  # now holds the older folder
            fsync_dir(target.parent)
        else:
            old = _fresh_dir(target, "old")
            target.rename(old)
    if old is not tmp:
        try:
            tmp.rename(target)
        except BaseException:
            if old is not None:
                old.rename(target)
            raise
        fsync_dir(target.parent)
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink()


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON; NaN or infinity is an error (use null)."""
    text = json.dumps(data, indent=2, allow_nan=False, default=_plain)
    path.write_text(text + "\n", encoding="utf-8")


def _plain(x: Any) -> Any:
    """NumPy scalars and paths to JSON values."""
    if hasattr(x, "item"):
        value = x.item()
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"non-finite number {value} in JSON output")
        return value
    if isinstance(x, Path):
        return str(x)
    raise TypeError(f"{type(x).__name__} is not JSON-serializable")


def git_revision(directory: str | Path | None = None) -> dict[str, Any]:
    """Commit of the git checkout holding ``directory`` (default: this package's source).

    ``{"commit": sha, "dirty": bool}`` where dirty means tracked files differ
    from the commit; ``{"commit": "unknown", "dirty": None}`` when the source
    is not in a git checkout (e.g. installed from a wheel) or git is missing.
    """
    where = Path(directory) if directory else Path(version.__file__).resolve().parent
    unknown: dict[str, Any] = {"commit": "unknown", "dirty": None}

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=where,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    # The package must be tracked there: an installed copy inside some other
    # repository's folder (a venv in a checkout) must not report that commit.
    if directory is None and git("ls-files", "--error-unmatch", "__init__.py") is None:
        return unknown
    commit = git("rev-parse", "HEAD")
    if not commit:
        return unknown
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def dependency_versions(names: Sequence[str] = DEPENDENCIES) -> dict[str, str]:
    """Installed versions of ``names`` ("not installed" where missing)."""
    out = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def provenance(argv: Sequence[str]) -> dict[str, Any]:
    """Code, environment and command of this invocation: what every result records so it can
    be reproduced and trusted (a run folder, a sweep's manifest, a calibration)."""
    return {
        "returnsim": version.__version__,
        "model_digest": version.model_digest(),
        "git": git_revision(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "dependencies": dependency_versions(),
        "argv": list(argv),
        "command": shlex.join(["returnsim", *argv]),
        "cwd": os.getcwd(),
        "executable": sys.executable,
        "utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def run_provenance(model: ReturnModel, argv: Sequence[str], wall_seconds: float) -> dict[str, Any]:
    """A run's ``run.json``: its inputs (seed, scenario, size) and :func:`provenance`."""
    spec = model.spec
    return {
        "seed": int(model.seed),
        "scenario": {
            "name": spec.name,
            "source": spec.source,
            "digest": spec.digest(),
            "overrides": spec.overrides,
        },
        "engine": model.p.scenario.engine,
        "months": int(model.steps),
        "households": int(model.pop.n),
        **provenance(argv),
        "wall_seconds": round(float(wall_seconds), 3),
    }


def person_table(months: Sequence[int], stocks: Sequence[Any]) -> dict[str, list]:
    """The tidy long table of persons by month, group and status (``groups.csv``).

    ``stocks``: per month, ``Tally.persons_by_group`` (status x group). Columns:
    ``month``, ``group`` (``households.PERSON_GROUPS``), ``status``, ``persons``.
    """
    from returnsim.households import PERSON_GROUPS, Status

    table: dict[str, list] = {"month": [], "group": [], "status": [], "persons": []}
    for month, stock in zip(months, stocks, strict=True):
        for st in Status:
            for j, group in enumerate(PERSON_GROUPS):
                table["month"].append(int(month))
                table["group"].append(group)
                table["status"].append(st.name.lower())
                table["persons"].append(round(float(stock[st, j])))
    return table


def write_run(
    folder: Path, model: Any, summary: dict[str, Any], provenance: dict[str, Any], plot: bool
) -> list[str]:
    """Write every file of a run into ``folder``; return their names."""
    import pandas as pd

    from returnsim import plots

    ts = model.datacollector.get_model_vars_dataframe()
    ts.to_csv(folder / "timeseries.csv", index=False)
    pd.DataFrame(person_table(ts["month"], model.persons_by_group)).to_csv(
        folder / "groups.csv", index=False
    )
    write_json(folder / "summary.json", summary)
    write_json(folder / "run.json", provenance)
    names = ["timeseries.csv", "groups.csv", "summary.json", "run.json"]
    kw = {"title": model.spec.name, "start_year": model.p.scenario.start_year}
    figures = {"stocks.png": plots.stocks}
    if plot:
        figures |= {
            "flows.png": plots.flows,
            "conditions.png": plots.conditions,
            "reintegration.png": partial(plots.reintegration, summary=summary),
            "spending.png": partial(plots.spending, covers=model.budget.covers),
        }
    for name, draw in figures.items():
        plots.save(draw(ts, **kw), folder / name)
        names.append(name)
    return names
