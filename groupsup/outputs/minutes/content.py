"""What the minutes of a session say, as a document: a pure function of the session and its pod.

The parts that describe one case are shared with the case record for the child's file
(`case_record.py`), so the two always say the same thing about a case.
"""

from __future__ import annotations

import datetime as dt

from groupsup.domain import agreeing
from groupsup.domain import grraacceess as grraacceess_record
from groupsup.domain.clock import StoodStill, pauses
from groupsup.domain.dates import when
from groupsup.domain.models import CaseSlot, NextStep, Pod, Session, SessionStatus, StepReview
from groupsup.outputs.document import (
    Block,
    Document,
    Fields,
    GenogramFigure,
    Heading,
    Item,
    Items,
    Look,
    Paragraph,
    Quote,
    Table,
)
from groupsup.outputs.escaping import for_terminal

POLICY_NOTE = (
    "Group reflective supervision supports practice; it has no managerial or performance "
    "function. Next steps marked for manager sign-off are decisions on case direction: "
    "finalise them with the line manager in one-to-one supervision."
)
NOT_RECORDED = Paragraph("Not recorded.", Look.EMPHASIS)
CHILDS_VOICE = "The child's voice: wishes and feelings"
ALTERNATIVES = "Alternative courses of action considered"
PERSONAL_LEVEL = "At a personal level (how the worker's own GRRAACCEESS meet the family's):"
NONE_RECORDED = Paragraph("None recorded.", Look.EMPHASIS)


def minutes_between(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60)


def duration(minutes: int | None) -> str:
    if minutes is None:
        return "not recorded"
    hours, mins = divmod(minutes, 60)
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


class Names:
    """Members' names from their keys, as the pod knows them."""

    def __init__(self, pod: Pod) -> None:
        self.pod = pod

    def __call__(self, member_id: str | None) -> str:
        return self.pod.name_of(member_id) if member_id else "not given"

    def many(self, member_ids: list[str]) -> str:
        return ", ".join(self(m) for m in member_ids) or "none"


def minutes_document(pod: Pod, session: Session) -> Document:
    names = Names(pod)
    document = Document(f"Group reflective supervision: {pod.name}", session.marking)
    document.add(_session_table(pod, session, names), Quote(POLICY_NOTE))
    if session.not_held is not None:
        document.add(*_not_held(session, names))
        return document
    document.add(*block("Welfare check-in", session.welfare_checkin, level=2))
    document.add(*_review(session.review, names))
    for number, slot in enumerate(session.slots, 1):
        document.add(Heading(f"Case {number}: {slot.title}", 2), roles(session, slot, names))
        document.add(*_case(slot, names), *agreement(pod, session, slot))
    return document


def agreement(pod: Pod, session: Session, slot: CaseSlot) -> list[Block]:
    """Where the case's record is after the close: agreed by the worker, passed to the manager."""
    if session.status is not SessionStatus.CLOSED:
        return []
    return [Heading("The record", 3), Paragraph(agreeing.in_words(pod, session, slot))]


def breaks(session: Session) -> str:
    """The break planned, and each time the clock stood still: the break while its planned
    minutes last (as the run screen counts it), a pause after that."""
    planned = f"{duration(session.break_minutes)} planned" if session.break_minutes else ""
    break_left = session.break_minutes * 60.0
    taken: list[str] = []
    paused: list[str] = []
    for stretch in pauses(session):
        (taken if break_left > 0 else paused).append(_stood_still(stretch))
        break_left -= stretch.seconds
    parts = [
        planned,
        f"break {', '.join(taken)}" if taken else "",
        f"clock paused {', '.join(paused)}" if paused else "",
    ]
    return "; ".join(p for p in parts if p) or "none"


def _stood_still(stretch: StoodStill) -> str:
    if stretch.seconds < 60:
        return f"at {stretch.start:%H:%M} (under a minute)"
    minutes = duration(minutes_between(stretch.start, stretch.end))
    return f"{stretch.start:%H:%M} to {stretch.end:%H:%M} ({minutes})"


