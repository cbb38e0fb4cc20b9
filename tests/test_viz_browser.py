"""The workshop server in a real browser: Debian Chromium driven by Playwright, offline.

``returnsim serve`` runs on a free port of 127.0.0.1 for the module. Every
request and response is recorded: none may leave 127.0.0.1 or answer with an
error status. CI installs Chromium (``.ci/run``); elsewhere the test is
skipped, with the reason, when /usr/bin/chromium is absent. A screenshot is
written to ``out/browser/workshop.png``; with ``RETURNSIM_UPDATE_SCREENSHOT=1``
also to ``docs/images/workshop.png`` (the one in the README).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).absolute().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
#: Launch flags from DESIGN.md (Playwright adds a fresh temporary --user-data-dir).
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_SECONDS = 90
TIMEOUT_MS = 60_000


def need_chromium() -> None:
    """Skip without Debian Chromium here; in CI (which installs it) its absence fails."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs it with apt-get (chromium)")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); CI runs this test")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """``returnsim serve baseline`` on a free local port; its URL. Stopped afterwards."""
    need_chromium()
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "returnsim.cli", "serve", "baseline", "--port", str(port)]
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"returnsim serve exited with {proc.returncode}: {log.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"returnsim serve did not answer in {STARTUP_SECONDS}s: {log.read_text()}"
                )
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


@dataclass
class Traffic:
    """Every request, response and failure a page made."""

    requests: list[str] = field(default_factory=list)
    responses: list[tuple[int, str]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    sockets: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("response", lambda r: self.responses.append((r.status, r.url)))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        page.on("websocket", lambda ws: self.sockets.append(ws.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def check(self) -> None:
        hosts = {urlparse(u).hostname for u in self.requests + self.sockets}
        schemes = {urlparse(u).scheme for u in self.requests}
        assert hosts <= {"127.0.0.1", None}, f"requests left 127.0.0.1: {hosts}"
        assert schemes <= {"http", "blob", "data"}, schemes
        bad = [(s, u) for s, u in self.responses if s >= 400]
        assert not bad, f"error responses: {bad}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.errors, f"page errors: {self.errors}"
        assert self.sockets, "no websocket to the server"
        assert any("/_solara/cdn/" in u for u in self.requests), "assets not served locally"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield b
        b.close()


def open_page(browser: Any, url: str, traffic: Traffic) -> Any:
    """A participant's fresh browser context and page, loaded and ready."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    traffic.watch(page)
    page.goto(url)
    page.get_by_role("button", name="Step").wait_for()
    story(page).wait_for()
    return page


def story(page: Any) -> Any:
    return page.locator(".returnsim-story")


def image_src(page: Any, name: str) -> str:
    return page.locator(f"img.returnsim-{name}").get_attribute("src")


def wait_month(page: Any, month: int) -> None:
    page.locator(".returnsim-story", has_text=f"Month {month} (").wait_for()


def month_of(page: Any) -> int:
    return int(story(page).inner_text().split()[1])


def step(page: Any, month_after: int) -> None:
    page.get_by_role("button", name="Step").click()
    wait_month(page, month_after)


def test_page_renders_offline_steps_and_stays_on_this_machine(server, browser) -> None:
    traffic = Traffic()
    page = open_page(browser, server, traffic)
    assert story(page).inner_text().startswith("Month 0 (Jan 2004)")
    assert page.get_by_role("tab").all_inner_texts() == [
        "MAP AND STORY", "REINTEGRATION AND MONEY", "COMPARE", "EXPORT"
    ]  # fmt: skip

    # a slider changes, and Reset starts a run with it
    troops = page.get_by_role("slider", name="Troops")
    troops.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('[role=slider][aria-valuenow=\"10000\"]') !== null"
    )
    page.get_by_role("button", name="Reset").click()
    page.locator(".returnsim-running", has_text="Troops 10,000").wait_for()

    # a step advances the month and redraws the charts
    before = {n: image_src(page, n) for n in ("map", "stocks", "flows")}
    t0 = time.perf_counter()
    step(page, 1)
    page.wait_for_function(
        "src => document.querySelector('img.returnsim-stocks').src !== src", arg=before["stocks"]
    )
    seconds = time.perf_counter() - t0
    for name, src in before.items():
        assert image_src(page, name) != src, name
    print(f"\nstep of 20,000 households seen in the browser after {seconds:.2f} s")

    # the other tabs render too
    for tab, img in (("Reintegration and money", "spending"), ("Compare", "compare")):
        page.get_by_role("tab", name=tab).click()
        page.locator(f"img.returnsim-{img}").wait_for()
    page.get_by_role("tab", name="Export").click()
    page.get_by_role("button", name="Download settings (TOML)").wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download settings (TOML)").click()
    toml = Path(download.value.path()).read_text(encoding="utf-8")
    assert "troops = 10000" in toml and "seed = 42" in toml
    traffic.check()
    page.context.close()


