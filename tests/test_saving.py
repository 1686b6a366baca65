"""Saving while typing: one writer thread, failed saves said once and what was typed kept."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import textwrap

import pytest
from conftest import home_is_ready, notices, the_run_screen, until
from test_app import type_text
from textual.widgets import Input, Static, TextArea

from groupsup.app import GroupSupApp
from groupsup.screens.close import MinutesScreen
from groupsup.screens.forms import Confirm
from groupsup.screens.plan import PlanScreen
from groupsup.screens.pod import PodScreen
from groupsup.screens.record import RecordScreen
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


async def run_and_put_back(pilot) -> None:
    """Run (resume) the session, and answer yes to putting back the edits kept aside."""
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(pilot.app.screen, Confirm)
    await pilot.press("enter")
    await pilot.pause()


async def test_a_failed_save_is_said_once_and_what_was_typed_is_kept_and_offered_back(
    demo_store,
):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:

        def disk_full(session):
            raise OSError(errno.ENOSPC, "No space left on device")

        app.store.save_session = disk_full
        saving = notices(app, "Saving")
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("ctrl+n", "ctrl+n")  # case 1, the consultant's questions
        for word in ("Dad ", "works ", "nights"):
            await type_text(pilot, word)
        await saved(pilot)
        assert isinstance(app.screen, RunScreen)  # still running
        # the writer's news reaches the screen by message, after the writer has finished
        await until(pilot, lambda: saving, "a notice about saving")
        (sentence,) = saving
        assert sentence.startswith("Not saved: No space left on device What you typed is kept in")
        kept = writer.unsaved_path(demo_store.root, "demo-s3")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert (
            writer.kept_edits(demo_store.root, "demo-s3").session.slots[0].notes
            == "Dad works nights"
        )
    assert FolderStore(demo_store.root).session("demo-s3").slots[0].notes == ""

    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await run_and_put_back(pilot)
        assert app.screen.query_one("#notes", TextArea).text == "Dad works nights"
        await saved(pilot)
    assert FolderStore(demo_store.root).session("demo-s3").slots[0].notes == "Dad works nights"
    assert writer.kept_edits(demo_store.root, "demo-s3") is None


async def test_a_save_refused_by_another_writer_is_said_once_and_kept_on_leaving(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        saving = notices(app, "Saving")
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
        # the writer's news reaches the screen by message, after the writer has finished
        await until(pilot, lambda: saving, "a notice about saving")
        (sentence,) = saving
        assert "was saved by another groupsup" in sentence
        await pilot.press("escape")  # leaving keeps the text aside
        await pilot.pause()
    assert writer.kept_edits(demo_store.root, "demo-s3").session.slots[0].notes == "One two three"
    assert FolderStore(demo_store.root).session("demo-s3").slots[0].history == (
        "Saved by the other facilitator"
    )
    # Put back, only what was typed comes back: what the other facilitator saved stays (the
    # whole session was put back, and another writer's genogram or history wiped).
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await run_and_put_back(pilot)
        await saved(pilot)
    both = FolderStore(demo_store.root).session("demo-s3").slots[0]
    assert (both.notes, both.history) == ("One two three", "Saved by the other facilitator")
    assert writer.kept_edits(demo_store.root, "demo-s3") is None
    # A backup taken first holds the session as the other facilitator left it, and the edits:
    # a field both changed takes what was typed, and theirs is not lost.
    [before] = FolderStore(demo_store.root).backups()
    assert before.reason == "before putting back edits"
    assert {"sessions/demo-s3.json", "unsaved/demo-s3.json"} <= before.files.keys()


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


@pytest.mark.slow  # starts processes
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


def disk_full(*_record) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


async def test_a_plan_the_disk_refuses_stays_on_screen_until_escape_twice(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        session = app.store.session("demo-s3")  # as home reads it: its revision is known
        await app.push_screen(PlanScreen(app.store.pod(session.pod_id), session))
        await pilot.pause()
        app.store.save_session = disk_full
        app.screen.query_one("#place", Input).focus()
        await type_text(pilot, "Room 4")
        problem = str(app.screen.query_one("#problem", Static).render())
        kept = writer.unsaved_path(demo_store.root, "demo-s3")
        assert problem == (
            "The plan could not be saved (No space left on device); it stays here and is saved "
            f"with your next change. What you typed is kept in {kept}, offered back when the "
            "plan is next opened."
        )
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)  # what was typed is still there
        assert app.screen.query_one("#place", Input).value == "Room 4"
        del app.store.save_session  # the disk has room again
        await pilot.press("escape")  # saved, then home
        await home_is_ready(pilot)
    assert FolderStore(demo_store.root).session("demo-s3").place == "Room 4"


async def test_a_plan_another_facilitator_saved_first_keeps_what_was_typed(demo_store):
    """The plan said the change was not saved, kept nothing, and Escape left: " upstairs" was
    lost. It is kept aside, offered back as the plan opens, and put back beside theirs."""
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        session = app.store.session("demo-s3")
        await app.push_screen(PlanScreen(app.store.pod(session.pod_id), session))
        await pilot.pause()
        other = FolderStore(demo_store.root)
        theirs = other.session("demo-s3")
        theirs.planned_minutes = 150
        other.save_session(theirs)
        app.screen.query_one("#place", Input).focus()
        await type_text(pilot, "4B upstairs")
        assert "was saved by another groupsup" in str(
            app.screen.query_one("#problem", Static).render()
        )
        await pilot.press("escape", "escape")
        await home_is_ready(pilot)
    assert writer.kept_edits(demo_store.root, "demo-s3").session.place == "4B upstairs"

    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        session = app.store.session("demo-s3")
        await app.push_screen(PlanScreen(app.store.pod(session.pod_id), session))
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the offer of the edits")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PlanScreen), "the plan")
        await pilot.press("escape")
        await home_is_ready(pilot)
    both = FolderStore(demo_store.root).session("demo-s3")
    assert (both.place, both.planned_minutes) == ("4B upstairs", 150)
    assert writer.kept_edits(demo_store.root, "demo-s3") is None


async def test_a_pod_the_disk_refuses_is_said_and_the_app_goes_on(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        app.store.save_pod = disk_full
        not_written = notices(app, "Not written")
        await pilot.press("n")
        await type_text(pilot, "South Pod")
        await pilot.press("enter")
        await pilot.pause()
        assert not_written == ["The pod South Pod could not be written (No space left on device)."]
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, PodScreen)
        await pilot.press("n")
        await type_text(pilot, "North")
        await pilot.press("enter")
        await pilot.pause()
        assert not_written[1] == (
            "The pod could not be written (No space left on device). "
            "The change stays here, saved with the next."
        )
        assert isinstance(app.screen, PodScreen)
    assert [p.name for p in FolderStore(demo_store.root).pods()] == ["North Pod"]


def _exports_a_file(folder) -> str:
    folder.write_text("a file where the exports folder goes")
    return f"could not be written to {folder} (Not a directory)."


def _exports_a_link_to_the_sessions(folder) -> str:
    folder.symlink_to(folder.parent / "sessions")  # written through, it would reach the records
    return (
        f"could not be written ({folder} is a symbolic link; a store holds only its own files. "
        "Move it out of the store, or write elsewhere.)."
    )


@pytest.mark.parametrize("spoil", [_exports_a_file, _exports_a_link_to_the_sessions])
async def test_every_export_the_disk_refuses_is_said_and_the_app_goes_on(demo_store, spoil):
    folder = demo_store.root / "exports"
    why = spoil(folder)
    sessions = sorted(demo_store.sessions_folder.iterdir())
    app = GroupSupApp(demo_store.root, bell=False)
    said = notices(app, "Not written")

    async def press(*keys: str) -> None:
        await pilot.press(*keys)
        await pilot.pause()

    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        await press("e")  # the minutes of the chosen session
        await press("c")  # the pod's record
        assert isinstance(app.screen, RecordScreen)
        await press("e")
        await press("escape")
        await home_is_ready(pilot)
        session = demo_store.session("demo-s1")
        await app.push_screen(MinutesScreen(demo_store.pod(session.pod_id), session))
        await press("e")
        await press("x")
        assert isinstance(app.screen, Confirm)
        await press("enter")
        assert isinstance(app.screen, MinutesScreen)
    assert sorted(demo_store.sessions_folder.iterdir()) == sessions
    assert said == [
        f"The minutes {why}",
        f"The record {why}",
        f"The minutes {why}",
        f"The pseudonymised minutes {why}",
    ]


async def close_with_keys(app, pilot, folder) -> None:
    """From the run screen: on to the close, the minutes saved into `folder`, back home."""
    from groupsup.domain.clock import CLOSING
    from groupsup.screens.close import CloseScreen

    screen = app.screen
    while screen.clock.stop.phase != CLOSING:
        await pilot.press("ctrl+n")
    await pilot.press("ctrl+n")
    await until(pilot, lambda: isinstance(app.screen, CloseScreen), "the close screen")
    app.screen.query_one("#folder", Input).value = str(folder)
    await pilot.press("ctrl+s")
    await until(pilot, lambda: len(app.screen_stack) == 1, "home after the close")


async def welfare_typed_then_quit_in_case_one(demo_store, welfare: str) -> None:
    """The session run, its welfare check-in typed, then quit in the first case."""
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_run_screen(pilot)
        await type_text(pilot, welfare)
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+q")


async def test_a_closed_session_stays_closed_once_the_run_screen_has_gone(demo_store, tmp_path):
    """Nothing the run screen saves on its way out may make a closed session running again."""
    from groupsup.domain.models import SessionStatus

    await welfare_typed_then_quit_in_case_one(demo_store, "All six here")
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        run = await the_run_screen(pilot)
        await close_with_keys(app, pilot, tmp_path / "minutes")
        assert run.session.status is SessionStatus.CLOSED  # the run screen knows, and saves no more
    stored = FolderStore(demo_store.root)
    assert stored.session("demo-s3").status is SessionStatus.CLOSED
    assert stored.check() == []


async def test_the_welfare_check_in_outlives_a_quit_and_a_resume(demo_store, tmp_path):
    """Typed at the opening, quit in a case, resumed and closed: the check-in is in the
    minutes, not lost to the empty field of the resumed screen."""
    import json

    await welfare_typed_then_quit_in_case_one(demo_store, "All six here; Tom back from leave")
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_run_screen(pilot)
        await pilot.press("ctrl+q")
    stored = FolderStore(demo_store.root).session("demo-s3")
    assert stored.welfare_checkin == "All six here; Tom back from leave"
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_run_screen(pilot)
        await close_with_keys(app, pilot, tmp_path / "minutes")
    (exported,) = (tmp_path / "minutes").glob("*.json")
    assert json.loads(exported.read_text())["session"]["welfare_checkin"] == (
        "All six here; Tom back from leave"
    )
