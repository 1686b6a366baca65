"""A case's genogram as GEDCOM 7, the genealogy exchange format, and back (the `gedcom7` library
reads and writes the lines; this module maps them to and from the genogram).

Out, in GEDCOM's own structures: each person an INDI record (NAME, SEX, BIRT with the year of
birth, DEAT, NOTE); each couple, and each parent or pair of parents, a FAM record whose HUSB and
WIFE are the two partners whatever their sex (GEDCOM 7 gives those tags no gender), with MARR,
ENGA, DIV, or an EVEN whose TYPE is Separation, Cohabitation or Widowhood, and CHIL oldest first;
how a child belongs to a family in FAMC.PEDI (BIRTH, ADOPTED, FOSTER, OTHER "step"); an emotional
relationship an ASSO of ROLE OTHER with the bond as its PHRASE; a household a RESI of TYPE
Household. What GEDCOM has no structure for (the notation's key, an age, the index child, a
pregnancy outcome, twins) goes in extension tags the header declares, which other programs keep
or ignore.

In, from any GEDCOM 7 file: the same structures. Everything else is listed, by what it is and
whose it was, never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import gedcom7
from gedcom7.types import GedcomStructure

from groupsup.controls import picture
from groupsup.genogram.model import (
    Bond,
    Child,
    ChildKind,
    Couple,
    CoupleStatus,
    Gender,
    Genogram,
    Household,
    Person,
    PersonKind,
    Relationship,
)

# Extension tags, declared in the header by these URIs (the parser reads a declared tag as its
# URI, so both are looked for).
_EXTENSIONS = {
    "_KEY": "urn:groupsup:gedcom:key",  # the person's key in the notation
    "_AGE": "urn:groupsup:gedcom:age",  # an age in years when no year of birth is known
    "_INDEX": "urn:groupsup:gedcom:index",  # Y: the child the case is about
    "_KIND": "urn:groupsup:gedcom:kind",  # pregnancy, miscarriage, stillbirth, termination
    "_TWIN": "urn:groupsup:gedcom:twin",  # under FAMC: the key naming the twins' group
    "_IDENTICAL": "urn:groupsup:gedcom:identical",  # under FAMC: Y for identical twins
    "_STATUS": "urn:groupsup:gedcom:status",  # under FAM: a status its events do not imply
}
_SEXES = {Gender.MALE: "M", Gender.FEMALE: "F", Gender.OTHER: "U"}
_GENDERS = {"M": Gender.MALE, "F": Gender.FEMALE, "X": Gender.OTHER, "U": Gender.OTHER}
_PEDIGREES = {ChildKind.BIOLOGICAL: "BIRTH", ChildKind.ADOPTED: "ADOPTED"}
_PEDIGREES |= {ChildKind.FOSTERED: "FOSTER", ChildKind.STEP: "OTHER"}
# Couple events GEDCOM has no tag for: the TYPE of a family's EVEN.
_EVENT_TYPES = ("Separation", "Cohabitation", "Widowhood")
_HOUSEHOLD = "Household"
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# What common structures are, for the list of what was not kept.
_WHAT = {
    "OCCU": "occupation",
    "EDUC": "education",
    "RELI": "religion",
    "CHR": "christening",
    "BAPM": "baptism",
    "BURI": "burial",
    "CREM": "cremation",
    "RESI": "residence",
    "SOUR": "source",
    "OBJE": "media",
    "SNOTE": "shared note",
    "REPO": "repository",
    "SUBM": "submitter",
    "NAME": "second name",
    "ASSO": "association",
    "EVEN": "event",
    "FACT": "fact",
}


class NotGedcom(ValueError):
    """The file is not a GEDCOM 7 data stream; the message says where and why."""


# -- out ------------------------------------------------------------------------------------


@dataclass
class _Family:
    partners: tuple[str, ...]
    couple: Couple | None = None
    children: list[Child] = field(default_factory=list)


def _families(genogram: Genogram) -> list[_Family]:
    """A family for each couple, then one for each other parent or pair of parents."""
    families = [_Family((c.a, c.b), c) for c in genogram.couples]
    for link in genogram.children:
        family = next((f for f in families if set(f.partners) == set(link.parents)), None)
        if family is None:
            family = _Family(tuple(link.parents))
            families.append(family)
        family.children.append(link)
    return families


# What GEDCOM 7 bans in a payload (controls but tab and line feed, DEL, C1, lone surrogates and
# two noncharacters), and a carriage return, which would end the line: shown, never dropped.
_BANNED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _node(tag: str, text: str = "", *children: GedcomStructure, pointer=None, xref=None):
    text = _BANNED.sub(picture, text.replace("\r\n", "\n"))
    return GedcomStructure(tag=tag, text=text, pointer=pointer, xref=xref, children=list(children))


def to_gedcom(genogram: Genogram) -> str:
    """The genogram as a GEDCOM 7 data stream."""
    people = {p.id: f"@I{n}@" for n, p in enumerate(genogram.people, 1)}
    families = _families(genogram)
    family_ids = [f"@F{n}@" for n in range(1, len(families) + 1)]
    head = _node(
        "HEAD",
        "",
        _node("GEDC", "", _node("VERS", "7.0")),
        _node("SCHMA", "", *(_node("TAG", f"{t} {uri}") for t, uri in _EXTENSIONS.items())),
        _node("SOUR", "groupsup", _node("NAME", "groupsup")),
    )
    records = [head]
    for person in genogram.people:
        record = _individual(person, genogram, people)
        for family, xref in zip(families, family_ids, strict=True):
            for link in family.children:
                if link.child == person.id:
                    record.append_child(_child_link(link, xref))
            if person.id in family.partners:
                record.append_child(_node("FAMS", pointer=xref))
        records.append(record)
    records += [
        _family(f, xref, people, genogram) for f, xref in zip(families, family_ids, strict=True)
    ]
    records.append(_node("TRLR"))
    return gedcom7.dumps(records, byte_order_mark=False)


def _individual(person: Person, genogram: Genogram, xrefs: dict[str, str]) -> GedcomStructure:
    record = _node("INDI", xref=xrefs[person.id])
    if person.name:  # a slash would mark a surname in GEDCOM's NAME
        record.append_child(_node("NAME", " ".join(person.name.replace("/", " ").split())))
    record.append_child(_node("SEX", _SEXES[person.gender]))
    record.append_child(_node("_KEY", person.id))
    if person.born is not None:
        record.append_child(_node("BIRT", "", _node("DATE", str(person.born))))
    if person.deceased:
        death = _node("DEAT", "Y")
        if person.died is not None:
            death.append_child(_node("DATE", str(person.died)))
        record.append_child(death)
    if person.age is not None:
        record.append_child(_node("_AGE", str(person.age)))
    if person.index:
        record.append_child(_node("_INDEX", "Y"))
    if person.kind is not PersonKind.PERSON:
        record.append_child(_node("_KIND", person.kind.value))
    if person.notes:
        record.append_child(_node("NOTE", person.notes))
    for number, household in enumerate(genogram.households, 1):
        if person.id in household.members:
            name = household.name or f"{_HOUSEHOLD} {number}"
            record.append_child(_node("RESI", name, _node("TYPE", _HOUSEHOLD)))
    for relation in genogram.relationships:
        if relation.a == person.id:
            role = _node("ROLE", "OTHER", _node("PHRASE", relation.bond.value))
            record.append_child(_node("ASSO", "", role, pointer=xrefs[relation.b]))
    return record


def _child_link(link: Child, family: str) -> GedcomStructure:
    pedigree = _node("PEDI", _PEDIGREES[link.kind])
    if link.kind is ChildKind.STEP:
        pedigree.append_child(_node("PHRASE", "step"))
    node = _node("FAMC", "", pedigree, pointer=family)
    if link.twin_group:
        node.append_child(_node("_TWIN", link.twin_group))
    if link.identical:
        node.append_child(_node("_IDENTICAL", "Y"))
    return node


def _family(
    family: _Family, xref: str, people: dict[str, str], genogram: Genogram
) -> GedcomStructure:
    record = _node("FAM", xref=xref)
    alone = genogram.person(family.partners[0]) if len(family.partners) == 1 else None
    tags = ["WIFE"] if alone and alone.gender is Gender.FEMALE else ["HUSB", "WIFE"]
    for tag, partner in zip(tags, family.partners, strict=False):
        record.append_child(_node(tag, pointer=people[partner]))
    if family.couple:
        for event in _couple_events(family.couple):
            record.append_child(event)
    for link in family.children:
        record.append_child(_node("CHIL", pointer=people[link.child]))
    return record


def _couple_events(couple: Couple) -> list[GedcomStructure]:
    """The genealogy events that say how the couple stands, with the years known."""
    status = couple.status
    wanted = [
        ("MARR", couple.married, status in _MARRIED or couple.married is not None),
        ("ENGA", None, status is CoupleStatus.ENGAGED),
        ("Cohabitation", None, status is CoupleStatus.COHABITING),
        (
            "Separation",
            couple.separated,
            status is CoupleStatus.SEPARATED or bool(couple.separated),
        ),
        ("DIV", couple.divorced, status is CoupleStatus.DIVORCED or couple.divorced is not None),
        ("Widowhood", None, status is CoupleStatus.WIDOWED),
    ]
    events = []
    for kind, year, happened in wanted:
        if not happened:
            continue
        event = _node(kind, "Y") if kind.isupper() else _node("EVEN", "", _node("TYPE", kind))
        if year is not None:
            event.append_child(_node("DATE", str(year)))
        events.append(event)
    if _implied({kind for kind, _, happened in wanted if happened}) is not status:
        events.append(_node("_STATUS", status.value))  # as typed, though the events say other
    return events


_MARRIED = (CoupleStatus.MARRIED, CoupleStatus.DIVORCED, CoupleStatus.WIDOWED)
# The status a couple's events imply, the first that fits.
_IMPLIED = (
    ({"DIV", "ANUL"}, CoupleStatus.DIVORCED),
    ({"Widowhood"}, CoupleStatus.WIDOWED),
    ({"Separation"}, CoupleStatus.SEPARATED),
    ({"Cohabitation"}, CoupleStatus.COHABITING),
    ({"MARR"}, CoupleStatus.MARRIED),
    ({"ENGA"}, CoupleStatus.ENGAGED),
)


def _implied(kinds: set[str]) -> CoupleStatus | None:
    return next((status for these, status in _IMPLIED if these & kinds), None)


# -- in -------------------------------------------------------------------------------------


@dataclass
class Imported:
    genogram: Genogram
    not_kept: list[str]  # one line each: what was in the file that the genogram does not hold


def from_gedcom(text: str) -> Imported:
    """The genogram a GEDCOM 7 data stream describes, and what of it the genogram cannot hold.

    NotGedcom if the text is not GEDCOM 7."""
    try:
        records = gedcom7.loads(text)
    except gedcom7.GedcomParseError as error:
        raise NotGedcom(str(error)) from None  # it says the line
    return _Reader(records).read()


def _tag(node: GedcomStructure) -> str:
    """The node's tag, an extension declared by its URI read back as its tag."""
    return next((tag for tag, uri in _EXTENSIONS.items() if uri == node.tag), node.tag)


