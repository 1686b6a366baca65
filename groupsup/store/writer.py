"""Saving while the facilitator types: one writer thread, so that typing never waits for the disk.

The screen hands the writer a copy of the session after each change; the writer waits a moment
for the burst to end (`GATHER_SECONDS`), then saves only the latest copy. A kill loses at most
the changes of the last `GATHER_SECONDS` plus one save (well under a quarter of a second).

A save that fails (a full or read-only disk, permission denied, another writer saved first)
does not stop the app: `tell` is given one sentence per run of failures (not one a keystroke),
and what was typed is kept in an unsaved-edits file inside the store (0600), offered back the
next time the session opens.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from groupsup.domain.errors import GroupsupError
from groupsup.domain.models import Session
from groupsup.store import backups
from groupsup.store.files import atomic_write, private_folder

GATHER_SECONDS = 0.05
UNSAVED_FOLDER = "unsaved"


def unsaved_path(store_root: Path, session_id: str) -> Path:
    return Path(store_root) / UNSAVED_FOLDER / f"{session_id}.json"


class Kept(NamedTuple):
    """Edits a failed save kept aside, with the session as last saved before them (None if
    not known): what the edits changed, and nothing else, is what goes back."""

    session: Session
    base: dict | None


def keep_unsaved(store_root: Path, session: Session, base: dict | None = None) -> Path:
    """What could not be saved, kept where the next open offers it back (OSError if even this
    cannot be written), with `base`, the session as last saved (JSON data)."""
    path = unsaved_path(store_root, session.id)
    private_folder(path.parent)
    backups.note(Path(store_root), [f"{UNSAVED_FOLDER}/{path.name}"])  # for the next backup
    kept = {"edits": session.model_dump(mode="json"), "base": base}
    atomic_write(path, json.dumps(kept, ensure_ascii=False).encode())
    return path


def kept_edits(store_root: Path, session_id: str) -> Kept | None:
    """Edits of this session that a failed save left behind, if any can be read (an older
    groupsup kept the session alone)."""
    try:
        data = json.loads(unsaved_path(store_root, session_id).read_bytes())
        if isinstance(data, dict) and "edits" in data:
            base = data.get("base")
            return Kept(
                Session.model_validate(data["edits"]), base if isinstance(base, dict) else None
            )
        return Kept(Session.model_validate(data), None)
    except (OSError, ValueError):
        return None


def forget_unsaved(store_root: Path, session_id: str) -> None:
    unsaved_path(store_root, session_id).unlink(missing_ok=True)


class SessionWriter:
    """Saves the latest copy of a session it is given, on a thread of its own."""

    def __init__(
        self,
        store_root: Path,
        save: Callable[[Session], object],
        tell: Callable[[str], None],
        opened: Session | None = None,
    ) -> None:
        """`opened`: the session as the screen read it, what its first edits change."""
        self._root, self._save, self._tell = Path(store_root), save, tell
        self._base = opened.model_dump(mode="json") if opened else None  # as last saved
        self._latest: Session | None = None
        self._failing = False  # said once per run of failures, not once per keystroke
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="session-writer", daemon=True)
        self._thread.start()

    def submit(self, session: Session) -> None:
        """Save this copy soon (a later copy replaces it if it has not been saved yet)."""
        with self._lock:
            self._latest = session
            self._idle.clear()
        self._wake.set()

    def flush(self, timeout: float | None = 10) -> bool:
        """Wait until every copy handed over has been saved or kept; True if it came to that."""
        return self._idle.wait(timeout)

    @property
    def failing(self) -> bool:
        return self._failing

    def close(self) -> None:
        self.flush()
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            if self._stopping and self._latest is None:
                return
            time.sleep(GATHER_SECONDS)  # let the burst of keys end
            with self._lock:
                session, self._latest = self._latest, None
                self._wake.clear()
            if session is not None:
                self._write(session)
            with self._lock:
                if self._latest is None:
                    self._idle.set()

    def _write(self, session: Session) -> None:
        try:
            self._save(session)
        except (GroupsupError, OSError) as error:
            self._failed(session, error)
            return
        self._base = session.model_dump(mode="json")
        if self._failing:
            self._failing = False
            forget_unsaved(self._root, session.id)
            self._tell("Saved again: everything typed is in the store.")

    def _failed(self, session: Session, error: Exception) -> None:
        reason = (error.strerror or str(error)) if isinstance(error, OSError) else str(error)
        try:
            path = keep_unsaved(self._root, session, self._base)
            kept = f"What you typed is kept in {path} and offered back when you reopen it."
        except OSError as keeping:
            kept = f"It could not be kept aside either ({keeping.strerror}): keep this screen open."
        if not self._failing:
            self._failing = True
            self._tell(f"Not saved: {reason} {kept}")
