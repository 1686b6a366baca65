"""Observers joining a running session from their own screen.

Each attendee but the facilitator (who records on the run screen) has a personal join code for
the session, which the facilitator reads out or shows them privately. The code says who the
observer is: nobody picks a name, so nobody can write as someone else. Codes belong to one
session, so two pods running at once keep their own, and stop working when the session closes
or the time it was planned for has long passed. The codes and who has joined are kept by the
store (`Store.join_codes`, `Store.present`), so an observer on another machine joins through a
database store with nothing of the facilitator's machine.

Notes go into the session's inbox through the store (`Store.post_note`: files beside the
session in a folder store, a table in a database, never the session itself), and the
facilitator's screen takes them in on its next tick, so two processes never write the same
record.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from groupsup.domain.errors import GroupsupError, explain
from groupsup.domain.models import CaseSlot, Hypothesis, ResonanceNote, Session
from groupsup.domain.vocabulary import SessionStatus
from groupsup.store.files import atomic_write, private_folder
from groupsup.store.interface import Store

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, typed by eye
CODE_LENGTH = 6
# An observer's screen says it is there every few seconds; silent this long, it has left.
PRESENT_SECONDS = 15


class JoinRefused(GroupsupError):
    pass


class WrongCode(JoinRefused):
    """A code that opens nothing: the kind of refusal that counts towards a lock."""


class JoinCodes(BaseModel):
    """A session's personal join codes: member id -> code."""

    model_config = ConfigDict(extra="forbid")

    session_id: str
    codes: dict[str, str]
    expires_at: dt.datetime
    family_names: bool = Field(
        default=False, description="Observers see the family name in case references."
    )


class Joined(NamedTuple):
    session_id: str
    member_id: str


def open_joining(store: Store, session: Session, now: dt.datetime) -> JoinCodes:
    """The session's codes: one for each attendee but the facilitator, kept while they last."""
    current = _read_codes(store.join_codes(session.id).get(session.id))
    if current is None or current.expires_at <= now:
        current = JoinCodes(
            session_id=session.id,
            codes={},
            expires_at=now + dt.timedelta(minutes=session.planned_minutes + 60),
        )
    wanted = [m for m in session.attendees if m != session.facilitator]
    codes = {m: current.codes.get(m) or _new_code() for m in wanted}
    if codes != current.codes:
        current = current.model_copy(update={"codes": codes})
        _write_codes(store, current)
    return current


def _write_codes(store: Store, codes: JoinCodes) -> None:
    store.save_join_codes(codes.session_id, codes.model_dump_json().encode())


def show_family_names(store: Store, session: Session, shown: bool, now: dt.datetime) -> None:
    """The facilitator's choice: whether observers see family names in case references."""
    codes = open_joining(store, session, now)
    _write_codes(store, codes.model_copy(update={"family_names": shown}))


def family_names_shown(store: Store, session_id: str) -> bool:
    codes = _read_codes(store.join_codes(session_id).get(session_id))
    return codes is not None and codes.family_names


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def check_code(store: Store, typed: str, now: dt.datetime) -> Joined:
    """Who `typed` is, in which session; JoinRefused with the reason if it opens nothing."""
    wanted = typed.strip().upper().replace(" ", "")
    if not wanted:
        raise JoinRefused("Type your join code, as the facilitator gave it to you.")
    for data in store.join_codes().values():
        current = _read_codes(data)
        if current is None:
            continue
        for member_id, code in current.codes.items():
            if secrets.compare_digest(wanted, code):
                if current.expires_at <= now:
                    raise JoinRefused("That join code has expired: ask the facilitator again.")
                return Joined(current.session_id, member_id)
    raise WrongCode(f"'{typed.strip()}' is not a join code: check it with the facilitator.")


def admit(store: Store, typed: str, connection: str, now: dt.datetime) -> Joined:
    """The observer `typed` names, admitted to their session on `connection`."""
    joined = check_code(store, typed, now)
    still_open(store.session(joined.session_id), joined.member_id)
    elsewhere = present(store, joined.session_id, now).get(joined.member_id)
    if elsewhere not in (None, connection):
        raise JoinRefused(
            "Your code is in use on another screen: leave there first (Ctrl+Q), "
            "or tell the facilitator if that was not you."
        )
    say_present(store, joined, connection, now)
    return joined


