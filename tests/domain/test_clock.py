"""Timekeeping with a fake clock: the figures a facilitator sees on the run screen."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import SHORT_FORMAT, START, FakeTime

from groupsup.domain.clock import Alert, SessionClock
from groupsup.domain.formats import FormatError, format_named, load_format
from groupsup.domain.models import Session
from groupsup.domain.planning import plan_evenly, split, take_from
from groupsup.store import demo


def planned_session(slot_count: int = 3) -> Session:
    session = demo._planned_session(START.date())
    session.slots = session.slots[:slot_count]
    plan_evenly(session)
    return session


def clock_for(session: Session, fake: FakeTime, format_id: str = "group-reflective"):
    return SessionClock(session, format_named(format_id), fake.monotonic, fake.wall)


def total(session: Session) -> int:
    slots = sum(s.planned_minutes for s in session.slots)
    return session.opening_minutes + slots + session.closing_minutes


def test_even_plan_fills_the_session():
    session = planned_session(3)
    assert [s.planned_minutes for s in session.slots] == [52, 52, 51]
    assert total(session) == 180


def test_weighted_plan_adds_up():
    session = planned_session(3)
    plan_evenly(session, [2, 1, 1])
    assert [s.planned_minutes for s in session.slots] == [77, 39, 39]
    assert total(session) == 180


def test_a_full_session_run_to_time(fake):
    session = planned_session(3)
    clock = clock_for(session, fake)
    clock.start()
    assert clock.stop.title == "Review of the previous session's next steps"
    assert clock.phase_left() == 15 * 60
    fake.pass_minutes(15)
    clock.advance()
    assert (clock.slot.id, clock.stop.title) == (session.slots[0].id, "Presentation")
    assert clock.phase_left() == pytest.approx(52 * 60 * 0.20)
    while not clock.finished:
        fake.pass_minutes(clock.phase_left() / 60)
        clock.advance()
    assert clock.session_elapsed() == pytest.approx(180 * 60)
    assert clock.session_left() == pytest.approx(0)
    for slot in session.slots:
        assert clock.slot_elapsed(slot) == pytest.approx(slot.planned_minutes * 60)
    first = session.slots[0]
    assert first.started_at == START + dt.timedelta(minutes=15)
    assert first.ended_at == START + dt.timedelta(minutes=15 + 52)
    assert session.ended_at == START + dt.timedelta(minutes=180)


def test_three_hours_in_uneven_steps_do_not_drift(fake):
    session = planned_session(3)
    clock = clock_for(session, fake)
    clock.start()
    for step in range(10_800):  # one look a second for three hours, at irregular moments
        fake.seconds += 1.0 + (0.37 if step % 3 == 0 else -0.185)
        clock.phase_left()
    assert clock.session_elapsed() == pytest.approx(fake.seconds - 1000.0, abs=1e-6)


def test_warning_two_minutes_before_the_end_of_a_phase_then_overrun(fake):
    session = planned_session(3)
    clock = clock_for(session, fake)
    clock.start()
    fake.pass_minutes(12.5)
    assert clock.alerts() == []  # 2 min 30 s left of the 15-minute opening review
    fake.pass_minutes(1)
    assert clock.alerts() == [Alert.PHASE_ENDING]
    assert clock.alerts() == []  # said once
    fake.pass_minutes(2)
    assert clock.alerts() == [Alert.PHASE_OVER]
    assert clock.overrun_minutes() == 1


def spent_or_planned(clock: SessionClock) -> int:
    """The session's minutes: what each finished part took, and the plan of the rest."""
    session = clock.session
    finished = [s for s in session.slots if s.ended_at is not None]
    spent = sum(clock.slot_elapsed(s) for s in finished) / 60
    opening = sum(g.seconds or 0 for g in clock.state.segments if g.phase == "opening") / 60
    planned = sum(s.planned_minutes for s in session.slots if s.ended_at is None)
    return round(opening + spent + planned + session.closing_minutes)


