"""Observers join with a code, add notes in their own name, and the facilitator takes them in."""

from __future__ import annotations

import datetime as dt
import errno

import pytest
from conftest import home_is_ready, notices, the_run_screen, until
from test_saving import close_with_keys
from textual import events
from textual.widgets import DataTable, Input, Static

from groupsup.app import GroupSupApp
from groupsup.domain.clock import SessionClock
from groupsup.domain.dates import when
from groupsup.domain.formats import format_named
from groupsup.domain.vocabulary import SessionStatus
from groupsup.observers import joining
from groupsup.observers.screen import ParticipantApp
from groupsup.outputs import minutes
from groupsup.store.folder import FolderStore

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def running(store: FolderStore, fake) -> dict[str, str]:
    """The demo's planned session started and in case 1; returns its personal join codes."""
    session = store.session("demo-s3")
    clock = SessionClock(session, format_named(session.format), fake.monotonic, fake.wall)
    clock.start()
    clock.advance()
    store.save_session(session)
    return joining.open_joining(store, session, fake.wall()).codes


def test_each_attendee_but_the_facilitator_has_their_own_code(demo_store, fake):
    codes = running(demo_store, fake)
    session = demo_store.session("demo-s3")
    assert sorted(codes) == sorted(m for m in session.attendees if m != "grace-mensah")
    assert len(set(codes.values())) == len(codes)
    for member_id, code in codes.items():
        typed = f" {code.lower()} "
        assert joining.check_code(demo_store, typed, NOW) == ("demo-s3", member_id)
    with pytest.raises(joining.JoinRefused) as caught:
        joining.check_code(demo_store, "ABC123", NOW)
    assert str(caught.value) == "'ABC123' is not a join code: check it with the facilitator."
    with pytest.raises(joining.JoinRefused, match="Type your join code"):
        joining.check_code(demo_store, "  ", NOW)


def test_an_expired_code_is_refused_and_new_ones_made(demo_store, fake):
    code = running(demo_store, fake)["priya-shah"]
    later = NOW + dt.timedelta(minutes=180 + 61)
    with pytest.raises(joining.JoinRefused) as caught:
        joining.check_code(demo_store, code, later)
    assert str(caught.value) == "That join code has expired: ask the facilitator again."
    session = demo_store.session("demo-s3")
    assert joining.open_joining(demo_store, session, NOW).codes["priya-shah"] == code
    fresh = joining.open_joining(demo_store, session, later).codes["priya-shah"]
    assert fresh != code and len(fresh) == 6
    assert set(fresh) <= set(joining.CODE_ALPHABET)


def test_a_closed_sessions_code_is_refused(demo_store, fake):
    code = running(demo_store, fake)["priya-shah"]
    session = demo_store.session("demo-s3")
    session.status = SessionStatus.CLOSED
    demo_store.save_session(session)
    with pytest.raises(joining.JoinRefused) as caught:
        joining.admit(demo_store, code, "phone", NOW)
    assert str(caught.value) == "That session is not running: its join codes no longer work."


def test_a_note_arriving_after_the_close_waits_for_the_closed_record(demo_store, fake):
    """The run screen's last tick, between the close and the screen going: it saves nothing
    more (the session is closed), so it must take nothing out of the inbox."""
    running(demo_store, fake)
    seen_running = demo_store.session("demo-s3")  # what the observer's screen last read
    closed = demo_store.session("demo-s3")
    closed.status = SessionStatus.CLOSED
    demo_store.save_session(closed)
    note = joining.InboxNote(
        kind=joining.NoteKind.HYPOTHESIS,
        slot_id=closed.slots[0].id,
        author="priya-shah",
        text="Sent as it closed",
    )
    joining.post(demo_store, seen_running, note)
    arrivals = joining.take_in_waiting(demo_store, closed, lambda _: True)
    assert arrivals.taken == [] and arrivals.problems == []
    assert [n.text for _, n in joining.waiting(demo_store, "demo-s3")] == ["Sent as it closed"]


def test_two_pods_running_at_once_keep_their_own_codes(demo_store, fake):
    codes = running(demo_store, fake)
    other = demo_store.session("demo-s3").model_copy(update={"id": "other-pod-s1"})
    theirs = joining.open_joining(demo_store, other, NOW).codes
    mine = joining.open_joining(demo_store, demo_store.session("demo-s3"), NOW).codes
    assert mine == codes
    assert joining.check_code(demo_store, codes["priya-shah"], NOW).session_id == "demo-s3"
    assert joining.check_code(demo_store, theirs["priya-shah"], NOW).session_id == ("other-pod-s1")