def test_two_sessions_stay_independent(server, browser) -> None:
    traffic = Traffic()
    a = open_page(browser, server, traffic)
    b = open_page(browser, server, traffic)
    step(a, 1)
    step(a, 2)
    assert story(b).inner_text().startswith("Month 0 ")
    b.get_by_role("slider", name="Troops").focus()
    b.keyboard.press("Home")
    b.get_by_role("button", name="Reset").click()
    b.locator(".returnsim-running", has_text="Troops 0").wait_for()
    step(b, 1)
    assert story(a).inner_text().startswith("Month 2 ")
    assert "Troops" not in a.locator(".returnsim-running").inner_text()

    # play in A moves only A; pause stops it
    a.get_by_role("button", name="▶").click()
    wait_month(a, 4)
    a.get_by_role("button", name="❚❚").click()
    clicked = month_of(a)
    a.get_by_role("button", name="▶").wait_for()
    # A month already under way when Pause came may still finish and show; on a
    # loaded machine that can take a while, so wait until the month settles.
    # Settled: the same month on three reads 3 s apart.
    reads, deadline = [month_of(a)], time.monotonic() + 60.0
    while time.monotonic() < deadline and not (len(reads) >= 3 and len(set(reads[-3:])) == 1):
        time.sleep(3.0)
        reads.append(month_of(a))
    paused = reads[-1]
    assert clicked <= paused <= clicked + 3, reads
    time.sleep(3.0)
    assert month_of(a) == paused, reads  # paused: no further months
    assert story(b).inner_text().startswith("Month 1 ")
    traffic.check()
    a.context.close()
    b.context.close()


def test_screenshot_of_a_run(server, browser) -> None:
    traffic = Traffic()
    page = open_page(browser, server, traffic)
    interval = page.get_by_role("slider", name="Render Interval (steps)")
    interval.focus()
    for _ in range(12):  # 1 -> 25 months per Step
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('[role=slider][aria-valuenow=\"25\"]') !== null"
    )
    step(page, 25)
    step(page, 50)
    time.sleep(1.0)  # let the images settle
    out = REPO / "out" / "browser"
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / "workshop.png"))
    assert (out / "workshop.png").stat().st_size > 50_000
    if os.environ.get("RETURNSIM_UPDATE_SCREENSHOT") == "1":
        page.screenshot(path=str(REPO / "docs" / "images" / "workshop.png"))
    traffic.check()
    page.context.close()


def test_a_scenario_file_uploads_in_the_browser(server, browser) -> None:
    traffic = Traffic()
    page = open_page(browser, server, traffic)
    text = (REPO / "scenarios" / "full_response.toml").read_text(encoding="utf-8")
    mine = text.replace("count = 20000", "count = 3000").encode()
    field = page.locator("input[type=file]")
    field.set_input_files(files=[{"name": "mine.toml", "mimeType": "text/plain", "buffer": mine}])
    page.locator(".returnsim-running", has_text="mine (uploaded), seed").wait_for()
    assert "the start of full_response. 3,000 households" in story(page).inner_text()
    # too large: refused in one line, the run goes on
    big = b"#" * (300 * 1024)
    field.set_input_files(files=[{"name": "big.toml", "mimeType": "text/plain", "buffer": big}])
    error = page.locator(".returnsim-error", has_text="is too large")
    error.wait_for()
    assert "upload big.toml: 262,145 bytes or more is too large" in error.inner_text()
    assert "mine (uploaded)" in page.locator(".returnsim-running").inner_text()
    step(page, 1)
    traffic.check()
    page.context.close()