def _stood_still_in(session: Session, slot: CaseSlot) -> str:
    """How much of a case's time the clock stood still, when it did: its actual time is from
    its start to its end, pauses and all."""
    seconds = sum(s.seconds for s in pauses(session) if s.slot_id == slot.id)
    if not seconds:
        return ""
    said = "under a minute" if seconds < 60 else duration(round(seconds / 60))
    return f", the clock stood still {said} of it"


def _not_held(session: Session, names: Names) -> list[Block]:
    """A session postponed or cancelled: why, and the cases that were planned for it."""
    assert session.not_held is not None
    planned = [
        f"Case {n}: {s.title} ({names(s.presenter)})" for n, s in enumerate(session.slots, 1)
    ]
    return [
        Heading(f"Not held: {held_status(session)}", 2),
        Paragraph(session.not_held.reason),
        Paragraph(f"Decided on {when(session.not_held.decided_on)}."),
        Heading("Cases that were planned", 3),
        Items(tuple(Item(case) for case in planned)) if planned else NONE_RECORDED,
    ]


def held_status(session: Session) -> str:
    """The session's status in words: where postponed, to when; where it took the place of a
    postponed session, from when."""
    if session.not_held is not None and session.not_held.new_date is not None:
        return f"postponed to {when(session.not_held.new_date)}"
    if session.postponed_from is not None:
        return f"{session.status.value} (postponed from {when(session.postponed_from)})"
    return session.status.value


def _session_table(pod: Pod, session: Session, names: Names) -> Table:
    actual = minutes_between(session.started_at, session.ended_at)
    rows = (
        ("Date", when(session.date)),
        ("Facilitator", names(session.facilitator or pod.facilitator)),
        ("Present", names.many(session.attendees)),
        ("Apologies", names.many(session.apologies)),
        ("Planned length", duration(session.planned_minutes)),
        ("Actual length", duration(actual)),
        ("Break and pauses", breaks(session)),
        ("Status", held_status(session)),
    )
    return Table((), rows, caption="The session", row_labels=True)


def _review(review: list[StepReview], names: Names) -> list[Block]:
    heading = Heading("Review of the previous session's next steps", 2)
    if not review:
        return [heading, Paragraph("No next steps were carried into this session.")]
    rows = tuple(
        (
            r.action,
            r.case_reference,
            names(r.owner),
            when(r.agreed_on),
            when(r.due),
            "needed" if r.needs_signoff else "no",
            *r.standing(),
        )
        for r in review
    )
    header = ("Action", "Case", "Owner", "Agreed", "Due", "Manager sign-off", "Status", "Note")
    return [heading, Table(header, rows, caption="Next steps reviewed")]


def roles(session: Session, slot: CaseSlot, names: Names) -> Fields:
    planned = f"planned {duration(slot.planned_minutes)}"
    actual = minutes_between(slot.started_at, slot.ended_at)
    actual_text = (
        f"actual {duration(actual)} ({slot.started_at:%H:%M} to {slot.ended_at:%H:%M})"
        f"{_stood_still_in(session, slot)}"
        if actual is not None
        else "actual time not recorded"
    )
    return Fields(
        (
            ("Presenter", names(slot.presenter)),
            ("Consultant", names(slot.consultant)),
            ("Observers", names.many(slot.observers)),
            ("Category", slot.category.value),
            ("Professional anxiety", slot.anxiety.value),
            ("Time", f"{planned}; {actual_text}"),
            *carried_over(slot),
        )
    )


def carried_over(slot: CaseSlot) -> tuple[tuple[str, str], ...]:
    """Where a case presented again took its genogram and history from, when it did."""
    if slot.carried_from is None:
        return ()
    where = f"genogram and case history from the session of {when(slot.carried_from)}"
    return (("Carried over", where),)


def _case(slot: CaseSlot, names: Names) -> list[Block]:
    return [
        *block("Theme or dilemma", slot.dilemma),
        *block("Presenting issue", slot.presenting_issue),
        *block("Case history", slot.history),
        *block(CHILDS_VOICE, slot.childs_voice),
        *genogram(slot),
        *block("Notes from the questions and discussion", slot.notes),
        *block(ALTERNATIVES, slot.alternatives),
        *hypotheses(slot, names),
        *grraacceess(slot),
        *_resonance(slot, names),
        *block("What the presenter gained", slot.reflection),
        *next_steps(slot, names),
        *safeguarding(slot),
    ]


