"""A validation error as one line a facilitator understands.

It sits below every other layer, the genogram included, so it imports nothing of groupsup: it
knows how pydantic reports a problem and the facilitator's words for the fields it names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not imported at run time: `groupsup list` must not pay for pydantic
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails

# Field names as a facilitator would say them.
_FIELD_WORDS = {
    "due": "due date",
    "date": "date",
    "planned_minutes": "planned minutes",
    "case_reference": "case reference",
    "presenting_issue": "presenting issue",
    "offered_by": "offered by",
    "needs_signoff": "manager sign-off",
    "schema_version": "schema version",
    "lenses": "GRRAACCEESS lens",
    "lenses_discussed": "GRRAACCEESS discussed",
}
_LIST_WORDS = {
    "slots": "case",
    "next_steps": "next step",
    "hypotheses": "hypothesis",
    "resonance": "resonance note",
    "members": "member",
    "review": "reviewed step",
    "people": "genogram person",
    "phases": "phase",
}


def _place(loc: tuple) -> str:
    words: list[str] = []
    items = list(loc)
    for i, part in enumerate(items):
        if isinstance(part, int):
            continue
        following = items[i + 1] if i + 1 < len(items) else None
        if part in _LIST_WORDS and isinstance(following, int):
            words.append(f"{_LIST_WORDS[part]} {following + 1}")
        elif part not in ("session", "pod"):
            words.append(_FIELD_WORDS.get(part, str(part).replace("_", " ")))
    return ", ".join(words)


def _problem(problem: ErrorDetails) -> str:
    message = problem["msg"].removeprefix("Value error, ")
    if problem["type"] == "value_error":
        # Our own messages are whole sentences that name the field: say only which record.
        loc = tuple(problem["loc"])
        place = _place(loc[:-1] if loc and isinstance(loc[-1], str) else loc)
    else:
        place = _place(problem["loc"])
        message = message[0].upper() + message[1:] + "."
    return f"{place[0].upper() + place[1:]}: {message}" if place else message


def explain(error: ValidationError) -> str:
    """The first problem in a validation error, as one line a facilitator understands."""
    more = len(error.errors()) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return _problem(error.errors()[0]) + tail


def every_problem(error: ValidationError) -> str:
    """Every problem in one line, each with the path of its field in the record
    ("session.slots.0.presenter"), for a file a facilitator must correct."""
    problems = [
        f"{_problem(p).rstrip('.')} (field {'.'.join(map(str, p['loc'])) or 'the record'})."
        for p in error.errors()
    ]
    count = f"{len(problems)} problems: " if len(problems) > 1 else ""
    return count + " ".join(problems)
