"""The facilitator's app on a PostgreSQL store: the same screens, the records in the database."""

from __future__ import annotations

import os

import psycopg
from conftest import DEMO_DAY, home_is_ready, the_run_screen, until
from test_app import add_slot, back_on_the_run_screen, focus_lands_on, type_text
from test_joining import running
from textual import events
from textual.widgets import DataTable, Select, Static

from groupsup.app import GroupSupApp
from groupsup.domain.models import SessionStatus
from groupsup.observers import joining, serving
from groupsup.observers.screen import ParticipantApp, ParticipantScreen
from groupsup.screens.close import CloseScreen
from groupsup.screens.home import HomeScreen
from groupsup.screens.plan import PlanScreen
from groupsup.screens.record import RecordScreen
from groupsup.screens.run import RunScreen
from groupsup.screens.service import ServiceScreen
from groupsup.store import demo
from groupsup.store.files import private_folder
from groupsup.store.interface import open_store


async def test_a_session_is_planned_run_and_closed_on_a_database(postgres_location):
    open_store(postgres_location).save_pod(demo.demo_pod())
    app = GroupSupApp(postgres_location, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("p", "enter")  # a new session is asked for first
        await until(pilot, lambda: isinstance(app.screen, PlanScreen), "the plan")
        await focus_lands_on(pilot, "#date")  # the plan opens on its first field
        await pilot.press("shift+tab")  # round to the case slots
        await add_slot(pilot, "tom", "priya", "CS-9 (Tom)")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RunScreen), "the run screen")
        await pilot.press("ctrl+n")  # the opening review, then the case's presentation
        await focus_lands_on(pilot, "#presenting_issue")  # the dilemma was agreed in the plan
        await pilot.press("shift+tab", "end")  # back to the dilemma, to add to it
        await focus_lands_on(pilot, "#dilemma")
        await type_text(pilot, " Said on a database.")
        await pilot.press("ctrl+n", "ctrl+n")  # the questions, the discussion
        await pilot.press("ctrl+g")
        await type_text(pilot, "Dad is scared of the court")
        await pilot.press("ctrl+s")
        await back_on_the_run_screen(pilot)
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")  # resonance, gained, next steps
        await pilot.press("ctrl+n", "ctrl+n")  # the close, the minutes' preview
        await until(pilot, lambda: isinstance(app.screen, CloseScreen), "the close")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()  # the backup, taken first in a worker
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")

    database = open_store(postgres_location)
    (summary,) = database.summaries()
    session = database.session(summary.id)
    assert session.status is SessionStatus.CLOSED
    (slot,) = session.slots
    assert slot.dilemma == "How do we keep the child's voice central? Said on a database."
    assert [h.text for h in slot.hypotheses] == ["Dad is scared of the court"]
    (facts,) = database.report_facts("north-pod")  # the pod's record counts it
    assert [case["presenter"] for case in facts["cases"]] == [demo.TOM]
    assert [backup.reason for backup in database.backups()] == ["before closing"]


async def test_an_observers_note_reaches_the_facilitator_through_the_database(
    postgres_location, fake
):
    store = open_store(postgres_location)
    demo.fill(store, DEMO_DAY)
    running(store, fake)
    session = store.session("demo-s3")
    note = joining.InboxNote(
        kind="resonance", slot_id=session.slots[0].id, author=demo.PRIYA, text="Like my Lewis case"
    )
    joining.post(open_store(postgres_location), session, note)  # from the observer's process
    with psycopg.connect(postgres_location) as db:
        assert db.execute("select count(*) from observer_notes").fetchone() == (1,)

    app = GroupSupApp(postgres_location, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with app.run_test(size=(100, 32)) as pilot:
        await the_run_screen(pilot)
        rows = app.screen.query_one("#resonance-table", DataTable)
        await until(pilot, lambda: rows.row_count == 1, "the note on the run screen")
        assert [cell.plain for cell in rows.get_row_at(0)[:2]] == ["Priya Shah", note.text]

    saved = open_store(postgres_location).session("demo-s3").slots[0].resonance
    assert [(n.observer, n.written_by, n.text) for n in saved] == [
        (demo.PRIYA, demo.PRIYA, note.text)
    ]
    assert joining.waiting(open_store(postgres_location), "demo-s3") == []


async def test_an_observer_on_another_machine_joins_through_the_database(
    postgres_location, fake, tmp_path, monkeypatch
):
    facilitator = open_store(postgres_location)
    demo.fill(facilitator, DEMO_DAY)
    codes = running(facilitator, fake)  # the facilitator's F4
    # The observer's machine: a folder of its own for local files, none of the facilitator's.
    elsewhere = tmp_path / "observers-machine"
    monkeypatch.setattr("groupsup.store.postgres.local_folder", lambda _: private_folder(elsewhere))
    participant = ParticipantApp(postgres_location, fake.monotonic, fake.wall)
    async with participant.run_test(size=(100, 30)) as pilot:
        participant.post_message(events.Paste(codes[demo.PRIYA]))
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(participant.screen, ParticipantScreen), "joined")
        you = participant.screen.query_one("#you-line", Static)
        assert str(you.render()) == "You are Priya Shah."
        assert joining.present(facilitator, "demo-s3", fake.wall()) == {
            demo.PRIYA: participant.connection
        }
        joining.show_family_names(facilitator, facilitator.session("demo-s3"), True, fake.wall())
        participant.screen.refresh_view()
        case_line = str(participant.screen.query_one("#case-line", Static).render())
        assert case_line == "Case 1 of 3: CS-51230 (Reid) · CP · anxiety high"
    assert joining.present(facilitator, "demo-s3", fake.wall()) == {}  # she has left
    assert list(elsewhere.glob("**/*")) == []  # nothing of hers kept on her machine


