"""Backups of the store's records, and putting one back, without ever losing a record.

A backup is a folder `backups/<when>-<why>/` whose `manifest.json` lists every record it holds
(pods, index, pod facts, sessions with their observers' inboxes, the pods' own formats) with
its size and sha256. The records themselves are kept once, as reverse differences:
`backups/.current/` (the mirror) holds the newest backup's copies, and each older backup's
folder holds its copies of the records that differ from the next newer backup's (a record
alike in both is found in the newer one: `Backup.located`). Taking a backup looks at each
record's size and modification time, and reads, copies and moves only those that changed: the
mirror's old copy moves into the previous backup's folder, the new one into the mirror. So a
backup costs what changed, and removing the oldest costs what it alone held.

A checked backup need not even look at every record: the store notes in `backups/.changes`
each record it is about to write (`note`, under the store's lock), and the journal begins
afresh with each backup's name, so the next checked backup reads only the records named since
(`_journal`). A journal that does not begin with the newest backup's name (a backup or a note
killed, a bulk change that forgot it) means every record is looked at, as does an unchecked
backup (of whatever is there: a restore's undo). A record changed behind groupsup's back is
then kept as groupsup wrote it; `groupsup check` names it.

A backup is written as `backups/.partial-<name>/` (its manifest, the changed copies, then the
list of moves); once that list is written it is finished, by the next backup if this one is
killed, and renamed when the moves are done, so a listed backup is whole. One killed before
its list of moves stays hidden until the next backup removes it.

Restoring verifies the backup against its manifest before touching anything, keeps the present
state as a backup, copies the records into `.restoring/` beside the live ones, writes a journal
and then renames them in one at a time, moving the live ones to `.replaced/`. A restore killed
during the renames is finished from the journal when the store is next opened.

The caller holds the store's lock (`folder.FolderStore` does) for everything here but `listing`.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import hashlib
import json
import os
import re
import shutil
import stat
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import orjson

from groupsup.domain.errors import NotFound, StoreDamaged
from groupsup.store.database import JOURNAL, REPLACED, STAGED
from groupsup.store.files import PRIVATE_FILE, fsync_folder, new_private_file, private_folder

BACKUPS_FOLDER = "backups"
BACKUPS_KEPT = 5
MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
# The records, as patterns under the store's root. Exports, backups, the lock and the join code
# are not records: they are not backed up, and a restore leaves them as they are.
# The derived records (index, facts, steps, open-steps, presented: see folder.py) are kept too,
# though a restore makes them again from the sessions.
RECORDS = (
    "pods.json",
    "index.json",  # (an older groupsup's)
    "index/*/*.json",  # one a pod and year
    "facts/*.json",  # (one a pod: an older groupsup's)
    "facts/*/*.json",  # one a pod and year
    "steps/*.json",
    "steps/*/*.json",
    "open-steps/*.json",
    "presented/*.json",
    "sessions/*.json",
    "sessions/*.inbox/*.json",
    "sessions/*.inbox/*.set-aside",  # a note that could not be taken in, kept for a person
    "sessions/*.inbox/*.refused",  # (the same, as an older groupsup named it)
    "formats/*.toml",
    "unsaved/*.json",  # edits a save refused: the only copy of what was typed, till put back
)
TOP_LEVEL = tuple(dict.fromkeys(pattern.split("/")[0] for pattern in RECORDS))  # swapped whole
PARTIAL = ".partial-"
MIRROR = ".current"  # the newest backup's records: each older one holds what it had otherwise
CHANGES = ".changes"  # in backups/: the newest backup's name, then each record written since
MOVES = "moves.json"  # in a partial backup: what finishing it moves (it is made from then on)
STAGED_COPIES = "copies"  # in a partial backup: the records changed since the one before
_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,199}")

Checker = Callable[[Path, str], None]  # raises StoreDamaged if a record cannot be read back
Progress = Callable[[int, int], None]  # files done, files in all
Adjust = Callable[[str, bytes], bytes]  # a record's path and bytes -> the bytes to put back


@dataclass(frozen=True)
class Backup:
    folder: Path
    made: str  # ISO 8601, UTC
    reason: str
    checked: bool  # every record was read back when it was made
    files: dict[str, dict]  # relative path -> {"size", "sha256", "mtime_ns"}
    problem: str = ""  # why it cannot be restored, from a quick look; "" when it looks whole
    mirrored: bool = False  # made with the mirror: it holds only what differs from the next
    later: tuple[Path, ...] = ()  # the newer backups' folders, oldest first, then the mirror

    @property
    def name(self) -> str:
        return self.folder.name

    def located(self, rel: str) -> Path:
        """Where this backup's copy of record `rel` is: its own folder, else the first newer
        backup's that has one (it held the record alike), else the mirror."""
        for folder in (self.folder, *self.later):
            if (folder / rel).exists() or (folder / rel).is_symlink():
                return folder / rel
        return self.folder / rel

    @property
    def sessions(self) -> int:
        return sum(1 for rel in self.files if re.fullmatch(r"sessions/[^/]+\.json", rel))


