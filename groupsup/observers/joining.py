"""Observers joining a running session from their own screen.

The facilitator's run screen shows a join code, short-lived and for one session, so that a link
forwarded by mistake does not open the records. A participant who gives the code and picks
their name adds resonance notes and hypotheses in their own name. These go into the session's
inbox (files beside the session, never the session file itself), and the facilitator's screen
takes them in on its next tick, so two processes never write the same record.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from groupsup.domain.errors import GroupsupError, explain
from groupsup.domain.models import CaseSlot, Hypothesis, ResonanceNote, Session
from groupsup.store.files import atomic_write, private_folder

JOIN_FILE = "join.json"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, typed by eye
CODE_LENGTH = 6


class JoinRefused(GroupsupError):
    pass


class JoinCode(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str
    code: str
    expires_at: dt.datetime


def open_joining(store_root: Path, session: Session, now: dt.datetime) -> JoinCode:
    """The session's join code, made anew when there is none or it has expired."""
    current = _read_code(store_root)
    if current and current.session_id == session.id and current.expires_at > now:
        return current
    code = _new_code()
    expires = now + dt.timedelta(minutes=session.planned_minutes + 60)
    join = JoinCode(session_id=session.id, code=code, expires_at=expires)
    atomic_write(Path(store_root) / JOIN_FILE, join.model_dump_json().encode())
    return join


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def check_code(store_root: Path, typed: str, now: dt.datetime) -> str:
    """The id of the session `typed` opens, or JoinRefused with the reason."""
    current = _read_code(store_root)
    wanted = typed.strip().upper().replace(" ", "")
    if not wanted:
        raise JoinRefused("Type the join code shown on the facilitator's screen.")
    if current is None or not secrets.compare_digest(wanted, current.code):
        raise JoinRefused(
            f"'{typed.strip()}' is not the join code: check it on the facilitator's screen."
        )
    if current.expires_at <= now:
        raise JoinRefused("That join code has expired: ask the facilitator for the new one.")
    return current.session_id


def _read_code(store_root: Path) -> JoinCode | None:
    path = Path(store_root) / JOIN_FILE
    try:
        return JoinCode.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None


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


def inbox_folder(store_root: Path, session_id: str) -> Path:
    return Path(store_root) / "sessions" / f"{session_id}.inbox"


def post(store_root: Path, session: Session, note: InboxNote) -> None:
    """Check a participant's note against the session and leave it in the inbox."""
    slot = _slot(session, note.slot_id)
    if note.author not in session.attendees:
        raise JoinRefused("Only members marked present can add notes to this session.")
    if note.kind is NoteKind.RESONANCE and note.author not in slot.observers:
        raise JoinRefused("Resonance is for the case's observers; add a hypothesis instead.")
    folder = private_folder(inbox_folder(store_root, session.id))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    atomic_write(folder / f"{stamp}-{note.id}.json", note.model_dump_json().encode())


def _slot(session: Session, slot_id: str) -> CaseSlot:
    for slot in session.slots:
        if slot.id == slot_id:
            return slot
    raise JoinRefused("That case is not in this session.")


def waiting(store_root: Path, session_id: str) -> list[tuple[Path, InboxNote | str]]:
    """Notes in the inbox, oldest first; a file that cannot be read gives its reason instead."""
    folder = inbox_folder(store_root, session_id)
    found: list[tuple[Path, InboxNote | str]] = []
    for path in sorted(folder.glob("*.json")) if folder.exists() else []:
        try:
            found.append((path, InboxNote.model_validate(json.loads(path.read_bytes()))))
        except (OSError, ValueError, ValidationError) as error:
            reason = explain(error) if isinstance(error, ValidationError) else str(error)
            found.append((path, f"{path.name} could not be read: {reason}"))
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
