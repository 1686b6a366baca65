"""Planning a session and closing it: the rules the plan and close screens apply, and the
arithmetic that splits a session's time over its cases."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from groupsup.domain import grraacceess, rules
from groupsup.domain.dates import when
from groupsup.domain.errors import NotFound, RuleBroken
from groupsup.domain.followup import carry_forward
from groupsup.domain.models import (
    CaseSlot,
    Member,
    NotHeld,
    Pod,
    Session,
    SessionStatus,
    facilitator_retired,
    new_id,
    unique_key,
)
from groupsup.domain.roles import CaseRoles, SessionRoles
from groupsup.domain.rules import check_roles
from groupsup.domain.vocabulary import same_case

MINIMUM_SLOT_MINUTES = 10
BREAK_MINUTES = 15  # planned in a session of BREAK_FROM_MINUTES or more (the policy's 3 hours)
BREAK_FROM_MINUTES = 150


def largest_remainder(shares: list[float], total: int) -> list[int]:
    """Whole minutes for each share that add up to exactly `total`."""
    floors = [math.floor(share) for share in shares]
    order = sorted(range(len(shares)), key=lambda i: shares[i] - floors[i], reverse=True)
    for i in order[: total - sum(floors)]:
        floors[i] += 1
    return floors


def split(total: int, weights: list[float]) -> list[int]:
    """`total` minutes split in proportion to `weights`, in whole minutes that add up."""
    if not weights:
        return []
    weight_sum = sum(weights)
    return largest_remainder([total * w / weight_sum for w in weights], total)


def take_from(planned: list[int], take: int, minimum: int = MINIMUM_SLOT_MINUTES) -> list[int]:
    """Cases give up `take` minutes in proportion to their length, none going below `minimum`.

    When they cannot give it all, each gives what it can; the caller sees the shortfall in the sum.
    """
    result = [float(p) for p in planned]
    given = min(take, sum(max(0, p - minimum) for p in planned))
    remaining: float = given
    active = [i for i, p in enumerate(planned) if p > minimum]
    while remaining > 1e-9 and active:
        total = sum(result[i] for i in active)
        cuts = {i: remaining * result[i] / total for i in active}
        pinned = [i for i in active if result[i] - cuts[i] < minimum]
        if not pinned:
            for i in active:
                result[i] -= cuts[i]
            break
        for i in pinned:
            remaining -= result[i] - minimum
            result[i] = minimum
            active.remove(i)
    return largest_remainder(result, sum(planned) - given)


def case_minutes(session: Session) -> int:
    """The session's time for cases, after the opening review, the close and a planned break."""
    around = session.opening_minutes + session.closing_minutes + session.break_minutes
    return max(0, session.planned_minutes - around)


def plan_evenly(session: Session, weights: list[float] | None = None) -> None:
    """Give each case its share of the session's case time (equal shares unless weighted)."""
    weights = weights or [1.0] * len(session.slots)
    for slot, minutes in zip(session.slots, split(case_minutes(session), weights), strict=True):
        slot.planned_minutes = max(1, minutes)


def new_pod(name: str, pods: list[Pod]) -> Pod:
    return Pod(id=unique_key(name, {pod.id for pod in pods}), name=name)


def add_member(pod: Pod, name: str) -> Member:
    """Add a member called `name` to the pod; the first member becomes its facilitator."""
    member = Member(id=unique_key(name, {m.id for m in pod.members}), name=name)
    pod.members = [*pod.members, member]
    if pod.facilitator is None:
        pod.facilitator = member.id
    return member


def set_retired(pod: Pod, member_id: str, retired: bool) -> None:
    """Retire a member (they stay in old minutes) or bring them back; never the facilitator."""
    member = pod.member(member_id)
    if member is None:
        raise NotFound(f"There is no member '{member_id}' in the pod {pod.name}.")
    if retired and member_id == pod.facilitator:
        raise RuleBroken(facilitator_retired(member.name))
    member.retired = retired


