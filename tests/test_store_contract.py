"""What every store engine promises (`groupsup.store.interface.Store`), run against each engine.

A new engine joins by adding its name to ENGINES and a branch to `store_engine`: every test here
then runs against it too.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import DEMO_DAY

from groupsup.domain import earlier, followup, planning, running
from groupsup.domain.clock import SessionClock
from groupsup.domain.errors import NotFound, RuleBroken, StoreConflict
from groupsup.domain.formats import format_named
from groupsup.domain.models import (
    CaseSlot,
    Hypothesis,
    MinutesDocument,
    NextStep,
    Session,
    SessionStatus,
    StepStatus,
)
from groupsup.domain.roles import SessionRoles
from groupsup.genogram.model import Genogram
from groupsup.observers import joining
from groupsup.store import demo
from groupsup.store.interface import AlreadyStored, Store, open_store

ENGINES = ["folder", pytest.param("postgresql", marks=pytest.mark.slow)]  # a server of its own


class Engine:
    """One store under test: `open()` gives another handle on the same store, as a second
    process would have."""

    def __init__(self, location) -> None:
        self.location = location

    def open(self) -> Store:
        return open_store(self.location)


@pytest.fixture(params=ENGINES)
def store_engine(request, tmp_path) -> Engine:
    if request.param == "folder":
        return Engine(tmp_path / "contract-store")
    if request.param == "postgresql":
        return Engine(request.getfixturevalue("postgres_location"))
    raise AssertionError(f"no engine {request.param}")


@pytest.fixture
def filled(store_engine) -> Store:
    store = store_engine.open()
    demo.fill(store, DEMO_DAY)
    return store


def test_every_engine_is_a_store(store_engine):
    assert isinstance(store_engine.open(), Store)


def test_a_new_store_is_empty_and_checks_clean(store_engine):
    store = store_engine.open()
    assert store.is_empty()
    assert store.pods() == [] and store.summaries() == [] and store.open_steps() == []
    assert store.check() == []


def test_pods_round_trip_and_are_found_by_name_or_key(store_engine, filled):
    again = store_engine.open()
    assert again.pods() == [demo.demo_pod()]
    assert again.pod("north-pod") == demo.demo_pod()
    assert again.find_pod("NORTH POD").id == again.find_pod("north-pod").id == "north-pod"
    assert again.find_pod(None).id == "north-pod"
    assert [(view.id, view.name) for view in again.pod_views()] == [("north-pod", "North Pod")]
    assert again.pod_views()[0].name_of(demo.TOM) == "Tom Whitaker"
    assert not again.is_empty()


def test_what_is_not_there_is_not_found(filled):
    with pytest.raises(NotFound):
        filled.pod("south-pod")
    with pytest.raises(NotFound):
        filled.find_pod("South")
    with pytest.raises(NotFound):
        filled.session("no-such-session")


def test_sessions_round_trip_with_their_index(store_engine, filled):
    again = store_engine.open()
    summaries = again.summaries("north-pod")
    assert [s.id for s in summaries] == ["demo-s1", "demo-s2", "demo-s3"]
    assert [s.status for s in summaries] == [
        SessionStatus.CLOSED,
        SessionStatus.CLOSED,
        SessionStatus.PLANNED,
    ]
    assert summaries[0].presenters == [demo.TOM, demo.PRIYA]
    for summary in summaries:
        assert again.session(summary.id) == filled.session(summary.id)
    assert [s.id for s in again.sessions("north-pod")] == ["demo-s1", "demo-s2", "demo-s3"]
    assert again.summaries("another-pod") == []


def test_a_change_to_the_summary_reaches_the_index_of_every_handle(store_engine, filled):
    session = filled.session("demo-s3")
    session.date = session.date + dt.timedelta(days=2)
    filled.save_session(session)
    assert store_engine.open().summaries()[-1].date == session.date


def test_a_session_that_breaks_a_rule_is_not_saved(store_engine, filled):
    session = filled.session("demo-s3")
    session.slots[0].presenter = "stranger"
    with pytest.raises(RuleBroken):
        filled.save_session(session)
    assert store_engine.open().session("demo-s3").slots[0].presenter != "stranger"


def test_a_second_writer_is_refused(store_engine, filled):
    theirs = store_engine.open()
    their_copy = theirs.session("demo-s3")
    mine = filled.session("demo-s3")
    their_copy.slots[0].hypotheses.append(Hypothesis(text="Theirs"))
    theirs.save_session(their_copy)
    mine.slots[0].hypotheses.append(Hypothesis(text="Mine"))
    with pytest.raises(StoreConflict):
        filled.save_session(mine)
    kept = store_engine.open().session("demo-s3").slots[0].hypotheses
    assert [h.text for h in kept][-1] == "Theirs"


def test_updates_from_two_handles_both_land(store_engine, filled):
    other = store_engine.open()
    for store, text in ((filled, "first"), (other, "second"), (filled, "third")):
        store.update_session(
            "demo-s3", lambda s, text=text: s.slots[0].hypotheses.append(Hypothesis(text=text))
        )
    texts = [h.text for h in store_engine.open().session("demo-s3").slots[0].hypotheses]
    assert texts[-3:] == ["first", "second", "third"]


def test_a_deleted_session_leaves_nothing_behind(store_engine, filled):
    filled.delete_session("demo-s1")
    again = store_engine.open()
    assert [s.id for s in again.summaries()] == ["demo-s2", "demo-s3"]
    assert "demo-s1" not in {fact["id"] for fact in again.report_facts("north-pod")}
    assert "demo-s1" not in {step.session_id for step in again.open_steps()}
    with pytest.raises(NotFound):
        again.session("demo-s1")


def test_open_steps_are_those_not_done_with_their_latest_review(filled):
    steps = {step.action: step for step in filled.open_steps("north-pod")}
    assert steps == {step.action: step for step in filled.open_steps()}
    sessions = filled.sessions("north-pod")
    agreed = [
        (session, slot, step)
        for session in sessions
        for slot in session.slots
        for step in slot.next_steps
    ]
    latest = {review.step_id: review for session in sessions for review in session.review}
    for session, slot, step in agreed:
        status = latest[step.id].status if step.id in latest else step.status
        if status.is_open:
            shown = steps[step.action]
            assert (shown.session_id, shown.agreed, shown.case) == (
                session.id,
                session.date,
                slot.title,
            )
            assert (shown.owner, shown.due, shown.status) == (step.owner, step.due, status)
        else:
            assert step.action not in steps
    assert steps and all(step.status.is_open for step in steps.values())


def test_a_step_reviewed_as_done_is_no_longer_open(store_engine, filled):
    step = filled.open_steps("north-pod")[0]
    session = filled.session("demo-s3")
    followup.carry_forward(session, filled.sessions("north-pod"))
    for review in session.review:
        if review.step_id == step.id:
            review.status = StepStatus.DONE
    filled.save_session(session)
    assert step.id not in {s.id for s in store_engine.open().open_steps("north-pod")}


def test_a_step_no_longer_needed_is_no_longer_open(store_engine, filled):
    step = filled.open_steps("north-pod")[0]
    session = filled.session("demo-s3")
    followup.carry_forward(session, filled.sessions("north-pod"))
    for review in session.review:
        if review.step_id == step.id:
            review.status = StepStatus.DROPPED
    filled.save_session(session)
    assert step.id not in {s.id for s in store_engine.open().open_steps("north-pod")}


def test_a_carried_step_keeps_its_latest_status_and_note_until_reviewed_again(store_engine, filled):
    """Reproduces issue 12 item 6: once the next session opened, every carried step showed
    'open' with an empty note."""
    before = {s.id: (s.status, s.note) for s in filled.open_steps("north-pod")}
    assert (StepStatus.PARTLY, "One visit held.") in before.values()  # reviewed in demo-s2
    session = filled.session("demo-s3")
    followup.carry_forward(session, filled.sessions("north-pod"))
    filled.save_session(session)  # carried in, not yet reviewed
    after = {s.id: (s.status, s.note) for s in store_engine.open().open_steps("north-pod")}
    assert after == before


def _shown(store: Store) -> dict[str, tuple[StepStatus, str]]:
    return {step.id: (step.status, step.note) for step in store.open_steps("north-pod")}


def test_a_step_closed_by_a_session_deleted_after_is_open_again(store_engine, filled):
    review = filled.session("demo-s2").review
    done = next(r.step_id for r in review if r.status is StepStatus.DONE)
    assert done not in _shown(filled)
    filled.delete_session("demo-s2")  # the session that reviewed it as done
    assert _shown(store_engine.open())[done] == (StepStatus.OPEN, "")


def test_a_step_stored_after_the_review_that_closed_it_is_not_open(store_engine, filled):
    """A history brought in newest first: the review is there before the step it closes."""
    before = _shown(filled)
    first = _document(filled, "demo-s1")
    filled.delete_session("demo-s1")
    filled.add_documents([first])
    assert _shown(store_engine.open()) == before


def test_a_review_changed_back_shows_the_step_open_again(store_engine, filled):
    session = filled.session("demo-s2")
    done = next(review for review in session.review if review.status is StepStatus.DONE)
    done.status, done.note = StepStatus.PARTLY, "Only half of it."
    filled.save_session(session)
    assert _shown(store_engine.open())[done.step_id] == (StepStatus.PARTLY, "Only half of it.")
    done.status = StepStatus.DONE
    filled.save_session(session)
    assert done.step_id not in _shown(store_engine.open())


def test_closed_sessions_have_their_facts(store_engine, filled):
    facts = store_engine.open().report_facts("north-pod")
    assert sorted(fact["id"] for fact in facts) == ["demo-s1", "demo-s2"]
    session = filled.session("demo-s3")
    session.status = SessionStatus.CLOSED
    filled.save_session(session)
    facts = store_engine.open().report_facts("north-pod")
    assert sorted(fact["id"] for fact in facts) == ["demo-s1", "demo-s2", "demo-s3"]


def test_a_record_from_a_day_reads_the_facts_from_then_and_the_first(store_engine, filled):
    for session_id in ("demo-s2", "demo-s3"):  # three closed sessions, a month apart
        session = filled.session(session_id)
        session.status = SessionStatus.CLOSED
        filled.save_session(session)
    store = store_engine.open()
    days = {
        fact["id"]: dt.date.fromisoformat(fact["date"]) for fact in store.report_facts("north-pod")
    }
    assert list(days) == ["demo-s1", "demo-s2", "demo-s3"]  # in date order
    since = [fact["id"] for fact in store.report_facts("north-pod", since=days["demo-s3"])]
    assert since == ["demo-s1", "demo-s3"]
    assert store.pod_rows() == [demo.demo_pod().model_dump(mode="json")]


def test_the_facts_from_a_day_make_the_same_record_as_all_of_them(store_engine, filled):
    from groupsup.outputs import report

    for session_id in ("demo-s2", "demo-s3"):
        session = filled.session(session_id)
        session.status = SessionStatus.CLOSED
        filled.save_session(session)
    store = store_engine.open()
    (pod,) = store.pod_rows()
    for fact in store.report_facts("north-pod"):
        for start in (dt.date.fromisoformat(fact["date"]) + dt.timedelta(days=d) for d in (0, 1)):
            end = start + dt.timedelta(days=400)
            assert report.build(
                pod, store.report_facts(pod["id"], since=start), start, end, end
            ) == (report.build(pod, store.report_facts(pod["id"]), start, end, end))


def test_case_records_awaiting_agreement_are_counted_as_the_facts_say(store_engine, filled):
    from groupsup.domain import agreeing, derived

    store = store_engine.open()
    assert store.awaiting_agreement("north-pod") == 3  # the demo's closed sessions' cases
    assert store.awaiting_agreement("north-pod") == derived.awaiting_agreement(
        store.report_facts("north-pod")
    )
    session = filled.session("demo-s2")
    agreeing.agree(filled.pod("north-pod"), session, 1, dt.datetime.now(dt.UTC), correction="")
    filled.save_session(session)
    assert store_engine.open().awaiting_agreement("north-pod") == 2
    assert store.awaiting_agreement("south-pod") == 0


def test_derived_records_are_rebuilt_from_the_sessions_alone(store_engine, filled):
    before = (filled.summaries(), filled.open_steps(), _facts(filled))
    again = store_engine.open()
    again.rebuild_derived()
    assert (again.summaries(), again.open_steps(), _facts(again)) == before
    assert again.check() == []


def _facts(store: Store) -> list[dict]:
    return sorted(store.report_facts("north-pod"), key=lambda fact: fact["id"])


def _document(store: Store, session_id: str) -> MinutesDocument:
    session = store.session(session_id)
    return MinutesDocument(pod=store.pod(session.pod_id), session=session)


def test_documents_are_added_with_their_pod_and_never_overwrite_unasked(store_engine, filled):
    documents = [_document(filled, s.id) for s in filled.summaries()]
    fresh = store_engine.open()
    fresh.delete_session("demo-s2")
    with pytest.raises(AlreadyStored) as refused:
        fresh.add_documents(documents)
    assert refused.value.session_id in {"demo-s1", "demo-s3"}
    assert [s.id for s in store_engine.open().summaries()] == ["demo-s1", "demo-s3"]
    fresh.add_documents(documents, replace=True)
    again = store_engine.open()
    assert [s.id for s in again.summaries()] == ["demo-s1", "demo-s2", "demo-s3"]
    assert again.session("demo-s2") == documents[1].session
    assert "demo-s2" in {fact["id"] for fact in again.report_facts("north-pod")}


@pytest.mark.parametrize("new_pod", ["alpha-pod", "south-pod"])  # before and after north-pod
def test_a_session_imported_again_into_another_pod_leaves_the_pod_it_was_in(
    store_engine, filled, new_pod
):
    document = _document(filled, "demo-s2")
    pod = document.pod.model_copy(update={"id": new_pod, "name": new_pod.title()})
    session = document.session.model_copy(update={"pod_id": new_pod})
    filled.add_documents([MinutesDocument(pod=pod, session=session)], replace=True)
    again = store_engine.open()
    assert [s.pod_id for s in again.summaries() if s.id == "demo-s2"] == [new_pod]
    assert [s.id for s in again.summaries("north-pod")] == ["demo-s1", "demo-s3"]
    assert [fact["id"] for fact in again.report_facts("north-pod")] == ["demo-s1"]
    assert [fact["id"] for fact in again.report_facts(new_pod)] == ["demo-s2"]
    assert {step.session_id for step in again.open_steps("north-pod")} == {"demo-s1"}
    assert again.check() == []


def test_observers_notes_wait_in_the_inbox_until_taken_or_set_aside(store_engine, filled):
    note = json.dumps({"text": "I felt stuck"}).encode()
    filled.post_note("demo-s3", "n1", note)
    store_engine.open().post_note("demo-s3", "n2", b"{}")
    waiting = store_engine.open().waiting_notes("demo-s3")
    assert [body for _, body in waiting] == [note, b"{}"]
    filled.note_taken("demo-s3", waiting[0][0])
    filled.set_note_aside("demo-s3", waiting[1][0])
    assert store_engine.open().waiting_notes("demo-s3") == []
    assert filled.waiting_notes("demo-s1") == []


def test_a_note_that_cannot_be_read_is_named_by_check_and_kept_by_backups_once_set_aside(
    store_engine, filled
):
    filled.post_note("demo-s3", "n1", b"{")
    [waiting] = store_engine.open().check()
    assert "demo-s3" in waiting and "is damaged: it does not hold an observer's note" in waiting
    [(key, _)] = filled.waiting_notes("demo-s3")
    filled.set_note_aside("demo-s3", key)
    [aside] = store_engine.open().check()
    assert "demo-s3" in aside and "an observer's note that could not be taken in" in aside
    taken = filled.backup("test")
    filled.restore(taken.name)
    assert store_engine.open().check() == [aside]  # never lost by a backup and restore


def test_a_note_that_arrives_after_the_close_goes_into_the_closed_sessions_record(
    store_engine, filled
):
    """An observer's note sent in the moment the session closed (their screen still showed it
    running) is never lost: it is taken into the closed session's record and out of the inbox,
    once. A running session's notes are left for its run screen."""
    late = joining.InboxNote(
        kind=joining.NoteKind.RESONANCE, slot_id="s2-okafor", author="tom-whitaker", text="Late"
    )
    store_engine.open().post_note("demo-s2", late.id, late.model_dump_json().encode())
    store_engine.open().post_note("demo-s3", "n1", b"{}")
    assert store_engine.open().sessions_with_waiting_notes() == ["demo-s2", "demo-s3"]
    taken = joining.take_in_late(store_engine.open())
    assert [(session.id, [n.text for n in a.taken]) for session, a in taken] == [
        ("demo-s2", ["Late"])
    ]
    again = store_engine.open()
    assert [(n.observer, n.text) for n in again.session("demo-s2").slots[0].resonance][-1] == (
        "tom-whitaker",
        "Late",
    )
    assert again.session("demo-s2").status is SessionStatus.CLOSED
    assert again.waiting_notes("demo-s2") == []
    assert len(again.waiting_notes("demo-s3")) == 1
    assert joining.take_in_late(again) == []


