"""The domain's fixed words (categories, lenses, statuses), free of pydantic so that the fast
command-line paths can use them."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

# Of a stored session and of exported minutes; 2: timestamps carry their zone; 3: a session may be
# postponed or cancelled.
SCHEMA_VERSION = 3


class Category(StrEnum):
    CP = "CP"
    COMPLEX_CIN = "complex CIN"
    CIN = "CIN"
    CLA = "CLA"
    CARE_LEAVER = "care leaver"
    OTHER = "other"


class Anxiety(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class SessionStatus(StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    CLOSED = "closed"
    POSTPONED = "postponed"  # not held on its date: a session on a new date takes its place
    CANCELLED = "cancelled"  # not held at all

    @property
    def not_held(self) -> bool:
        return self in (SessionStatus.POSTPONED, SessionStatus.CANCELLED)

    @property
    def held(self) -> bool:
        """Running or run: its cases were presented."""
        return self in (SessionStatus.RUNNING, SessionStatus.CLOSED)

    @property
    def in_the_record(self) -> bool:
        """Held, or not held and why: what the pod's record counts (policy section 12)."""
        return self is SessionStatus.CLOSED or self.not_held


class Lens(StrEnum):
    """The social GRRAACCEESS (policy 7.3)."""

    GENDER = "gender"
    RACE = "race"
    RELIGION = "religion"
    AGE = "age"
    ABILITY = "ability"
    CLASS = "class"
    CULTURE = "culture"
    ETHNICITY = "ethnicity"
    EDUCATION = "education"
    SEXUALITY = "sexuality"
    SPIRITUALITY = "spirituality"


class StepStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    PARTLY = "partly"
    NOT_DONE = "not done"
    CARRIED_FORWARD = "carried forward"
    DROPPED = "no longer needed"

    @property
    def is_open(self) -> bool:
        return self not in (StepStatus.DONE, StepStatus.DROPPED)


def is_overdue(status: StepStatus, due: dt.date | None, today: dt.date) -> bool:
    """Still open and its due date has passed (a step due today is not yet overdue)."""
    return status.is_open and due is not None and due < today


def current_status(own: StepStatus, reviews: list[StepStatus]) -> StepStatus:
    """A next step stands as its latest review says, else as it was agreed. A review line still
    'open' has not been reviewed yet (a session carried the step in and has not got to it): the
    step stands as before until it is."""
    said = [status for status in reviews if status is not StepStatus.OPEN]
    return said[-1] if said else own


class RecordStage(StrEnum):
    """Where a case's record is after the close (policy section 12)."""

    NOT_CLOSED = "session not yet closed"
    AWAITING = "awaiting agreement"
    AGREED = "agreed, not yet passed to the manager"
    PASSED = "passed to the manager"


def record_stage(session, slot) -> RecordStage:
    """The stage of `slot`'s record in `session` (models, read without importing them)."""
    if session.status is not SessionStatus.CLOSED:
        return RecordStage.NOT_CLOSED
    if slot.agreement is None:
        return RecordStage.AWAITING
    return RecordStage.PASSED if slot.agreement.passed_at else RecordStage.AGREED


def same_case(reference: str) -> str:
    """What makes two case references the same case: the reference without the family name in
    brackets, ignoring case and spacing ("CS-20418 (Brooks)" is "cs-20418")."""
    without_family = re.sub(r"\s*\([^)]*\)", "", reference)
    return " ".join((without_family or reference).split()).casefold()
