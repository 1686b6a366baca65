"""What a session carries from its pod's earlier sessions, read without reading them all.

A session that starts carries in the next steps still open (`followup.carry_forward`), and a
case presented before starts from its last genogram and history (`planning.carry_over`). Both
were made by reading every session of the pod: 1,200 sessions took seconds and hundreds of MB.
A store keeps, beside the sessions, which session agreed each open step and which last reviewed
it, and which cases each held session presented; only those sessions are read here, and
carrying from them gives exactly what carrying from every session gave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Protocol

from groupsup.domain.derived import StepSource
from groupsup.domain.errors import GroupsupError, NotFound, StoreDamaged
from groupsup.domain.models import CaseSlot, Session
from groupsup.domain.vocabulary import same_case


class PodHistory(Protocol):
    """What is read of a pod's earlier sessions: a store (`store.interface.Store`) gives it."""

    def open_steps_before(self, pod_id: str, day: dt.date, session_id: str) -> list[StepSource]: ...

    def last_presentations(
        self, pod_id: str, cases: Collection[str], day: dt.date, besides: Collection[str]
    ) -> dict[str, str]: ...

    def session(self, session_id: str) -> Session: ...


@dataclass
class Earlier:
    """The earlier sessions a session carries from, and no others."""

    sessions: list[Session] = field(default_factory=list)  # in date order
    still_open: set[str] | None = None  # the steps open before it; None: not read
    unreadable: dict[str, str] = field(default_factory=dict)  # session id -> why it was left out


def for_starting(history: PodHistory, session: Session) -> Earlier:
    """What starting `session` (or planning it) carries from: the sessions that agreed or last
    reviewed a step still open before it, and the last presentation of each of its cases.
    If the store's records of them cannot be read, nothing is carried and that is said."""
    try:
        sources = history.open_steps_before(session.pod_id, session.date, session.id)
        wanted = [i for source in sources for i in (source.agreed_in, source.reviewed_in) if i]
        earlier = Earlier(still_open={source.step_id for source in sources})
        _read(history, earlier, wanted)
        _read_presentations(history, session, session.slots, earlier)
    except GroupsupError as error:
        return Earlier(unreadable={"": str(error)})
    return earlier


def for_preparing(history: PodHistory, session: Session, slot: CaseSlot) -> Earlier:
    """What preparing the case `slot` of `session` carries from: its last presentation (as
    `for_starting`, nothing when the store's records cannot be read, and that said)."""
    earlier = Earlier()
    try:
        _read_presentations(history, session, [slot], earlier)
    except GroupsupError as error:
        return Earlier(unreadable={"": str(error)})
    return earlier


def _read_presentations(
    history: PodHistory, session: Session, slots: list[CaseSlot], earlier: Earlier
) -> None:
    """The session that last presented each case, read; one that cannot be read is named, and
    the one before it read in its place (as reading every session would have found)."""
    cases = {same_case(slot.case_reference) for slot in slots} - {""}
    besides = {session.id}
    while cases:
        found = history.last_presentations(session.pod_id, cases, session.date, besides)
        read = _read(history, earlier, found.values())
        cases = {case for case, session_id in found.items() if session_id not in read}
        besides |= set(found.values()) - read


def _read(history: PodHistory, earlier: Earlier, session_ids: Collection[str]) -> set[str]:
    """Read the sessions not yet read, keeping them in date order; return the ids of all of
    `session_ids` that are read (now or before)."""
    have = {s.id for s in earlier.sessions}
    for session_id in dict.fromkeys(session_ids):
        if session_id in have or session_id in earlier.unreadable:
            continue
        try:
            earlier.sessions.append(history.session(session_id))
        except (StoreDamaged, NotFound) as error:  # gone since its rows were read: as damaged
            earlier.unreadable[session_id] = str(error)
        else:
            have.add(session_id)
    earlier.sessions.sort(key=lambda s: (s.date, s.id))
    return have & set(session_ids)
