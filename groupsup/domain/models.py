"""The records of a pod's group reflective supervision (policy section 8), as pydantic models.

Validators raise ValueError with a sentence a facilitator understands; `errors.explain` turns a
pydantic ValidationError into one such line. Rules that need the pod (is this person a member?)
live in `rules.py`, because a session record alone does not know who the members are.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from groupsup.domain.dates import FIRST_YEAR, LAST_YEAR, aware
from groupsup.domain.identifiers import safe_key
from groupsup.domain.vocabulary import (
    SCHEMA_VERSION,
    Anxiety,
    Category,
    Lens,
    SessionStatus,
    StepStatus,
)
from groupsup.genogram.model import Genogram


def _within_years(day: dt.date) -> dt.date:
    """A day of the record: years 1900 to 9998 only, as a date typed is (`dates.parse_date`);
    one outside is a slip, and calendars and reports need the days around it to exist."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"a day between {FIRST_YEAR} and {LAST_YEAR} is needed, not {day}")
    return day


Day = Annotated[dt.date, AfterValidator(_within_years)]

__all__ = [
    "SCHEMA_VERSION",
    "Anxiety",
    "Category",
    "Lens",
    "SessionStatus",
    "StepStatus",
]  # re-exported

DEFAULT_SESSION_MINUTES = 180
DEFAULT_MARKING = "OFFICIAL-SENSITIVE"


# A moment with its time zone, so that JSON's date-time (RFC 3339) holds; a value without one
# is taken as local time.
Timestamp = Annotated[dt.datetime, AfterValidator(aware)]


def new_id() -> str:
    return uuid.uuid4().hex[:8]


def slug(text: str) -> str:
    """A readable, stable key made from a name ('Amara Okafor' -> 'amara-okafor')."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "member"


def facilitator_retired(name: str) -> str:
    """The pod's facilitator cannot be retired: the forms and an import say it the same way."""
    return f"{name} is the pod's facilitator: make someone else the facilitator first."


def unique_key(name: str, taken: set[str]) -> str:
    """A slug of `name` that is not in `taken` ('amara-okafor', then 'amara-okafor-2')."""
    base = key = slug(name)
    number = 1
    while key in taken:
        number += 1
        key = f"{base}-{number}"
    return key


# A pod's or a session's key: it names the record's files in a store.
Key = Annotated[str, AfterValidator(safe_key)]


class Record(BaseModel):
    # defer_build: a model's validator is built when first used, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)


