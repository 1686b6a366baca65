"""Finding a member from a few typed letters: a name, the start of one, or initials."""

from __future__ import annotations

from groupsup.domain.models import Pod


def matching(pod: Pod, candidates: list[str], typed: str) -> list[str]:
    """The candidates (member ids) that `typed` could mean, in their order.

    'Leila Haddad' is found by 'leila haddad', 'lei', 'le ha' (each word starts a word of the
    name) or 'lh' (initials). A whole name or initials that fit one person exactly win over
    partial matches, so 'Tom' still means Tom when Tomasz is present too.
    """
    words = typed.lower().split()
    if not words:
        return []
    names = {member: pod.name_of(member).lower().split() for member in candidates}
    initials = "".join(words)
    exact = [
        m
        for m, name in names.items()
        if _initials(name) == initials or _in_order(words, name, str.__eq__)
    ]
    return exact or [m for m, name in names.items() if _in_order(words, name, str.startswith)]


def _initials(name: list[str]) -> str:
    return "".join(word[0] for word in name if word)


def _in_order(typed: list[str], name: list[str], fits) -> bool:
    """Each typed word fits (equals, or starts) a different word of the name, in order."""
    rest = iter(name)
    return all(any(fits(word, part) for word in rest) for part in typed)
