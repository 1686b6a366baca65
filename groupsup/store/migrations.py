"""Bring records written by an older groupsup up to the current schema, one version at a time.

`MIGRATIONS[n]` turns a version-n record (a MinutesDocument as a dict, or a stored session
record) into a version n+1 record. Version 1 is the first groupsup wrote, and it is still the
current one, so no step exists yet: the chain, and its refusal of versions it does not know,
are what the tests pin. When the schema changes, add MIGRATIONS[1], raise SCHEMA_VERSION, and
add a test that a real version-1 file reads as version 2.
"""

from __future__ import annotations

from collections.abc import Callable

from groupsup.domain.errors import GroupsupError
from groupsup.domain.models import SCHEMA_VERSION

MIGRATIONS: dict[int, Callable[[dict], dict]] = {}


class UnknownVersion(GroupsupError):
    pass


def upgrade(record: dict, current: int = SCHEMA_VERSION) -> dict:
    """`record` brought from its schema_version up to `current`; refuses versions it cannot."""
    version = record.get("schema_version")
    if not isinstance(version, int) or version < 1:
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