async def test_a_pods_own_format_in_the_database_is_offered_on_another_machine(
    postgres_location, tmp_path, monkeypatch
):
    from conftest import SHORT_FORMAT

    open_store(postgres_location).save_pod(demo.demo_pod())
    open_store(postgres_location).save_format("short", SHORT_FORMAT)  # added on one machine
    elsewhere = tmp_path / "covering-machine"
    monkeypatch.setattr("groupsup.store.postgres.local_folder", lambda _: private_folder(elsewhere))
    app = GroupSupApp(postgres_location, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("p", "enter")  # a new session is asked for first
        await until(pilot, lambda: isinstance(app.screen, PlanScreen), "the plan")
        offered = app.screen.query_one("#format", Select)
        assert ("Short", "short") in [(str(label), key) for label, key in offered._options]


def test_serving_a_database_keeps_its_location_off_the_command_line(monkeypatch):
    monkeypatch.delenv("GROUPSUP_STORE")
    location = "postgresql://facilitator:secret@db.example/groupsup"
    command = serving.join_command(location)
    assert "secret" not in command and command.endswith("-m groupsup join")
    assert os.environ["GROUPSUP_STORE"] == location  # the observers' screens inherit it


def a_second_pod(store) -> None:
    """South Pod: the demo's people, and one closed session (a copy of the demo's first)."""
    south = demo.demo_pod().model_copy(update={"id": "south-pod", "name": "South Pod"})
    store.save_pod(south)
    held = store.session("demo-s1").model_copy(update={"id": "south-s1", "pod_id": "south-pod"})
    store.save_session(held)


def service_rows(screen) -> dict[str, list[str]]:
    table = screen.query_one("#service", DataTable)
    rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
    return {row[0]: row[1:] for row in rows}


async def test_the_principal_social_worker_sees_every_pod_and_opens_one(postgres_location, fake):
    store = open_store(postgres_location)
    demo.fill(store, DEMO_DAY)
    a_second_pod(store)
    app = GroupSupApp(postgres_location, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        rows = service_rows(app.screen)
        assert list(rows) == ["North Pod", "South Pod"]
        north, south = rows["North Pod"], rows["South Pod"]
        # The demo's four open steps are all past due on 25 November, one needing sign-off;
        # South's copy of the first session: its three steps, never reviewed, and its concern.
        assert north[:4] == ["2 of 3", "4", "1", "1 (0)"]
        assert south[:4] == ["1 of 3", "3", "1", "1 (0)"]
        assert north[4] == "Daniel Okoro, Hannah Kowalski"
        assert south[4] == "Daniel Okoro, Hannah Kowalski, Leila Haddad"
        period = str(app.screen.query_one("#period").render())
        assert period.startswith("Every pod from ")
        await pilot.press("down", "enter")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen), "South Pod's record")
        assert app.screen.pod.id == "south-pod"
        await pilot.press("escape", "escape")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")


async def test_the_service_is_offered_on_a_folder_store_only_with_several_pods(demo_store, fake):
    app = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # one pod: nothing to compare it with
    a_second_pod(demo_store)
    app = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, ServiceScreen), "the service")
        assert list(service_rows(app.screen)) == ["North Pod", "South Pod"]


async def test_the_session_goes_on_when_the_database_connection_is_lost(postgres_location, fake):
    """The server restarted (or the network dropped) mid-session: said once, the session goes
    on, and what is typed next is saved."""
    store = open_store(postgres_location)
    demo.fill(store, DEMO_DAY)
    running(store, fake)
    app = GroupSupApp(postgres_location, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with app.run_test(size=(100, 32)) as pilot:
        await the_run_screen(pilot)
        with psycopg.connect(postgres_location, autocommit=True) as admin:
            admin.execute("select pg_terminate_backend(%s)", [app.store._db.info.backend_pid])

        def said() -> list[str]:
            return [n.message for n in app._notifications if "lost its connection" in n.message]

        await until(pilot, lambda: said() != [], "the loss said")
        await type_text(pilot, "Typed after the loss")

        def saved() -> bool:
            with psycopg.connect(postgres_location) as db:
                (record,) = db.execute("select record::text from sessions where id = 'demo-s3'")
                return "Typed after the loss" in record[0]

        await until(pilot, saved, "what was typed saved")
        assert isinstance(app.screen, RunScreen) and len(said()) == 1