def next_session_date(dates: list[dt.date], today: dt.date) -> dt.date:
    """A new session's date: four weeks after the pod's last (monthly, as the policy has it),
    and never in the past."""
    return max(max(dates) + dt.timedelta(days=28), today) if dates else today


def new_session(pod: Pod, day: dt.date, pod_sessions: list[Session]) -> Session:
    """A planned session: everyone active present, and open next steps carried into its review."""
    session = Session(
        pod_id=pod.id,
        date=day,
        facilitator=pod.facilitator,
        attendees=[m.id for m in pod.active_members],
    )
    if session.planned_minutes >= BREAK_FROM_MINUTES:
        session.break_minutes = BREAK_MINUTES
    carry_forward(session, pod_sessions)
    return session


def dated_in_future(session: Session, today: dt.date) -> bool:
    """A planned session about to run on a day before its date: the facilitator is asked
    whether to move it to today, so it never runs (and is recorded) under the wrong date."""
    return session.status is SessionStatus.PLANNED and session.date > today


def move_to_today(session: Session, today: dt.date) -> None:
    """Run a planned session today instead of its later date."""
    if session.status is not SessionStatus.PLANNED:
        raise RuleBroken("Only a planned session can be moved to another day.")
    session.date = today


def check_not_held_yet(session: Session, doing: str = "deleted") -> None:
    """Only a planned session may be deleted, postponed or cancelled: once run, it is the
    pod's record, and one postponed or cancelled already says so."""
    if session.status is not SessionStatus.PLANNED:
        where = "has been run" if session.status is SessionStatus.CLOSED else "is " + session.status
        raise RuleBroken(
            f"The session of {when(session.date)} {where}: its record stays. Only a planned "
            f"session can be {doing}."
        )


def check_deletable(session: Session) -> None:
    """Only a session planned by mistake is deleted: not one run or not held, nor the one a
    postponement gave the cases of the session it postponed (with what was prepared)."""
    check_not_held_yet(session)
    if session.postponed_from is not None:
        raise RuleBroken(
            f"The session of {when(session.date)} holds the cases of the session of "
            f"{when(session.postponed_from)}, postponed to it: cancel it instead (the pod's "
            "record keeps why), or postpone it again."
        )


def _reason(reason: str) -> str:
    if not reason.strip():
        raise RuleBroken("Say why the session will not be held: the pod's record keeps the reason.")
    return reason.strip()


def _not_held(session: Session, status: SessionStatus, not_held: NotHeld) -> Session:
    return Session.model_validate(
        session.model_dump() | {"status": status, "not_held": not_held.model_dump()}
    )


def postpone(
    session: Session,
    new_date: dt.date,
    reason: str,
    today: dt.date,
    planned: Mapping[dt.date, str] | None = None,
) -> tuple[Session, Session]:
    """The planned session is not held on its date: returns it as postponed (kept in the record
    with the reason and new date) and the planned session on `new_date` that takes its place,
    with its cases, their preparation and the review carried. `planned`: the pod's other
    planned sessions, by day (a day with one already is refused: one session a day)."""
    check_not_held_yet(session, "postponed")
    if (other := (planned or {}).get(new_date)) is not None:
        raise RuleBroken(
            f"Session {other} is planned on {when(new_date)} already: postpone to another day, "
            "or cancel this one and plan its cases into that one."
        )
    if new_date <= session.date:
        raise RuleBroken(
            f"A session is postponed to a later date: {when(new_date)} is not after "
            f"{when(session.date)}."
        )
    if new_date < today:
        raise RuleBroken(f"{when(new_date)} has passed: postpone to today or a later date.")
    postponed = _not_held(
        session,
        SessionStatus.POSTPONED,
        NotHeld(reason=_reason(reason), new_date=new_date, decided_on=today),
    )
    instead = session.model_copy(
        deep=True,
        update={
            "id": new_id(),
            "date": new_date,
            "postponed_from": session.date,
            "slots": [s.model_copy(deep=True, update={"id": new_id()}) for s in session.slots],
        },
    )
    return postponed, Session.model_validate(instead.model_dump())


