"""Memory limits: a run too large for this machine is refused before it allocates anything.

:func:`estimate` is the peak memory a run adds to the process that runs it,
from the scenario: households x a cost per household that depends on the
engine, plus months (time series and figures), places (the road-distance
matrix) and a fixed part (the output files and ``stocks.png``).
:func:`available` is what the operating system can still give:
``MemAvailable`` of ``/proc/meminfo``, lowered to the room left under a
cgroup memory limit when one is set (cgroup v2 ``memory.max`` minus
``memory.current``, or v1 ``memory.limit_in_bytes`` minus
``memory.usage_in_bytes``, reclaimable page cache counted as free); on
other systems ``psutil.virtual_memory().available``; when nothing is known,
runs are not checked. The environment variable ``RETURNSIM_MEMORY_AVAILABLE``
(bytes, or with a decimal K, M, G or T suffix: ``4e9``, ``512M``) replaces the
measured value, for tests and for a machine shared with other jobs.

:func:`check` refuses, with one :class:`InputError` line naming the key, the
estimate, what is available and the largest size that would fit, a run whose
estimate exceeds :data:`MARGIN` of what is available. Several runs side by
side (the workers of a sweep) need their number times one run plus
:data:`PER_WORKER` each (:func:`check_plan`).

The constants were measured on Linux (x86-64, Python 3.12, numpy 2) with
``python benchmarks/measure_memory.py [--households N] [--months N]
[--engine E] [SCENARIO]``, which runs a scenario in a fresh
process and reports the rise of the peak resident set size (VmHWM, reset
through ``/proc/self/clear_refs`` after the imports) over building the model,
running it, ``outcomes.summarize`` and writing the run folder: RSS is what
the OS refuses. For the "arrays" engine the rise was 254, 253, 251 and 244
bytes per household at 0.5, 1, 2 and 4 million households of
``scenarios/baseline.toml`` (258 for ``full_response``, every lever on; 247
for ``drc_kivu``); the run itself peaks at about 120 bytes per household
(tracemalloc agrees: 237 MB against 253 MB of RSS at one million), and the
end-of-run summary (reintegration indicators of every household) doubles it.
For the "agents" engine (one ``mesa.Agent`` per household) it was about
1,550-1,630 bytes per household at 50,000 and 150,000 households. A month
adds about 2 KB of time series, 20 KB with ``--plot`` (figures of long
series); the fixed part is about 20 MB (30 MB with ``--plot``). A local
worker process, forked from the preloaded fork server, holds about 40 MB of
its own (proportional set size) before its first run.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from returnsim.errors import InputError

ENV = "RETURNSIM_MEMORY_AVAILABLE"

#: Peak bytes a household adds, by engine (run, summary and output included).
PER_HOUSEHOLD = {"arrays": 260, "agents": 1_650}
#: Bytes a simulated month adds (time series rows, the data frame, figures).
PER_MONTH = 20_000
#: Bytes per pair of places (distance matrix and its shortest-path work arrays).
PER_PLACE_PAIR = 32
#: Bytes of any run whatever its size (output files, figures).
FIXED = 40_000_000
#: Bytes of each worker process of a sweep beyond its run.
PER_WORKER = 50_000_000
#: Share of the available memory a run (or the runs of a sweep together) may use.
MARGIN = 0.9

_UNITS = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}


@dataclass(frozen=True)
class Size:
    """What the memory of a run depends on."""

    households: int
    months: int
    places: int
    engine: str = "arrays"

    @classmethod
    def of(cls, spec: Any, overrides: Mapping[str, Any] | None = None) -> Size:
        """The size of a scenario (a :class:`Scenario`), with dotted-key ``overrides`` on top."""
        ov = overrides or {}

        def value(key: str) -> Any:
            return ov[key] if key in ov else spec[key]

        return cls(
            households=int(value("households.count")),
            months=int(value("scenario.months")),
            places=len(spec.places),
            engine=str(value("scenario.engine")),
        )


def estimate(size: Size) -> int:
    """Peak bytes one run of ``size`` adds to the process running it."""
    per = PER_HOUSEHOLD.get(size.engine, max(PER_HOUSEHOLD.values()))
    return int(
        FIXED
        + per * size.households
        + PER_MONTH * (size.months + 1)
        + PER_PLACE_PAIR * size.places**2
    )


def max_households(size: Size, budget: float) -> int:
    """Most households a run of ``size`` (otherwise) may have within ``budget`` bytes."""
    per = PER_HOUSEHOLD.get(size.engine, max(PER_HOUSEHOLD.values()))
    return max(0, math.floor((budget - estimate(Size(0, size.months, size.places))) / per))


# ------------------------------------------------------------------ available
def parse_bytes(text: str) -> int:
    """``4e9``, ``4000000000``, ``512M`` or ``3.5G`` as bytes (K, M, G, T: 1e3 ... 1e12)."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([KMGT]?)i?B?\s*", text, re.I)
    if not m or not math.isfinite(float(m.group(1))):
        raise InputError(f"{ENV} = {text!r}: expected a number of bytes, e.g. 4e9, 512M or 3.5G")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _stat(path: Path, key: str) -> int:
    try:
        for line in path.read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == key and value.strip().isdigit():
                return int(value)
    except OSError:
        pass
    return 0