def backups_folder(root: Path) -> Path:
    """The store's backups folder: refused (StoreDamaged) while it is a link, which could lead
    anywhere: a backup would copy every record there, and a restore take records from there
    (`check` names it)."""
    folder = root / BACKUPS_FOLDER
    if folder.is_symlink():
        raise StoreDamaged(
            f"{folder} is a symbolic link; a store holds only its own files. Move it out of the "
            "store."
        )
    return folder


# -- taking a backup -------------------------------------------------------------------------


def take(
    root: Path,
    reason: str,
    check: Checker | None = None,
    keep: tuple[str, ...] = (),
    progress: Progress | None = None,
    refuse_missing: Callable[[Collection[str] | None], None] | None = None,
    thorough: bool = False,
) -> Path:
    """Back up the records of the store at `root`; return the backup's folder.

    With `check`, every record is read back first (those unchanged since a checked backup were
    read then) and StoreDamaged is raised, with no backup made, if one cannot be: a checked
    backup is of a good state. Without it, whatever is there is kept, damage and all.
    `refuse_missing` is given the records the newest backup holds (None: no backup to go by)
    and raises StoreDamaged if one that should be there is gone. A `thorough` backup looks at
    every record (not only those the journal names), and reads back every copy it would keep
    from the newest, making a damaged one again.
    Rotation then keeps the newest BACKUPS_KEPT backups and those named in `keep`.
    """
    folder = private_folder(backups_folder(root))
    _finish_partial(folder)
    names = _names(folder)
    newest = read(folder / names[0], looked_at=False, names=names) if names else None
    mirror = folder / MIRROR
    _refuse_links(mirror, newest.files if newest else {})
    mirrored = newest is not None and newest.mirrored and not newest.problem and mirror.is_dir()
    if not mirrored:  # the mirror is made afresh: what it held goes to the backup it was for
        if newest is not None and mirror.is_dir():
            _fill_from(mirror, newest.folder)
        shutil.rmtree(mirror, ignore_errors=True)
    from groupsup.domain.models import slug  # (pydantic: not on the way to home's first paint)

    name = f"{dt.datetime.now(dt.UTC).strftime('%Y-%m-%dT%H%M%S.%fZ')}-{slug(reason)}"
    partial = folder / f"{PARTIAL}{name}"
    partial.mkdir(mode=0o700)
    try:
        base = newest if mirrored else None
        if refuse_missing is not None:
            refuse_missing(base.files.keys() if base else None)
        files, changed = _stage_changes(root, partial, base, mirror, check, progress, thorough)
        manifest = {
            "groupsup_backup": MANIFEST_VERSION,
            "made": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "reason": reason,
            "checked": check is not None,
            "mirrored": True,
            "files": files,
        }
        _write_new(partial / MANIFEST, orjson.dumps(manifest))  # (a close reads and writes one)
        gone = [rel for rel in (base.files if base else {}) if rel not in files]
        moves = {"after": base.name if base else None, "records": [*changed, *gone]}
        _write_new(partial / MOVES, json.dumps(moves).encode())
        fsync_folder(partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    _finish(folder, partial)  # from here on, the backup is made (a kill is finished later)
    _begin_journal(folder, name)
    _rotate(root, keep=(name, *keep))
    return folder / name


def note(root: Path, records: Iterable[str]) -> None:
    """Say, before writing them, which records (paths relative to `root`) are about to change:
    appended to the journal a backup began, if there is one. The caller holds the store's lock.

    Each path has a line of its own, begun afresh: a line cut short by a kill names a write
    that never began (a name is only a record to look at, so a wrong one costs a look). The
    lines are on the disk before the records change: after a power cut the journal must not
    miss a record that was written, or the next backup would keep its old copy."""
    if (root / BACKUPS_FOLDER).is_symlink():  # never written through (the next backup refuses)
        return
    try:
        # (never through a link: a backup then looks past the journal, at every record)
        journal = os.open(
            root / BACKUPS_FOLDER / CHANGES, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW
        )
    except OSError:  # no backup yet, or a bulk change forgot it: the next one looks at all
        return
    with os.fdopen(journal, "ab") as out:
        out.write("".join(f"\n{rel}\n" for rel in records).encode("utf-8"))
        out.flush()
        os.fsync(out.fileno())


def forget_changes(root: Path) -> None:
    """After a change of many records at once (an import, a restore, a rebuild): the next
    backup looks at every record."""
    if not (root / BACKUPS_FOLDER).is_symlink():  # (whose journal a backup would refuse)
        (root / BACKUPS_FOLDER / CHANGES).unlink(missing_ok=True)


def _begin_journal(folder: Path, name: str) -> None:
    """A journal of the records changed from backup `name` on. It is not flushed to the disk:
    one lost (or left empty) by a crash does not begin with the newest backup's name, and the
    next backup then looks at every record."""
    temporary = folder / f"{CHANGES}.tmp"  # (one writer at a time: the store's lock)
    with os.fdopen(new_private_file(temporary), "wb") as out:
        out.write(f"{name}\n".encode())
    os.replace(temporary, folder / CHANGES)


def _journal(root: Path, base: Backup | None, check: Checker | None, held: set[str]):
    """The records written since backup `base`, as its journal names them, when a checked
    backup may go by it: `base` checked, the journal begun with it, and each of its records in
    the mirror. Otherwise None: every record is looked at."""
    if base is None or check is None or not base.checked or not held.issuperset(base.files):
        return None
    if (root / BACKUPS_FOLDER / CHANGES).is_symlink():  # not groupsup's journal
        return None
    try:
        first, _, rest = (root / BACKUPS_FOLDER / CHANGES).read_text("utf-8").partition("\n")
    except (OSError, UnicodeDecodeError):
        return None
    if first != base.name:
        return None
    return {rel for rel in rest.split("\n") if is_record_path(rel)}


def _looked_at(root: Path, rel: str, refuse_links: bool) -> os.stat_result | None:
    """A record the journal names, as it stands: None if it is gone (or not a file)."""
    path, parts = root, rel.split("/")
    for part in parts:
        path = path / part
        try:
            seen = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if stat.S_ISLNK(seen.st_mode):  # never followed, as a full look never goes through one
            if refuse_links:
                raise StoreDamaged(_link_message(root / rel))
            return None
    return seen if stat.S_ISREG(seen.st_mode) else None


def _stage_changes(
    root: Path,
    partial: Path,
    base: Backup | None,
    mirror: Path,
    check: Checker | None,
    progress: Progress | None,
    thorough: bool = False,
) -> tuple[dict[str, dict], list[str]]:
    """Every record's manifest entry, and the records whose copy in the mirror must change:
    those are read (and checked) and staged in `partial`; the rest are only looked at (size
    and modification time: every write replaces a file), never read."""
    held = _held(mirror, base.files if base else {}, thorough)
    # (thorough: every record looked at, not only those groupsup noted it wrote)
    changes = None if thorough else _journal(root, base, check, held)
    files: dict[str, dict] = {}
    if base is not None and changes is not None:  # the rest are as in `base`: not looked at
        files = {rel: entry for rel, entry in base.files.items() if rel not in changes}
        named = ((rel, _looked_at(root, rel, refuse_links=True)) for rel in sorted(changes))
        records = [(rel, seen) for rel, seen in named if seen is not None]
    else:
        records = [
            (rel, entry.stat(follow_symlinks=False))
            for rel, entry in _records(root, refuse_links=check is not None)
        ]
    changed: list[str] = []
    for done, (rel, seen) in enumerate(records, 1):
        before = base.files.get(rel) if base else None
        kept = (
            base is not None
            and before is not None
            and rel in held
            and (before["size"], before["mtime_ns"]) == (seen.st_size, seen.st_mtime_ns)
            and (base.checked or check is None)
        )
        if kept and before is not None:
            files[rel] = before
        else:
            files[rel], data = _read(root / rel, rel, check)
            if before is None or rel not in held or before["sha256"] != files[rel]["sha256"]:
                staged = partial / STAGED_COPIES / rel
                private_folder(staged.parent)
                _write_new(staged, data)
                changed.append(rel)
        if progress:
            progress(done, len(records))
    for folder in {(partial / STAGED_COPIES / rel).parent for rel in changed}:
        fsync_folder(folder)
    return dict(sorted(files.items())), changed


def _read(path: Path, rel: str, check: Checker | None) -> tuple[dict, bytes]:
    """A changed record's manifest entry and bytes, once it is read back (`check`)."""
    with path.open("rb") as file:
        seen = os.fstat(file.fileno())
        data = file.read()
    if check:
        check(path, rel)
    return {"size": len(data), "sha256": _sha256(data), "mtime_ns": seen.st_mtime_ns}, data


def _finish(folder: Path, partial: Path) -> None:
    """Move the staged copies into the mirror, each replaced copy first into the folder of the
    backup it belonged to (the one before), then list the backup. Each step can be done again:
    a backup killed here is finished by the next (`_finish_partial`)."""
    moves = json.loads((partial / MOVES).read_bytes())
    before = folder / moves["after"] if moves["after"] else None
    mirror = private_folder(folder / MIRROR)
    touched = {mirror}
    for rel in moves["records"]:
        held, staged = mirror / rel, partial / STAGED_COPIES / rel
        if before is not None and held.exists() and not (before / rel).exists():
            touched.add(private_folder((before / rel).parent))
            os.rename(held, before / rel)
        if staged.exists():
            touched.add(private_folder(held.parent))
            os.replace(staged, held)
    for changed in touched:
        fsync_folder(changed)
    shutil.rmtree(partial / STAGED_COPIES, ignore_errors=True)
    (partial / MOVES).unlink()
    os.rename(partial, folder / partial.name.removeprefix(PARTIAL))
    fsync_folder(folder)


def _finish_partial(folder: Path) -> None:
    """A backup a killed process left: finished if its moves had begun, else removed (the
    caller holds the lock: none is under way)."""
    for path in sorted(folder.glob(f"{PARTIAL}*")):
        if (path / MOVES).exists():
            _finish(folder, path)
        else:
            shutil.rmtree(path, ignore_errors=True)


def _fill_from(mirror: Path, backup: Path) -> None:
    """Give `backup` its own copy of every record it finds in the mirror (moved, not copied)."""
    for rel, _ in _records(mirror, refuse_links=False):
        if not (backup / rel).exists():
            private_folder((backup / rel).parent)
            os.rename(mirror / rel, backup / rel)


def _refuse_links(mirror: Path, records: Iterable[str]) -> None:
    """StoreDamaged for a link at the mirror, or at a folder in it where `records` are kept:
    a copy is never written, moved or read through one."""
    folders = {""}
    for folder in {rel.rpartition("/")[0] for rel in records}:
        parts = folder.split("/")
        folders |= {"/".join(parts[:n]) for n in range(1, len(parts) + 1)}
    for folder in sorted(folders):
        if (mirror / folder).is_symlink():
            raise StoreDamaged(_link_message(mirror / folder))


def _held(mirror: Path, records: dict[str, dict], read_back: bool = False) -> set[str]:
    """Which of `records` the mirror holds (one listing of each of their folders). With
    `read_back`, only those whose copy reads back as `records` says: one damaged behind
    groupsup's back is then not held, and the backup makes it again."""
    held = set()
    for folder in {rel.rpartition("/")[0] for rel in records}:
        try:
            entries = os.scandir(mirror / folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            held |= {f"{folder}/{e.name}" if folder else e.name for e in entries}
    if read_back:
        held = {rel for rel in held if rel in records and _reads_back(mirror / rel, records[rel])}
    return held


def _reads_back(path: Path, entry: dict) -> bool:
    try:
        return not path.is_symlink() and _sha256(path.read_bytes()) == entry.get("sha256")
    except OSError:
        return False


def record_paths(root: Path, refuse_links: bool) -> list[str]:
    """The records under `root`, as sorted relative paths. Temporaries are left out, and so are
    symbolic links: never followed, and refused (StoreDamaged) when `refuse_links`."""
    return [rel for rel, _ in _records(root, refuse_links)]


def strays(root: Path) -> list[Path]:
    """What lies where records are kept but is not one: a file with a name groupsup never
    gives one (a copy made by hand, `my fmt.toml`), or a folder under a record's name. Backups
    leave them out, as no restore could put them back."""
    listed: dict[Path, list[os.DirEntry]] = {}
    return sorted(
        root / rel
        for pattern in RECORDS
        for rel, entry in _entries(root, pattern.split("/"), listed)
        if not is_record_path(rel) or entry.is_dir(follow_symlinks=False)
    )


def stray_problem(path: Path) -> str:
    """Why a stray (`strays`) is not a record, in a sentence."""
    if path.is_symlink():
        return f"{path} is a symbolic link, not a record groupsup keeps"
    if path.is_dir():
        return f"{path} is a folder where groupsup keeps a file"
    return f"{path} is not a record groupsup keeps (its name is not one groupsup gives)"


def _records(root: Path, refuse_links: bool) -> list[tuple[str, os.DirEntry]]:
    found = []
    listed: dict[Path, list[os.DirEntry]] = {}  # each folder listed once for every pattern
    for pattern in RECORDS:
        depth = pattern.count("/")
        for rel, entry in _entries(root, pattern.split("/"), listed):
            on_the_way = rel.count("/") < depth  # a folder of records (`sessions`) linked
            if not (on_the_way or is_record_path(rel)):
                continue  # a stray (`strays`), which `check` names
            if entry.is_symlink():
                if refuse_links:
                    raise StoreDamaged(_link_message(root / rel))
            elif entry.is_file(follow_symlinks=False):
                found.append((rel, entry))
    return sorted(found, key=lambda item: item[0])


def _entries(
    folder: Path, parts: list[str], listed: dict[Path, list[os.DirEntry]], rel: str = ""
) -> Iterator[tuple[str, os.DirEntry]]:
    """What in `folder` matches the pattern `parts` (hidden names never), going down folders
    but never through a link: a link on the way is given as it is. One listing a folder, no
    look at each file (a store holds thousands)."""
    if folder not in listed:
        try:
            with os.scandir(folder) as entries:
                listed[folder] = [entry for entry in entries if not entry.name.startswith(".")]
        except (FileNotFoundError, NotADirectoryError):
            listed[folder] = []
    matches = _matcher(parts[0])
    for entry in listed[folder]:
        if not matches(entry.name):
            continue
        if len(parts) == 1 or entry.is_symlink():
            yield f"{rel}{entry.name}", entry
        elif entry.is_dir(follow_symlinks=False):
            yield from _entries(Path(entry.path), parts[1:], listed, f"{rel}{entry.name}/")


def _link_message(path: Path) -> str:
    return (
        f"{path} is a link to somewhere else, not a record groupsup wrote; move it out of the "
        "store."
    )


@functools.cache
def _matcher(part: str) -> Callable[[str], object]:
    """Whether a name matches one part of a pattern (`*.json`, `sessions`)."""
    return re.compile(fnmatch.translate(part)).match


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet, private, and flushed to the disk."""
    fd = os.open(
        path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), PRIVATE_FILE
    )
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _rotate(root: Path, keep: tuple[str, ...]) -> None:
    """Remove all but the newest BACKUPS_KEPT backups and those in `keep`."""
    folder = backups_folder(root)
    for old in _names(folder)[BACKUPS_KEPT:]:
        if old not in keep:
            _remove(folder, old)


def remove(root: Path, name: str) -> None:
    """Remove backup `name`, keeping every other whole (the caller holds the lock)."""
    folder = backups_folder(root)
    _finish_partial(folder)
    _remove(folder, find(root, name).name)


def _remove(folder: Path, name: str) -> None:
    """Remove a backup. The one before it may have found records in its folder (those it held
    alike): they are moved into that one's own folder first."""
    older = sorted(
        (entry.name for entry in os.scandir(folder) if _listed(entry) and entry.name < name),
        reverse=True,
    )
    if older:
        gone, kept = read(folder / name, looked_at=False), read(folder / older[0], False)
        for rel, entry in gone.files.items():
            mine, theirs = folder / name / rel, folder / older[0] / rel
            alike = kept.files.get(rel, {}).get("sha256") == entry.get("sha256")
            if alike and mine.is_file() and not theirs.exists():
                private_folder(theirs.parent)
                os.rename(mine, theirs)
    shutil.rmtree(folder / name)


# -- listing and checking --------------------------------------------------------------------


def listing(root: Path, looked_at: bool = True) -> list[Backup]:
    """The backups, newest first, each with the reason it cannot be restored if it cannot
    (without `looked_at`, only their manifests are read: their files are not looked at)."""
    folder = backups_folder(root)
    if not folder.is_dir():
        return []
    names = _names(folder)
    return [read(folder / name, looked_at, names) for name in names]


def _names(folder: Path) -> list[str]:
    """The backups' names, newest first."""
    return sorted((entry.name for entry in os.scandir(folder) if _listed(entry)), reverse=True)


def _listed(entry: os.DirEntry) -> bool:
    """Whether a name in the backups folder is a backup: a folder named, as every groupsup
    names one, from when it was made (a killed one's is hidden; one made by hand is not)."""
    return bool(_STAMPED.match(entry.name)) and entry.is_dir(follow_symlinks=False)


_STAMPED = re.compile(r"[0-9]{4}-?[0-9]{2}-?[0-9]{2}T")  # (older groupsups left out the -)


def _made_by_hand(folder: Path) -> list[Path]:
    """What in the backups folder is not groupsup's: neither a backup nor hidden."""
    if not folder.is_dir():
        return []
    with os.scandir(folder) as entries:
        return sorted(
            Path(e.path) for e in entries if not e.name.startswith(".") and not _listed(e)
        )


def read(folder: Path, looked_at: bool = True, names: list[str] | None = None) -> Backup:
    """The backup in `folder` as its manifest describes it, and what a quick look at its files
    finds wrong (with `looked_at`). `names`: the backups beside it, if already listed."""
    try:
        manifest = orjson.loads((folder / MANIFEST).read_bytes())
        files = manifest["files"]
        if not all(isinstance(entry, dict) for entry in files.values()):
            raise TypeError("a file's entry is not a table")
        backup = Backup(
            folder,
            str(manifest["made"]),
            str(manifest["reason"]),
            manifest["checked"] is True,
            files,  # keys are str, as JSON's are
            mirrored=manifest.get("mirrored") is True,
        )
    except FileNotFoundError:
        return Backup(
            folder,
            "",
            "",
            False,
            {},
            "it has no manifest (it is unfinished, or "
            "an older groupsup made it), so it cannot be checked",
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Backup(folder, "", "", False, {}, "its manifest is damaged")
    if names is None:
        names = [entry.name for entry in os.scandir(folder.parent) if _listed(entry)]
    newer = sorted(name for name in names if name > folder.name)
    backup = replace(
        backup, later=(*(folder.parent / name for name in newer), folder.parent / MIRROR)
    )
    if not looked_at:
        return backup
    wrong = [rel for rel, entry in backup.files.items() if _quick_problem(backup, rel, entry)]
    if wrong:
        return replace(backup, problem=_files_problem(wrong, "missing or changed"))
    return backup


def _quick_problem(backup: Backup, rel: str, entry: dict) -> bool:
    if not is_record_path(rel):
        return True
    path = backup.located(rel)
    try:
        return path.is_symlink() or path.stat().st_size != entry.get("size")
    except OSError:
        return True


def is_record_path(rel: str) -> bool:
    """A path the manifest may name: inside the backup, and one of the records."""
    parts = rel.split("/")
    return all(_NAME.fullmatch(part) and ".." not in part for part in parts) and any(
        len(parts) == len(pattern) and all(map(_matches, pattern, parts)) for pattern in _PATTERNS
    )


_PATTERNS = [pattern.split("/") for pattern in RECORDS]


def _matches(part_pattern: str, part: str) -> bool:
    return bool(_matcher(part_pattern)(part))


def _files_problem(paths: list[str], what: str) -> str:
    named = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    return f"{named} {'is' if len(paths) == 1 else 'are'} {what}"


def find(root: Path, name: str) -> Backup:
    """The backup called `name` in the store's backups folder; nothing outside it."""
    folder = backups_folder(root) / name
    if not _NAME.fullmatch(name) or ".." in name or folder.is_symlink() or not folder.is_dir():
        raise NotFound(f"There is no backup '{name}'; 'groupsup restore' lists them.")
    return read(folder)


def verify(backup: Backup, digest: Callable[[Path], str] | None = None) -> None:
    """Raise StoreDamaged unless every file the manifest lists is there, unchanged. `digest`
    gives a file's checksum (by default, reading it)."""
    problem = backup.problem
    if not problem:
        wrong = [
            rel for rel, entry in backup.files.items() if not _intact(backup, rel, entry, digest)
        ]
        problem = _files_problem(wrong, "damaged (not as the backup wrote them)") if wrong else ""
    # (an unchecked backup keeps the state as it stood, a session lost from behind its index
    # line included: restoring it puts that back, as asked)
    if not problem and backup.checked and (lacking := _listed_not_held(backup)):
        problem = f"its index lists session {lacking[0]}, whose file it does not hold"
    if problem:
        raise StoreDamaged(f"Backup {backup.name} cannot be restored: {problem}.")


def _listed_not_held(backup: Backup) -> list[str]:
    """The sessions the backup's own index lists whose files it does not hold (its manifest
    edited, say): a restore would put back an index of sessions that are not there."""
    held = {
        rel.removeprefix("sessions/").removesuffix(".json")
        for rel in backup.files
        if rel.startswith("sessions/") and rel.count("/") == 1
    }
    listed = set()
    for rel in backup.files:
        if rel.startswith(("index/", "index.json")):
            try:
                data = json.loads(backup.located(rel).read_bytes())
                listed |= {row["id"] for row in data["sessions"].values()}
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                continue  # (a damaged copy is named as such by its checksum)
    return sorted(listed - held)


def problems(root: Path) -> list[str]:
    """Why each backup that could not be restored could not, a sentence each: every file it
    lists is read and compared with its checksum (a copy older backups share, read once)."""
    digest = functools.cache(_file_sha256)
    found = [
        f"{path} is not a backup groupsup made: move it out of the backups folder."
        for path in _made_by_hand(backups_folder(root))
    ]
    for backup in listing(root, looked_at=False):  # verify looks at each file
        try:
            verify(backup, digest)
        except StoreDamaged as error:
            found.append(str(error))
    return found


def good_copy(root: Path, rel: str, check: Checker) -> Backup | None:
    """The newest backup holding a copy of record `rel` that is as the backup wrote it and
    reads back (`check`), if any: where a damaged record can be found whole again."""
    for backup in listing(root):
        entry = backup.files.get(rel)
        if backup.problem or entry is None or not _intact(backup, rel, entry):
            continue
        try:
            check(backup.located(rel), rel)
        except StoreDamaged:
            continue
        return backup
    return None


def _intact(
    backup: Backup, rel: str, entry: dict, digest: Callable[[Path], str] | None = None
) -> bool:
    if _quick_problem(backup, rel, entry):
        return False
    return (digest or _file_sha256)(backup.located(rel)) == entry.get("sha256")


def _file_sha256(path: Path) -> str:
    return _sha256(path.read_bytes())


# -- putting a backup back -------------------------------------------------------------------
# Stage, write the journal, swap, rebuild the derived records (the store does), remove the
# journal. A kill at any point leaves the old records (no journal yet) or a journal, from which
# `resume` finishes the swap; the rebuild is then done again.


def put_back(root: Path, backup: Backup, adjust: Adjust | None = None) -> None:
    """Swap the (verified) backup's records in for the store's; then call `done`. `adjust`
    gives each record's bytes as they are to be put back (a session's next revision, say)."""
    staged = root / STAGED
    _clear_leftovers(root)
    private_folder(staged)
    for folder in ("facts", "sessions"):
        private_folder(staged / folder)
    for rel in backup.files:
        target = staged / rel
        if not target.parent.exists():
            private_folder(target.parent)
        data = backup.located(rel).read_bytes()
        _write_new(target, adjust(rel, data) if adjust else data)
    for written in {(staged / rel).parent for rel in backup.files} | {staged}:
        fsync_folder(written)
    journal = {item: (staged / item).exists() for item in TOP_LEVEL}
    _write_new(root / JOURNAL, json.dumps(journal).encode())
    fsync_folder(root)
    _swap(root, journal)


def resume(root: Path) -> bool:
    """Finish the swap of a restore that was killed, and say so (then rebuild and call `done`);
    without a journal, clear what a restore killed before its swap left."""
    try:
        journal = json.loads((root / JOURNAL).read_bytes())
    except (FileNotFoundError, ValueError):  # no journal, or killed writing it: no swap begun
        (root / JOURNAL).unlink(missing_ok=True)
        _clear_leftovers(root)
        return False
    if not (
        isinstance(journal, dict)
        and set(journal) <= set(TOP_LEVEL)
        and all(isinstance(held, bool) for held in journal.values())
    ):  # never followed: it could name anything
        raise StoreDamaged(
            f"{root / JOURNAL} is damaged: it is not a journal groupsup wrote, so the restore it "
            f"stands for cannot be finished. Move it and {root / STAGED} out of the store; "
            "'groupsup restore' then lists the backups."
        )
    _swap(root, journal)
    return True


def done(root: Path) -> None:
    """The restore is complete: remove its journal and the records it replaced."""
    (root / JOURNAL).unlink()
    fsync_folder(root)
    _clear_leftovers(root)


def _clear_leftovers(root: Path) -> None:
    for leftover in (root / STAGED, root / REPLACED):
        shutil.rmtree(leftover, ignore_errors=True)


def _swap(root: Path, journal: dict[str, bool]) -> None:
    """Rename the staged records in, the live ones aside; each step can be run again."""
    staged, aside = root / STAGED, private_folder(root / REPLACED)
    for item, held in journal.items():
        live, new = root / item, staged / item
        if held and not new.exists():
            continue  # already in place
        if live.exists() or live.is_symlink():
            os.replace(live, aside / item)
        if held:
            os.replace(new, live)
    fsync_folder(root)
