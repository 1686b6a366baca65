"""Validation speaks to a facilitator in one sentence."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from groupsup.domain import rules
from groupsup.domain.errors import RuleBroken, explain
from groupsup.domain.models import CaseSlot, MinutesDocument, NextStep, Session
from groupsup.store import demo

DAY = dt.date(2026, 11, 5)


def _reason(**session_fields) -> str:
    fields = {"pod_id": "north-pod", "date": DAY} | session_fields
    with pytest.raises(ValidationError) as caught:
        Session.model_validate(fields)
    return explain(caught.value)


def test_consultant_who_is_also_presenter_is_refused():
    reason = _reason(slots=[{"presenter": demo.TOM, "consultant": demo.TOM}])
    assert reason == (
        "Case 1: The consultant cannot also be the presenter: choose someone else to ask the "
        "questions."
    )


def test_due_date_before_the_session_is_refused():
    step = {"action": "Visit school", "owner": demo.TOM, "due": "2026-10-01"}
    reason = _reason(slots=[{"presenter": demo.TOM, "next_steps": [step]}])
    assert reason == (
        "Case 1: the next step 'Visit school' is due on 2026-10-01, before the session on "
        "2026-11-05; choose a later date."
    )


def test_empty_action_is_refused_with_its_place():
    slot = {"presenter": demo.TOM, "next_steps": [{"action": "Call"}, {"action": "   "}]}
    assert _reason(slots=[slot]) == (
        "Case 1, next step 2: A next step needs an action: say what is to be done."
    )


def test_a_date_that_is_not_a_date_names_the_field():
    assert _reason(date="next tuesday").startswith("Date: Input should be a valid date")


def test_presenter_who_is_not_a_pod_member_is_refused():
    pod = demo.demo_pod()
    session = Session(pod_id=pod.id, date=DAY, slots=[CaseSlot(presenter="zoe-unknown")])
    with pytest.raises(RuleBroken) as caught:
        rules.check_session(pod, session)
    assert str(caught.value) == (
        "The presenter of case 1 'zoe-unknown' is not a member of the pod North Pod."
    )


def test_presenter_who_is_not_present_is_named():
    pod = demo.demo_pod()
    slot = CaseSlot(presenter=demo.LEILA, consultant=demo.TOM)
    session = Session(pod_id=pod.id, date=DAY, attendees=[demo.TOM, demo.GRACE], slots=[slot])
    with pytest.raises(
        RuleBroken, match="Case 1: Leila Haddad is not marked present, so cannot be the presenter"
    ):
        rules.check_session(pod, session)


def test_member_both_present_and_sending_apologies():
    pod = demo.demo_pod()
    session = Session(pod_id=pod.id, date=DAY, attendees=[demo.TOM], apologies=[demo.TOM])
    with pytest.raises(RuleBroken, match="Tom Whitaker cannot be both present and sending"):
        rules.check_session(pod, session)


def test_editing_a_step_keeps_the_rule():
    step = NextStep(action="Call the school")
    with pytest.raises(ValidationError, match="needs an action"):
        step.action = ""
    assert step.action == "Call the school"


def test_minutes_from_a_newer_groupsup_are_refused_plainly():
    data = {"schema_version": 99, "pod": demo.demo_pod().model_dump(), "session": {}}
    with pytest.raises(ValidationError) as caught:
        MinutesDocument.model_validate(data)
    assert explain(caught.value) == (
        "This record was written by a newer groupsup (schema version 99); this one reads up to "
        "version 3. Upgrade groupsup to read it."
    )


def test_observers_see_a_case_reference_without_its_family_name():
    hidden = {
        reference: CaseSlot(presenter=demo.TOM, case_reference=reference).title_without_family
        for reference in ("CS-51230 (Reid)", "CS-51230 Reid", "LAC-7 (Smith-Jones) KL", "Reid", "")
    }
    assert hidden == {
        "CS-51230 (Reid)": "CS-51230",
        "CS-51230 Reid": "CS-51230",
        "LAC-7 (Smith-Jones) KL": "LAC-7 KL",  # initials are a code, as pseudonymising reads them
        "Reid": "(reference hidden: a family name)",
        "": "(no case reference)",
    }
