"""Where the store and the exports live. Tests point GROUPSUP_STORE at a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

STORE_VARIABLE = "GROUPSUP_STORE"


def default_store() -> Path:
    """The store named by GROUPSUP_STORE, else the platform's user data folder."""
    chosen = os.environ.get(STORE_VARIABLE)
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_data_path  # imported here: `groupsup --help` stays quick

    return user_data_path("groupsup", appauthor=False) / "store"


def exports_folder(store_root: Path) -> Path:
    return Path(store_root) / "exports"
