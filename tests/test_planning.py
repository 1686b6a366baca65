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
