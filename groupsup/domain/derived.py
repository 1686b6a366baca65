"""What a store keeps beside each session so that lists, the pod's record and the open next
steps are read without reading (or validating) any session: plain data, made from a session
(a `models.Session`) here and nowhere else, and always made again from the sessions alone.

Free of pydantic: `groupsup report` and `groupsup actions` read these rows as they are.
"""

from __future__ import annotations

from typing import NamedTuple

from groupsup.domain import grraacceess
from groupsup.domain.vocabulary import (
    RecordStage,
    StepStatus,
    current_status,
    record_stage,
    same_case,
)

# What a store's derived records were made by. Raise it whenever a row below changes shape (a
# key added, a meaning changed): a store whose rows are older makes them again, once, on opening.
# 4: reviews carry the date their step was agreed; a file a pod and year. 5: the index of
# sessions too is kept a file a pod and year (index/<pod>/<year>.json). 6: an open step names
# the session that last reviewed it; the cases each session presented (`presented_of`).
VERSION = "6"


def facts_of(session) -> dict:
    """What the pod's record (`outputs.report`) needs of a session held, or one postponed or
    cancelled (its cases were not presented: the record says why it was not held)."""
    not_held = session.not_held
    slots, reviews = ([], []) if not_held else (session.slots, session.review)
    return {
        "id": session.id,
        "pod_id": session.pod_id,
        "date": session.date.isoformat(),
        "not_held": not_held
        and {
            "status": session.status.value,
            "reason": not_held.reason,
            "new_date": not_held.new_date.isoformat() if not_held.new_date else None,
        },
        "cases": [
            {
                "presenter": s.presenter,
                "category": s.category.value,
                "record": record_stage(session, s).value,
            }
            for s in slots
        ],
        "lenses": [lens.value for s in slots for lens in grraacceess.discussed(s)],
        "steps": [
            {
                "id": step.id,
                "due": step.due.isoformat() if step.due else None,
                "status": step.status.value,
                "signoff": step.needs_signoff,
            }
            for s in slots
            for step in s.next_steps
        ],
        "reviews": [{"step_id": r.step_id, "status": r.status.value} for r in reviews],
        "concerns": [
            {
                "case": s.title,
                "concern": s.safeguarding.concern,
                "action_taken": s.safeguarding.action_taken,
            }
            for s in slots
            if s.safeguarding
        ],
    }


def awaiting_agreement(facts: list[dict]) -> int:
    """How many case records await agreement, from a pod's facts (`facts_of`)."""
    return sum(
        1 for f in facts for c in f["cases"] if c.get("record") == RecordStage.AWAITING.value
    )


def steps_of(session) -> dict:
    """The next steps a session agreed and its reviews of earlier ones: what it tells about
    which steps are still open."""
    return {
        "id": session.id,
        "pod_id": session.pod_id,
        "date": session.date.isoformat(),
        "steps": [
            {
                "id": step.id,
                "pod_id": session.pod_id,
                "session_id": session.id,
                "agreed": session.date.isoformat(),
                "case": slot.title,
                "action": step.action,
                "owner": step.owner,
                "due": step.due.isoformat() if step.due else None,
                "status": step.status.value,
                "note": "",
                "needs_signoff": step.needs_signoff,
            }
            for slot in session.slots
            for step in slot.next_steps
        ],
        "reviews": [
            {
                "step_id": r.step_id,
                "agreed_on": r.agreed_on.isoformat(),
                "status": r.status.value,
                "note": r.note,
            }
            for r in session.review
        ],
    }


def touched_since(before: dict | None, after: dict | None) -> str:
    """The earliest date (ISO) whose steps a change of one session's `steps_of` row, from
    `before` to `after` (None: no row), can touch: its own date, before and after, and the
    date each step it reviews was agreed. Steps agreed earlier stand as they did."""
    dates = [
        date
        for row in (before, after)
        if row is not None
        for date in (row["date"], *(r.get("agreed_on") or "" for r in row["reviews"]))
    ]
    return min(dates, default="")


def open_steps(sessions_steps: list[dict]) -> list[dict]:
    """The steps still open, from one pod's `steps_of` rows: a step stands as its latest review
    says (sessions in date order; a line not yet reviewed does not count), else as it was
    agreed; each carries its latest note and the session whose review said it (`reviewed_in`,
    None if none has)."""
    agreed: dict[str, dict] = {}
    reviews: dict[str, list[dict]] = {}
    for row in sorted(sessions_steps, key=lambda row: (row["date"], row["id"])):
        for review in row["reviews"]:
            if review["step_id"] in agreed:
                reviews[review["step_id"]].append(review | {"reviewed_in": row["id"]})
        for step in row["steps"]:
            agreed[step["id"]], reviews[step["id"]] = step, []
    found = []
    for step_id, step in agreed.items():
        said = [r for r in reviews[step_id] if r["status"] != StepStatus.OPEN.value]
        status = current_status(StepStatus(step["status"]), [StepStatus(r["status"]) for r in said])
        if status.is_open:
            latest = said[-1] if said else {"note": step["note"], "reviewed_in": None}
            found.append(
                step
                | {"status": status.value, "note": latest["note"]}
                | {"reviewed_in": latest["reviewed_in"]}
            )
    return found


class StepSource(NamedTuple):
    """Where a step still open stands recorded: the session that agreed it, and the session
    whose review last said how it stands (None if none has). Starting a session reads only
    these of the pod's earlier sessions."""

    step_id: str
    agreed_in: str
    reviewed_in: str | None


def presented_of(session) -> dict | None:
    """The cases a session presented with a genogram or a case history (each as `same_case`
    has it, in the order of its cases), for a later presentation of the same case to start
    from; None for a session not held or with none. Read by `Store.last_presentations`."""
    if not session.status.held:
        return None
    cases = [
        same_case(slot.case_reference)
        for slot in session.slots
        if same_case(slot.case_reference) and (slot.genogram.people or slot.history)
    ]
    if not cases:
        return None
    return {
        "id": session.id,
        "pod_id": session.pod_id,
        "date": session.date.isoformat(),
        "cases": cases,
    }
