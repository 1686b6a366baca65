"""Bring records written by an older groupsup up to the current schema, one version at a time.

`MIGRATIONS[n]` turns a version-n record (a MinutesDocument as a dict, or a stored session
record) into a version n+1 record. Version 1 wrote timestamps without a time zone; version 2
writes them with one (the machine's local zone, which is what version 1 meant). Version 3 adds
postponed and cancelled sessions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from groupsup.domain.dates import aware
from groupsup.domain.errors import GroupsupError
from groupsup.domain.vocabulary import SCHEMA_VERSION

TIMESTAMPS = {"started_at", "ended_at"}


def _zoned_timestamps(node):
    """Version 1 to 2: every timestamp given the local time zone it was recorded in."""
    if isinstance(node, list):
        return [_zoned_timestamps(value) for value in node]
    if not isinstance(node, dict):
        return node
    return {
        key: _zoned(value) if key in TIMESTAMPS else _zoned_timestamps(value)
        for key, value in node.items()
    }


def _zoned(value):
    try:
        return aware(dt.datetime.fromisoformat(value)).isoformat()
    except (TypeError, ValueError):  # not a timestamp: validation will say what is wrong
        return value


def _unchanged(record: dict) -> dict:
    """Version 2 to 3: a session may now be postponed or cancelled. A version-2 record has
    neither, so it reads as it was; the version says that an older groupsup cannot read a
    session not held (it would not know the status)."""
    return record


MIGRATIONS: dict[int, Callable[[dict], dict]] = {1: _zoned_timestamps, 2: _unchanged}


class UnknownVersion(GroupsupError):
    pass


def upgrade(record: dict, current: int = SCHEMA_VERSION) -> dict:
    """`record` brought from its schema_version up to `current`; refuses versions it cannot."""
    version = record.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UnknownVersion(f"schema version {version!r} is not one groupsup ever wrote")
    if version > current:
        raise UnknownVersion(
            f"it was written by a newer groupsup (schema version {version}); this one reads up "
            f"to version {current}: upgrade groupsup to open it"
        )
    while version < current:
        if version not in MIGRATIONS:
            raise UnknownVersion(f"no migration from schema version {version} is known")
        record = MIGRATIONS[version](record) | {"schema_version": version + 1}
        version += 1
    return record
