"""The folder store: the first engine of the storage interface (`interface.Store`), and the one
owner of TinyDB.

Layout of a store folder (0700, every file 0600):

    pods.json            TinyDB: the pods and their members
    index/<pod>/<year>.json TinyDB: one small summary per session, for lists and the home screen
    facts/<pod>/<year>.json TinyDB: what the pod's record needs of each session held or not held
    steps/<pod>/<year>.json TinyDB: each session's next steps and reviews of earlier ones
    open-steps/<pod>.json TinyDB: the pod's next steps still open, for home and `actions`
    presented/<pod>.json TinyDB: the cases each held session presented with a genogram or
                         history, for a later presentation to start from
    sessions/<id>.json   TinyDB: one session's full record
    sessions/<id>.inbox/ observers' notes waiting to be taken in
    observers/<id>/      the session's join codes and who has joined, while it runs
    exports/             minutes written by the app

Saving an edit rewrites only that session's file, so it costs the same with 10 sessions stored
as with 1,200; the records derived from a session (its index line, facts and steps) are
rewritten, in the same locked step, only when what they hold of it changed, and only in the
files of its year: closing a session costs the same with 10 sessions as with 1,200. They are read
from disk under the lock each time (no table is kept between writes: a cached table would
overwrite rows another process added), and `rebuild_derived` makes them again from the
sessions alone. Every file is written atomically (temporary file, fsync, rename) and every
write holds the store's file lock, so two processes never interleave their writes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import shutil
import socket
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout
from pydantic import ValidationError

from groupsup.domain import derived, rules
from groupsup.domain.errors import (
    GroupsupError,
    NotFound,
    StoreBusy,
    StoreConflict,
    StoreDamaged,
    explain,
)
from groupsup.domain.formats import FormatError, format_problems, read_format
from groupsup.domain.identifiers import is_safe_key
from groupsup.domain.models import (
    SCHEMA_VERSION,
    MinutesDocument,
    Pod,
    Session,
)
from groupsup.store import backups
from groupsup.store.database import (
    DERIVED_VERSION_FILE,
    FACTS_FOLDER,
    IMPORTING,
    INDEX_FILE,
    INDEX_FOLDER,
    OPEN_STEPS_FOLDER,
    POD_FILES,
    PODS_FILE,
    PRESENTED_FOLDER,
    STEPS_FOLDER,
    AtomicJSONStorage,
    FolderIndex,
    OpenStep,
    SessionSummary,
    derived_current,
    find_pod_row,
    interrupted,
    lost_derived,
    pods_missing,
    replace_rows,
    rows,
    store_key,
    stored_record,
    summaries,
)
from groupsup.store.files import (
    PRIVATE_FILE,
    PRIVATE_FOLDER,
    atomic_write,
    fsync_folder,
    private_folder,
    write_private_text,
)
from groupsup.store.interface import AlreadyStored, note_problem
from groupsup.store.writer import UNSAVED_FOLDER

LOCK_TIMEOUT_SECONDS = 10
STAGED_WHOLE = "staged"  # written in .importing/ once every file of the import is there
DERIVED_FOLDERS = (INDEX_FOLDER, FACTS_FOLDER, STEPS_FOLDER, OPEN_STEPS_FOLDER, PRESENTED_FOLDER)
FORMATS_FOLDER = "formats"  # formats/<id>.toml: the pods' own session formats
# sessions/<id>.inbox/<note>.set-aside: a note that could not be taken in (an older groupsup:
# .refused)
SET_ASIDE = (".set-aside", ".refused")
OBSERVERS_FOLDER = "observers"  # observers/<session>/: its join codes and who has joined
CODES_FILE = "codes.json"
PRESENT_FOLDER = "present"
# The derived records kept a file a pod and year, and the table each file holds.
PER_POD_TABLES = ((INDEX_FOLDER, "sessions"), (FACTS_FOLDER, "facts"), (STEPS_FOLDER, "sessions"))


def _parse_session(path: Path, record: dict) -> Session:
    try:
        session = Session.model_validate(record.get("session"))
    except ValidationError as error:
        raise StoreDamaged(f"{path} holds a session that is not valid: {explain(error)}") from None
    if session.id != path.stem:  # it would be served as another session
        raise StoreDamaged(f"{path} is damaged: it holds session {session.id}, not {path.stem}.")
    return session


def check_record(path: Path, rel: str) -> None:
    """Raise StoreDamaged if the record at `path`, kept as `rel` in a store, cannot be read back
    as it should."""
    try:
        if rel == PODS_FILE:
            for row in rows(path, "pods"):
                Pod.model_validate(row)
        elif rel == INDEX_FILE or rel.startswith(f"{INDEX_FOLDER}/"):
            summaries([(path, rows(path, "sessions"))])
        elif rel.startswith("sessions/") and rel.count("/") == 1:
            _parse_session(path, stored_record(path))
        elif rel.startswith(f"{OPEN_STEPS_FOLDER}/"):  # read raw by home and `actions`
            OpenStep.read(path)
        elif rel.split("/")[0] in DERIVED_FOLDERS:
            AtomicJSONStorage(path).read()
        elif rel.startswith(f"{FORMATS_FOLDER}/") and rel.count("/") == 1:
            read_format(path.stem, path.read_bytes(), f"The pods' format {path}")
    except FormatError as error:
        raise StoreDamaged(f"{error} It is damaged.") from error
    except (ValidationError, AttributeError, TypeError) as error:
        raise StoreDamaged(f"{path} is damaged: it does not hold what it should.") from error


def _shared(path: Path) -> bool:
    """A file with another name (a hard link): one outside the store shares its contents and
    its mode. groupsup never makes one."""
    return not path.is_dir() and path.stat().st_nlink > 1


def _remove_abandoned_temporaries(*folders: Path) -> None:
    """Delete temporary files left by a save that was killed (its process is gone)."""
    for folder in folders:
        for path in folder.glob(".*.tmp"):
            if _abandoned(path):
                path.unlink(missing_ok=True)


def _abandoned(temporary: Path) -> bool:
    """Whether the process that wrote `.<name>.<pid>.tmp` is gone (signal 0 only asks)."""
    try:
        os.kill(int(temporary.name.rsplit(".", 2)[-2]), 0)
    except ProcessLookupError:
        return True
    except (ValueError, IndexError, OSError):
        return False
    return False  # still running: its save may be under way


def _writer() -> str:
    return f"{getpass.getuser()}@{socket.gethostname()}, process {os.getpid()}"


class FolderStore(FolderIndex):
    """A store in a folder on this machine: see the module's docstring for its layout."""

    def __init__(self, root: Path) -> None:
        private_folder(Path(root).resolve())  # the store, even reached through the user's link
        super().__init__(Path(root))
        self._lock = FileLock(self.root / ".lock", timeout=LOCK_TIMEOUT_SECONDS, mode=0o600)
        self._derived_marked = False
        self._forget()
        if interrupted(self.root):  # before sessions/ is made: the swap expects none
            with self._locked():
                if backups.resume(self.root):
                    self.rebuild_derived()
                    backups.done(self.root)
        private_folder(self.sessions_folder)
        _remove_abandoned_temporaries(
            self.root,
            self.sessions_folder,
            *(self.root / folder for folder in DERIVED_FOLDERS),
            *(self.root / folder for folder in DERIVED_FOLDERS),
            *(pod for folder, _ in PER_POD_TABLES for pod in (self.root / folder).glob("*/")),
        )
        self._finish_import()
        self._ensure_derived()

    def _forget(self) -> None:
        """Read every record afresh from here on (after a restore, say)."""
        # What the derived records hold of each session as this process last read or wrote
        # it: a save rewrites them only when that changed. Only a save of the session changes
        # them, and a save needs the revision this process read, so these are never stale.
        self._known: dict[str, tuple[SessionSummary, dict, dict | None]] = {}
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
        return [self._pod_of(row) for row in self.pod_rows()]

    def pod(self, pod_id: str) -> Pod:
        for row in self.pod_rows():
            if row["id"] == pod_id:
                return self._pod_of(row)
        raise NotFound(f"There is no pod '{pod_id}' in this store.")

    def find_pod(self, wanted: str | None) -> Pod:
        """The pod named or keyed `wanted` (any case); with None, the store's only pod."""
        return self._pod_of(find_pod_row(self.pod_rows(), wanted))

    def _pod_of(self, row: dict) -> Pod:
        try:
            return Pod.model_validate(row)
        except ValidationError as error:
            raise StoreDamaged(f"{self.root / PODS_FILE} is damaged: {explain(error)}") from None

    def save_pod(self, pod: Pod) -> None:
        with self._locked():
            self.pod_rows()  # refused if the pods' file is lost: a new one would hide them
            self._save_pods([pod])

    def _save_pods(self, pods: list[Pod]) -> None:
        fresh = [pod.model_dump(mode="json") for pod in pods]
        self._replace_rows(self.root / PODS_FILE, "pods", (pod.id for pod in pods), fresh)

    # -- sessions ------------------------------------------------------------------------

    def _session_path(self, session_id: str) -> Path:
        return self._inside("sessions", f"{store_key(session_id)}.json")

    def session(self, session_id: str) -> Session:
        path = self._session_path(session_id)
        if not path.exists():
            if any(row.get("id") == session_id for row in self.index_rows()):
                raise StoreDamaged(self._missing(session_id))
            raise NotFound(f"There is no session '{session_id}' in this store.")
        record = stored_record(path)
        session = _parse_session(path, record)
        self._known[session.id] = _derived_of(session)
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
            was_on = None  # the date it had on disk: its derived rows are in that year's files
            if path.exists():
                on_disk = stored_record(path)
                was_on = _date_of(on_disk)
                if on_disk.get("revision", 0) != self._revisions.get(session.id, 0):
                    raise StoreConflict(
                        f"The session of {session.date} was saved by another groupsup "
                        f"({on_disk.get('saved_by', 'unknown')}) since you opened it, so your "
                        "change was not saved. Go back and open the session again."
                    )
            self._write_session(session)
            known = self._known.get(session.id)
            summary, steps, presented = _derived_of(session)
            moved = was_on is not None and was_on[:4] != summary.date.isoformat()[:4]
            if known is None or known[0] != summary or moved:
                self._put_summary(summary, was_on)
            if session.status.in_the_record or moved:
                self._put_facts(session, was_on)
            if known is None or known[1] != steps or moved:
                self._put_steps(steps, was_on)
            if known is None or known[2] != presented:
                self._put_presented(session, presented)
            self._known[session.id] = summary, steps, presented
            self._mark_derived()

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
            path = self._session_path(session_id)
            pod_id = _parse_session(path, stored_record(path)).pod_id if path.exists() else None
            self._noted(path)
            path.unlink(missing_ok=True)
            self._drop_derived(session_id, pod_id)

    def _drop_derived(self, session_id: str, pod_id: str | None) -> None:
        """Take a session's rows out of its pod's derived records (out of every pod's index,
        facts and steps when its pod is not known)."""
        for folder, table in PER_POD_TABLES:
            years = self._year_files(folder, pod_id) if pod_id else self._all_years(folder)
            for path in years:
                self._replace_rows(path, table, [session_id], [])
        if pod_id is not None:
            self._write_open_steps(pod_id)
            self._replace_rows(
                self._pod_file(PRESENTED_FOLDER, pod_id), "sessions", [session_id], []
            )
        self._known.pop(session_id, None)

    def _write_session(self, session: Session) -> None:
        path = self._session_path(session.id)
        self._noted(path)
        AtomicJSONStorage(path).write(self._next_record(session))

    def _replace_rows(
        self, path: Path, table: str, ids: Iterable[str], fresh: Iterable[dict]
    ) -> list[dict]:
        """`database.replace_rows`, noted first for the next backup, as every write of a
        record must be."""
        self._noted(path)
        return replace_rows(path, table, ids, fresh)

    def _noted(self, *records: Path) -> None:
        """Say which records are about to be written, so that the next backup reads only
        those (`backups.note`): call it, under the lock, before each write of a record."""
        backups.note(self.root, (path.relative_to(self.root).as_posix() for path in records))

    def _next_record(self, session: Session) -> dict:
        """The session's file as its next revision, counted as saved by this process."""
        revision = self._revisions.get(session.id, 0) + 1
        self._revisions[session.id] = revision
        record = {
            "schema_version": SCHEMA_VERSION,
            "revision": revision,
            "saved_by": _writer(),
            "session": session.model_dump(mode="json"),
        }
        return {"record": {"1": record}}

    def _put_summary(self, summary: SessionSummary, was_on: str | None) -> None:
        """The session's index line into its year's file, out of the year's it was on."""
        date = summary.date.isoformat()
        self._replace_row(
            INDEX_FOLDER, "sessions", summary.pod_id, summary.id, summary.row(), date, was_on
        )

    # -- backups (groupsup/store/backups.py) ---------------------------------------------

    def backup(
        self, reason: str, checked: bool = True, progress=None, thorough: bool = False
    ) -> Path:
        """Back up the store's records. A checked backup refuses (StoreDamaged) while any
        record is damaged, so it is of a good state; an unchecked one keeps whatever is there.
        A thorough one (on demand) also refuses while the store holds what is not a record."""
        with self._locked():
            if checked:
                self.pod_rows()
            if thorough and (strays := backups.strays(self.root)):  # asked for: say so, first
                raise StoreDamaged(
                    f"{backups.stray_problem(strays[0])}, and a backup would leave it out: move "
                    "it out of the store first."
                )
            return backups.take(
                self.root,
                reason,
                check_record if checked else None,
                progress=progress,
                refuse_missing=self._refuse_missing if checked else None,
                thorough=thorough,
            )

    def _refuse_missing(self, backed_up: Collection[str] | None) -> None:
        """StoreDamaged, naming it, for a session gone from behind the index (or the pods'
        file, `pod_rows`): a backup without it would rotate away the last good copy. Only the
        sessions the newest backup held (`backed_up`, records) and that are gone are looked up
        in the index, so a close does not read the whole index; None: every session is."""
        held = None
        if backed_up is not None:
            paths = (rel.split("/") for rel in backed_up)
            held = {
                path[1].removesuffix(".json")
                for path in paths
                if len(path) == 2 and path[0] == "sessions" and path[1].endswith(".json")
            }
            if not self._gone(held):
                return
        listed = {row["id"] for row in self.index_rows()}
        if gone := self._gone(listed if held is None else listed & held):
            raise StoreDamaged(self._missing(gone[0]))

    def backups(self) -> list[backups.Backup]:
        """Backups, newest first."""
        return backups.listing(self.root)

    def restore(self, name: str, damaged_too: bool = False) -> Path:
        """Put back the records of backup `name` after verifying it and backing up the present
        state (returned). A backup holding damaged records is refused unless `damaged_too`."""
        with self._locked():
            chosen = backups.find(self.root, name)
            backups.verify(chosen)
            if strays := backups.strays(self.root):  # no backup holds them: a swap would lose them
                raise StoreDamaged(
                    f"{backups.stray_problem(strays[0])}, and a restore would lose it: move it "
                    "out of the store first."
                )
            if not chosen.checked and not damaged_too:
                try:
                    for rel in chosen.files:
                        check_record(chosen.located(rel), rel)
                except StoreDamaged as error:
                    raise StoreDamaged(
                        f"{error} To put backup {name} back all the same, add --damaged-too."
                    ) from None
            undo = backups.take(self.root, "before restore", keep=(chosen.name,))
            chosen = backups.find(self.root, name)  # its copies are found beside the new one
            backups.put_back(self.root, chosen, adjust=self._as_restored)
            self._forget()
            self.rebuild_derived()
            backups.done(self.root)
        return undo

    def _as_restored(self, rel: str, data: bytes) -> bytes:
        """A session a restore puts back, as a revision after any this store gave out of it: a
        copy read before the restore is then refused (StoreConflict), never saved over the
        restored session, however often that is saved again. Records but sessions, and a
        damaged session (put back all the same), are put back as they are."""
        if not (rel.startswith("sessions/") and rel.count("/") == 1):
            return data
        try:
            file = json.loads(data)
            record = next(iter(file["record"].values()))
            revision = int(record.get("revision", 0))
        except (ValueError, KeyError, TypeError, AttributeError, StopIteration):
            return data
        record["revision"] = max(revision, _revision_of(self.root / rel)) + 1
        record["saved_by"] = _writer()
        return json.dumps(file, ensure_ascii=False).encode("utf-8")

    # Facts and steps are kept a file a pod and year (`facts/<pod>/<year>.json`): saving a
    # session rewrites its year's file, whose size does not grow with the pod's history.

    def _pod_file(self, folder: str, pod_id: str) -> Path:
        """A pod's file in one of the derived records' folders (made if missing)."""
        private_folder(self.root / folder)
        return self._pod_path(folder, pod_id)

    def _all_years(self, folder: str) -> list[Path]:
        """Every pod's files of rows in one of the derived records' folders."""
        return sorted((self.root / folder).glob("*/[0-9][0-9][0-9][0-9].json"))

    def _years(self, folder: str) -> set[str]:
        """Each pod's years in one of the derived records' folders, as `<pod>/<year>.json`."""
        return {path.relative_to(self.root / folder).as_posix() for path in self._all_years(folder)}

    def _year_file(self, folder: str, pod_id: str, year: str) -> Path:
        """A pod's file of one year's rows (its folder made if missing)."""
        return private_folder(self._inside(folder, store_key(pod_id))) / f"{year}.json"

    def _put_facts(self, session: Session, was_on: str | None) -> None:
        """A recorded session's facts into its year's file, out of the year's it was on."""
        facts = derived.facts_of(session) if session.status.in_the_record else None
        date = session.date.isoformat()
        self._replace_row(FACTS_FOLDER, "facts", session.pod_id, session.id, facts, date, was_on)

    def _replace_row(
        self,
        folder: str,
        table: str,
        pod_id: str,
        session_id: str,
        row: dict | None,
        date: str,
        was_on: str | None,
    ) -> dict | None:
        """Put `row` (None: no row) as the session's in the file of the year of `date`, taking
        any out of the file of the year of `was_on`; return the row it had before."""
        before = None
        for year in dict.fromkeys([date[:4], *([was_on[:4]] if was_on else [])]):
            path = self._year_file(folder, pod_id, year)
            fresh = [row] if row is not None and year == date[:4] else []
            before = next(iter(self._replace_rows(path, table, [session_id], fresh)), before)
        return before

    def _put_steps(self, row: dict, was_on: str | None) -> None:
        """The session's steps row into its year's file, then the pod's open steps made again
        from the earliest date the change can touch (`derived.touched_since`)."""
        before = self._replace_row(
            STEPS_FOLDER, "sessions", row["pod_id"], row["id"], row, row["date"], was_on
        )
        self._write_open_steps(row["pod_id"], derived.touched_since(before, row))

    def _put_presented(self, session: Session, row: dict | None) -> None:
        """The cases the session presented (`derived.presented_of`) into its pod's file."""
        path = self._pod_file(PRESENTED_FOLDER, session.pod_id)
        self._replace_rows(path, "sessions", [session.id], [row] if row else [])

    def _write_presented(self, rows_: list[dict], pod_ids: Iterable[str]) -> None:
        """Many sessions' presented rows at once, into each pod's file (made even when it gets
        none: opening the store looks for it)."""
        by_pod = _by_pod(rows_, lambda row: row["pod_id"])
        for pod_id in dict.fromkeys([*pod_ids, *by_pod]):
            changed = by_pod.get(pod_id, [])
            path = self._pod_file(PRESENTED_FOLDER, pod_id)
            self._replace_rows(path, "sessions", [row["id"] for row in changed], changed)

    def _write_facts(self, sessions: Iterable[Session]) -> None:
        """Each pod's recorded sessions' facts, one write a year's file."""
        recorded = [derived.facts_of(s) for s in sessions if s.status.in_the_record]
        self._write_rows(FACTS_FOLDER, "facts", recorded)

    def _write_steps(self, rows_: list[dict]) -> None:
        """Each pod's sessions' steps and reviews, then its open steps made from them."""
        self._write_rows(STEPS_FOLDER, "sessions", rows_)
        for pod_id in _by_pod(rows_, lambda row: row["pod_id"]):
            self._write_open_steps(pod_id)

    def _write_rows(self, folder: str, table: str, rows_: list[dict]) -> None:
        """Many sessions' rows at once (an import, a rebuild), each into its year's file and
        out of any other year's: every file of the pod is looked at."""
        for pod_id, changed in _by_pod(rows_, lambda row: row["pod_id"]).items():
            ids = [row["id"] for row in changed]
            by_year = _by_pod(changed, lambda row: row["date"][:4])
            years = {path.stem for path in self._year_files(folder, pod_id)} | set(by_year)
            for year in sorted(years):
                path = self._year_file(folder, pod_id, year)
                self._replace_rows(path, table, ids, by_year.get(year, []))

    def _write_open_steps(self, pod_id: str, since: str = "") -> None:
        """The pod's open steps: those agreed before `since` kept as they stand (no change
        touched them), the rest made again from the steps of the sessions held since."""
        path = self._pod_file(OPEN_STEPS_FOLDER, pod_id)
        open_rows = self.open_step_rows(pod_id, since)
        self._noted(path)
        AtomicJSONStorage(path).write({"steps": dict(enumerate(open_rows, start=1))})

    def rebuild_derived(self) -> None:
        """A session file that cannot be read is never touched: it keeps the rows it had, and
        is named in `damaged`."""
        with self._locked():
            found, unreadable = [], set()
            for path in sorted(self.sessions_folder.glob("*.json")):
                try:
                    found.append(_parse_session(path, stored_record(path)))
                except StoreDamaged as error:
                    self.damaged[path.stem] = str(error)
                    unreadable.add(path.stem)
            for session_id in self._lost_but_kept():
                self.damaged[session_id] = self._missing(session_id)
                unreadable.add(session_id)
            kept_presented = _rows_of(
                sorted((self.root / PRESENTED_FOLDER).glob("*.json")), "sessions", unreadable
            )
            # (a pod's file, or its year's files; an older groupsup kept one index.json)
            kept = {
                (folder, table): _rows_of(self._derived_files(folder), table, unreadable)
                for folder, table in PER_POD_TABLES
            }
            backups.forget_changes(self.root)  # (many records change: the next looks at all)
            # Folders first: if this is killed, the next open sees them missing and rebuilds.
            for folder in DERIVED_FOLDERS:
                shutil.rmtree(self.root / folder, ignore_errors=True)
            self._write_derived(found)
            for (folder, table), old in kept.items():
                self._write_rows(folder, table, old)
            for pod_id in _by_pod(kept[STEPS_FOLDER, "sessions"], lambda row: row["pod_id"]):
                self._write_open_steps(pod_id)
            (self.root / INDEX_FILE).unlink(missing_ok=True)  # the old layout's, once made again
            self._write_presented(kept_presented, [])
            self._mark_derived()

    def _derived_files(self, folder: str) -> list[Path]:
        """The files of one of the derived records' folders: a pod's file, or its year's files
        (an older groupsup kept one index.json)."""
        older = [self.root / INDEX_FILE] if folder == INDEX_FOLDER else []
        return sorted((self.root / folder).glob("*.json")) + self._all_years(folder) + older

    def _lost_but_kept(self) -> set[str]:
        """The sessions the index lists whose file is gone, but a backup still holds whole:
        their derived rows are kept, as a damaged session's are, so that backups refuse until
        it is put back. One no backup holds is gone for good, and taken out of the index."""
        index = _rows_of(self._derived_files(INDEX_FOLDER), "sessions")
        listed: set[str] = {row["id"] for row in index if is_safe_key(row.get("id"))}
        return {
            session_id
            for session_id in self._gone(listed)
            if backups.good_copy(self.root, f"sessions/{session_id}.json", check_record)
        }

    def _write_derived(self, sessions: list[Session]) -> None:
        """Every record derived from `sessions`, one write a file."""
        self._write_rows(INDEX_FOLDER, "sessions", [SessionSummary.of(s).row() for s in sessions])
        self._write_facts(sessions)
        self._write_steps([derived.steps_of(session) for session in sessions])
        presented = [derived.presented_of(session) for session in sessions]
        self._write_presented([row for row in presented if row], (s.pod_id for s in sessions))
        self._known.update((session.id, _derived_of(session)) for session in sessions)

    def _ensure_derived(self) -> None:
        """A store from before some derived records, or one that lost a pod's file of them:
        make them again from the sessions."""
        if any(self.sessions_folder.glob("*.json")) and self._derived_missing():
            self.rebuild_derived()

    def _derived_missing(self) -> bool:
        """Whether a derived records' folder, or a pod's file in one, is missing, or an older
        groupsup made them (their rows lack what this one reads)."""
        if not self._derived_current():
            return True
        if not all((self.root / folder).exists() for folder in DERIVED_FOLDERS):
            return True
        if self._years(INDEX_FOLDER) != self._years(STEPS_FOLDER):  # (written together)
            return True  # a year's file of index lines or of steps is missing
        return lost_derived(self.root) is not None

    def _derived_current(self) -> bool:
        return derived_current(self.root)

    def _mark_derived(self) -> None:
        """Say which groupsup made the derived records: read once a process, written once a
        store, so a save (on every burst of typing) does no more I/O for it."""
        if not self._derived_marked and not self._derived_current():
            write_private_text(self.root / DERIVED_VERSION_FILE, derived.VERSION)
        self._derived_marked = True

    # -- observers' notes ------------------------------------------------------------------

    def _inbox(self, session_id: str, *note: str) -> Path:
        return self._inside("sessions", f"{store_key(session_id)}.inbox", *note)

    # Inbox files change under the store's lock, as every other file does: a backup or a
    # restore (which hold it) copies or swaps the inboxes whole, never half a note's arrival.

    def post_note(self, session_id: str, note_id: str, note: bytes) -> None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        with self._locked():
            private_folder(self._inbox(session_id))
            path = self._inbox(session_id, f"{stamp}-{store_key(note_id)}.json")
            self._noted(path)
            atomic_write(path, note)

    def waiting_notes(self, session_id: str) -> list[tuple[str, bytes]]:
        folder = self._inbox(session_id)
        paths = sorted(folder.glob("*.json")) if folder.exists() else []
        return [(path.name, path.read_bytes()) for path in paths]

    def sessions_with_waiting_notes(self) -> list[str]:
        inboxes = self._inside("sessions").glob("*.inbox/*.json")
        return sorted({path.parent.name.removesuffix(".inbox") for path in inboxes})

    def note_taken(self, session_id: str, key: str) -> None:
        with self._locked():
            self._noted(self._inbox(session_id, key))
            self._inbox(session_id, key).unlink(missing_ok=True)

    def set_note_aside(self, session_id: str, key: str) -> None:
        path = self._inbox(session_id, key)
        aside = path.with_suffix(SET_ASIDE[0])  # a record still: backups keep it, check names it
        with self._locked():
            self._noted(path, aside)
            path.rename(aside)

    def _note_problems(self) -> list[str]:
        notes = self._inside("sessions").glob("*.inbox/*")
        return [
            problem
            for path in sorted(notes)
            if path.suffix in {".json", *SET_ASIDE} and path.is_file() and not path.is_symlink()
            if (problem := note_problem(str(path), path.read_bytes(), path.suffix in SET_ASIDE))
        ]

    # -- the pods' own session formats: formats/<id>.toml ---------------------------------

    def own_formats(self) -> dict[str, tuple[str, bytes]]:
        folder = self.root / FORMATS_FOLDER
        return {
            path.stem: (f"Format file {path}", path.read_bytes())
            for path in sorted(folder.glob("*.toml"))
            # else a stray or a link, which check names: never read through a link
            if backups.is_record_path(f"{FORMATS_FOLDER}/{path.name}")
            and path.is_file()
            and not path.is_symlink()
        }

    def save_format(self, format_id: str, toml: bytes) -> None:
        path = self._inside(FORMATS_FOLDER, f"{store_key(format_id)}.toml")
        with self._locked():
            private_folder(path.parent)
            self._noted(path)
            atomic_write(path, toml)

    # -- observers joining -------------------------------------------------------------------
    # observers/<session>/codes.json and observers/<session>/present/<member>.json: each file
    # is written whole by its one writer (the facilitator's codes, an observer's heartbeat), so
    # no lock is needed.

    def _observers(self, session_id: str, *parts: str) -> Path:
        return self._inside(OBSERVERS_FOLDER, store_key(session_id), *parts)

    def join_codes(self, session_id: str | None = None) -> dict[str, bytes]:
        folder = self.root / OBSERVERS_FOLDER
        wanted = [self._observers(session_id)] if session_id else sorted(folder.glob("*"))
        found = {}
        for session_folder in wanted:
            with contextlib.suppress(OSError):  # no codes yet, or not a session's folder
                found[session_folder.name] = (session_folder / CODES_FILE).read_bytes()
        return found

    def save_join_codes(self, session_id: str, codes: bytes) -> None:
        atomic_write(private_folder(self._observers(session_id)) / CODES_FILE, codes)

    def say_present(
        self, session_id: str, member_id: str, connection: str, seen: dt.datetime
    ) -> None:
        folder = private_folder(self._observers(session_id, PRESENT_FOLDER))
        heartbeat = json.dumps({"connection": connection, "seen": seen.isoformat()})
        atomic_write(folder / f"{store_key(member_id)}.json", heartbeat.encode())

    def leave(self, session_id: str, member_id: str, connection: str) -> None:
        path = self._observers(session_id, PRESENT_FOLDER, f"{store_key(member_id)}.json")
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            if json.loads(path.read_bytes())["connection"] == connection:
                path.unlink()

    def present(self, session_id: str) -> dict[str, tuple[str, dt.datetime]]:
        folder = self._observers(session_id, PRESENT_FOLDER)
        found = {}
        for path in sorted(folder.glob("*.json")) if folder.exists() else []:
            try:
                heartbeat = json.loads(path.read_bytes())
                found[path.stem] = (
                    heartbeat["connection"],
                    dt.datetime.fromisoformat(heartbeat["seen"]),
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue  # half a heartbeat: the next one will say
        return found

    # -- check -----------------------------------------------------------------------------

    def check(self) -> list[str]:
        problems = [*self._private_and_own(), *format_problems(self.own_formats())]
        if (lock := Path(self._lock.lock_file)).is_dir():  # every change would stop at it
            problems.append(
                f"{lock} is a folder where groupsup keeps its lock file: move it out of the "
                "store (groupsup makes the file again)."
            )
        problems += self._note_problems() + backups.problems(self.root)
        problems += [
            f"{path} keeps edits to session {path.stem} that could not be saved: open that "
            "session in the app, which offers them back."
            for path in sorted((self.root / UNSAVED_FOLDER).glob("*.json"))
        ]
        problems += [
            f"{backups.stray_problem(path)}, so backups leave it out: move it out of the store."
            for path in backups.strays(self.root)
        ]
        sessions, unreadable = {}, 0
        for path in sorted(self.sessions_folder.glob("*.json")):
            try:
                session = _parse_session(path, stored_record(path))
            except StoreDamaged as error:
                problems.append(f"{error} {self._where_whole(path)}")
                unreadable += 1
            else:
                sessions[session.id] = session
        if sessions and not (self.root / PODS_FILE).exists():
            problems.append(
                f"{pods_missing(self.root / PODS_FILE)} {self._where_whole(self.root / PODS_FILE)}"
            )
        try:
            pods = {pod.id: pod for pod in self.pods()}
            listed = self.summaries()
        except StoreDamaged as error:
            return [*problems, str(error)]
        problems += self._pod_problems(pods, sessions)
        index = {summary.id: summary for summary in listed}
        for session_id in sorted(sessions.keys() - index.keys()):
            problems.append(f"{self._session_path(session_id)} has no line in the index.")
        for session_id in self._gone(index.keys() - sessions.keys()):
            path = self._session_path(session_id)
            problems.append(f"{self._missing(session_id)} {self._where_whole(path)}")
            unreadable += 1
        if not unreadable:  # a damaged session keeps its derived rows: they cannot be judged
            problems += [
                f"The index line of session {line.id} does not agree with "
                f"{self._session_path(line.id)}."
                for line in listed
                if line.id in sessions and line != SessionSummary.of(sessions[line.id])
            ]
            problems += self._derived_problems(list(sessions.values()))
        return problems

    def quick_check(self) -> list[str]:
        """What a glance finds wrong, quickly enough for opening the store: the pods, the index
        or the open steps unreadable, a session file cut short (its end is not where a record
        ends), or without its index line, or an index line without its file. `check` looks
        closer."""
        try:
            self.pod_views()
            listed = [summary.id for summary in self.summaries()]
        except StoreDamaged as error:
            return [str(error)]
        problems = []
        try:
            self.open_steps()  # home shows them
        except StoreDamaged as error:
            problems.append(str(error))
        for path in sorted(self.sessions_folder.glob("*.json")):
            if not _ends_whole(path):
                problems.append(f"{path} is damaged: it is cut short.")
        return problems + self.unindexed(listed)

    def _pod_problems(self, pods: dict[str, Pod], sessions: dict[str, Session]) -> list[str]:
        """Each session that breaks a rule of its pod as the pods' file has it (one of its
        members taken out by hand, say): what every save and import refuses."""
        problems = []
        for session in sessions.values():
            try:
                if (pod := pods.get(session.pod_id)) is not None:
                    rules.check_session(pod, session)
            except GroupsupError as error:
                problems.append(
                    f"{self._session_path(session.id)} does not agree with the pod in "
                    f"{PODS_FILE}: {error}"
                )
        return problems

    def _where_whole(self, damaged: Path) -> str:
        """Which backup still has a good copy of a damaged record, in a sentence."""
        rel = damaged.relative_to(self.root).as_posix()
        found = backups.good_copy(self.root, rel, check_record)
        if found is None:
            return "No backup holds a good copy of it."
        return (
            f"Backup {found.name} holds a good copy of it ({found.located(rel)}): "
            f"'groupsup restore {found.name}' puts that backup back."
        )

    def _derived_problems(self, sessions: list[Session]) -> list[str]:
        """Where the pod facts, next steps, open steps and presented cases of each pod, every
        pod with sessions or with such records, disagree with the pod's sessions."""
        problems = []
        grouped = _by_pod(sessions)
        for pod_id in sorted(grouped.keys() | self._pods_derived()):
            for path, read, expected in self._derived_of_pod(pod_id, grouped.get(pod_id, [])):
                try:
                    agree = _by_id(read()) == _by_id(expected)
                except StoreDamaged as error:
                    problems.append(str(error))
                    continue
                if not agree:
                    problems.append(f"{path} does not agree with the pod's sessions.")
        return problems

    def _pods_derived(self) -> set[str]:
        """The pods with derived records on disk, whether or not they have sessions."""
        found = {path.name for folder, _ in PER_POD_TABLES for path in self._folders_in(folder)}
        found |= {path.stem for folder in POD_FILES for path in (self.root / folder).glob("*.json")}
        return {pod_id for pod_id in found if is_safe_key(pod_id)}

    def _folders_in(self, folder: str) -> list[Path]:
        """The folders in one of the store's folders (a link is named by `_private_and_own`)."""
        return [p for p in (self.root / folder).glob("*") if p.is_dir() and not p.is_symlink()]

    def _derived_of_pod(
        self, pod_id: str, sessions: list[Session]
    ) -> list[tuple[Path, Callable[[], list[dict]], list[dict]]]:
        """For each of a pod's derived records: where it is, how to read its rows, and the rows
        its sessions make."""
        return [
            (
                self._inside(FACTS_FOLDER, store_key(pod_id)),
                lambda: self._pod_rows(FACTS_FOLDER, "facts", pod_id),
                [derived.facts_of(s) for s in sessions if s.status.in_the_record],
            ),
            (
                self._inside(STEPS_FOLDER, store_key(pod_id)),
                lambda: self._pod_rows(STEPS_FOLDER, "sessions", pod_id),
                [derived.steps_of(s) for s in sessions],
            ),
            (
                self._pod_path(OPEN_STEPS_FOLDER, pod_id),
                lambda: rows(self._pod_path(OPEN_STEPS_FOLDER, pod_id), "steps"),
                derived.open_steps([derived.steps_of(s) for s in sessions]),
            ),
            (
                self._pod_path(PRESENTED_FOLDER, pod_id),
                lambda: rows(self._pod_path(PRESENTED_FOLDER, pod_id), "sessions"),
                [row for s in sessions if (row := derived.presented_of(s))],
            ),
        ]

    def _pod_rows(self, folder: str, table: str, pod_id: str) -> list[dict]:
        """A pod's rows in one of the derived records kept a file a year."""
        return [row for path in self._year_files(folder, pod_id) for row in rows(path, table)]

    def _private_and_own(self) -> list[str]:
        """Every folder 0700 and file 0600, and no symbolic link inside (the store's own path
        may be one: it is the user's, as every command is given it)."""
        problems = []
        for path in [self.root, *sorted(self.root.rglob("*"))]:
            if path.is_symlink() and path != self.root:
                problems.append(f"{path} is a symbolic link; a store holds only its own files.")
                continue
            if _shared(path):
                problems.append(
                    f"{path} has another name outside the store (a hard link), so groupsup "
                    "leaves it as it is: put a copy in its place."
                )
                continue
            mode = path.stat().st_mode & 0o777
            private = PRIVATE_FOLDER if path.is_dir() else PRIVATE_FILE
            if mode != private:
                wrong = "can be read by others" if mode & 0o077 else "is not as groupsup keeps it"
                problems.append(f"{path} {wrong} (mode {mode:03o}); it should be {private:o}.")
        return problems

    def repair(self) -> list[str]:
        """Make the derived records again and put permissions right; damaged session files
        are left alone. Returns what is still wrong."""
        with self._locked():
            for path in [self.root, *self.root.rglob("*")]:
                if path == self.root or not (path.is_symlink() or _shared(path)):
                    path.chmod(PRIVATE_FOLDER if path.is_dir() else PRIVATE_FILE)
            self.rebuild_derived()
        return self.check()

    def is_empty(self) -> bool:
        return not self.pod_rows() and not self.summaries()

    # -- import --------------------------------------------------------------------------

    def add_documents(self, documents: list[MinutesDocument], replace: bool = False) -> None:
        """Add sessions with their pods (merging members the store lacks), all or none.

        The caller has already checked every document; nothing here can fail half way for a
        reason in the documents themselves. AlreadyStored names a session the store holds,
        when not asked to replace it. Everything is written into `.importing/` first and moved
        in once complete, so an import killed at any point is, when the store is next opened,
        either wholly there (the moves finished) or not there at all (the staging removed).
        """
        with self._locked():
            if not replace:
                for document in documents:
                    if self._session_path(document.session.id).exists():
                        raise AlreadyStored(document.session.id)
            pods = {pod.id: pod for pod in self.pods()}
            for document in documents:
                pods[document.pod.id] = merge_pod(pods.get(document.pod.id), document.pod)
            staging = self._inside(IMPORTING)
            shutil.rmtree(staging, ignore_errors=True)
            private_folder(staging / "sessions")
            rows_ = {str(n): pod.model_dump(mode="json") for n, pod in enumerate(pods.values(), 1)}
            _stage(staging / PODS_FILE, {**_tables(self.root / PODS_FILE), "pods": rows_})
            moved = {}  # session id -> the pod it leaves
            for document in documents:
                path = self._session_path(document.session.id)
                if path.exists():  # replacing: the new record follows the one on disk
                    record = stored_record(path)
                    self._revisions[document.session.id] = record.get("revision", 0)
                    if (was_in := _pod_of(record)) != document.session.pod_id:
                        moved[document.session.id] = was_in
                staged = staging / "sessions" / path.name
                _stage(staged, self._next_record(document.session))
            fsync_folder(staging / "sessions")
            backups.forget_changes(self.root)  # (many records change: the next looks at all)
            atomic_write(staging / STAGED_WHOLE, b"")  # from here on, the import happens
            self._move_in(staging)
            for session_id, pod_id in moved.items():
                self._drop_derived(session_id, pod_id)
            self._write_derived([d.session for d in documents])
            self._mark_derived()
            shutil.rmtree(staging)

    def _move_in(self, staging: Path) -> None:
        """Rename a complete import's staged files into place (those not moved yet)."""
        for staged in sorted((staging / "sessions").glob("*.json")):
            os.replace(staged, self._session_path(staged.stem))
        if (staging / PODS_FILE).exists():
            os.replace(staging / PODS_FILE, self.root / PODS_FILE)
        fsync_folder(self.sessions_folder)
        fsync_folder(self.root)

    def _check_staged(self, staged: Path) -> None:
        """StoreDamaged, naming it, for a staged session that could not be read back once in
        place (groupsup wrote it whole: one that is not was not left by groupsup)."""
        try:
            if staged.is_symlink():
                raise StoreDamaged(f"{staged} is damaged: it is a link.")
            check_record(staged, f"sessions/{staged.name}")
        except StoreDamaged as error:
            raise StoreDamaged(
                f"{error} It is part of an import that was cut short, and nothing of that "
                f"import was moved in: move {staged.parent.parent} out of the store, then "
                "import again."
            ) from None

    def _finish_import(self) -> None:
        """An import killed part way: finish it if it was wholly staged, else forget it."""
        staging = self.root / IMPORTING
        if not staging.exists():
            return
        with self._locked():  # another process may be importing now: wait for it to finish
            if (staging / STAGED_WHOLE).exists():
                for staged in sorted((staging / "sessions").glob("*.json")):
                    self._check_staged(staged)
                self._move_in(staging)
                self.rebuild_derived()  # which derived rows were written is not known
            shutil.rmtree(staging, ignore_errors=True)


def _ends_whole(path: Path) -> bool:
    """Whether a session file ends as a whole record does (`{"record": {"1": {...}}}`): a file
    cut short by a full disk or a lost device does not. Reads only the last bytes."""
    try:
        with path.open("rb") as file:
            file.seek(max(0, path.stat().st_size - 8))
            return file.read().rstrip().endswith(b"}}}}")
    except OSError:
        return False


def _tables(path: Path) -> dict:
    """Every table of a TinyDB file, as read (none if it is not there)."""
    return AtomicJSONStorage(path).read() or {}


def _stage(path: Path, data: dict) -> None:
    """Write a staged file, flushed to the disk (its folder is flushed once, after them all)."""
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE), "wb") as out:
        out.write(json.dumps(data, ensure_ascii=False).encode("utf-8"))
        out.flush()
        os.fsync(out.fileno())


