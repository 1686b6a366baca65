"""Follow-through across months: carry-forward, rotation, the pod's record, the calendar."""

from __future__ import annotations

import datetime as dt
import json
import shutil

from conftest import home_is_ready, until
from icalendar import Calendar

from groupsup.cli import main
from groupsup.domain import followup, planning
from groupsup.domain.models import StepStatus
from groupsup.outputs import report

TODAY = dt.date(2026, 1, 20)


def _west(store):
    return store.pod("west"), store.sessions("west")


def _record(store, start, end):
    """The report as `groupsup report` makes it: from the store's facts of closed sessions."""
    pod = store.pod("west").model_dump(mode="json")
    return report.build(pod, store.report_facts("west"), start, end, TODAY)


def test_a_step_carries_forward_through_three_sessions_with_its_history(west_store):
    _, sessions = _west(west_store)
    tracked = {t.step.id: t for t in followup.track(sessions)}
    step = tracked["step-1"]
    assert step.session.id == "west-01" and step.slot.title == "W-1-A"
    history = [(s.id, r.status) for s, r in step.reviews]
    assert history == [
        ("west-02", StepStatus.CARRIED_FORWARD),
        ("west-03", StepStatus.CARRIED_FORWARD),
        ("west-04", StepStatus.DONE),
    ]
    assert not step.is_open
    assert "step-1" not in {r.step_id for r in west_store.session("west-05").review}


def test_open_steps_reach_the_planned_sessions_review(west_store):
    planned = west_store.session("west-11")
    assert [r.step_id for r in planned.review] == [
        "step-2",
        "step-4",
        "step-5",
        "step-7",
        "step-8",
        "step-10",
    ]
    assert all(r.status is StepStatus.OPEN for r in planned.review)
    assert planned.review[0].agreed_on == dt.date(2025, 3, 15)


