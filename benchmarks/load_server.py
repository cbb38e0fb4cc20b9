"""Load test of the workshop server: many browser sessions stepping at once, on 127.0.0.1.

Starts ``returnsim serve`` on a free port of 127.0.0.1 with a copy of the
baseline at ``--households`` households, opens ``--sessions`` pages in one
Debian Chromium (a browser context each, like separate participants), gives
each its own seed (Reset), then every page clicks Step as fast as the server
answers for ``--seconds``. At 3/4 of the time half the pages are closed; the
rest keep stepping while the server drops the closed pages' models (after
``--drop-after``, passed as RETURNSIM_CULL_TIMEOUT). Meanwhile the server
process's RSS is sampled every half second. After the stepping, the server is
asked for its sessions until only the open pages' are left (at most
DROP_WAIT_SECONDS).

With ``--steps N`` the load is a fixed amount of work instead of a time: every
page makes N Steps, then half the pages are closed while the others make N
more. What it checks then does not depend on the machine's speed (the test,
tests/test_viz_load.py, runs it so, small); the figures still do.

Prints one JSON line: sessions, duration, steps per session, RSS (start at the
first Step, at half time, peak, end; MB), growth over the second half, server
kernels before closing and at the end (and how long after the pages were
closed their models were dropped), step latency (click to new month on
screen; p50, p95, max), the server's CPU seconds while the pages stepped (in
all and per Step: what the server itself spends, apart from the browser
sharing its cores), requests, and the checks: every request to 127.0.0.1
with a status below 400, no page error or server traceback, and every
session's own month and story (recomputed here from its seed).

Usage: python benchmarks/load_server.py [--sessions 20] [--seconds 60 | --steps N]
       [--households 2000] [--drop-after 5s]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psutil

REPO = Path(__file__).absolute().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SEED0 = 1_000
STARTUP_SECONDS = 90
TIMEOUT_MS = 180_000
#: Pages loading at once before the stepping starts (20 at once swamp 2 cores).
OPENING = 4
#: Pages without CSS animations and transitions: a page waiting for its month shows
#: an animated progress bar, and 20 of them animating at once in software rendering
#: would take the cores a workshop's server has to itself (the browsers being on the
#: participants' devices).
STILL = """
document.addEventListener("DOMContentLoaded", () => {
  const style = document.createElement("style");
  style.textContent = "*, *::before, *::after { animation: none !important; "
    + "transition: none !important; }";
  document.head.appendChild(style);
});
"""
#: Scheduling priority of the browser's processes (see browser_below_server).
BROWSER_NICE = 10
#: How long to wait, after the stepping, for the server to drop the closed pages' models.
DROP_WAIT_SECONDS = 120


def scenario_folder(households: int) -> Path:
    """A folder holding the baseline with ``households`` households, named ``load``."""
    folder = Path(tempfile.mkdtemp(prefix="load-server-"))
    text = (REPO / "scenarios" / "baseline.toml").read_text(encoding="utf-8")
    text = text.replace("count = 20000", f"count = {households}")
    assert f"count = {households}" in text
    (folder / "load.toml").write_text(text, encoding="utf-8")
    return folder


class Sampler(threading.Thread):
    """RSS (MB) and CPU time (s) of a process and its children, every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.proc, self.interval = psutil.Process(pid), interval
        self.samples: list[tuple[float, float, float]] = []  # (time, RSS MB, CPU seconds)
        self.stop = threading.Event()

    def measure(self) -> tuple[float, float]:
        procs = [self.proc, *self.proc.children(recursive=True)]
        rss = sum(p.memory_info().rss for p in procs) / 2**20
        cpu = sum(sum(p.cpu_times()[:2]) for p in procs)
        return rss, cpu

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.samples.append((time.monotonic(), *self.measure()))
            except psutil.Error:
                return
            browser_below_server()
            self.stop.wait(self.interval)

    def at(self, t: float, what: int = 1) -> float:
        """RSS (``what`` = 1) or CPU seconds (2) at the sample nearest time ``t``."""
        return min(self.samples, key=lambda s: abs(s[0] - t))[what]

    def peak(self, t0: float) -> float:
        return max(mb for t, mb, _ in self.samples if t >= t0)