def test_join_codes_are_kept_for_each_session_and_read_from_any_handle(store_engine, filled):
    filled.save_join_codes("demo-s3", b'{"codes": 1}')
    filled.save_join_codes("demo-s2", b'{"codes": 2}')
    observer = store_engine.open()  # another process, as an observer's screen is
    assert observer.join_codes("demo-s3") == {"demo-s3": b'{"codes": 1}'}
    assert observer.join_codes() == {"demo-s2": b'{"codes": 2}', "demo-s3": b'{"codes": 1}'}
    filled.save_join_codes("demo-s3", b'{"codes": 3}')  # replaced, never added to
    assert observer.join_codes("demo-s3") == {"demo-s3": b'{"codes": 3}'}
    assert observer.join_codes("demo-s1") == {}


def test_who_is_present_is_seen_by_the_facilitator_until_they_leave(store_engine, filled):
    observer, facilitator = store_engine.open(), filled
    seen = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    assert facilitator.present("demo-s3") == {}
    observer.say_present("demo-s3", demo.PRIYA, "laptop", seen)
    observer.say_present("demo-s3", demo.TOM, "phone", seen)
    later = seen + dt.timedelta(seconds=5)
    observer.say_present("demo-s3", demo.PRIYA, "laptop", later)  # her next heartbeat
    assert facilitator.present("demo-s3") == {
        demo.PRIYA: ("laptop", later),
        demo.TOM: ("phone", seen),
    }
    observer.leave("demo-s3", demo.PRIYA, "tablet")  # a screen she no longer uses
    assert demo.PRIYA in facilitator.present("demo-s3")
    observer.leave("demo-s3", demo.PRIYA, "laptop")
    assert list(facilitator.present("demo-s3")) == [demo.TOM]
    assert facilitator.present("demo-s2") == {}