def planned_days(sessions: Iterable, but: str) -> dict[dt.date, str]:
    """The days of the planned sessions among `sessions` (summaries will do) other than `but`,
    with their ids: where a postponement may not go."""
    return {s.date: s.id for s in sessions if s.status is SessionStatus.PLANNED and s.id != but}


def cancel(session: Session, reason: str, today: dt.date) -> Session:
    """The planned session is not held at all: returns it as cancelled, with the reason, for
    the record."""
    check_not_held_yet(session, "cancelled")
    return _not_held(
        session, SessionStatus.CANCELLED, NotHeld(reason=_reason(reason), decided_on=today)
    )


def set_attendance(session: Session, member_id: str, state: str) -> None:
    """Mark a member 'present', 'apologies' or 'absent', and keep the slots' observers in step."""
    attendees = [m for m in session.attendees if m != member_id]
    apologies = [m for m in session.apologies if m != member_id]
    if state == "present":
        attendees.append(member_id)
    elif state == "apologies":
        apologies.append(member_id)
    roles = [s for s in session.slots if member_id in (s.presenter, s.consultant)]
    if state != "present" and roles:
        raise RuleBroken(
            f"They hold a role in case {session.slots.index(roles[0]) + 1}; "
            "change the case's roles first."
        )
    session.attendees, session.apologies = attendees, apologies
    for slot in session.slots:  # observers follow who is present; a chosen list is kept
        observers = [o for o in slot.observers if o in attendees]
        if state == "present" and member_id not in (slot.presenter, slot.consultant, *observers):
            observers.append(member_id)
        slot.observers = observers


def attendance(session: Session, member_id: str) -> str:
    if member_id in session.attendees:
        return "present"
    return "apologies" if member_id in session.apologies else "absent"


def put_slot(pod: Pod, session: Session, slot: CaseSlot, replacing: str | None = None) -> None:
    """Add `slot` (or replace the slot with id `replacing`), then re-split the case time."""
    check_roles(pod, session, slot.presenter, slot.consultant)
    roles = (slot.presenter, slot.consultant)
    slot.observers = [o for o in slot.observers if o in session.attendees and o not in roles]
    if replacing is None:
        session.slots = [*session.slots, slot]
    else:
        session.slots = [slot if s.id == replacing else s for s in session.slots]
    plan_evenly(session, [s.weight for s in session.slots])


Roles = tuple[str | None, str | None]  # a case's presenter and consultant, as chosen so far


def observers_for_roles(
    attendees: list[str], ticked: list[str], before: Roles, after: Roles
) -> list[str]:
    """The observers ticked once a case's roles change from `before` to `after`: whoever now
    presents or consults is not observing, and whoever stopped is observing again."""
    freed = {m for m in before if m is not None and m not in after}
    return [m for m in attendees if (m in ticked or m in freed) and m not in after]


def carry_over(session: Session, slot: CaseSlot, pod_sessions: list[Session]) -> bool:
    """A case presented again (the same case reference in the pod) starts from the genogram
    and case history of its last presentation, marked as carried over. Only a case with
    neither yet: nothing the presenter prepared is replaced. Returns whether it carried."""
    key = same_case(slot.case_reference)
    prepared = slot.history.strip() or slot.genogram.source.strip() or slot.genogram.people
    if not key or slot.carried_from or prepared:
        return False
    earlier = [
        (held.date, last)
        for held in pod_sessions
        if held.id != session.id and held.status.held and held.date <= session.date
        for last in held.slots
        if same_case(last.case_reference) == key and (last.genogram.people or last.history)
    ]
    if not earlier:
        return False
    day, last = max(earlier, key=lambda found: found[0])
    slot.genogram = last.genogram.model_copy(deep=True)
    slot.history = last.history
    slot.carried_from = day
    return True


def remove_slot(session: Session, slot_id: str) -> None:
    session.slots = [s for s in session.slots if s.id != slot_id]
    plan_evenly(session, [s.weight for s in session.slots])