def test_an_overrun_is_taken_from_later_slots_in_proportion(fake):
    session = planned_session(3)
    session.slots[1].planned_minutes, session.slots[2].planned_minutes = 60, 43
    clock = clock_for(session, fake)
    clock.start()
    fake.pass_minutes(15)
    clock.advance()  # into case 1, the opening review having taken its 15 minutes
    fake.pass_minutes(60)
    assert Alert.SLOT_OVER in clock.alerts()
    assert clock.spare_minutes() == 0  # the overrun has used it all
    proposal = clock.propose_more_time(10)
    assert proposal.given == 10 and proposal.shortfall == 0 and proposal.from_spare == 0
    assert list(proposal.new_minutes.values()) == [54, 39]  # 60 and 43 give 10 in proportion
    assert [s.planned_minutes for s in session.slots] == [52, 60, 43]  # nothing until accepted
    clock.accept(proposal)
    assert [s.planned_minutes for s in session.slots] == [62, 54, 39]
    assert total(session) == 180


def test_more_time_comes_from_spare_session_minutes_before_later_cases(fake):
    session = planned_session(3)  # 15 + 52 + 52 + 51 + 10
    clock = clock_for(session, fake)
    clock.start()
    fake.pass_minutes(5)
    clock.advance()  # the opening review took 5 of its 15 minutes
    while clock.slot is session.slots[0]:
        fake.pass_minutes(1)
        clock.advance()  # case 1 took 6 of its 52
    fake.pass_minutes(40)  # case 2 is 12 minutes short of its end
    assert clock.spare_minutes() == 10 + 46
    proposal = clock.propose_more_time(20)
    assert (proposal.given, proposal.from_spare, proposal.from_later) == (20, 20, 0)
    assert proposal.new_minutes == {session.slots[2].id: 51}  # the later case keeps its time
    clock.accept(proposal)
    assert [s.planned_minutes for s in session.slots] == [52, 72, 51]
    assert clock.spare_minutes() == 36
    assert spent_or_planned(clock) <= 180  # the plan still fits the session


def test_spare_minutes_run_out_then_later_cases_give(fake):
    session = planned_session(3)
    clock = clock_for(session, fake)
    clock.start()
    fake.pass_minutes(7)
    clock.advance()  # 8 minutes spare from the opening review
    proposal = clock.propose_more_time(18)
    assert (proposal.from_spare, proposal.from_later) == (8, 10)
    assert list(proposal.new_minutes.values()) == [47, 46]  # 52 and 51 give 10 in proportion
    clock.accept(proposal)
    assert clock.spare_minutes() == 0
    assert spent_or_planned(clock) == 180


def test_no_slot_goes_below_its_minimum_and_the_shortfall_is_said(fake):
    session = planned_session(3)
    clock = clock_for(session, fake)
    clock.start()
    fake.pass_minutes(15)
    clock.advance()
    proposal = clock.propose_more_time(100)
    assert list(proposal.new_minutes.values()) == [10, 10]
    assert (proposal.given, proposal.shortfall) == (83, 17)
    clock.accept(proposal)
    assert total(session) == 180


def test_slots_already_done_never_give_time(fake):
    session = planned_session(3)
    clock = clock_for(session, fake)
    clock.start()
    while clock.slot is not session.slots[1]:
        fake.pass_minutes(clock.phase_left() / 60)  # to time: nothing spare
        clock.advance()
    proposal = clock.propose_more_time(5)
    assert list(proposal.new_minutes) == [session.slots[2].id]
    assert proposal.new_minutes[session.slots[2].id] == 46


def test_take_from_pins_short_slots_at_the_minimum():
    assert take_from([30, 15, 30], 20) == [22, 11, 22]  # in proportion, all above 10
    assert take_from([30, 11, 30], 20) == [21, 10, 20]  # the short case stops at 10
    assert take_from([10, 30], 50) == [10, 10]  # only what is above the minimum can go
    assert split(100, [1, 1, 1]) == [34, 33, 33]


def test_extending_the_session_gives_the_time_to_the_current_case(fake):
    session = planned_session(3)
    clock = clock_for(session, fake)
    clock.start()
    clock.advance()
    before = clock.phase_left()
    clock.extend(15)
    assert session.planned_minutes == 195 and session.slots[0].planned_minutes == 67
    assert clock.phase_left() == pytest.approx(before + 15 * 60)
    assert total(session) == 195


