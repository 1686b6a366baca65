"""The store: the one owner of TinyDB.

Layout of a store folder (0700, every file 0600):

    pods.json            TinyDB: the pods and their members
    index.json           TinyDB: one small summary per session, for lists and the home screen
    sessions/<id>.json   TinyDB: one session's full record
    exports/             minutes written by the app

Saving an edit rewrites only that session's file, so it costs the same with 10 sessions stored
as with 1,200; the index is rewritten only when a session's summary (date, status, slots)
changes. Every file is written atomically (temporary file, fsync, rename) and every write holds
the store's file lock, so two processes never interleave their writes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout
from pydantic import BaseModel, ValidationError
from tinydb import Query, TinyDB
from tinydb.storages import Storage

from groupsup import rules
from groupsup.errors import GroupsupError, explain
from groupsup.files import atomic_write, private_folder
from groupsup.models import SCHEMA_VERSION, MinutesDocument, Pod, Session, SessionStatus

PODS_FILE = "pods.json"
INDEX_FILE = "index.json"
LOCK_TIMEOUT_SECONDS = 10


class StoreDamaged(GroupsupError):
    """A file in the store cannot be read; it is left untouched."""


class StoreBusy(GroupsupError):
    """Another process held the store's lock for too long."""


class NotFound(GroupsupError):
    pass


