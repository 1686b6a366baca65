"""ParticipantApp: what an observer runs from their own screen (`groupsup join`, or a browser
through `groupsup serve`). It reads the running session and sends notes to its inbox; it never
writes the session itself, the plan, or any other session."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static

from groupsup.domain.clock import SessionClock
from groupsup.domain.dates import local_now
from groupsup.domain.errors import GroupsupError, explain, os_reason, reason
from groupsup.domain.formats import format_named
from groupsup.domain.models import Session
from groupsup.observers import joining
from groupsup.store.interface import open_store
from groupsup.widgets.crash import NoRecordsInCrashes
from groupsup.widgets.fields import TextField
from groupsup.widgets.fitted import KeysFooter
from groupsup.widgets.session_header import SessionHeader


class ParticipantApp(NoRecordsInCrashes):
    TITLE = "groupsup"
    SUB_TITLE = "join a session"
    CSS_PATH = "../app.tcss"  # the app's stylesheet, beside groupsup/app.py
    BINDINGS = [Binding("ctrl+q", "quit", "Leave", id="quit")]
    # A phone held upright gives about 43 columns; app.tcss stacks what would not fit.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-wide")]

    def __init__(
        self,
        store_path: Path | str,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], dt.datetime] = local_now,
        address: str | None = None,
    ) -> None:
        super().__init__()
        self.store = open_store(store_path)
        self.monotonic, self.wall = monotonic, wall
        self.connection = uuid.uuid4().hex  # this screen, told apart from the observer's others
        self.gate = joining.Gate(self.store, address)

    def on_mount(self) -> None:
        self.push_screen(CodeScreen())


class CodeScreen(Screen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Join the group reflective supervision", classes="pane-title wrap")
        yield Static(
            "Type your own join code, as the facilitator gave it to you, then Enter.",
            classes="hint wrap",
        )
        yield TextField(placeholder="join code", id="code")
        yield Static("", id="problem", markup=False, classes="wrap")
        yield KeysFooter()

    @on(Input.Submitted, "#code")
    def _join(self, event: Input.Submitted) -> None:
        app: ParticipantApp = self.app  # type: ignore[assignment]
        try:
            joined = app.gate.admit(event.value, app.connection, app.wall())
        except (GroupsupError, OSError) as error:
            problem = self.query_one("#problem", Static)
            problem.update(Content(reason(error)))
            problem.add_class("shown")
            return
        event.input.value = ""
        self.query_one("#problem", Static).remove_class("shown")
        self.app.push_screen(ParticipantScreen(joined))


class ParticipantScreen(Screen):
    """The running session, read-only, and two fields to send notes in one's own name."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="back")]

    def __init__(self, joined: joining.Joined) -> None:
        super().__init__()
        self.joined = joined
        self.session: Session | None = None
        self.clock: SessionClock | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="run-head"):
            yield SessionHeader()
            yield Static("", id="you-line", markup=False)
        yield Label(
            "Resonance: how does this case speak to your own caseload? (Enter sends)",
            classes="wrap",
        )
        yield TextField(id="resonance")
        yield Label("A hypothesis: what might be going on? (Enter sends)", classes="wrap")
        yield TextField(id="hypothesis")
        yield Static("", id="problem", markup=False, classes="wrap")
        yield Static("", id="sent", markup=False, classes="hint wrap")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.refresh_view()
        self.set_interval(1.0, self.refresh_view)

    def on_unmount(self) -> None:
        app: ParticipantApp = self.app  # type: ignore[assignment]
        joining.leave(app.store, self.joined, app.connection)

    def refresh_view(self) -> None:
        app: ParticipantApp = self.app  # type: ignore[assignment]
        try:
            self.session = app.store.session(self.joined.session_id)
            joining.still_open(self.session, self.joined.member_id)
            fmt = format_named(self.session.format, app.store.own_formats())
        except GroupsupError as error:
            self._say_problem(str(error))
            self._open_fields(False)
            return
        try:
            joining.say_present(app.store, self.joined, app.connection, app.wall())
        except OSError as error:
            self._say_problem(f"The facilitator may not see you here ({os_reason(error)}).")
        self.clock = SessionClock(self.session, fmt, app.monotonic, app.wall)
        pod = app.store.pod(self.session.pod_id)
        family_names = joining.family_names_shown(app.store, self.session.id)
        self.query_one(SessionHeader).show(pod, self.session, self.clock, family_names)
        you = f"You are {pod.name_of(self.joined.member_id)}."
        during_a_case = self.clock.started and self.clock.slot is not None
        if not during_a_case:
            you += " Notes can be sent during a case."
        self.query_one("#you-line", Static).update(Content(you))
        self._open_fields(during_a_case)

    def _open_fields(self, open_: bool) -> None:
        """Fields take notes only when they can be sent: during a case of a running session.
        As they open, the first takes the keys (a shut field lost focus, and what was typed
        next would go nowhere)."""
        for field in self.query(Input):
            field.disabled = not open_
        if open_ and self.focused is None:
            self.query_one("#resonance", Input).focus()

    @on(Input.Submitted)
    def _send(self, event: Input.Submitted) -> None:
        kind = joining.NoteKind(event.input.id or "")  # each field's id is the kind it sends
        app: ParticipantApp = self.app  # type: ignore[assignment]
        slot = self.clock.slot if self.clock and self.clock.started else None
        if slot is None or self.session is None:
            self._say_problem("Notes can be sent only while a case is being discussed.")
            return
        try:
            note = joining.InboxNote(
                kind=kind, slot_id=slot.id, author=self.joined.member_id, text=event.value
            )
            joining.post(app.store, self.session, note)
        except GroupsupError as error:
            self._say_problem(str(error))
            return
        except OSError as error:  # the store's disk: the note stays in its field, to send again
            self._say_problem(f"Not sent ({os_reason(error)}): press Enter to try again.")
            return
        except ValidationError as error:  # an empty note
            self._say_problem(explain(error))
            return
        event.input.value = ""
        self._say_problem("")
        self.query_one("#sent", Static).update(Content(f"Sent your {kind.value}: {note.text}"))

    def _say_problem(self, message: str) -> None:
        problem = self.query_one("#problem", Static)
        problem.update(Content(message))
        problem.set_class(bool(message), "shown")