def test_an_observer_writes_only_as_themselves_and_never_on_their_own_case(demo_store, fake):
    running(demo_store, fake)
    session = demo_store.session("demo-s3")
    slot = session.slots[0]  # Hannah presents, Tom consults
    note = joining.InboxNote(kind="resonance", slot_id=slot.id, author="tom-whitaker", text="x")
    with pytest.raises(joining.JoinRefused, match="Resonance is for the case's observers"):
        joining.post(demo_store, session, note)
    note = joining.InboxNote(kind="hypothesis", slot_id=slot.id, author="hannah-kowalski", text="x")
    with pytest.raises(joining.JoinRefused, match="You are presenting this case"):
        joining.post(demo_store, session, note)
    note = joining.InboxNote(kind="resonance", slot_id=slot.id, author="grace-mensah", text="x")
    with pytest.raises(joining.JoinRefused, match="You are not marked present"):
        joining.post(demo_store, session, note)  # the facilitator records on the run screen
    session.attendees.remove("leila-haddad")
    note = joining.InboxNote(kind="hypothesis", slot_id=slot.id, author="leila-haddad", text="x")
    with pytest.raises(joining.JoinRefused, match="You are not marked present"):
        joining.post(demo_store, session, note)
    assert joining.waiting(demo_store, "demo-s3") == []


def test_a_code_in_use_on_another_screen_is_refused(demo_store, fake):
    code = running(demo_store, fake)["priya-shah"]
    assert joining.admit(demo_store, code, "laptop", NOW).member_id == "priya-shah"
    assert joining.admit(demo_store, code, "laptop", NOW).member_id == "priya-shah"  # again
    with pytest.raises(joining.JoinRefused, match="Your code is in use on another screen"):
        joining.admit(demo_store, code, "phone", NOW + dt.timedelta(seconds=5))
    later = NOW + dt.timedelta(seconds=joining.PRESENT_SECONDS + 1)  # the laptop went quiet
    assert joining.admit(demo_store, code, "phone", later).member_id == "priya-shah"


def test_wrong_codes_slow_a_screen_down_and_the_sixth_is_refused_unchecked(demo_store, fake):
    code = running(demo_store, fake)["priya-shah"]
    gate = joining.Gate(demo_store, address=None)
    now = NOW
    for wait in (1, 2, 4, 8):
        with pytest.raises(joining.WrongCode):
            gate.admit("WRONG1", "phone", now)
        with pytest.raises(joining.JoinRefused) as caught:
            gate.admit(code, "phone", now)  # too soon: not checked, so not let in
        seconds = "1 second" if wait == 1 else f"{wait} seconds"
        assert str(caught.value) == f"Wait {seconds}, then try your code again."
        now += dt.timedelta(seconds=wait)
    with pytest.raises(joining.WrongCode):
        gate.admit("WRONG1", "phone", now)  # the fifth
    with pytest.raises(joining.JoinRefused) as caught:
        gate.admit(code, "phone", now + dt.timedelta(hours=1))  # the right code, unchecked
    assert str(caught.value).startswith("Too many wrong codes on this screen")
    fresh = joining.Gate(demo_store, address=None)  # another screen has its own count
    assert fresh.admit(code, "laptop", now).member_id == "priya-shah"


