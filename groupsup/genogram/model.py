"""The genogram as data: people, couples, children, emotional relationships and households.

The vocabulary follows McGoldrick and Gerson's genogram conventions (couples, child links,
emotional relationships, households) and, for pregnancy outcomes, the standard pedigree
nomenclature (Bennett et al.). No open genogram interchange format was adopted: the JSON is
this model's own, described by `groupsup schema`. Drawing and the text notation live beside
this module; this one holds only the data.
"""

from __future__ import annotations

from enum import StrEnum

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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Person(_Model):
    id: str = Field(min_length=1, description="Short key used in the notation, e.g. 'M' or 'Jo'.")
    name: str = ""
    gender: Gender = Gender.OTHER
    kind: PersonKind = PersonKind.PERSON
    age: int | None = Field(default=None, ge=0, le=130)
    born: int | None = Field(default=None, ge=1850, le=2200)
    deceased: bool = False
    index: bool = Field(default=False, description="The child the case is about.")
    notes: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id


class Couple(_Model):
    a: str
    b: str
    status: CoupleStatus = CoupleStatus.MARRIED


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
