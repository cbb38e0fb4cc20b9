"""How long one Step takes to update the workshop page, at 50,000 households.

Two measures, printed as one JSON line:

- ``server``: in-process (solara.render, no browser): the model's month plus
  drawing every view of the first tab (story, map, stocks, flows) as PNG;
- ``browser``: ``returnsim serve`` driven by Debian Chromium: from the click
  on Step until the page shows the new month and all three charts changed
  (skipped when /usr/bin/chromium is absent).

Usage: python benchmarks/bench_viz.py [--households 50000] [--steps 12]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).absolute().parents[1]
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def scenario_folder(households: int) -> Path:
    """A folder holding the baseline scenario with ``households`` households, named bench."""
    folder = Path(tempfile.mkdtemp(prefix="bench-viz-"))
    text = (REPO / "scenarios" / "baseline.toml").read_text(encoding="utf-8")
    text = text.replace("count = 20000", f"count = {households}")
    assert f"count = {households}" in text
    (folder / "bench.toml").write_text(text, encoding="utf-8")
    return folder


def summary(times: list[float]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "min_s": round(min(times), 3),
    }


def server_side(folder: Path, steps: int) -> dict[str, float]:
    """Step clicks on a page rendered in-process: the model's month and every view redrawn."""
    os.environ["RETURNSIM_SCENARIOS_DIR"] = str(folder)
    os.environ["RETURNSIM_SCENARIO"] = "bench"
    import ipyvuetify as v
    import solara

    from returnsim.viz import app

    _, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    step = rc.find(v.Btn, children=["Step"]).widget
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step.click()
        times.append(time.perf_counter() - t0)
    return summary(times[1:])  # the first month also computes the charts' layout


def browser_side(folder: Path, steps: int) -> dict[str, float] | str:
    """Step clicks in Chromium until the new month and three new charts are on screen."""
    if not Path("/usr/bin/chromium").exists():
        return "skipped: /usr/bin/chromium not installed"
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [
        sys.executable, "-m", "returnsim.cli", "serve", "bench",
        "--scenarios", str(folder), "--port", str(port),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(180):
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(url)
            page.get_by_role("button", name="Step").wait_for()
            page.locator(".returnsim-story").wait_for()
            times = []
            for month in range(1, steps + 1):
                srcs = page.evaluate(
                    "() => [...document.querySelectorAll('img[class*=returnsim-]')].map(i => i.src)"
                )
                t0 = time.perf_counter()
                page.get_by_role("button", name="Step").click()
                page.wait_for_function(
                    """([month, old]) => {
                        const s = document.querySelector('.returnsim-story');
                        const now = [...document.querySelectorAll('img[class*=returnsim-]')];
                        return s && s.textContent.startsWith(`Month ${month} (`)
                            && now.length === old.length
                            && now.every((img, i) => img.src !== old[i] && img.complete);
                    }""",
                    arg=[month, srcs],
                    polling="raf",
                )
                times.append(time.perf_counter() - t0)
            browser.close()
        return summary(times[1:])
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--steps", type=int, default=12)
    args = parser.parse_args()
    folder = scenario_folder(args.households)
    result = {
        "households": args.households,
        "steps": args.steps,
        "server": server_side(folder, args.steps),
        "browser": browser_side(folder, args.steps),
        "cores": os.cpu_count(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