@dataclass
class Session:
    """One participant: a browser context and page, its seed and what it saw."""

    index: int
    seed: int
    page: Any = None
    steps: int = 0
    latencies: list[float] = field(default_factory=list)
    story: str = ""
    running: str = ""
    requests: list[str] = field(default_factory=list)
    responses: list[tuple[int, str]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    closed: bool = False

    def watch(self, page: Any) -> None:
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("websocket", lambda ws: self.requests.append(ws.url))
        page.on("response", lambda r: self.responses.append((r.status, r.url)))
        page.on(
            "requestfailed",
            lambda r: None if self.closed else self.failed.append(f"{r.url} {r.failure}"),
        )
        page.on("pageerror", lambda e: self.errors.append(str(e)))


def browser_below_server() -> None:
    """Lower Chromium's processes (started here, some at nice -8 as root) to nice 10.

    In a workshop the browsers run on the participants' devices; here they share
    the server's cores, and 20 pages redrawing at a raised priority starve the
    server. At a lower priority they take only what the server leaves.
    """
    for p in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "chrom" in p.name() and p.nice() < BROWSER_NICE:
                p.nice(BROWSER_NICE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(folder: Path, port: int, drop_after: str, log: Path) -> subprocess.Popen:
    """``returnsim serve load`` on 127.0.0.1:port; returns once the page answers 200."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "RETURNSIM_CULL_TIMEOUT": drop_after}
    cmd = [
        sys.executable, "-m", "returnsim.cli", "serve", "load",
        "--scenarios", str(folder), "--port", str(port),
    ]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"returnsim serve exited with {proc.returncode}: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                if r.status == 200:
                    return proc
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"returnsim serve did not answer in {STARTUP_SECONDS}s")
        time.sleep(0.5)


def kernels(port: int) -> int:
    """Sessions (virtual kernels) the server holds now (Solara's /resourcez)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/resourcez", timeout=10) as r:
        return int(json.load(r)["kernels"]["total"])


async def open_session(browser: Any, url: str, s: Session) -> None:
    """A fresh context and page, loaded, with the session's seed applied by Reset."""
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    await context.add_init_script(STILL)
    s.page = page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    s.watch(page)
    await page.goto(url)
    await page.get_by_role("button", name="Step").wait_for()
    seed_box = page.get_by_label("Seed")
    await seed_box.fill(str(s.seed))
    await seed_box.press("Enter")
    await page.get_by_role("button", name="Reset").click()
    await page.locator(".returnsim-running", has_text=f"seed {s.seed}").wait_for()
    await page.locator(".returnsim-story", has_text="Month 0 (").wait_for()


async def step_once(s: Session) -> None:
    """Click Step and wait for the next month on screen."""
    page = s.page
    t0 = time.perf_counter()
    await page.get_by_role("button", name="Step").click()
    await page.locator(".returnsim-story", has_text=f"Month {s.steps + 1} (").wait_for()
    s.latencies.append(time.perf_counter() - t0)
    s.steps += 1


async def read_screen(s: Session) -> None:
    """What the page shows now: its month's story and its running line (seed, settings)."""
    s.story = " ".join((await s.page.locator(".returnsim-story").inner_text()).split())
    s.running = (await s.page.locator(".returnsim-running").inner_text()).strip()


async def step_until(s: Session, end: float) -> None:
    """Step again and again until ``end``."""
    while time.monotonic() < end:
        await step_once(s)
    await read_screen(s)


async def step_times(s: Session, steps: int) -> None:
    """Step ``steps`` times."""
    for _ in range(steps):
        await step_once(s)
    await read_screen(s)


def expected_story(folder: Path, seed: int, months: int) -> str:
    """The story of month ``months`` of the load scenario with ``seed``, computed here."""
    from returnsim.scenario import load
    from returnsim.viz.story import month_story
    from returnsim.viz.workshop import WorkshopModel

    model = WorkshopModel(scenario_name="load", base=load(folder / "load.toml"), seed=str(seed))
    for _ in range(months):
        model.step()
    return " ".join(month_story(model).split())


def _network(url: str) -> bool:
    """Whether ``url`` goes over the network (not a data: or blob: URL)."""
    return urlparse(url).scheme in ("http", "https", "ws", "wss")


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(q * len(xs)))], 3)


