"""No stored text can act on a terminal: every command and the app show controls, never send
them; files keep the text exactly (issue 13)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re

import pytest
from conftest import DEMO_DAY, home_is_ready, screen_text
from textual.widgets import DataTable

from groupsup import cli
from groupsup.app import GroupSupApp
from groupsup.domain.models import (
    CaseSlot,
    Member,
    MinutesDocument,
    NextStep,
    Pod,
    Session,
    StepReview,
)
from groupsup.genogram.notation import parse
from groupsup.outputs.escaping import for_terminal
from groupsup.screens.forms import Confirm
from groupsup.screens.run import RunScreen

ATTACKS = {
    "clear": "\x1b[2J\x1b[H",
    "clipboard": "\x1b]52;c;SGVsbG8=\x07",
    "link": "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "bell": "\x07",
    "carriage return": "safe\rEVIL",
    "csi": "\x9b2J",
    "osc": "\x9d52;c;SGVsbG8=\x9c",
    "right to left": "\u202etxt.exe",
    "reset": "\x1bc",
}
HOSTILE = " ".join(ATTACKS.values())
# What must never reach a terminal: C0 but tab and newline, DEL, C1 and bidirectional controls.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def hostile_store(tmp_path):
    """A store made by importing minutes whose every text carries escape sequences."""
    pod = Pod(
        id="esc",
        name=f"Pod {HOSTILE}",
        facilitator="ana",
        members=[Member(id="ana", name=f"Ana {HOSTILE}"), Member(id="ben", name="Ben")],
    )
    genogram = parse(f"C: Kid {HOSTILE.replace(',', ' ')}, m, 7, index\n").genogram
    closed = Session(
        id="esc-1",
        pod_id="esc",
        date=DEMO_DAY,
        facilitator="ana",
        attendees=["ana", "ben"],
        status="closed",
        slots=[
            CaseSlot(
                presenter="ana",
                consultant="ben",
                case_reference=f"CS-1 {HOSTILE}",
                dilemma=HOSTILE,
                genogram=genogram,
                next_steps=[
                    NextStep(action=f"Visit {HOSTILE}", owner="ana", due=DEMO_DAY),
                ],
            )
        ],
    )
    planned = Session(
        id="esc-2",
        pod_id="esc",
        date=DEMO_DAY + dt.timedelta(days=28),
        facilitator="ana",
        attendees=["ana", "ben"],
        slots=[
            CaseSlot(
                presenter="ben",
                consultant="ana",
                case_reference=f"CS-2 {HOSTILE}",
                dilemma=HOSTILE,
                genogram=genogram,
            )
        ],
        review=[
            StepReview(
                step_id=closed.slots[0].next_steps[0].id,
                agreed_in="esc-1",
                agreed_on=DEMO_DAY,
                case_reference=f"CS-1 {HOSTILE}",
                action=f"Visit {HOSTILE}",
                note=HOSTILE,
            )
        ],
    )
    files = []
    for session in (closed, planned):
        path = tmp_path / f"{session.id}.json"
        path.write_text(MinutesDocument(pod=pod, session=session).model_dump_json())
        files.append(str(path))
    root = tmp_path / "store"
    assert cli.main(["--store", str(root), "import", *files]) == 0
    return root


COMMANDS = [
    ["list"],
    ["list", "--json"],
    ["actions"],
    ["actions", "--json"],
    ["genogram", "esc-1"],
    ["genogram", "esc-1", "--format", "dot"],
    ["genogram", "esc-1", "--format", "json"],
    ["genogram", "esc-1", "--format", "ged"],
    ["genogram", "esc-1", "--pseudonymise"],
    ["export", "esc-1", "--case", "1"],
    ["export", "esc-1", "--case", "1", "--format", "html"],
    ["report", "--from", "2026-01-01", "--to", "2026-12-31"],
    ["report", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "html"],
    ["report", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "json"],
    ["export", "esc-1"],
    ["export", "esc-1", "--format", "html"],
    ["export", "esc-1", "--format", "json"],
    ["export", "esc-2", "--pseudonymise"],
    ["export", f"no-such-{ATTACKS['clear']}"],
    ["genogram", "esc-1", "--format", f"dot{ATTACKS['clipboard']}"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c)[:40])
def test_no_command_sends_a_control_to_the_terminal(tmp_path, capsysbinary, command):
    root = hostile_store(tmp_path)
    capsysbinary.readouterr()
    with contextlib.suppress(SystemExit):  # argparse refuses a bad --format
        cli.main(["--store", str(root), *command])
    out, err = capsysbinary.readouterr()
    printed = (out + err).decode("utf-8")
    assert CONTROL.findall(printed) == []
    assert printed.strip()  # something was said: the text is shown, not dropped
    if "--json" in command or command[-1] == "json":
        json.loads(out)  # still JSON, with the controls as \u escapes
        assert "\\u001b" in out.decode() or "\\u009b" in out.decode()
    elif not err and command != ["genogram", "esc-1"]:  # a drawing leaves controls out
        assert "␛" in printed  # ESC is shown as its picture


def test_files_keep_the_text_exactly_and_markdown_shows_controls(tmp_path):
    root = hostile_store(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    for form in ("json", "md", "html"):
        argv = ["--store", str(root), "export", "esc-1", "--format", form]
        assert cli.main([*argv, "-o", str(out / f"m.{form}")]) == 0
    saved = json.loads((out / "m.json").read_text())
    assert saved["session"]["slots"][0]["dilemma"] == HOSTILE
    for form in ("md", "html"):
        written = (out / f"m.{form}").read_text()
        assert CONTROL.findall(written) == []
        assert "<U+009B>" in written.replace("\\", "") or "&lt;U+009B&gt;" in written
        assert "U+202E" in written and "U+009D" in written and "␛" in written


def test_a_gedcom_file_shows_the_controls_it_may_not_carry(tmp_path):
    """GEDCOM 7 bans controls in its text: they are shown as in Markdown, not a traceback."""
    import gedcom7

    root = hostile_store(tmp_path)
    path = tmp_path / "case.ged"
    argv = ["--store", str(root), "genogram", "esc-1", "--format", "ged", "-o", str(path)]
    assert cli.main(argv) == 0
    written = path.read_text()
    assert "1 NAME Kid ␛[2J␛[H ␛]52;c;SGVsbG8=␇ " in written
    gedcom7.loads(written)  # a genealogy program reads it


def test_for_terminal_shows_each_control():
    assert for_terminal("a\x1b[2Jb\x07\r\x9b\x9d\u202e\x7f\tc\n") == (
        "a␛[2Jb␇␍<U+009B><U+009D><U+202E>␡\tc\n"
    )


async def test_the_app_sends_no_control_to_the_terminal(tmp_path):
    root = hostile_store(tmp_path)
    app = GroupSupApp(root, bell=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await home_is_ready(pilot)
        home = screen_text(app)
        assert CONTROL.findall(home) == [] and "Pod ␛[2J" in home
        steps = app.screen.query_one("#open-steps", DataTable)
        assert steps.get_row_at(0)[3].plain.startswith("Visit ␛[2J␛[H")
        await pilot.press("r")  # the planned session: its opening review, with the step
        for _ in range(100):
            if isinstance(app.screen, Confirm):  # planned for a later day: run it today
                await pilot.press("enter")
            if isinstance(app.screen, RunScreen):
                break
            await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        await pilot.pause()
        assert CONTROL.findall(screen_text(app)) == []
        await pilot.press("ctrl+n")  # the case: header, dilemma in its editor, genogram
        await pilot.pause()
        shown = screen_text(app)
        assert CONTROL.findall(shown) == [] and "CS-2 ␛[2J" in shown
        await pilot.press("f2")
        await pilot.pause()
        assert CONTROL.findall(screen_text(app)) == []
