"""What every groupsup screen shares: Escape goes back, F1 shows help for the screen."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, TextArea

from groupsup.domain.errors import GroupsupError, reason
from groupsup.widgets.text import plain as plain  # screens import it from here

if TYPE_CHECKING:
    from groupsup.app import GroupSupApp


Result = TypeVar("Result")  # what a dialog gives back when it is dismissed


class Scroll(VerticalScroll, can_focus=False):
    """Scrolls with the focused field; never a Tab stop of its own."""


def focus_then_take_keys(screen: Screen[Any], app: GroupSupApp) -> None:
    """A screen has just opened: its first field (unless it chose one) takes focus, then the
    keys typed while it was opening, which the app held, reach it in order."""
    try:
        fields = screen.focus_chain
        if screen.focused is None and fields:
            screen.set_focus(fields[0])
    finally:
        app.release_keys()


def say_not_written(
    screen: Screen,
    what: str,
    error: GroupsupError | OSError,
    then: str = "",
    into: Path | None = None,
) -> None:
    """A save or an export that the disk (or the store) refused: one notice, and the app goes
    on. `then` says what became of what was typed; `into` is the folder an export went to
    (named rather than the temporary file the system names)."""
    if into is not None and isinstance(error, OSError):
        why = f"to {into} ({error.strerror or error})"
    else:
        why = f"({reason(error)})"
    screen.notify(
        f"{what} could not be written {why}.{' ' + then if then else ''}",
        title="Not written",
        severity="error",
        markup=False,
    )


def say_left_out(screen: Screen, of_what: str, reasons: Iterable[str]) -> None:
    """Past sessions that could not be read: each named in a notice, with what it was left out
    of (never silently)."""
    for why in reasons:
        screen.notify(
            f"Left out of {of_what}: {why}",
            title="A past session cannot be read",
            severity="error",
            timeout=30,
            markup=False,
        )


class GroupSupScreen(Screen):
    """A full screen of the app. Subclasses set HELP (Markdown) for F1."""

    HELP = "No help has been written for this screen yet."

    def on_mount(self) -> None:
        focus_then_take_keys(self, self.gs)

    @property
    def gs(self) -> GroupSupApp:
        return self.app  # type: ignore[return-value]

    def unsaved(self) -> str | None:
        """What quitting now would lose, in a sentence; None when everything is saved (every
        screen saves as it goes; one that cannot, says so here)."""
        return None


class SubScreen(GroupSupScreen):
    """A screen reached from home: Escape goes back. (Textual merges BINDINGS down the MRO.)"""

    BINDINGS = [Binding("escape", "back", "Back", id="back")]

    def action_back(self) -> None:
        self.app.pop_screen()


class Dialog(ModalScreen[Result | None]):
    """A modal form that dismisses with its result, a T; Escape cancels (None), asking first
    when words were typed into it (never lost to a slip of the key)."""

    HELP = "Fill in the fields (Tab moves between them), then press Enter to save or Escape."
    # Priority: handled the moment it is typed, so the keys after it reach the screen below.
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", priority=True, id="cancel"),
        # A modal screen lets none of the app's keys through: help and quit are a dialog's too.
        Binding("f1", "app.help", "Help", show=False, id="dialog-help"),
        Binding("ctrl+q", "app.quit", "Quit", show=False, id="dialog-quit"),
    ]

    @property
    def gs(self) -> GroupSupApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:  # after a subclass's own (Textual calls each class's)
        self._below_what_stays_in_sight()
        self._as_opened = self._words()  # before the keys typed while it opened reach it
        focus_then_take_keys(self, self.gs)

    def _words(self) -> list[str]:
        """What the dialog's text fields hold (spaces alone are not words)."""
        return [
            *(field.value.strip() for field in self.query(Input)),
            *(field.text.strip() for field in self.query(TextArea)),
        ]

    def on_resize(self) -> None:
        self._below_what_stays_in_sight()

    def _below_what_stays_in_sight(self) -> None:
        """Over the run screen the header (case, roles, phase, time left) stays in sight: the
        dialog fits, or scrolls inside itself, in the rows below it."""
        stack = self.app.screen_stack
        kept = stack[-2].query(".stays-in-sight") if len(stack) > 1 else ()
        top = max((widget.region.bottom for widget in kept), default=0)
        for dialog in self.query(".dialog"):
            dialog.styles.margin = (top, 0, 0, 0)
            dialog.styles.max_height = max(self.size.height - top, 5)

    def unsaved(self) -> str | None:
        """What closing the dialog now would lose, in a sentence (as `GroupSupScreen`'s)."""
        return None if self._words() == self._as_opened else "Words were typed into this form."

    def action_cancel(self) -> None:
        lost = self.unsaved()
        if lost is None:
            self.dismiss(None)
            return
        from groupsup.screens.forms import Confirm  # (forms builds on this module)

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        question = f"{lost} They are not saved.\n\nEnter discards them; Escape goes back to them."
        self.app.push_screen(Confirm("Discard what you typed?", question), answered)
