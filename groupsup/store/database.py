"""The store's TinyDB files, read and written without pydantic, so that `groupsup list` starts
as fast as `groupsup --help`. `folder.FolderStore` builds on these; nothing else touches the
files."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from tinydb.storages import Storage

from groupsup.domain import derived
from groupsup.domain.errors import GroupsupError, NotFound, StoreDamaged
from groupsup.domain.identifiers import is_safe_key, safe_key
from groupsup.domain.roles import SessionRoles
from groupsup.domain.vocabulary import SessionStatus, StepStatus, is_overdue
from groupsup.store.files import atomic_write
from groupsup.store.migrations import UnknownVersion, upgrade

PODS_FILE = "pods.json"
INDEX_FOLDER = "index"  # index/<pod>/<year>.json: one line a session, for lists and home
INDEX_FILE = "index.json"  # an older groupsup's index of every session: made again as above
FACTS_FOLDER = "facts"  # facts/<pod>/<year>.json: what a pod's record needs of each closed session
STEPS_FOLDER = "steps"  # steps/<pod>/<year>.json: each session's next steps and reviews
OPEN_STEPS_FOLDER = "open-steps"  # open-steps/<pod>.json: the pod's steps still open
PRESENTED_FOLDER = "presented"  # presented/<pod>.json: the cases each held session presented
POD_FILES = (OPEN_STEPS_FOLDER, PRESENTED_FOLDER)  # <folder>/<pod>.json, one a pod
IMPORTING = ".importing"  # an import's files, staged before they are moved in
DERIVED_VERSION_FILE = "derived-version"  # which groupsup made them: derived.VERSION
# What a restore under way leaves beside the records (see backups.put_back): its staged copies,
# the records it replaced, and its journal.
STAGED = ".restoring"
REPLACED = ".replaced"
JOURNAL = ".restoring.json"


def interrupted(root: Path) -> bool:
    """Whether a restore was killed (or is under way in another process)."""
    return any((root / name).exists() for name in (JOURNAL, STAGED, REPLACED))


class AtomicJSONStorage(Storage):
    """TinyDB storage that never leaves a half-written file and creates files 0600."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def read(self) -> dict | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except IsADirectoryError:  # made by hand: named, as a damaged record is, never a stop
            raise StoreDamaged(
                f"{self.path} is damaged: it is a folder where groupsup keeps a file."
            ) from None
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


def rows(path: Path, table: str) -> list[dict]:
    """The raw rows of one table of a TinyDB file (none if the file is not there yet);
    StoreDamaged if the file does not hold such a table (`{"pods": [1, 2]}`, say)."""
    found = (AtomicJSONStorage(path).read() or {}).get(table, {})
    if not isinstance(found, dict) or not all(isinstance(row, dict) for row in found.values()):
        raise StoreDamaged(f"{path} is damaged: it does not hold the {table} it should.")
    return list(found.values())


def rows_with(path: Path, table: str, fields: dict[str, type]) -> list[dict]:
    """`rows`, each checked to hold `fields` of their types: StoreDamaged, naming the file, for
    one that does not (a pod without its id, say), never a KeyError later."""
    found = rows(path, table)
    for row in found:
        for field, kind in fields.items():
            if not isinstance(row.get(field), kind):
                raise StoreDamaged(f"{path} is damaged: one of its {table} has no {field}.")
    return found


POD_FIELDS: dict[str, type] = {"id": str, "name": str, "members": list}
LINE_FIELDS: dict[str, type] = {
    "id": str,
    "pod_id": str,
    "date": str,
}  # an index line (SessionSummary reads it)
FACTS_FIELDS: dict[str, type] = {
    "id": str,
    "date": str,
    "cases": list,
    "lenses": list,
    "steps": list,
    "reviews": list,
    "concerns": list,
}


