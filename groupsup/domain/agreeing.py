"""After the close, each case's record goes where the policy sends it (section 12): the worker
who presented agrees it, with a correction if they ask for one, and it is passed to the manager.
Each stage is kept on the case (`CaseSlot.agreement`); these functions make them, in order."""

from __future__ import annotations

import datetime as dt

from groupsup.domain.errors import GroupsupError
from groupsup.domain.models import Agreement, CaseSlot, Pod, Session, SessionStatus
from groupsup.domain.vocabulary import record_stage


def case(session: Session, number: int) -> CaseSlot:
    """Case `number` (from 1) of a closed session, or a sentence saying why not."""
    if not 1 <= number <= len(session.slots):
        raise GroupsupError(
            f"Session {session.id} has {len(session.slots)} cases; choose 1 to "
            f"{len(session.slots)}, not {number}."
        )
    if session.status is not SessionStatus.CLOSED:
        raise GroupsupError(
            f"Session {session.id} is not closed yet: a case record is agreed after the close."
        )
    return session.slots[number - 1]


def agree(
    pod: Pod,
    session: Session,
    number: int,
    at: dt.datetime,
    by: str | None = None,
    correction: str = "",
) -> None:
    """Mark case `number`'s record agreed, by its presenter unless `by` names another member."""
    slot = case(session, number)
    if slot.agreement is not None:
        raise GroupsupError(
            f"Case {number}'s record was agreed by {pod.name_of(slot.agreement.agreed_by)} "
            f"on {slot.agreement.agreed_at:%Y-%m-%d %H:%M}; it stands."
        )
    who = by or slot.presenter
    if pod.member(who) is None:
        raise GroupsupError(f"'{who}' is not a member of {pod.name}.")
    slot.agreement = Agreement(agreed_by=who, agreed_at=at, correction=correction.strip())


def pass_to_manager(session: Session, number: int, manager: str, at: dt.datetime) -> None:
    """Mark case `number`'s agreed record passed to `manager`."""
    slot = case(session, number)
    agreement = slot.agreement
    if agreement is None:
        raise GroupsupError(
            f"Case {number}'s record is not agreed yet: the worker agrees it before it is "
            "passed to the manager."
        )
    if agreement.passed_at is not None:
        raise GroupsupError(
            f"Case {number}'s record was passed to {agreement.manager} on "
            f"{agreement.passed_at:%Y-%m-%d %H:%M}."
        )
    if not manager.strip():
        raise GroupsupError("Say which manager the record goes to.")
    if not manager.isprintable():  # a line break would split the record's stage in two
        raise GroupsupError("A manager's name is one line, without control characters.")
    slot.agreement = agreement.model_copy(update={"manager": manager.strip(), "passed_at": at})
    Agreement.model_validate(slot.agreement.model_dump())  # passed after agreed


def in_words(pod: Pod, session: Session, slot: CaseSlot) -> str:
    """The record's stage as the minutes and the case record say it."""
    agreement = slot.agreement
    if agreement is None:
        return record_stage(session, slot).value.capitalize() + "."
    text = f"Agreed by {pod.name_of(agreement.agreed_by)} on {agreement.agreed_at:%Y-%m-%d %H:%M}"
    if agreement.correction:
        text += f", asking for this correction: {agreement.correction}"
    if agreement.passed_at is None:
        return text + ". Not yet passed to the manager."
    return text + f". Passed to {agreement.manager} on {agreement.passed_at:%Y-%m-%d %H:%M}."


def advance(
    pod: Pod, session: Session, number: int, at: dt.datetime, correction: str, manager: str
) -> None:
    """The next stage for case `number`'s record, as the past session's screen asks: agreed by
    its presenter (with `correction`) if it is not yet, then passed to `manager` if one is
    named."""
    slot = case(session, number)
    if slot.agreement is None:
        agree(pod, session, number, at, correction=correction)
    elif not manager.strip():
        raise GroupsupError(f"Case {number}'s record is agreed: type the manager it is passed to.")
    if manager.strip():
        pass_to_manager(session, number, manager, at)
