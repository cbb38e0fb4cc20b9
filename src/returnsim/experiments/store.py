"""Experiment folders: append-only Parquet parts, a manifest, and DuckDB views over them.

An experiment folder holds::

    manifest.json      what this folder is: spec (text and hash), provenance, columns, status
    design.parquet     one row per design point: point, label, parameter values, unit coordinates
    plan.parquet       one row per (point, replicate): seed and run key
    parts/part-*.parquet   finished attempts, one row each (ok or failed)
    series/part-*.parquet  the kept time series of ok runs, long: run_key, month, variable, value
    analysis/          tables and figures of ``returnsim analyze``
    report.html        ``returnsim report``

Parts are only ever added: each is written to a hidden temporary file and
renamed into place (``os.replace``), so a reader sees a whole part or none,
even after ``kill -9``; the manifest, design and plan are written the same
way. A part that cannot be read or does not hold the manifest's columns (a
damaged disk, a copy cut short, a stray file) is set aside as ``*.corrupt``
and its runs are done again. A damaged manifest stops with one line. The
same run key may appear in several parts (a failed attempt, then a
successful retry); the ``runs`` view keeps one row per key: the successful
attempt if there is one, else the latest.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from returnsim.errors import InputError
from returnsim.output import fsync_dir

#: warnings about the folder (the command line prints them as ``returnsim: warning: ...``)
log = logging.getLogger("returnsim")

MANIFEST = "manifest.json"
DESIGN = "design.parquet"
PLAN = "plan.parquet"
PARTS = "parts"
SERIES = "series"
#: Arrow schema of the long time-series parts.
SERIES_SCHEMA = pa.schema(
    [
        ("run_key", pa.string()),
        ("month", pa.int64()),
        ("variable", pa.string()),
        ("value", pa.float64()),
    ]
)
LOCK = ".lock"

#: Top-level keys every manifest has (sweep.new_manifest writes them); the commands read them.
MANIFEST_KEYS = (
    "format", "kind", "spec", "scenario", "seed", "replicates", "seeds", "design",
    "parameters", "metrics", "mixes", "compare", "columns", "invocations", "status",
)  # fmt: skip

#: Arrow types by the names used in the manifest's column list.
TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int64": pa.int64(),
    "double": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("ms", tz="UTC"),
}

#: SQL that keeps one row per run key: the successful attempt, else the latest.
RUNS_SQL = """
SELECT * EXCLUDE (_rank) FROM (
    SELECT *, row_number() OVER (
        PARTITION BY run_key ORDER BY (status = 'ok') DESC, finished DESC, attempt DESC
    ) AS _rank
    FROM attempts
) WHERE _rank = 1
"""


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a synced temporary sibling and a rename."""
    tmp = path.with_name(f".tmp-{secrets.token_hex(6)}-{path.name}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


#: Advice after a damaged manifest, design or plan.
DAMAGED = "; restore it from a copy, or give a new folder"

#: JSON types of the manifest fields the runner itself reads.
REQUIRED = {"format": str, "kind": str, "spec": dict, "columns": dict, "invocations": list}
JSON_NAMES = {str: "string", dict: "object", list: "array"}


def _manifest_problem(data: Any) -> str | None:
    """What is wrong with a parsed manifest, or None."""
    if not isinstance(data, dict):
        return "not a JSON object"
    missing = [k for k in MANIFEST_KEYS if k not in data]
    if missing:
        return f"no {', '.join(missing)}"
    for key, kind in REQUIRED.items():
        if not isinstance(data[key], kind):
            return f"'{key}' is not a JSON {JSON_NAMES[kind]}"
    if not data["format"].startswith("returnsim-experiment/"):
        return f"format {data['format']!r}"
    bad = [f"{k}: {v!r}" for k, v in data["columns"].items() if v not in TYPES]
    if bad or "run_key" not in data["columns"] or "status" not in data["columns"]:
        return f"bad column list ({', '.join(bad) or 'no run_key or status'})"
    return None


def frame(relation: Any) -> Any:
    """A DuckDB result as a pandas DataFrame (through Arrow)."""
    fetch = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    return fetch().to_pandas()


def schema_of(columns: dict[str, str]) -> pa.Schema:
    """Arrow schema from ``{column: type name}`` (see :data:`TYPES`)."""
    return pa.schema([(name, TYPES[kind]) for name, kind in columns.items()])


class Store:
    """One experiment folder (see the module docstring)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.parts = self.root / PARTS
        self.series_parts = self.root / SERIES

    # ------------------------------------------------------------ manifest
    def is_experiment(self) -> bool:
        """True when the folder holds a manifest."""
        return (self.root / MANIFEST).is_file()

    def manifest(self) -> dict[str, Any]:
        """The manifest, or InputError if the folder is not an experiment folder."""
        path = self.root / MANIFEST
        if not path.is_file():
            raise InputError(
                f"{self.root}: not an experiment folder (no {MANIFEST}; "
                "create one with `returnsim sweep SPEC --out DIR` or `returnsim compare`)"
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            what = _brief(exc)
            raise InputError(f"{path}: cannot be read ({what}){DAMAGED}") from None
        problem = _manifest_problem(data)
        if problem:
            raise InputError(
                f"{path}: not a manifest written by returnsim sweep ({problem}){DAMAGED}"
            )
        return data

    def write_manifest(self, data: dict[str, Any]) -> None:
        """Replace the manifest atomically."""
        text = json.dumps(data, indent=2, sort_keys=False, default=str) + "\n"
        write_atomic(self.root / MANIFEST, text.encode())

    def schema(self) -> pa.Schema:
        """Arrow schema of a row, from the manifest."""
        return schema_of(self.manifest()["columns"])

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder's write lock (released by the OS even after kill -9)."""
        fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError(
                    f"{self.root}: another sweep is writing to this folder "
                    "(wait for it to finish, or give another --out)"
                ) from None
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            yield
        finally:
            os.close(fd)

    # --------------------------------------------------------------- parts
    def append(self, table: pa.Table, *, folder: Path | None = None) -> Path:
        """Add one part with the rows of ``table`` (to ``parts/``, or ``folder``); its path."""
        folder = self.parts if folder is None else folder
        folder.mkdir(parents=True, exist_ok=True)
        name = f"part-{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(3)}.parquet"
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        write_atomic(folder / name, sink.getvalue().to_pybytes())
        return folder / name

    def append_series(self, table: pa.Table) -> Path:
        """Add one part of kept time series (written before the attempts that hold its runs,
        so an ok run always has its series)."""
        return self.append(table.cast(SERIES_SCHEMA), folder=self.series_parts)

    def read_series(self) -> pa.Table:
        """The kept time series (long), one row per run key, month and variable.

        A run redone after a crash between its two parts was written twice with the same
        numbers (same key, same computation); duplicates are dropped. A damaged part is
        skipped with a warning (its runs then lack series).
        """
        tables = []
        folder = self.series_parts
        for path in sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []:
            try:
                tables.append(pq.read_table(path).select(SERIES_SCHEMA.names).cast(SERIES_SCHEMA))
            except (OSError, pa.ArrowException, KeyError, ValueError) as exc:
                log.warning(f"{path} is damaged ({_brief(exc)}); skipped")
        if not tables:
            return SERIES_SCHEMA.empty_table()
        table = pa.concat_tables(tables)
        return (
            table.group_by(["run_key", "month", "variable"])
            .aggregate([("value", "max")])
            .rename_columns(SERIES_SCHEMA.names)
        )

    def part_files(self) -> list[Path]:
        """Finished parts, oldest first (temporary and set-aside files excluded)."""
        if not self.parts.is_dir():
            return []
        return sorted(p for p in self.parts.glob("part-*.parquet") if p.is_file())

    def clean_temporary(self) -> None:
        """Remove temporary files left by a writer that was killed (writers only)."""
        for folder in (self.root, self.parts, self.series_parts):
            if folder.is_dir():
                for tmp in folder.glob(".tmp-*"):
                    with contextlib.suppress(OSError):
                        tmp.unlink()

    def read_attempts(self, *, set_aside: bool = False) -> pa.Table:
        """Every recorded attempt, from every readable part.

        A part that cannot be read is skipped with a warning; with
        ``set_aside`` (a writer holding the lock) it is renamed ``*.corrupt``
        so that its runs are redone and it is not read again.
        """
        schema = self.schema()
        tables = []
        for path in self.part_files():
            try:
                tables.append(_checked_part(pq.read_table(path), schema))
            except (OSError, pa.ArrowException, KeyError, ValueError) as exc:
                what = _brief(exc)
                if set_aside:
                    path.rename(path.with_name(path.name + ".corrupt"))
                    log.warning(
                        f"{path} is damaged ({what}); "
                        "set aside as .corrupt, its runs will be redone"
                    )
                else:
                    log.warning(f"{path} is damaged ({what}); skipped")
        if not tables:
            return schema.empty_table()
        return pa.concat_tables(tables)

    # ------------------------------------------------------------- reading
    def read_design(self) -> pa.Table:
        """Design points (one row per point); InputError if the file is missing or damaged."""
        return self._read_table(DESIGN)

    def read_plan(self) -> pa.Table:
        """Planned runs (one row per point and replicate); InputError if missing or damaged."""
        return self._read_table(PLAN)

    def _read_table(self, name: str) -> pa.Table:
        path = self.root / name
        try:
            return pq.read_table(path)
        except (OSError, pa.ArrowException) as exc:
            what = _brief(exc)
            hint = " (rerun the sweep command to write it again)"
            raise InputError(f"{path}: cannot be read ({what}){hint}") from None

    def connect(self, attempts: pa.Table | None = None) -> Any:
        """A DuckDB connection with views ``runs``, ``attempts``, ``plan``, ``design``, ``series``.

        ``runs`` has one row per run key (see :data:`RUNS_SQL`); ``attempts``
        every recorded attempt; ``plan`` one row per point and replicate;
        ``design`` one row per point; ``series`` the kept time series (run_key, month,
        variable, value).
        """
        import duckdb

        con = duckdb.connect(":memory:")
        table = self.read_attempts() if attempts is None else attempts
        con.register("attempts", table)
        con.execute(f"CREATE VIEW runs AS {RUNS_SQL}")
        con.register("plan", self.read_plan())
        con.register("design", self.read_design())
        con.register("series", self.read_series())
        return con

    def runs(self) -> Any:
        """One row per run key (a pandas DataFrame), in plan order."""
        con = self.connect()
        return frame(con.sql("SELECT * FROM runs ORDER BY point, replicate, run_key"))


def _brief(exc: BaseException) -> str:
    """An exception's message on one line, cut to 200 characters (for a warning or error)."""
    return " ".join(str(exc).split())[:200]


def _string_like(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def _checked_part(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The part's rows in ``schema``; ValueError/KeyError unless it holds runner rows."""
    table = table.select(schema.names)  # KeyError: a column is missing
    for want, have in zip(schema, table.schema, strict=True):
        if have.type != want.type and not (_string_like(have.type) and _string_like(want.type)):
            raise ValueError(f"column {want.name!r} is {have.type}, not {want.type}")
    if table.column("run_key").null_count:
        raise ValueError("a row without run_key")
    table = table.cast(schema)
    status = set(table.column("status").to_pylist())
    if not status <= {"ok", "failed"}:
        raise ValueError(f"status {sorted(map(str, status - {'ok', 'failed'}))}")
    return table
