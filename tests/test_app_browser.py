"""The interactive page in a real browser: Debian's headless Chromium, driven by Playwright.

One server (``plurisim app toy-park --port 0``) serves every test; each test opens
its own page (its own session and model). Every request that leaves 127.0.0.1 is
blocked and recorded, so the tests also show that the page needs no internet.
Playwright never downloads a browser here: it drives ``/usr/bin/chromium``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("PLURISIM_CHROMIUM", "/usr/bin/chromium")
if not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
)
if not __import__("plurisim.app", fromlist=["available"]).available():
    pytest.skip("the app extra is not installed (pip install -e '.[app]')", allow_module_level=True)

# Assets the page may request that the offline files lack, with the reason. Empty:
# the page renders Markdown and figures itself, so nothing is missing.
OPTIONAL_MISSING: tuple[str, ...] = ()
TIMEOUT_MS = 30_000
GROUPS = 3  # toy-park's groups: each round adds one point per group to the chart


@dataclass
class Session:
    """One browser page and what it logged."""

    page: Any
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def cell(self, key: str) -> str:
        row = self.page.locator(".plurisim-status-table tr", has_text=key).first
        return str(row.locator("td").inner_text())

    def markers(self) -> int:
        # Data points are <use> elements inside clipped groups (ticks are not clipped).
        return int(self.page.locator(".plurisim-utilities svg g[clip-path] use").count())

    def choose(self, label: str, option: str) -> None:
        self.page.locator(".v-select", has_text=label).first.click()
        self.page.locator(".v-menu__content .v-list-item", has_text=option).first.click()

    def press(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    cmd = [sys.executable, "-m", "plurisim", "app", "toy-park", "--port", "0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not found:
            proc.kill()
            _, err = proc.communicate(timeout=10)
            pytest.fail(f"the server printed {line!r} and not its URL; stderr: {err[-2000:]}")
        address = found.group(0)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(address, timeout=5) as response:
                    assert response.status == 200
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        yield address
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def session(browser: Any, url: str) -> Iterator[Session]:
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.set_default_timeout(TIMEOUT_MS)
    s = Session(page)

    def route(r: Any) -> None:
        target = r.request.url
        if target.startswith((url, "data:", "blob:")):
            r.continue_()
        else:
            s.outside.append(target)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: s.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: s.errors.append(str(e)))
    page.on("response", lambda r: s.failed.append(r.url) if r.status >= 400 else None)
    page.goto(url)
    page.get_by_role("button", name="Step", exact=True).wait_for()
    page.locator(".plurisim-status-table").wait_for()
    yield s
    page.close()


def _unexpected(messages: list[str]) -> list[str]:
    return [m for m in messages if not any(name in m for name in OPTIONAL_MISSING)]


def test_the_page_loads_offline_without_console_errors(session: Session) -> None:
    assert "toy-park" in session.cell("scenario")
    assert session.cell("round") == "0 of 20"
    session.page.locator(".plurisim-transcript-text h2", has_text="Round 0").wait_for()
    session.page.wait_for_timeout(500)  # late requests (fonts, scripts) have been made
    assert session.outside == [], "the page asked for files from outside this machine"
    assert _unexpected(session.failed) == []
    assert _unexpected(session.errors) == []


def test_step_adds_one_point_per_group_to_the_chart(session: Session) -> None:
    assert session.markers() == 0
    session.press("Step")
    session.page.locator(".plurisim-status-table td", has_text="1 of 20").wait_for()
    session.page.wait_for_function(
        f"document.querySelectorAll('.plurisim-utilities svg g[clip-path] use').length == {GROUPS}"
    )
    session.press("Step")
    session.page.locator(".plurisim-status-table td", has_text="2 of 20").wait_for()
    session.page.wait_for_function(
        f"document.querySelectorAll('.plurisim-utilities svg g[clip-path] use').length == {2 * GROUPS}"
    )
    # The proposal and every answer to it are shown; the transcript has grown.
    assert session.page.locator(".plurisim-responses-table tbody tr").count() == GROUPS
    session.page.locator(".plurisim-transcript-text h2", has_text="Round 2").wait_for()
    assert _unexpected(session.errors) == []


def test_a_change_of_scenario_and_protocol_applies_on_reset(session: Session) -> None:
    session.choose("scenario", "community-budget")
    session.choose("protocol", "single-text")
    session.press("Reset")
    session.page.locator(".plurisim-status-table td", has_text="(community-budget)").wait_for()
    assert session.cell("protocol") == "single-text"
    assert session.cell("round").startswith("0 of")
    session.press("Step")
    session.page.locator(".plurisim-status-table td", has_text=re.compile(r"^1 of")).wait_for()
    assert session.page.locator(".plurisim-error").count() == 0
    assert _unexpected(session.errors) == []


def test_a_bad_scenario_file_is_refused_on_the_page(session: Session) -> None:
    field_ = session.page.get_by_label("or a scenario file (.yaml or .pb path)")
    field_.fill("/no/such/scenario.yaml")
    field_.press("Enter")
    session.press("Reset")
    error = session.page.locator(".plurisim-error")
    error.wait_for()
    assert "/no/such/scenario.yaml" in error.inner_text()
    assert "toy-park" in session.cell("scenario")  # the chosen built-in stands


def test_a_pabulib_file_plays_on_the_page(session: Session) -> None:
    pb = Path(__file__).parent / "data" / "pabulib" / "approval.pb"
    field_ = session.page.get_by_label("or a scenario file (.yaml or .pb path)")
    field_.fill(str(pb))
    field_.press("Enter")
    session.press("Reset")
    session.page.locator(".plurisim-status-table tr", has_text="scenario").filter(
        has_text="approval"
    ).first.wait_for()
    session.press("▶")
    table = session.page.locator(".plurisim-comparison-table")
    table.wait_for()
    outcomes = table.locator("tbody tr td:first-child").all_inner_texts()
    assert outcomes[-1].startswith("negotiated")
    assert {"What the city funded", "greedy", "mes"} <= set(outcomes)
    assert session.page.locator(".plurisim-error").count() == 0
    assert _unexpected(session.errors) == []


def test_playing_to_the_end_shows_the_comparison_and_lorenz_curves(session: Session) -> None:
    session.press("▶")
    table = session.page.locator(".plurisim-comparison-table")
    table.wait_for()
    assert session.cell("state").startswith(("agreement", "no agreement"))
    outcomes = table.locator("tbody tr td:first-child").all_inner_texts()
    assert outcomes[-1].startswith("negotiated")  # "negotiated (no agreement)" without one
    assert {"Green retreat", "Active park", "utilitarian", "maximin", "mes"} <= set(outcomes)
    lorenz = session.page.locator(".plurisim-lorenz-chart svg")
    lorenz.wait_for()
    assert "negotiated" in lorenz.inner_html()
    assert _unexpected(session.errors) == []
