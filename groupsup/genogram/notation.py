"""A genogram notation a facilitator can type while the presenter talks: one statement a line.

    J: Jayden, m, 7, index          a person: key, name, then any of
                                    m / f / x (other or unknown), an age, b1950 (born),
                                    dead or d2019 (died), index, pregnancy, miscarriage,
                                    stillbirth, termination, note=free text (always last)
    F = M divorced m2005 d2015      a couple: married (the default), cohabiting, engaged,
                                    separated, divorced, widowed; then the years they
                                    married (m2005), separated (s2012), divorced (d2015)
    F + M > J, Mi                   children of a couple, oldest first
    M > A(fostered), twins(T1, T2)  children of one parent; (adopted) (fostered) (step);
                                    twins(...) or identical(...)
    J ~ SF conflict                 an emotional relationship: close, fused, distant,
                                    conflict, hostile, cut off, abuse, neglect
    household Home: M, SF, J, Mi    who lives together
    # anything after a hash is a comment

Parsing never throws text away: every line that parses is used, every line that does not is
reported with its line and column and what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import ValidationError

from groupsup.explain import explain
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

KEY = r"[A-Za-z][A-Za-z0-9_]*"
_GENDERS = {"m": Gender.MALE, "male": Gender.MALE, "f": Gender.FEMALE, "female": Gender.FEMALE}
_GENDERS |= {"x": Gender.OTHER, "other": Gender.OTHER, "unknown": Gender.OTHER}
_STATUSES = {status.value: status for status in CoupleStatus} | {
    "living together": CoupleStatus.COHABITING
}
_BONDS = {bond.value: bond for bond in Bond} | {"cutoff": Bond.CUT_OFF, "cut-off": Bond.CUT_OFF}
_KINDS = {kind.value: kind for kind in ChildKind}
_YEAR = re.compile(r"\b([msd])(\d{4})\b", re.IGNORECASE)  # a couple's m2005, s2012, d2015
_COUPLE_YEARS = {"m": "married", "s": "separated", "d": "divorced"}


def _status_from(years: dict[str, int]) -> CoupleStatus:
    """A couple typed with years and no status stands where its latest year puts it."""
    if "divorced" in years:
        return CoupleStatus.DIVORCED
    return CoupleStatus.SEPARATED if "separated" in years else CoupleStatus.MARRIED


@dataclass(frozen=True)
class ParseError:
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class _Mistake(Exception):
    def __init__(self, column: int, message: str) -> None:
        self.column = column
        self.message = message


@dataclass
class Parsed:
    genogram: Genogram
    errors: list[ParseError]


def parse(source: str) -> Parsed:
    """The genogram described by `source`, and every mistake in it (the source is kept)."""
    builder = _Builder()
    errors = []
    for number, raw in enumerate(source.splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        try:
            builder.statement(line, number)
        except _Mistake as mistake:
            errors.append(ParseError(number, mistake.column, mistake.message))
    genogram, link_errors = builder.finish(source)
    return Parsed(genogram, errors + link_errors)


class _Builder:
    def __init__(self) -> None:
        self.people: dict[str, Person] = {}
        self.couples: list[Couple] = []
        self.children: list[Child] = []
        self.relationships: list[Relationship] = []
        self.households: list[Household] = []
        self.mentions: list[tuple[str, int, int]] = []  # (key, line, column) used in links
        self._line = 0

    def statement(self, line: str, number: int) -> None:
        self._line = number
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if re.match(r"household\b", stripped, re.IGNORECASE):
            self._household(stripped, indent)
        elif re.match(rf"{KEY}\s*:", stripped):
            self._person(stripped, indent)
        elif ">" in stripped:
            self._children(stripped, indent)
        elif "=" in stripped:
            self._couple(stripped, indent)
        elif "~" in stripped:
            self._relationship(stripped, indent)
        else:
            raise _Mistake(
                indent + 1,
                "expected a person (J: Jayden, m, 7), a couple (F = M), children (F + M > J), "
                "a relationship (J ~ M close) or a household (household Home: M, J)",
            )

    # -- statements ----------------------------------------------------------------------

    def _person(self, text: str, indent: int) -> None:
        key, _, rest = text.partition(":")
        key = key.strip()
        if key in self.people:
            raise _Mistake(indent + 1, f"'{key}' is already someone; give this person a new key")
        column = indent + len(text) - len(rest) + 1
        note = ""
        if "note=" in rest:
            rest, note = rest.split("note=", 1)
        parts = rest.split(",")
        fields: dict = {"notes": note.strip()}
        for index, part in enumerate(parts):
            word = part.strip()
            where = column + rest.index(part) + (len(part) - len(part.lstrip()))
            if not word:
                continue
            if index == 0 and not _is_flag(word):
                fields["name"] = word
                continue
            fields |= _flag(word.lower(), where)
        try:
            self.people[key] = Person(id=key, **fields)
        except ValidationError as error:
            raise _Mistake(column, explain(error)) from None

    def _couple(self, text: str, indent: int) -> None:
        match = re.fullmatch(rf"({KEY})\s*=\s*({KEY})\s*(.*)", text)
        if not match:
            raise _Mistake(indent + 1, "expected a couple as 'A = B' with an optional status")
        rest, rest_column = match.group(3), indent + match.start(3) + 1
        years = {_COUPLE_YEARS[y.group(1).lower()]: int(y.group(2)) for y in _YEAR.finditer(rest)}
        for word, year in years.items():
            if not 1850 <= year <= 2200:
                raise _Mistake(rest_column, f"{year} is not a year groupsup can draw ({word})")
        status_word = " ".join(_YEAR.sub(" ", rest).replace(",", " ").split()).lower()
        if status_word and status_word not in _STATUSES:
            raise _Mistake(
                rest_column,
                f"'{status_word}' is not a couple status: use "
                + ", ".join(s.value for s in CoupleStatus)
                + ", then years as m2005, s2012, d2015",
            )
        self._mention(match.group(1), indent + match.start(1))
        self._mention(match.group(2), indent + match.start(2))
        status = _STATUSES.get(status_word) or _status_from(years)
        try:
            couple = Couple(a=match.group(1), b=match.group(2), status=status, **years)
        except ValidationError as error:
            raise _Mistake(rest_column, explain(error)) from None
        self.couples.append(couple)

    def _children(self, text: str, indent: int) -> None:
        left, _, right = text.partition(">")
        parents = [p.strip() for p in left.split("+")]
        if not 1 <= len(parents) <= 2 or not all(re.fullmatch(KEY, p) for p in parents):
            raise _Mistake(indent + 1, "expected one parent or two joined by +, then > children")
        for parent in parents:
            self._mention(parent, indent + left.index(parent))
        if not right.strip():
            raise _Mistake(indent + len(left) + 2, "expected the children after >")
        offset = indent + len(left) + 1
        for group in re.finditer(r"\s*(twins|identical)\s*\(([^)]*)\)|[^,]+", right):
            text = group.group(0)
            at = offset + group.start() + len(text) - len(text.lstrip())  # first character
            if group.group(1):
                twins = [t.strip() for t in group.group(2).split(",") if t.strip()]
                if len(twins) < 2:
                    raise _Mistake(at + 1, "twins need two or more keys")
                tag = twins[0]  # the first twin names the group
                for twin in twins:
                    self._child(twin, parents, offset + group.start(2), tag, group.group(1))
            elif text.strip():
                self._child(text.strip(), parents, at, None, None)

    def _child(self, text: str, parents, column: int, twin: str | None, kind_word) -> None:
        match = re.fullmatch(rf"({KEY})\s*(?:\(\s*([a-z]+)\s*\))?", text)
        if not match:
            raise _Mistake(column + 1, f"expected a child's key, as J or J(adopted), not '{text}'")
        kind = match.group(2)
        if kind and kind not in _KINDS:
            raise _Mistake(
                column + 1, f"'{kind}' is not a kind of child: use adopted, fostered or step"
            )
        self._mention(match.group(1), column)
        self.children.append(
            Child(
                child=match.group(1),
                parents=list(parents),
                kind=_KINDS.get(kind, ChildKind.BIOLOGICAL),
                twin_group=twin,
                identical=kind_word == "identical",
            )
        )

    def _relationship(self, text: str, indent: int) -> None:
        match = re.fullmatch(rf"({KEY})\s*~\s*({KEY})\s+(.+)", text)
        if not match:
            raise _Mistake(indent + 1, "expected a relationship as 'A ~ B close'")
        word = match.group(3).strip().lower()
        if word not in _BONDS:
            raise _Mistake(
                indent + match.start(3) + 1,
                f"'{match.group(3).strip()}' is not a relationship: use "
                + ", ".join(b.value for b in Bond),
            )
        self._mention(match.group(1), indent + match.start(1))
        self._mention(match.group(2), indent + match.start(2))
        self.relationships.append(
            Relationship(a=match.group(1), b=match.group(2), bond=_BONDS[word])
        )

    def _household(self, text: str, indent: int) -> None:
        match = re.fullmatch(r"household\s*([^:]*):(.*)", text, re.IGNORECASE)
        if not match or not match.group(2).strip():
            raise _Mistake(indent + 1, "expected 'household Name: A, B, C'")
        members = [m.strip() for m in match.group(2).split(",") if m.strip()]
        for member in members:
            if not re.fullmatch(KEY, member):
                raise _Mistake(indent + match.start(2) + 1, f"'{member}' is not a key")
            self._mention(member, indent + match.start(2) + match.group(2).index(member))
        self.households.append(Household(name=match.group(1).strip(), members=members))

    # -- links to people -----------------------------------------------------------------

    def _mention(self, key: str, column: int) -> None:
        self.mentions.append((key, self._line, column))

    def finish(self, source: str) -> tuple[Genogram, list[ParseError]]:
        """Drop links to people nobody declared, reporting each where it was first typed."""
        errors = []
        known = set(self.people)
        reported: set[str] = set()
        for key, line, column in self.mentions:
            if key not in known and key not in reported:
                reported.add(key)
                message = f"'{key}' is not declared: add a line '{key}: name'"
                errors.append(ParseError(line, column + 1, message))
        genogram = Genogram(
            source=source,
            people=list(self.people.values()),
            couples=[c for c in self.couples if {c.a, c.b} <= known],
            children=[c for c in self.children if c.child in known and set(c.parents) <= known],
            relationships=[r for r in self.relationships if {r.a, r.b} <= known],
            households=[
                h.model_copy(update={"members": [m for m in h.members if m in known]})
                for h in self.households
                if any(m in known for m in h.members)
            ],
        )
        return genogram, errors


def _is_flag(word: str) -> bool:
    try:
        _flag(word.lower(), 0)
    except _Mistake:
        return False
    return True


def _flag(word: str, column: int) -> dict:
    if word in _GENDERS:
        return {"gender": _GENDERS[word]}
    if re.fullmatch(r"\d{1,3}", word):
        if int(word) > 130:
            raise _Mistake(column, f"{word} is not an age; write a birth year as b{word}")
        return {"age": int(word)}
    if match := re.fullmatch(r"b(\d{4})", word):
        if not 1850 <= int(match.group(1)) <= 2200:
            raise _Mistake(column, f"{match.group(1)} is not a birth year groupsup can draw")
        return {"born": int(match.group(1))}
    if match := re.fullmatch(r"(?:dead|deceased|died|d)(\d{4})?", word):
        if match.group(1) is None:
            return {"deceased": True}
        if not 1850 <= int(match.group(1)) <= 2200:
            raise _Mistake(column, f"{match.group(1)} is not a year of death groupsup can draw")
        return {"deceased": True, "died": int(match.group(1))}
    if word in ("index", "*"):
        return {"index": True}
    if word in {kind.value for kind in PersonKind}:
        return {"kind": PersonKind(word)}
    raise _Mistake(
        column,
        f"'{word}' is not understood: use m, f or x, an age, b1950, dead or d2019, index, "
        "pregnancy, or note=...",
    )


def to_source(genogram: Genogram) -> str:
    """The notation for a genogram (names lose any comma: the notation ends a name there)."""
    lines = [_person_line(person) for person in genogram.people]
    for couple in genogram.couples:
        status = "" if couple.status is CoupleStatus.MARRIED else f" {couple.status.value}"
        years = "".join(f" {word[0]}{year}" for word, year in couple.dated() if year is not None)
        lines.append(f"{couple.a} = {couple.b}{status}{years}")
    families: dict[tuple[str, ...], list[str | list[Child]]] = {}
    twins: dict[str, list[Child]] = {}
    for link in genogram.children:
        entries = families.setdefault(tuple(link.parents), [])
        if link.twin_group:
            group = twins.setdefault(f"{link.parents}{link.twin_group}", [])
            if not group:
                entries.append(group)  # the group's place in the birth order
            group.append(link)
        else:
            kind = "" if link.kind is ChildKind.BIOLOGICAL else f"({link.kind.value})"
            entries.append(f"{link.child}{kind}")
    for parents, entries in families.items():
        shown = [entry if isinstance(entry, str) else _twins_text(entry) for entry in entries]
        lines.append(f"{' + '.join(parents)} > {', '.join(shown)}")
    for relation in genogram.relationships:
        lines.append(f"{relation.a} ~ {relation.b} {relation.bond.value}")
    for household in genogram.households:
        lines.append(f"household {household.name}: {', '.join(household.members)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _twins_text(group: list[Child]) -> str:
    word = "identical" if group[0].identical else "twins"
    return f"{word}({', '.join(link.child for link in group)})"


def _person_line(person: Person) -> str:
    parts = [person.name.replace(",", " ").replace("#", " ").strip()] if person.name else []
    parts.append({Gender.MALE: "m", Gender.FEMALE: "f", Gender.OTHER: "x"}[person.gender])
    if person.age is not None:
        parts.append(str(person.age))
    if person.born is not None:
        parts.append(f"b{person.born}")
    if person.died is not None:
        parts.append(f"d{person.died}")
    elif person.deceased:
        parts.append("dead")
    if person.index:
        parts.append("index")
    if person.kind is not PersonKind.PERSON:
        parts.append(person.kind.value)
    line = f"{person.id}: {', '.join(parts)}"
    notes = " ".join(person.notes.replace("#", " ").split())
    return f"{line}, note={notes}" if notes else line