def _rows_of(paths: list[Path], table: str, ids: set[str] | None = None) -> list[dict]:
    """The rows of `ids` (None: every row) in the files at `paths`; none from a file that
    cannot be read."""
    found = []
    for path in paths if ids is None or ids else []:
        try:
            found += [row for row in rows(path, table) if ids is None or row.get("id") in ids]
        except (StoreDamaged, AttributeError):
            continue
    return found


def _by_id(rows_: list[dict]) -> list[dict]:
    return sorted(rows_, key=lambda row: str(row.get("id")))


def _revision_of(path: Path) -> int:
    """The revision of the session file at `path`; 0 if there is none, or it cannot be read."""
    try:
        return int(stored_record(path).get("revision", 0))
    except (StoreDamaged, AttributeError, TypeError, ValueError):
        return 0


def _date_of(record: dict) -> str | None:
    """The date of the session in a stored record, as written (None if it has none)."""
    date = (record.get("session") or {}).get("date")
    return date if isinstance(date, str) else None


def _pod_of(record: dict) -> str | None:
    """The pod of the session in a stored record (None if it names none a store could keep)."""
    pod_id = (record.get("session") or {}).get("pod_id")
    return pod_id if is_safe_key(pod_id) else None


def _derived_of(session: Session) -> tuple[SessionSummary, dict, dict | None]:
    return SessionSummary.of(session), derived.steps_of(session), derived.presented_of(session)


def _by_pod(items: Iterable, pod_of=lambda session: session.pod_id) -> dict[str, list]:
    """Sessions (or, with `pod_of`, their rows) grouped by pod."""
    grouped: dict[str, list] = {}
    for item in items:
        grouped.setdefault(pod_of(item), []).append(item)
    return grouped


def merge_pod(existing: Pod | None, incoming: Pod) -> Pod:
    """The store's pod with any members of `incoming` it lacks added (store names win)."""
    if existing is None:
        return incoming
    known = {m.id for m in existing.members}
    extra = [m for m in incoming.members if m.id not in known]
    return existing.model_copy(update={"members": existing.members + extra})
