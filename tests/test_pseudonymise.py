"""Pseudonymised minutes name no family member, in any format and in any spelling (issue 13)."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
import zipfile
from html import unescape

import pytest
from conftest import DEMO_DAY, home_is_ready
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from groupsup import cli
from groupsup.app import GroupSupApp
from groupsup.domain.models import CaseSlot, NextStep, ResonanceNote, Session, StepReview
from groupsup.genogram.dot import to_dot
from groupsup.genogram.model import Child, Gender, Genogram, Household, Person
from groupsup.genogram.notation import parse
from groupsup.outputs import minutes
from groupsup.outputs.pseudonymise import pseudonymise, reviewed_in
from groupsup.screens.close import MinutesScreen
from groupsup.screens.forms import Confirm
from groupsup.store import demo
from groupsup.store.locations import exports_folder

DEMO_FAMILY_NAMES = [
    *("Brooks", "Ahmed", "Okafor", "Reid", "Novak"),  # the case references' surnames
    *("Ron", "Pat", "Kelly", "Marcus", "Ryan", "Jayden", "Mia"),  # the Brooks genogram
    *("Samira", "Adam", "Yusuf", "Zara", "Linda", "Geoff"),  # the Ahmed genogram
    *("Chidi", "Ngozi", "Adaeze"),  # the Okafor genogram
    "Lewis",  # "Reminds me of the Lewis family": an observer's own case, in no genogram
]


def readable(form: str, document: str) -> str:
    """What a reader of the document sees: no Markdown escapes, no HTML tags or styles, and
    only the values of JSON."""
    if form == "json":
        values: list[str] = []

        def walk(node) -> None:
            if isinstance(node, dict):
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)
            elif isinstance(node, str):
                values.append(node)

        walk(json.loads(document))
        return "\n".join(values)
    if form == "html":
        document = re.sub(r"<style>.*?</style>|<[^>]+>", " ", document, flags=re.S)
        document = unescape(document)
    return document.replace("\\", "")


def every_format(pod, session) -> dict[str, str]:
    """The minutes as `save_all` writes them: Markdown, JSON, HTML and a .dot per case."""
    documents = {form.value: minutes.render(pod, session, form) for form in minutes.TEXT_FORMATS}
    documents["dot"] = "".join(to_dot(slot.genogram, slot.title) for slot in session.slots)
    return documents


def survivors(names, documents: dict[str, str]) -> list[tuple[str, str]]:
    """(format, name) for each name still in a document as a whole word, in any case."""
    found = []
    for form, document in documents.items():
        text = readable(form, document).casefold()
        for name in names:
            if re.search(rf"(?<![^\W\d_]){re.escape(name.casefold())}(?![^\W\d_])", text):
                found.append((form, name))
    return found


def crafted(source: str, text: str, reference: str = "CS-1 (Smith-Jones)") -> Session:
    """A closed session with one case: its genogram typed as `source`, `text` everywhere."""
    parsed = parse(source)
    assert not parsed.errors, parsed.errors
    slot = CaseSlot(
        presenter="tom-whitaker",
        consultant="priya-shah",
        case_reference=reference,
        genogram=parsed.genogram,
        dilemma=text,
        childs_voice=text,
        notes=text,
        alternatives=text,
        grraacceess_notes=text,
        resonance=[ResonanceNote(observer="priya-shah", text=text)],
        next_steps=[
            NextStep(action=text, owner="tom-whitaker", needs_signoff=True, signoff_reason=text)
        ],
    )
    return Session(
        pod_id="north-pod",
        date=DEMO_DAY,
        welfare_checkin=text,
        attendees=["tom-whitaker", "priya-shah"],
        slots=[slot],
        status="closed",
    )


def test_the_review_of_earlier_steps_names_no_family(demo_store):
    """Reproduces issue 13: demo-s2's review kept "Brooks", "Ahmed" and "Ryan"."""
    session = demo_store.session("demo-s2")
    result = pseudonymise(session, reviewed_in(session, demo_store.session))
    documents = every_format(demo_store.pod("north-pod"), result.session)
    assert survivors(DEMO_FAMILY_NAMES, documents) == []
    review = result.session.review
    assert [r.case_reference for r in review] == ["Case 2", "Case 2", "Case 3"]
    assert review[0].action == "Joint visit to meet Mother's partner"