async def drive(
    url: str, port: int, sessions: list[Session], seconds: float, steps: int | None
) -> tuple[int, int, float, float, float | None]:
    """Open the pages, step them, close half; (kernels open, kernels left, t0, t_end,
    seconds from closing the pages to the server holding only the others')."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        gate = asyncio.Semaphore(OPENING)

        async def opening(s: Session) -> None:
            async with gate:
                await open_session(browser, url, s)

        await asyncio.gather(*(opening(s) for s in sessions))
        opened = kernels(port)
        t0 = time.monotonic()
        half = len(sessions) // 2
        staying, closing = sessions[:half], sessions[half:]
        if steps is None:  # for `seconds`; half the pages close at 3/4 of it
            close_at, end = t0 + 0.75 * seconds, t0 + seconds
            stepping = [step_until(s, close_at if s.index >= half else end) for s in sessions]
        else:  # `steps` Steps each; then half the pages close while the others make `steps` more
            await asyncio.gather(*(step_times(s, steps) for s in sessions))
            close_at, stepping = 0.0, [step_times(s, steps) for s in staying]
        closed, *_ = await asyncio.gather(_close_after(closing, close_at), *stepping)
        t_end = time.monotonic()
        left, dropped_at = await _wait_for_drop(port, len(staying))
        await browser.close()
    return opened, left, t0, t_end, None if dropped_at is None else dropped_at - closed


async def _close_after(closing: list[Session], when: float) -> float:
    """Close these sessions' pages (their tabs) once they have stopped stepping at ``when``;
    return the time they were all closed."""
    await asyncio.sleep(max(0.0, when - time.monotonic()))
    while any(s.story == "" for s in closing):
        await asyncio.sleep(0.2)
    for s in closing:
        s.closed = True
        await s.page.context.close()
    return time.monotonic()


async def _wait_for_drop(port: int, staying: int) -> tuple[int, float | None]:
    """Ask the server for its sessions until only ``staying`` are left, at most
    DROP_WAIT_SECONDS; (sessions left, the time it was so or None)."""
    deadline = time.monotonic() + DROP_WAIT_SECONDS
    while True:
        left = kernels(port)
        if left <= staying:
            return left, time.monotonic()
        if time.monotonic() > deadline:
            return left, None
        await asyncio.sleep(0.5)


def run(
    sessions: int = 20,
    seconds: float = 60.0,
    households: int = 2_000,
    drop_after: str = "5s",
    steps: int | None = None,
) -> dict[str, Any]:
    """Run the load test; the measures and checks as a dictionary (see the module's doc).

    With ``steps``, each page makes that many Steps (the staying half twice as
    many) and ``seconds`` is not used.
    """
    folder = scenario_folder(households)
    port = _free_port()
    log = folder / "serve.log"
    proc = start_server(folder, port, drop_after, log)
    sampler = Sampler(proc.pid)
    sampler.start()
    people = [Session(i, SEED0 + i) for i in range(sessions)]
    url = f"http://127.0.0.1:{port}/"
    try:
        opened, left, t0, t_end, drop_s = asyncio.run(drive(url, port, people, seconds, steps))
    finally:
        sampler.stop.set()
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
    sampler.join(timeout=5)
    urls = [u for s in people for u in s.requests]
    responses = [r for s in people for r in s.responses]
    server_log = log.read_text(encoding="utf-8", errors="replace")
    mine = [s.running.endswith(f"seed {s.seed}") for s in people]
    stories = [s.story == expected_story(folder, s.seed, s.steps) for s in people]
    latencies = [x for s in people for x in s.latencies]
    counts = [s.steps for s in people]
    rss_start, rss_half = sampler.at(t0), sampler.at(t0 + (t_end - t0) / 2)
    rss_end = sampler.at(t_end)
    server_cpu = sampler.at(t_end, 2) - sampler.at(t0, 2)
    return {
        "sessions": sessions,
        "households": households,
        "steps": steps,
        "duration_s": round(t_end - t0, 1),
        "closed_at_s": None if steps else round(0.75 * seconds, 1),
        "steps_per_session": {
            "min": min(counts), "median": statistics.median(counts), "max": max(counts),
            "total": sum(counts),
        },
        "rss_mb": {
            "start": round(rss_start, 1), "half": round(rss_half, 1),
            "peak": round(sampler.peak(t0), 1), "end": round(rss_end, 1),
        },
        "growth_second_half_mb": round(rss_end - rss_half, 1),
        "kernels": {"open": opened, "end": left, "closed_pages": sessions - sessions // 2},
        "dropped_after_s": None if drop_s is None else round(drop_s, 1),
        "step_latency_s": {
            "p50": _pct(latencies, 0.5), "p95": _pct(latencies, 0.95),
            "max": round(max(latencies), 3),
        },
        "server_cpu_s": round(server_cpu, 1),
        "server_cpu_per_step_s": round(server_cpu / max(1, sum(counts)), 3),
        "requests": len(urls),
        "hosts": sorted({urlparse(u).hostname or "" for u in urls if _network(u)}),
        "other_schemes": sorted({urlparse(u).scheme for u in urls if not _network(u)}),
        "bad_responses": [f"{st} {u}" for st, u in responses if st >= 400][:5],
        "failed_requests": [f for s in people for f in s.failed][:5],
        "page_errors": [e for s in people for e in s.errors][:5],
        "server_tracebacks": server_log.count("Traceback"),
        "own_seed": sum(mine),
        "own_story": sum(stories),
        "cores": os.cpu_count(),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--steps", type=int, default=None, help="N Steps per page instead of --seconds"
    )
    parser.add_argument("--households", type=int, default=2_000)
    parser.add_argument("--drop-after", default="5s", help="RETURNSIM_CULL_TIMEOUT (default 5s)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"load_server: {CHROMIUM} not installed (apt-get install chromium)")
    result = run(args.sessions, args.seconds, args.households, args.drop_after, args.steps)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
