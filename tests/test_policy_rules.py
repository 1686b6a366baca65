"""Policy rules that mutation testing found unguarded: what a facilitator relies on."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import DEMO_DAY
from test_clock import clock_for, planned_session

from groupsup.domain import followup, planning
from groupsup.domain.clock import CLOSING, Alert
from groupsup.domain.models import CaseSlot, NextStep, Safeguarding, Session
from groupsup.domain.vocabulary import Anxiety, Category, SessionStatus, StepStatus
from groupsup.store import demo


def _planned():
    pod = demo.demo_pod()
    return pod, planning.new_session(pod, DEMO_DAY, [])


# -- keeping time -------------------------------------------------------------------------------


def test_every_phase_warns_before_its_end_and_says_when_it_is_over(fake):
    clock = clock_for(planned_session(3), fake)
    clock.start()
    clock.advance()  # case 1, presentation
    for phase in ("Presentation", "Consultant's questions"):
        assert clock.stop.title == phase
        fake.pass_minutes((clock.phase_left() - 60) / 60)  # a minute left
        assert clock.alerts() == [Alert.PHASE_ENDING]
        fake.pass_minutes(2)
        assert clock.alerts() == [Alert.PHASE_OVER]
        clock.advance()


def test_more_time_in_the_opening_review_lengthens_the_review_not_a_case(fake):
    session = planned_session(3)
    cases = [s.planned_minutes for s in session.slots]
    clock = clock_for(session, fake)
    clock.start()
    before = clock.phase_left()
    clock.extend(5)
    assert (session.planned_minutes, session.opening_minutes) == (185, 20)
    assert [s.planned_minutes for s in session.slots] == cases
    assert clock.phase_left() == pytest.approx(before + 5 * 60)


def test_more_time_at_the_close_lengthens_the_close_not_a_case(fake):
    session = planned_session(1)
    clock = clock_for(session, fake)
    clock.start()
    while clock.stop.phase != CLOSING:
        clock.advance()
    cases, closing = [s.planned_minutes for s in session.slots], session.closing_minutes
    clock.extend(5)
    assert session.closing_minutes == closing + 5
    assert [s.planned_minutes for s in session.slots] == cases


def test_more_time_after_the_session_is_over_lets_its_end_be_said_again(fake):
    clock = clock_for(planned_session(1), fake)
    clock.start()
    fake.pass_minutes(181)
    assert Alert.SESSION_OVER in clock.alerts()
    clock.extend(10)
    fake.pass_minutes(10)
    assert Alert.SESSION_OVER in clock.alerts()


# -- planning -----------------------------------------------------------------------------------


def test_editing_one_case_slot_leaves_the_others_as_they_were():
    pod, session = _planned()
    for presenter, reference in ((demo.TOM, "A-1"), (demo.PRIYA, "B-2"), (demo.DANIEL, "C-3")):
        slot = CaseSlot(presenter=presenter, consultant=demo.LEILA, case_reference=reference)
        planning.put_slot(pod, session, slot)
    first, second, third = session.slots
    edited = second.model_copy(update={"case_reference": "B-2 (renamed)"})
    planning.put_slot(pod, session, edited, replacing=second.id)
    assert [s.case_reference for s in session.slots] == ["A-1", "B-2 (renamed)", "C-3"]
    assert session.slots[0] is first and session.slots[2] is third


def test_cp_first_then_complex_cin_then_high_anxiety_then_the_rest():
    pod, session = _planned()
    for reference, category, anxiety in [
        ("other", Category.CIN, Anxiety.LOW),
        ("anxious", Category.CIN, Anxiety.HIGH),
        ("complex", Category.COMPLEX_CIN, Anxiety.LOW),
        ("cp", Category.CP, Anxiety.LOW),
    ]:
        slot = CaseSlot(
            presenter=demo.TOM, case_reference=reference, category=category, anxiety=anxiety
        )
        planning.put_slot(pod, session, slot)
    planning.priority_first(session)
    assert [s.case_reference for s in session.slots] == ["cp", "complex", "anxious", "other"]


def test_apologies_and_absence_are_told_apart_and_can_be_undone():
    _pod, session = _planned()
    planning.set_attendance(session, demo.LEILA, "apologies")
    assert planning.attendance(session, demo.LEILA) == "apologies"
    assert demo.LEILA not in session.attendees and session.apologies == [demo.LEILA]
    planning.set_attendance(session, demo.LEILA, "absent")
    assert planning.attendance(session, demo.LEILA) == "absent"
    assert demo.LEILA not in session.attendees + session.apologies
    planning.set_attendance(session, demo.LEILA, "present")
    assert planning.attendance(session, demo.LEILA) == "present"
    assert session.apologies == []


def test_a_safeguarding_concern_without_an_action_is_warned_about_at_the_close():
    pod, session = _planned()
    planning.put_slot(pod, session, CaseSlot(presenter=demo.TOM, consultant=demo.PRIYA))
    slot = session.slots[0]
    slot.safeguarding = Safeguarding(concern="Bruising seen at school")
    concern = "a safeguarding concern has no record of what was done"
    assert any(concern in w for w in planning.close_warnings(pod, session))
    slot.safeguarding.action_taken = "Strategy discussion requested"
    assert not any(concern in w for w in planning.close_warnings(pod, session))


# -- next steps ---------------------------------------------------------------------------------


def _held(pod, day: dt.date, step: NextStep, number: int) -> Session:
    session = planning.new_session(pod, day, [])
    session.id = f"held-{number}"
    session.slots = [CaseSlot(presenter=demo.TOM, next_steps=[step])]
    session.status = SessionStatus.CLOSED
    return session


def test_only_open_steps_from_earlier_sessions_are_carried_forward():
    pod = demo.demo_pod()
    earlier = _held(pod, DEMO_DAY - dt.timedelta(days=28), NextStep(action="Earlier"), 1)
    done = _held(
        pod, DEMO_DAY - dt.timedelta(days=56), NextStep(action="Done", status=StepStatus.DONE), 2
    )
    later = _held(pod, DEMO_DAY + dt.timedelta(days=28), NextStep(action="Later"), 3)
    session = planning.new_session(pod, DEMO_DAY, [earlier, done, later])
    assert [r.action for r in session.review] == ["Earlier"]
    assert followup.carry_forward(session, [earlier, done, later]) == 0  # never twice


def test_a_step_is_overdue_only_after_its_due_day_and_only_while_open():
    pod = demo.demo_pod()
    step = NextStep(action="Visit", due=DEMO_DAY)
    (tracked,) = followup.track([_held(pod, DEMO_DAY - dt.timedelta(days=7), step, 1)])
    assert not tracked.is_overdue(DEMO_DAY)  # due today is not yet overdue
    assert tracked.is_overdue(DEMO_DAY + dt.timedelta(days=1))
    step.status = StepStatus.DONE
    assert not tracked.is_overdue(DEMO_DAY + dt.timedelta(days=1))
