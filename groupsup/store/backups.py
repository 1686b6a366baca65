"""Backups of the store's records, and putting one back, without ever losing a record.

A backup is a folder `backups/<when>-<why>/` holding the records (pods, index, pod facts,
sessions with their observers' inboxes, the pods' own formats) and `manifest.json`, which lists
every file with its size and sha256. It is written as `backups/.partial-<name>/` and renamed
when complete, so a listed backup is whole; a killed one stays hidden until the next backup
removes it. A file unchanged since the previous backup is a hard link to that backup's copy
(a copy where links fail), so a backup costs what changed.

Restoring verifies the backup against its manifest before touching anything, keeps the present
state as a backup, copies the records into `.restoring/` beside the live ones, writes a journal
and then renames them in one at a time, moving the live ones to `.replaced/`. A restore killed
during the renames is finished from the journal when the store is next opened.

The caller holds the store's lock (`folder.FolderStore` does) for everything here but `listing`.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from groupsup.domain.errors import NotFound, StoreDamaged
from groupsup.domain.models import slug
from groupsup.store.files import PRIVATE_FILE, fsync_folder, private_folder

BACKUPS_FOLDER = "backups"
BACKUPS_KEPT = 5
MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
# The records, as patterns under the store's root. Exports, backups, the lock and the join code
# are not records: they are not backed up, and a restore leaves them as they are.
# The derived records (index, facts, steps, open-steps: see folder.py) are kept too, though a
# restore makes them again from the sessions.
RECORDS = (
    "pods.json",
    "index.json",
    "facts/*.json",  # (one a pod: an older groupsup's)
    "facts/*/*.json",  # one a pod and year
    "steps/*.json",
    "steps/*/*.json",
    "open-steps/*.json",
    "sessions/*.json",
    "sessions/*.inbox/*.json",
    "formats/*.toml",
)
TOP_LEVEL = tuple(dict.fromkeys(pattern.split("/")[0] for pattern in RECORDS))  # swapped whole
PARTIAL = ".partial-"
STAGED = ".restoring"
REPLACED = ".replaced"
JOURNAL = ".restoring.json"
_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,199}")

Checker = Callable[[Path, str], None]  # raises StoreDamaged if a record cannot be read back
Progress = Callable[[int, int], None]  # files done, files in all


@dataclass(frozen=True)
class Backup:
    folder: Path
    made: str  # ISO 8601, UTC
    reason: str
    checked: bool  # every record was read back when it was made
    files: dict[str, dict]  # relative path -> {"size", "sha256", "mtime_ns"}
    problem: str = ""  # why it cannot be restored, from a quick look; "" when it looks whole

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def sessions(self) -> int:
        return sum(1 for rel in self.files if re.fullmatch(r"sessions/[^/]+\.json", rel))


# -- taking a backup -------------------------------------------------------------------------


def take(
    root: Path,
    reason: str,
    check: Checker | None = None,
    keep: tuple[str, ...] = (),
    progress: Progress | None = None,
) -> Path:
    """Back up the records of the store at `root`; return the backup's folder.

    With `check`, every record is read back first (those unchanged since a checked backup were
    read then) and StoreDamaged is raised, with no backup made, if one cannot be: a checked
    backup is of a good state. Without it, whatever is there is kept, damage and all.
    Rotation then keeps the newest BACKUPS_KEPT backups and those named in `keep`.
    """
    folder = private_folder(root / BACKUPS_FOLDER)
    _remove_partial(folder)
    # The newest backup with a manifest; its files are not looked at here (that would cost
    # every file of every backup): each one linked is looked at as it is linked.
    previous = next((b for b in listing(root, looked_at=False) if not b.problem), None)
    name = f"{dt.datetime.now(dt.UTC).strftime('%Y-%m-%dT%H%M%S.%fZ')}-{slug(reason)}"
    partial = folder / f"{PARTIAL}{name}"
    partial.mkdir(mode=0o700)
    try:
        files = _copy_records(root, partial, previous, check, progress)
        manifest = {
            "groupsup_backup": MANIFEST_VERSION,
            "made": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "reason": reason,
            "checked": check is not None,
            "files": files,
        }
        _write_new(partial / MANIFEST, json.dumps(manifest).encode())
        fsync_folder(partial)
        os.rename(partial, folder / name)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    fsync_folder(folder)
    _rotate(root, keep=(name, *keep))
    return folder / name


def record_paths(root: Path, refuse_links: bool) -> list[str]:
    """The records under `root`, as sorted relative paths. Temporaries are left out, and so are
    symbolic links: never followed, and refused (StoreDamaged) when `refuse_links`."""
    found = []
    for pattern in RECORDS:
        for rel, entry in _entries(root, pattern.split("/")):
            if entry.is_symlink():
                if refuse_links:
                    raise StoreDamaged(
                        f"{root / rel} is a link to somewhere else, not a record groupsup "
                        "wrote; move it out of the store."
                    )
            elif entry.is_file(follow_symlinks=False):
                found.append(rel)
    return sorted(found)


def _entries(folder: Path, parts: list[str], rel: str = "") -> Iterator[tuple[str, os.DirEntry]]:
    """What in `folder` matches the pattern `parts` (hidden names never), going down folders
    but never through a link: a link on the way is given as it is. One listing a folder, no
    look at each file (a store holds thousands)."""
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.name.startswith(".") or not fnmatch.fnmatchcase(entry.name, parts[0]):
            continue
        if len(parts) == 1 or entry.is_symlink():
            yield f"{rel}{entry.name}", entry
        elif entry.is_dir(follow_symlinks=False):
            yield from _entries(Path(entry.path), parts[1:], f"{rel}{entry.name}/")


def _copy_records(
    root: Path,
    target: Path,
    previous: Backup | None,
    check: Checker | None,
    progress: Progress | None,
) -> dict[str, dict]:
    paths = record_paths(root, refuse_links=check is not None)
    files: dict[str, dict] = {}
    folders: set[Path] = {target}
    for done, rel in enumerate(paths, 1):
        destination = target / rel
        if destination.parent not in folders:
            private_folder(destination.parent)
            folders.add(destination.parent)
        files[rel] = _keep(root / rel, destination, rel, previous, check)
        if progress:
            progress(done, len(paths))
    for folder in folders:
        fsync_folder(folder)
    return files


def _keep(source: Path, target: Path, rel: str, previous: Backup | None, check) -> dict:
    """Link `source`'s copy in the previous backup if `source` is unchanged since, else copy it.
    Unchanged means the same size and modification time: every write replaces the file."""
    with source.open("rb") as file:
        seen = os.fstat(file.fileno())
        before = previous.files.get(rel) if previous else None
        unchanged = (
            previous is not None
            and before is not None
            and (before["size"], before["mtime_ns"]) == (seen.st_size, seen.st_mtime_ns)
            and (previous.checked or check is None)
        )
        # (previous and before are known by unchanged; said again for the type checker)
        if unchanged and previous and before and _link(previous.folder / rel, target, before):
            return before
        data = file.read()
    if check and not unchanged:
        check(source, rel)
    _write_new(target, data)
    return {"size": len(data), "sha256": _sha256(data), "mtime_ns": seen.st_mtime_ns}


def _link(existing: Path, new: Path, entry: dict) -> bool:
    """Link `new` to `existing` if that is still the size its manifest `entry` says (a damaged
    copy is never shared on: the file is copied afresh instead)."""
    try:
        os.link(existing, new)
    except OSError:  # another file system, no hard links there, too many links: copy instead
        return False
    if os.lstat(new).st_size == entry.get("size"):
        return True
    new.unlink()
    return False


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


def _remove_partial(folder: Path) -> None:
    """Backups a killed process left unfinished (the caller holds the lock: none is under way)."""
    for path in folder.glob(f"{PARTIAL}*"):
        shutil.rmtree(path, ignore_errors=True)


def _rotate(root: Path, keep: tuple[str, ...]) -> None:
    """Remove all but the newest BACKUPS_KEPT backups and those in `keep` (by name alone)."""
    folder = root / BACKUPS_FOLDER
    names = sorted((entry.name for entry in os.scandir(folder) if _listed(entry)), reverse=True)
    for old in names[BACKUPS_KEPT:]:
        if old not in keep:
            shutil.rmtree(folder / old)


# -- listing and checking --------------------------------------------------------------------


def listing(root: Path, looked_at: bool = True) -> list[Backup]:
    """The backups, newest first, each with the reason it cannot be restored if it cannot
    (without `looked_at`, only their manifests are read: their files are not looked at)."""
    folder = root / BACKUPS_FOLDER
    if not folder.is_dir():
        return []
    found = [read(Path(entry.path), looked_at) for entry in os.scandir(folder) if _listed(entry)]
    return sorted(found, key=lambda backup: backup.name, reverse=True)


def _listed(entry: os.DirEntry) -> bool:
    """Whether a name in the backups folder is a backup (a killed one's is hidden)."""
    return not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False)


