"""Closing a session (checks, a preview of the minutes, saving them) and reading past minutes."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Header, Input, Label, Markdown, ProgressBar, Static

from groupsup.domain import agreeing, planning, running
from groupsup.domain.clock import SessionClock
from groupsup.domain.errors import GroupsupError, reason
from groupsup.domain.models import Pod, Session, SessionStatus
from groupsup.outputs import minutes
from groupsup.outputs.pseudonymise import pseudonymise, reviewed_in
from groupsup.screens.base import Scroll, SubScreen, say_not_written
from groupsup.screens.forms import AgreementForm, Confirm
from groupsup.store.locations import exports_folder, own_exports
from groupsup.widgets.fitted import KeysFooter
from groupsup.widgets.minutes_preview import MinutesPreview

CLOSE_HELP = """
# Close the session

The checks list what the record lacks; you may close all the same. The preview is the Markdown
minutes exactly as they will be saved.

| key | |
|---|---|
| Ctrl+S | save the minutes (Markdown, JSON, HTML) to the folder and close the session |
| Escape | back to the session, to complete the record |
"""

MINUTES_HELP = """
# Minutes of a past session

| key | |
|---|---|
| e | save the minutes (Markdown, JSON, HTML) to the exports folder |
| x | save them pseudonymised: family names replaced by roles, after showing you which |
| w | the minutes, and each case's record for the child's file, as Word and PDF |
| a | a case's record agreed by its worker (with any correction), then passed to the manager |
| Escape | back home |
"""


class CloseScreen(SubScreen):
    HELP = CLOSE_HELP
    BINDINGS = [
        Binding("ctrl+s", "close_session", "Save minutes and close", id="close-session"),
    ]

    def __init__(self, pod: Pod, session: Session, clock: SessionClock) -> None:
        super().__init__()
        self.pod, self.session, self.clock = pod, session, clock
        self._backing_up = False

    def compose(self) -> ComposeResult:
        warnings = planning.close_warnings(self.pod, self.session)
        yield Header()
        with Scroll(id="close-head"):
            if warnings:
                yield Label("The record lacks (you may close all the same):", classes="pane-title")
                yield Static(Content("\n".join(f"- {w}" for w in warnings)), id="warnings")
            else:
                yield Label("The record is complete.", classes="pane-title")
            with Horizontal(classes="fields"):
                yield Label("Save to")
                yield Input(str(exports_folder(self.gs.store.root)), id="folder", compact=True)
            yield Static("", id="problem", markup=False)
            with Horizontal(id="backing-up", classes="fields"):
                yield Label("Backing up the store")
                yield ProgressBar(id="backup-progress", show_eta=False)
        with VerticalScroll(id="document"):  # focusable: Page Up/Down scroll the preview
            yield MinutesPreview(minutes.as_markdown(self.pod, self.session), id="preview")
        yield KeysFooter()

    def action_close_session(self) -> None:
        if self._backing_up:  # a second Ctrl+S while the backup runs
            return
        self._backing_up = True
        self.query_one("#backing-up").add_class("shown")
        self._back_up_then_close(Path(self.query_one("#folder", Input).value).expanduser())

    def _checked(self, folder: Path) -> Path:
        """The folder typed to save the minutes into; the store's exports folder only if it
        is not a link (`own_exports`)."""
        root = self.gs.store.root
        return own_exports(root) if folder == exports_folder(root) else folder

    @work(thread=True, exclusive=True, group="close")
    def _back_up_then_close(self, folder: Path) -> None:
        """The backup reads and writes files: in a thread, so that keys are answered meanwhile."""
        bar = self.query_one("#backup-progress", ProgressBar)

        def progress(done: int, total: int) -> None:
            if done == total or done % max(1, total // 50) == 0:  # about 50 updates at most
                self.app.call_from_thread(bar.update, total=total, progress=done)

        try:
            self.gs.store.backup("before closing", progress=progress)
            problem = ""
        except (GroupsupError, OSError) as error:  # damaged elsewhere, or a full disk: say so,
            problem = reason(error)  # and close all the same
        self.app.call_from_thread(self._close, folder, problem)

    def _close(self, folder: Path, backup_problem: str) -> None:
        self._backing_up = False
        self.query_one("#backing-up").remove_class("shown")
        if backup_problem:
            self.notify(f"No backup was made: {backup_problem}", severity="warning", markup=False)
        if not self.is_current:  # the facilitator went back to the session meanwhile
            return
        try:
            _closed, written = running.close(
                self.clock,
                lambda closed: minutes.save_all(self.pod, closed, self._checked(folder)),
                self.gs.store.save_session,
            )
        except running.NotClosed as error:
            self.query_one("#problem", Static).update(Content(str(error)))
            self.query_one("#problem").add_class("shown")
            return
        # The run screen below holds this same session: once it knows the session is closed,
        # nothing it saves on its way out (what is typed, when it unmounts) can reopen it.
        self.session.status = SessionStatus.CLOSED
        self.notify(
            "\n".join(str(p) for p in written), title="Session closed; minutes saved", markup=False
        )
        while len(self.app.screen_stack) > 1:  # back to home, the bottom of the stack
            self.app.pop_screen()


class MinutesScreen(SubScreen):
    HELP = MINUTES_HELP
    BINDINGS = [
        Binding("e", "export", "Export", id="export-minutes"),
        Binding(
            "x",
            "export_pseudonymised",
            "Pseudonymised",
            tooltip="Export without family names",
            id="export-pseudonymised",
        ),
        Binding(
            "a",
            "agree",
            "Agree / pass on",
            tooltip="A case's record agreed by its worker, then passed to the manager",
            priority=True,  # the dialog opens before the keys typed after it are handled
            id="agree-record",
        ),
        Binding(
            "w",
            "export_for_filing",
            "Word & PDF",
            tooltip="The minutes and each case's record for the child's file, as Word and PDF",
            id="export-for-filing",
        ),
    ]

    def __init__(self, pod: Pod, session: Session) -> None:
        super().__init__()
        self.pod, self.session = pod, session

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="document"):
            yield MinutesPreview(minutes.as_markdown(self.pod, self.session), id="preview")
        yield KeysFooter()

    @on(Markdown.LinkClicked)
    def _no_links(self, event: Markdown.LinkClicked) -> None:
        event.prevent_default()

    def check_action(self, action: str, parameters: tuple) -> bool:
        # A session postponed or cancelled presented no case: there is no record to agree.
        return action != "agree" or self.session.status is SessionStatus.CLOSED

    def action_agree(self) -> None:
        at = self.gs.wall()

        def record(chosen: tuple[int, str, str] | None) -> None:
            if chosen is None:
                return
            number, correction, manager = chosen
            try:
                self.session = self.gs.store.update_session(
                    self.session.id,
                    lambda s: agreeing.advance(self.pod, s, number, at, correction, manager),
                )
            except GroupsupError as error:
                self.notify(str(error), title="Not recorded", severity="error", markup=False)
                return
            slot = self.session.slots[number - 1]
            said = agreeing.in_words(self.pod, self.session, slot)
            self.notify(said, title=f"Case {number}: {slot.title}", markup=False)
            preview = minutes.as_markdown(self.pod, self.session)
            self.query_one("#preview", MinutesPreview).update(preview)

        self.app.push_screen(AgreementForm(self.pod, self.session, at), record)

    def action_export(self) -> None:
        try:
            written = minutes.save_all(self.pod, self.session, own_exports(self.gs.store.root))
        except (GroupsupError, OSError) as error:
            say_not_written(self, "The minutes", error, into=exports_folder(self.gs.store.root))
            return
        self.notify("\n".join(str(p) for p in written), title="Minutes saved", markup=False)

    def action_export_for_filing(self) -> None:
        self.notify("Writing Word and PDF files…", title="Minutes and case records")
        self._write_for_filing()

    @work(thread=True, exclusive=True, group="filing")
    def _write_for_filing(self) -> None:
        folder = exports_folder(self.gs.store.root)
        try:
            written = minutes.save_for_filing(
                self.pod, self.session, own_exports(self.gs.store.root)
            )
        except (GroupsupError, OSError) as error:
            self.app.call_from_thread(
                say_not_written, self, "The Word and PDF files", error, into=folder
            )
            return
        self.app.call_from_thread(
            self.notify,
            "\n".join(map(str, written)),
            title="Minutes and case records saved",
            markup=False,
        )

    def action_export_pseudonymised(self) -> None:
        earlier = reviewed_in(self.session, self.gs.store.session)
        shareable, replaced, suspects = pseudonymise(self.session, earlier, self.pod)
        listed = "\n".join(f"  {name}  ->  {role}" for name, role in replaced) or "  (nothing)"
        left = ", ".join(suspects) or "nothing"
        body = (
            f"These names will be replaced:\n{listed}\n\nStill looks like a name: {left}\n\n"
            "Workers' names, dates, and anything not named in a genogram (a school, a street) "
            "stay as written: read the minutes before you share them."
        )

        def write(confirmed: bool | None) -> None:
            if confirmed:
                folder = exports_folder(self.gs.store.root)
                try:
                    written = minutes.save_all(
                        self.pod, shareable, own_exports(self.gs.store.root), "-pseudonymised"
                    )
                except (GroupsupError, OSError) as error:
                    say_not_written(self, "The pseudonymised minutes", error, into=folder)
                    return
                self.notify(
                    "\n".join(map(str, written)), title="Pseudonymised minutes saved", markup=False
                )

        self.app.push_screen(Confirm("Export pseudonymised minutes?", body), write)
