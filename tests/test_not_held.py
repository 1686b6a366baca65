"""A planned session that will not be held (policy section 12): postponed to a new date with its
cases carried, or cancelled, each with its reason; the pod's record and the minutes say so, so
an auditor sees why a month had no session. The command line and home use the same rules."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import DEMO_DAY, home_is_ready, screen_text, until
from pydantic import ValidationError
from test_typeahead import burst
from textual.widgets import DataTable

from groupsup import cli
from groupsup.app import GroupSupApp
from groupsup.cli import main
from groupsup.domain import planning
from groupsup.domain.errors import RuleBroken
from groupsup.domain.models import MinutesDocument, SessionStatus
from groupsup.domain.roles import SessionRoles
from groupsup.outputs import minutes
from groupsup.outputs.pseudonymise import pseudonymise
from groupsup.screens.close import MinutesScreen
from groupsup.screens.forms import NotHeldForm
from groupsup.screens.home import HomeScreen
from groupsup.store import migrations
from groupsup.store.interface import open_store

PLANNED = "demo-s3"  # the demo's planned session, of 25 November 2026
REASON = "Half the pod is on the Signs of Safety training"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(cli, "_today", lambda: DEMO_DAY)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_postponing_keeps_the_session_in_the_record_and_carries_its_cases(demo_store):
    session = demo_store.session(PLANNED)
    postponed, instead = planning.postpone(session, dt.date(2026, 12, 9), REASON, DEMO_DAY)
    assert postponed.id == session.id and postponed.status is SessionStatus.POSTPONED
    assert postponed.not_held is not None
    assert (postponed.not_held.reason, postponed.not_held.new_date) == (
        REASON,
        dt.date(2026, 12, 9),
    )
    assert instead.id != session.id and instead.status is SessionStatus.PLANNED
    assert (instead.date, instead.postponed_from) == (dt.date(2026, 12, 9), session.date)
    assert [(s.presenter, s.case_reference, s.dilemma) for s in instead.slots] == [
        (s.presenter, s.case_reference, s.dilemma) for s in session.slots
    ]
    assert not {s.id for s in instead.slots} & {s.id for s in session.slots}


@pytest.mark.parametrize(
    ("new_date", "reason", "said"),
    [
        (dt.date(2026, 11, 25), REASON, "is not after 25 November 2026"),
        (dt.date(2026, 11, 20), REASON, "is not after 25 November 2026"),
        (dt.date(2026, 12, 9), "  ", "Say why the session will not be held"),
    ],
)
def test_a_postponement_needs_a_later_date_and_a_reason(demo_store, new_date, reason, said):
    with pytest.raises(RuleBroken, match=said):
        planning.postpone(demo_store.session(PLANNED), new_date, reason, DEMO_DAY)


def test_a_postponement_to_a_day_another_session_is_planned_on_is_refused(demo_store, capsys):
    """Postponed onto a day the pod already had a session planned, a second planned session
    was made beside it: two sessions, one day."""
    day = dt.date(2026, 12, 20)
    with pytest.raises(RuleBroken, match="Session other is planned on 20 December 2026 already"):
        planning.postpone(demo_store.session(PLANNED), day, REASON, DEMO_DAY, {day: "other"})
    other = demo_store.session(PLANNED).model_copy(update={"id": "other", "date": day})
    demo_store.save_session(other)
    argv = ["--store", str(demo_store.root), "postpone", PLANNED, "--to", "2026-12-20"]
    assert cli.main([*argv, "--reason", REASON]) == 2
    assert "is planned on 20 December 2026 already" in capsys.readouterr().err
    assert demo_store.session(PLANNED).status is SessionStatus.PLANNED


def test_the_session_a_postponement_made_is_cancelled_not_deleted(demo_store, capsys):
    """`delete` took the session a postponement moved the cases to, with their preparation,
    and left the postponed one pointing at nothing."""
    postponed, instead = planning.postpone(
        demo_store.session(PLANNED), dt.date(2026, 12, 20), REASON, DEMO_DAY
    )
    demo_store.save_session(instead)
    demo_store.save_session(postponed)
    assert cli.main(["--store", str(demo_store.root), "delete", instead.id]) == 2
    assert "postponed to it: cancel it instead" in capsys.readouterr().err
    assert demo_store.session(instead.id) == instead


def test_a_postponement_to_a_day_that_has_passed_is_refused(demo_store):
    with pytest.raises(RuleBroken, match="1 December 2026 has passed"):
        planning.postpone(
            demo_store.session(PLANNED),
            dt.date(2026, 12, 1),
            REASON,
            DEMO_DAY.replace(day=2, month=12),
        )


def test_only_a_planned_session_is_postponed_cancelled_or_deleted(demo_store):
    closed = demo_store.session("demo-s1")
    with pytest.raises(RuleBroken, match="has been run: its record stays"):
        planning.cancel(closed, REASON, DEMO_DAY)
    cancelled = planning.cancel(demo_store.session(PLANNED), REASON, DEMO_DAY)
    with pytest.raises(RuleBroken, match="is cancelled: its record stays"):
        planning.postpone(cancelled, dt.date(2026, 12, 9), REASON, DEMO_DAY)


def test_a_session_not_held_says_why_or_is_refused_on_import(demo_store):
    data = demo_store.session(PLANNED).model_dump(mode="json")
    with pytest.raises(ValidationError, match="says why"):
        MinutesDocument.model_validate(
            {
                "pod": demo_store.pod("north-pod").model_dump(),
                "session": data | {"status": "cancelled"},
            }
        )
    not_held = {"reason": REASON, "decided_on": "2026-11-20"}
    with pytest.raises(ValidationError, match="only a postponed one, has a new date"):
        MinutesDocument.model_validate(
            {
                "pod": demo_store.pod("north-pod").model_dump(),
                "session": data | {"status": "postponed", "not_held": not_held},
            }
        )


def test_a_version_2_record_reads_as_it_was():
    record = {"schema_version": 2, "session": {"status": "planned"}}
    assert migrations.upgrade(record) == {"schema_version": 3, "session": {"status": "planned"}}


def test_the_command_line_postpones_and_the_record_and_minutes_say_why(demo_store, capsys):
    store = str(demo_store.root)
    code, out, err = run(
        capsys, "--store", store, "postpone", PLANNED, "--to", "2026-12-09", "--reason", REASON
    )
    assert (code, err) == (0, "")
    assert "postponed to 9 December 2026" in out
    fresh = open_store(demo_store.root)
    [instead] = [s for s in fresh.sessions("north-pod") if s.postponed_from]
    assert instead.status is SessionStatus.PLANNED and len(instead.slots) == 3
    assert fresh.session(PLANNED).status is SessionStatus.POSTPONED

    _, record, _ = run(capsys, "--store", store, "report", "--to", "2026-11-30")
    assert f"- Not held: 25 November 2026, postponed to 9 December 2026: {REASON}" in record
    assert "- Held: 2 of 3 expected" in record
    _, record, _ = run(capsys, "--store", store, "report", "--to", "2026-11-30", "--format", "json")
    assert json.loads(record)["sessions"]["not_held"] == [
        {"date": "2026-11-25", "status": "postponed", "reason": REASON, "new_date": "2026-12-09"}
    ]

    pod = fresh.pod("north-pod")
    said = minutes.render(pod, fresh.session(PLANNED), minutes.Format.MD)
    assert "postponed to 9 December 2026" in said and REASON in said
    assert "postponed from 25 November 2026" in minutes.render(pod, instead, minutes.Format.MD)
    assert run(capsys, "--store", store, "check")[0] == 0


def test_the_command_line_cancels_with_a_reason(demo_store, capsys):
    store = str(demo_store.root)
    assert run(capsys, "--store", store, "cancel", PLANNED, "--reason", REASON)[0] == 0
    assert open_store(demo_store.root).session(PLANNED).status is SessionStatus.CANCELLED
    _, record, _ = run(capsys, "--store", store, "report", "--to", "2026-11-30")
    assert f"- Not held: 25 November 2026, cancelled: {REASON}" in record
    _, service, _ = run(capsys, "--store", store, "report", "--service", "--to", "2026-11-30")
    assert "| North Pod | 2 of 3 (1 not held) |" in service


def test_the_command_line_deletes_a_planned_session(demo_store, capsys):
    code, out, _ = run(capsys, "--store", str(demo_store.root), "delete", PLANNED)
    assert (code, out) == (0, "The session of 25 November 2026 is deleted.\n")
    assert PLANNED not in {s.id for s in open_store(demo_store.root).summaries()}


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("delete", "nope"), "There is no session 'nope' in this store."),
        (("cancel", "demo-s1", "--reason", REASON), "has been run: its record stays"),
        (("delete", "demo-s2"), "has been run: its record stays"),
        (("postpone", PLANNED, "--to", "soon", "--reason", REASON), "soon"),
        (("postpone", PLANNED, "--to", "2026-11-01", "--reason", REASON), "is not after"),
        (("cancel", PLANNED, "--reason", ""), "Say why the session will not be held"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(demo_store, capsys, argv, said):
    before = open_store(demo_store.root).summaries()
    code, out, err = run(capsys, "--store", str(demo_store.root), *argv)
    assert (code, out) == (2, "")
    assert said in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert open_store(demo_store.root).summaries() == before


def test_nobody_presented_in_a_session_not_held(demo_store):
    pod, sessions = demo_store.pod("north-pod"), demo_store.sessions("north-pod")
    roles = [SessionRoles.of(session) for session in sessions]
    planned = planning.last_presented(pod, roles)
    cancelled = planning.cancel(sessions[-1], REASON, DEMO_DAY)
    assert planning.last_presented(pod, [*roles[:-1], SessionRoles.of(cancelled)]) == planned


def test_the_record_counts_no_presenter_or_case_of_a_session_not_held(demo_store, capsys):
    store = str(demo_store.root)

    def record() -> dict:
        argv = ["--store", store, "report", "--to", "2026-12-31", "--format", "json"]
        return json.loads(run(capsys, *argv)[1])

    held = record()
    run(capsys, "--store", store, "postpone", PLANNED, "--to", "2026-12-09", "--reason", REASON)
    [instead] = [s for s in open_store(demo_store.root).summaries() if s.date.day == 9]
    run(capsys, "--store", store, "cancel", instead.id, "--reason", REASON)
    after = record()
    assert len(after["sessions"]["not_held"]) == 2
    assert (after["presentations"], after["cases_by_category"]) == (
        held["presentations"],
        held["cases_by_category"],
    )
    assert (
        after["never_presented"] == held["never_presented"] == ["Daniel Okoro", "Hannah Kowalski"]
    )


# -- from home ---------------------------------------------------------------------------------


def _statuses(app) -> list[str]:
    table = app.screen.query_one("#sessions", DataTable)
    return [str(table.get_row_at(n)[1]) for n in range(table.row_count)]


async def test_home_postpones_the_chosen_planned_session_typed_at_once(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        await burst(pilot, "x", "p", "tab", "=+14", "tab", "=Court day for two of us", "enter")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
        await until(pilot, lambda: "postponed" in _statuses(app), "the postponed session listed")
        assert _statuses(app) == ["planned", "postponed", "closed", "closed"]
        # the cases moved to the new date: the postponed one lists no one as presenting
        postponed = app.screen.query_one("#sessions", DataTable).get_row_at(1)
        assert [str(cell) for cell in postponed[2:]] == ["-", ""]
    fresh = open_store(demo_store.root)
    postponed = fresh.session(PLANNED)
    [instead] = [s for s in fresh.sessions("north-pod") if s.postponed_from]
    assert postponed.not_held is not None
    assert (postponed.not_held.reason, postponed.not_held.new_date) == (
        "Court day for two of us",
        instead.date,
    )
    assert instead.date == dt.date.today() + dt.timedelta(days=14) and len(instead.slots) == 3


async def test_home_says_what_is_missing_and_keeps_what_was_typed(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        await burst(pilot, "x", "tab", "tab", "=Snow", "enter")
        assert isinstance(app.screen, NotHeldForm)
        assert "Choose: postpone" in str(app.screen.query_one("#problem").render())
        await burst(pilot, "shift+tab", "shift+tab", "c", "enter")
        await until(pilot, lambda: "cancelled" in _statuses(app), "the cancelled session listed")
        await burst(pilot, "x")  # a cancelled session is the record: nothing more to do
        assert isinstance(app.screen, HomeScreen)
    cancelled = open_store(demo_store.root).session(PLANNED)
    assert cancelled.status is SessionStatus.CANCELLED and cancelled.not_held.reason == "Snow"


def test_why_a_session_was_not_held_is_pseudonymised_with_the_rest(demo_store):
    cancelled = planning.cancel(
        demo_store.session(PLANNED), "The Reid family's hearing moved to that day", DEMO_DAY
    )
    shareable, _, _ = pseudonymise(cancelled)
    assert shareable.not_held is not None and "Reid" not in shareable.not_held.reason


async def test_the_minutes_of_a_session_not_held_offer_no_agreement(demo_store):
    demo_store.save_session(planning.cancel(demo_store.session(PLANNED), REASON, DEMO_DAY))
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        await burst(pilot, "tab", "enter")  # the cancelled session, first of the record
        await until(pilot, lambda: isinstance(app.screen, MinutesScreen), "its minutes")
        await burst(pilot, "a")
        assert isinstance(app.screen, MinutesScreen)
        assert "Agree" not in screen_text(app).splitlines()[-1]