def test_the_report_over_twelve_months(west_store):
    built = _record(west_store, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert (built.months, built.sessions_held) == (12, 11)
    assert built.presentations == {"Ana": 6, "Ben": 8, "Cat": 3, "Dan": 3, "Eve": 2, "Fay": 0}
    assert built.never_presented == ["Fay"]
    assert built.cases_by_category == {
        "CP": 11,
        "complex CIN": 0,
        "CIN": 6,
        "CLA": 5,
        "care leaver": 0,
        "other": 0,
    }
    assert {k: v for k, v in built.lenses_used.items() if v} == {"gender": 11, "race": 11, "age": 6}
    assert built.lenses_never_used == [
        "religion",
        "ability",
        "class",
        "culture",
        "ethnicity",
        "education",
        "sexuality",
        "spirituality",
    ]
    assert built.steps == {
        "agreed": 11,
        "done": 5,
        "no longer needed": 0,
        "still open": 6,
        "overdue": 6,
        "needing manager sign-off": 1,
    }
    assert [(c.date, c.action_taken) for c in built.concerns] == [
        (dt.date(2025, 5, 15), "Referral made"),
        (dt.date(2025, 9, 15), ""),
    ]


def test_a_shorter_period_counts_only_its_sessions(west_store):
    built = _record(west_store, dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    assert (built.months, built.sessions_held) == (3, 2)  # July and September, no August
    assert built.presentations == {"Ana": 1, "Ben": 1, "Cat": 0, "Dan": 1, "Eve": 1, "Fay": 0}
    assert built.steps["agreed"] == 2


def test_a_new_pods_record_expects_sessions_from_its_first_and_not_the_facilitator():
    pod = {
        "id": "new",
        "name": "New Pod",
        "facilitator": "gia",
        "members": [{"id": m, "name": m.title()} for m in ("gia", "hal", "ivy")],
    }
    first = {
        "id": "new-1",
        "pod_id": "new",
        "date": "2025-12-10",
        "cases": [{"presenter": "hal", "category": "CP"}],
        "lenses": [],
        "steps": [],
        "reviews": [],
        "concerns": [],
    }
    built = report.build(pod, [first], dt.date(2025, 2, 1), dt.date(2026, 1, 31), TODAY)
    assert (built.sessions_held, built.months) == (1, 2)  # December and January, not twelve
    assert built.never_presented == ["Ivy"]  # Gia facilitates
    assert "- Held: 1 of 2 expected (one a month): 50%" in report.as_markdown(built)
    nothing = report.build(pod, [], dt.date(2025, 2, 1), dt.date(2026, 1, 31), TODAY)
    assert nothing.months == 0 and "- Held: 0 of 0 expected (one a month): n/a" in (
        report.as_markdown(nothing)
    )


def test_a_period_running_past_today_expects_no_month_still_to_come(west_store):
    # TODAY is 20 January 2026: February to May have not happened, so no session is owed
    built = _record(west_store, dt.date(2025, 10, 1), dt.date(2026, 5, 31))
    assert built.months == 4  # October to January
    assert "- Held: 3 of 4 expected (one a month): 75%" in report.as_markdown(built)
    later = _record(west_store, dt.date(2026, 3, 1), dt.date(2026, 6, 30))
    assert (later.months, later.sessions_held) == (0, 0)


def test_report_markdown_draws_charts_and_flags_missing_actions(west_store):
    text = report.as_markdown(_record(west_store, dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    assert "- Held: 11 of 12 expected (one a month): 92%" in text
    assert "Ben  ████████████████████████ 8" in text
    assert "Fay  ························ 0" in text
    assert "| 15 September 2025 | W-7-A | Concern in session 7 | **not recorded** |" in text


def _roles(store):
    """Who held which role in each of the west pod's sessions, as the plan reads them."""
    return store.pod("west"), store.session_roles([s.id for s in store.summaries("west")])[0]


def test_presenters_are_suggested_longest_waiting_first_then_by_priority(west_store):
    pod, sessions = _roles(west_store)
    suggestions = planning.suggest_presenters(pod, sessions)
    assert [s.member_id for s in suggestions] == ["fay", "eve", "cat", "ben", "dan", "ana"]
    assert suggestions[0].reason == "has not presented yet"
    assert suggestions[2].reason == "last presented on 2025-11-15 (CP case W-9-A)"


def test_consultants_are_suggested_who_have_not_consulted_for_the_presenter(west_store):
    pod, sessions = _roles(west_store)
    suggestions = planning.suggest_consultants(pod, sessions, "ben")
    assert [s.member_id for s in suggestions] == ["dan", "eve", "fay", "ana", "cat"]
    assert suggestions[0].reason == "has not consulted for Ben yet"
    assert suggestions[-1].reason == "last consulted for Ben on 2025-11-15"


def test_actions_command_filters_by_owner_and_overdue(west_store, capsys):
    code = main(["--store", str(west_store.root), "actions", "--owner", "EVE", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [(r["action"], r["status"], r["case"]) for r in rows] == [
        # carried forward by a later session; the planned one has not reviewed it yet
        ("Step from session 7", "carried forward", "W-7-A"),
    ]
    main(["--store", str(west_store.root), "actions", "--pod", "west pod", "--overdue"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6 and all(line.startswith("OVERDUE 2025-") for line in lines)


def test_report_command_rejects_a_backwards_period(west_store, capsys):
    code = main(
        ["--store", str(west_store.root), "report", "--from", "2025-12-01", "--to", "2025-01-01"]
    )
    assert code == 2
    assert capsys.readouterr().err == (
        "groupsup: --from 2025-12-01 is after --to 2025-01-01; swap them.\n"
    )


def test_calendar_parses_back_with_the_sessions_and_due_dates(west_store, tmp_path, capsys):
    target = tmp_path / "west.ics"
    assert main(["--store", str(west_store.root), "calendar", "-o", str(target)]) == 0
    assert capsys.readouterr().out == f"Wrote 7 events to {target}.\n"
    calendar = Calendar.from_ical(target.read_bytes())
    events = {str(e["summary"]): e.decoded("dtstart") for e in calendar.walk("VEVENT")}
    assert events["West Pod: group reflective supervision"] == dt.date(2026, 1, 15)
    assert events["West Pod: next step due (Eve)"] == dt.date(2025, 9, 29)
    assert len(calendar.walk("VEVENT")) == 7
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_report_command_works_from_facts_made_again_for_an_older_store(west_store, capsys):
    shutil.rmtree(west_store.root / "facts")  # as a store from before the facts files
    code = main(
        [
            "--store",
            str(west_store.root),
            "report",
            "--pod",
            "West Pod",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
            "--format",
            "json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["sessions"] == {"held": 11, "expected": 12, "not_held": []}
    assert data["presentations"]["Ben"] == 8 and data["never_presented"] == ["Fay"]
    assert data["next_steps"]["done"] == 5 and data["next_steps"]["still open"] == 6
    assert len(west_store.report_facts("west")) == 11


async def test_the_record_screen_shows_the_pods_year(demo_store, fake):
    from textual.widgets import Markdown

    from groupsup.app import GroupSupApp
    from groupsup.screens.record import RecordScreen

    app = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen), "the record")
        await until(pilot, lambda: app.screen.query_one(Markdown).source, "the record's text")
        text = app.screen.query_one(Markdown).source
        assert text.startswith("# The record of North Pod\n\nFrom 1 December 2025 to 25 November")
        assert "- Held: 2 of 3 expected (one a month): 67%" in text  # from September
        assert "Tom Whitaker     ████████████████████████ 1" in text
        await pilot.press("e")
        await pilot.pause()
        written = sorted(p.name for p in (demo_store.root / "exports").iterdir())
        assert written == ["2026-11-25-north-pod-record.html", "2026-11-25-north-pod-record.md"]