class AtomicJSONStorage(Storage):
    """TinyDB storage that never leaves a half-written file and creates files 0600."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def read(self) -> dict | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise StoreDamaged(f"{self.path} is damaged and cannot be read ({error}).") from None
        if not isinstance(data, dict):
            raise StoreDamaged(f"{self.path} is damaged: it does not hold a database.")
        return data

    def write(self, data: dict) -> None:
        atomic_write(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def close(self) -> None:
        pass


class SessionSummary(BaseModel):
    """What lists and the home screen need of a session, kept in the index."""

    id: str
    pod_id: str
    date: dt.date
    status: SessionStatus
    slots: int
    presenters: list[str]

    @classmethod
    def of(cls, session: Session) -> SessionSummary:
        return cls(
            id=session.id,
            pod_id=session.pod_id,
            date=session.date,
            status=session.status,
            slots=len(session.slots),
            presenters=[slot.presenter for slot in session.slots],
        )


def _database(path: Path) -> TinyDB:
    return TinyDB(path, storage=AtomicJSONStorage)


def _parse_session(path: Path, data: dict | None) -> Session:
    records = (data or {}).get("record", {})
    if not records:
        raise StoreDamaged(f"{path} is damaged: it holds no session.")
    record = next(iter(records.values()))
    version = record.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise StoreDamaged(
            f"{path} was written by a newer groupsup (schema version {version}); "
            "upgrade groupsup to open it."
        )
    try:
        return Session.model_validate(record.get("session"))
    except ValidationError as error:
        raise StoreDamaged(f"{path} holds a session that is not valid: {explain(error)}") from None


class Store:
    def __init__(self, root: Path) -> None:
        self.root = private_folder(Path(root))
        self.sessions_folder = private_folder(self.root / "sessions")
        self._pods = _database(self.root / PODS_FILE).table("pods")
        self._index = _database(self.root / INDEX_FILE).table("sessions")
        self._lock = FileLock(self.root / ".lock", timeout=LOCK_TIMEOUT_SECONDS, mode=0o600)
        # Summaries as this process last read or wrote them: a save rewrites the index only
        # when the summary changed.
        self._known: dict[str, SessionSummary] = {}

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

    def pod(self, pod_id: str) -> Pod:
        doc = self._pods.get(Query().id == pod_id)
        if doc is None:
            raise NotFound(f"There is no pod '{pod_id}' in this store.")
        return Pod.model_validate(doc)

    def find_pod(self, wanted: str | None) -> Pod:
        """The pod named or keyed `wanted` (any case); with None, the store's only pod."""
        pods = self.pods()
        if wanted is None:
            if len(pods) == 1:
                return pods[0]
            names = ", ".join(pod.name for pod in pods) or "none yet"
            raise NotFound(f"Choose a pod with --pod; this store has: {names}.")
        for pod in pods:
            if wanted.casefold() in (pod.id.casefold(), pod.name.casefold()):
                return pod
        raise NotFound(f"There is no pod '{wanted}' in this store.")

    def save_pod(self, pod: Pod) -> None:
        with self._locked():
            self._pods.upsert(pod.model_dump(mode="json"), Query().id == pod.id)

    # -- sessions ------------------------------------------------------------------------

    def summaries(self, pod_id: str | None = None) -> list[SessionSummary]:
        docs = self._index.search(Query().pod_id == pod_id) if pod_id else self._index.all()
        found = [SessionSummary.model_validate(doc) for doc in docs]
        return sorted(found, key=lambda s: (s.date, s.id))

    def _session_path(self, session_id: str) -> Path:
        if not session_id or "/" in session_id or session_id.startswith("."):
            raise NotFound(f"'{session_id}' is not a session id.")
        return self.sessions_folder / f"{session_id}.json"

    def session(self, session_id: str) -> Session:
        path = self._session_path(session_id)
        if not path.exists():
            raise NotFound(f"There is no session '{session_id}' in this store.")
        session = _parse_session(path, AtomicJSONStorage(path).read())
        self._known[session.id] = SessionSummary.of(session)
        return session

    def sessions(self, pod_id: str | None = None) -> list[Session]:
        return [self.session(summary.id) for summary in self.summaries(pod_id)]

    def save_session(self, session: Session) -> None:
        """Check the session against its pod and save it, atomically."""
        rules.check_session(self.pod(session.pod_id), session)
        with self._locked():
            self._write_session(session)
            summary = SessionSummary.of(session)
            if self._known.get(session.id) != summary:
                self._write_summaries([summary])

    def delete_session(self, session_id: str) -> None:
        with self._locked():
            self._session_path(session_id).unlink(missing_ok=True)
            self._index.remove(Query().id == session_id)
            self._known.pop(session_id, None)

    def _write_session(self, session: Session) -> None:
        record = {"schema_version": SCHEMA_VERSION, "session": session.model_dump(mode="json")}
        db = _database(self._session_path(session.id))
        db.storage.write({"record": {"1": record}})

    def _write_summaries(self, summaries: Iterable[SessionSummary]) -> None:
        summaries = list(summaries)
        ids = [summary.id for summary in summaries]
        self._index.remove(Query().id.one_of(ids))
        self._index.insert_multiple(summary.model_dump(mode="json") for summary in summaries)
        self._known.update(zip(ids, summaries, strict=True))

    def is_empty(self) -> bool:
        return not self._pods and not self._index

    # -- import --------------------------------------------------------------------------

    def add_documents(self, documents: list[MinutesDocument]) -> None:
        """Add sessions with their pods (merging members the store lacks), in one locked batch.

        The caller has already checked every document; nothing here can fail half way for a
        reason in the documents themselves.
        """
        with self._locked():
            pods = {pod.id: pod for pod in self.pods()}
            for document in documents:
                pods[document.pod.id] = merge_pod(pods.get(document.pod.id), document.pod)
            for pod in pods.values():
                self._pods.upsert(pod.model_dump(mode="json"), Query().id == pod.id)
            for document in documents:
                self._write_session(document.session)
            self._write_summaries(SessionSummary.of(d.session) for d in documents)


def merge_pod(existing: Pod | None, incoming: Pod) -> Pod:
    """The store's pod with any members of `incoming` it lacks added (store names win)."""
    if existing is None:
        return incoming
    known = {m.id for m in existing.members}
    extra = [m for m in incoming.members if m.id not in known]
    return existing.model_copy(update={"members": existing.members + extra})