def test_the_pods_own_formats_are_read_from_any_handle(store_engine, filled):
    from conftest import SHORT_FORMAT

    from groupsup.domain.formats import FormatError, format_named

    filled.save_format("short", SHORT_FORMAT)
    filled.save_format("broken", b"name = 'Broken'\nphases = [")
    elsewhere = store_engine.open()  # another machine, on a database
    assert format_named("short", elsewhere.own_formats()).phases[0].prompt == "Talk."
    with pytest.raises(FormatError) as caught:
        format_named("broken", elsewhere.own_formats())
    assert "is not valid TOML" in str(caught.value) and "broken" in str(caught.value)
    filled.save_format("short", SHORT_FORMAT.replace(b"Talk.", b"Listen."))  # replaced
    assert format_named("short", elsewhere.own_formats()).phases[0].prompt == "Listen."


def test_a_backup_can_be_restored(store_engine, filled):
    taken = filled.backup("test")
    filled.delete_session("demo-s2")
    assert [backup.name for backup in filled.backups()] == [taken.name]
    filled.restore(taken.name)
    assert [s.id for s in store_engine.open().summaries()] == ["demo-s1", "demo-s2", "demo-s3"]


def test_a_copy_read_before_a_restore_is_refused_after_it(store_engine, filled):
    """A facilitator who opened a session before someone restored a backup must not save their
    copy over the restored session, not even once the session has been edited as often again
    after the restore as before it (its revision counted back up to theirs)."""
    taken = filled.backup("test")
    session = filled.session("demo-s3")
    session.slots[0].hypotheses.append(Hypothesis(text="Lost to the restore"))
    filled.save_session(session)
    theirs = store_engine.open()
    their_copy = theirs.session("demo-s3")  # read before the restore
    filled.restore(taken.name)
    again = store_engine.open()
    restored = again.session("demo-s3")
    restored.slots[0].hypotheses.append(Hypothesis(text="After the restore"))
    again.save_session(restored)
    their_copy.slots[0].hypotheses.append(Hypothesis(text="Stale"))
    with pytest.raises(StoreConflict, match=r"was saved by another groupsup .* since you opened"):
        theirs.save_session(their_copy)
    kept = [h.text for h in store_engine.open().session("demo-s3").slots[0].hypotheses]
    assert kept[-1] == "After the restore" and "Stale" not in kept


