"""Planning rules: roles, observers and attendance."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import DEMO_DAY

from groupsup.domain import planning
from groupsup.domain.errors import RuleBroken
from groupsup.domain.models import CaseSlot, Session, SessionStatus
from groupsup.store import demo


def _planned():
    pod = demo.demo_pod()
    return pod, planning.new_session(pod, DEMO_DAY, [])


def test_a_case_keeps_the_observers_chosen_who_are_present():
    pod, session = _planned()
    planning.set_attendance(session, demo.HANNAH, "apologies")
    slot = CaseSlot(
        presenter=demo.TOM, consultant=demo.PRIYA, observers=[demo.HANNAH, demo.DANIEL, demo.LEILA]
    )
    planning.put_slot(pod, session, slot)
    assert session.slots[0].observers == [demo.DANIEL, demo.LEILA]


def test_attendance_changes_keep_a_chosen_list_of_observers():
    pod, session = _planned()
    planning.put_slot(
        pod,
        session,
        CaseSlot(presenter=demo.TOM, consultant=demo.PRIYA, observers=[demo.DANIEL, demo.LEILA]),
    )
    planning.set_attendance(session, demo.LEILA, "apologies")
    assert session.slots[0].observers == [demo.DANIEL]
    assert session.apologies == [demo.LEILA]
    planning.set_attendance(session, demo.LEILA, "present")
    assert session.slots[0].observers == [demo.DANIEL, demo.LEILA]


def test_someone_holding_a_role_must_stay_present():
    pod, session = _planned()
    planning.put_slot(pod, session, CaseSlot(presenter=demo.TOM, consultant=demo.PRIYA))
    with pytest.raises(RuleBroken, match="They hold a role in case 1"):
        planning.set_attendance(session, demo.PRIYA, "absent")
    assert demo.PRIYA in session.attendees


def test_only_a_planned_session_dated_after_today_is_moved_to_today():
    today = dt.date(2026, 11, 25)
    session = Session(pod_id="p", date=dt.date(2026, 12, 9))
    assert planning.dated_in_future(session, today)
    assert not planning.dated_in_future(session, dt.date(2026, 12, 9))
    planning.move_to_today(session, today)
    assert session.date == today and not planning.dated_in_future(session, today)
    session.status = SessionStatus.RUNNING
    with pytest.raises(RuleBroken):
        planning.move_to_today(session, dt.date(2026, 11, 20))


def test_a_case_presented_again_starts_from_its_last_genogram_and_history():
    first = demo._first_session(dt.date(2026, 9, 28))  # held: Ahmed's genogram and history
    planned = demo._planned_session(dt.date(2026, 11, 25))
    again = CaseSlot(presenter="priya-shah", case_reference="cs-31177", observers=[])
    assert planning.carry_over(planned, again, [first, planned])
    ahmed = first.slots[1]
    assert again.genogram == ahmed.genogram and again.genogram is not ahmed.genogram
    assert again.history == ahmed.history and again.history
    assert again.carried_from == dt.date(2026, 9, 28)


def test_nothing_prepared_is_replaced_and_only_held_sessions_carry():
    first = demo._first_session(dt.date(2026, 9, 28))
    planned = demo._planned_session(dt.date(2026, 11, 25))
    prepared = CaseSlot(presenter="priya-shah", case_reference="CS-31177", history="New notes")
    assert not planning.carry_over(planned, prepared, [first])
    assert (prepared.history, prepared.genogram.people, prepared.carried_from) == (
        "New notes",
        [],
        None,
    )
    other_plan = demo._planned_session(dt.date(2026, 12, 20))
    other_plan.slots[2].history = "Only planned, never presented"
    fresh = CaseSlot(presenter="priya-shah", case_reference="CS-31177 (Ahmed)")
    assert not planning.carry_over(first, fresh, [other_plan])
    assert planning.same_case("CS-20418 (Brooks)") == planning.same_case(" cs-20418 ")


def test_observers_follow_the_case_roles_as_they_are_chosen():
    attendees = [demo.TOM, demo.PRIYA, demo.DANIEL, demo.LEILA]
    everyone = planning.observers_for_roles(attendees, attendees, (None, None), (demo.TOM, None))
    assert everyone == [demo.PRIYA, demo.DANIEL, demo.LEILA]  # the presenter is not observing
    chosen = planning.observers_for_roles(
        attendees, everyone, (demo.TOM, None), (demo.TOM, demo.PRIYA)
    )
    assert chosen == [demo.DANIEL, demo.LEILA]
    # Daniel consults instead: Priya observes again; Leila, left unticked, stays unticked
    changed = planning.observers_for_roles(
        attendees, [demo.DANIEL], (demo.TOM, demo.PRIYA), (demo.TOM, demo.DANIEL)
    )
    assert changed == [demo.PRIYA]
