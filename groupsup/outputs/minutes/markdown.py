"""The human record of a session: Markdown minutes, a pure function of the session and its pod.

All user text goes through `text()` or `cell()`, which backslash-escape Markdown and HTML so that
a note containing `#`, `|`, `*`, `<script>` or `[bold]` reads literally wherever it is rendered.
"""

from __future__ import annotations

import datetime as dt
import re

from groupsup.domain.dates import when
from groupsup.domain.models import (
    CaseSlot,
    Hypothesis,
    Lens,
    NextStep,
    Pod,
    Session,
    StepReview,
)
from groupsup.genogram.model import Genogram
from groupsup.outputs.escaping import cell, for_terminal, inline, text

POLICY_NOTE = (
    "Group reflective supervision supports practice; it has no managerial or performance "
    "function. Next steps marked for manager sign-off are decisions on case direction: "
    "finalise them with the line manager in one-to-one supervision."
)


def minutes_between(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60)


def duration(minutes: int | None) -> str:
    if minutes is None:
        return "not recorded"
    hours, mins = divmod(minutes, 60)
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


def render(pod: Pod, session: Session, genogram_drawing=None) -> str:
    """The complete Markdown minutes. `genogram_drawing(genogram) -> str` adds drawings."""
    names = _Names(pod)
    parts = [_header(pod, session, names), _review(session.review, names)]
    for number, slot in enumerate(session.slots, 1):
        parts.append(_case(number, slot, names, genogram_drawing))
    return "\n\n".join(part for part in parts if part).rstrip() + "\n"


class _Names:
    def __init__(self, pod: Pod) -> None:
        self.pod = pod

    def __call__(self, member_id: str | None) -> str:
        return inline(self.pod.name_of(member_id)) if member_id else "not given"

    def many(self, member_ids: list[str]) -> str:
        return ", ".join(self(m) for m in member_ids) or "none"


def _header(pod: Pod, session: Session, names: _Names) -> str:
    actual = minutes_between(session.started_at, session.ended_at)
    rows = [
        ("Date", when(session.date)),
        ("Facilitator", names(session.facilitator or pod.facilitator)),
        ("Present", names.many(session.attendees)),
        ("Apologies", names.many(session.apologies)),
        ("Planned length", duration(session.planned_minutes)),
        ("Actual length", duration(actual)),
        ("Status", session.status.value),
    ]
    table = "\n".join(f"| {label} | {value} |" for label, value in rows)
    return (
        f"# Group reflective supervision: {inline(pod.name)}\n\n"
        f"**{inline(session.marking)}**\n\n"
        f"| | |\n|---|---|\n{table}\n\n"
        f"> {POLICY_NOTE}"
    )


def _review(review: list[StepReview], names: _Names) -> str:
    heading = "## Review of the previous session's next steps\n\n"
    if not review:
        return heading + "No next steps were carried into this session."
    rows = [
        f"| {cell(r.action)} | {cell(r.case_reference)} | {names(r.owner)} | "
        f"{when(r.agreed_on)} | {when(r.due)} | {r.status.value} | {cell(r.note)} |"
        for r in review
    ]
    return (
        heading + "| Action | Case | Owner | Agreed | Due | Status | Note |\n"
        "|---|---|---|---|---|---|---|\n" + "\n".join(rows)
    )


def _case(number: int, slot: CaseSlot, names: _Names, genogram_drawing) -> str:
    planned = f"planned {duration(slot.planned_minutes)}"
    actual = minutes_between(slot.started_at, slot.ended_at)
    actual_text = (
        f"actual {duration(actual)} ({slot.started_at:%H:%M} to {slot.ended_at:%H:%M})"
        if actual is not None
        else "actual time not recorded"
    )
    sections = [
        f"## Case {number}: {inline(slot.title)}",
        f"- **Presenter:** {names(slot.presenter)}\n"
        f"- **Consultant:** {names(slot.consultant)}\n"
        f"- **Observers:** {names.many(slot.observers)}\n"
        f"- **Category:** {slot.category.value}\n"
        f"- **Professional anxiety:** {slot.anxiety.value}\n"
        f"- **Time:** {planned}; {actual_text}",
        _block("Theme or dilemma", slot.dilemma),
        _block("Presenting issue", slot.presenting_issue),
        _block("Case history", slot.history),
        _genogram(slot.genogram, genogram_drawing),
        _block("Notes from the questions and discussion", slot.notes),
        _hypotheses(slot.hypotheses, names),
        _grraacceess(slot),
        _resonance(slot, names),
        _block("What the presenter gained", slot.reflection),
        _next_steps(slot, names),
        _safeguarding(slot),
    ]
    return "\n\n".join(sections)


