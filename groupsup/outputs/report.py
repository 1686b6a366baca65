"""The pod's record over a period, written as Markdown or JSON. Free of pydantic: it works from
the facts the store keeps of each session held (or postponed or cancelled), so `groupsup report`
starts quickly.

What a principal social worker audits: sessions held against the monthly expectation, and those
not held with why; who presented and how often, cases by category, the GRRAACCEESS lenses cases
discussed (and those never used), next steps agreed, done and overdue, and safeguarding concerns
raised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from groupsup.domain.dates import when
from groupsup.domain.vocabulary import Category, Lens, StepStatus, current_status, is_overdue
from groupsup.outputs.escaping import cell, inline
from groupsup.store.files import private_folder, write_private_text

if TYPE_CHECKING:
    from groupsup.store.interface import Store

BAR_WIDTH = 24


@dataclass
class Concern:
    date: dt.date
    case: str
    concern: str
    action_taken: str


@dataclass
class NotHeld:
    """A planned session postponed or cancelled, and why (policy section 12)."""

    date: dt.date
    status: str
    reason: str
    new_date: dt.date | None

    def in_words(self) -> str:
        to = f" to {when(self.new_date)}" if self.new_date else ""
        return f"{when(self.date)}, {self.status}{to}: {self.reason}"


@dataclass
class PodReport:
    pod_name: str
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
    not_held: list[NotHeld] = field(default_factory=list)

    @property
    def never_presented(self) -> list[str]:
        return [name for name, count in self.presentations.items() if count == 0]


def months_between(start: dt.date, end: dt.date) -> int:
    """Calendar months the period touches: monthly sessions expected in it."""
    return max(0, (end.year - start.year) * 12 + end.month - start.month + 1)


def _expected_months(
    ordered_facts: list[dict], start: dt.date, end: dt.date, today: dt.date
) -> int:
    """Monthly sessions expected in the period, counted from the pod's first session (a pod
    made last month is not expected to have met for a year) to today: a month still to come
    is not owed a session."""
    if not ordered_facts or start > today:
        return 0
    first = dt.date.fromisoformat(ordered_facts[0]["date"])
    return months_between(max(start, first), min(end, today))


def twelve_months_to(end: dt.date) -> dt.date:
    """The first day of the twelve calendar months that end with `end`'s month."""
    months = end.year * 12 + end.month - 1 - 11
    return dt.date(months // 12, months % 12 + 1, 1)


def build(pod: dict, facts: list[dict], start: dt.date, end: dt.date, today: dt.date) -> PodReport:
    """The record of `pod` (a pod as plain data) from its closed sessions' facts."""
    names = {m["id"]: m["name"] for m in pod["members"]}
    ordered = sorted(facts, key=lambda f: (f["date"], f["id"]))
    in_period = [f for f in ordered if start <= dt.date.fromisoformat(f["date"]) <= end]
    # .get: a database's facts written before sessions could be postponed have no such key
    held = [f for f in in_period if not f.get("not_held")]
    not_held = [
        NotHeld(
            dt.date.fromisoformat(f["date"]),
            f["not_held"]["status"],
            f["not_held"]["reason"],
            dt.date.fromisoformat(f["not_held"]["new_date"]) if f["not_held"]["new_date"] else None,
        )
        for f in in_period
        if f.get("not_held")
    ]
    # The facilitator leads the session rather than presenting: never "not presented".
    presentations = {
        m["name"]: 0
        for m in pod["members"]
        if not m.get("retired") and m["id"] != pod.get("facilitator")
    }
    categories = dict.fromkeys((c.value for c in Category), 0)
    lenses = dict.fromkeys((lens.value for lens in Lens), 0)
    concerns = []
    for fact in held:
        for case in fact["cases"]:
            name = names.get(case["presenter"], case["presenter"])
            presentations[name] = presentations.get(name, 0) + 1
            categories[case["category"]] += 1
        for lens in fact["lenses"]:
            lenses[lens] += 1
        day = dt.date.fromisoformat(fact["date"])
        concerns += [
            Concern(day, c["case"], c["concern"], c["action_taken"]) for c in fact["concerns"]
        ]
    reviewed: dict[str, list[StepStatus]] = {}
    for fact in ordered:
        for review in fact["reviews"]:
            reviewed.setdefault(review["step_id"], []).append(StepStatus(review["status"]))
    agreed = [step for fact in held for step in fact["steps"]]
    status = {
        step["id"]: current_status(StepStatus(step["status"]), reviewed.get(step["id"], []))
        for step in agreed
    }
    overdue = [
        s
        for s in agreed
        if is_overdue(status[s["id"]], dt.date.fromisoformat(s["due"]) if s["due"] else None, today)
    ]
    steps = {
        "agreed": len(agreed),
        "done": sum(status[s["id"]] is StepStatus.DONE for s in agreed),
        "no longer needed": sum(status[s["id"]] is StepStatus.DROPPED for s in agreed),
        "still open": sum(status[s["id"]].is_open for s in agreed),
        "overdue": len(overdue),
        "needing manager sign-off": sum(s["signoff"] for s in agreed),
    }
    return PodReport(
        pod_name=pod["name"],
        start=start,
        end=end,
        today=today,
        months=_expected_months(ordered, start, end, today),
        sessions_held=len(held),
        presentations=presentations,
        cases_by_category=categories,
        lenses_used=lenses,
        lenses_never_used=[lens for lens, count in lenses.items() if count == 0],
        steps=steps,
        concerns=concerns,
        not_held=not_held,
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
    not_held = "".join(f"- Not held: {inline(n.in_words())}\n" for n in r.not_held)
    return (
        f"# The record of {inline(r.pod_name)}\n\n"
        f"From {when(r.start)} to {when(r.end)}; figures as on {when(r.today)}.\n\n"
        f"## Sessions\n\n"
        f"- Held: {r.sessions_held} of {expected} expected (one a month): {rate}\n"
        f"{not_held}\n"
        f"## Presentations\n\n{_fenced_chart(r.presentations)}\n\n"
        f"- Not presented in the period: "
        f"{', '.join(inline(n) for n in r.never_presented) or 'everyone presented'}\n\n"
        f"## Cases by category\n\n{_fenced_chart(r.cases_by_category)}\n\n"
        f"## GRRAACCEESS lenses discussed, by case\n\n{_fenced_chart(r.lenses_used)}\n\n"
        f"- Never used: {', '.join(r.lenses_never_used) or 'none: every lens was used'}\n\n"
        f"## Next steps agreed in the period\n\n{_fenced_chart(r.steps)}\n\n"
        f"## Safeguarding concerns raised\n\n"
        f"| Date | Case | Concern | What was done |\n|---|---|---|---|\n{safeguarding}\n"
    )


def save(text: str, pod_name: str, folder: Path, day: dt.date) -> list[Path]:
    """Write a pod's record (its Markdown `text`) as Markdown and HTML into `folder`, one of
    our own (made private); files 0600."""
    from groupsup.domain.models import slug  # (pydantic: only when a record is saved)
    from groupsup.outputs import markdown_html as html

    stem = f"{day}-{slug(pod_name)}-record"
    private_folder(folder)
    return [
        write_private_text(folder / f"{stem}.md", text),
        write_private_text(folder / f"{stem}.html", html.render(text, f"The record of {pod_name}")),
    ]


def as_json(report: PodReport) -> dict:
    r = report
    return {
        "pod": r.pod_name,
        "from": r.start.isoformat(),
        "to": r.end.isoformat(),
        "as_on": r.today.isoformat(),
        "sessions": {
            "held": r.sessions_held,
            "expected": r.months,
            "not_held": [
                {
                    "date": n.date.isoformat(),
                    "status": n.status,
                    "reason": n.reason,
                    "new_date": n.new_date.isoformat() if n.new_date else None,
                }
                for n in r.not_held
            ],
        },
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


# -- the service's view: every pod on one page, for the principal social worker ----------------


def service(store: Store, start: dt.date, end: dt.date, today: dt.date) -> list[PodReport]:
    """Every pod's record over the period, by name: the service's view. Each pod's figures
    come from its closed sessions' facts from `start` on (a query each on a database), never
    the sessions."""
    return [
        build(pod, store.report_facts(pod["id"], since=start), start, end, today)
        for pod in store.pod_rows()
    ]


def service_row(r: PodReport) -> dict:
    """One pod's line in the service's view."""
    return {
        "pod": r.pod_name,
        "sessions": {"held": r.sessions_held, "expected": r.months, "not_held": len(r.not_held)},
        "not_presented": r.never_presented,
        "overdue_next_steps": r.steps["overdue"],
        "needing_manager_signoff": r.steps["needing manager sign-off"],
        "lenses_never_used": r.lenses_never_used,
        "safeguarding_raised": len(r.concerns),
        "safeguarding_without_action": sum(not c.action_taken.strip() for c in r.concerns),
    }


def held_in_words(sessions: dict) -> str:
    """A service row's sessions: '10 of 12', and how many were postponed or cancelled."""
    said = f"{sessions['held']} of {sessions['expected']}"
    return f"{said} ({sessions['not_held']} not held)" if sessions["not_held"] else said


def service_as_json(reports: list[PodReport]) -> dict:
    first = reports[0] if reports else None
    return {
        "from": first.start.isoformat() if first else None,
        "to": first.end.isoformat() if first else None,
        "pods": [service_row(r) for r in reports],
    }


def service_as_markdown(reports: list[PodReport]) -> str:
    if not reports:
        return "# The service's record\n\nNo pods in this store yet.\n"
    r0 = reports[0]
    lines = [
        "# The service's record",
        "",
        f"Every pod from {when(r0.start)} to {when(r0.end)}; figures as on {when(r0.today)}.",
        "",
        "| Pod | Sessions held | Not presented | Overdue next steps | Needing manager sign-off "
        "| Lenses never used | Safeguarding raised (no action recorded) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in map(service_row, reports):
        lines.append(
            f"| {cell(row['pod'])} | {held_in_words(row['sessions'])} "
            f"| {cell(', '.join(row['not_presented'])) or 'everyone'} "
            f"| {row['overdue_next_steps']} | {row['needing_manager_signoff']} "
            f"| {cell(', '.join(row['lenses_never_used'])) or 'none'} "
            f"| {row['safeguarding_raised']} ({row['safeguarding_without_action']}) |"
        )
    return "\n".join(lines) + "\n"
