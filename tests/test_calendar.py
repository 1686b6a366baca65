"""The calendar carries the pod, the kind of event, owners, and a session's time and place:
no family name, case reference or next step's words, read back with icalendar."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from icalendar import Calendar

from groupsup.cli import main
from groupsup.domain.dates import parse_time


def _family_text(store) -> set[str]:
    words = set()
    for summary in store.summaries():
        for slot in store.session(summary.id).slots:
            words.update(p.name for p in slot.genogram.people if p.name)
            words.add(slot.case_reference)
            words.update(step.action for step in slot.next_steps)
    return words - {""}


def test_a_calendar_names_no_family_and_has_the_sessions_time_and_place(
    demo_store, tmp_path, capsys
):
    session = demo_store.session("demo-s3")
    session.starts_at, session.place = dt.time(9, 30), "Room 4, Civic Centre"
    demo_store.save_session(session)
    target = tmp_path / "north.ics"
    assert main(["calendar", "-o", str(target), "--store", str(demo_store.root)]) == 0
    ics = target.read_text()
    for word in _family_text(demo_store):
        assert word not in ics, word
    calendar = Calendar.from_ical(ics)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    planned = events["session-demo-s3@groupsup"]
    assert str(planned["summary"]) == "North Pod: group reflective supervision"
    start = planned.decoded("dtstart")
    assert start == dt.datetime.combine(session.date, dt.time(9, 30)).astimezone(dt.UTC)
    assert planned.decoded("dtend") - start == dt.timedelta(minutes=session.planned_minutes)
    assert str(planned["location"]) == "Room 4, Civic Centre"
    steps = [e for uid, e in events.items() if uid.startswith("step-")]
    members = {m.name for m in demo_store.pod("north-pod").members}
    owners = {str(e["summary"]).removeprefix("North Pod: next step due (")[:-1] for e in steps}
    assert steps and owners <= members  # the title is the pod, the kind and the owner only


def test_without_o_the_calendar_goes_to_the_exports_folder_not_here(
    demo_store, tmp_path, monkeypatch, capsys
):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    assert main(["calendar", "--store", str(demo_store.root)]) == 0
    written = demo_store.root / "exports" / "groupsup.ics"
    assert capsys.readouterr().out.endswith(f"events to {written}.\n")
    assert written.exists() and list(here.iterdir()) == []


def test_a_start_time_is_typed_as_a_facilitator_would():
    assert parse_time("9.30") == dt.time(9, 30)
    assert parse_time(" 14:05 ") == dt.time(14, 5)
    assert parse_time("") is None


async def test_the_plan_takes_a_start_time_and_a_place(demo_store):
    from textual.widgets import Input

    from groupsup.app import GroupSupApp
    from groupsup.screens.plan import PlanScreen

    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        session = app.store.session("demo-s3")  # as home reads it: its revision is known
        await app.push_screen(PlanScreen(app.store.pod(session.pod_id), session))
        await pilot.pause()
        app.screen.query_one("#starts", Input).focus()
        await pilot.press(*"14:05")
        app.screen.query_one("#place", Input).focus()
        await pilot.press(*"Room 4")
        await pilot.pause()
    saved = demo_store.session("demo-s3")
    assert (saved.starts_at, saved.place) == (dt.time(14, 5), "Room 4")


def test_a_damaged_planned_session_stops_the_calendar_naming_its_file(demo_store, tmp_path, capsys):
    """Never a calendar silently missing a session: the damaged file is named, exit 1."""
    planned = demo_store.sessions_folder / "demo-s3.json"
    planned.write_bytes(planned.read_bytes()[:200])  # cut short, as by a full disk
    target = tmp_path / "north.ics"
    assert main(["calendar", "-o", str(target), "--store", str(demo_store.root)]) == 1
    err = capsys.readouterr().err
    assert str(planned) in err and len(err.strip().splitlines()) == 1
    assert not target.exists()


def test_the_calendar_keeps_the_due_dates_of_a_damaged_past_session(demo_store, tmp_path, capsys):
    """A past session's steps come from the open-steps index, so damage to its file since
    hides none of them."""
    target = tmp_path / "north.ics"
    assert main(["calendar", "-o", str(target), "--store", str(demo_store.root)]) == 0
    whole = target.read_bytes()
    past = demo_store.sessions_folder / "demo-s2.json"
    past.write_bytes(past.read_bytes()[:200])
    assert main(["calendar", "-o", str(target), "--store", str(demo_store.root)]) == 0
    assert _uids(target.read_bytes()) == _uids(whole)


def _uids(ics: bytes) -> list[str]:
    return sorted(str(event["uid"]) for event in Calendar.from_ical(ics).walk("VEVENT"))


@pytest.mark.parametrize(
    ("field", "value"),
    [("date", "someday"), ("starts_at", 9), ("planned_minutes", "long"), ("id", "demo-s1")],
)
def test_a_planned_session_of_the_wrong_shape_stops_the_calendar(
    demo_store, tmp_path, capsys, field, value
):
    """The calendar reads only what it needs of a planned session, and checks each of those."""
    path = demo_store.sessions_folder / "demo-s3.json"
    data = json.loads(path.read_bytes())
    data["record"]["1"]["session"][field] = value
    path.write_text(json.dumps(data))
    target = tmp_path / "north.ics"
    assert main(["calendar", "-o", str(target), "--store", str(demo_store.root)]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and len(err.strip().splitlines()) == 1
    assert not target.exists()


def test_the_calendar_loads_no_session_model(demo_store, tmp_path):
    """It starts as quickly as `actions`: pods, open steps and planned sessions are read as the
    store's light rows, never validated whole with pydantic (the slow part of starting)."""
    target = tmp_path / "north.ics"
    code = (
        "import sys; from groupsup.cli import main; "
        f"code = main(['calendar', '-o', {str(target)!r}, '--store', {str(demo_store.root)!r}]); "
        "print(code, 'pydantic' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout.splitlines()[-1] == "0 False", run.stderr
    assert _uids(target.read_bytes())


def test_text_in_the_calendar_reads_back_exactly(demo_store, tmp_path):
    """Escaped and folded as RFC 5545 says: long lines, many-byte letters, commas,
    semicolons, backslashes and line ends; a terminal control is left out."""
    pod = demo_store.pod("north-pod")
    pod.name = "Pôd Nörth; the \\ one, with a name " + "ŵ" * 60 + "\n\x1b[2J \u202e\x9b end"
    demo_store.save_pod(pod)
    session = demo_store.session("demo-s3")
    session.place = "Room 4; Civic Centre, " + "é" * 80
    demo_store.save_session(session)
    target = tmp_path / "north.ics"
    assert main(["calendar", "-o", str(target), "--store", str(demo_store.root)]) == 0
    raw = target.read_bytes()
    assert b"\x1b" not in raw
    # (C1 controls and bidirectional overrides, which reorder what a calendar shows, too)
    assert "\u202e".encode() not in raw and "\x9b".encode() not in raw
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    [planned] = [
        e for e in Calendar.from_ical(raw).walk("VEVENT") if str(e["uid"]).startswith("session-")
    ]
    assert str(planned["summary"]) == (
        pod.name.replace("\x1b", "").replace("\u202e", "").replace("\x9b", "")
        + ": group reflective supervision"
    )
    assert str(planned["location"]) == session.place