def test_wrong_codes_from_one_address_lock_all_its_screens(demo_store, fake):
    code = running(demo_store, fake)["priya-shah"]
    now = NOW
    for _ in range(joining.ADDRESS_TRIES // 2):  # each screen gives up after two tries
        gate = joining.Gate(demo_store, address="192.168.1.77")
        for _ in range(2):
            with pytest.raises(joining.WrongCode):
                gate.admit("WRONG1", "phone", now)
            now += dt.timedelta(seconds=10)
    locked = joining.Gate(demo_store, address="192.168.1.77")
    with pytest.raises(joining.JoinRefused, match="Too many wrong codes from this device"):
        locked.admit(code, "phone", now)
    other = joining.Gate(demo_store, address="192.168.1.78")
    assert other.admit(code, "phone", now).member_id == "priya-shah"
    later = now + joining.ADDRESS_WINDOW
    assert locked.admit(code, "phone", later).member_id == "priya-shah"


async def test_a_participant_joins_and_the_facilitator_takes_the_notes_in(demo_store, fake):
    codes = running(demo_store, fake)
    participant = ParticipantApp(demo_store.root, fake.monotonic, fake.wall)
    async with participant.run_test(size=(100, 30)) as pilot:
        participant.post_message(events.Paste("WRONG1"))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        problem = str(participant.screen.query_one("#problem", Static).render())
        assert problem == "'WRONG1' is not a join code: check it with the facilitator."
        assert participant.screen.query_one("#code").value == "WRONG1"  # kept, to correct
        participant.screen.query_one("#code").value = ""
        fake.pass_minutes(1 / 60)  # a wrong code makes the next try wait a second
        participant.post_message(events.Paste(codes["priya-shah"]))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = participant.screen  # the run screen's header, and who you are
        case_line = str(screen.query_one("#case-line", Static).render())
        assert case_line == "Case 1 of 3: CS-51230 · CP · anxiety high"  # no family name
        roles = str(screen.query_one("#roles-line", Static).render())
        assert roles.startswith("Presenter Hannah Kowalski · Consultant ")
        assert str(screen.query_one("#you-line", Static).render()) == "You are Priya Shah."
        assert str(screen.query_one("#phase-time", Static).render()).startswith("Phase ")
        assert participant.focused is screen.query_one("#resonance")
        participant.post_message(events.Paste("Reminds me of the Lewis family"))
        await pilot.pause()
        await pilot.press("enter", "tab")
        participant.post_message(events.Paste("The [bold]dad[/] is the hidden carer"))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        sent = str(participant.screen.query_one("#sent", Static).render())
        assert sent == "Sent your hypothesis: The [bold]dad[/] is the hidden carer"

        facilitator = GroupSupApp(
            demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall
        )
        async with facilitator.run_test(size=(100, 32)) as run:
            await home_is_ready(run)
            await run.press("r")
            await run.pause()
            facilitator.screen.take_in_notes()
            await run.pause()
            rows = facilitator.screen.query_one("#resonance-table", DataTable)
            assert rows.get_row_at(0)[0].plain == "Priya Shah"
            assert rows.get_row_at(0)[1].plain == "Reminds me of the Lewis family"
            join_line = str(facilitator.screen.query_one("#join-line", Static).render())
            assert join_line == "Observers joined: Priya Shah · F4: their join codes"
            await run.press("f4")
            await run.pause()
            table = facilitator.screen.query_one("#codes-table", DataTable)
            shown = {table.get_row_at(i)[0].plain: table.get_row_at(i)[1:] for i in range(5)}
            assert shown["Priya Shah"] == [codes["priya-shah"], "yes"]
            assert shown["Tom Whitaker"] == [codes["tom-whitaker"], ""]
            assert "Grace Mensah" not in shown  # the facilitator records on this screen
            facilitator.screen.query_one("#family-names").focus()
            await run.press("space", "escape")  # the facilitator lets observers see it
            await run.pause()
        screen.refresh_view()
        case_line = str(screen.query_one("#case-line", Static).render())
        assert case_line == "Case 1 of 3: CS-51230 (Reid) · CP · anxiety high"
    assert joining.waiting(demo_store, "demo-s3") == []
    assert joining.present(demo_store, "demo-s3", fake.wall()) == {}  # Priya has left
    saved = FolderStore(demo_store.root).session("demo-s3").slots[0]
    assert [(n.observer, n.written_by) for n in saved.resonance] == [("priya-shah",) * 2]
    assert saved.hypotheses[0].offered_by == "priya-shah"
    md = minutes.as_markdown(
        demo_store.pod("north-pod"), FolderStore(demo_store.root).session("demo-s3")
    )
    assert "- **Priya Shah (written by Priya Shah):** Reminds me of the Lewis family" in md
    assert "   - Offered by: Priya Shah (written by Priya Shah)" in md


async def test_a_note_sent_as_the_session_closed_reaches_its_record_and_the_facilitator(
    demo_store, fake, tmp_path
):
    running(demo_store, fake)
    seen_running = demo_store.session("demo-s3")  # what the observer's screen last read
    facilitator = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with facilitator.run_test(size=(80, 24)) as pilot:
        await the_run_screen(pilot)
        await close_with_keys(facilitator, pilot, tmp_path / "minutes")
    note = joining.InboxNote(
        kind=joining.NoteKind.RESONANCE,
        slot_id=seen_running.slots[0].id,
        author="priya-shah",
        text="Sent as it closed",
    )
    joining.post(FolderStore(demo_store.root), seen_running, note)  # the observer's process
    facilitator = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with facilitator.run_test(size=(80, 24)) as pilot:
        told = notices(facilitator, "A note arrived after the close")
        await home_is_ready(pilot)
        await until(pilot, lambda: told, "the facilitator told of the late note")
    assert told == [
        "Priya Shah's resonance on case 1 (CS-51230 (Reid)) reached the session of "
        f"{when(seen_running.date)} as it closed. It is in the record now; the minutes saved at "
        "the close lack it: open the session and press e to save them again."
    ]
    closed = FolderStore(demo_store.root).session("demo-s3")
    assert closed.status is SessionStatus.CLOSED
    assert [(n.observer, n.text) for n in closed.slots[0].resonance][-1] == (
        "priya-shah",
        "Sent as it closed",
    )
    assert joining.waiting(demo_store, "demo-s3") == []


async def test_during_the_opening_review_the_fields_are_shut_until_a_case(demo_store, fake):
    store = demo_store
    session = store.session("demo-s3")
    clock = SessionClock(session, format_named(session.format), fake.monotonic, fake.wall)
    clock.start()  # the opening review of earlier next steps: no case yet
    store.save_session(session)
    code = joining.open_joining(store, session, fake.wall()).codes["priya-shah"]
    participant = ParticipantApp(store.root, fake.monotonic, fake.wall)
    async with participant.run_test(size=(100, 30)) as pilot:
        participant.post_message(events.Paste(code))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = participant.screen
        you = str(screen.query_one("#you-line", Static).render())
        assert you == "You are Priya Shah. Notes can be sent during a case."
        assert screen.query_one("#resonance").disabled
        assert screen.query_one("#hypothesis").disabled
        clock.advance()  # the facilitator moves on to case 1
        store.save_session(session)
        screen.refresh_view()
        await pilot.pause()
        assert str(screen.query_one("#you-line", Static).render()) == "You are Priya Shah."
        assert not screen.query_one("#resonance").disabled
        await pilot.press(*"Bells")  # typed as the case opens: into the first field, not lost
        assert participant.focused is screen.query_one("#resonance")
        assert screen.query_one("#resonance", Input).value == "Bells"


async def test_a_note_the_disk_refuses_stays_in_its_field_to_send_again(demo_store, fake):
    codes = running(demo_store, fake)
    participant = ParticipantApp(demo_store.root, fake.monotonic, fake.wall)
    async with participant.run_test(size=(100, 30)) as pilot:
        participant.post_message(events.Paste(codes["priya-shah"]))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()

        def disk_full(*_note) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        participant.store.post_note = disk_full
        participant.post_message(events.Paste("Bells ring"))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = participant.screen
        problem = str(screen.query_one("#problem", Static).render())
        assert problem == "Not sent (No space left on device): press Enter to try again."
        assert screen.query_one("#resonance").value == "Bells ring"
        del participant.store.post_note  # room again
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#resonance").value == ""
    (note,) = [n for _, n in joining.waiting(demo_store, "demo-s3")]
    assert (note.author, note.text) == ("priya-shah", "Bells ring")


def test_serve_refuses_a_bad_host_and_warns_off_loopback(demo_store, capsys):
    from groupsup.cli import main

    assert main(["--store", str(demo_store.root), "serve", "--host", "not an address"]) == 2
    assert capsys.readouterr().err == (
        "groupsup: --host 'not an address' is not an address such as 127.0.0.1.\n"
    )


def test_serve_refuses_a_port_in_use_in_one_line(demo_store, capsys):
    import socket

    from groupsup.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--store", str(demo_store.root), "serve", "--port", str(port)]) == 2
    assert capsys.readouterr().err == (
        f"groupsup: Port {port} on 127.0.0.1 cannot be used (Address already in use): "
        "choose another with --port.\n"
    )


@pytest.mark.parametrize(
    "store",
    [
        lambda root: (root / "pods.json").write_text("{") and root,
        lambda _: "postgresql://u@127.0.0.1:1/x",
    ],
    ids=["damaged pods", "database out of reach"],
)
def test_serve_refuses_a_store_it_cannot_read_before_observers_come(demo_store, capsys, store):
    """Said once, at the start, to the facilitator; never to each observer as they join."""
    from groupsup.cli import main

    assert main(["--store", str(store(demo_store.root)), "serve", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("groupsup: ") and err.count("\n") == 1


def test_the_address_observers_type_is_given_or_derived():
    from groupsup.domain.errors import GroupsupError
    from groupsup.observers.serving import banner, public_url

    assert public_url("127.0.0.2", 8000, None) == "http://127.0.0.2:8000"
    assert public_url("0.0.0.0", 8000, "http://192.168.1.20:8000/") == "http://192.168.1.20:8000"
    derived = public_url("0.0.0.0", 8000, None)
    assert derived.startswith("http://") and "0.0.0.0" not in derived
    with pytest.raises(GroupsupError, match="has a path"):
        public_url("0.0.0.0", 8000, "http://192.168.1.20:8000/join")
    with pytest.raises(GroupsupError, match="is not an address such as"):
        public_url("0.0.0.0", 8000, "192.168.1.20")
    shown = banner("http://192.168.1.20:8000")
    assert "Observers open http://192.168.1.20:8000 in a browser" in shown
    assert "█" in shown  # the QR code, drawn in the terminal
