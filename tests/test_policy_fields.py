"""What the policy asks the record to hold, typed on the run screen with no pause at all and read
back from the store field by field: the GRRAACCEESS at a personal level (7.3)."""

from __future__ import annotations

import html
import io
import re

import pytest
from pypdf import PdfReader

from groupsup.app import GroupSupApp
from groupsup.outputs import minutes
from groupsup.screens.run import RunScreen
from tests.test_filing import _all_word_text, _no_pango, _word
from tests.test_typeahead import burst, in_case_one, saved


@pytest.fixture
def app(demo_store, fake):
    return GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)


async def test_the_personal_level_typed_at_once(app, demo_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await in_case_one(pilot)
        await burst(pilot, "f3", "=I am a white man", "enter", "=Dad defers to me", "ctrl+s")
        assert isinstance(app.screen, RunScreen)
        await burst(pilot, "=Theme")  # the phase's field has the keys again
        await burst(pilot, "f3", "enter", "=Mum does not", "ctrl+s")
        assert "Mum does not" in str(app.screen.query_one("#personal-level").render())
    slot = saved(demo_store)["slots"][0]
    assert slot["grraacceess_notes"] == "I am a white man\nDad defers to me\nMum does not"
    assert slot["dilemma"].endswith("Theme")


async def test_escape_keeps_the_personal_level_as_it_was(app, demo_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await in_case_one(pilot)
        await burst(pilot, "f3", "=Kept", "ctrl+s", "f3", "=Not this", "escape")
    assert saved(demo_store)["slots"][0]["grraacceess_notes"] == "Kept"


def _said_in(written: str | bytes, form: minutes.Format) -> str:
    """What a reader sees of a document, as one line of plain text."""
    if form is minutes.Format.DOCX:
        written = _all_word_text(_word(written))
    elif form is minutes.Format.PDF:
        written = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(written)).pages)
    elif form is minutes.Format.HTML:
        written = html.unescape(re.sub(r"<[^>]+>", " ", written))
    return " ".join(str(written).split())


def _every_format():
    no_pango = pytest.mark.skipif(bool(_no_pango), reason=_no_pango)
    pdf = pytest.param(minutes.Format.PDF, marks=[pytest.mark.slow, no_pango])
    return [*(f for f in minutes.Format if f is not minutes.Format.PDF), pdf]


@pytest.mark.parametrize("form", _every_format())
def test_the_minutes_and_the_case_record_hold_the_personal_level(demo_store, form):
    session = demo_store.session("demo-s1")
    pod = demo_store.pod(session.pod_id)
    said = "where the men's voices dominate"
    assert said in _said_in(minutes.render(pod, session, form), form)
    if form is not minutes.Format.JSON:
        assert said in _said_in(minutes.render_case(pod, session, 1, form), form)
