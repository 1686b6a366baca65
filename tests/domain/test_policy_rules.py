"""Policy rules that mutation testing found unguarded: what a facilitator relies on."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import DEMO_DAY
from pydantic import ValidationError
from test_clock import clock_for, planned_session

from groupsup.domain import followup, planning
from groupsup.domain.clock import CLOSING, OPENING, WARNING_SECONDS, Alert
from groupsup.domain.errors import NotFound, RuleBroken
from groupsup.domain.models import CaseSlot, NextStep, Safeguarding, Session
from groupsup.domain.roles import CaseRoles, SessionRoles
from groupsup.domain.vocabulary import Anxiety, Category, Lens, SessionStatus, StepStatus
from groupsup.genogram.model import Genogram
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


def test_each_alert_falls_on_its_exact_second(fake):
    clock = clock_for(planned_session(1), fake)
    clock.start()
    clock.advance()  # case 1, presentation
    fake.seconds += clock.phase_left() - WARNING_SECONDS
    assert clock.phase_left() == WARNING_SECONDS
    assert clock.alerts() == [Alert.PHASE_ENDING]  # two minutes left is "ending"
    fake.seconds += WARNING_SECONDS - 0.5
    assert clock.alerts() == []  # half a second left is not yet over
    fake.seconds += 0.5
    assert clock.phase_left() == 0
    assert clock.alerts() == [Alert.PHASE_OVER]  # none left is over


def test_the_case_and_the_session_are_over_on_their_last_second_not_before(fake):
    session = planned_session(1)
    clock = clock_for(session, fake)
    clock.start()
    clock.advance()
    slot = session.slots[0]
    fake.seconds += clock.slot_left(slot) - 0.5
    assert Alert.SLOT_OVER not in clock.alerts()
    fake.seconds += 0.5
    assert clock.slot_left(slot) == 0
    assert Alert.SLOT_OVER in clock.alerts()
    fake.seconds += clock.session_left() - 0.5
    assert Alert.SESSION_OVER not in clock.alerts()
    fake.seconds += 0.5
    assert clock.session_left() == 0
    assert Alert.SESSION_OVER in clock.alerts()


def test_a_finished_session_gives_no_more_alerts(fake):
    clock = clock_for(planned_session(1), fake)
    clock.start()
    while not clock.finished:
        clock.advance()
    fake.pass_minutes(500)
    assert clock.alerts() == []


def test_spare_minutes_are_what_the_opening_review_left_unused_never_its_own_time(fake):
    clock = clock_for(planned_session(2), fake)
    clock.start()
    assert clock.spare_minutes() == 0  # the review still has a claim on the rest of its time
    with pytest.raises(ValueError, match=r"^More time can be given only during a case\.$"):
        clock.propose_more_time(5)
    fake.pass_minutes(5)
    assert clock.spare_minutes() == 0
    clock.advance()  # the review ends after 5 of its 15 minutes
    assert clock.spare_minutes() == 10


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


def test_the_close_check_names_every_gap_case_by_case():
    pod, session = _planned()
    whole = CaseSlot(
        presenter=demo.TOM,
        case_reference="A-1",
        reflection="Clearer about the father's role",
        next_steps=[NextStep(action="Call", owner=demo.TOM, due=DEMO_DAY)],
        lenses_discussed=list(Lens),
        grraacceess_notes="Class",
    )
    empty = CaseSlot(presenter=demo.PRIYA, case_reference="B-2")
    gaps = CaseSlot(
        presenter=demo.DANIEL,
        case_reference="C-3",
        reflection="Less stuck",
        next_steps=[NextStep(action="Visit"), NextStep(action="Ring", owner=demo.TOM)],
        lenses_discussed=list(Lens),
        grraacceess_notes="Age",
    )
    session.slots = [whole, empty, gaps]
    two, three = f"Case 2 ({empty.title})", f"Case 3 ({gaps.title})"
    assert planning.close_warnings(pod, session) == [
        f"{two}: what the presenter gained is not recorded.",
        f"{two}: no next step, and 'no next step needed' is not marked.",
        f"{two}: no GRRAACCEESS discussion is recorded.",
        f"{two}: the GRRAACCEESS at a personal level is not recorded.",
        f"{three}: the next step 'Visit' has no owner or due date.",
        f"{three}: the next step 'Ring' has no due date.",
    ]
    empty.no_next_steps = True
    assert f"{two}: no next step, and 'no next step needed' is not marked." not in (
        planning.close_warnings(pod, session)
    )


def test_a_case_presented_again_starts_from_its_latest_history_up_to_the_session_day():
    pod = demo.demo_pod()

    def held(days: int, history: str, number: int, status=SessionStatus.CLOSED) -> Session:
        before = planning.new_session(pod, DEMO_DAY + dt.timedelta(days=days), [])
        before.id, before.status = f"before-{number}", status
        before.slots = [
            CaseSlot(presenter=demo.TOM, case_reference="CS-1 (Brooks)", history=history)
        ]
        return before

    sessions = [
        held(-56, "First", 1),
        held(-28, "Second", 2),
        held(-14, "Only planned", 3, SessionStatus.PLANNED),
        held(0, "The same day", 4),
        held(28, "Later", 5),
    ]
    session = planning.new_session(pod, DEMO_DAY, [])
    slot = CaseSlot(presenter=demo.TOM, case_reference="cs-1")
    assert planning.carry_over(session, slot, sessions)
    assert (slot.history, slot.carried_from) == ("The same day", DEMO_DAY)
    assert not planning.carry_over(session, slot, sessions)  # once only
    prepared = CaseSlot(presenter=demo.TOM, case_reference="CS-1", genogram=Genogram(source="J"))
    assert not planning.carry_over(session, prepared, sessions)
    assert prepared.history == "" and prepared.carried_from is None
    new_case = CaseSlot(presenter=demo.TOM, case_reference="CS-2")
    assert not planning.carry_over(session, new_case, sessions)
    assert not planning.carry_over(session, CaseSlot(presenter=demo.TOM), sessions)


def _held_with_roles() -> Session:
    _, session = _planned()
    session.status = SessionStatus.CLOSED
    session.slots = [
        CaseSlot(
            presenter=demo.TOM,
            consultant=demo.LEILA,
            observers=[demo.PRIYA],
            case_reference="CS-1 (Brooks)",
            category=Category.CP,
            anxiety=Anxiety.HIGH,
            history="The record itself",
        ),
        CaseSlot(presenter=demo.PRIYA),
    ]
    return session


def test_planning_reads_a_past_session_s_roles_and_dates_without_its_record():
    session = _held_with_roles()
    roles = SessionRoles.of(session)
    assert roles == (
        session.id,
        session.date,
        SessionStatus.CLOSED,
        (
            CaseRoles(demo.TOM, demo.LEILA, "CS-1 (Brooks)", Category.CP, Anxiety.HIGH),
            CaseRoles(demo.PRIYA, None, "", Category.OTHER, Anxiety.MEDIUM),
        ),
    )
    assert SessionRoles.from_record(session.model_dump(mode="json")) == roles
    assert [case.title for case in roles.slots] == ["CS-1 (Brooks)", "(no case reference)"]


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda record: record.pop("date"), "its date is missing"),
        (lambda record: record.update(status="held"), "'held' is not a valid SessionStatus"),
        (lambda record: record.update(slots={}), "its case slots are not a list"),
        (lambda record: record["slots"][0].pop("presenter"), "a case's presenter is missing"),
        (lambda record: record["slots"][0].update(consultant=7), "consultant is not text"),
        (lambda record: record["slots"][1].update(category="urgent"), "valid Category"),
        (lambda record: record["slots"].append("a case"), "a case slot is not a record"),
    ],
)
def test_a_record_that_does_not_hold_a_session_s_roles_says_what_it_lacks(damage, said):
    record = _held_with_roles().model_dump(mode="json")
    damage(record)
    with pytest.raises(ValueError, match=re.escape(said)):
        SessionRoles.from_record(record)
    with pytest.raises(ValidationError):  # as damaged as reading the whole session finds it
        Session.model_validate(record)


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


def test_a_carried_step_keeps_its_owner_due_date_sign_off_and_how_it_was_last_left():
    pod = demo.demo_pod()
    step = NextStep(action="Visit", owner=demo.PRIYA, due=DEMO_DAY, needs_signoff=True)
    agreed = _held(pod, DEMO_DAY - dt.timedelta(days=56), step, 1)
    agreed.slots[0].case_reference = "CS-1"
    reviewed = planning.new_session(pod, DEMO_DAY - dt.timedelta(days=28), [agreed])
    reviewed.review[0].status, reviewed.review[0].note = StepStatus.PARTLY, "Booked"
    reviewed.status = SessionStatus.CLOSED
    (line,) = planning.new_session(pod, DEMO_DAY, [agreed, reviewed]).review
    assert (line.owner, line.due, line.needs_signoff, line.case_reference) == (
        demo.PRIYA,
        DEMO_DAY,
        True,
        "CS-1",
    )
    assert (line.agreed_in, line.agreed_on) == (agreed.id, agreed.date)
    assert (line.last_status, line.last_note, line.last_reviewed_on) == (
        StepStatus.PARTLY,
        "Booked",
        reviewed.date,
    )
    assert line.status is StepStatus.OPEN and line.note == ""


# -- the pod and its cases ----------------------------------------------------------------------


def test_a_new_pod_takes_a_key_of_its_own_and_its_first_member_facilitates():
    first = planning.new_pod("North Pod", [])
    second = planning.new_pod("North Pod", [first])
    assert (first.id, second.id, second.name) == ("north-pod", "north-pod-2", "North Pod")
    amara = planning.add_member(first, "Amara Okafor")
    namesake = planning.add_member(first, "Amara Okafor")
    assert first.facilitator == amara.id == "amara-okafor"
    assert namesake.id == "amara-okafor-2" and namesake.name == "Amara Okafor"
    assert [m.id for m in first.members] == [amara.id, namesake.id]


def test_the_facilitator_cannot_be_retired_and_a_retired_member_can_come_back():
    pod = planning.new_pod("North Pod", [])
    facilitator = planning.add_member(pod, "Amara Okafor")
    member = planning.add_member(pod, "Tom Reid")
    with pytest.raises(RuleBroken):
        planning.set_retired(pod, facilitator.id, True)
    assert not facilitator.retired
    planning.set_retired(pod, facilitator.id, False)  # bringing back is always allowed
    planning.set_retired(pod, member.id, True)
    assert member.retired and pod.active_members == [facilitator]
    planning.set_retired(pod, member.id, False)
    assert not member.retired
    with pytest.raises(NotFound, match="nobody"):
        planning.set_retired(pod, "nobody", True)


def test_removing_a_case_gives_its_time_to_the_cases_left():
    pod, session = _planned()
    for presenter in (demo.TOM, demo.PRIYA, demo.DANIEL):
        planning.put_slot(pod, session, CaseSlot(presenter=presenter, consultant=demo.LEILA))
    planning.plan_evenly(session)
    gone = session.slots[1]
    planning.remove_slot(session, gone.id)
    assert [s.presenter for s in session.slots] == [demo.TOM, demo.DANIEL]
    assert sum(s.planned_minutes for s in session.slots) == planning.case_minutes(session)
    first, second = (s.planned_minutes for s in session.slots)
    assert abs(first - second) <= 1  # an odd minute goes to one of them


def test_back_a_phase_returns_to_it_the_case_keeping_its_time_and_never_before_the_start(fake):
    clock = clock_for(planned_session(2), fake)
    clock.start()
    clock.back()  # at the opening review there is nothing before
    assert clock.stop.phase == OPENING
    clock.advance()
    fake.pass_minutes(3)
    clock.advance()
    fake.pass_minutes(1)
    clock.back()
    assert clock.stop.title == "Presentation"
    fake.pass_minutes(2)
    assert clock.phase_elapsed() == pytest.approx(2 * 60)  # since it was entered again
    assert clock.slot_elapsed(clock.slot) == pytest.approx(6 * 60)  # the case keeps it all