def test_two_writers_inserting_at_once_keep_both_rows(store_engine, filled):
    """The app has the store open (and has read it) while an import from a shell adds a
    session; the app then adds one of its own: neither row may replace the other."""
    from groupsup.domain import planning

    app = filled
    app.summaries(), app.pods()
    shell = store_engine.open()
    imported = _document(filled, "demo-s3")
    imported.session.id = "imported"
    imported.session.date = DEMO_DAY + dt.timedelta(days=60)
    shell.add_documents([imported])
    pod = app.pod("north-pod")
    planned = planning.new_session(pod, DEMO_DAY + dt.timedelta(days=90), app.sessions(pod.id))
    app.save_session(planned)
    ids = [s.id for s in store_engine.open().summaries()]
    assert ids == ["demo-s1", "demo-s2", "demo-s3", "imported", planned.id]


def test_two_writers_adding_pods_keep_both(store_engine, filled):
    from groupsup.domain import planning

    app, shell = filled, store_engine.open()
    app.pods()
    shell.save_pod(planning.new_pod("South Pod", shell.pods()))
    app.save_pod(planning.new_pod("East Pod", app.pods()))
    names = [pod.name for pod in store_engine.open().pods()]
    assert names == ["East Pod", "North Pod", "South Pod"]


# -- what a session carries from earlier ones, reading only those it carries from ------------


