"""Minutes that can be shared: family members' names replaced by roles or initials.

What is replaced: each case reference (by "Case N", and a surname in brackets in it by
"Family A"); every genogram person's name (by their role towards the index child, such as
"Child A", "Mother", "Sibling 1", "Grandfather", or by initials); and those names, and each
word of them, wherever they appear in the session's free text. What is not: the workers' names,
dates, and anything identifying that is not a genogram name (a school, a street, a nickname).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from groupsup.domain.models import CaseSlot, Session
from groupsup.genogram.model import ChildKind, Gender, Genogram, Person

_PARENT = {Gender.FEMALE: "Mother", Gender.MALE: "Father", Gender.OTHER: "Parent"}
_GRANDPARENT = {
    Gender.FEMALE: "Grandmother",
    Gender.MALE: "Grandfather",
    Gender.OTHER: "Grandparent",
}


def roles(genogram: Genogram) -> dict[str, str]:
    """A role for each person, seen from the index child (initials for anyone else)."""
    people = {p.id: p for p in genogram.people}
    index = [p.id for p in genogram.people if p.index]
    parents_of: dict[str, set[str]] = {}
    fostered: dict[str, set[str]] = {}
    for link in genogram.children:
        target = fostered if link.kind is ChildKind.FOSTERED else parents_of
        target.setdefault(link.child, set()).update(link.parents)
    found: dict[str, str] = {}

    def give(person_id: str, role: str, numbered: bool = False) -> None:
        """`role`, or `role 2`, ... if taken; numbered roles start at `role 1`."""
        if person_id not in found:
            taken = set(found.values())
            number = 1
            name = f"{role} 1" if numbered else role
            while name in taken:
                number += 1
                name = f"{role} {number}"
            found[person_id] = name

    for number, child in enumerate(index):
        give(child, f"Child {chr(ord('A') + number % 26)}")
    parents = {p for child in index for p in parents_of.get(child, ())}
    for parent in sorted(parents, key=list(people).index):
        give(parent, _PARENT[people[parent].gender])
    for child, child_parents in parents_of.items():
        if child not in found and child_parents & parents:
            give(child, "Sibling", numbered=True)
    for parent in sorted(parents, key=list(people).index):
        for grandparent in parents_of.get(parent, ()):
            give(grandparent, _GRANDPARENT[people[grandparent].gender])
    for couple in genogram.couples:
        for one, other in ((couple.a, couple.b), (couple.b, couple.a)):
            if one in parents and other not in found:
                give(other, f"{found[one]}'s partner")
    for child in index:
        for carer in sorted(fostered.get(child, ()), key=list(people).index):
            give(carer, "Foster carer", numbered=True)
    for person in genogram.people:
        give(person.id, _initials(person))
    return found


def _initials(person: Person) -> str:
    words = re.findall(r"[^\W\d_]+", person.name)
    return "".join(f"{w[0].upper()}." for w in words) or "Person"


def pseudonymise(session: Session) -> tuple[Session, list[tuple[str, str]]]:
    """A copy of `session` with family names replaced, and what replaced what."""
    copy = session.model_copy(deep=True)
    mapping: dict[str, str] = {}
    for number, slot in enumerate(copy.slots, 1):
        _names_of_case(number, slot, mapping)
    replace = _replacer(mapping)
    for slot in copy.slots:
        _replace_in_slot(slot, replace)
    for review in copy.review:
        review.case_reference = replace(review.case_reference)
        review.action = replace(review.action)
        review.note = replace(review.note)
    return copy, list(mapping.items())


def _names_of_case(number: int, slot: CaseSlot, mapping: dict[str, str]) -> None:
    reference = slot.case_reference.strip()
    if reference:
        mapping.setdefault(reference, f"Case {number}")
        for surname in re.findall(r"\(([^)]+)\)", reference):
            letter = chr(ord("A") + sum(v.startswith("Family ") for v in mapping.values()))
            mapping.setdefault(surname.strip(), f"Family {letter}")
    for person_id, role in roles(slot.genogram).items():
        person = slot.genogram.person(person_id)
        name = person.name.strip()
        if not name:
            continue
        mapping.setdefault(name, role)
        for word in re.findall(r"[^\W\d_]{3,}", name):
            mapping.setdefault(word, role)


def _replacer(mapping: dict[str, str]) -> Callable[[str], str]:
    if not mapping:
        return lambda text: text
    names = sorted(mapping, key=len, reverse=True)  # "Kelly Brooks" before "Kelly"
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE
    )
    lowered = {name.casefold(): role for name, role in mapping.items()}
    return lambda text: pattern.sub(lambda m: lowered[m.group(1).casefold()], text)


def _replace_in_slot(slot: CaseSlot, replace: Callable[[str], str]) -> None:
    for field in (
        "case_reference",
        "dilemma",
        "presenting_issue",
        "history",
        "notes",
        "reflection",
        "grraacceess_notes",
    ):
        setattr(slot, field, replace(getattr(slot, field)))
    for person in slot.genogram.people:
        person.name = replace(person.name) if person.name else person.name
        person.notes = replace(person.notes)
    slot.genogram.source = replace(slot.genogram.source)
    for household in slot.genogram.households:
        household.name = replace(household.name)
    for hypothesis in slot.hypotheses:
        hypothesis.text = replace(hypothesis.text)
        hypothesis.supports = replace(hypothesis.supports)
        hypothesis.would_test = replace(hypothesis.would_test)
    for note in slot.resonance:
        note.text = replace(note.text)
    for step in slot.next_steps:
        step.action = replace(step.action)
    if slot.safeguarding:
        slot.safeguarding.concern = replace(slot.safeguarding.concern)
        slot.safeguarding.action_taken = replace(slot.safeguarding.action_taken)