def test_pausing_stops_every_clock(fake):
    session = planned_session(3)
    clock = clock_for(session, fake)
    clock.start()
    clock.advance()
    fake.pass_minutes(4)
    phase, slot, whole = clock.phase_left(), clock.slot_left(clock.slot), clock.session_left()
    clock.pause()
    fake.pass_minutes(25)  # a break
    assert (clock.phase_left(), clock.slot_left(clock.slot), clock.session_left()) == (
        phase,
        slot,
        whole,
    )
    assert clock.alerts() == []  # 29 minutes into a 10-minute phase, but paused for 25
    clock.resume()
    fake.pass_minutes(1)
    assert clock.session_left() == pytest.approx(whole - 60)


def test_resuming_after_a_restart_from_what_was_saved(fake):
    session = planned_session(3)
    clock = clock_for(session, fake)
    clock.start()
    clock.advance()
    clock.advance()  # consultant's questions in case 1
    fake.pass_minutes(3)
    saved = session.model_dump_json()
    fake.pass_minutes(2)  # the app was closed for two minutes while the meeting went on
    reopened = Session.model_validate_json(saved)
    fake.seconds += 50_000  # a new process: its monotonic clock starts somewhere else
    fake.offset -= 50_000
    again = clock_for(reopened, fake)
    assert again.stop.title == "Consultant's questions"
    assert again.phase_elapsed() == pytest.approx(5 * 60)
    assert again.session_elapsed() == pytest.approx(5 * 60)


def test_resuming_a_paused_session_after_a_restart_keeps_it_paused(fake):
    session = planned_session(3)
    clock = clock_for(session, fake)
    clock.start()
    fake.pass_minutes(7)
    clock.pause()
    reopened = Session.model_validate_json(session.model_dump_json())
    fake.pass_minutes(60)
    again = clock_for(reopened, fake)
    assert again.paused and again.session_elapsed() == pytest.approx(7 * 60)


def test_the_bells_that_ring_format_has_its_own_phases(fake):
    session = planned_session(1)
    clock = clock_for(session, fake, "bells-that-ring")
    titles = [stop.title for stop in clock.stops]
    assert titles[1:8] == [
        "Roles allocated",
        "Presenter presents",
        "Consultant questions with curiosity",
        "Observers' reflecting conversation",
        "Consultant asks the presenter for feedback",
        "Action planning",
        "Whole-group reflection",
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("name = 'Mine'\nphases = [", "is not valid TOML"),
        (
            "name = 'Mine'\n[[phases]]\nkey='a'\ntitle='A'\nshare=5\ncapture='notes'\n",
            "Phase 1, prompt: Field required.",
        ),
        (
            "name = 'Mine'\n[[phases]]\nkey='a'\ntitle='A'\nprompt='p'\nshare=0\ncapture='notes'\n",
            "share: Input should be greater than 0.",
        ),
        (
            "name = 'Mine'\n[[phases]]\nkey='a'\ntitle='A'\nprompt='p'\nshare=5\ncapture='chat'\n",
            "capture: Input should be 'presentation', 'notes'",
        ),
        ("name = 'Mine'\nphases = []\n", "should have at least 1 item"),
    ],
)
def test_a_format_file_with_a_mistake_is_refused_plainly(tmp_path, text, reason):
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(FormatError) as caught:
        load_format(path)
    assert str(caught.value).startswith(f"Format file {path}")
    assert reason in str(caught.value)


def test_a_pods_own_format_is_offered_and_a_broken_one_left_out_with_its_reason(tmp_path):
    from groupsup.domain.formats import available_formats
    from groupsup.store.folder import FolderStore

    store = FolderStore(tmp_path)
    store.save_format("short", SHORT_FORMAT)
    store.save_format("broken", b"name = 'Broken'\nphases = [")
    problems: list[str] = []
    formats = available_formats(store.own_formats(), problems)
    assert list(formats) == ["bells-that-ring", "group-reflective", "short"]
    assert formats["short"].phases[0].prompt == "Talk."
    assert problems == [problems[0]] and problems[0].startswith(
        f"Format file {tmp_path / 'formats' / 'broken.toml'} is not valid TOML"
    )
    with pytest.raises(FormatError):
        available_formats(store.own_formats())
    with pytest.raises(FormatError, match=r"broken\.toml is not valid TOML"):
        format_named("broken", store.own_formats())  # asked for by name: its mistake said


