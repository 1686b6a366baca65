"""What the policy asks the record to hold, typed on the run screen with no pause at all and read
back from the store field by field: the GRRAACCEESS at a personal level (7.3), the history a
carried next step brings to its review, the welfare check-in that opens a session (11.3), the
child's voice, the alternatives considered (section 8) and why a step needs manager sign-off."""

from __future__ import annotations

import html
import io
import json
import re

import pytest
from pypdf import PdfReader
from textual.widgets import DataTable

from groupsup.app import GroupSupApp
from groupsup.cli import main
from groupsup.domain.models import REASON_WITHOUT_SIGNOFF
from groupsup.outputs import minutes
from groupsup.screens.forms import NextStepForm, ReviewForm
from groupsup.screens.home import HomeScreen
from groupsup.screens.run import RunScreen
from tests.conftest import home_is_ready, until
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
        pages = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(written)).pages)
        written = re.sub(r"-\s+", "-", pages)  # a table cell breaks 'pre-proceedings' at its '-'
    elif form is minutes.Format.HTML:
        written = html.unescape(re.sub(r"<[^>]+>", " ", written))
    return " ".join(str(written).split())


def _every_format():
    no_pango = pytest.mark.skipif(bool(_no_pango), reason=_no_pango)
    pdf = pytest.param(minutes.Format.PDF, marks=[pytest.mark.slow, no_pango])
    docx = pytest.param(minutes.Format.DOCX, marks=pytest.mark.slow)  # seconds to write
    quick = [f for f in minutes.Format if f not in (minutes.Format.PDF, minutes.Format.DOCX)]
    return [*quick, docx, pdf]


@pytest.mark.parametrize("form", _every_format())
def test_the_minutes_and_the_case_record_hold_the_personal_level(demo_store, form):
    session = demo_store.session("demo-s1")
    pod = demo_store.pod(session.pod_id)
    said = "where the men's voices dominate"
    assert said in _said_in(minutes.render(pod, session, form), form)
    if form is not minutes.Format.JSON:
        assert said in _said_in(minutes.render_case(pod, session, 1, form), form)


# -- the review carries its history (issue 12, item 6) -----------------------------------------

AHMED_STEP = "partly", "One visit held."  # how demo-s2's review left a step of demo-s1


REVIEW_COLUMNS = ("Owner", "Due", "Sign-off", "Status", "Action", "Case", "Note")


def _review_row(table: DataTable, action: str) -> tuple[int, dict[str, str]]:
    """The review table's row for `action` (shown whole, or cut short with "…" at 80×24): its
    number and its cells by column."""
    for n in range(table.row_count):
        row = dict(zip(REVIEW_COLUMNS, (str(cell) for cell in table.get_row_at(n)), strict=True))
        shown = row["Action"]
        if shown == action or (shown.endswith("…") and action.startswith(shown[:-1])):
            return n, row
    raise AssertionError(f"no review row for {action!r}")


async def _home_step(pilot, action: str) -> tuple[str, str]:
    """A step on home: its status, and the line under the table when its row is chosen."""
    table = pilot.app.screen.query_one("#open-steps", DataTable)
    actions = [str(table.get_row_at(n)[3]) for n in range(table.row_count)]
    table.move_cursor(row=actions.index(action))
    await pilot.pause()
    status = str(table.get_row_at(actions.index(action))[2])
    return status, str(pilot.app.screen.query_one("#step-note").render())


def _actions(demo_store, capsys) -> dict[str, tuple[str, str, bool]]:
    main(["--store", str(demo_store.root), "actions", "--json"])
    rows = json.loads(capsys.readouterr().out)
    return {row["action"]: (row["status"], row["note"], row["manager_signoff"]) for row in rows}


async def _review_line(pilot, action: str) -> None:
    """Open the review dialog on the step whose action is `action`."""
    table = pilot.app.screen.query_one("#review-table", DataTable)
    table.focus()  # the opening starts in the welfare check-in
    table.move_cursor(row=_review_row(table, action)[0])
    await burst(pilot, "enter")


async def test_a_carried_step_shows_its_last_review_until_reviewed_again(
    app, demo_store, fake, capsys
):
    session = demo_store.session("demo-s2")
    [action] = [r.action for r in session.review if (r.status.value, r.note) == AHMED_STEP]
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        assert await _home_step(pilot, action) == ("partly", "Latest note: One visit held.")
        await burst(pilot, "r")  # demo-s3 opens: the step is carried into its review
        _, row = _review_row(app.screen.query_one("#review-table", DataTable), action)
        assert (row["Sign-off"], row["Status"], row["Note"]) == (
            "",
            "partly (last time)",
            "One visit held.",
        )
        await _review_line(pilot, action)
        assert isinstance(app.screen, ReviewForm)
        said = " ".join(str(s.render()) for s in app.screen.query(".hint"))
        assert "Last reviewed 26 October 2026: partly. One visit held." in said
        assert "Due " in said and "no manager sign-off" in said
        await burst(pilot, "escape", "escape")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
        await home_is_ready(pilot)
        # not reviewed again yet
        assert await _home_step(pilot, action) == ("partly", "Latest note: One visit held.")
    assert _actions(demo_store, capsys)[action] == (*AHMED_STEP, False)
    app = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        await burst(pilot, "r")
        await _review_line(pilot, action)
        await burst(pilot, "n", "tab", "=Family moved away", "enter")
        await burst(pilot, "escape")
        await home_is_ready(pilot)
        assert await _home_step(pilot, action) == ("not done", "Latest note: Family moved away")
    assert _actions(demo_store, capsys)[action] == ("not done", "Family moved away", False)


