"""Running a session below the screens: starting, the case's lists, closing all or nothing."""

from __future__ import annotations

import pytest
from conftest import home_is_ready, until
from textual.widgets import Input, Static

from groupsup.app import GroupSupApp
from groupsup.domain import earlier, running
from groupsup.domain.clock import CLOSING, SessionClock
from groupsup.domain.errors import NotFound, StoreDamaged
from groupsup.domain.formats import format_named
from groupsup.domain.models import Hypothesis, NextStep, ResonanceNote, SessionStatus
from groupsup.observers import joining
from groupsup.outputs import minutes
from groupsup.screens.close import CloseScreen
from groupsup.store.folder import FolderStore as Store


def at_the_close(demo_store, fake) -> SessionClock:
    session = demo_store.session("demo-s3")
    clock = SessionClock(session, format_named(session.format), fake.monotonic, fake.wall)
    clock.start()
    while clock.stop.phase != CLOSING:
        clock.advance()
    return clock


def test_starting_carries_open_steps_and_starts_the_clock_once(demo_store, fake):
    planned = [s for s in demo_store.sessions("north-pod") if s.status is SessionStatus.PLANNED]
    session = planned[0]
    session.review = []
    clock = SessionClock(session, format_named(session.format), fake.monotonic, fake.wall)
    assert running.start(clock, earlier.for_starting(demo_store, session)) is True
    assert session.status is SessionStatus.RUNNING and session.review
    reviewed = len(session.review)
    assert running.start(clock, earlier.for_starting(demo_store, session)) is False
    assert len(session.review) == reviewed


def test_a_store_whose_step_records_cannot_be_read_starts_the_session_and_says_so(
    demo_store, fake, monkeypatch
):
    """Damaged step records never stop a session starting: nothing is carried, and why is said."""
    session = next(s for s in demo_store.sessions("north-pod") if s.status is SessionStatus.PLANNED)

    def damaged(*_):
        raise StoreDamaged("the store's records of next steps cannot be read")

    monkeypatch.setattr(demo_store, "open_steps_before", damaged)
    carried = earlier.for_starting(demo_store, session)
    assert carried.sessions == [] and carried.unreadable == {
        "": "the store's records of next steps cannot be read"
    }
    clock = SessionClock(session, format_named(session.format), fake.monotonic, fake.wall)
    assert running.start(clock, carried) is True


def test_items_are_added_replaced_and_removed_in_place(demo_store):
    slot = demo_store.session("demo-s3").slots[0]
    first, second = Hypothesis(text="one"), Hypothesis(text="two")
    running.add_item(slot, first)
    running.add_item(slot, second)
    running.add_item(slot, ResonanceNote(observer=slot.observers[0], text="bells"))
    running.add_item(slot, NextStep(action="visit"))
    running.replace_item(slot, first.model_copy(update={"text": "one, revised"}))
    assert [h.text for h in slot.hypotheses[-2:]] == ["one, revised", "two"]
    assert slot.resonance[-1].text == "bells" and slot.next_steps[-1].action == "visit"
    running.remove_item(slot, "hypotheses", second.id)
    assert [h.text for h in slot.hypotheses[-1:]] == ["one, revised"]
    with pytest.raises(NotFound, match="no longer in the case"):
        running.replace_item(slot, second)


def test_a_close_whose_minutes_cannot_be_written_leaves_the_session_as_it_was(
    demo_store, fake, tmp_path
):
    clock = at_the_close(demo_store, fake)
    before = clock.session.model_dump()
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    pod = demo_store.pod("north-pod")
    with pytest.raises(running.NotClosed) as refused:
        running.close(
            clock,
            lambda s: minutes.save_all(pod, s, not_a_folder / "minutes"),
            demo_store.save_session,
        )
    assert str(refused.value).startswith("The minutes could not be written (")
    assert str(refused.value).endswith("so the session is still open: choose another folder.")
    assert clock.session.model_dump() == before
    assert clock.running and clock.stop.phase == CLOSING and not clock.finished
    assert Store(demo_store.root).session("demo-s3").status is not SessionStatus.CLOSED