@pytest.mark.parametrize("session_id", ["demo-s1", "demo-s2", "demo-s3"])
@pytest.mark.parametrize("form", ["md", "html", "json"])
def test_export_pseudonymise_of_the_demo_names_no_family(demo_store, capsys, session_id, form):
    argv = ["--store", str(demo_store.root), "export", session_id, "--format", form]
    assert cli.main([*argv, "--pseudonymise"]) == 0
    out, err = capsys.readouterr()
    assert survivors(DEMO_FAMILY_NAMES, {form: out}) == []
    assert err.startswith("Replaced: ")


@pytest.mark.parametrize("session_id", ["demo-s1", "demo-s2", "demo-s3"])
def test_the_demo_pseudonymised_genograms_as_dot_name_no_family(demo_store, tmp_path, session_id):
    session = demo_store.session(session_id)
    shareable = pseudonymise(session, reviewed_in(session, demo_store.session)).session
    written = minutes.save_all(demo_store.pod("north-pod"), shareable, tmp_path)
    documents = {path.name: path.read_text() for path in written}
    assert any(name.endswith(".dot") for name in documents) == (session_id != "demo-s3")
    forms = {name: name.rsplit(".", 1)[1] for name in documents}
    assert survivors(DEMO_FAMILY_NAMES, {forms[n]: d for n, d in documents.items()}) == []


def test_keys_that_are_names_leave_no_trace():
    """`Kelly: Kelly Smith-Jones` kept "Kelly" in the people table, the JSON and .dot ids."""
    source = "Kelly: Kelly Smith-Jones, f, 33\nJay: Jayden Smith-Jones, m, 7, index\nKelly > Jay\n"
    session = crafted(source, "Kelly and Jay came.")
    result = pseudonymise(session)
    documents = every_format(demo.demo_pod(), result.session)
    assert survivors(["Kelly", "Jay", "Jayden", "Smith-Jones", "Smith", "Jones"], documents) == []
    people = result.session.slots[0].genogram.people
    assert [(p.id, p.name) for p in people] == [("Mother", "Mother"), ("ChildA", "Child A")]
    assert "Mother and Child A came." in documents["md"]


def test_short_names_digits_underscores_plurals_and_joined_forms():
    source = (
        "M: Mo Smith-Jones, f\nL: Li Smith-Jones, f\nJo: Jo Smith-Jones, x\n"
        "J: Jayden Smith-Jones, m, 7, index\nM > J, L, Jo\n"
    )
    text = (
        "Mo, Li and Jo visited. Jayden2 and jayden_ wrote; the Smith-Joneses and the "
        "SmithJones family; Smith Jones too. Lies and jokes stay."
    )
    result = pseudonymise(crafted(source, text))
    dilemma = result.session.slots[0].dilemma
    documents = every_format(demo.demo_pod(), result.session)
    names = ["Mo", "Li", "Jo", "Jayden", "Jayden2", "jayden_", "Smith-Joneses", "SmithJones"]
    assert survivors([*names, "Smith", "Jones"], documents) == []
    assert dilemma.startswith("Mother, Sibling 1 and Sibling 2 visited. Child A2 and Child A_")
    assert dilemma.endswith("Lies and jokes stay.")  # words that merely begin with a name


def test_apostrophe_names_are_replaced_whole():
    source = "M: Siobhan O'Brien, f\nC: Aoife O'Brien, f, 9, index\nM > C\n"
    text = "O'Brien said so; Mr OBrien and Mrs O’Brien agreed."
    result = pseudonymise(crafted(source, text, reference="CS-2"))
    dilemma = result.session.slots[0].dilemma
    assert "Father" not in dilemma and "Brien" not in dilemma
    assert dilemma == "Family A said so; Mr Family A and Mrs Family A agreed."


def test_names_written_without_their_accents_are_replaced():
    source = "M: Zoë Øvergaard, f\nC: Zoë Øvergaard, f, 5, index\nM > C\nB: Björn, m\n"
    text = "Zoe met Overgaard. ZOË and øvergaard, bjorn and BJORN."
    result = pseudonymise(crafted(source, text, reference="CS-3"))
    documents = every_format(demo.demo_pod(), result.session)
    assert survivors(["Zoë", "Zoe", "Øvergaard", "Overgaard", "Björn", "Bjorn"], documents) == []


