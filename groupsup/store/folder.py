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
import shutil
import socket
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
    slug,
)
from groupsup.outputs import report
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
BACKUPS_KEPT = 5


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


def _remove_abandoned_temporaries(*folders: Path) -> None:
    """Delete temporary files left by a save that was killed (its process is gone)."""
    for folder in folders:
        for path in folder.glob(".*.tmp"):
            try:
                pid = int(path.name.rsplit(".", 2)[-2])
                os.kill(pid, 0)  # still running: its save may be under way
            except ProcessLookupError:
                path.unlink(missing_ok=True)
            except (ValueError, PermissionError, IndexError):
                continue


def _writer() -> str:
    return f"{getpass.getuser()}@{socket.gethostname()}, process {os.getpid()}"


class FolderStore:
    """A store in a folder on this machine: see the module's docstring for its layout."""

    def __init__(self, root: Path) -> None:
        self.root = private_folder(Path(root))
        self.sessions_folder = private_folder(self.root / "sessions")
        self._pods = database(self.root / PODS_FILE).table("pods")
        self._index = database(self.root / INDEX_FILE).table("sessions")
        self._lock = FileLock(self.root / ".lock", timeout=LOCK_TIMEOUT_SECONDS, mode=0o600)
        # Summaries as this process last read or wrote them: a save rewrites the index only
        # when the summary changed.
        self._known: dict[str, SessionSummary] = {}
        self._revisions: dict[str, int] = {}  # revision of each session as this process saw it
        _remove_abandoned_temporaries(self.root, self.sessions_folder)
        self.damaged: dict[str, str] = {}  # session id -> why its file cannot be read
        self._ensure_facts()

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

    # -- backups -------------------------------------------------------------------------

    def _backed_up_files(self) -> list[Path]:
        return [
            self.root / PODS_FILE,
            self.root / INDEX_FILE,
            *sorted(self.sessions_folder.glob("*.json")),
        ]

    def backup(self, reason: str, checked: bool = True) -> Path:
        """Copy the store's records into backups/, keeping the last BACKUPS_KEPT. A checked
        backup refuses (StoreDamaged) while any record is damaged, so it is of a good state;
        an unchecked one keeps whatever is there, damage and all."""
        with self._locked():
            files = [f for f in self._backed_up_files() if f.exists()]
            if checked and (problems := self.check()):
                raise StoreDamaged(problems[0])
            stamp = dt.datetime.now().strftime("%Y-%m-%dT%H%M%S.%f")
            folder = private_folder(self.root / "backups" / f"{stamp}-{slug(reason)}")
            private_folder(folder / "sessions")
            private_folder(folder / FACTS_FOLDER)
            for path in files:
                atomic_write(folder / path.relative_to(self.root), path.read_bytes())
            for old in self.backups()[BACKUPS_KEPT:]:
                shutil.rmtree(old)
        return folder

    def backups(self) -> list[Path]:
        """Backups, newest first."""
        folder = self.root / "backups"
        return (
            sorted((p for p in folder.iterdir() if p.is_dir()), reverse=True)
            if folder.exists()
            else []
        )

    def restore(self, name: str) -> Path:
        """Put back the records of backup `name`, after backing up the present state."""
        source = self.root / "backups" / name
        if not name or "/" in name or not (source / PODS_FILE).exists():
            raise NotFound(f"There is no backup '{name}'; 'groupsup restore' lists them.")
        with self._locked():
            undo = self.backup("before restore", checked=False)
            kept = {p.name for p in (source / "sessions").glob("*.json")}
            for path in self.sessions_folder.glob("*.json"):
                if path.name not in kept:
                    path.unlink()
            for path in [
                source / PODS_FILE,
                source / INDEX_FILE,
                *(source / "sessions").glob("*.json"),
            ]:
                atomic_write(self.root / path.relative_to(source), path.read_bytes())
            self._known.clear()
            self._revisions.clear()
            self.damaged.clear()
        return undo

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