def said(value: str) -> bool:
    """Whether a field holds anything to show. A control character counts (it is shown, made
    visible), though Python calls some of them whitespace."""
    return bool(for_terminal(value).strip())


def block(title: str, value: str, level: int = 3) -> list[Block]:
    return [Heading(title, level), Paragraph(value) if said(value) else NOT_RECORDED]


def genogram(slot: CaseSlot) -> list[Block]:
    heading = Heading("Genogram", 3)
    if not slot.genogram.people:
        return [heading, Paragraph("No genogram recorded.", Look.EMPHASIS)]
    return [heading, GenogramFigure(slot.genogram, f"People in the genogram of {slot.title}")]


def hypotheses(slot: CaseSlot, names: Names) -> list[Block]:
    heading = Heading("Hypotheses", 3)
    if not slot.hypotheses:
        return [heading, NONE_RECORDED]
    items = []
    for h in slot.hypotheses:
        by = f" (written by {names(h.written_by)})" if h.written_by else ""
        details = [("Offered by", f"{names(h.offered_by)}{by}")]
        if h.lenses:
            details.append(("GRRAACCEESS", ", ".join(lens.value for lens in h.lenses)))
        if h.supports.strip():
            details.append(("What supports it", h.supports))
        if h.would_test.strip():
            details.append(("What would test it", h.would_test))
        items.append(Item(h.text, tuple(details)))
    return [heading, Items(tuple(items), numbered=True)]


def grraacceess(slot: CaseSlot) -> list[Block]:
    discussed = [lens.value for lens in grraacceess_record.discussed(slot)]
    not_discussed = [lens.value for lens in grraacceess_record.not_discussed(slot)]
    rows = [("Discussed", ", ".join(discussed) or "none recorded")]
    if discussed:
        rows.append(("Not discussed", ", ".join(not_discussed) or "none"))
    return [
        Heading("GRRAACCEESS", 3),
        Fields(tuple(rows)),
        Paragraph(PERSONAL_LEVEL, Look.STRONG),
        Paragraph(slot.grraacceess_notes) if said(slot.grraacceess_notes) else NOT_RECORDED,
    ]


def _resonance(slot: CaseSlot, names: Names) -> list[Block]:
    heading = Heading("Resonance", 3)
    if not slot.resonance:
        return [heading, NONE_RECORDED]
    rows = []
    for note in slot.resonance:
        by = f" (written by {names(note.written_by)})" if note.written_by else ""
        rows.append((f"{names(note.observer)}{by}", note.text))
    return [heading, Fields(tuple(rows))]


def next_steps(slot: CaseSlot, names: Names) -> list[Block]:
    heading = Heading("Next steps", 3)
    if not slot.next_steps:
        if slot.no_next_steps:
            return [heading, Paragraph("The group agreed that no next step is needed.")]
        return [heading, NONE_RECORDED]
    header = ("Action", "Owner", "Due", "Manager sign-off", "Status")
    rows = tuple(_step_row(step, names) for step in slot.next_steps)
    return [heading, Table(header, rows, caption=f"Next steps for {slot.title}")]


def _step_row(step: NextStep, names: Names) -> tuple[str, ...]:
    signoff = "needed" if step.needs_signoff else "no"
    if step.signoff_reason.strip():
        signoff = f"needed: {step.signoff_reason}"
    return (step.action, names(step.owner), when(step.due), signoff, step.status.value)


def safeguarding(slot: CaseSlot) -> list[Block]:
    heading = Heading("Safeguarding", 3)
    concern = slot.safeguarding
    if concern is None:
        return [heading, Paragraph("No safeguarding concern was raised.")]
    done = (
        Paragraph(concern.action_taken)
        if concern.action_taken.strip()
        else Paragraph("Not yet recorded: follow up.", Look.STRONG)
    )
    return [
        heading,
        Paragraph("A safeguarding concern was raised.", Look.STRONG),
        Paragraph(concern.concern),
        Paragraph("What was done:"),
        done,
    ]
