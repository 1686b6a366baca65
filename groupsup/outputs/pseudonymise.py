"""Minutes that can be shared: family members' names replaced by roles or initials.

One mapping covers the whole document: this session's genograms and those of the earlier
sessions whose next steps it reviews. What is replaced: each case reference (by "Case N"; a
surname in it by "Family A"); every genogram person's name and key (by their role towards the
index child, such as "Child A", "Mother", "Sibling 1", "Grandfather", or by initials); a
surname shared in a family, or written before "family" in the text (by "Family A"); and those
names, and each word of them, wherever they appear in the session's text. Matching ignores case
and accents ("Zoe" is "Zoë", "Overgaard" is "Øvergaard"), takes whole words even when short
("Mo"), followed by digits or an underscore ("Jayden2"), in the plural ("the Smith-Joneses"),
joined ("SmithJones") or without their apostrophe ("OBrien"). What is not replaced: the
workers' names, dates, and anything identifying that is not a genogram name (a school, a
street, a nickname): `suspects` lists what still looks like a name, for the facilitator to
read before sharing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from groupsup.domain.errors import GroupsupError
from groupsup.domain.models import CASE_TEXT_FIELDS, Pod, Session
from groupsup.genogram.model import ChildKind, Gender, Genogram, Person
from groupsup.genogram.notation import to_source

_PARENT = {Gender.FEMALE: "Mother", Gender.MALE: "Father", Gender.OTHER: "Parent"}
_GRANDPARENT = {
    Gender.FEMALE: "Grandmother",
    Gender.MALE: "Grandfather",
    Gender.OTHER: "Grandparent",
}

_OTHER_DASHES = "‐‑‒–—−"
_DASHES = f"[-{_OTHER_DASHES}]"
# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
    | dict.fromkeys("’‘ʼ`´", "'")
    | dict.fromkeys(_OTHER_DASHES, "-")
)

# Ordinary words: a name that is one of these is replaced only where it is capitalised (a child
# called Will), and a capitalised one of these is not reported as still looking like a name.
_ORDINARY_WORDS = """
    a about after again against all also an and any are as ask asked at be because been
    before being both but by can case cases child children could did do does during each
    either every few first for from had has have he her here hers him his how i if in into
    is it its just last less may me might more most much must my neither never new next no
    nor not now of off often on once one only or other our out over own same she should
    since so some still such than that the their them then there these they this those
    though through to too under until up us very was we were what when where which while
    who whom why will with within would yes yet you your
    mum mummy dad daddy mother father parent parents partner brother sister sibling siblings
    son daughter baby grandmother grandfather grandparent grandparents nan nana grandad aunt
    uncle cousin carer carers foster family families home household friend friends boyfriend
    girlfriend stepfather stepmother twins twin
    birth extended wider host kinship adoptive whole step blended paternal maternal immediate
    entire single large
    school college nursery police court health hospital gp social worker workers manager team
    pod council plan planning meeting panel conference visit visits contact assessment
    referral review section order care placement support service services
    accommodated agreed arrange arranged check consider discuss discussed direct joint known
    missing refer reflect reflected reminds someone something nobody everyone today tomorrow
    yesterday
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    cp cin cla asye mash lado sw
    gender race religion age ability class culture ethnicity education sexuality spirituality
    mr mrs ms miss dr person
"""
ORDINARY = frozenset(_ORDINARY_WORDS.split())
_NAMED_FAMILY = re.compile(
    r"(?<![^\W\d_])([^\W\d_]+(?:['’-][^\W\d_]+)*)\s+(?:famil(?:y|ies)|household)\b",
    re.IGNORECASE,
)


class Pseudonymised(NamedTuple):
    session: Session
    replaced: list[tuple[str, str]]  # what was replaced by what, in the order found
    suspects: list[str]  # capitalised words left that are not ordinary: read them


def pseudonymise(
    session: Session, earlier: Iterable[Session] = (), pod: Pod | None = None
) -> Pseudonymised:
    """A copy of `session` with family names replaced. `earlier`: the sessions whose next steps
    it reviews (their genograms name the families in the review); `pod`: its workers' names
    are not reported as suspects."""
    copy = session.model_copy(deep=True)
    names = _Names()
    for number, slot in enumerate(copy.slots, 1):
        slot.case_reference = names.add_case(slot.case_reference, f"Case {number}")
    names.cases = len(copy.slots)  # cases only reviewed are numbered after this session's
    for review in copy.review:
        review.case_reference = names.add_case(review.case_reference)
    slot_roles = [roles(slot.genogram) for slot in copy.slots]
    for genogram, found in zip([s.genogram for s in copy.slots], slot_roles, strict=True):
        names.add_genogram(genogram, found)
    for other in earlier:
        for slot in other.slots:
            names.add_genogram(slot.genogram, roles(slot.genogram))
    names.add_case_surnames()  # after the genograms: "Jayden B" is the child before a family
    for record, field in _free_text(copy):
        names.add_families_named(getattr(record, field))
    replace = names.replacer()
    for record, field in _free_text(copy):
        setattr(record, field, replace(getattr(record, field)))
    for slot, found in zip(copy.slots, slot_roles, strict=True):
        slot.genogram = _renamed(slot.genogram, found)
    _renumber_slots(copy)
    workers = {_fold(w) for m in (pod.members if pod else []) for w in _words(m.name)}
    return Pseudonymised(copy, names.replaced(), _suspects(copy, workers))


def reviewed_in(session: Session, find: Callable[[str], Session]) -> list[Session]:
    """The earlier sessions whose next steps `session` reviews, as `find` reads them. One that
    cannot be read is left out: any name of its families left in the review is then among
    the suspects."""
    found = []
    for session_id in dict.fromkeys(review.agreed_in for review in session.review):
        try:
            found.append(find(session_id))
        except GroupsupError:
            continue
    return found


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


def _fold(text: str) -> str:
    """The form names are compared in: compatibility-decomposed, case-folded, accents and
    apostrophe and dash variants dropped ("İpek" and "ipek", "Øvergaard" and "overgaard")."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(_LETTERS)


