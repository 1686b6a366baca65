"""Rules that need the pod as well as the session: who may hold which role."""

from __future__ import annotations

from collections.abc import Iterable

from groupsup.domain.errors import RuleBroken
from groupsup.domain.models import Anxiety, CaseSlot, Category, Pod, Session, SessionStatus
from groupsup.domain.roles import CaseRoles


def _member_names(pod: Pod, ids: set[str]) -> str:
    return ", ".join(sorted(pod.name_of(i) for i in ids))


def check_member(pod: Pod, member_id: str | None, role: str) -> None:
    if member_id is not None and pod.member(member_id) is None:
        raise RuleBroken(f"The {role} '{member_id}' is not a member of the pod {pod.name}.")


def check_session(pod: Pod, session: Session) -> None:
    """Raise RuleBroken with one sentence if the session does not fit its pod."""
    if session.pod_id != pod.id:
        raise RuleBroken(f"This session belongs to pod '{session.pod_id}', not to {pod.name}.")
    check_member(pod, session.facilitator, "facilitator")
    for member_id in session.attendees:
        check_member(pod, member_id, "attendee")
    for member_id in session.apologies:
        check_member(pod, member_id, "member sending apologies")
    both = set(session.attendees) & set(session.apologies)
    if both:
        raise RuleBroken(
            f"{_member_names(pod, both)} cannot be both present and sending apologies."
        )
    for number, slot in enumerate(session.slots, 1):
        _check_slot(pod, session, number, slot)
    slot_ids = [slot.id for slot in session.slots]
    if len(set(slot_ids)) != len(slot_ids):  # a case's genogram, notes and record go by its id
        raise RuleBroken("Two cases of this session have the same id.")
    step_ids = [step.id for step in session.next_steps]
    if len(set(step_ids)) != len(step_ids):  # a step is reviewed, and listed open, by its id
        raise RuleBroken("Two next steps of this session have the same id.")
    for reviewed in session.review:
        check_member(pod, reviewed.owner, "owner of a reviewed next step")


def _check_slot(pod: Pod, session: Session, number: int, slot: CaseSlot) -> None:
    check_member(pod, slot.presenter, f"presenter of case {number}")
    check_member(pod, slot.consultant, f"consultant of case {number}")
    for observer in slot.observers:
        check_member(pod, observer, f"observer in case {number}")
    if session.attendees:  # who was there is recorded: the roles must be among them
        try:
            check_roles(pod, session, slot.presenter, slot.consultant, slot.observers)
        except RuleBroken as error:
            raise RuleBroken(f"Case {number}: {error}") from None
    for hypothesis in slot.hypotheses:
        check_member(pod, hypothesis.offered_by, f"person offering a hypothesis in case {number}")
        check_member(pod, hypothesis.written_by, f"writer of a hypothesis in case {number}")
    for note in slot.resonance:
        check_member(pod, note.observer, f"observer with a resonance note in case {number}")
        check_member(pod, note.written_by, f"writer of a resonance note in case {number}")
    for step in slot.next_steps:
        check_member(pod, step.owner, f"owner of a next step in case {number}")
    if slot.agreement is not None:
        check_member(pod, slot.agreement.agreed_by, f"member agreeing case {number}'s record")
        if session.status is not SessionStatus.CLOSED:
            raise RuleBroken(
                f"Case {number}'s record is agreed, but the session is not closed: a record is "
                "agreed after the close."
            )


def check_roles(
    pod: Pod,
    session: Session,
    presenter: str | None,
    consultant: str | None,
    observers: Iterable[str] = (),
) -> None:
    """Raise RuleBroken, with the reason, when these roles cannot be allocated: the slot form
    asks this as roles are chosen, and every save and import through `check_session`."""
    if presenter is None:
        raise RuleBroken("Choose who presents the case.")
    if consultant == presenter:
        raise RuleBroken("The consultant cannot also be the presenter: choose someone else.")
    for role, member_id in (("presenter", presenter), ("consultant", consultant)):
        if member_id is not None and member_id not in session.attendees:
            name = pod.name_of(member_id)
            raise RuleBroken(f"{name} is not marked present, so cannot be the {role}.")
    for member_id in observers:
        if member_id not in session.attendees:
            name = pod.name_of(member_id)
            raise RuleBroken(f"{name} is not marked present, so cannot be an observer.")


PRIORITY = {Category.CP: 0, Category.COMPLEX_CIN: 1}


def priority(slot: CaseSlot | CaseRoles) -> tuple[int, int]:
    """Sort key: CP first, then complex CIN, then high professional anxiety (policy section 8)."""
    return (PRIORITY.get(slot.category, 2), 0 if slot.anxiety is Anxiety.HIGH else 1)


def is_priority(slot: CaseSlot) -> bool:
    return slot.category in PRIORITY or slot.anxiety is Anxiety.HIGH
