"""The storage interface: everything the screens and the command line ask of a store.

Nothing above the store reaches past this interface to files or tables. The folder store
(`groupsup.store.folder`) is its first engine; another engine implements the same `Store` and
is chosen by its location in `open_store`, and `tests/test_store_contract.py` runs every
behaviour below against every engine.

Errors are the domain's: `NotFound` for what is not there, `StoreDamaged` for a record that
cannot be read (never "not found"), `StoreConflict` when another writer saved first, `StoreBusy`
when the store stays locked.

This module imports no pydantic: opening a store must not hold up the first paint.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from groupsup.domain.errors import GroupsupError

if TYPE_CHECKING:
    from groupsup.domain.derived import StepSource
    from groupsup.domain.models import MinutesDocument, Pod, Session
    from groupsup.domain.roles import SessionRoles
    from groupsup.store.database import OpenStep, PodView, SessionSummary


class AlreadyStored(GroupsupError):
    """An import would overwrite a session the store holds, and was not asked to."""

    def __init__(self, session_id: str) -> None:
        super().__init__(f"session {session_id} is already in the store")
        self.session_id = session_id


class StoredBackup(Protocol):
    """A backup as `groupsup restore` lists it, whichever engine keeps it (the folder store's
    `backups.Backup`, the database's `postgres.DatabaseBackup`)."""

    @property
    def name(self) -> str:
        """What `restore` is given to put it back."""
        ...

    @property
    def reason(self) -> str: ...

    @property
    def sessions(self) -> int:
        """How many sessions it holds."""
        ...

    @property
    def problem(self) -> str:
        """Why it cannot be restored, from a quick look; "" when it looks whole."""
        ...

    @property
    def checked(self) -> bool:
        """Whether every record was read back as it was taken (else it may hold a damaged
        one, which restore puts back only when asked)."""
        ...


class StoreIndex(Protocol):
    """What the home screen paints first: pods, session summaries, open steps and the pods'
    facts, read without pydantic."""

    def pod_views(self) -> list[PodView]:
        """Every pod's id, name and members' names, by name, read without pydantic."""
        ...

    def pod_rows(self) -> list[dict]:
        """Every pod as plain data (as `Pod` dumps it to JSON), by name, read without
        pydantic."""
        ...

    def summaries(self, pod_id: str | None = None) -> list[SessionSummary]:
        """The index: one pod's sessions (or all), in date order, read without pydantic."""
        ...

    def open_steps(self, pod_id: str | None = None) -> list[OpenStep]:
        """The next steps still open in one pod (or all), each with its latest review, read
        without pydantic."""
        ...

    def report_facts(self, pod_id: str, since: dt.date | None = None) -> list[dict]:
        """What the pod's record needs of each of its sessions held, postponed or cancelled
        (see `outputs.report`), in date order. With `since`, only of those from that day on,
        and of the pod's first (the record counts the months expected from it): what a record
        from that day needs. Read without pydantic."""
        ...

    def awaiting_agreement(self, pod_id: str) -> int:
        """How many of the pod's case records await agreement (`derived.awaiting_agreement`),
        read without pydantic."""
        ...


@runtime_checkable
class Store(StoreIndex, Protocol):
    """A store of pods and their sessions, with the records derived from them."""

    @property
    def root(self) -> Path:
        """The folder on this machine for the store's local files (pod formats, exports, join
        codes); for the folder engine, the store itself."""
        ...

    damaged: dict[str, str]
    """Session id -> why it could not be read, for each session left out of a listing."""

    # -- pods --------------------------------------------------------------------------

    def pods(self) -> list[Pod]:
        """Every pod, by name."""
        ...

    def pod(self, pod_id: str) -> Pod:
        """The pod `pod_id`; NotFound if there is none."""
        ...

    def find_pod(self, wanted: str | None) -> Pod:
        """The pod named or keyed `wanted` (any case); with None, the store's only pod."""
        ...

    def save_pod(self, pod: Pod) -> None:
        """Add the pod, or replace the one with its id."""
        ...

    def is_empty(self) -> bool:
        """True when the store holds no pod and no session."""
        ...

    # -- sessions ------------------------------------------------------------------------

    def session(self, session_id: str) -> Session:
        """One session; NotFound if there is none, StoreDamaged if it cannot be read."""
        ...

    def sessions(self, pod_id: str | None = None) -> list[Session]:
        """One pod's sessions (or all) that can be read, in date order; each left out is
        named in `damaged`."""
        ...

    def save_session(self, session: Session) -> None:
        """Check the session against its pod's rules and save it with its derived records.

        StoreConflict if another writer saved it since this store last read or saved it.
        """
        ...

    def update_session(self, session_id: str, change: Callable[[Session], None]) -> Session:
        """Re-read the session under the store's lock, apply `change` and save it: for writers
        that share a session and must never lose each other's changes."""
        ...

    def delete_session(self, session_id: str) -> None:
        """Remove the session and everything derived from it."""
        ...

    # -- what a session carries from earlier ones (`domain.earlier`) -------------------------
    # Starting a session reads only the sessions these name, never the pod's whole history.

    def open_steps_before(self, pod_id: str, day: dt.date, session_id: str) -> list[StepSource]:
        """The pod's next steps still open before the session `session_id` on `day` (sessions
        in date order, then by id), as only the sessions before it have them, each with the
        session that agreed it and the one whose review last said how it stands. Read without
        pydantic."""
        ...

    def last_presentations(
        self, pod_id: str, cases: Collection[str], day: dt.date, besides: Collection[str]
    ) -> dict[str, str]:
        """For each of `cases` (as `vocabulary.same_case` has them), the pod's session held
        (running or closed) on or before `day`, other than `besides`, that last presented it
        with a genogram or a case history (the earliest id on that day): case -> session id.
        A case none presented is left out. Read without pydantic."""
        ...

    # -- what planning reads of a pod's other sessions (`domain.roles`) --------------------

    def session_roles(
        self, session_ids: Sequence[str]
    ) -> tuple[list[SessionRoles], dict[str, str]]:
        """Who held which role in each of the sessions `session_ids` that can be read, in
        that order, read without pydantic; and each one left out: session id -> why it cannot
        be read (a record without these fields, each checked, is damaged)."""
        ...

    # -- derived records -----------------------------------------------------------------

    def rebuild_derived(self) -> None:
        """Make the index, pod facts and open steps again from the sessions alone (after a
        restore, or to repair them)."""
        ...

    # -- observers' notes ----------------------------------------------------------------

    def post_note(self, session_id: str, note_id: str, note: bytes) -> None:
        """Leave an observer's note (JSON) in the session's inbox; the session is untouched."""
        ...

    def waiting_notes(self, session_id: str) -> list[tuple[str, bytes]]:
        """The notes in the session's inbox, oldest first, as (key, JSON)."""
        ...

    def sessions_with_waiting_notes(self) -> list[str]:
        """The ids of the sessions whose inbox holds a note, in order (a closed session's are
        notes that arrived as it closed)."""
        ...

    def note_taken(self, session_id: str, key: str) -> None:
        """The note is in the session now: remove it from the inbox."""
        ...

    def set_note_aside(self, session_id: str, key: str) -> None:
        """Take a note that cannot be taken in out of the inbox, keeping it (never lost)."""
        ...

    # -- observers joining ---------------------------------------------------------------
    # Kept by the store, so that an observer on another machine joins through it: a database
    # keeps them in tables, a folder in files beside the sessions (`observers.joining` reads
    # and writes them through these).

    def join_codes(self, session_id: str | None = None) -> dict[str, bytes]:
        """The join codes (JSON) of one session, or of every session that has some:
        session id -> JSON."""
        ...

    def save_join_codes(self, session_id: str, codes: bytes) -> None:
        """Keep the session's join codes (JSON), replacing those it had."""
        ...

    def say_present(
        self, session_id: str, member_id: str, connection: str, seen: dt.datetime
    ) -> None:
        """The observer `member_id` was on `connection` at `seen` (their screen's heartbeat)."""
        ...

    def leave(self, session_id: str, member_id: str, connection: str) -> None:
        """The observer has left from `connection` (never from another screen they use since)."""
        ...

    def present(self, session_id: str) -> dict[str, tuple[str, dt.datetime]]:
        """The observers who have said they are present: member id -> (connection, last seen),
        by member id."""
        ...

    # -- the pods' own session formats ---------------------------------------------------

    def own_formats(self) -> dict[str, tuple[str, bytes]]:
        """The session formats the pods added (TOML; see `domain.formats`): format id ->
        (where the store keeps it, as a sentence names it; its TOML)."""
        ...

    def save_format(self, format_id: str, toml: bytes) -> None:
        """Keep a session format of the pods' own (checked by the caller), replacing the one
        with its id."""
        ...

    # -- backups -------------------------------------------------------------------------

    def backup(
        self, reason: str, checked: bool = True, progress=None, thorough: bool = False
    ) -> Path:
        """Back up the store's records, verifiably, at the cost of what changed since the last
        backup; a checked backup refuses (StoreDamaged) while any record is damaged.
        `progress(done, total)` is called as files are kept. A `thorough` one (on demand)
        also reads back what it keeps from the last, and makes a damaged copy again."""
        ...

    def backups(self) -> Sequence[StoredBackup]:
        """The backups, newest first, each saying why it cannot be restored if it cannot."""
        ...

    def restore(self, name: str, damaged_too: bool = False) -> Path:
        """Verify backup `name` and put it back, keeping the present state as a backup
        (returned); then the derived records are rebuilt. StoreDamaged if the backup is not
        whole, or holds a damaged record and `damaged_too` is not given."""
        ...

    # -- check ---------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Everything wrong with the store, one sentence each naming what is wrong; none when
        it is sound."""
        ...

    def quick_check(self) -> list[str]:
        """What a glance finds wrong, quickly enough to run as the app opens the store (the
        app names each in a banner); `check` looks closer."""
        ...

    def repair(self) -> list[str]:
        """Make the derived records again from the sessions and put the store's permissions
        right, never touching a damaged session; returns what is still wrong (`check`)."""
        ...

    # -- import --------------------------------------------------------------------------

    def add_documents(self, documents: list[MinutesDocument], replace: bool = False) -> None:
        """Add sessions with their pods (adding members the store lacks), all or none: a
        session already in the store is refused unless `replace`."""
        ...


def note_problem(where: str, note: bytes, set_aside: bool) -> str | None:
    """What `check` says of an observer's note kept at `where`: one set aside (it could not be
    taken in) waits for a person; one waiting that is not a JSON object will be set aside."""
    if set_aside:
        return (
            f"{where} holds an observer's note that could not be taken in, so it was set aside: "
            "add what it says to the session by hand, then remove it."
        )
    try:
        readable = isinstance(json.loads(note), dict)
    except ValueError:
        readable = False
    return None if readable else f"{where} is damaged: it does not hold an observer's note."


def open_index(location: Path | str) -> StoreIndex:
    """The index of the store at `location`, as quick to open as it can be: a folder's is read
    straight from its files, before the store itself (and pydantic) is loaded, unless opening
    the store has something to settle first (see `FolderIndex.is_settled`)."""
    from groupsup.store.locations import is_database

    if is_database(location):
        return open_store(location)
    from groupsup.store.database import FolderIndex

    index = FolderIndex(Path(location))
    return index if index.is_settled() else open_store(location)


def open_store(location: Path | str) -> Store:
    """The store at `location`: a `postgresql://` URI (the PostgreSQL engine), else a folder
    path (the folder engine)."""
    from groupsup.store.locations import is_database

    if is_database(location):
        from groupsup.store.postgres import PostgresStore

        return PostgresStore(str(location))
    from groupsup.store.folder import FolderStore

    return FolderStore(Path(location))