def test_a_pods_own_format_never_replaces_a_built_in_one(tmp_path):
    from groupsup.domain.formats import BUILT_IN, available_formats
    from groupsup.store.folder import FolderStore

    store = FolderStore(tmp_path)  # the file put in the store's formats/ by hand
    store.save_format("group-reflective", (BUILT_IN / "bells-that-ring.toml").read_bytes())
    problems: list[str] = []
    formats = available_formats(store.own_formats(), problems)
    assert [f.name for f in formats.values()] == ["Bells that ring", "Group reflective supervision"]
    assert (
        format_named("group-reflective", store.own_formats()).name
        == formats["group-reflective"].name
    )
    assert problems == [
        f"Format file {tmp_path / 'formats' / 'group-reflective.toml'} has the key of a "
        "built-in session format, which stays as it is: it is left out; give it another name."
    ]


def test_a_planned_break_is_taken_with_the_clock_paused_and_recorded(fake):
    from groupsup.outputs import minutes

    session = planned_session(3)
    session.break_minutes = 15
    plan_evenly(session)
    assert sum(s.planned_minutes for s in session.slots) == 180 - 15 - 15 - 10
    clock = clock_for(session, fake)
    clock.start()
    fake.pass_minutes(15)
    clock.advance()
    assert clock.session_left() == pytest.approx((180 - 15 - 15) * 60)
    clock.pause()  # the break
    fake.pass_minutes(14)
    assert clock.session_left() == pytest.approx((180 - 15 - 15) * 60)  # the clock stood still
    clock.resume()
    clock.advance()
    assert clock.spare_minutes() == 0  # the break was planned: it is not spare time
    md = minutes.as_markdown(demo.demo_pod(), session)
    assert "| Break and pauses | 15 min planned; break 10:15 to 10:29 (14 min) |" in md


def test_every_pause_that_stopped_the_clock_is_in_the_minutes_where_its_time_went(fake):
    """The break, then two pauses in the first case (one of 40 seconds): the session's table
    itemises each, the break named as such, and the case says how much of its time the clock
    stood still, so its actual time is not read as time spent on it."""
    from groupsup.outputs import minutes

    session = planned_session(3)
    session.break_minutes = 15
    plan_evenly(session)
    clock = clock_for(session, fake)
    clock.start()
    fake.pass_minutes(15)
    clock.pause()  # the break, taken whole before the first case
    fake.pass_minutes(15)
    clock.resume()
    clock.advance()  # 10:30: case 1
    fake.pass_minutes(11)
    clock.pause()  # 10:41: a phone call
    fake.pass_minutes(3)
    clock.resume()
    fake.pass_minutes(17)
    clock.pause()  # 11:01: a knock at the door
    fake.pass_minutes(40 / 60)
    clock.resume()
    fake.pass_minutes(10)
    while clock.slot is not None and clock.slot.id == session.slots[0].id:
        clock.advance()
    md = minutes.as_markdown(demo.demo_pod(), session)
    assert (
        "| Break and pauses | 15 min planned; break 10:15 to 10:30 (15 min); clock paused "
        "10:41 to 10:44 (3 min), at 11:01 (under a minute) |"
    ) in md
    assert (
        "- **Time:** planned 47 min; actual 42 min (10:30 to 11:11), the clock stood still "
        "4 min of it"
    ) in md


def test_a_three_hour_session_is_planned_with_a_break():
    from groupsup.domain.planning import new_session

    pod = demo.demo_pod()
    assert new_session(pod, START.date(), []).break_minutes == 15
    assert planned_session(3).break_minutes == 0  # sessions made before breaks keep none


def test_the_break_counts_down_while_the_clock_stands_still(fake):
    """A pause is the planned break until the break's minutes are used; after that, a pause."""
    session = planned_session(3)
    session.break_minutes = 15
    plan_evenly(session)
    clock = clock_for(session, fake)
    clock.start()
    assert clock.break_left() == 15 * 60 and clock.paused_seconds() == 0
    clock.pause()
    fake.pass_minutes(5)
    assert (clock.paused_seconds(), clock.break_left()) == (5 * 60, 10 * 60)
    clock.resume()
    fake.pass_minutes(30)
    clock.pause()
    fake.pass_minutes(12)
    assert (clock.paused_seconds(), clock.break_left()) == (12 * 60, -2 * 60)  # 2 min over
    clock.resume()
    assert clock.break_left() == -2 * 60 and clock.paused_seconds() == 0
    assert clock_for(planned_session(3), fake).break_left() is None  # no break planned
