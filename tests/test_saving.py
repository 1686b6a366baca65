"""Saving while typing: one writer thread, failed saves said once and what was typed kept."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import textwrap

from test_app import type_text
from textual.widgets import TextArea

from groupsup.app import GroupSupApp
from groupsup.screens.forms import Confirm
from groupsup.screens.run import RunScreen
from groupsup.store import writer
from groupsup.store.folder import FolderStore


async def saved(pilot) -> None:
    """Wait (never sleep) until the run screen's writer has nothing left to save."""
    for _ in range(500):
        await pilot.pause()
        if pilot.app.screen.writer.flush(timeout=0):
            return
    raise AssertionError("the writer never finished")


def notices(app) -> list[str]:
    return [n.message for n in app._notifications if n.title == "Saving"]


async def said(pilot) -> list[str]:
    """The saving notices, once the writer's news has reached the screen (it comes by message)."""
    for _ in range(500):
        await pilot.pause()
        if notices(pilot.app):
            return notices(pilot.app)
    raise AssertionError("nothing was said about saving")


async def test_a_failed_save_is_said_once_and_what_was_typed_is_kept_and_offered_back(
    demo_store,
):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:

        def disk_full(session):
            raise OSError(errno.ENOSPC, "No space left on device")

        app.store.save_session = disk_full
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("ctrl+n", "ctrl+n")  # case 1, the consultant's questions
        for word in ("Dad ", "works ", "nights"):
            await type_text(pilot, word)
        await saved(pilot)
        assert isinstance(app.screen, RunScreen)  # still running
        (sentence,) = await said(pilot)
        assert sentence.startswith("Not saved: No space left on device What you typed is kept in")
        kept = writer.unsaved_path(demo_store.root, "demo-s3")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert writer.unsaved(demo_store.root, "demo-s3").slots[0].notes == "Dad works nights"
    assert FolderStore(demo_store.root).session("demo-s3").slots[0].notes == ""

    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#notes", TextArea).text == "Dad works nights"
        await saved(pilot)
    assert FolderStore(demo_store.root).session("demo-s3").slots[0].notes == "Dad works nights"
    assert writer.unsaved(demo_store.root, "demo-s3") is None


async def test_a_save_refused_by_another_writer_is_said_once_and_kept_on_leaving(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("ctrl+n", "ctrl+n")
        await saved(pilot)
        other = FolderStore(demo_store.root)
        theirs = other.session("demo-s3")
        theirs.slots[0].history = "Saved by the other facilitator"
        other.save_session(theirs)
        for word in ("One ", "two ", "three"):
            await type_text(pilot, word)
        await saved(pilot)
        (sentence,) = await said(pilot)
        assert "was saved by another groupsup" in sentence
        await pilot.press("escape")  # leaving keeps the text aside
        await pilot.pause()
    assert writer.unsaved(demo_store.root, "demo-s3").slots[0].notes == "One two three"
    assert FolderStore(demo_store.root).session("demo-s3").slots[0].history == (
        "Saved by the other facilitator"
    )


KILLED_WHILE_TYPING = textwrap.dedent(
    """
    import sys, time
    from groupsup.store.interface import open_store
    from groupsup.store.writer import SessionWriter

    store = open_store(sys.argv[1])
    session = store.session("demo-s3")
    writer = SessionWriter(store.root, store.save_session, lambda sentence: None)
    typed = ""
    while True:  # a key every 10 ms, each handed to the writer as the screen does
        typed += "x"
        session.slots[0].notes = typed
        writer.submit(session.model_copy(deep=True))
        print(len(typed), flush=True)
        time.sleep(0.01)
    """
)


def test_a_kill_during_a_burst_keeps_what_the_writer_saved_while_typing_went_on(
    demo_store, tmp_path
):
    """Counted in keys, not seconds: the writer saves while the typing goes on (it never waits
    for a pause that a kill would forestall), and a kill keeps a whole session holding every
    key it had saved."""
    script = tmp_path / "burst.py"
    script.write_text(KILLED_WHILE_TYPING)
    typing = subprocess.Popen(
        [sys.executable, str(script), str(demo_store.root)], stdout=subprocess.PIPE, text=True
    )
    store = FolderStore(demo_store.root)
    saved_while_typing = typed = 0
    for line in typing.stdout:  # the typist never pauses: every key is part of one burst
        typed = int(line)
        saved_while_typing = len(store.session("demo-s3").slots[0].notes)
        if saved_while_typing >= 50 or typed == 1_000:
            break
    os.kill(typing.pid, signal.SIGKILL)
    typing.wait()
    typed += len(typing.stdout.read().splitlines())  # keys handed over before the kill
    assert saved_while_typing >= 50, f"{typed} keys typed, none saved before a pause"
    kept = store.session("demo-s3").slots[0].notes
    assert kept == "x" * len(kept)
    assert saved_while_typing <= len(kept) <= typed
