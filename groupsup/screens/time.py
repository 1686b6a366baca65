"""When time runs out: use the session's spare minutes, then take from later cases; or extend
the session, or move on."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Input, Label, Static

from groupsup.domain.clock import Rebalance, SessionClock
from groupsup.domain.dates import parse_minutes
from groupsup.domain.errors import GroupsupError
from groupsup.domain.models import Pod
from groupsup.screens.base import Dialog, Scroll
from groupsup.widgets.timer import clock_text


@dataclass(frozen=True)
class Extend:
    """Lengthen the session by `minutes`, for what is running now."""

    minutes: int


class MoveOn:
    """End this phase now and move to the next."""


class TimeDialog(Dialog[Rebalance | Extend | MoveOn]):
    """Dismisses with the time to take from later cases (a Rebalance), Extend or MoveOn;
    Escape gives None."""

    BINDINGS = [Binding("ctrl+s", "take", "Give this time", id="take")]

    def __init__(self, pod: Pod, clock: SessionClock) -> None:
        super().__init__()
        self.pod = pod
        self.clock = clock
        self.proposal: Rebalance | None = None

    def compose(self) -> ComposeResult:
        clock = self.clock
        where = clock.stop.title
        state = clock_text(clock.phase_left())
        with Scroll(classes="dialog"):
            yield Label("More time?", classes="dialog-title")
            yield Static(Content(f"{where}: {state}."))
            yield Label("Minutes to give this case")
            yield Input(str(max(5, clock.overrun_minutes())), id="minutes")
            yield Static("", id="preview")
            yield Static("", id="problem", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Give this time", id="take", variant="primary")
                yield Button("Extend the session", id="extend")
                yield Button("Move on", id="move-on")
            yield Static("Enter gives this time · Escape cancels", classes="hint")

    def on_mount(self) -> None:
        self.preview(self.query_one("#minutes", Input).value)

    def minutes(self) -> int:
        return parse_minutes(self.query_one("#minutes", Input).value, "The extra time", 1, 120)

    @on(Input.Changed, "#minutes")
    def _changed(self, event: Input.Changed) -> None:
        self.preview(event.value)

    def preview(self, _text: str) -> None:
        problem = self.query_one("#problem", Static)
        preview = self.query_one("#preview", Static)
        self.proposal = None
        try:
            minutes = self.minutes()
        except GroupsupError as error:
            problem.update(Content(str(error)))
            return
        problem.update("")
        if self.clock.slot is None:
            preview.update("Outside a case, time can only come from extending the session.")
            return
        self.proposal = proposal = self.clock.propose_more_time(minutes)
        lines = [f"The session has {self.clock.spare_minutes()} spare minutes."]
        if proposal.from_spare:
            lines.append(f"From the spare time: {proposal.from_spare} min")
        changed = {k: v for k, v in proposal.new_minutes.items() if v != self._planned(k)}
        if changed:
            lines.append(f"From later cases: {proposal.from_later} min. They would become:")
            lines += [
                f"  {self._title(k)}: {self._planned(k)} -> {v} min" for k, v in changed.items()
            ]
        elif proposal.new_minutes:
            lines.append("Later cases keep their time.")
        if proposal.shortfall:
            lines.append(
                f"Only {proposal.given} min can be given without taking later cases below "
                "their minimum: extend the session or move on."
            )
        preview.update(Content("\n".join(lines)))

    def _planned(self, slot_id: str) -> int:
        return self.clock.session.slot(slot_id).planned_minutes

    def _title(self, slot_id: str) -> str:
        return self.clock.session.slot(slot_id).title

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_take()

    def action_take(self) -> None:
        if self.proposal is not None and self.proposal.given > 0:
            self.dismiss(self.proposal)
        else:
            self.query_one("#problem", Static).update(
                "No spare time, and no later case can give any: extend the session or move on."
            )

    @on(Button.Pressed, "#take")
    def _take(self) -> None:
        self.action_take()

    @on(Button.Pressed, "#extend")
    def _extend(self) -> None:
        try:
            self.dismiss(Extend(self.minutes()))
        except GroupsupError as error:
            self.query_one("#problem", Static).update(Content(str(error)))

    @on(Button.Pressed, "#move-on")
    def _move_on(self) -> None:
        self.dismiss(MoveOn())