def priority_first(session: Session) -> None:
    """Order the cases CP first, then complex CIN, then high professional anxiety."""
    session.slots = sorted(session.slots, key=rules.priority)


def last_presented(pod: Pod, sessions: list[SessionRoles]) -> dict[str, dt.date | None]:
    """When each active member last presented, in held sessions (None: never)."""
    last: dict[str, dt.date | None] = {m.id: None for m in pod.active_members}
    for session in sessions:
        if not session.status.held:
            continue
        for slot in session.slots:
            if slot.presenter in last:
                previous = last[slot.presenter]
                last[slot.presenter] = max(previous, session.date) if previous else session.date
    return last


@dataclass(frozen=True)
class Suggestion:
    member_id: str
    reason: str


def suggest_presenters(pod: Pod, sessions: list[SessionRoles]) -> list[Suggestion]:
    """Who should present next: longest since presenting first; among equals, whoever last
    brought the case of highest priority (CP, complex CIN, high anxiety). Never forced."""
    last = last_presented(pod, sessions)
    last_case: dict[str, CaseRoles] = {}
    for session in sorted(sessions, key=lambda s: s.date):
        if session.status.held:
            for slot in session.slots:
                last_case[slot.presenter] = slot

    def order(member_id: str) -> tuple:
        case = last_case.get(member_id)
        return (last[member_id] or dt.date.min, rules.priority(case) if case else (3, 1))

    suggestions = []
    for member_id in sorted(last, key=order):
        day, case = last[member_id], last_case.get(member_id)
        if day is None or case is None:
            reason = "has not presented yet"
        else:
            reason = f"last presented on {day} ({case.category.value} case {case.title})"
        suggestions.append(Suggestion(member_id, reason))
    return suggestions


def suggest_consultants(
    pod: Pod, sessions: list[SessionRoles], presenter: str, present: list[str] | None = None
) -> list[Suggestion]:
    """Who might consult for `presenter`: whoever has not done so for longest first."""
    last: dict[str, dt.date] = {}
    for session in sessions:
        for slot in session.slots:
            if slot.presenter == presenter and slot.consultant:
                previous = last.get(slot.consultant)
                last[slot.consultant] = max(previous, session.date) if previous else session.date
    candidates = [
        m.id
        for m in pod.active_members
        if m.id != presenter and (present is None or m.id in present)
    ]
    name = pod.name_of(presenter)
    ordered = sorted(candidates, key=lambda m: (last.get(m, dt.date.min), pod.name_of(m)))
    return [
        Suggestion(
            m,
            f"last consulted for {name} on {last[m]}"
            if m in last
            else f"has not consulted for {name} yet",
        )
        for m in ordered
    ]


def close_warnings(pod: Pod, session: Session) -> list[str]:
    """What the record lacks before closing. The facilitator may close all the same."""
    warnings = []
    for number, slot in enumerate(session.slots, 1):
        case = f"Case {number} ({slot.title})"
        if not slot.reflection.strip():
            warnings.append(f"{case}: what the presenter gained is not recorded.")
        if not slot.next_steps and not slot.no_next_steps:
            warnings.append(f"{case}: no next step, and 'no next step needed' is not marked.")
        for step in slot.next_steps:
            gaps = [
                word for word, gap in (("owner", step.owner), ("due date", step.due)) if not gap
            ]
            if gaps:
                missing = " or ".join(gaps)
                warnings.append(f"{case}: the next step '{step.action}' has no {missing}.")
        if not grraacceess.discussed(slot):
            warnings.append(f"{case}: no GRRAACCEESS discussion is recorded.")
        if not slot.grraacceess_notes.strip():
            warnings.append(f"{case}: the GRRAACCEESS at a personal level is not recorded.")
        if slot.safeguarding and not slot.safeguarding.action_taken.strip():
            warnings.append(f"{case}: a safeguarding concern has no record of what was done.")
    unreviewed = [r for r in session.review if r.status.value == "open"]
    if unreviewed:
        warnings.append(f"{len(unreviewed)} next step(s) from earlier sessions were not reviewed.")
    return warnings
