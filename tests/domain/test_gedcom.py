"""GEDCOM 7: a case's genogram goes out so that genealogy programs (and the `gedcom7` library)
read it, and comes back in as the same genogram; what a file holds that a genogram cannot is
listed, never dropped silently."""

from __future__ import annotations

from pathlib import Path

import gedcom7
import pytest

from groupsup.cli import main
from groupsup.genogram.gedcom import NotGedcom, from_gedcom, to_gedcom
from groupsup.genogram.model import ChildKind, CoupleStatus, Gender, Genogram
from groupsup.genogram.notation import parse
from groupsup.store import demo
from tests.test_pseudonymise import DEMO_FAMILY_NAMES

SHAPES = Path(__file__).parent.parent / "genograms"
EXAMPLES = {path.stem: parse(path.read_text()).genogram for path in SHAPES.glob("*.txt")}
EXAMPLES |= {
    "brooks": demo.brooks_genogram(),
    "ahmed": demo.ahmed_genogram(),
    "okafor": demo.okafor_genogram(),
}


def same_family(genogram: Genogram) -> dict:
    """What a genogram says, with the orders that carry no meaning taken out: who is in a
    household, the two partners' order, and the order of families (siblings keep theirs)."""
    families: dict[frozenset, list] = {}
    for link in genogram.children:
        families.setdefault(frozenset(link.parents), []).append(
            (link.child, link.kind, link.twin_group, link.identical)
        )
    return {
        "people": [person.model_dump() for person in genogram.people],
        "couples": sorted((sorted((c.a, c.b)), c.status) for c in genogram.couples),
        "children": families,
        "relationships": sorted((r.a, r.b, r.bond) for r in genogram.relationships),
        "households": sorted((h.name, sorted(h.members)) for h in genogram.households),
    }


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_gedcom7_library_reads_the_export_without_a_problem(name):
    genogram = EXAMPLES[name]
    records = gedcom7.loads(to_gedcom(genogram))
    assert gedcom7.validate(records) == []
    people = [r for r in records if r.tag == "INDI"]
    assert [r.children[0].text for r in people if r.children[0].tag == "NAME"] == [
        p.name for p in genogram.people if p.name
    ]
    assert len(people) == len(genogram.people)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_importing_the_export_gives_the_same_genogram(name):
    genogram = EXAMPLES[name]
    imported = from_gedcom(to_gedcom(genogram))
    assert same_family(imported.genogram) == same_family(genogram)
    assert imported.not_kept == []


def test_the_export_uses_genealogys_own_structures_where_it_has_them():
    text = to_gedcom(EXAMPLES["real-case"])
    records = gedcom7.loads(text)
    ron = next(r for r in records if r.tag == "INDI")
    assert [(c.tag, c.text) for c in ron.children][:2] == [("NAME", "Ron"), ("SEX", "M")]
    birth = next(c for c in ron.children if c.tag == "BIRT")
    assert birth.children[0].text == "1950"
    assert any(c.tag == "DEAT" for c in ron.children)
    families = [r for r in records if r.tag == "FAM"]
    divorced = families[1]  # F = M divorced
    assert {c.tag for c in divorced.children} >= {"HUSB", "WIFE", "MARR", "DIV", "CHIL"}
    jayden = next(r for r in records if any(c.text == "Jayden" for c in r.children))
    pedigrees = [c.children[0].text for c in jayden.children if c.tag == "FAMC"]
    assert pedigrees == ["BIRTH", "FOSTER"]


# As a genealogy program writes a family: names with a /surname/, full dates, a christening,
# an occupation, a source, and a couple with no marriage recorded.
GENEALOGY_FILE = """\
0 HEAD
1 GEDC
2 VERS 7.0
0 @I1@ INDI
1 NAME Dean /Walsh/
1 SEX M
1 BIRT
2 DATE 12 MAR 1985
1 OCCU Roofer
0 @I2@ INDI
1 NAME Shannon /Walsh/
1 SEX F
1 FAMS @F1@
0 @I3@ INDI
1 NAME Kayden /Walsh/
1 SEX M
1 CHR
2 DATE 2016
1 FAMC @F1@
2 PEDI ADOPTED
0 @I4@ INDI
1 NAME Keira /Walsh/
1 SEX X
1 FAMC @F1@
0 @F1@ FAM
1 HUSB @I1@
1 WIFE @I2@
1 CHIL @I3@
1 CHIL @I4@
0 @S1@ SOUR
1 TITL Parish register
0 TRLR
"""