def read(folder: Path, looked_at: bool = True) -> Backup:
    """The backup in `folder` as its manifest describes it, and what a quick look at its files
    finds wrong (with `looked_at`)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_bytes())
        files = manifest["files"]
        backup = Backup(
            folder,
            str(manifest["made"]),
            str(manifest["reason"]),
            manifest["checked"] is True,
            {str(rel): dict(entry) for rel, entry in files.items()},
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
    if not looked_at:
        return backup
    wrong = [rel for rel, entry in backup.files.items() if _quick_problem(folder, rel, entry)]
    if wrong:
        return replace(backup, problem=_files_problem(wrong, "missing or changed"))
    return backup


def _quick_problem(folder: Path, rel: str, entry: dict) -> bool:
    if not _safe_relative(rel):
        return True
    path = folder / rel
    try:
        return path.is_symlink() or path.stat().st_size != entry.get("size")
    except OSError:
        return True


def _safe_relative(rel: str) -> bool:
    """A path the manifest may name: inside the backup, and one of the records."""
    parts = rel.split("/")
    return all(_NAME.fullmatch(part) and ".." not in part for part in parts) and any(
        Path(rel).match(pattern) and len(parts) == pattern.count("/") + 1 for pattern in RECORDS
    )


def _files_problem(paths: list[str], what: str) -> str:
    named = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    return f"{named} {'is' if len(paths) == 1 else 'are'} {what}"


def find(root: Path, name: str) -> Backup:
    """The backup called `name` in the store's backups folder; nothing outside it."""
    folder = root / BACKUPS_FOLDER / name
    if not _NAME.fullmatch(name) or ".." in name or folder.is_symlink() or not folder.is_dir():
        raise NotFound(f"There is no backup '{name}'; 'groupsup restore' lists them.")
    return read(folder)


