"""Where the store and the exports live. Tests point GROUPSUP_STORE at a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

STORE_VARIABLE = "GROUPSUP_STORE"
DATABASE_SCHEMES = ("postgresql://", "postgres://")

# A store is a folder on this machine, or a PostgreSQL database named by its connection URI.
Location = Path | str


def location_of(text: str) -> Location:
    """The store `text` names: a database URI as it is, anything else a folder."""
    return text if is_database(text) else Path(text).expanduser()


def is_database(location: Location) -> bool:
    return isinstance(location, str) and location.startswith(DATABASE_SCHEMES)


def default_store() -> Location:
    """The store named by GROUPSUP_STORE, else the platform's user data folder."""
    chosen = os.environ.get(STORE_VARIABLE)
    if chosen:
        return location_of(chosen)
    from platformdirs import user_data_path  # imported here: `groupsup --help` stays quick

    return user_data_path("groupsup", appauthor=False) / "store"


def exports_folder(store_root: Path) -> Path:
    return Path(store_root) / "exports"


def own_exports(store_root: Path) -> Path:
    """The store's exports folder, to write into: refused (StoreDamaged) while it is a link,
    which could lead anywhere, the store's own records included (`check` names it)."""
    from groupsup.domain.errors import StoreDamaged

    folder = exports_folder(store_root)
    if folder.is_symlink():
        raise StoreDamaged(
            f"{folder} is a symbolic link; a store holds only its own files. Move it out of the "
            "store, or write elsewhere."
        )
    return folder
