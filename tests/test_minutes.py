"""Minutes carry everything captured, and user text comes out literally."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from html import unescape

import pytest
from markdown_it import MarkdownIt

from groupsup.domain.models import Hypothesis, NextStep, ResonanceNote, Safeguarding
from groupsup.outputs import minutes
from groupsup.store import demo

HOSTILE = [
    "# not a heading",
    "| not | a | table |",
    "*not emphasis* and __not strong__",
    "<script>alert('x')</script>",
    "[bold]not bold[/bold] and [red]x[/",
    "[link=https://example.org]click[/link]",
    "1. not a list",
    "- not a bullet",
    "&amp; stays as typed",
    "`not code`",
    "> not a quote",
    "back\\slash",
]


def _visible_text(markdown: str) -> str:
    """What a reader sees once the Markdown is rendered: HTML tags gone, entities decoded."""
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _demo(demo_store, session_id):
    session = demo_store.session(session_id)
    return demo_store.pod(session.pod_id), session


def test_markdown_minutes_hold_the_whole_record(demo_store):
    md = minutes.as_markdown(*_demo(demo_store, "demo-s1"))
    for expected in [
        "# Group reflective supervision: North Pod",
        "**OFFICIAL-SENSITIVE**",
        "| Date | 28 September 2026 |",
        "| Facilitator | Grace Mensah |",
        "| Present | Grace Mensah, Tom Whitaker, Priya Shah, Daniel Okoro, Hannah Kowalski |",
        "| Apologies | Leila Haddad |",
        "| Actual length | 2 h 55 min |",
        "## Case 1: CS-20418 (Brooks)",
        "- **Presenter:** Tom Whitaker",
        "- **Consultant:** Priya Shah",
        "- **Observers:** Daniel Okoro, Hannah Kowalski",
        "- **Category:** CP",
        "- **Professional anxiety:** high",
        "- **Time:** planned 50 min; actual 55 min (10:10 to 11:05)",
        "How do I keep Jayden's voice central when Mum's new partner dominates visits?",
        "| J | Jayden | male | 7 | index child |",
        "| GF | Ron | male | 1950 | died 2019 |",
        "| Marcus | Kelly | divorced | married 2017, divorced 2021 |",
        "Marcus = Kelly: married 2017, divorced 2021",
        "   - Offered by: Daniel Okoro\n   - GRRAACCEESS: gender, class",
        "- **Discussed:** gender, race, age, class",
        "- **Hannah Kowalski:** I have a dad who charms me on every visit.",
        "I can see I've been working around Ryan instead of with him.",
        "| Consider a legal planning meeting | Tom Whitaker | 19 October 2026 | needed | open |",
        "**A safeguarding concern was raised.**",
        "Missing-from-care procedure followed; return interview held.",
        "## Case 2: CS-31177 (Ahmed)",
    ]:
        assert expected in md, expected


def test_markdown_minutes_review_the_previous_next_steps(demo_store):
    md = minutes.as_markdown(*_demo(demo_store, "demo-s2"))
    assert (
        "| Consider a legal planning meeting | CS-20418 (Brooks) | Tom Whitaker | "
        "28 September 2026 | 19 October 2026 | needed | carried forward | Manager on leave. |"
    ) in md


def test_a_case_without_safeguarding_or_steps_says_so(demo_store):
    md = minutes.as_markdown(*_demo(demo_store, "demo-s3"))
    assert "No safeguarding concern was raised." in md
    assert md.count("### Next steps\n\n*None recorded.*") == 3


def test_json_minutes_are_the_complete_record(demo_store):
    pod, session = _demo(demo_store, "demo-s1")
    data = json.loads(minutes.as_json(pod, session))
    assert data["schema_version"] == 3
    assert data["pod"]["name"] == "North Pod"
    assert data["session"]["slots"][0]["genogram"]["couples"][1] == {
        "a": "F",
        "b": "M",
        "status": "divorced",
        "married": 2017,
        "separated": None,
        "divorced": 2021,
    }
    assert data["session"]["slots"][1]["safeguarding"]["concern"].startswith("Adam was missing")


def test_html_minutes_are_printable_and_carry_the_content(demo_store):
    html = minutes.as_html(*_demo(demo_store, "demo-s1"))
    assert "@page { size: A4;" in html
    assert "<h2>Case 1: CS-20418 (Brooks)</h2>" in html
    assert "<td>Consider a legal planning meeting</td>" in html
    assert "script-src" not in html and "default-src 'none'" in html


@pytest.mark.parametrize("hostile", HOSTILE)
def test_user_text_survives_literally(demo_store, hostile):
    pod, session = _demo(demo_store, "demo-s3")
    slot = session.slots[0]
    slot.dilemma = hostile
    slot.case_reference = hostile
    slot.hypotheses.append(Hypothesis(text=hostile, offered_by=demo.TOM, would_test=hostile))
    slot.resonance.append(ResonanceNote(observer=demo.DANIEL, text=hostile))
    slot.next_steps.append(NextStep(action=hostile, owner=demo.HANNAH))
    slot.safeguarding = Safeguarding(concern=hostile, action_taken=hostile)
    seen = _visible_text(minutes.as_markdown(pod, session))
    assert seen.count(" ".join(hostile.split())) >= 8
    html = minutes.as_html(pod, session)
    assert "<script>" not in html
    assert "<strong>not" not in html and "<em>not" not in html and "<h1>not" not in html


MINUTES_IN_A_FRESH_PROCESS = """
import sys
from pathlib import Path
from groupsup.outputs import minutes
from groupsup.store.folder import FolderStore
store = FolderStore(sys.argv[1])
session = store.session("demo-s1")
minutes.save_all(store.pod(session.pod_id), session, Path(sys.argv[2]))
"""


@pytest.mark.slow
def test_the_same_session_gives_byte_identical_minutes_in_every_run(demo_store, tmp_path):
    from groupsup.genogram.notation import parse

    session = demo_store.session("demo-s1")
    names = ["Ann", "Bo", "Cy", "Di", "Ed", "Fi", "Gus", "Hal"]
    people = "".join(f"{key}: {name}, x, 6\n" for key, name in zip("ABCDEFGH", names, strict=True))
    source = f"M: Mum, f\n{people}M > twins(A, B), identical(C, D), twins(E, F), twins(G, H)\n"
    session.slots[0].genogram = parse(source).genogram  # four twin groups, typed in this order
    demo_store.save_session(session)
    written = {}
    for seed in ("1", "2", "3"):  # each seed orders a set of strings differently
        folder = tmp_path / f"seed{seed}"
        run = subprocess.run(
            [sys.executable, "-c", MINUTES_IN_A_FRESH_PROCESS, str(demo_store.root), str(folder)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr
        written[seed] = {path.name: path.read_bytes() for path in sorted(folder.iterdir())}
    assert {name.rsplit(".", 1)[1] for name in written["1"]} == {"md", "json", "html", "dot"}
    assert written["1"] == written["2"] == written["3"]
    markdown = next(text for name, text in written["1"].items() if name.endswith(".md"))
    legend = [line for line in markdown.decode().splitlines() if line.endswith("twins")]
    assert legend == [
        "Ann and Bo: twins",
        "Cy and Di: identical twins",
        "Ed and Fi: twins",
        "Gus and Hal: twins",
        "Yusuf and Zara: twins",  # the demo's Ahmed case, later in the session
    ]


def test_line_breaks_render_in_commonmark_and_python_markdown(demo_store):
    import markdown as python_markdown

    pod, session = _demo(demo_store, "demo-s1")
    session.slots[0].history = "First line\nsecond line"
    md = minutes.as_markdown(pod, session)
    for rendered in (
        MarkdownIt("commonmark").enable("table").render(md),
        python_markdown.markdown(md, extensions=["tables"]),
    ):
        assert re.search(r"First line<br ?/?>\s*second line", rendered), rendered
        assert "line\\" not in rendered


def test_a_case_carried_over_says_so_and_still_shares_without_names():
    from groupsup.domain import planning
    from groupsup.outputs.pseudonymise import pseudonymise

    pod = demo.demo_pod()
    first = demo._first_session(dt.date(2026, 9, 28))
    planned = demo._planned_session(dt.date(2026, 11, 25))
    assert planning.carry_over(planned, planned.slots[2], [first])  # Ahmed, presented again
    md = minutes.as_markdown(pod, planned)
    assert "- **Carried over:** genogram and case history from the session of 28 September" in md
    assert "Samira" in md  # the family's genogram came with it
    shared = minutes.as_markdown(pod, pseudonymise(planned, pod=pod).session)
    assert "Carried over" in shared
    for name in ("Ahmed", "Samira", "Adam", "Yusuf", "Zara", "Linda", "Geoff"):
        assert name not in shared, name