def test_a_genealogy_programs_file_comes_in_and_what_it_cannot_hold_is_listed():
    imported = from_gedcom(GENEALOGY_FILE)
    genogram = imported.genogram
    assert [(p.id, p.name, p.gender, p.born) for p in genogram.people] == [
        ("DW", "Dean Walsh", Gender.MALE, 1985),
        ("SW", "Shannon Walsh", Gender.FEMALE, None),
        ("KW", "Kayden Walsh", Gender.MALE, None),
        ("KW2", "Keira Walsh", Gender.OTHER, None),
    ]
    assert [(c.child, c.parents, c.kind) for c in genogram.children] == [
        ("KW", ["DW", "SW"], ChildKind.ADOPTED),
        ("KW2", ["DW", "SW"], ChildKind.BIOLOGICAL),
    ]
    assert genogram.couples == []  # no marriage or partnership was recorded
    listed = "\n".join(imported.not_kept)
    for what in (
        "OCCU (occupation): Dean Walsh",
        "CHR (christening): Kayden Walsh",
        "SOUR record (source): @S1@",
        "the day and month of birth (the year is kept): Dean Walsh",
        "no couple line",
    ):
        assert what in listed
    assert len(imported.not_kept) == 5


def test_years_out_of_order_are_listed_and_the_rest_kept():
    text = to_gedcom(parse("A: Al, m, b1960\nB: Bo, f\nA = B").genogram)
    text = text.replace("1 DEAT", "").replace("1 _KEY A\n", "1 _KEY A\n1 DEAT\n2 DATE 1950\n")
    text = text.replace("1 MARR Y\n", "1 MARR Y\n2 DATE 2010\n1 DIV Y\n2 DATE 2001\n")
    imported = from_gedcom(text)
    al = imported.genogram.person("A")
    assert (al.born, al.died, al.deceased) == (1960, None, True)
    couple = imported.genogram.couples[0]
    assert (couple.status, couple.married, couple.divorced) == (CoupleStatus.DIVORCED, None, None)
    assert imported.not_kept == [
        "died 1950 (before the birth): Al",
        "the years married 2010, divorced 2001 (out of order, or outside 1850 to 2200): Al and Bo",
    ]


def test_the_couple_statuses_come_back_from_genealogy_events():
    statuses = [c.status for c in from_gedcom(to_gedcom(EXAMPLES["real-case"])).genogram.couples]
    assert statuses == [CoupleStatus.WIDOWED, CoupleStatus.DIVORCED, CoupleStatus.MARRIED]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("J: Jayden, m, 7\n", "line 1"),
        ("", "header"),
        ("0 HEAD\n1 GEDC\n2 VERS 7.0\n0 @I1@ INDI\n1 NAME\tTab\n0 TRLR\n", "line 5"),
    ],
)
def test_what_is_not_gedcom_is_refused_saying_where(text, said):
    with pytest.raises(NotGedcom, match=said):
        from_gedcom(text)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_case_goes_out_as_gedcom_and_into_a_planned_sessions_case(capsys, demo_store, tmp_path):
    store = ["--store", str(demo_store.root)]
    ged = tmp_path / "brooks.ged"
    code, _, _ = run(
        capsys, *store, "genogram", "demo-s1", "--case", "1", "--format", "ged", "-o", str(ged)
    )
    assert code == 0
    code, out, err = run(capsys, *store, "genogram", "demo-s3", "--case", "2", "--import", str(ged))
    assert (code, err) == (0, "")
    assert out.startswith("Case 2's genogram now holds 7 people, 3 couples")
    brought = demo_store.session("demo-s3").slots[1].genogram
    assert same_family(brought) == same_family(demo_store.session("demo-s1").slots[0].genogram)
    assert parse(brought.source).genogram == brought  # the notation says it all
    code, _, err = run(capsys, *store, "genogram", "demo-s3", "--case", "2", "--import", str(ged))
    assert code == 2 and "already has a genogram; add --replace" in err
    assert (
        run(
            capsys, *store, "genogram", "demo-s3", "--case", "2", "--import", str(ged), "--replace"
        )[0]
        == 0
    )


def test_a_closed_sessions_case_and_a_file_that_is_not_gedcom_are_refused(
    capsys, demo_store, tmp_path
):
    store = ["--store", str(demo_store.root)]
    before = demo_store.session("demo-s1")
    ged = tmp_path / "family.ged"
    ged.write_text(to_gedcom(EXAMPLES["twins"]))
    code, _, err = run(capsys, *store, "genogram", "demo-s1", "--import", str(ged), "--replace")
    assert code == 2 and "is closed: its minutes are the record" in err
    ged.write_text("J: Jayden, m, 7\n")
    code, _, err = run(capsys, *store, "genogram", "demo-s3", "--import", str(ged))
    assert code == 2 and err.startswith(f"groupsup: {ged}: is not GEDCOM 7 (line 1")
    assert len(err.splitlines()) == 1
    assert demo_store.session("demo-s1") == before
    assert demo_store.session("demo-s3").slots[0].genogram == Genogram()


def test_the_pseudonymised_gedcom_names_no_family(capsys, demo_store):
    from tests.test_pseudonymise import survivors

    for session_id, cases in (("demo-s1", 2), ("demo-s2", 1)):
        for case in range(1, cases + 1):
            code, out, err = run(
                capsys,
                "--store",
                str(demo_store.root),
                "genogram",
                session_id,
                "--case",
                str(case),
                "--format",
                "ged",
                "--pseudonymise",
            )
            assert code == 0 and err.startswith("Replaced: ")
            assert "INDI" in out
            assert survivors(DEMO_FAMILY_NAMES, {"ged": out}) == []
