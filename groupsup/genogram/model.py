"""The genogram as data: people, couples, children, emotional relationships and households.

The vocabulary follows McGoldrick and Gerson's genogram conventions (couples, child links,
emotional relationships, households) and, for pregnancy outcomes, the standard pedigree
nomenclature (Bennett et al.). No open genogram interchange format was adopted: the JSON is
this model's own, described by `groupsup schema`. Drawing and the text notation live beside
this module; this one holds only the data.
"""

from __future__ import annotations

from enum import StrEnum
from itertools import pairwise
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"  # other or unknown: drawn as a diamond


class PersonKind(StrEnum):
    PERSON = "person"
    PREGNANCY = "pregnancy"
    MISCARRIAGE = "miscarriage"
    STILLBIRTH = "stillbirth"
    TERMINATION = "termination"


class CoupleStatus(StrEnum):
    MARRIED = "married"
    COHABITING = "cohabiting"
    ENGAGED = "engaged"
    SEPARATED = "separated"
    DIVORCED = "divorced"
    WIDOWED = "widowed"


class ChildKind(StrEnum):
    BIOLOGICAL = "biological"
    ADOPTED = "adopted"
    FOSTERED = "fostered"
    STEP = "step"


class Bond(StrEnum):
    CLOSE = "close"
    FUSED = "fused"
    DISTANT = "distant"
    CONFLICT = "conflict"
    HOSTILE = "hostile"
    CUT_OFF = "cut off"
    ABUSE = "abuse"
    NEGLECT = "neglect"


Year = Annotated[int, Field(ge=1850, le=2200)]  # a year groupsup can draw


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Person(_Model):
    id: str = Field(min_length=1, description="Short key used in the notation, e.g. 'M' or 'Jo'.")
    name: str = ""
    gender: Gender = Gender.OTHER
    kind: PersonKind = PersonKind.PERSON
    age: int | None = Field(default=None, ge=0, le=130)
    born: Year | None = None
    deceased: bool = False
    died: Year | None = None
    index: bool = Field(default=False, description="The child the case is about.")
    notes: str = ""

    @model_validator(mode="after")
    def _dies_after_birth(self) -> Person:
        if self.died is not None:
            self.deceased = True  # a year of death is a death
            if self.born is not None and self.died < self.born:
                raise ValueError(f"{self.died} is before {self.born}: a death cannot come first.")
        return self

    @property
    def label(self) -> str:
        return self.name or self.id

    @property
    def years(self) -> str:
        """Birth and death years as a genogram writes them: 1950–2019, b1950 or d2019."""
        if self.born is not None and self.died is not None:
            return f"{self.born}–{self.died}"
        if self.born is not None:
            return f"b{self.born}"
        return f"d{self.died}" if self.died is not None else ""


class Couple(_Model):
    a: str
    b: str
    status: CoupleStatus = CoupleStatus.MARRIED
    married: Year | None = None
    separated: Year | None = None
    divorced: Year | None = None

    @model_validator(mode="after")
    def _in_order(self) -> Couple:
        years = [(w, y) for w, y in self.dated() if y is not None]
        for (first, early), (then, late) in pairwise(years):
            if late < early:
                raise ValueError(
                    f"{then.capitalize()} in {late} cannot come before {first} in {early}."
                )
        return self

    def dated(self) -> list[tuple[str, int | None]]:
        return [
            ("married", self.married),
            ("separated", self.separated),
            ("divorced", self.divorced),
        ]

    @property
    def years(self) -> str:
        """'married 2005, divorced 2015', or '' when no year is known."""
        return ", ".join(f"{word} {year}" for word, year in self.dated() if year is not None)


class Child(_Model):
    """A child of one parent or of a couple."""

    child: str
    parents: list[str] = Field(min_length=1, max_length=2)
    kind: ChildKind = ChildKind.BIOLOGICAL
    twin_group: str | None = None
    identical: bool = False


class Relationship(_Model):
    a: str
    b: str
    bond: Bond


class Household(_Model):
    name: str = ""
    members: list[str] = Field(min_length=1)


class Genogram(_Model):
    """A family diagram. `source` keeps the notation exactly as typed, so nothing is lost."""

    source: str = ""
    people: list[Person] = Field(default_factory=list)
    couples: list[Couple] = Field(default_factory=list)
    children: list[Child] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)
    households: list[Household] = Field(default_factory=list)

    @model_validator(mode="after")
    def _links_name_known_people(self) -> Genogram:
        known = {p.id for p in self.people}
        if len(known) != len(self.people):
            raise ValueError("Two people in the genogram share the same key; give each a new one.")
        mentioned = [(c.a, "a couple") for c in self.couples]
        mentioned += [(c.b, "a couple") for c in self.couples]
        for link in self.children:
            mentioned += [(link.child, "a child link")]
            mentioned += [(p, "a child link") for p in link.parents]
        mentioned += [(r.a, "a relationship") for r in self.relationships]
        mentioned += [(r.b, "a relationship") for r in self.relationships]
        mentioned += [(m, "a household") for h in self.households for m in h.members]
        for key, where in mentioned:
            if key not in known:
                raise ValueError(f"The genogram names '{key}' in {where}, but nobody has that key.")
        return self

    def person(self, key: str) -> Person | None:
        return next((p for p in self.people if p.id == key), None)
