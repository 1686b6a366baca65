"""The genogram as a picture: SVG from the text drawing's layout, in HTML, PDF and Word."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTCurve, LTTextContainer

from groupsup.genogram.model import Child, Couple, Gender, Genogram, Person
from groupsup.genogram.svg import to_svg
from groupsup.outputs import html, word
from groupsup.outputs.document import Document, GenogramFigure
from groupsup.store import demo
from tests.domain.test_genogram import genograms
from tests.test_filing import needs_pango

SVG = "{http://www.w3.org/2000/svg}"


def _people(svg: str) -> list[ET.Element]:
    return [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "person"]


def _x(group: ET.Element) -> float:
    shape = group[1]  # after the title
    return float(shape.get("x") or shape.get("cx") or shape.get("d").split(",")[0][1:])


def test_the_svg_has_one_symbol_per_person_in_mcgoldricks_shapes():
    genogram = demo.brooks_genogram()
    svg = to_svg(genogram, "Case 1")
    people = {g.get("data-key"): g for g in _people(svg)}
    assert sorted(people) == sorted(p.id for p in genogram.people)
    assert people["M"][1].tag == f"{SVG}circle"  # Kelly, female
    assert people["F"][1].tag == f"{SVG}rect"  # Marcus, male
    assert len([c for c in people["J"] if c.tag == f"{SVG}rect"]) == 2  # the index child, doubled
    assert any(c.tag == f"{SVG}path" for c in people["GF"])  # Ron's cross: he died
    assert _x(people["J"]) < _x(people["Mi"])  # Jayden (7) before Mia (2): oldest first
    root = ET.fromstring(svg)
    assert [r.get("class") for r in root.iter(f"{SVG}rect") if r.get("class")] == ["household"]
    assert len([p for p in root.iter(f"{SVG}path") if p.get("class") == "relationship"]) == 2


def test_names_are_text_in_the_svg_not_markup():
    genogram = Genogram(people=[Person(id="A", name='<b>&"x"</b>')])
    svg = to_svg(genogram, "Case <1>")
    root = ET.fromstring(svg)
    assert '<b>&"x"</b>' in [t.text for t in root.iter(f"{SVG}text")]
    assert [t.text for t in root.iter(f"{SVG}title")] == ["Case <1>", '<b>&"x"</b>']
    assert "<b>" not in svg


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(genograms())
def test_any_genogram_makes_an_svg_with_everyone(genogram):
    keys = [g.get("data-key") for g in _people(to_svg(genogram))]
    assert sorted(keys) == sorted(p.id for p in genogram.people)


def _forty() -> Genogram:
    people = [
        Person(id=f"P{i}", name=f"Person {i}", gender=Gender(["female", "male"][i % 2]), age=80 - i)
        for i in range(40)
    ]
    couples = [Couple(a=f"P{i}", b=f"P{i + 1}") for i in range(0, 12, 2)]
    children = [
        Child(child=f"P{12 + j}", parents=[f"P{(j % 6) * 2}", f"P{(j % 6) * 2 + 1}"])
        for j in range(28)
    ]
    return Genogram(people=people, couples=couples, children=children)


def _wide_document() -> Document:
    return Document("Wide family", "OFFICIAL-SENSITIVE", [GenogramFigure(_forty(), "People")])


def test_html_shows_the_svg_scaled_to_the_page_with_the_people_table():
    page = html.render(_wide_document())
    assert '<img src="data:image/svg+xml;base64,' in page
    assert "figure.genogram img { max-width: 100%; height: auto; }" in page
    assert "<caption>People</caption>" in page and '<th scope="col">Name</th>' in page
    assert "<pre" not in page  # no box-drawing text for a screen reader to spell out


@needs_pango
def test_a_forty_person_genogram_fits_the_pdf_page_width():
    from groupsup.outputs import pdf

    assert int(ET.fromstring(to_svg(_forty())).get("width")) > 700  # wider than A4 unscaled
    page = next(extract_pages(io.BytesIO(pdf.render(_wide_document()))))
    drawn = [e for e in page if isinstance(e, LTCurve | LTTextContainer)]
    assert len([e for e in drawn if isinstance(e, LTCurve)]) > 40  # the symbols and lines
    for element in drawn:
        assert element.x0 >= 0 and element.x1 <= page.width, element


@pytest.mark.slow  # writes Word and PDF files
def test_word_holds_the_genogram_as_a_picture_within_the_text_width():
    document = docx.Document(io.BytesIO(word.render(_wide_document())))
    pictures = document.inline_shapes
    assert len(pictures) == 1
    assert pictures[0].width <= word.TEXT_WIDTH
    assert document.tables[0].rows[1].cells[1].text == "Person 0"