def meminfo_available(proc: Path = Path("/proc")) -> int | None:
    """``MemAvailable`` of ``/proc/meminfo`` in bytes, or None when there is none."""
    try:
        for line in (proc / "meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def cgroup_room(proc: Path = Path("/proc"), root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """Bytes left under the tightest cgroup memory limit of this process, or None if unlimited."""
    try:
        lines = (proc / "self" / "cgroup").read_text().splitlines()
    except OSError:
        lines = []
    rooms = []
    for line in lines:
        _, controllers, path = [*line.split(":", 2), "", ""][:3]
        if controllers == "":  # v2: limits may sit on this group or any parent
            files = ("memory.max", "memory.current", "memory.stat", "inactive_file")
            base = root
        elif "memory" in controllers.split(","):  # v1
            files = (
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
                "memory.stat",
                "total_inactive_file",
            )
            base = root / "memory"
        else:
            continue
        rel = Path(path.strip().lstrip("/"))
        # In a container the group's path is often not visible: fall back to the root group.
        dirs = [base / rel, *(base / p for p in rel.parents)] if str(rel) != "." else [base]
        for d in dict.fromkeys(dirs):
            limit = _read_int(d / files[0])
            if limit is None or limit >= 2**62:  # "max", absent, or v1's "no limit"
                continue
            used = _read_int(d / files[1]) or 0
            cache = _stat(d / files[2], files[3])
            rooms.append(max(0, limit - max(0, used - cache)))
    return min(rooms) if rooms else None


def available() -> tuple[int | None, str]:
    """Bytes of memory this process may still allocate, and where the figure comes from."""
    text = os.environ.get(ENV)
    if text is not None and text.strip():
        return parse_bytes(text), ENV
    room, where = meminfo_available(), "MemAvailable"
    if room is None:
        try:
            import psutil

            room, where = int(psutil.virtual_memory().available), "psutil"
        except (ImportError, AttributeError, OSError, RuntimeError):
            room = None
    cg = cgroup_room() if sys.platform.startswith("linux") else None
    if cg is not None and (room is None or cg < room):
        room, where = cg, "cgroup limit"
    return room, where


# ---------------------------------------------------------------------- check
def human(nbytes: float) -> str:
    """``5.6 GB``, ``310 MB`` (decimal units)."""
    if nbytes >= 1e9:
        return f"{nbytes / 1e9:.1f} GB"
    return f"{max(nbytes, 0) / 1e6:.0f} MB"


def _round_down(n: int) -> int:
    """``n`` rounded down to two significant figures."""
    if n < 100:
        return n
    step = 10 ** (len(str(n)) - 2)
    return n // step * step


def check(
    spec: Any,
    overrides: Mapping[str, Any] | None = None,
    *,
    runs: int = 1,
    per_run_extra: int = 0,
    lower: str = "households.count",
) -> None:
    """Raise InputError when ``runs`` runs of ``spec`` side by side would not fit in memory.

    ``per_run_extra``: bytes each run needs beyond the run itself (a worker
    process); ``lower``: what to tell the user to lower (an option or key).
    """
    room, _where = available()
    if room is None:
        return
    size = Size.of(spec, overrides)
    one = estimate(size) + per_run_extra
    need = runs * one
    budget = MARGIN * room
    if need <= budget:
        return
    fits = max_households(size, budget / runs - per_run_extra)
    if runs > 1:
        what = f"{runs} runs side by side need about {human(need)} of memory ({human(one)} each)"
        per = " per run"
        advice = f"lower {lower}, use fewer workers or a larger machine"
    else:
        what = f"this run needs about {human(need)} of memory"
        per, advice = "", f"lower {lower} or use a larger machine"
    if fits >= 1:
        allowed = f"allowed here: at most about {_round_down(fits):,} households{per}; "
    else:
        allowed = "not even one household fits; "
    raise InputError(
        f"households.count = {size.households:,}: {what} and {human(room)} is available "
        f"({allowed}{advice})"
    )


def check_plan(plan: Any, config: Any) -> None:
    """Refuse an experiment plan whose largest run, times the runs side by side, would not fit.

    Runs side by side: the local workers (or the Dask LocalCluster's), at
    most the number of distinct runs; none are checked on a remote scheduler.
    """
    if getattr(config, "scheduler", None):
        return
    if getattr(config, "dask_local", None):
        workers = int(config.dask_local)
    else:
        workers = int(config.resolved_workers())
    side_by_side = max(1, min(workers, len(plan.unique_runs())))
    base = plan.spec.base
    largest = max(
        (dict(p) for p in plan.points),
        key=lambda p: estimate(Size.of(base, p)),
        default={},
    )
    check(
        base,
        largest,
        runs=side_by_side,
        per_run_extra=PER_WORKER if workers > 0 else 0,
        lower="households in the spec",
    )
