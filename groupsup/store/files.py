"""Private, atomic file writes: write a temporary file, fsync it, rename it over the old one."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def private_folder(path: Path) -> Path:
    """One of our own folders (the store, its parts, its backups): created, with any missing
    parents, readable only by this user whatever the umask; tightened if it already exists.
    Never through a link, which may lead to someone else's folder (`check` names it)."""
    folder_for_files(path)
    if not path.is_symlink() and path.stat().st_mode & 0o777 != PRIVATE_FOLDER:
        path.chmod(PRIVATE_FOLDER)
    return path


def folder_for_files(path: Path) -> Path:
    """A folder the user named for files they asked for: any part of it that is missing is
    created readable only by this user; what is already there is left as it is (it may be
    shared, such as /tmp)."""
    missing, folder = [], Path(path)
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_FOLDER)
        folder.chmod(PRIVATE_FOLDER)  # mkdir's mode is narrowed by the umask, never widened
    return path


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash leaves either the old file or the new one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = new_private_file(tmp)
    except OSError as error:  # name the file asked for, never the temporary beside it
        raise type(error)(error.errno, error.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_folder(path.parent)


def new_private_file(path: Path) -> int:
    """A file made afresh at `path`, 0600, open for writing: never one already there (a stale
    temporary, or a link to a file elsewhere, which would be written through)."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)


def fsync_folder(folder: Path) -> None:
    """Make the renames and new files in `folder` durable: a rename is only on the disk once
    the folder entry is."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_private_text(path: Path, text: str) -> Path:
    atomic_write(path, text.encode("utf-8"))
    return path