def _year(node: GedcomStructure) -> int | None:
    """The year of a DATE, whatever its form (exact, about, between, from...)."""
    match = re.search(r"\b(\d{3,4})\b", node.text)
    return int(match.group(1)) if match else None


class _Reader:
    def __init__(self, records: list[GedcomStructure]) -> None:
        self.records = records
        self.not_kept: dict[str, list[str]] = {}  # what -> whose
        self.keys: dict[str, str] = {}  # INDI xref -> key
        self.names: dict[str, str] = {}  # INDI xref -> how the list names them

    def lost(self, what: str, whose: str) -> None:
        self.not_kept.setdefault(what, []).append(whose)

    def read(self) -> Imported:
        individuals = [r for r in self.records if r.tag == "INDI"]
        families = [r for r in self.records if r.tag == "FAM"]
        for record in self.records:
            if record.tag not in ("HEAD", "TRLR", "INDI", "FAM"):
                self.lost(
                    f"{record.tag} record ({_WHAT.get(record.tag, 'not a genogram part')})",
                    record.xref or "",
                )
        people = [self._person(r) for r in individuals]
        couples: list[Couple] = []
        children: list[Child] = []
        for record in families:
            couple, links = self._family(record, individuals)
            couples += [couple] if couple else []
            children += links
        relationships = [r for record in individuals for r in self._relationships(record)]
        genogram = Genogram(
            people=people,
            couples=couples,
            children=children,
            relationships=relationships,
            households=self._households(individuals),
        )
        lines = [
            f"{what}: {', '.join(w for w in whose if w)}".rstrip(": ")
            for what, whose in self.not_kept.items()
        ]
        return Imported(genogram, lines)

    def _person(self, record: GedcomStructure) -> Person:
        fields: dict = {}
        used = {"FAMC", "FAMS", "ASSO"}  # read with the families and relationships
        names = [child for child in record.children if child.tag == "NAME"]
        if names:
            fields["name"] = " ".join(names[0].text.replace("/", " ").split())
        self.names[record.xref or ""] = fields.get("name") or record.xref or "someone"
        key = self._key(record, fields.get("name", ""))
        for child in record.children:
            tag = _tag(child)
            if tag in used or child is (names[0] if names else None) or tag == "_KEY":
                continue
            if not self._personal_fact(tag, child, fields, record):
                self._lose(child, record)
        return self._valid_person(key, fields, record)

    def _personal_fact(self, tag: str, node: GedcomStructure, fields: dict, record) -> bool:
        """Reads one structure of a person into `fields`; False if it is not one groupsup keeps."""
        if tag == "SEX" and node.text in _GENDERS:
            fields["gender"] = _GENDERS[node.text]
        elif tag == "BIRT":
            dates = [d for d in node.children if d.tag == "DATE"]
            fields["born"] = _year(dates[0]) if dates else None
            if dates and not re.fullmatch(r"\d{3,4}", dates[0].text):
                self.lost(
                    "the day and month of birth (the year is kept)", self.names[record.xref or ""]
                )
            self._lose_within(node, record, {"DATE"})
        elif tag == "DEAT":
            fields["deceased"] = True
            dates = [d for d in node.children if d.tag == "DATE"]
            fields["died"] = _year(dates[0]) if dates else None
            self._lose_within(node, record, {"DATE"})
        elif tag == "_AGE" and node.text.isdigit():
            fields["age"] = int(node.text)
        elif tag == "_INDEX":
            fields["index"] = node.text == "Y"
        elif tag == "_KIND" and node.text in {k.value for k in PersonKind}:
            fields["kind"] = PersonKind(node.text)
        elif tag == "NOTE":
            fields["notes"] = " ".join(filter(None, [fields.get("notes", ""), node.text]))
        elif tag == "RESI":
            return self._is_household(node)
        else:
            return False
        return True

    def _valid_person(self, key: str, fields: dict, record: GedcomStructure) -> Person:
        """The person, leaving out (and listing) a value groupsup cannot draw."""
        fields = {name: value for name, value in fields.items() if value is not None}
        for name in ("born", "died", "age"):
            try:
                Person(id=key, **{name: fields[name]})
            except (KeyError, ValueError):
                if name in fields:
                    self.lost(
                        f"{name} {fields.pop(name)} (outside what groupsup can draw)",
                        self.names[record.xref or ""],
                    )
        try:
            return Person(id=key, **fields)
        except ValueError:  # a death before the birth
            self.lost(
                f"died {fields.pop('died')} (before the birth)", self.names[record.xref or ""]
            )
            return Person(id=key, **fields)

    def _key(self, record: GedcomStructure, name: str) -> str:
        """The person's notation key: as exported, else their initials, made unique."""
        given = next((c.text for c in record.children if _tag(c) == "_KEY"), "")
        if _KEY.fullmatch(given) and given not in self.keys.values():
            key = given
        else:
            initials = "".join(word[0] for word in re.findall(r"[A-Za-z]\w*", name)) or "P"
            key, number = initials, 2
            while key in self.keys.values():
                key, number = f"{initials}{number}", number + 1
        self.keys[record.xref or ""] = key
        return key

    def _is_household(self, node: GedcomStructure) -> bool:
        return any(c.tag == "TYPE" and c.text == _HOUSEHOLD for c in node.children)

    def _households(self, individuals: list[GedcomStructure]) -> list[Household]:
        households: dict[str, list[str]] = {}
        for record in individuals:
            for node in record.children:
                if node.tag == "RESI" and self._is_household(node) and node.text:
                    households.setdefault(node.text, []).append(self.keys[record.xref or ""])
        return [Household(name=name, members=members) for name, members in households.items()]

    def _family(self, record: GedcomStructure, individuals) -> tuple[Couple | None, list[Child]]:
        pointers = [c.pointer or "" for c in record.children if c.tag in ("HUSB", "WIFE")]
        partners = [self.keys[p] for p in pointers if p in self.keys]
        self.names[record.xref or ""] = " and ".join(self._label(p) for p in partners)
        events: dict[str, int | None] = {}  # kind of event -> its year, if known
        for node in record.children:
            kind = self._event_kind(node)
            if kind:
                dates = [d for d in node.children if d.tag == "DATE"]
                events[kind] = _year(dates[0]) if dates else None
                self._lose_within(node, record, {"DATE", "TYPE"})
            elif _tag(node) not in ("HUSB", "WIFE", "CHIL", "_STATUS"):
                self._lose(node, record)
        given = next((n.text for n in record.children if _tag(n) == "_STATUS"), "")
        known = {s.value: s for s in CoupleStatus}
        status = known.get(given) or _implied(set(events))
        couple = None
        if len(partners) == 2 and status:
            couple = self._couple(partners, status, events, record)
        elif len(partners) == 2:
            self.lost(
                "a family with no marriage, engagement or separation recorded, so no couple line "
                "(add one in the notation if they were a couple)",
                " and ".join(self._label(p) for p in partners),
            )
        children = []
        for node in record.children:
            if node.tag != "CHIL":
                continue
            child = self.keys.get(node.pointer or "")
            if not child or not partners:
                self.lost("a child with no parent in the file", node.pointer or "")
                continue
            children.append(self._link(child, partners, record.xref, individuals))
        return couple, children

    def _label(self, key: str) -> str:
        xref = next(x for x, k in self.keys.items() if k == key)
        return self.names[xref]

    def _event_kind(self, node: GedcomStructure) -> str | None:
        """MARR, ENGA, DIV, ANUL, or the TYPE of an EVEN groupsup knows; None for others."""
        if node.tag in ("MARR", "ENGA", "DIV", "ANUL"):
            return node.tag
        if node.tag != "EVEN":
            return None
        types = [c.text.casefold() for c in node.children if c.tag == "TYPE"]
        return next(
            (k for t in types for k in _EVENT_TYPES if t.startswith(k.casefold()[:5])), None
        )

    def _couple(self, partners: list[str], status, events: dict, record) -> Couple:
        years = {
            "married": events.get("MARR"),
            "separated": events.get("Separation"),
            "divorced": events.get("DIV") or events.get("ANUL"),
        }
        try:
            return Couple(a=partners[0], b=partners[1], status=status, **years)
        except ValueError:
            dated = ", ".join(f"{w} {y}" for w, y in years.items() if y is not None)
            self.lost(
                f"the years {dated} (out of order, or outside 1850 to 2200)",
                self.names[record.xref or ""],
            )
            return Couple(a=partners[0], b=partners[1], status=status)

    def _link(self, child: str, parents: list[str], family, individuals) -> Child:
        """The child's link to these parents, its kind and twins read from the child's FAMC."""
        record = next(r for r in individuals if self.keys.get(r.xref or "") == child)
        famc = next((n for n in record.children if n.tag == "FAMC" and n.pointer == family), None)
        fields: dict = {}
        for node in famc.children if famc else []:
            tag = _tag(node)
            if tag == "PEDI":
                fields["kind"] = self._kind(node, record)
            elif tag == "_TWIN" and _KEY.fullmatch(node.text):
                fields["twin_group"] = node.text
            elif tag == "_IDENTICAL":
                fields["identical"] = node.text == "Y"
            else:
                self._lose(node, record)
        return Child(child=child, parents=parents, **fields)

    def _kind(self, node: GedcomStructure, record: GedcomStructure) -> ChildKind:
        phrase = " ".join(c.text for c in node.children if c.tag == "PHRASE").casefold()
        kinds = {value: kind for kind, value in _PEDIGREES.items() if kind is not ChildKind.STEP}
        if node.text in kinds:
            return kinds[node.text]
        if "step" in phrase:
            return ChildKind.STEP
        self.lost(
            f"PEDI {node.text} {phrase}".strip() + " (read as a birth child)",
            self.names[record.xref or ""],
        )
        return ChildKind.BIOLOGICAL

    def _relationships(self, record: GedcomStructure) -> Iterator[Relationship]:
        bonds = {bond.value: bond for bond in Bond}
        for node in record.children:
            if node.tag != "ASSO":
                continue
            phrases = [
                p.text.casefold()
                for r in node.children
                if r.tag == "ROLE"
                for p in r.children
                if p.tag == "PHRASE"
            ]
            other = self.keys.get(node.pointer or "")
            bond = next((bonds[p] for p in phrases if p in bonds), None)
            if other and bond:
                yield Relationship(a=self.keys[record.xref or ""], b=other, bond=bond)
            else:
                self._lose(node, record)

    def _lose(self, node: GedcomStructure, record: GedcomStructure) -> None:
        tag = _tag(node)
        what = f"{tag} ({_WHAT[tag]})" if tag in _WHAT else tag
        whose = self.names.get(record.xref or "") or record.xref or ""
        self.lost(what, whose)

    def _lose_within(self, node: GedcomStructure, record, kept: set[str]) -> None:
        for child in node.children:
            if child.tag not in kept:
                self.lost(f"{node.tag} {child.tag}", self.names[record.xref or ""])
