"""The folder store: the first engine of the storage interface (`interface.Store`), and the one
owner of TinyDB.

Layout of a store folder (0700, every file 0600):

    pods.json            TinyDB: the pods and their members
    index.json           TinyDB: one small summary per session, for lists and the home screen
    facts/<pod>.json     TinyDB: what the pod's record needs of each closed session
    sessions/<id>.json   TinyDB: one session's full record
    sessions/<id>.inbox/ observers' notes waiting to be taken in
    exports/             minutes written by the app

Saving an edit rewrites only that session's file, so it costs the same with 10 sessions stored
as with 1,200; the index is rewritten only when a session's summary (date, status, slots)
changes. Every file is written atomically (temporary file, fsync, rename) and every write holds
the store's file lock, so two processes never interleave their writes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout
from pydantic import ValidationError
from tinydb import Query

from groupsup.domain import rules
from groupsup.domain.errors import NotFound, StoreBusy, StoreConflict, StoreDamaged, explain
from groupsup.domain.models import (
    SCHEMA_VERSION,
    MinutesDocument,
    Pod,
    Session,
    SessionStatus,
)
from groupsup.outputs import report
from groupsup.store import backups
from groupsup.store.database import (
    FACTS_FOLDER,
    INDEX_FILE,
    PODS_FILE,
    AtomicJSONStorage,
    OpenStep,
    PodView,
    SessionSummary,
    database,
    find_pod_row,
    rows,
    summaries,
)
from groupsup.store.files import atomic_write, private_folder
from groupsup.store.interface import AlreadyStored
from groupsup.store.migrations import UnknownVersion, upgrade

LOCK_TIMEOUT_SECONDS = 10


def _stored_record(path: Path) -> dict:
    """The one record in a session file, upgraded to the current schema."""
    data = AtomicJSONStorage(path).read()
    records = (data or {}).get("record", {})
    if not records:
        raise StoreDamaged(f"{path} is damaged: it holds no session.")
    try:
        return upgrade(next(iter(records.values())))
    except UnknownVersion as error:
        raise StoreDamaged(f"{path} cannot be opened: {error}.") from None


def _parse_session(path: Path, record: dict) -> Session:
    try:
        return Session.model_validate(record.get("session"))
    except ValidationError as error:
        raise StoreDamaged(f"{path} holds a session that is not valid: {explain(error)}") from None


def check_record(path: Path, rel: str) -> None:
    """Raise StoreDamaged if the record at `path`, kept as `rel` in a store, cannot be read back
    as it should."""
    try:
        if rel == PODS_FILE:
            for row in rows(path, "pods"):
                Pod.model_validate(row)
        elif rel == INDEX_FILE:
            summaries(rows(path, "sessions"))
        elif rel.startswith("sessions/") and rel.count("/") == 1:
            _parse_session(path, _stored_record(path))
        elif rel.startswith(f"{FACTS_FOLDER}/"):
            rows(path, "facts")
    except (ValidationError, AttributeError, TypeError) as error:
        raise StoreDamaged(f"{path} is damaged: it does not hold what it should.") from error


def _remove_abandoned_temporaries(*folders: Path) -> None:
    """Delete temporary files left by a save that was killed (its process is gone)."""
    for folder in folders:
        for path in folder.glob(".*.tmp"):
            if _abandoned(path):
                path.unlink(missing_ok=True)


def _abandoned(temporary: Path) -> bool:
    """Whether the process that wrote `.<name>.<pid>.tmp` is gone. Windows has no harmless probe
    (os.kill would end the process), so there a temporary an hour old counts as abandoned."""
    try:
        if os.name == "nt":
            return time.time() - temporary.stat().st_mtime > 3600
        os.kill(int(temporary.name.rsplit(".", 2)[-2]), 0)
    except ProcessLookupError:
        return True
    except (ValueError, IndexError, OSError):
        return False
    return False  # still running: its save may be under way


def _writer() -> str:
    return f"{getpass.getuser()}@{socket.gethostname()}, process {os.getpid()}"


class FolderStore:
    """A store in a folder on this machine: see the module's docstring for its layout."""

    def __init__(self, root: Path) -> None:
        self.root = private_folder(Path(root))
        self._lock = FileLock(self.root / ".lock", timeout=LOCK_TIMEOUT_SECONDS, mode=0o600)
        self.sessions_folder = self.root / "sessions"
        self._forget()
        if backups.interrupted(self.root):  # before sessions/ is made: the swap expects none
            with self._locked():
                if backups.resume(self.root):
                    self._rebuild_derived()
                    backups.done(self.root)
        private_folder(self.sessions_folder)
        _remove_abandoned_temporaries(self.root, self.sessions_folder, self.root / FACTS_FOLDER)
        self._ensure_facts()

    def _forget(self) -> None:
        """Read every record afresh from here on (after a restore, say)."""
        self._pods = database(self.root / PODS_FILE).table("pods")
        self._index = database(self.root / INDEX_FILE).table("sessions")
        # Summaries as this process last read or wrote them: a save rewrites the index only
        # when the summary changed.
        self._known: dict[str, SessionSummary] = {}
        self._revisions: dict[str, int] = {}  # revision of each session as this process saw it
        self.damaged: dict[str, str] = {}  # session id -> why its file cannot be read

    # -- locking -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self._lock.acquire()
        except Timeout:
            raise StoreBusy(
                f"Another groupsup is saving to {self.root} and has not finished; try again."
            ) from None
        try:
            yield
        finally:
            self._lock.release()

    # -- pods ----------------------------------------------------------------------------

    def pods(self) -> list[Pod]:
        return sorted(
            (Pod.model_validate(doc) for doc in self._pods.all()),
            key=lambda pod: pod.name.lower(),
        )

    def pod_views(self) -> list[PodView]:
        return [PodView.from_row(row) for row in self._pod_rows()]

    def _pod_rows(self) -> list[dict]:
        return sorted(rows(self.root / PODS_FILE, "pods"), key=lambda row: row["name"].lower())

    def pod(self, pod_id: str) -> Pod:
        doc = self._pods.get(Query().id == pod_id)
        if doc is None:
            raise NotFound(f"There is no pod '{pod_id}' in this store.")
        return Pod.model_validate(doc)

    def find_pod(self, wanted: str | None) -> Pod:
        """The pod named or keyed `wanted` (any case); with None, the store's only pod."""
        return Pod.model_validate(find_pod_row(self._pods.all(), wanted))

    def save_pod(self, pod: Pod) -> None:
        with self._locked():
            self._pods.upsert(pod.model_dump(mode="json"), Query().id == pod.id)

    # -- sessions ------------------------------------------------------------------------

    def summaries(self, pod_id: str | None = None) -> list[SessionSummary]:
        return summaries(rows(self.root / INDEX_FILE, "sessions"), pod_id)

    def _session_path(self, session_id: str) -> Path:
        if not session_id or "/" in session_id or session_id.startswith("."):
            raise NotFound(f"'{session_id}' is not a session id.")
        return self.sessions_folder / f"{session_id}.json"

    def session(self, session_id: str) -> Session:
        path = self._session_path(session_id)
        if not path.exists():
            raise NotFound(f"There is no session '{session_id}' in this store.")
        record = _stored_record(path)
        session = _parse_session(path, record)
        self._known[session.id] = SessionSummary.of(session)
        self._revisions[session.id] = record.get("revision", 0)
        return session

    def sessions(self, pod_id: str | None = None) -> list[Session]:
        """The pod's sessions that can be read; damaged ones are listed in `self.damaged`."""
        found = []
        for summary in self.summaries(pod_id):
            try:
                found.append(self.session(summary.id))
            except StoreDamaged as error:
                self.damaged[summary.id] = str(error)
            else:
                self.damaged.pop(summary.id, None)
        return found

    def save_session(self, session: Session) -> None:
        """Check the session against its pod and save it, atomically.

        Refuses (StoreConflict) when another process saved the session since this one read it,
        rather than overwrite what that process saved.
        """
        rules.check_session(self.pod(session.pod_id), session)
        with self._locked():
            path = self._session_path(session.id)
            if path.exists():
                on_disk = _stored_record(path)
                if on_disk.get("revision", 0) != self._revisions.get(session.id, 0):
                    raise StoreConflict(
                        f"The session of {session.date} was saved by another groupsup "
                        f"({on_disk.get('saved_by', 'unknown')}) since you opened it, so your "
                        "change was not saved. Go back and open the session again."
                    )
            self._write_session(session)
            summary = SessionSummary.of(session)
            if self._known.get(session.id) != summary:
                self._write_summaries([summary])
            if session.status is SessionStatus.CLOSED:
                self._write_facts([session])

    def update_session(self, session_id: str, change: Callable[[Session], None]) -> Session:
        """Re-read the session under the lock, apply `change` to it and save it: for writers
        that share a session (observers' notes) and must never lose each other's changes."""
        with self._locked():
            session = self.session(session_id)
            change(session)
            self.save_session(session)  # the lock is re-entrant within this process
        return session

    def delete_session(self, session_id: str) -> None:
        with self._locked():
            self._session_path(session_id).unlink(missing_ok=True)
            self._index.remove(Query().id == session_id)
            for facts in self._facts_files():
                database(facts).table("facts").remove(Query().id == session_id)
            self._known.pop(session_id, None)

    def _write_session(self, session: Session) -> None:
        revision = self._revisions.get(session.id, 0) + 1
        record = {
            "schema_version": SCHEMA_VERSION,
            "revision": revision,
            "saved_by": _writer(),
            "session": session.model_dump(mode="json"),
        }
        db = database(self._session_path(session.id))
        db.storage.write({"record": {"1": record}})
        self._revisions[session.id] = revision

    def _write_summaries(self, summaries: Iterable[SessionSummary]) -> None:
        summaries = list(summaries)
        ids = [summary.id for summary in summaries]
        self._index.remove(Query().id.one_of(ids))
        self._index.insert_multiple(summary.row() for summary in summaries)
        self._known.update(zip(ids, summaries, strict=True))

    # -- backups (groupsup/store/backups.py) ---------------------------------------------

    def backup(self, reason: str, checked: bool = True, progress=None) -> Path:
        """Back up the store's records. A checked backup refuses (StoreDamaged) while any
        record is damaged, so it is of a good state; an unchecked one keeps whatever is there."""
        with self._locked():
            return backups.take(
                self.root, reason, check_record if checked else None, progress=progress
            )

    def backups(self) -> list[backups.Backup]:
        """Backups, newest first."""
        return backups.listing(self.root)

    def restore(self, name: str, damaged_too: bool = False) -> Path:
        """Put back the records of backup `name` after verifying it and backing up the present
        state (returned). A backup holding damaged records is refused unless `damaged_too`."""
        with self._locked():
            chosen = backups.find(self.root, name)
            backups.verify(chosen)
            if not chosen.checked and not damaged_too:
                try:
                    for rel in chosen.files:
                        check_record(chosen.folder / rel, rel)
                except StoreDamaged as error:
                    raise StoreDamaged(
                        f"{error} To put backup {name} back all the same, add --damaged-too."
                    ) from None
            undo = backups.take(self.root, "before restore", keep=(chosen.name,))
            backups.put_back(self.root, chosen)
            self._forget()
            self._rebuild_derived()
            backups.done(self.root)
        return undo

    def _rebuild_derived(self) -> None:
        """Make the derived records again from the restored sessions."""
        try:
            self.rebuild_derived()
        except StoreDamaged:  # put back with --damaged-too: the backup's index names them
            self._write_facts(self.sessions())

    def _facts_table(self, pod_id: str):
        folder = private_folder(self.root / FACTS_FOLDER)
        return database(folder / f"{pod_id}.json").table("facts")

    def _facts_files(self) -> list[Path]:
        return sorted((self.root / FACTS_FOLDER).glob("*.json"))

    def _write_facts(self, sessions: Iterable[Session]) -> None:
        """Each pod's file, one write a pod: closing a session costs what its pod holds."""
        by_pod: dict[str, list[Session]] = {}
        for session in sessions:
            if session.status is SessionStatus.CLOSED:
                by_pod.setdefault(session.pod_id, []).append(session)
        for pod_id, closed in by_pod.items():
            table = self._facts_table(pod_id)
            table.remove(Query().id.one_of([s.id for s in closed]))
            table.insert_multiple(report.facts_of(s) for s in closed)

    def report_facts(self, pod_id: str) -> list[dict]:
        """The facts of the pod's closed sessions: what its record is made from."""
        return rows(self.root / FACTS_FOLDER / f"{pod_id}.json", "facts")

    def open_steps(self, pod_id: str | None = None) -> list[OpenStep]:
        from groupsup.domain import followup

        pod_ids = [pod_id] if pod_id else [pod.id for pod in self.pod_views()]
        return [
            OpenStep.of(tracked)
            for pod in pod_ids
            for tracked in followup.open_steps(self.sessions(pod))
        ]

    def rebuild_derived(self) -> None:
        with self._locked():
            found = [
                _parse_session(path, _stored_record(path))
                for path in sorted(self.sessions_folder.glob("*.json"))
            ]
            self._index.truncate()
            self._write_summaries(SessionSummary.of(session) for session in found)
            for path in self._facts_files():
                path.unlink()
            self._write_facts(found)

    def _ensure_facts(self) -> None:
        """A store from before the facts files: make them once from the closed sessions."""
        if (self.root / FACTS_FOLDER).exists():
            return
        if any(row.get("status") == SessionStatus.CLOSED for row in self._index.all()):
            with self._locked():
                self._write_facts(self.sessions())

    # -- observers' notes ------------------------------------------------------------------

    def _inbox(self, session_id: str) -> Path:
        return self.sessions_folder / f"{session_id}.inbox"

    def post_note(self, session_id: str, note_id: str, note: bytes) -> None:
        folder = private_folder(self._inbox(session_id))
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        atomic_write(folder / f"{stamp}-{note_id}.json", note)

    def waiting_notes(self, session_id: str) -> list[tuple[str, bytes]]:
        folder = self._inbox(session_id)
        paths = sorted(folder.glob("*.json")) if folder.exists() else []
        return [(path.name, path.read_bytes()) for path in paths]

    def note_taken(self, session_id: str, key: str) -> None:
        (self._inbox(session_id) / key).unlink(missing_ok=True)

    def set_note_aside(self, session_id: str, key: str) -> None:
        path = self._inbox(session_id) / key
        path.rename(path.with_suffix(".refused"))

    # -- check -----------------------------------------------------------------------------

    def check(self) -> list[str]:
        problems = []
        for read in (self.pods, self.summaries):
            try:
                read()
            except StoreDamaged as error:
                problems.append(str(error))
        for path in sorted(self.sessions_folder.glob("*.json")):
            try:
                _parse_session(path, _stored_record(path))
            except StoreDamaged as error:
                problems.append(str(error))
        return problems

    def is_empty(self) -> bool:
        return not self._pods and not self._index

    # -- import --------------------------------------------------------------------------

    def add_documents(self, documents: list[MinutesDocument], replace: bool = False) -> None:
        """Add sessions with their pods (merging members the store lacks), in one locked batch.

        The caller has already checked every document; nothing here can fail half way for a
        reason in the documents themselves. AlreadyStored names a session the store holds,
        when not asked to replace it.
        """
        with self._locked():
            if not replace:
                for document in documents:
                    if self._session_path(document.session.id).exists():
                        raise AlreadyStored(document.session.id)
            pods = {pod.id: pod for pod in self.pods()}
            for document in documents:
                pods[document.pod.id] = merge_pod(pods.get(document.pod.id), document.pod)
            for pod in pods.values():
                self._pods.upsert(pod.model_dump(mode="json"), Query().id == pod.id)
            self._write_facts(d.session for d in documents)
            for document in documents:
                path = self._session_path(document.session.id)
                if path.exists():  # replacing: the new record follows the one on disk
                    self._revisions[document.session.id] = _stored_record(path).get("revision", 0)
                self._write_session(document.session)
            self._write_summaries(SessionSummary.of(d.session) for d in documents)


def merge_pod(existing: Pod | None, incoming: Pod) -> Pod:
    """The store's pod with any members of `incoming` it lacks added (store names win)."""
    if existing is None:
        return incoming
    known = {m.id for m in existing.members}
    extra = [m for m in incoming.members if m.id not in known]
    return existing.model_copy(update={"members": existing.members + extra})
