"""Next steps across sessions: which are still open, and their history of reviews.

A next step lives in the session that agreed it. Each later session's opening review records how
it stood (`StepReview`); a step's current status is its latest review, else its own status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from groupsup.domain.models import CaseSlot, NextStep, Session, StepReview, StepStatus
from groupsup.domain.vocabulary import current_status, is_overdue


@dataclass
class TrackedStep:
    """A next step with where it was agreed and every review of it since."""

    step: NextStep
    session: Session
    slot: CaseSlot
    reviews: list[tuple[Session, StepReview]] = field(default_factory=list)

    @property
    def status(self) -> StepStatus:
        return current_status(self.step.status, [review.status for _, review in self.reviews])

    @property
    def latest_review(self) -> tuple[Session, StepReview] | None:
        """The latest review that said how the step stood (a line still 'open' did not)."""
        said = [(session, review) for session, review in self.reviews if review.reviewed]
        return said[-1] if said else None

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    def is_overdue(self, today: dt.date) -> bool:
        return is_overdue(self.status, self.step.due, today)

    def as_review(self) -> StepReview:
        """A fresh review line for the next session: open until the group says how it stands,
        carrying how the latest review left it."""
        review = StepReview(
            step_id=self.step.id,
            agreed_in=self.session.id,
            agreed_on=self.session.date,
            case_reference=self.slot.case_reference,
            action=self.step.action,
            owner=self.step.owner,
            due=self.step.due,
            needs_signoff=self.step.needs_signoff,
        )
        if latest := self.latest_review:
            session, said = latest
            review.last_status, review.last_note = said.status, said.note
            review.last_reviewed_on = session.date
        return review


def track(sessions: list[Session]) -> list[TrackedStep]:
    """Every next step agreed in `sessions` (one pod's), with its reviews in date order."""
    ordered = sorted(sessions, key=lambda s: (s.date, s.id))
    tracked: dict[str, TrackedStep] = {}
    for session in ordered:
        for review in session.review:
            if review.step_id in tracked:
                tracked[review.step_id].reviews.append((session, review))
        for slot in session.slots:
            for step in slot.next_steps:
                tracked[step.id] = TrackedStep(step, session, slot)
    return list(tracked.values())


def open_steps(sessions: list[Session], before: Session | None = None) -> list[TrackedStep]:
    """Steps still open, optionally only those agreed before `before` (for its review)."""
    if before is not None:
        sessions = [s for s in sessions if (s.date, s.id) < (before.date, before.id)]
    return [t for t in track(sessions) if t.is_open]


def carry_forward(
    session: Session, pod_sessions: list[Session], still_open: Collection[str] | None = None
) -> int:
    """Add to the session's review every open step from earlier sessions; returns how many.

    `pod_sessions` is the pod's sessions, or (`earlier.for_starting`) only those that agreed
    or last reviewed a step open before this one, with `still_open` the ids of those steps."""
    already = {review.step_id for review in session.review}
    fresh = [
        t.as_review()
        for t in open_steps(pod_sessions, before=session)
        if still_open is None or t.step.id in still_open
    ]
    added = [review for review in fresh if review.step_id not in already]
    session.review = [*session.review, *added]
    return len(added)