CONNECTION_TRIES = 5  # wrong codes on one screen before it is locked
ADDRESS_TRIES = 10  # wrong codes from one address, over all its screens, within ADDRESS_WINDOW
ADDRESS_WINDOW = dt.timedelta(minutes=15)


class Gate:
    """One connection's way in. Each wrong code makes the next try wait longer (1, 2, 4, 8
    seconds); after CONNECTION_TRIES the connection is locked, and an address that has sent
    ADDRESS_TRIES wrong codes lately is locked on every connection. A locked try is refused
    without the code being checked, so guessing cannot go on elsewhere."""

    def __init__(self, store: Store, address: str | None) -> None:
        self.store, self.address = store, address
        self.failures = 0
        self.not_before: dt.datetime | None = None

    def admit(self, typed: str, connection: str, now: dt.datetime) -> Joined:
        if self.failures >= CONNECTION_TRIES:
            raise JoinRefused(
                "Too many wrong codes on this screen: check your code with the facilitator, "
                "then open the page again."
            )
        if self.not_before is not None and now < self.not_before:
            wait = math.ceil((self.not_before - now).total_seconds())
            seconds = "1 second" if wait == 1 else f"{wait} seconds"
            raise JoinRefused(f"Wait {seconds}, then try your code again.")
        if self.address and len(self._address_failures(now)) >= ADDRESS_TRIES:
            raise JoinRefused(
                "Too many wrong codes from this device: ask the facilitator, and try again "
                "in a quarter of an hour."
            )
        try:
            return admit(self.store, typed, connection, now)
        except WrongCode:
            self.failures += 1
            self.not_before = now + dt.timedelta(seconds=2 ** (self.failures - 1))
            if self.address:
                failed = [*self._address_failures(now), now.isoformat()]
                folder = private_folder(Path(self.store.root) / "join-failures")
                atomic_write(folder / _file_name(self.address), json.dumps(failed).encode())
            raise

    def _address_failures(self, now: dt.datetime) -> list[str]:
        """This address's wrong codes within ADDRESS_WINDOW, as ISO times."""
        path = Path(self.store.root) / "join-failures" / _file_name(self.address or "")
        try:
            failed = json.loads(path.read_bytes())
            return [t for t in failed if now - dt.datetime.fromisoformat(t) < ADDRESS_WINDOW]
        except (OSError, ValueError, TypeError):
            return []


def _file_name(address: str) -> str:
    return "".join(c if c.isalnum() or c == "." else "_" for c in address) + ".json"


def still_open(session: Session, member_id: str) -> None:
    """JoinRefused if the session has closed, or the member is no longer marked present."""
    if session.status is not SessionStatus.RUNNING:
        raise JoinRefused("That session is not running: its join codes no longer work.")
    if member_id not in session.attendees or member_id == session.facilitator:
        raise JoinRefused("You are not marked present in this session: ask the facilitator.")


def _read_codes(data: bytes | None) -> JoinCodes | None:
    """The codes kept as `data`; None when there are none, or they cannot be read (new ones
    are then made)."""
    try:
        return JoinCodes.model_validate_json(data) if data is not None else None
    except ValidationError:
        return None


def say_present(store: Store, joined: Joined, connection: str, now: dt.datetime) -> None:
    """Record that `joined` is on `connection` now: the facilitator's screen lists them."""
    store.say_present(joined.session_id, joined.member_id, connection, now)


def leave(store: Store, joined: Joined, connection: str) -> None:
    """`joined` has left from `connection` (not from another screen they have since used)."""
    store.leave(joined.session_id, joined.member_id, connection)


def present(store: Store, session_id: str, now: dt.datetime) -> dict[str, str]:
    """Who has joined the session and is still there: member id -> their connection."""
    return {
        member_id: connection
        for member_id, (connection, seen) in store.present(session_id).items()
        if (now - seen).total_seconds() < PRESENT_SECONDS
    }


class NoteKind(StrEnum):
    RESONANCE = "resonance"
    HYPOTHESIS = "hypothesis"


