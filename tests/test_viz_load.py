"""The workshop server under a small load: 4 browser sessions stepping at once on 127.0.0.1.

Runs benchmarks/load_server.py with a fixed amount of work (one Chromium, a
context per session, 2,000 households each): every session makes 2 Steps,
then half the pages are closed while the others make 2 more, and the closed
pages' models must be dropped. Skipped, with the reason, when
/usr/bin/chromium is absent (CI installs it). Nothing here depends on how
fast the machine is: speed (Steps per minute, latency) is what ``make
bench-load`` measures and prints, 20 sessions stepping for a minute.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from test_viz_browser import need_chromium

REPO = Path(__file__).absolute().parents[1]
SESSIONS = 4
#: Steps each session makes before half the pages close (the others then make as many again).
STEPS = 2
#: Generous bounds: the server's RSS at its peak, and its growth over the second half.
PEAK_MB = 2_500
GROWTH_MB = 150


def _driver():
    """benchmarks/load_server.py as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "load_server", REPO / "benchmarks" / "load_server.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_sessions_stepping_at_once_each_get_their_own_answers() -> None:
    need_chromium()
    result = _driver().run(sessions=SESSIONS, steps=STEPS, households=2_000, drop_after="2s")
    print("\n" + json.dumps(result))
    # every request stayed on this machine and succeeded; no error anywhere
    assert result["hosts"] == ["127.0.0.1"]
    assert set(result["other_schemes"]) <= {"data", "blob"}
    assert result["requests"] > SESSIONS * 10
    assert result["bad_responses"] == [] and result["failed_requests"] == []
    assert result["page_errors"] == [] and result["server_tracebacks"] == 0
    # every session made all its Steps, and showed its own seed and its own month's story
    steps = result["steps_per_session"]
    assert steps["min"] == STEPS and steps["max"] == 2 * STEPS, steps
    assert steps["total"] == SESSIONS * STEPS + SESSIONS // 2 * STEPS, steps
    assert result["own_seed"] == SESSIONS and result["own_story"] == SESSIONS
    # closed pages are dropped (RETURNSIM_CULL_TIMEOUT=2s); the others stay
    kernels = result["kernels"]
    assert kernels["open"] >= SESSIONS
    assert kernels["end"] == SESSIONS - kernels["closed_pages"], result
    # memory stays bounded
    rss = result["rss_mb"]
    assert rss["peak"] < PEAK_MB, rss
    assert result["growth_second_half_mb"] < GROWTH_MB, rss