def test_case_folding_that_changes_length_does_not_crash():
    """Reproduces issue 13: "İpek" in the genogram and "ipek" in the notes raised KeyError."""
    source = "I: İpek Straße, f, 8, index\n"
    result = pseudonymise(crafted(source, "ipek and İPEK; STRASSE, Strasse.", reference="CS-4"))
    assert result.session.slots[0].dilemma == "Child A and Child A; Child A, Child A."


def test_a_name_that_is_an_ordinary_word_is_replaced_where_capitalised():
    result = pseudonymise(crafted("W: Will, m, 6, index\n", "Will said he will visit."))
    assert result.session.slots[0].dilemma == "Child A said he will visit."


def test_what_still_looks_like_a_name_is_listed(demo_store):
    session = demo_store.session("demo-s1")
    session.slots[0].notes = "Jayden told Tom Whitaker at Hillside that Dad shouts."
    result = pseudonymise(session, pod=demo_store.pod("north-pod"))
    assert result.suspects == ["Hillside"]  # a school: the worker and Dad are not listed
    assert ("Brooks", "Family A") in result.replaced and ("Kelly", "Mother") in result.replaced


def test_a_family_named_only_in_the_text_is_replaced():
    text = (
        "Reminds me of the Lewis family; the O'Neill-Price household too. "
        "Birth family contact is weekly; the Lewises moved."
    )
    result = pseudonymise(crafted("J: Jayden, m, 7, index\n", text))
    assert result.session.slots[0].notes == (
        "Reminds me of the Family B family; the Family C household too. "
        "Birth family contact is weekly; the Family B moved."
    )
    assert ("Lewis", "Family B") in result.replaced and result.suspects == []


# -- the property: families in every spelling, gone from every format -------------------------

FIRST_NAMES = [
    *("Mo", "Li", "Jo", "Zoë", "İpek", "Jayden", "Siân", "Björn", "Anne-Marie", "Chloé"),
    *("Dmitri", "Aoife", "Kwame", "Oluwaseun", "Nguyen", "Łukasz", "Ægir", "Renée", "Tomás"),
]
SURNAMES = [
    *("Smith-Jones", "O'Brien", "Øvergaard", "Kowalczyk", "McAllister", "Ní Bhriain"),
    *("Brennan", "Adeyemi", "Dąbrowski", "Ferreira", "Haddock", "Quist-Ryder"),
]