def _unstarted(session: Session) -> Session:
    """The session as before it started: nothing reviewed yet, its cases not prepared."""
    fresh = session.model_copy(deep=True, update={"review": []})
    for slot in fresh.slots:
        slot.genogram, slot.history, slot.carried_from = Genogram(), "", None
    return fresh


def _carried_reading_every_session(store: Store, session: Session) -> Session:
    """What starting the session carried when it read every session of its pod."""
    carried, every = _unstarted(session), store.sessions(session.pod_id)
    followup.carry_forward(carried, every)
    for slot in carried.slots:
        planning.carry_over(carried, slot, every)
    return carried


def _carried(store: Store, session: Session) -> tuple[Session, earlier.Earlier]:
    """What starting the session carries now, and what it read to carry it."""
    started = _unstarted(session)
    read = earlier.for_starting(store, started)
    clock = SessionClock(started, format_named(started.format), lambda: 0.0, _wall)
    assert running.start(clock, read)
    return started, read


def _wall() -> dt.datetime:
    return dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)


def _session(store: Store, session_id: str, day: dt.date, cases, reviewed=None) -> Session:
    """A session of the demo pod on `day` presenting `cases` (reference, history), each case
    agreeing a next step of its own; held (closed) when it says how steps stand (`reviewed`:
    step id -> status; the other steps open before it stay 'open', not yet reviewed)."""
    pod = store.pod("north-pod")
    session = planning.new_session(pod, day, store.sessions(pod.id) if reviewed else [])
    session.id = session_id
    session.slots = [
        CaseSlot(
            presenter=demo.TOM,
            case_reference=reference,
            history=history,
            next_steps=[NextStep(action=f"{session_id}: {reference}", owner=demo.PRIYA)],
        )
        for reference, history in cases
    ]
    if reviewed is not None:
        session.status = SessionStatus.CLOSED
        for review in session.review:
            review.status = reviewed.get(review.step_id, StepStatus.OPEN)
            review.note = f"Said in {session_id}" if review.reviewed else ""
    store.save_session(session)
    return session