def verify(backup: Backup) -> None:
    """Raise StoreDamaged unless every file the manifest lists is there, unchanged."""
    problem = backup.problem
    if not problem:
        wrong = [
            rel for rel, entry in backup.files.items() if not _intact(backup.folder, rel, entry)
        ]
        problem = _files_problem(wrong, "damaged (not as the backup wrote them)") if wrong else ""
    if problem:
        raise StoreDamaged(f"Backup {backup.name} cannot be restored: {problem}.")


def good_copy(root: Path, rel: str, check: Checker) -> Backup | None:
    """The newest backup holding a copy of record `rel` that is as the backup wrote it and
    reads back (`check`), if any: where a damaged record can be found whole again."""
    for backup in listing(root):
        entry = backup.files.get(rel)
        if backup.problem or entry is None or not _intact(backup.folder, rel, entry):
            continue
        try:
            check(backup.folder / rel, rel)
        except StoreDamaged:
            continue
        return backup
    return None


def _intact(folder: Path, rel: str, entry: dict) -> bool:
    if _quick_problem(folder, rel, entry):
        return False
    return _sha256((folder / rel).read_bytes()) == entry.get("sha256")


# -- putting a backup back -------------------------------------------------------------------
# Stage, write the journal, swap, rebuild the derived records (the store does), remove the
# journal. A kill at any point leaves the old records (no journal yet) or a journal, from which
# `resume` finishes the swap; the rebuild is then done again.


def put_back(root: Path, backup: Backup) -> None:
    """Swap the (verified) backup's records in for the store's; then call `done`."""
    staged = root / STAGED
    _clear_leftovers(root)
    private_folder(staged)
    for folder in ("facts", "sessions"):
        private_folder(staged / folder)
    for rel in backup.files:
        target = staged / rel
        if not target.parent.exists():
            private_folder(target.parent)
        _write_new(target, (backup.folder / rel).read_bytes())
    for written in {(staged / rel).parent for rel in backup.files} | {staged}:
        fsync_folder(written)
    journal = {item: (staged / item).exists() for item in TOP_LEVEL}
    _write_new(root / JOURNAL, json.dumps(journal).encode())
    fsync_folder(root)
    _swap(root, journal)


def interrupted(root: Path) -> bool:
    """Whether a restore was killed (or is under way in another process)."""
    return any((root / name).exists() for name in (JOURNAL, STAGED, REPLACED))


def resume(root: Path) -> bool:
    """Finish the swap of a restore that was killed, and say so (then rebuild and call `done`);
    without a journal, clear what a restore killed before its swap left."""
    try:
        journal = json.loads((root / JOURNAL).read_bytes())
    except (FileNotFoundError, ValueError):  # no journal, or killed writing it: no swap begun
        (root / JOURNAL).unlink(missing_ok=True)
        _clear_leftovers(root)
        return False
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
