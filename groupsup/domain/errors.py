"""Errors the facilitator reads: one sentence each, never a traceback."""

from __future__ import annotations

# Re-exported: the layers above say `errors.explain`; it lives below the genogram, which needs it.
from groupsup.explain import every_problem as every_problem
from groupsup.explain import explain as explain


def os_reason(error: OSError) -> str:
    """What the system refused, in its words and where: "No space left on device: /x.json"."""
    where = f": {error.filename}" if error.filename else ""
    return f"{error.strerror or error}{where}"


def reason(error: GroupsupError | OSError) -> str:
    """The sentence for a save or export that did not happen."""
    return os_reason(error) if isinstance(error, OSError) else str(error)


class GroupsupError(Exception):
    """A problem to tell the user in one sentence."""


class RuleBroken(GroupsupError):
    """A record breaks one of the policy's rules (who may hold which role, dates, ...)."""


class NotFound(GroupsupError):
    pass


class StoreDamaged(GroupsupError):
    """A file in the store cannot be read; it is left untouched."""


class StoreBusy(GroupsupError):
    """Another process held the store's lock for too long."""


class StoreUnusable(GroupsupError):
    """The store cannot be used as it stands: another user's folder, or unreadable."""


class StoreConflict(GroupsupError):
    """The session changed on disk since this process read it: saving would lose that change."""
