"""Two observers join from web browsers, one on a laptop and one on a phone, each with their own
code; the facilitator's screen takes in both notes, under their names.

Needs Debian's chromium (`apt-get install chromium`) and the playwright package; .ci/run
installs both. The page runs xterm.js in screen-reader mode, so the test
reads the terminal's rows from the page.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
import socket
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import home_is_ready
from textual.widgets import DataTable

from groupsup.app import GroupSupApp
from groupsup.domain.clock import SessionClock
from groupsup.domain.formats import format_named
from groupsup.observers import joining
from groupsup.store.folder import FolderStore

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed: apt-get install chromium"
)
async_api = pytest.importorskip("playwright.async_api", reason="playwright is not installed")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


HOST = "127.0.0.2"  # another loopback address: nothing leaves the machine
# How long to look for what should come: a starved machine starts a server, a browser and an
# app for each page slowly (seconds; the test's own timeout is five minutes).
PATIENCE = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"groupsup serve did not listen on port {port}")


async def until(check, what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def shows(page, text: str) -> None:
    """Wait until the terminal shows `text`: screen-reader mode puts its rows in the page."""
    rows = page.locator(".xterm-accessibility-tree")
    await async_api.expect(rows).to_contain_text(text, timeout=PATIENCE * 1000)


LAPTOP = {"width": 1100, "height": 700}
PHONE = {"width": 390, "height": 844}  # a phone held upright


async def words_shown(page) -> str:
    """The terminal's rows as one run of words: a prompt cut off at the edge loses words."""
    rows = await page.locator(".xterm-accessibility-tree > div").all_text_contents()
    return " ".join(" ".join(rows).split())


async def join_from_a_browser(browser, url, code, note, inbox, viewport) -> tuple[list, list]:
    """The requests the page made, and the terminal's words before and after joining."""
    page = await browser.new_page(viewport=viewport)
    page.set_default_timeout(PATIENCE * 1000)  # going to the page, typing
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.on("websocket", lambda socket: asked.append(socket.url))
    await page.goto(url)
    await shows(page, "Type your own join code")
    # No click first: the terminal has the focus on load.
    await async_api.expect(page.locator(".xterm-helper-textarea")).to_be_focused(
        timeout=PATIENCE * 1000
    )
    seen = [await words_shown(page)]
    await page.keyboard.type(code)
    await page.keyboard.press("Enter")
    await shows(page, "Resonance")
    await shows(page, "Session ")
    seen.append(await words_shown(page))
    before = len(inbox())
    await page.keyboard.type(note)
    await page.keyboard.press("Enter")
    await until(lambda: len(inbox()) > before, f"the note {note!r} to arrive")
    await page.close()
    return asked, seen


async def test_two_observers_join_from_browsers_and_the_facilitator_saves_both(demo_store):
    session = demo_store.session("demo-s3")
    clock = SessionClock(session, format_named(session.format))
    clock.start()
    clock.advance()  # case 1: Priya, Daniel and Leila observe, each with their own code
    demo_store.save_session(session)
    codes = joining.open_joining(demo_store, session, dt.datetime.now(dt.UTC)).codes
    port = free_port()
    url = f"http://{HOST}:{port}"
    serve = ["serve", "--host", HOST, "--port", str(port), "--public-url", url]
    server = subprocess.Popen(
        [sys.executable, "-m", "groupsup", "--store", str(demo_store.root), *serve],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        inbox = lambda: joining.waiting(demo_store, "demo-s3")  # noqa: E731
        async with async_api.async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            priya, daniel = codes["priya-shah"], codes["daniel-okoro"]
            asked, _ = await join_from_a_browser(
                browser, url, priya, "Priya: bells ring", inbox, LAPTOP
            )
            on_phone, seen = await join_from_a_browser(
                browser, url, daniel, "Daniel: mine too", inbox, PHONE
            )
            asked += on_phone
            await browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert f"{url}/observers/textual.js" in asked
    assert f"{url}/static/fonts/RobotoMono-VariableFont_wght.ttf" in asked
    assert f"ws://{HOST}:{port}/ws" in [a.split("?")[0] for a in asked]
    elsewhere = [a for a in asked if not a.startswith((url + "/", f"ws://{HOST}:{port}/"))]
    assert elsewhere == []
    (phone_screen,) = [a for a in on_phone if a.startswith("ws:")]
    assert int(parse_qs(urlsplit(phone_screen).query)["width"][0]) < 50  # columns
    code_screen, session_screen = seen  # on the phone, every prompt is there whole
    assert "Type your own join code, as the facilitator gave it to you, then Enter." in code_screen
    assert "Case 1 of 3: CS-51230 · CP · anxiety high" in session_screen
    assert "Resonance: how does this case speak to your own caseload? (Enter sends)" in (
        session_screen
    )
    assert "A hypothesis: what might be going on? (Enter sends)" in session_screen
    assert re.search(r"Phase [\d:]+ left Case [\d:]+ left Session [\d:]+ left", session_screen)
    assert "You are Daniel Okoro." in session_screen

    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("r")
        await pilot.pause()
        table = app.screen.query_one("#resonance-table", DataTable)
        await until(lambda: table.row_count == 2, "the facilitator's screen to show both")
        shown = [(table.get_row_at(i)[0].plain, table.get_row_at(i)[1].plain) for i in range(2)]
        assert shown == [
            ("Priya Shah", "Priya: bells ring"),
            ("Daniel Okoro", "Daniel: mine too"),
        ]
    saved = FolderStore(demo_store.root).session("demo-s3").slots[0].resonance
    assert [(n.written_by, n.text) for n in saved] == [
        ("priya-shah", "Priya: bells ring"),
        ("daniel-okoro", "Daniel: mine too"),
    ]