def _block(title: str, value: str) -> str:
    return f"### {title}\n\n{text(value) or '*Not recorded.*'}"


def _genogram(genogram: Genogram, genogram_drawing) -> str:
    if not genogram.people:
        return "### Genogram\n\n*No genogram recorded.*"
    parts = ["### Genogram"]
    if genogram_drawing is not None:
        drawing = for_terminal(genogram_drawing(genogram))
        longest = max((len(run) for run in re.findall(r"`+", drawing)), default=0)
        fence = "`" * max(3, longest + 1)  # no name in the drawing can close the block
        parts.append(f"{fence}text\n{drawing}\n{fence}")
    rows = []
    for person in genogram.people:
        age = str(person.age) if person.age is not None else (str(person.born or "") or " ")
        marks = [
            m for m, on in (("index child", person.index), ("deceased", person.deceased)) if on
        ]
        notes = "; ".join([*marks, inline(person.notes)] if person.notes else marks) or " "
        rows.append(
            f"| {cell(person.id)} | {cell(person.name)} | {person.gender.value} | {age} | {notes} |"
        )
    parts.append(
        "| Key | Name | Gender | Age or born | Notes |\n|---|---|---|---|---|\n" + "\n".join(rows)
    )
    return "\n\n".join(parts)


def _hypotheses(hypotheses: list[Hypothesis], names: _Names) -> str:
    if not hypotheses:
        return "### Hypotheses\n\n*None recorded.*"
    items = []
    for number, h in enumerate(hypotheses, 1):
        by = f" (written by {names(h.written_by)})" if h.written_by else ""
        lines = [f"{number}. {inline(h.text)}", f"   - Offered by: {names(h.offered_by)}{by}"]
        if h.lenses:
            lines.append(f"   - GRRAACCEESS: {', '.join(lens.value for lens in h.lenses)}")
        if h.supports.strip():
            lines.append(f"   - What supports it: {inline(h.supports)}")
        if h.would_test.strip():
            lines.append(f"   - What would test it: {inline(h.would_test)}")
        items.append("\n".join(lines))
    return "### Hypotheses\n\n" + "\n".join(items)


def _grraacceess(slot: CaseSlot) -> str:
    discussed = [lens for lens in Lens if lens in slot.lenses_discussed]
    not_discussed = [lens for lens in Lens if lens not in slot.lenses_discussed]
    body = f"- Discussed: {', '.join(lens.value for lens in discussed) or 'none recorded'}"
    if discussed:
        body += f"\n- Not discussed: {', '.join(lens.value for lens in not_discussed) or 'none'}"
    if slot.grraacceess_notes.strip():
        body += f"\n\n{text(slot.grraacceess_notes)}"
    return "### GRRAACCEESS\n\n" + body


def _resonance(slot: CaseSlot, names: _Names) -> str:
    if not slot.resonance:
        return "### Resonance\n\n*None recorded.*"
    items = []
    for note in slot.resonance:
        by = f" (written by {names(note.written_by)})" if note.written_by else ""
        items.append(f"- **{names(note.observer)}**{by}: {inline(note.text)}")
    return "### Resonance\n\n" + "\n".join(items)


def _next_steps(slot: CaseSlot, names: _Names) -> str:
    heading = "### Next steps\n\n"
    if not slot.next_steps:
        if slot.no_next_steps:
            return heading + "The group agreed that no next step is needed."
        return heading + "*None recorded.*"
    rows = [_step_row(step, names) for step in slot.next_steps]
    return (
        heading + "| Action | Owner | Due | Manager sign-off | Status |\n"
        "|---|---|---|---|---|\n" + "\n".join(rows)
    )


def _step_row(step: NextStep, names: _Names) -> str:
    signoff = "needed" if step.needs_signoff else "no"
    return (
        f"| {cell(step.action)} | {names(step.owner)} | {when(step.due)} | {signoff} | "
        f"{step.status.value} |"
    )


def _safeguarding(slot: CaseSlot) -> str:
    heading = "### Safeguarding\n\n"
    concern = slot.safeguarding
    if concern is None:
        return heading + "No safeguarding concern was raised."
    done = text(concern.action_taken) or "**Not yet recorded: follow up.**"
    return (
        heading + f"**A safeguarding concern was raised.**\n\n{text(concern.concern)}\n\n"
        f"What was done:\n\n{done}"
    )