def replace_rows(path: Path, table: str, ids: Iterable[str], fresh: Iterable[dict]) -> list[dict]:
    """Remove the rows of `ids` from a table and add `fresh`, in one write of the file; return
    the rows removed.

    Read from disk each time, never from a cache: only call it under the store's lock, so no
    other process's row is lost."""
    storage = AtomicJSONStorage(path)
    data = storage.read() or {}
    gone = set(ids)
    kept: list[dict] = []
    removed: list[dict] = []
    for row in (data.get(table) or {}).values():
        (removed if row.get("id") in gone else kept).append(row)
    data[table] = {str(n): row for n, row in enumerate([*kept, *fresh], start=1)}
    storage.write(data)
    return removed


def derived_current(root: Path) -> bool:
    """Whether this groupsup made the store's derived records (else opening the store makes
    them again, once)."""
    try:
        return (root / DERIVED_VERSION_FILE).read_text() == derived.VERSION
    except (OSError, UnicodeDecodeError):
        return False


def year_files(folder: Path) -> list[Path]:
    """The files of a pod's derived rows, one a year (`<folder>/<year>.json`), oldest first."""
    return sorted(folder.glob("[0-9][0-9][0-9][0-9].json")) if folder.is_dir() else []


def _folders(folder: Path) -> list[Path]:
    """The folders in `folder` (none if it is not there): a derived record's pods."""
    try:
        with os.scandir(folder) as entries:
            return [Path(e.path) for e in entries if e.is_dir(follow_symlinks=False)]
    except (FileNotFoundError, NotADirectoryError):
        return []


def lost_derived(root: Path) -> Path | None:
    """A derived file missing for a pod the index has sessions of (its open steps, its
    presented cases, a year's facts of its sessions in the record): opening the store makes it
    again. None when none is (a damaged index file is for `check` to name)."""
    for pod in _folders(root / INDEX_FOLDER):
        for folder in POD_FILES:
            if not (path := root / folder / f"{pod.name}.json").exists():
                return path
        facts = root / FACTS_FOLDER / pod.name
        kept = {path.stem for path in year_files(facts)}
        for path in year_files(pod):
            if path.stem not in kept and _any_in_the_record(path):
                return facts / path.name
    return None


def _any_in_the_record(index_file: Path) -> bool:
    """Whether a year's file of index lines names a session in its pod's record."""
    try:
        lines = rows(index_file, "sessions")
    except StoreDamaged:
        return False
    written = {row.get("status") for row in lines}
    return any(status.in_the_record for status in SessionStatus if status.value in written)


def pod_folder(root: Path, folder: str, pod_id: str) -> Path:
    """A pod's folder of year files in one of the derived records' folders."""
    try:
        return root / folder / safe_key(pod_id)
    except ValueError as error:
        raise StoreDamaged(f"The store's pods file names a pod badly: {error}") from None


def facts_since(folder: Path, since: dt.date | None = None) -> list[dict]:
    """The facts in a pod's folder of them, in date order. With `since`, only the first (the
    pod's first session) and those from `since` on: only those years' files are read."""
    years = year_files(folder)
    if since is not None:
        years = years[:1] + [path for path in years[1:] if path.stem >= f"{since.year:04d}"]
    facts = sorted(
        (row for path in years for row in rows_with(path, "facts", FACTS_FIELDS)),
        key=lambda f: (f["date"], f["id"]),
    )
    if since is None:
        return facts
    return facts[:1] + [fact for fact in facts[1:] if fact["date"] >= since.isoformat()]


def stored_record(path: Path) -> dict:
    """The one record in a session file, upgraded to the current schema."""
    data = AtomicJSONStorage(path).read()
    records = (data or {}).get("record", {})
    if not records:
        raise StoreDamaged(f"{path} is damaged: it holds no session.")
    record = next(iter(records.values())) if isinstance(records, dict) else None
    if not isinstance(record, dict) or not isinstance(record.get("session"), dict):
        raise StoreDamaged(f"{path} is damaged: it does not hold a session's record.")
    try:
        return upgrade(record)
    except UnknownVersion as error:
        raise StoreDamaged(f"{path} cannot be opened: {error}.") from None


