"""Every key reaches the field the facilitator sees, and Enter never undoes.

Each dialog gets its keys all at once, with no pause at all: the opening key, the words, Tab,
Space and Enter reach the app before the dialog has even been drawn, as from a fast typist,
dictation or a text expander. What was saved is then read back from the store, field by field.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import DataTable, Input, Static

from groupsup.app import GroupSupApp
from groupsup.screens.forms import Confirm, HypothesisForm
from groupsup.screens.help import HelpScreen
from groupsup.screens.run import RunScreen
from groupsup.store.interface import open_store


def _key(key: str) -> events.Key:
    if len(key) == 1:
        return events.Key("space" if key == " " else key, key)
    return events.Key(key, None)


async def burst(pilot, *keys: str) -> None:
    """Send every key at once ("=words" one character at a time), then wait until the app has
    handled them all. Nothing waits for a dialog to open or for focus to land."""
    for key in keys:
        for part in list(key[1:]) if key.startswith("=") else [key]:
            event = _key(part)
            event.set_sender(pilot.app)
            pilot.app._driver.send_message(event)
    await settle(pilot)


async def settle(pilot) -> None:
    """Wait until the app has handled every key sent and everything they set off: two
    refreshes in a row with nothing left to do. Waiting for that, rather than for a fixed count
    of refreshes, costs a loaded machine a few refreshes, not thirty; each one asks every widget
    on the screen to answer, which on a screen of minutes is hundreds of widgets."""
    quiet = 0
    for _ in range(500):
        await pilot.pause()
        quiet = quiet + 1 if busy(pilot.app) is None else 0
        if quiet == 2:
            return
    raise AssertionError(f"the app never came to rest: {busy(pilot.app)}")


def busy(app) -> str | None:
    """What the app is still doing, or None: a key held for a field still to open, a message not
    yet handled, a widget still being mounted, a worker still running. A timer's tick is not
    counted: the clock and the cursor tick for ever, and on a loaded machine a refresh can take
    longer than the half second between two ticks."""
    if app._held_keys or app._holding_keys:
        return "keys held for a field still to open"
    for screen in app.screen_stack:
        for node in (app, screen, *screen.walk_children()):
            waiting = [m for m in node._message_queue.values if not isinstance(m, events.Timer)]
            if waiting:
                return f"{node} has {waiting[0]} to handle"
            if node is not app and not node.is_mounted:
                return f"{node} is being mounted"
            if isinstance(node, DataTable) and node._require_update_dimensions:
                return f"{node} has rows not yet measured"  # done when idle: widths follow
    running = [worker for worker in app.workers if not worker.is_finished]
    return f"{running[0]} is running" if running else None


@pytest.fixture
def app(demo_store, fake):
    return GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)


def saved(store) -> dict:
    """The running demo session as the store keeps it, in its JSON form."""
    return open_store(store.root).session("demo-s3").model_dump(mode="json")


async def in_case_one(pilot) -> RunScreen:
    await pilot.pause()
    await burst(pilot, "r", "ctrl+n")
    assert isinstance(pilot.app.screen, RunScreen)
    return pilot.app.screen


async def test_a_hypothesis_typed_at_once(app, demo_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await in_case_one(pilot)
        await burst(
            pilot,
            *("ctrl+g", "=Mum fears losing the baby", "tab", "=le", "tab"),
            *("g", "space", "e", "e", "space", "tab", "=She said so twice", "enter"),
            *("ctrl+g", "=Dad is shut out", "tab", "=tw", "tab", "c", "space", "enter"),
        )
        assert isinstance(app.screen, RunScreen)
    first, second = saved(demo_store)["slots"][0]["hypotheses"]
    assert first["text"] == "Mum fears losing the baby"
    assert first["offered_by"] == "leila-haddad"
    assert first["lenses"] == ["gender", "education"]
    assert first["supports"] == "She said so twice"
    assert second["text"] == "Dad is shut out"
    assert second["offered_by"] == "tom-whitaker"
    assert second["lenses"] == ["class"]


async def test_enter_on_a_ticked_signoff_saves_it_ticked(app, demo_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await in_case_one(pilot)
        await burst(
            pilot,
            *("ctrl+f", "=Convene a strategy meeting", "tab", "tab", "tab", "space", "enter"),
            *("ctrl+f", "=Book the family group conference", "tab", "=pr", "enter"),
        )
        assert isinstance(app.screen, RunScreen)
    first, second = saved(demo_store)["slots"][0]["next_steps"]
    assert first["action"] == "Convene a strategy meeting"
    assert first["owner"] == "hannah-kowalski"  # the presenter, unless someone else is typed
    assert first["needs_signoff"] is True
    assert first["due"] == "2026-12-09"  # +2w from the session's date
    assert second["action"] == "Book the family group conference"
    assert second["owner"] == "priya-shah"
    assert second["needs_signoff"] is False


async def test_resonance_and_safeguarding_typed_at_once(app, demo_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await in_case_one(pilot)
        await burst(
            pilot,
            *("ctrl+r", "tab", "=Reminds me of the Lee family", "enter"),
            *("ctrl+r", "=da", "tab", "=A dad I never met", "enter"),
            *("ctrl+l", "=Bruise on the baby's arm", "tab", "=Strategy discussion asked for"),
            "enter",
        )
        assert isinstance(app.screen, RunScreen)
    slot = saved(demo_store)["slots"][0]
    first, second = slot["resonance"]
    assert (first["observer"], first["text"]) == ("grace-mensah", "Reminds me of the Lee family")
    assert (second["observer"], second["text"]) == ("daniel-okoro", "A dad I never met")
    assert slot["safeguarding"] == {
        "concern": "Bruise on the baby's arm",
        "action_taken": "Strategy discussion asked for",
    }


async def test_review_typed_at_once(app, demo_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # the opening starts in the welfare check-in; Tab goes on to the review
        await burst(pilot, "r", "tab", "enter", "p", "tab", "=Letter sent, no reply", "enter")
        await burst(pilot, "down", "enter", "d", "enter")
        assert isinstance(app.screen, RunScreen)
    first, second = saved(demo_store)["review"][:2]
    assert (first["status"], first["note"]) == ("partly", "Letter sent, no reply")
    assert second["status"] == "done"


async def test_the_genogram_takes_the_lines_typed_after_f2(app, demo_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await in_case_one(pilot)
        await burst(pilot, "=Theme", "f2", "=J: Jayden, m, 7, index", "enter", "=M: Kelly, f, 33")
        await burst(pilot, "enter", "=M > J")
    slot = saved(demo_store)["slots"][0]
    assert slot["dilemma"] == "Theme"
    assert slot["genogram"]["source"] == "J: Jayden, m, 7, index\nM: Kelly, f, 33\nM > J"
    assert [p["name"] for p in slot["genogram"]["people"]] == ["Jayden", "Kelly"]


async def test_a_long_burst_does_not_swallow_the_tab_after_it(app, demo_store):
    dictated = "The family moved three times this year and the school has raised attendance. " * 3
    async with app.run_test(size=(80, 24)) as pilot:
        await in_case_one(pilot)
        await burst(pilot, "=" + dictated, "tab", "=Presenting", "tab", "=History")
    slot = saved(demo_store)["slots"][0]
    assert slot["dilemma"] == dictated
    assert slot["presenting_issue"] == "Presenting"
    assert slot["history"] == "History"


async def test_a_new_plan_takes_the_keys_typed_after_the_question(app, demo_store):
    """p asks first; the answer and the case typed straight after it reach the new plan, not
    home (the session is made and the plan opened only once the question has closed)."""
    before = {s.id for s in demo_store.summaries("north-pod")}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await burst(pilot, "p", "enter", "shift+tab", "a", "=Lei", "tab", "=Pri", "tab")
        await burst(pilot, "=CS-40962 (Okafor)", "ctrl+s")
    store = open_store(demo_store.root)
    (new,) = [s for s in store.summaries("north-pod") if s.id not in before]
    (slot,) = store.session(new.id).slots
    assert (slot.presenter, slot.consultant) == ("leila-haddad", "priya-shah")
    assert slot.case_reference == "CS-40962 (Okafor)"


def _plan_dilemmas(store) -> None:
    """The dilemmas agreed when the session was planned, as the slot dialog keeps them."""
    session = store.session("demo-s3")
    for slot in session.slots:
        slot.dilemma = f"Agreed dilemma for {slot.case_reference}"
    store.save_session(session)


async def test_typing_at_the_start_of_a_case_goes_past_an_agreed_dilemma(app, demo_store):
    _plan_dilemmas(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await in_case_one(pilot)
        await burst(pilot, "=Mum has a new partner")
        first = screen.slot
        assert first is not None
        # on through the first case's phases to the second case, typing in the first
        await burst(pilot, "tab", *["=A long history", "enter"] * 12, "tab", "=Adam wants home")
        while screen.slot is first:
            await burst(pilot, "ctrl+n")
        await burst(pilot, "=Adam ran again")
        focused = app.focused
        assert focused is not None and focused.id == "presenting_issue"
        scroll = screen.query_one("#presentation Scroll")
        assert focused.region.height and scroll.region.contains_region(focused.region)
    slots = saved(demo_store)["slots"]
    assert slots[0]["dilemma"] == f"Agreed dilemma for {slots[0]['case_reference']}"
    assert slots[0]["presenting_issue"] == "Mum has a new partner"
    assert slots[1]["dilemma"] == f"Agreed dilemma for {slots[1]['case_reference']}"
    assert slots[1]["presenting_issue"] == "Adam ran again"


async def test_a_stray_key_in_a_filled_field_does_not_wipe_it(app, demo_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await in_case_one(pilot)
        await burst(pilot, "ctrl+l", "=Bruise on the arm", "enter")
        # Ctrl+L again, on a concern already raised: the keys go to what was done
        await burst(pilot, "ctrl+l", "=Strategy discussion asked for", "enter")
        # and tabbing back into the concern and typing adds to it, it does not replace it
        await burst(pilot, "ctrl+l", "shift+tab", "=, left side", "enter")
        assert isinstance(app.screen, RunScreen)
    assert saved(demo_store)["slots"][0]["safeguarding"] == {
        "concern": "Bruise on the arm, left side",
        "action_taken": "Strategy discussion asked for",
    }


async def test_escape_asks_before_it_throws_away_words_typed_into_a_dialog(app, demo_store):
    """A slip of Escape never loses a hypothesis: the words stay until a second answer says
    to discard them. An untouched dialog (or one holding only spaces) closes at once."""
    async with app.run_test(size=(80, 24)) as pilot:
        await in_case_one(pilot)
        await burst(pilot, "ctrl+g", "=Mum fears losing the baby", "escape")
        assert isinstance(app.screen, Confirm)
        await burst(pilot, "escape")  # back to the words, as they were
        assert isinstance(app.screen, HypothesisForm)
        assert app.screen.query_one("#text", Input).value == "Mum fears losing the baby"
        await burst(pilot, "escape", "enter")  # discard, said twice
        assert isinstance(app.screen, RunScreen)
        await burst(pilot, "ctrl+g", "space", "space", "escape")
        assert isinstance(app.screen, RunScreen)
    assert saved(demo_store)["slots"][0]["hypotheses"] == []


async def test_help_and_quit_reach_a_dialog_and_quit_asks_before_losing_its_words(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await in_case_one(pilot)
        await burst(pilot, "ctrl+g", "=Dad is shut out", "f1")
        assert isinstance(app.screen, HelpScreen)
        await burst(pilot, "escape", "ctrl+q")
        assert isinstance(app.screen, Confirm) and app.is_running
        said = [str(text.render()) for text in app.screen.query(Static)]
        assert said[1].startswith("Words were typed into this form. That is not saved.")
        await burst(pilot, "escape")
        assert app.screen.query_one("#text", Input).value == "Dad is shut out"
        await burst(pilot, "ctrl+q", "enter")
        assert app.return_code == 0 and not app.is_running