async def test_a_carried_step_shows_it_needs_manager_signoff(app, demo_store, capsys):
    [step] = [s for s in demo_store.session("demo-s1").slots[0].next_steps if s.needs_signoff]
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        assert await _home_step(pilot, step.action) == (
            "carried forward",
            "Needs manager sign-off. Latest note: Manager on leave.",
        )
        await burst(pilot, "r")
        await _review_line(pilot, step.action)
        said = " ".join(str(s.render()) for s in app.screen.query(".hint"))
        assert "needs manager sign-off" in said and "Manager on leave." in said
    assert _actions(demo_store, capsys)[step.action] == (
        "carried forward",
        "Manager on leave.",
        True,
    )


# -- policy fields (issue 12, item 10) ----------------------------------------------------------


async def test_the_welfare_check_in_opens_the_session(app, demo_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await burst(pilot, "r", "=All here; Tom is tired", "enter", "=Priya back from leave")
        await burst(pilot, "tab", "enter", "d", "enter")
        assert isinstance(app.screen, RunScreen)
    session = saved(demo_store)
    assert session["welfare_checkin"] == "All here; Tom is tired\nPriya back from leave"
    assert session["review"][0]["status"] == "done"


async def test_the_childs_voice_and_the_alternatives_typed_at_once(app, demo_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await in_case_one(pilot)
        await burst(pilot, "=Dilemma", "tab", "=Issue", "tab", "=History", "tab")
        await burst(pilot, "=Wants to stay with Nan", "ctrl+n", "=Asked about school", "tab")
        await burst(pilot, "=Kinship care; a family group conference")
    slot = saved(demo_store)["slots"][0]
    assert (slot["dilemma"], slot["presenting_issue"], slot["history"]) == (
        "Dilemma",
        "Issue",
        "History",
    )
    assert slot["childs_voice"] == "Wants to stay with Nan"
    assert slot["notes"] == "Asked about school"
    assert slot["alternatives"] == "Kinship care; a family group conference"


async def test_a_signoff_reason_typed_at_once_and_refused_without_the_tick(app, demo_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await in_case_one(pilot)
        await burst(
            pilot,
            *("ctrl+f", "=Convene a strategy meeting", "tab", "tab", "tab", "space", "tab"),
            *("=Threshold for a section 47 enquiry", "enter"),
            *("ctrl+f", "=Ask about PLO", "tab", "tab", "tab", "tab", "=Legal gateway", "enter"),
        )
        form = app.screen
        assert isinstance(form, NextStepForm)  # a reason, and the tick not ticked
        assert str(form.query_one("#problem").render()) == REASON_WITHOUT_SIGNOFF
        assert form.value("signoff-reason") == "Legal gateway"  # what was typed is kept
        await burst(pilot, "shift+tab", "space", "enter")
        assert isinstance(app.screen, RunScreen)
    first, second = saved(demo_store)["slots"][0]["next_steps"]
    assert (first["action"], first["needs_signoff"]) == ("Convene a strategy meeting", True)
    assert first["signoff_reason"] == "Threshold for a section 47 enquiry"
    assert (second["action"], second["needs_signoff"]) == ("Ask about PLO", True)
    assert second["signoff_reason"] == "Legal gateway"


@pytest.fixture
def recorded(demo_store):
    """demo-s1 with every policy field said, each in words found nowhere else."""
    session = demo_store.session("demo-s1")
    session.welfare_checkin = "Everyone well; Daniel moving house"
    slot = session.slots[0]
    slot.childs_voice = "Jayden says he feels safest at Nan's"
    slot.alternatives = "Kinship assessment or a family group conference"
    step = slot.next_steps[0]
    step.needs_signoff, step.signoff_reason = True, "Entering pre-proceedings"
    return demo_store.pod(session.pod_id), session


@pytest.mark.parametrize("form", _every_format())
def test_the_minutes_hold_the_policy_fields_and_the_case_record_all_but_welfare(recorded, form):
    pod, session = recorded
    said = [
        "Jayden says he feels safest at Nan",
        "Kinship assessment or a family group conference",
        "Entering pre-proceedings",
    ]
    written = _said_in(minutes.render(pod, session, form), form)
    assert all(words in written for words in [*said, "Everyone well; Daniel moving house"])
    if form is not minutes.Format.JSON:
        record = _said_in(minutes.render_case(pod, session, 1, form), form)
        assert all(words in record for words in said)
        assert "Daniel moving house" not in record  # the workers' welfare is not the child's


def test_the_json_schema_describes_the_policy_fields(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)["$defs"]
    assert "welfare_checkin" in schema["Session"]["properties"]
    assert {"childs_voice", "alternatives"} <= set(schema["CaseSlot"]["properties"])
    assert "signoff_reason" in schema["NextStep"]["properties"]


async def test_the_review_leaves_the_status_to_the_facilitator(app, demo_store):
    """Nothing is chosen for a step not reviewed before: Enter with only a note says so in one
    line and keeps the note; the status the facilitator then chooses is the one saved."""
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        await burst(pilot, "r")
        [first] = [r for r in saved(demo_store)["review"] if r["last_status"] is None][:1]
        await _review_line(pilot, first["action"])
        await burst(pilot, "tab", "=Visited twice", "enter")
        assert isinstance(app.screen, ReviewForm)
        assert "Choose how the step stands" in str(app.screen.query_one("#problem").render())
        assert app.screen.query_one("#note").value == "Visited twice"
        await burst(pilot, "shift+tab", "p", "enter")
        assert isinstance(app.screen, RunScreen)
    [review] = [r for r in saved(demo_store)["review"] if r["step_id"] == first["step_id"]]
    assert (review["status"], review["note"]) == ("partly", "Visited twice")