def find_pod_row(pods: Sequence[dict], wanted: str | None) -> dict:
    """The pod named or keyed `wanted` (any case); with None, the store's only pod."""
    if wanted is None:
        if len(pods) == 1:
            return pods[0]
        names = ", ".join(sorted(pod["name"] for pod in pods)) or "none yet"
        raise NotFound(f"Choose a pod with --pod; this store has: {names}.")
    for pod in pods:
        if wanted.casefold() == pod["id"].casefold():
            return pod
    named = [pod for pod in pods if wanted.casefold() == pod["name"].casefold()]
    if len(named) > 1:  # (an import can bring a pod of the same name)
        keys = ", ".join(sorted(pod["id"] for pod in named))
        raise GroupsupError(
            f"{len(named)} pods are called '{wanted}': choose one with --pod and its key ({keys})."
        )
    if named:
        return named[0]
    raise NotFound(f"There is no pod '{wanted}' in this store.")


_STATUSES = {status.value: status for status in SessionStatus}  # home reads 1,200 at once


class SessionSummary(NamedTuple):  # a NamedTuple, not a dataclass: `list` starts sooner
    """What lists and the home screen need of a session, kept in the index."""

    id: str
    pod_id: str
    date: dt.date
    status: SessionStatus
    slots: int
    presenters: list[str]

    @classmethod
    def of(cls, session) -> SessionSummary:
        """The summary of a `models.Session`."""
        return cls(
            session.id,
            session.pod_id,
            session.date,
            session.status,
            len(session.slots),
            [slot.presenter for slot in session.slots],
        )

    @classmethod
    def from_row(cls, row: dict, where: Path) -> SessionSummary:
        """A line of the index kept in `where` (named if the line cannot be read)."""
        try:
            return cls(
                row["id"],
                row["pod_id"],
                dt.date.fromisoformat(row["date"]),
                _STATUSES[row["status"]],  # (a third of the time SessionStatus(...) takes)
                int(row["slots"]),
                list(row["presenters"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise StoreDamaged(
                f"{where} has a line of the index it cannot read ({error})."
            ) from None

    def row(self) -> dict:
        return self._asdict() | {"date": self.date.isoformat(), "status": self.status.value}


def summaries(
    index_files: Iterable[tuple[Path, list[dict]]], pod_id: str | None = None
) -> list[SessionSummary]:
    """The sessions of one pod (or all), in date order, from the index's files and their lines
    (a line that cannot be read is named with its file)."""
    found = [
        SessionSummary.from_row(row, path)
        for path, rows in index_files
        for row in rows
        if pod_id in (None, row.get("pod_id"))
    ]
    return sorted(found, key=lambda s: (s.date, s.id))


class OpenStep(NamedTuple):
    """A next step still open, as home and `groupsup actions` show it, with its latest review."""

    id: str
    pod_id: str
    session_id: str
    agreed: dt.date
    case: str
    action: str
    owner: str | None
    due: dt.date | None
    status: StepStatus
    note: str
    needs_signoff: bool

    @classmethod
    def from_row(cls, row: dict) -> OpenStep:
        """A row of the open steps index (`derived.open_steps`)."""
        try:
            return cls(
                row["id"],
                row["pod_id"],
                row["session_id"],
                dt.date.fromisoformat(row["agreed"]),
                row["case"],
                row["action"],
                row["owner"],
                dt.date.fromisoformat(row["due"]) if row["due"] else None,
                StepStatus(row["status"]),
                row["note"],
                bool(row["needs_signoff"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise StoreDamaged(f"it has a line that cannot be read ({error})") from None

    @classmethod
    def read(cls, path: Path) -> list[OpenStep]:
        """A pod's open steps index (`<store>/open-steps/<pod>.json`); StoreDamaged, naming
        it, if it cannot be read whole."""
        lines = rows(path, "steps")
        try:
            return [cls.from_row(row) for row in lines]
        except StoreDamaged as error:
            raise StoreDamaged(f"{path} is damaged: {error}.") from None

    def is_overdue(self, today: dt.date) -> bool:
        return is_overdue(self.status, self.due, today)


class PlannedSession(NamedTuple):
    """What a calendar needs of a planned session: read from its file without pydantic, each
    field checked (a file that does not hold them is damaged, and named)."""

    id: str
    date: dt.date
    starts_at: dt.time | None
    planned_minutes: int
    place: str
    cases: int

    @classmethod
    def of(cls, session) -> PlannedSession:
        """From a `models.Session`."""
        return cls(
            session.id,
            session.date,
            session.starts_at,
            session.planned_minutes,
            session.place,
            len(session.slots),
        )

    @classmethod
    def read(cls, path: Path) -> PlannedSession:
        """From the session file at `path`."""
        session = stored_record(path).get("session") or {}
        try:
            starts_at = session["starts_at"]
            planned = cls(
                session["id"],
                dt.date.fromisoformat(session["date"]),
                dt.time.fromisoformat(starts_at) if starts_at is not None else None,
                session["planned_minutes"],
                session["place"],
                len(session["slots"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise StoreDamaged(f"{path} holds a session that is not valid ({error}).") from None
        if planned.id != path.stem:
            raise StoreDamaged(
                f"{path} is damaged: it holds session {planned.id}, not {path.stem}."
            )
        if not (isinstance(planned.planned_minutes, int) and isinstance(planned.place, str)):
            raise StoreDamaged(f"{path} holds a session that is not valid (its time or place).")
        return planned


def session_roles(path: Path) -> SessionRoles:
    """Who held which role in the session whose file is at `path`; StoreDamaged, naming the
    file, if it does not hold them."""
    record = stored_record(path)
    try:
        roles = SessionRoles.from_record(record.get("session"))
    except ValueError as error:
        raise StoreDamaged(f"{path} holds a session that is not valid ({error}).") from None
    if roles.id != path.stem:
        raise StoreDamaged(f"{path} is damaged: it holds session {roles.id}, not {path.stem}.")
    return roles


class PodView(NamedTuple):
    """A pod as the home screen shows it, read without pydantic (the full `Pod` when needed)."""

    id: str
    name: str
    names: dict[str, str]

    @classmethod
    def from_row(cls, row: dict) -> PodView:
        try:
            return cls(row["id"], row["name"], {m["id"]: m["name"] for m in row["members"]})
        except (KeyError, TypeError) as error:
            raise StoreDamaged(
                f"The store's pods file has a pod it cannot read ({error})."
            ) from None

    def name_of(self, member_id: str | None) -> str:
        return self.names.get(member_id, member_id) if member_id else ""


class FolderIndex:
    """A folder store's index (`interface.StoreIndex`), straight from its files: what the home
    screen paints first, before the store itself is opened."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._real_root = root.resolve()
        self.sessions_folder = root / "sessions"

    def is_settled(self) -> bool:
        """Whether the store's files stand as this groupsup leaves them, so that they can be
        read before the store is opened: derived records made by it and none lost, no
        restore or import left half done (opening the store settles those first)."""
        return (
            derived_current(self.root)
            and not interrupted(self.root)
            and not (self.root / IMPORTING).exists()
            and lost_derived(self.root) is None
        )

    def pod_views(self) -> list[PodView]:
        return [PodView.from_row(row) for row in self.pod_rows()]

    def pod_rows(self) -> list[dict]:
        """The pods as stored; StoreDamaged if their file is missing while sessions are
        stored (read as no pods, their sessions would be lost from sight)."""
        path = self.root / PODS_FILE
        if not path.exists() and any((self.root / "sessions").glob("*.json")):
            raise StoreDamaged(pods_missing(path))
        found = rows_with(path, "pods", POD_FIELDS)
        for row in found:  # a key is also a file's name in the derived records' folders
            if not is_safe_key(row["id"]):
                raise StoreDamaged(
                    f"{path} is damaged: a pod's key, {row['id']!r}, cannot be used."
                )
        held = {row["id"] for row in found}
        for folder in _folders(self.root / INDEX_FOLDER):  # a pod lost, its sessions unseen
            if folder.name not in held and year_files(folder):
                raise StoreDamaged(
                    f"{path} is damaged: it does not hold pod '{folder.name}', whose sessions "
                    "are in the store."
                )
        return sorted(found, key=lambda row: row["name"].lower())

    def summaries(self, pod_id: str | None = None) -> list[SessionSummary]:
        return summaries(self._index_files(pod_id), pod_id)

    def unindexed(self, listed: Collection[str] | None = None) -> list[str]:
        """Where the index and the sessions' folder disagree: each session file without its
        line in the index (what is read from the index alone leaves it out), each line
        without its file. One listing of the folder, never a look at each file; `listed`:
        the ids of the index's lines, if already read."""
        if listed is None:
            listed = {row["id"] for row in self.index_rows()}
        stored = self._stored_ids()
        return [
            f"{self.sessions_folder / session_id}.json has no line in the index."
            for session_id in sorted(stored - set(listed))
        ] + [self._missing(session_id) for session_id in self._gone(listed)]

    def _stored_ids(self) -> set[str]:
        """The ids of the session files in the sessions' folder (temporaries are hidden)."""
        try:
            names = os.listdir(self.sessions_folder)
        except FileNotFoundError:
            return set()
        return {
            name.removesuffix(".json")
            for name in names
            if name.endswith(".json") and not name.startswith(".")
        }

    def _gone(self, session_ids: Iterable[str]) -> list[str]:
        """Those of `session_ids` whose file is not in the sessions' folder (one listing of
        it, never a look at each), in order."""
        return sorted(set(session_ids) - self._stored_ids())

    def _missing(self, session_id: str) -> str:
        return (
            f"The index lists session {session_id}, but "
            f"{self.sessions_folder / session_id}.json is missing."
        )

    def index_rows(self, pod_id: str | None = None) -> list[dict]:
        """The index's lines (raw) of one pod's sessions, or every pod's."""
        return [row for _, rows in self._index_files(pod_id) for row in rows]

    def _index_files(self, pod_id: str | None = None) -> list[tuple[Path, list[dict]]]:
        """The index's files of one pod's sessions, or every pod's, with their lines (raw);
        StoreDamaged for a year of the pod's sessions whose file of lines is missing (its steps
        file is there: the two are written together) or cannot be read."""
        folder = self.root / INDEX_FOLDER
        pods = [store_key(pod_id)] if pod_id else sorted(p.name for p in _folders(folder))
        found = []
        for pod in pods:
            years = year_files(self._inside(INDEX_FOLDER, pod))
            held = {path.stem for path in years}
            for path in year_files(self._inside(STEPS_FOLDER, pod)):
                if path.stem not in held:
                    raise StoreDamaged(
                        f"{folder / pod / path.name} is missing: the sessions of {path.stem} "
                        "are not in the index. 'groupsup check --repair' makes it again."
                    )
            found += [(path, rows_with(path, "sessions", LINE_FIELDS)) for path in years]
        return found

    def report_facts(self, pod_id: str, since: dt.date | None = None) -> list[dict]:
        """The facts of the pod's sessions held, postponed or cancelled: its record's source.
        With `since`, only the first and those from `since` on (only those years' files read)."""
        return facts_since(self._inside(FACTS_FOLDER, store_key(pod_id)), since)

    def awaiting_agreement(self, pod_id: str) -> int:
        return derived.awaiting_agreement(self.report_facts(pod_id))

    def open_steps(self, pod_id: str | None = None) -> list[OpenStep]:
        pod_ids = [pod.id for pod in self.pod_views()] if pod_id is None else [pod_id]
        return [
            step
            for pod in pod_ids
            for step in OpenStep.read(self._pod_path(OPEN_STEPS_FOLDER, pod))
        ]

    def open_step_rows(
        self, pod_id: str, since: str = "", before: tuple[str, str] | None = None
    ) -> list[dict]:
        """The pod's open steps as rows (`derived.open_steps`): those agreed before `since` (a
        date, ISO) as the open steps index has them (no change since touched them), the rest
        made again from the steps rows of the sessions from `since` on. With `before` (a
        session's date and id), as the steps stood before that session: only the sessions
        before it count, and `since` goes back to the earliest step any later one reviewed."""
        years = {path.stem: path for path in self._year_files(STEPS_FOLDER, pod_id)}
        read: dict[str, list[dict]] = {}

        def rows_of(year: str) -> list[dict]:
            if year not in read:
                read[year] = rows(years[year], "sessions")
            return read[year]

        if before is not None:
            since = min(
                [
                    before[0],
                    *(
                        review.get("agreed_on") or ""
                        for year in years
                        if year >= before[0][:4]
                        for row in rows_of(year)
                        if (row["date"], row["id"]) >= before
                        for review in row["reviews"]
                        if review["status"] != StepStatus.OPEN.value
                    ),
                ]
            )
        index = self._pod_path(OPEN_STEPS_FOLDER, pod_id)
        try:
            kept = [row for row in rows(index, "steps") if row["agreed"] < since]
        except (StoreDamaged, KeyError, TypeError):
            kept, since = [], ""  # made again whole
        if since and not index.exists():
            since = ""
        later = [
            row
            for year in years
            if year >= since[:4]
            for row in rows_of(year)
            if row["date"] >= since and (before is None or (row["date"], row["id"]) < before)
        ]
        return [*kept, *derived.open_steps(later)]

    def open_steps_before(
        self, pod_id: str, day: dt.date, session_id: str
    ) -> list[derived.StepSource]:
        return [
            derived.StepSource(row["id"], row["session_id"], row.get("reviewed_in"))
            for row in self.open_step_rows(pod_id, before=(day.isoformat(), session_id))
        ]

    def last_presentations(
        self, pod_id: str, cases: Collection[str], day: dt.date, besides: Collection[str]
    ) -> dict[str, str]:
        wanted, found, until = set(cases), dict[str, str](), day.isoformat()
        held = rows(self._pod_path(PRESENTED_FOLDER, pod_id), "sessions")
        by_id = sorted(held, key=lambda row: row["id"])
        for row in sorted(by_id, key=lambda row: row["date"], reverse=True):  # latest first
            if len(found) == len(wanted):
                break  # every case found: the earlier rows cannot change it
            if row["date"] <= until and row["id"] not in besides:
                for case in wanted.intersection(row["cases"]) - found.keys():
                    found[case] = row["id"]
        return found

    def planned(self, pod_id: str) -> list[PlannedSession]:
        """The pod's planned sessions, as a calendar needs them (past sessions are not read);
        StoreDamaged, naming the file, for one that cannot be read."""
        return [
            PlannedSession.read(self._session_file(s.id))
            for s in self.summaries(pod_id)
            if s.status is SessionStatus.PLANNED
        ]

    def session_roles(
        self, session_ids: Sequence[str]
    ) -> tuple[list[SessionRoles], dict[str, str]]:
        found, damaged = [], {}
        for session_id in session_ids:
            try:
                found.append(session_roles(self._session_file(session_id)))
            except StoreDamaged as error:
                damaged[session_id] = str(error)
        return found, damaged

    def _session_file(self, session_id: str) -> Path:
        """A session's file, refused (StoreDamaged) if its id or a link would lead elsewhere."""
        try:
            path = self.root / "sessions" / f"{safe_key(session_id)}.json"
        except ValueError as error:
            raise StoreDamaged(f"The store's index names a session badly: {error}") from None
        if path.is_symlink() or path.parent.is_symlink():
            raise StoreDamaged(f"{path} leads outside the store; it is left alone.")
        return path

    def _inside(self, *parts: str) -> Path:
        """The path of `parts` in the store, refused unless it stays inside the store (a key
        is checked before it gets here; this catches what a key check cannot, a symlink)."""
        path = self.root.joinpath(*parts)
        if not path.resolve().is_relative_to(self._real_root):
            raise StoreDamaged(f"{path} leads outside the store; it is left alone.")
        return path

    def _pod_path(self, folder: str, pod_id: str) -> Path:
        return self._inside(folder, f"{store_key(pod_id)}.json")

    def _year_files(self, folder: str, pod_id: str) -> list[Path]:
        """A pod's files of rows, oldest year first."""
        return year_files(self._inside(folder, store_key(pod_id)))


def pods_missing(path: Path) -> str:
    return f"{path} is missing, but the store holds sessions."


def store_key(value: str) -> str:
    """`value` if it is a safe pod or session key, else NotFound saying why."""
    try:
        return safe_key(value)
    except ValueError as error:
        raise NotFound(str(error)) from None