class YearEnd(NamedTuple):
    store: Store
    done_in_december: str  # a step open before demo-s3 (partly done then), done in December
    reviewed_twice: str  # one open before demo-s3, partly done in December, not done in January
    open_before_s3: set[str]


@pytest.fixture
def across_a_year_end(filled) -> YearEnd:
    """The demo pod's history goes on past its planned session (demo-s3, 25 November 2026)
    into the next year: later sessions review the steps open before demo-s3, the Okafor case
    is presented four times (twice on one day), and a session is planned for February."""
    store = filled
    okafor, ahmed = "CS-40962 (Okafor)", "CS-31177 (Ahmed)"
    open_before_s3 = filled.open_steps("north-pod")
    done = next(step.id for step in open_before_s3 if step.status is StepStatus.PARTLY)
    twice = next(step.id for step in open_before_s3 if step.session_id == "demo-s2")
    december = _session(
        store,
        "dec",
        dt.date(2026, 12, 28),
        [(okafor, "Okafor in December"), (ahmed, "Ahmed in December")],
        {done: StepStatus.DONE, twice: StepStatus.PARTLY},
    )
    _session(
        store,
        "jan-b",
        dt.date(2027, 1, 25),
        [(" cs-40962 ", "Okafor in January, second")],
        {twice: StepStatus.NOT_DONE, december.slots[0].next_steps[0].id: StepStatus.DONE},
    )
    _session(store, "jan-a", dt.date(2027, 1, 25), [(okafor, "Okafor in January, first")], {})
    _session(
        store,
        "feb",
        dt.date(2027, 2, 22),
        [(okafor, ""), (ahmed, ""), ("CS-99999 (New)", ""), ("", "")],
    )
    return YearEnd(store, done, twice, {step.id for step in open_before_s3})


