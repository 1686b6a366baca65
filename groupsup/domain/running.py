"""Running a session, below the screens: starting it, what the group records during a case, and
closing it. The run and close screens call these; none of them touches a file (closing is given
the writing and the saving to do, so that it can make them all or nothing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar

from groupsup.domain.clock import SessionClock
from groupsup.domain.earlier import Earlier
from groupsup.domain.errors import GroupsupError, NotFound, os_reason
from groupsup.domain.followup import carry_forward
from groupsup.domain.models import (
    CaseSlot,
    Hypothesis,
    NextStep,
    ResonanceNote,
    Session,
    SessionStatus,
    StepReview,
)
from groupsup.domain.planning import carry_over
from groupsup.genogram.model import Genogram
from groupsup.genogram.notation import parse, to_source

Item = Hypothesis | ResonanceNote | NextStep
ItemField = Literal["hypotheses", "resonance", "next_steps"]
FIELD_OF: dict[type, ItemField] = {
    Hypothesis: "hypotheses",
    ResonanceNote: "resonance",
    NextStep: "next_steps",
}
T = TypeVar("T")


class NotClosed(GroupsupError):
    """Closing failed part way; the session is exactly as it was before."""


def put_genogram(session: Session, case: int, genogram: Genogram, replace: bool = False) -> None:
    """Give case `case` (from 1) this genogram, its notation made from it. A closed session's
    minutes are the record, and a genogram already typed is replaced only when asked."""
    if not 1 <= case <= len(session.slots):
        raise GroupsupError(
            f"Session {session.id} has {len(session.slots)} cases; choose 1 to "
            f"{len(session.slots)}."
        )
    if session.status.in_the_record:
        raise GroupsupError(
            f"Session {session.id} is {session.status.value}: its minutes are the record. Bring "
            "the family into a planned or running session."
        )
    slot = session.slots[case - 1]
    if slot.genogram.source.strip() and not replace:
        raise GroupsupError(
            f"Case {case} already has a genogram; add --replace to put this one in its place."
        )
    slot.genogram = parse(to_source(genogram)).genogram


def start(clock: SessionClock, earlier: Earlier) -> bool:
    """Open the session, once: the pod's open next steps join its review, a case presented
    before starts from its last genogram and history (both from `earlier.for_starting`), and
    the clock starts. Returns whether it was started now (and so needs saving)."""
    if clock.started:
        return False
    carry_forward(clock.session, earlier.sessions, earlier.still_open)
    for slot in clock.session.slots:  # a case planned before it was last presented
        carry_over(clock.session, slot, earlier.sessions)
    clock.start()
    return True


def items(slot: CaseSlot, field: ItemField) -> list[Item]:
    return getattr(slot, field)


def item(slot: CaseSlot, field: ItemField, item_id: str) -> Item:
    found = next((i for i in items(slot, field) if i.id == item_id), None)
    if found is None:
        raise NotFound("That item is no longer in the case; it may have been removed.")
    return found


def add_item(slot: CaseSlot, new: Item) -> None:
    """A hypothesis, resonance note or next step joins the end of its list."""
    field = FIELD_OF[type(new)]
    setattr(slot, field, [*items(slot, field), new])


def replace_item(slot: CaseSlot, new: Item) -> None:
    """The item with `new`'s id becomes `new`, in its place in the list."""
    field = FIELD_OF[type(new)]
    item(slot, field, new.id)  # refuses an item that has gone
    setattr(slot, field, [new if i.id == new.id else i for i in items(slot, field)])


def remove_item(slot: CaseSlot, field: ItemField, item_id: str) -> None:
    setattr(slot, field, [i for i in items(slot, field) if i.id != item_id])


def review_step(session: Session, review: StepReview) -> None:
    """How an earlier next step stands now, in place of its line in the opening review."""
    session.review = [review if r.step_id == review.step_id else r for r in session.review]


def close(
    clock: SessionClock,
    write_minutes: Callable[[Session], T],
    save: Callable[[Session], object],
) -> tuple[Session, T]:
    """Close the session all or nothing: the clock records its end, the minutes are written,
    then the closed session is saved. All of it is done on a copy, so a folder that cannot be
    written or a save refused (another writer, a full disk) leaves the session, its clock and
    the store exactly as they were, and NotClosed says why. Returns the closed session and
    what `write_minutes` returned."""
    trial = clock.on_copy()
    trial.advance()  # out of the close: the clock records the session's end
    trial.session.status = SessionStatus.CLOSED
    try:
        written = write_minutes(trial.session)
    except OSError as error:
        raise NotClosed(
            f"The minutes could not be written ({os_reason(error)}), so the session is still "
            "open: choose another folder."
        ) from None
    try:
        save(trial.session)
    except GroupsupError as error:
        raise NotClosed(f"{error} The session is still open.") from None
    except OSError as error:
        raise NotClosed(
            f"The closed session could not be saved ({os_reason(error)}), so it is still open."
        ) from None
    return trial.session, written