def _parts(text: str) -> list[str]:
    """The runs of letters and digits of a name, folded: what two spellings must share."""
    return re.findall(r"[^\W_]+", _fold(text))


def _words(name: str) -> list[str]:
    """A name's words, and the parts of a hyphenated one; an apostrophe name stays whole."""
    words = name.split()
    parts = [part for word in words if "-" in _fold(word) for part in re.split(_DASHES, word)]
    return [w for w in words + parts if sum(c.isalpha() for c in w) >= 2]


class _Names:
    """Names found in the document, each with what replaces it; the first role given wins."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}  # the joined folded parts of a name -> its label
        self.shown: dict[str, str] = {}  # the same key -> the name as first written
        self.families = 0
        self.cases = 0
        self.references: list[str] = []

    def add(self, name: str, label: str) -> None:
        key = "".join(_parts(name))
        if any(c.isalpha() for c in key) and key not in self.labels:
            self.labels[key] = label
            self.shown[key] = name.strip()

    def family(self, surname: str) -> None:
        key = "".join(_parts(surname))
        if key and key not in self.labels and key not in ORDINARY:
            self.families += 1
            label = f"Family {chr(ord('A') + (self.families - 1) % 26)}"
            for word in [surname, *_words(surname)]:
                self.add(word, label)

    def add_case(self, reference: str, label: str | None = None) -> str:
        """Adds a case reference and the surnames in it; returns what replaces it."""
        reference = reference.strip()
        if not reference:
            return ""
        key = "".join(_parts(reference))
        if key in self.labels:
            return self.labels[key]
        if label is None:
            self.cases += 1
            label = f"Case {self.cases}"
        self.add(reference, label)
        self.add(re.sub(r"\([^)]*\)", " ", reference), label)  # "CS-20418" alone
        self.references.append(reference)
        return label

    def add_case_surnames(self) -> None:
        """A surname in brackets in a case reference, or any word in it that is not a
        capitalised code ("Smith CS-1" names the Smiths; "CS" is a team's prefix)."""
        for reference in self.references:
            for surname in re.findall(r"\(([^)]*)\)", reference):
                self.family(surname.strip())
            outside = re.sub(r"\([^)]*\)", " ", reference)
            for word in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", outside):
                if not word.isupper():
                    self.family(word)

    def add_families_named(self, text: str) -> None:
        """A capitalised word before "family" or "household" is a family's surname though no
        genogram names it ("reminds me of the Lewis family": an observer's own case)."""
        for word in re.findall(_NAMED_FAMILY, text):
            word = re.sub(r"['’]s$", "", word)
            if word[0].isupper() and not word.isupper():
                self.family(word)

    def add_genogram(self, genogram: Genogram, found: dict[str, str]) -> None:
        shared: dict[str, list[str]] = {}
        for person in genogram.people:
            words = person.name.split()
            surname = [" ".join(words[1:])] if len(words) > 2 else []  # "Mo Ní Bhriain"
            for key, word in {"".join(_parts(w)): w for w in surname + _words(person.name)}.items():
                shared.setdefault(key, []).append(word)
        for words in shared.values():
            if len(words) > 1:  # a surname the family shares
                self.family(words[0])
        for person in genogram.people:
            self.add(person.name, found[person.id])
            if sum(c.isalpha() for c in person.id) >= 2 and not person.id.isupper():
                self.add(person.id, found[person.id])  # a key that is a name: "Kelly"
        for person in genogram.people:
            for word in _words(person.name):
                self.add(word, found[person.id])

    def replaced(self) -> list[tuple[str, str]]:
        return [(self.shown[key], label) for key, label in self.labels.items()]

    def replacer(self) -> Callable[[str], str]:
        if not self.labels:
            return lambda text: text
        forms = sorted(self.shown.values(), key=lambda name: len(_fold(name)), reverse=True)
        pattern = re.compile("|".join(_pattern(name) for name in forms))

        def label(matched: str, original: str) -> str | None:
            key = "".join(re.findall(r"[^\W_]+", matched))
            for candidate in (key, key.removesuffix("es"), key.removesuffix("s")):
                if candidate in self.labels:
                    ordinary = candidate in ORDINARY and not original[:1].isupper()
                    return None if ordinary else self.labels[candidate]
            return None

        return lambda text: _substitute(text, pattern, label)


def _pattern(name: str) -> str:
    """A name's spellings in folded text: its parts joined by nothing, a hyphen, an apostrophe
    or spaces, as a whole word that may be followed by a plural ending, digits or '_'."""
    parts = _parts(name)
    body = r"[-'\s]*".join(re.escape(part) for part in parts)
    before = r"(?<![^\W\d_])" if parts[0][0].isalpha() else r"(?<!\w)"
    if parts[-1][-1].isalpha():
        plural = "(?:es|s)?" if len(parts[-1]) >= 3 else ""
        return f"{before}{body}{plural}(?![^\\W\\d_])"
    return f"{before}{body}(?!\\d)"


def _substitute(text: str, pattern: re.Pattern, label: Callable[[str, str], str | None]) -> str:
    """Replaces matches of `pattern` in the folded form of `text`, in the text as written."""
    folded, origin = [], []
    for index, char in enumerate(text):
        piece = _fold(char)
        folded.append(piece)
        origin.extend([index] * len(piece))
    folded_text = "".join(folded)
    pieces, kept = [], 0
    for match in pattern.finditer(folded_text):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        while end < len(text) and not _fold(text[end]):  # accents written after the letter
            end += 1
        replacement = label(match.group(), text[start:end])
        if replacement is not None and start >= kept:
            pieces += [text[kept:start], replacement]
            kept = end
    return "".join(pieces) + text[kept:]


_SLOT_TEXT = (*CASE_TEXT_FIELDS, "grraacceess_notes")


def _free_text(session: Session) -> Iterator[tuple[object, str]]:
    """Every field of free text in a session, as (record, field name)."""
    for slot in session.slots:
        yield from ((slot, field) for field in _SLOT_TEXT)
        yield from ((person, "notes") for person in slot.genogram.people)
        yield from ((household, "name") for household in slot.genogram.households)
        for hypothesis in slot.hypotheses:
            yield from ((hypothesis, f) for f in ("text", "supports", "would_test"))
        yield from ((note, "text") for note in slot.resonance)
        yield from ((step, f) for step in slot.next_steps for f in ("action", "signoff_reason"))
        if slot.safeguarding:
            yield from ((slot.safeguarding, f) for f in ("concern", "action_taken"))
    yield session, "welfare_checkin"
    if session.not_held:
        yield session.not_held, "reason"
    for review in session.review:
        yield from ((review, f) for f in ("action", "note", "last_note"))


def _renumber_slots(session: Session) -> None:
    """Case slots keyed "case-1", ...: a key made from a family's name ("s1-brooks") would
    name it in the JSON."""
    keys = {slot.id: f"case-{number}" for number, slot in enumerate(session.slots, 1)}
    for slot in session.slots:
        slot.id = keys[slot.id]
    for segment in session.clock.segments if session.clock else []:
        segment.slot_id = keys.get(segment.slot_id or "")


def _renamed(genogram: Genogram, found: dict[str, str]) -> Genogram:
    """The genogram with each person named by their role and keyed by it, so no key that was
    a name survives in the people table, the JSON or the Graphviz ids; notation made anew."""
    keys: dict[str, str] = {}
    for person in genogram.people:
        key = re.sub(r"[^A-Za-z0-9]", "", found[person.id])
        key = key if key[:1].isalpha() else f"P{key}"
        while key in keys.values():
            key += "x"
        keys[person.id] = key
    people = [p.model_copy(update={"id": keys[p.id], "name": found[p.id]}) for p in genogram.people]
    couples = [c.model_copy(update={"a": keys[c.a], "b": keys[c.b]}) for c in genogram.couples]
    children = [
        link.model_copy(
            update={
                "child": keys[link.child],
                "parents": [keys[p] for p in link.parents],
                "twin_group": keys.get(link.twin_group) if link.twin_group else None,
            }
        )
        for link in genogram.children
    ]
    relationships = [
        r.model_copy(update={"a": keys[r.a], "b": keys[r.b]}) for r in genogram.relationships
    ]
    households = [
        h.model_copy(update={"members": [keys[m] for m in h.members]}) for h in genogram.households
    ]
    renamed = Genogram(
        people=people,
        couples=couples,
        children=children,
        relationships=relationships,
        households=households,
    )
    return renamed.model_copy(update={"source": to_source(renamed)})


def _suspects(session: Session, workers: set[str]) -> list[str]:
    """Capitalised words in the free text that are not ordinary words, roles or workers'."""
    found: dict[str, str] = {}
    for record, field in _free_text(session):
        for word in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)*", getattr(record, field)):
            word = re.sub(r"'s$", "", word)
            key = _fold(word)
            if (
                len(word) >= 2
                and word[0].isupper()
                and not word.isupper()
                and not {key, key.split("'")[0]} & ORDINARY  # "I've", "Mum's"
                and key not in workers
            ):
                found.setdefault(key, word)
    return sorted(found.values(), key=_fold)