def test_starting_carries_what_reading_every_session_carried(across_a_year_end):
    store = across_a_year_end.store
    for summary in store.summaries("north-pod"):
        session = store.session(summary.id)
        started, read = _carried(store, session)
        expected = _carried_reading_every_session(store, session)
        assert (started.review, started.slots) == (expected.review, expected.slots), session.id
        assert read.unreadable == {}
    february, read = _carried(store, store.session("feb"))
    okafor, ahmed, new, _ = february.slots
    assert (okafor.history, okafor.carried_from) == (
        "Okafor in January, first",
        dt.date(2027, 1, 25),
    )
    assert (ahmed.history, ahmed.carried_from) == ("Ahmed in December", dt.date(2026, 12, 28))
    assert new.carried_from is None and new.history == ""
    assert "demo-s3" not in {s.id for s in read.sessions}  # it carries nothing


def test_a_step_open_before_a_session_is_carried_though_a_later_one_closed_it(across_a_year_end):
    store, done_in_december, *_ = across_a_year_end
    assert done_in_december not in {step.id for step in store.open_steps("north-pod")}
    started, _ = _carried(store, store.session("demo-s3"))
    lines = {line.step_id: line for line in started.review}
    assert (lines[done_in_december].last_status, lines[done_in_december].last_note) == (
        StepStatus.PARTLY,
        "One visit held.",  # as demo-s2 said, not as December did
    )
    assert not any(line.agreed_in == "dec" for line in started.review)
    ahmed = started.slots[2]
    assert ahmed.carried_from == dt.date(2026, 9, 28)  # not December's, after demo-s3


def test_a_step_keeps_its_latest_review_across_the_year_end(across_a_year_end):
    store, done_in_december, reviewed_twice, _ = across_a_year_end
    started, _ = _carried(store, store.session("feb"))
    lines = {line.step_id: line for line in started.review}
    assert done_in_december not in lines
    assert (
        lines[reviewed_twice].last_status,
        lines[reviewed_twice].last_note,
        lines[reviewed_twice].last_reviewed_on,
    ) == (StepStatus.NOT_DONE, "Said in jan-b", dt.date(2027, 1, 25))


def test_the_last_presentation_of_a_case_is_the_latest_held_with_a_genogram_or_history(
    store_engine, across_a_year_end
):
    store, day = across_a_year_end.store, dt.date(2027, 2, 22)
    okafor, ahmed, new = "cs-40962", "cs-31177", "cs-99999"
    asked = {okafor, ahmed, new}
    latest = store.last_presentations("north-pod", asked, day, {"feb"})
    assert latest == {okafor: "jan-a", ahmed: "dec"}  # the earliest id on the latest day
    assert store.last_presentations("north-pod", asked, day, {"feb", "jan-a", "dec"}) == {
        okafor: "jan-b",
        ahmed: "demo-s1",
    }
    assert store.last_presentations("north-pod", asked, dt.date(2026, 12, 27), {"x"}) == {
        okafor: "demo-s2",
        ahmed: "demo-s1",
    }
    assert store.last_presentations("north-pod", [], day, {"feb"}) == {}
    assert store_engine.open().last_presentations("north-pod", asked, day, ["feb"]) == latest