def unaccented(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(str.maketrans({"Ø": "O", "ø": "o", "Ł": "L", "ł": "l", "Æ": "AE"}))


def spellings(name: str, surname: bool) -> list[str]:
    """The ways minutes mention a name: as written, in other cases, without accents, with a
    digit or underscore, and for a surname in the plural, joined, or without apostrophe."""
    forms = [name, name.lower(), name.upper(), unaccented(name), f"{name}2", f"{name}_"]
    if surname:
        joined = re.sub(r"[-'\s]", "", name)
        forms += [f"{name}s", f"{name}es", joined, unaccented(joined)]
    return list(dict.fromkeys(forms))


@st.composite
def families(draw):
    """A family (mother, father, index child, sibling; keys that may be names) and text that
    mentions every one of them in every spelling."""
    surname = draw(st.sampled_from(SURNAMES))
    firsts = draw(st.lists(st.sampled_from(FIRST_NAMES), min_size=4, max_size=4, unique=True))
    named_keys = draw(st.booleans())
    initials = ["M", "F", "C", "S"]
    keys = [re.sub(r"\W", "", unaccented(f)) for f in firsts] if named_keys else initials
    genders = [Gender.FEMALE, Gender.MALE, Gender.OTHER, Gender.FEMALE]
    people = [
        Person(id=key, name=f"{first} {surname}", gender=gender, index=(key == keys[2]))
        for key, first, gender in zip(keys, firsts, genders, strict=True)
    ]
    genogram = Genogram(
        people=people,
        children=[Child(child=keys[2], parents=keys[:2]), Child(child=keys[3], parents=keys[:2])],
        households=[Household(name=f"{firsts[0]}'s flat", members=[keys[0], keys[2]])],
    )
    forms = [f for first in firsts for f in spellings(first, False)]
    forms += spellings(surname, True) + [k for k in keys if named_keys]
    order = draw(st.permutations(forms))
    text = " ".join(f"{form} said so." for form in order)
    return surname, firsts, genogram, forms, text


@pytest.mark.slow  # writes Word and PDF files
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(this=families(), earlier=families())
def test_no_real_name_survives_in_any_format(this, earlier):
    surname, _, genogram, forms, text = this
    old_surname, _, old_genogram, old_forms, old_text = earlier
    first = crafted("", old_text, reference=f"CS-9 ({old_surname})")
    first.id = "first"
    first.slots[0].genogram = old_genogram
    session = crafted("", f"{text} {old_text}", reference=f"CS-10 ({surname})")
    session.date = DEMO_DAY + dt.timedelta(days=28)
    session.slots[0].genogram = genogram
    for person in genogram.people:
        person.notes = text
    session.slots[0].hypotheses = []
    step = first.slots[0].next_steps[0]
    session.review = [
        StepReview(
            step_id=step.id,
            agreed_in=first.id,
            agreed_on=first.date,
            case_reference=first.slots[0].case_reference,
            action=step.action,
            note=old_text,
            last_note=old_text,
        )
    ]
    result = pseudonymise(session, [first])
    documents = every_format(demo.demo_pod(), result.session)
    assert survivors(forms + old_forms, documents) == []


async def test_x_shows_every_replacement_and_what_still_looks_like_a_name(demo_store):
    pod = demo_store.pod("north-pod")
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        app.push_screen(MinutesScreen(pod, demo_store.session("demo-s1")))
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        body = app.screen.body
        assert "Brooks  ->  Family A" in body and "Ryan  ->  Mother's partner" in body
        assert "Lewis  ->  Family C" in body  # "the Lewis family", in no genogram
        assert "Still looks like a name: nothing" in body
        await pilot.press("enter")
        await pilot.pause()
    written = list(exports_folder(demo_store.root).glob("*-pseudonymised*"))
    assert len(written) == 5  # md, json, html and a .dot for each of the two cases
    documents = {p.suffix[1:]: p.read_text() for p in written if p.suffix != ".dot"}
    dots = "".join(p.read_text() for p in written if p.suffix == ".dot")
    assert survivors(DEMO_FAMILY_NAMES, documents | {"dot": dots}) == []


def everything_in(path) -> str:
    """All the text a file holds, whatever reads it: every part of a Word file (tags dropped,
    properties too), every page and the properties of a PDF, any other file as it is."""
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as word:
            parts = [word.read(name).decode("utf-8", "replace") for name in word.namelist()]
        return unescape(re.sub(r"<[^>]+>", " ", " ".join(parts)))
    if path.suffix == ".pdf":
        pdf = PdfReader(path)
        properties = [str(value) for value in (pdf.metadata or {}).values()]
        return "\n".join([*(page.extract_text() for page in pdf.pages), *properties])
    return path.read_text()


@pytest.mark.slow
@pytest.mark.timeout(300)  # a PDF takes WeasyPrint a second or more
@pytest.mark.parametrize("session_id", ["demo-s1", "demo-s2", "demo-s3"])
def test_every_pseudonymised_file_of_the_demo_names_no_family(demo_store, tmp_path, session_id):
    """As an attacker would check it: every file `export` and `genogram` write with
    --pseudonymise, in every format, each case's record and genogram included."""
    store = ["--store", str(demo_store.root)]
    runs = [["export", session_id, "--format", form] for form in ("md", "html", "json")]
    runs += [["export", session_id, "--format", form] for form in ("docx", "pdf")]
    for case in range(1, len(demo_store.session(session_id).slots) + 1):
        for form in ("md", "html", "docx", "pdf"):
            runs.append(["export", session_id, "--case", str(case), "--format", form])
        for form in ("text", "dot", "json", "ged"):
            runs.append(["genogram", session_id, "--case", str(case), "--format", form])
    found = []
    for number, argv in enumerate(runs):
        path = tmp_path / f"{number}.{argv[-1]}"
        assert cli.main([*store, *argv, "--pseudonymise", "-o", str(path)]) == 0, argv
        text = everything_in(path)
        found += [(" ".join(argv), name) for _, name in survivors(DEMO_FAMILY_NAMES, {"": text})]
    assert found == []
