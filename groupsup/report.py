"""The pod's record over a period: a pure function of its sessions, written as Markdown or JSON.

What a principal social worker audits: sessions held against the monthly expectation, who
presented and how often, cases by category, the GRRAACCEESS lenses used across hypotheses (and
those never used), next steps agreed, done and overdue, and safeguarding concerns raised.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from groupsup.dates import when
from groupsup.followup import track
from groupsup.minutes.markdown import cell, inline
from groupsup.models import Category, Lens, Pod, Session, SessionStatus, StepStatus

BAR_WIDTH = 24


@dataclass
class Concern:
    date: dt.date
    case: str
    concern: str
    action_taken: str


@dataclass
class PodReport:
    pod: Pod
    start: dt.date
    end: dt.date
    today: dt.date
    months: int
    sessions_held: int
    presentations: dict[str, int]
    cases_by_category: dict[str, int]
    lenses_used: dict[str, int]
    lenses_never_used: list[str]
    steps: dict[str, int] = field(default_factory=dict)
    concerns: list[Concern] = field(default_factory=list)

    @property
    def never_presented(self) -> list[str]:
        return [name for name, count in self.presentations.items() if count == 0]


def months_between(start: dt.date, end: dt.date) -> int:
    """Calendar months the period touches: monthly sessions expected in it."""
    return max(0, (end.year - start.year) * 12 + end.month - start.month + 1)


def twelve_months_to(end: dt.date) -> dt.date:
    """The first day of the twelve calendar months that end with `end`'s month."""
    months = end.year * 12 + end.month - 1 - 11
    return dt.date(months // 12, months % 12 + 1, 1)


def build(
    pod: Pod, sessions: list[Session], start: dt.date, end: dt.date, today: dt.date
) -> PodReport:
    held = [s for s in sessions if start <= s.date <= end and s.status is not SessionStatus.PLANNED]
    presentations = {m.name: 0 for m in pod.active_members}
    categories = Counter({c.value: 0 for c in Category})
    lenses = Counter({lens.value: 0 for lens in Lens})
    concerns = []
    for session in held:
        for slot in session.slots:
            presenter = pod.name_of(slot.presenter)
            presentations[presenter] = presentations.get(presenter, 0) + 1
            categories[slot.category.value] += 1
            for hypothesis in slot.hypotheses:
                lenses.update(lens.value for lens in hypothesis.lenses)
            if slot.safeguarding:
                concerns.append(
                    Concern(
                        session.date,
                        slot.title,
                        slot.safeguarding.concern,
                        slot.safeguarding.action_taken,
                    )
                )
    held_ids = {s.id for s in held}
    agreed = [t for t in track(sessions) if t.session.id in held_ids]
    steps = {
        "agreed": len(agreed),
        "done": sum(t.status is StepStatus.DONE for t in agreed),
        "no longer needed": sum(t.status is StepStatus.DROPPED for t in agreed),
        "still open": sum(t.is_open for t in agreed),
        "overdue": sum(t.is_overdue(today) for t in agreed),
        "needing manager sign-off": sum(t.step.needs_signoff for t in agreed),
    }
    return PodReport(
        pod=pod,
        start=start,
        end=end,
        today=today,
        months=months_between(start, end),
        sessions_held=len(held),
        presentations=presentations,
        cases_by_category=dict(categories),
        lenses_used=dict(lenses),
        lenses_never_used=[lens for lens, count in lenses.items() if count == 0],
        steps=steps,
        concerns=concerns,
    )


def bar(value: int, largest: int) -> str:
    """A bar of block characters in proportion to `largest`."""
    filled = round(BAR_WIDTH * value / largest) if largest else 0
    return "█" * filled + "·" * (BAR_WIDTH - filled)


def chart(rows: dict[str, int]) -> str:
    """A text chart: one line a row, label, bar and figure."""
    if not rows:
        return "(nothing to show)"
    width = max(len(label) for label in rows)
    largest = max(rows.values())
    return "\n".join(
        f"{label.ljust(width)}  {bar(value, largest)} {value}" for label, value in rows.items()
    )


def _fenced_chart(rows: dict[str, int]) -> str:
    text = chart(rows).replace("`", "'")
    return f"```text\n{text}\n```"


def as_markdown(report: PodReport) -> str:
    r = report
    expected = r.months
    rate = f"{round(100 * r.sessions_held / expected)}%" if expected else "n/a"
    safeguarding = (
        "\n".join(
            f"| {when(c.date)} | {cell(c.case)} | {cell(c.concern)} | "
            f"{cell(c.action_taken) if c.action_taken.strip() else '**not recorded**'} |"
            for c in r.concerns
        )
        or "| | none raised | | |"
    )
    return (
        f"# The record of {inline(r.pod.name)}\n\n"
        f"From {when(r.start)} to {when(r.end)}; figures as on {when(r.today)}.\n\n"
        f"## Sessions\n\n"
        f"- Held: {r.sessions_held} of {expected} expected (one a month): {rate}\n\n"
        f"## Presentations\n\n{_fenced_chart(r.presentations)}\n\n"
        f"- Not presented in the period: "
        f"{', '.join(inline(n) for n in r.never_presented) or 'everyone presented'}\n\n"
        f"## Cases by category\n\n{_fenced_chart(r.cases_by_category)}\n\n"
        f"## GRRAACCEESS lenses across hypotheses\n\n{_fenced_chart(r.lenses_used)}\n\n"
        f"- Never used: {', '.join(r.lenses_never_used) or 'none: every lens was used'}\n\n"
        f"## Next steps agreed in the period\n\n{_fenced_chart(r.steps)}\n\n"
        f"## Safeguarding concerns raised\n\n"
        f"| Date | Case | Concern | What was done |\n|---|---|---|---|\n{safeguarding}\n"
    )


def as_json(report: PodReport) -> dict:
    r = report
    return {
        "pod": r.pod.name,
        "from": r.start.isoformat(),
        "to": r.end.isoformat(),
        "as_on": r.today.isoformat(),
        "sessions": {"held": r.sessions_held, "expected": r.months},
        "presentations": r.presentations,
        "never_presented": r.never_presented,
        "cases_by_category": r.cases_by_category,
        "lenses_used": r.lenses_used,
        "lenses_never_used": r.lenses_never_used,
        "next_steps": r.steps,
        "safeguarding": [
            {
                "date": c.date.isoformat(),
                "case": c.case,
                "concern": c.concern,
                "action_taken": c.action_taken,
            }
            for c in r.concerns
        ],
    }
