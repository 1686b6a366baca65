"""Hostile text in every field: nothing crashes, nothing is lost, nothing runs, all literal."""

from __future__ import annotations

import re
from html import unescape

import pytest
from conftest import DEMO_DAY, home_is_ready
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from textual.widgets import DataTable, Static

from groupsup.app import GroupSupApp
from groupsup.domain.models import (
    Hypothesis,
    Member,
    NextStep,
    ResonanceNote,
    Safeguarding,
    StepReview,
)
from groupsup.genogram.model import Genogram, Person
from groupsup.outputs import minutes
from groupsup.outputs.escaping import for_terminal
from groupsup.store import demo
from groupsup.store.folder import FolderStore
from groupsup.store.importing import import_files

NASTY = [
    "[bold]x[/]",
    "[/]",
    "[link=https://example.org]y[/link]",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "# heading",
    "| a | b |",
    "*x* _y_",
    "```",
    "&amp;",
    "\u202eright to left\u202c",
    "مرحبا بالعالم",
    "😀👨‍👩‍👧",
    "line\nbreak",
    "tab\there",
    "nul\x00bell\x07esc\x1b[31m",
    "x" * 100_000,
    "   ",
    "-",
    "1. one",
    "> quote",
    "\\",
]
text = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))
said = text.filter(lambda t: t.strip())  # fields that must not be empty


def visible(markdown: str) -> str:
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def plain(value: str) -> str:
    """What the minutes promise to keep of a text: every word in order, controls made visible."""
    return " ".join(for_terminal(value).split())


@st.composite
def hostile_sessions(draw):
    pod = demo.demo_pod()
    pod.name = draw(said)
    for member in pod.members:
        member.name = draw(said)
    session = demo._planned_session(DEMO_DAY)
    session.marking = draw(text)
    slot = session.slots[0]
    for field in (
        "case_reference",
        "dilemma",
        "presenting_issue",
        "history",
        "notes",
        "reflection",
        "grraacceess_notes",
    ):
        setattr(slot, field, draw(text))
    slot.hypotheses = [
        Hypothesis(text=draw(said), offered_by=demo.TOM, supports=draw(text), would_test=draw(text))
    ]
    slot.resonance = [ResonanceNote(observer=demo.GRACE, text=draw(said))]  # never blank
    slot.next_steps = [NextStep(action=draw(said), owner=demo.HANNAH)]
    slot.safeguarding = Safeguarding(concern=draw(said), action_taken=draw(text))
    slot.genogram = Genogram(
        source=draw(text),
        people=[Person(id="A", name=draw(text), notes=draw(text), index=True)],
    )
    session.review = [
        StepReview(
            step_id="s",
            agreed_in="x",
            agreed_on=session.date,
            action=draw(said),
            case_reference=draw(text),
            note=draw(text),
        )
    ]
    return pod, session


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(hostile_sessions())
def test_hostile_text_round_trips_and_renders_literally(tmp_path_factory, case):
    pod, session = case
    folder = tmp_path_factory.mktemp("hostile")
    exported = minutes.as_json(pod, session)
    path = folder / "minutes.json"
    path.write_text(exported, encoding="utf-8")
    store = FolderStore(folder / "store")
    assert import_files(store, [path]) == 1
    again = minutes.as_json(store.pod(pod.id), store.session(session.id))
    assert again == exported

    markdown = minutes.as_markdown(pod, session)
    html = minutes.as_html(pod, session)
    assert "<script" not in html.lower()
    # The only pictures are the genogram drawings, embedded by groupsup itself.
    assert html.lower().count("<img") == html.count('<img src="data:image/svg+xml;base64,')
    seen = visible(markdown)
    slot = session.slots[0]
    for value in (slot.dilemma, slot.hypotheses[0].text, slot.next_steps[0].action, pod.name):
        assert plain(value) in seen


MARKUP_NAME = "[bold]Odd[/] [link=x]y[/link] [0]"


async def test_names_that_look_like_markup_are_shown_literally(demo_store):
    pod = demo_store.pod("north-pod")
    pod.members.append(Member(id="odd", name=MARKUP_NAME))
    demo_store.save_pod(pod)
    session = demo_store.session("demo-s3")
    session.attendees.append("odd")
    session.slots[0].observers.append("odd")
    session.slots[0].case_reference = "[red]CS-1[/"
    demo_store.save_session(session)
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("m")
        await pilot.pause()
        cells = [
            app.screen.query_one("#members", DataTable).get_row_at(i)[0].plain for i in range(7)
        ]
        assert MARKUP_NAME in cells
        await pilot.press("escape", "tab", "enter")  # the planned session
        await pilot.pause()
        slots = app.screen.query_one("#slots", DataTable)
        assert slots.get_row_at(0)[3].plain == "[red]CS-1[/"
        await pilot.press("shift+tab", "r")  # from the date (the plan's first field) to the cases
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        roles = str(app.screen.query_one("#roles-line", Static).render())
        assert roles.endswith(f"Leila Haddad, {MARKUP_NAME}")
        case_line = str(app.screen.query_one("#case-line", Static).render())
        assert case_line.startswith("Case 1 of 3: [red]CS-1[/ · CP")


def test_a_field_of_only_a_control_character_is_shown_not_called_not_recorded():
    pod, session = demo.demo_pod(), demo._planned_session(DEMO_DAY)
    session.slots[0].dilemma = "\x1f"  # a unit separator: whitespace to Python, not to a reader
    assert plain("\x1f") in visible(minutes.as_markdown(pod, session))
