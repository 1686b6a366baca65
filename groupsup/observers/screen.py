"""ParticipantApp: what an observer runs from their own screen (`groupsup join`, or a browser
through `groupsup serve`). It reads the running session and sends notes to its inbox; it never
writes the session itself, the plan, or any other session."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from groupsup.domain.clock import SessionClock
from groupsup.domain.dates import local_now
from groupsup.domain.errors import GroupsupError, explain
from groupsup.domain.formats import format_named
from groupsup.domain.models import Session
from groupsup.observers import joining
from groupsup.store.interface import open_store
from groupsup.widgets.session_header import SessionHeader


class ParticipantApp(App):
    TITLE = "groupsup"
    SUB_TITLE = "join a session"
    CSS_PATH = "../app.tcss"  # the app's stylesheet, beside groupsup/app.py
    BINDINGS = [Binding("ctrl+q", "quit", "Leave", id="quit")]

    def __init__(
        self,
        store_path: Path | str,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], dt.datetime] = local_now,
    ) -> None:
        super().__init__()
        self.store = open_store(store_path)
        self.monotonic, self.wall = monotonic, wall

    def on_mount(self) -> None:
        self.push_screen(CodeScreen())


class CodeScreen(Screen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Join the group reflective supervision", classes="pane-title")
        yield Static(
            "Type the join code shown on the facilitator's screen, then Enter.", classes="hint"
        )
        yield Input(placeholder="join code", id="code")
        yield Static("", id="problem", markup=False)
        yield Footer(compact=True)

    @on(Input.Submitted, "#code")
    def _join(self, event: Input.Submitted) -> None:
        app: ParticipantApp = self.app  # type: ignore[assignment]
        try:
            session_id = joining.check_code(app.store.root, event.value, app.wall())
            session = app.store.session(session_id)
        except GroupsupError as error:
            problem = self.query_one("#problem", Static)
            problem.update(Content(str(error)))
            problem.add_class("shown")
            return
        self.app.push_screen(NameScreen(session))


class NameScreen(Screen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="back")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        pod = self.app.store.pod(self.session.pod_id)
        yield Header()
        yield Label("Who are you? (Up, Down, then Enter)", classes="pane-title")
        yield OptionList(
            *[Option(Content(pod.name_of(m)), id=m) for m in self.session.attendees],
            id="names",
        )
        yield Footer(compact=True)

    @on(OptionList.OptionSelected, "#names")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.app.push_screen(ParticipantScreen(self.session.id, event.option.id))


class ParticipantScreen(Screen):
    """The running session, read-only, and two fields to send notes in one's own name."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="back")]

    def __init__(self, session_id: str, member_id: str) -> None:
        super().__init__()
        self.session_id, self.member_id = session_id, member_id
        self.session: Session | None = None
        self.clock: SessionClock | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="run-head"):
            yield SessionHeader()
            yield Static("", id="you-line", markup=False)
        yield Label("Resonance: how does this case speak to your own caseload? (Enter sends)")
        yield Input(id="resonance")
        yield Label("A hypothesis: what might be going on? (Enter sends)")
        yield Input(id="hypothesis")
        yield Static("", id="problem", markup=False)
        yield Static("", id="sent", markup=False, classes="hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.refresh_view()
        self.set_interval(1.0, self.refresh_view)

    def refresh_view(self) -> None:
        app: ParticipantApp = self.app  # type: ignore[assignment]
        try:
            self.session = app.store.session(self.session_id)
            fmt = format_named(self.session.format, app.store.root)
        except GroupsupError as error:
            self._say_problem(str(error))
            return
        self.clock = SessionClock(self.session, fmt, app.monotonic, app.wall)
        pod = app.store.pod(self.session.pod_id)
        self.query_one(SessionHeader).show(pod, self.session, self.clock)
        you = f"You are {pod.name_of(self.member_id)}."
        if self.clock.started and self.clock.slot is None:
            you += " Notes can be sent during a case."
        self.query_one("#you-line", Static).update(Content(you))

    @on(Input.Submitted)
    def _send(self, event: Input.Submitted) -> None:
        kind = joining.NoteKind(event.input.id)
        app: ParticipantApp = self.app  # type: ignore[assignment]
        slot = self.clock.slot if self.clock and self.clock.started else None
        if slot is None:
            self._say_problem("Notes can be sent only while a case is being discussed.")
            return
        try:
            note = joining.InboxNote(
                kind=kind, slot_id=slot.id, author=self.member_id, text=event.value
            )
            joining.post(app.store.root, self.session, note)
        except GroupsupError as error:
            self._say_problem(str(error))
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