class InboxNote(BaseModel):
    """A note a participant sent from their own screen."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    kind: NoteKind
    slot_id: str
    author: str
    text: str

    @field_validator("text")
    @classmethod
    def _said(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("Write the note first.")
        return text


def post(store: Store, session: Session, note: InboxNote) -> None:
    """Check a participant's note against the session and leave it in the session's inbox."""
    slot = _slot(session, note.slot_id)
    still_open(session, note.author)
    if note.author == slot.presenter:
        raise JoinRefused("You are presenting this case: the notes on it are the group's.")
    if note.kind is NoteKind.RESONANCE and note.author not in slot.observers:
        raise JoinRefused("Resonance is for the case's observers; add a hypothesis instead.")
    store.post_note(session.id, note.id, note.model_dump_json().encode())


def _slot(session: Session, slot_id: str) -> CaseSlot:
    for slot in session.slots:
        if slot.id == slot_id:
            return slot
    raise JoinRefused("That case is not in this session.")


def waiting(store: Store, session_id: str) -> list[tuple[str, InboxNote | str]]:
    """Notes in the inbox, oldest first, by key; one that cannot be read gives its reason
    instead."""
    found: list[tuple[str, InboxNote | str]] = []
    for key, data in store.waiting_notes(session_id):
        try:
            found.append((key, InboxNote.model_validate_json(data)))
        except ValidationError as error:
            found.append((key, f"An observer's note could not be read: {explain(error)}"))
    return found


def take_in(session: Session, note: InboxNote) -> None:
    """Add a participant's note to the session, attributed to them."""
    slot = _slot(session, note.slot_id)
    if note.id in {n.id for n in slot.resonance} | {h.id for h in slot.hypotheses}:
        return  # already taken in: an inbox file outlived its save (a crash in between)
    if note.kind is NoteKind.RESONANCE:
        slot.resonance = [
            *slot.resonance,
            ResonanceNote(id=note.id, observer=note.author, text=note.text, written_by=note.author),
        ]
    else:
        slot.hypotheses = [
            *slot.hypotheses,
            Hypothesis(id=note.id, text=note.text, offered_by=note.author, written_by=note.author),
        ]


@dataclass
class Arrivals:
    """What taking in the inbox did: the notes now in the session, and sentences to show."""

    taken: list[InboxNote] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def take_in_waiting(store: Store, session: Session, save: Callable[[Session], bool]) -> Arrivals:
    """Every note waiting in the session's inbox into the session, saved with `save`, and only
    then taken out of the inbox. A note that cannot be read or is refused is set aside, said
    once and never lost; if the save fails, the notes stay waiting.

    A closed session takes nothing in here: its run screen, on its way out, saves nothing more,
    so a note arriving as it closed waits for `take_in_late`."""
    if session.status is SessionStatus.CLOSED:
        return Arrivals()
    return _take_in_all(store, session, save)


def take_in_late(store: Store) -> list[tuple[Session, Arrivals]]:
    """Notes that arrived after their session closed (sent in the moment of the close, from a
    screen that still showed it running) taken into the closed session's record, so no word is
    lost: the session is read afresh and saved over the revision read, or the notes wait for the
    next time. A session that is not closed is left to its run screen."""
    late = []
    for session_id in store.sessions_with_waiting_notes():
        try:
            session = store.session(session_id)
        except GroupsupError:  # damaged or gone: the store's check names it
            continue
        if session.status is SessionStatus.CLOSED:
            arrivals = _take_in_all(store, session, _saved_by(store))
            if arrivals.taken or arrivals.problems:
                late.append((session, arrivals))
    return late


def _saved_by(store: Store) -> Callable[[Session], bool]:
    def save(session: Session) -> bool:
        try:
            store.save_session(session)
        except (GroupsupError, OSError):  # another writer saved it meanwhile, or a full disk:
            # the notes wait for the next time
            return False
        return True

    return save


def _take_in_all(store: Store, session: Session, save: Callable[[Session], bool]) -> Arrivals:
    arrivals = Arrivals()
    taken_from: list[str] = []
    for key, note in waiting(store, session.id):
        if isinstance(note, str):
            store.set_note_aside(session.id, key)
            arrivals.problems.append(note)
            continue
        try:
            take_in(session, note)
        except GroupsupError as error:
            store.set_note_aside(session.id, key)
            arrivals.problems.append(str(error))
            continue
        taken_from.append(key)
        arrivals.taken.append(note)
    if taken_from and not save(session):
        arrivals.taken = []
        return arrivals
    for key in taken_from:
        store.note_taken(session.id, key)
    return arrivals
