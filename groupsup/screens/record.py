"""The pod's record over the last twelve months: the same report as `groupsup report`."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Markdown

from groupsup.domain.errors import GroupsupError
from groupsup.domain.models import Pod
from groupsup.outputs import report
from groupsup.screens.base import SubScreen, say_not_written
from groupsup.store.locations import exports_folder, own_exports
from groupsup.widgets.fitted import KeysFooter

HELP = """
# The pod's record

The last twelve months: sessions held against one a month, who presented and how often, cases
by category, the GRRAACCEESS lenses used in hypotheses (and never used), next steps agreed, done
and overdue, and safeguarding concerns raised. The same report as `groupsup report`.

| key | |
|---|---|
| e | save the report (Markdown and HTML) to the exports folder |
| Escape | back home |
"""


class RecordScreen(SubScreen):
    HELP = HELP
    BINDINGS = [Binding("e", "export", "Export", id="export-record")]

    def __init__(self, pod: Pod) -> None:
        super().__init__()
        self.pod = pod
        self.text = ""  # the report's Markdown, made in compose() when the app is known

    def compose(self) -> ComposeResult:
        today = self.gs.today()
        start = report.twelve_months_to(today)
        facts = self.gs.store.report_facts(self.pod.id, since=start)  # (the period's years)
        built = report.build(self.pod.model_dump(mode="json"), facts, start, today, today)
        self.text = report.as_markdown(built)
        yield Header()
        with VerticalScroll(id="document"):  # focusable: Page Up/Down scroll it
            yield Markdown(id="record")
        yield KeysFooter()

    def on_mount(self) -> None:
        super().on_mount()
        # The record's many blocks are laid out once the screen has opened and taken the keys
        # (focus, given first, would restyle every one of them): Escape is answered at once.
        self.call_after_refresh(self.query_one("#record", Markdown).update, self.text)

    def action_export(self) -> None:
        folder = exports_folder(self.gs.store.root)
        try:
            written = report.save(
                self.text, self.pod.name, own_exports(self.gs.store.root), self.gs.today()
            )
        except (GroupsupError, OSError) as error:
            say_not_written(self, "The record", error, into=folder)
            return
        self.notify("\n".join(map(str, written)), title="Record saved", markup=False)