def test_a_close_refused_by_another_writer_leaves_the_session_as_it_was(demo_store, fake):
    clock = at_the_close(demo_store, fake)
    demo_store.save_session(clock.session)
    before = clock.session.model_dump()
    other = Store(demo_store.root)
    theirs = other.session("demo-s3")
    theirs.slots[0].notes = "Saved by the other facilitator"
    other.save_session(theirs)
    written = []
    with pytest.raises(running.NotClosed) as refused:
        running.close(clock, written.append, demo_store.save_session)
    assert "was saved by another groupsup" in str(refused.value)
    assert str(refused.value).endswith("The session is still open.")
    assert clock.session.model_dump() == before and clock.running
    stored = Store(demo_store.root).session("demo-s3")
    assert stored.status is SessionStatus.RUNNING
    assert stored.slots[0].notes == "Saved by the other facilitator"


def test_a_close_saves_the_closed_session_with_its_end(demo_store, fake, tmp_path):
    clock = at_the_close(demo_store, fake)
    fake.pass_minutes(5)
    pod = demo_store.pod("north-pod")
    closed, written = running.close(
        clock, lambda s: minutes.save_all(pod, s, tmp_path / "out"), demo_store.save_session
    )
    assert closed.status is SessionStatus.CLOSED and closed.ended_at is not None
    assert {p.suffix for p in written} >= {".md", ".json", ".html"}
    assert Store(demo_store.root).session("demo-s3").status is SessionStatus.CLOSED


async def test_the_close_screen_says_why_when_another_writer_saved_first(demo_store, tmp_path):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("r")
        await until(pilot, lambda: hasattr(app.screen, "clock"), "the run screen")
        screen = app.screen
        while screen.clock.stop.phase != CLOSING:
            await pilot.press("ctrl+n")
        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, CloseScreen), "the close screen")
        close = app.screen
        other = Store(demo_store.root)
        theirs = other.session("demo-s3")
        theirs.slots[0].notes = "Saved by the other facilitator"
        other.save_session(theirs)
        close.query_one("#folder", Input).value = str(tmp_path / "minutes")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()  # the backup, taken first in a worker
        await pilot.pause()
        assert app.screen is close  # still there, nothing closed
        problem = str(close.query_one("#problem", Static).render())
        assert "was saved by another groupsup" in problem
        assert problem.endswith("The session is still open.")
        assert screen.session.status is SessionStatus.RUNNING
    stored = Store(demo_store.root).session("demo-s3")
    assert stored.status is SessionStatus.RUNNING
    assert stored.slots[0].notes == "Saved by the other facilitator"


def test_notes_waiting_stay_waiting_when_the_save_fails_and_bad_ones_are_set_aside(
    demo_store, fake
):
    session = at_the_close(demo_store, fake).session
    slot = session.slots[0]
    observer = next(o for o in slot.observers if o != session.facilitator)
    note = joining.InboxNote(kind="hypothesis", slot_id=slot.id, author=observer, text="x")
    joining.post(demo_store, session, note)
    demo_store.post_note(session.id, "broken", b"{")
    failed = joining.take_in_waiting(demo_store, session, lambda s: False)
    assert failed.taken == []
    assert failed.problems[0].startswith("An observer's note could not be read: Invalid JSON")
    inbox = demo_store.sessions_folder / f"{session.id}.inbox"
    assert [path.read_text() for path in inbox.glob("*.set-aside")] == ["{"]  # set aside, kept
    assert len(joining.waiting(demo_store, session.id)) == 1  # kept for the next tick
    saved = []
    arrived = joining.take_in_waiting(demo_store, session, lambda s: saved.append(s) or True)
    assert [n.text for n in arrived.taken] == ["x"] and saved == [session]
    assert joining.waiting(demo_store, session.id) == []
    assert slot.hypotheses[-1].written_by == observer


def test_the_next_session_is_four_weeks_on_and_never_in_the_past():
    import datetime as dt

    from groupsup.domain.planning import next_session_date

    today = dt.date(2026, 11, 23)
    assert next_session_date([], today) == today
    assert next_session_date([dt.date(2026, 11, 20), dt.date(2026, 11, 1)], today) == dt.date(
        2026, 12, 18
    )
    assert next_session_date([dt.date(2026, 9, 1)], today) == today


def test_a_step_due_today_is_not_overdue_and_a_done_one_never_is():
    import datetime as dt

    from groupsup.domain.vocabulary import StepStatus, is_overdue

    today = dt.date(2026, 11, 23)
    assert not is_overdue(StepStatus.OPEN, today, today)
    assert is_overdue(StepStatus.OPEN, today - dt.timedelta(days=1), today)
    assert is_overdue(StepStatus.CARRIED_FORWARD, today - dt.timedelta(days=1), today)
    assert not is_overdue(StepStatus.DONE, today - dt.timedelta(days=1), today)
    assert not is_overdue(StepStatus.OPEN, None, today)
