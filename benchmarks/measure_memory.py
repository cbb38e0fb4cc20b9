"""Estimated and measured peak memory of one run, as JSON (calibrates returnsim.limits).

    python benchmarks/measure_memory.py [SCENARIO] [--households N] [--months M] [--engine E]

Run it in a fresh process: memory freed earlier in a process is reused and hides the rise.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from returnsim.limits import PER_HOUSEHOLD, Size, estimate


def _rss(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def measure(spec: Any) -> dict[str, Any]:
    """Run ``spec`` as ``returnsim run`` does (stocks.png only) and return the estimate and the rise
    of the peak RSS (Linux: VmHWM after resetting it; else ``ru_maxrss``, which cannot reset).

    Call it in a fresh process: memory freed earlier in the process is reused and hides the rise.
    """
    import gc
    import tempfile

    from returnsim import outcomes
    from returnsim.model import ReturnModel
    from returnsim.output import write_run

    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")
        before, field = _rss("VmRSS"), "VmHWM"
    except OSError:
        before, field = None, None
    if before is None:
        import resource

        scale = 1 if sys.platform == "darwin" else 1024
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    model = ReturnModel(spec)
    model.run()
    summary = outcomes.summarize(model)
    with tempfile.TemporaryDirectory() as tmp:
        write_run(Path(tmp), model, summary, {}, False)
    if field:
        peak = _rss(field) or 0
    else:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    size = Size.of(spec)
    return {
        "households": size.households,
        "months": size.months,
        "places": size.places,
        "engine": size.engine,
        "estimate_bytes": estimate(size),
        "measured_bytes": peak - before,
    }


def main(argv: list[str] | None = None) -> None:
    """Print the estimate and the measured peak RSS rise of one run as JSON (see the module doc)."""
    from returnsim.scenario import load

    ap = argparse.ArgumentParser(description="Estimated and measured peak memory of one run.")
    ap.add_argument("scenario", nargs="?", default="scenarios/baseline.toml")
    ap.add_argument("--households", type=int, default=500_000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--engine", default="arrays", choices=sorted(PER_HOUSEHOLD))
    args = ap.parse_args(argv)
    import pandas  # noqa: F401  (imported before measuring, as by `returnsim run`)

    from returnsim import plots  # noqa: F401

    spec = load(
        args.scenario,
        {
            "households.count": args.households,
            "scenario.months": args.months,
            "scenario.engine": args.engine,
        },
    )
    print(json.dumps(measure(spec)))


if __name__ == "__main__":
    main(sys.argv[1:])
