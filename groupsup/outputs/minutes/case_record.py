"""The record of one case's supervision, for the child's file (policy section 12).

It holds this case and nothing of any other: the session's date, pod and facilitator, the roles
for this case, and what the group said about it. Observers' resonance notes are about their
own cases, so the record names who offered resonance but leaves their notes in the minutes.
"""

from __future__ import annotations

from groupsup.domain.dates import when
from groupsup.domain.errors import GroupsupError
from groupsup.domain.models import CaseSlot, Pod, Session
from groupsup.outputs.document import Block, Document, Fields, Heading, Paragraph
from groupsup.outputs.minutes.content import (
    ALTERNATIVES,
    CHILDS_VOICE,
    Names,
    agreement,
    block,
    grraacceess,
    hypotheses,
    next_steps,
    roles,
    safeguarding,
)


def case_slot(session: Session, number: int) -> CaseSlot:
    """The session's case `number` (counted from 1), or a sentence saying which exist."""
    if not 1 <= number <= len(session.slots):
        raise GroupsupError(
            f"Session {session.id} has {len(session.slots)} cases; the case number must be "
            f"1 to {len(session.slots)}, not {number}."
        )
    return session.slots[number - 1]


def case_record(pod: Pod, session: Session, number: int) -> Document:
    slot = case_slot(session, number)
    names = Names(pod)
    document = Document(f"Group supervision case record: {slot.title}", session.marking)
    document.add(
        Fields(
            (
                ("Date", when(session.date)),
                ("Pod", pod.name),
                ("Facilitator", names(session.facilitator or pod.facilitator)),
            )
        ),
        Paragraph(
            "Discussed in the pod's group reflective supervision. The group's hypotheses are "
            "possibilities to test, not findings; decisions on case direction are made with "
            "the line manager."
        ),
        Heading("Roles", 2),
        roles(session, slot, names),
        Heading("The discussion", 2),
    )
    document.add(*_parts(slot, names), *agreement(pod, session, slot))
    return document


def _parts(slot: CaseSlot, names: Names) -> list[Block]:
    return [
        *block("Theme or dilemma", slot.dilemma),
        *block("Presenting issue", slot.presenting_issue),
        *block(CHILDS_VOICE, slot.childs_voice),
        *hypotheses(slot, names),
        *grraacceess(slot),
        *_resonance(slot, names),
        *block(ALTERNATIVES, slot.alternatives),
        *block("What the presenter gained", slot.reflection),
        *next_steps(slot, names),
        *safeguarding(slot),
    ]


def _resonance(slot: CaseSlot, names: Names) -> list[Block]:
    heading = Heading("Resonance", 3)
    if not slot.resonance:
        return [heading, Paragraph("No resonance was recorded.")]
    offered = names.many(list(dict.fromkeys(note.observer for note in slot.resonance)))
    return [
        heading,
        Paragraph(
            f"Resonance was offered by {offered}. What they said draws on their own cases and "
            "stays in the group's minutes."
        ),
    ]
