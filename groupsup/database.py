"""The store's TinyDB files, read and written without pydantic, so that `groupsup list` starts
as fast as `groupsup --help`. `storage.Store` builds on these; nothing else touches the files."""

from __future__ import annotations

import json
from pathlib import Path

from tinydb import TinyDB
from tinydb.storages import Storage

from groupsup.errors import StoreDamaged
from groupsup.files import atomic_write

PODS_FILE = "pods.json"
INDEX_FILE = "index.json"


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


def database(path: Path) -> TinyDB:
    return TinyDB(path, storage=AtomicJSONStorage)


def rows(path: Path, table: str) -> list[dict]:
    """The raw rows of one table of a TinyDB file (none if the file is not there yet)."""
    return list(((AtomicJSONStorage(path).read() or {}).get(table) or {}).values())