def test_the_steps_open_before_a_session_name_who_agreed_and_last_reviewed_them(
    across_a_year_end,
):
    store, done_in_december, reviewed_twice, open_before_s3 = across_a_year_end
    before_s3 = store.open_steps_before("north-pod", dt.date(2026, 11, 25), "demo-s3")
    assert {s.step_id for s in before_s3} == open_before_s3
    sources = {s.step_id: s for s in before_s3}
    assert (sources[reviewed_twice].agreed_in, sources[reviewed_twice].reviewed_in) == (
        "demo-s2",
        None,
    )
    assert sources[done_in_december].reviewed_in == "demo-s2"
    before_feb = {
        s.step_id: s for s in store.open_steps_before("north-pod", dt.date(2027, 2, 22), "feb")
    }
    assert done_in_december not in before_feb
    assert before_feb[reviewed_twice].reviewed_in == "jan-b"
    assert store.open_steps_before("north-pod", dt.date(2026, 9, 28), "demo-s1") == []


def _damage(store_engine: Engine, session_id: str) -> None:
    """The session's record can no longer be read (its file cut short, its row made invalid)."""
    if isinstance(store_engine.location, Path):
        path = store_engine.location / "sessions" / f"{session_id}.json"
        path.write_bytes(path.read_bytes()[:100])
        return
    import psycopg

    with psycopg.connect(store_engine.location, autocommit=True) as db:
        db.execute("update sessions set record = record - 'date' where id = %s", [session_id])


def test_a_damaged_earlier_session_is_named_and_left_out_as_reading_every_one_left_it(
    store_engine, across_a_year_end
):
    _damage(store_engine, "jan-a")  # it agreed a step still open and last presented Okafor
    store = store_engine.open()
    february = store.session("feb")
    started, read = _carried(store, february)
    expected = _carried_reading_every_session(store, february)
    assert (started.review, started.slots) == (expected.review, expected.slots)
    assert list(read.unreadable) == ["jan-a"] and "jan-a" in read.unreadable["jan-a"]
    assert started.slots[0].history == "Okafor in January, second"  # the one before it


# -- what planning reads of a pod's other sessions: who held which role ----------------------


def _ids(store: Store) -> list[str]:
    return [summary.id for summary in store.summaries("north-pod")]


def test_the_roles_read_of_each_session_are_those_its_whole_record_gives(
    store_engine, across_a_year_end
):
    store = across_a_year_end.store
    expected = [SessionRoles.of(session) for session in store.sessions("north-pod")]
    assert store.session_roles(_ids(store)) == (expected, {})
    assert store_engine.open().session_roles(_ids(store)[::-1]) == (expected[::-1], {})
    assert store.session_roles([]) == ([], {})


def test_a_session_whose_roles_cannot_be_read_is_named_and_left_out(
    store_engine, across_a_year_end
):
    _damage(store_engine, "jan-a")
    store = store_engine.open()
    roles, damaged = store.session_roles([*_ids(store), "no-such-session"])
    assert roles == [SessionRoles.of(session) for session in store.sessions("north-pod")]
    assert list(damaged) == ["jan-a", "no-such-session"]
    assert "jan-a" in damaged["jan-a"] and "no-such-session" in damaged["no-such-session"]


def test_check_names_a_pods_own_format_that_cannot_be_offered_and_why(store_engine, filled):
    from groupsup.domain.formats import BUILT_IN

    filled.save_format("broken", b"name = 'Broken'\nphases = [")
    filled.save_format("group-reflective", (BUILT_IN / "bells-that-ring.toml").read_bytes())
    broken, policy = store_engine.open().check()
    assert "broken" in broken and "is not valid TOML" in broken
    assert "group-reflective" in policy and "has the key of a built-in session format" in policy