class Member(Record):
    id: str = Field(min_length=1)
    name: str
    retired: bool = False

    @field_validator("name")
    @classmethod
    def _named(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("A member needs a name.")
        return name


class Pod(Record):
    id: Key
    name: str
    facilitator: str | None = None
    members: list[Member] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _named(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("A pod needs a name.")
        return name

    @model_validator(mode="after")
    def _members_unique(self) -> Self:
        ids = [m.id for m in self.members]
        if len(set(ids)) != len(ids):
            raise ValueError("Two members of the pod share the same key.")
        if self.facilitator is not None and self.facilitator not in ids:
            raise ValueError("The facilitator must be a member of the pod.")
        facilitator = self.member(self.facilitator) if self.facilitator else None
        if facilitator is not None and facilitator.retired:
            raise ValueError(facilitator_retired(facilitator.name))
        return self

    def member(self, member_id: str) -> Member | None:
        return next((m for m in self.members if m.id == member_id), None)

    def name_of(self, member_id: str | None) -> str:
        member = self.member(member_id) if member_id else None
        return member.name if member else (member_id or "")

    @property
    def active_members(self) -> list[Member]:
        return [m for m in self.members if not m.retired]


class Hypothesis(Record):
    id: str = Field(default_factory=new_id)
    text: str
    offered_by: str | None = None
    lenses: list[Lens] = Field(default_factory=list)
    supports: str = ""
    would_test: str = ""
    written_by: str | None = Field(
        default=None, description="Who typed it from their own screen, when not the facilitator."
    )

    @field_validator("text")
    @classmethod
    def _said(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("A hypothesis needs some words: what might be going on?")
        return text


class ResonanceNote(Record):
    id: str = Field(default_factory=new_id)
    observer: str
    text: str
    written_by: str | None = Field(
        default=None, description="Who typed the note, when not the facilitator."
    )

    @field_validator("observer", mode="before")
    @classmethod
    def _whose(cls, observer: object) -> object:
        if not observer:
            raise ValueError("Choose whose resonance this is.")
        return observer

    @field_validator("text")
    @classmethod
    def _said(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("Write the note: how does the case speak to their own work?")
        return text


class StepReview(Record):
    """How a next step agreed at an earlier session stood when this session reviewed it."""

    step_id: str
    agreed_in: str = Field(description="Id of the session where the step was agreed.")
    agreed_on: Day
    case_reference: str = ""
    action: str
    owner: str | None = None
    due: Day | None = None
    needs_signoff: bool = Field(default=False, description="A decision for the line manager.")
    status: StepStatus = StepStatus.OPEN
    note: str = ""
    last_status: StepStatus | None = Field(
        default=None, description="How the latest earlier review left the step, if one did."
    )
    last_note: str = Field(default="", description="The latest earlier review's note.")
    last_reviewed_on: Day | None = Field(
        default=None, description="The date of the session that last reviewed the step."
    )

    @property
    def reviewed(self) -> bool:
        """Whether this session has said how the step stands ('open' until it does)."""
        return self.status is not StepStatus.OPEN

    def standing(self) -> tuple[str, str]:
        """How the step stands and its latest note, in words: this review's once made, else
        the last review's until this one is."""
        if self.reviewed:
            return self.status.value, self.note
        if self.last_status is None:
            return "not yet reviewed", ""
        return f"{self.last_status.value} (last time)", self.last_note


class NextStep(Record):
    id: str = Field(default_factory=new_id)
    action: str
    owner: str | None = None
    due: Day | None = None
    status: StepStatus = StepStatus.OPEN
    needs_signoff: bool = Field(
        default=False,
        description="A decision on case direction: finalise with the line manager one to one.",
    )
    signoff_reason: str = Field(
        default="", description="Why the step needs the line manager's sign-off (optional)."
    )

    @field_validator("action")
    @classmethod
    def _said(cls, action: str) -> str:
        if not action.strip():
            raise ValueError("A next step needs an action: say what is to be done.")
        return action

    @model_validator(mode="after")
    def _reason_for_signoff(self) -> Self:
        if self.signoff_reason.strip() and not self.needs_signoff:
            raise ValueError(REASON_WITHOUT_SIGNOFF)
        return self


REASON_WITHOUT_SIGNOFF = (
    "A reason is for a step that needs manager sign-off: tick it, or clear the reason."
)


def due_problem(step: NextStep, session_date: dt.date) -> str | None:
    """Why the step's due date cannot stand (it is before the session), or None."""
    if step.due is not None and step.due < session_date:
        return (
            f"The next step '{step.action}' is due on {step.due}, before the session on "
            f"{session_date}; choose a later date."
        )
    return None


class Safeguarding(Record):
    concern: str
    action_taken: str = ""

    @field_validator("concern")
    @classmethod
    def _said(cls, concern: str) -> str:
        if not concern.strip():
            raise ValueError("Say what the concern is.")
        return concern


class Agreement(Record):
    """After the close, the worker agrees the record of their case, which then passes to the
    manager (policy section 12: "SW to agree ... record", then "pass to manager")."""

    agreed_by: str = Field(description="The member who agreed the record: the presenter.")
    agreed_at: Timestamp
    correction: str = Field(
        default="", description="What the worker asked to be corrected, if anything."
    )
    manager: str = Field(default="", description="Who the record was passed to.")
    passed_at: Timestamp | None = None

    @model_validator(mode="after")
    def _passed_after_agreed(self) -> Self:
        if self.passed_at is not None and not self.manager.strip():
            raise ValueError("Say which manager the record was passed to.")
        if self.passed_at is not None and self.passed_at < self.agreed_at:
            raise ValueError("A record is passed to the manager after it is agreed, not before.")
        return self


# What the group's discussion of a case is written into, as free text.
CASE_TEXT_FIELDS = (
    "dilemma",
    "presenting_issue",
    "history",
    "childs_voice",
    "notes",
    "alternatives",
    "reflection",
)


class CaseSlot(Record):
    id: str = Field(default_factory=new_id)
    presenter: str
    consultant: str | None = None
    observers: list[str] = Field(default_factory=list)
    case_reference: str = ""
    category: Category = Category.OTHER
    anxiety: Anxiety = Anxiety.MEDIUM
    planned_minutes: int = Field(default=30, ge=1, le=600)
    weight: float = Field(default=1.0, gt=0, le=10, description="Share of the case time.")
    started_at: Timestamp | None = None
    ended_at: Timestamp | None = None
    dilemma: str = ""
    presenting_issue: str = ""
    history: str = ""
    childs_voice: str = Field(
        default="",
        description="The child's voice: their wishes and feelings, as the worker knows them "
        "from conversations and observation.",
    )
    genogram: Genogram = Field(default_factory=Genogram)
    carried_from: Day | None = Field(
        default=None,
        description="The day of the session whose genogram and case history this case started "
        "from: the same case, presented again.",
    )
    hypotheses: list[Hypothesis] = Field(default_factory=list)
    lenses_discussed: list[Lens] = Field(default_factory=list)
    grraacceess_notes: str = Field(
        default="",
        description="The GRRAACCEESS at a personal level (policy 7.3): how the worker's own "
        "meet the child's and family's, and may shape their relationship.",
    )
    resonance: list[ResonanceNote] = Field(default_factory=list)
    notes: str = Field(default="", description="Notes from the questions and the discussion.")
    alternatives: str = Field(
        default="", description="Alternative courses of action the group considered."
    )
    reflection: str = Field(default="", description="What the presenter gained.")
    next_steps: list[NextStep] = Field(default_factory=list)
    no_next_steps: bool = Field(default=False, description="The group agreed no next step.")
    safeguarding: Safeguarding | None = None
    agreement: Agreement | None = Field(
        default=None, description="The record agreed by the worker, and passed to the manager."
    )

    @model_validator(mode="after")
    def _roles_distinct(self) -> Self:
        if self.consultant is not None and self.consultant == self.presenter:
            raise ValueError(
                "The consultant cannot also be the presenter: choose someone else to ask "
                "the questions."
            )
        if self.presenter in self.observers:
            raise ValueError("The presenter cannot also be an observer of their own case.")
        if self.consultant is not None and self.consultant in self.observers:
            raise ValueError("The consultant cannot also be an observer of the case.")
        return self

    @property
    def title(self) -> str:
        return self.case_reference or "(no case reference)"

    @property
    def title_without_family(self) -> str:
        """The case reference without a family name: what is in brackets, and any word that is
        not a capitalised code ("CS-51230 (Reid)" and "CS-51230 Reid" are "CS-51230"), as
        pseudonymising reads it. Observers' screens show this unless the facilitator chooses
        otherwise."""
        outside = re.sub(r"\([^)]*\)", " ", self.case_reference).split()
        codes = [word for word in outside if not any(c.islower() for c in word)]
        if not self.case_reference.strip():
            return self.title
        return " ".join(codes) or "(reference hidden: a family name)"


class Segment(Record):
    """A stretch of running time spent in one phase; a pause ends it, resuming opens another."""

    slot_id: str | None = Field(description="None for the opening review and the close.")
    phase: str
    started_at: Timestamp
    seconds: float | None = Field(default=None, description="None while the segment is open.")


class ClockState(Record):
    """Where a running session is and how long each part took: enough to resume after a restart."""

    stop: int = Field(default=0, description="Index into the session's run order of phases.")
    phase_planned_seconds: float = 0
    paused: bool = False
    segments: list[Segment] = Field(default_factory=list)


class NotHeld(Record):
    """Why a planned session was not held, for the record (policy section 12)."""

    reason: str = Field(min_length=1)
    new_date: Day | None = Field(
        default=None, description="Where postponed: the date of the session that takes its place."
    )
    decided_on: Day


class Session(Record):
    id: Key = Field(default_factory=new_id)
    pod_id: Key
    date: Day
    planned_minutes: int = Field(default=DEFAULT_SESSION_MINUTES, ge=15, le=600)
    facilitator: str | None = None
    attendees: list[str] = Field(default_factory=list)
    apologies: list[str] = Field(default_factory=list)
    status: SessionStatus = SessionStatus.PLANNED
    welfare_checkin: str = Field(
        default="",
        description="The opening check-in on the workers' welfare (policy 11.3): who is present "
        "and how they are, briefly. In the minutes, never in a case record.",
    )
    format: str = "group-reflective"
    marking: str = DEFAULT_MARKING
    starts_at: dt.time | None = Field(default=None, description="Planned start, for calendars.")
    place: str = Field(default="", description="Where the pod meets, for calendars.")
    opening_minutes: int = Field(default=15, ge=0, le=120, description="Review of next steps.")
    closing_minutes: int = Field(default=10, ge=0, le=120)
    break_minutes: int = Field(
        default=0,
        ge=0,
        le=120,
        description="A planned break: taken by pausing the clock, it is not case time.",
    )
    slots: list[CaseSlot] = Field(default_factory=list)
    review: list[StepReview] = Field(default_factory=list)
    started_at: Timestamp | None = None
    ended_at: Timestamp | None = None
    clock: ClockState | None = None
    not_held: NotHeld | None = Field(
        default=None, description="Postponed or cancelled: why, and where postponed, to when."
    )
    postponed_from: Day | None = Field(
        default=None, description="The date of the postponed session this one takes the place of."
    )

    @model_validator(mode="after")
    def _not_held_said(self) -> Self:
        if self.status.not_held != (self.not_held is not None):
            raise ValueError(
                "a postponed or cancelled session says why (not_held), and no other session does"
            )
        if self.not_held is not None:
            postponed = self.status is SessionStatus.POSTPONED
            if postponed != (self.not_held.new_date is not None):
                raise ValueError("a postponed session, and only a postponed one, has a new date")
            if postponed and self.not_held.new_date == self.date:
                raise ValueError("a session is postponed to another date than its own")
        return self

    @model_validator(mode="after")
    def _steps_due_after_session(self) -> Self:
        for number, slot in enumerate(self.slots, 1):
            for step in slot.next_steps:
                if problem := due_problem(step, self.date):
                    raise ValueError(f"Case {number}: {problem[0].lower()}{problem[1:]}")
        return self

    def slot(self, slot_id: str) -> CaseSlot:
        return next(s for s in self.slots if s.id == slot_id)

    @property
    def next_steps(self) -> list[NextStep]:
        """Every next step agreed in the session, case by case."""
        return [step for slot in self.slots for step in slot.next_steps]


class MinutesDocument(Record):
    """The complete machine record of one session: what `export --format json` writes."""

    schema_version: int = SCHEMA_VERSION
    pod: Pod
    session: Session

    @model_validator(mode="before")
    @classmethod
    def _known_version(cls, data: object) -> object:
        # Checked before anything else: in a record from another version, the rest is noise.
        version = data.get("schema_version", SCHEMA_VERSION) if isinstance(data, dict) else None
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise ValueError(
                f"This record was written by a newer groupsup (schema version {version}); "
                f"this one reads up to version {SCHEMA_VERSION}. Upgrade groupsup to read it."
            )
        if isinstance(version, int) and version < 1:
            raise ValueError(f"Schema version {version} is not one groupsup ever wrote.")
        return data
