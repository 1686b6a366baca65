"""The pod and its members: add, rename, retire (retired members stay in old records)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Header, Static

from groupsup.domain import planning
from groupsup.domain.errors import GroupsupError, RuleBroken
from groupsup.domain.models import Member, Pod
from groupsup.screens.base import SubScreen, plain, say_not_written
from groupsup.screens.forms import TextPrompt
from groupsup.widgets.fitted import KeysFooter

HELP = """
# The pod and its members

| key | |
|---|---|
| a | add a member |
| r | rename the chosen member |
| t | retire the chosen member, or bring them back (retired members stay in old minutes) |
| f | make the chosen member the pod's facilitator |
| n | rename the pod |
| Escape | back home |
"""


class PodScreen(SubScreen):
    HELP = HELP
    BINDINGS = [
        Binding("a", "add", "Add", tooltip="Add a member", id="add-member"),
        Binding("r", "rename", "Rename", id="rename-member"),
        Binding("t", "retire", "Retire", tooltip="Retire or bring back", id="retire-member"),
        Binding("f", "facilitator", "Facilitator", id="make-facilitator"),
        Binding("n", "rename_pod", "Pod name", tooltip="Rename the pod", id="rename-pod"),
    ]

    def __init__(self, pod: Pod) -> None:
        super().__init__()
        self.pod = pod

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="pod-title", classes="pane-title", markup=False)
        yield DataTable(id="members", cursor_type="row", zebra_stripes=True)
        yield Static("a adds a member · t retires one · f makes the facilitator", classes="hint")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#members", DataTable).add_columns("Member", "Status", "Role")
        self.show()

    def show(self) -> None:
        self.query_one("#pod-title", Static).update(
            Content(f"{self.pod.name}: {len(self.pod.active_members)} active members")
        )
        table = self.query_one("#members", DataTable)
        row = table.cursor_row
        table.clear()
        for member in self.pod.members:
            role = "facilitator" if member.id == self.pod.facilitator else ""
            status = "retired" if member.retired else "active"
            table.add_row(plain(member.name), status, role, key=member.id)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def save(self) -> None:
        try:
            self.gs.store.save_pod(self.pod)
        except (GroupsupError, OSError) as error:
            say_not_written(self, "The pod", error, "The change stays here, saved with the next.")
        self.show()

    def chosen(self) -> Member | None:
        table = self.query_one("#members", DataTable)
        if table.row_count == 0:
            self.notify("Add a member first: press a.")
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.pod.member(key) if key is not None else None

    def action_add(self) -> None:
        def add(name: str | None) -> None:
            if name:
                planning.add_member(self.pod, name)
                self.save()
                table = self.query_one("#members", DataTable)
                table.move_cursor(row=table.row_count - 1)

        self.app.push_screen(TextPrompt("Name of the new member"), add)

    def action_rename(self) -> None:
        member = self.chosen()
        if member is None:
            return

        def rename(name: str | None) -> None:
            if name:
                member.name = name
                self.save()

        self.app.push_screen(TextPrompt("New name", member.name), rename)

    def action_retire(self) -> None:
        member = self.chosen()
        if member is None:
            return
        try:
            planning.set_retired(self.pod, member.id, not member.retired)
        except RuleBroken as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        self.save()

    def action_facilitator(self) -> None:
        member = self.chosen()
        if member is not None and not member.retired:
            self.pod.facilitator = member.id
            self.save()

    def action_rename_pod(self) -> None:
        def rename(name: str | None) -> None:
            if name:
                self.pod.name = name
                self.save()

        self.app.push_screen(TextPrompt("New name for the pod", self.pod.name), rename)
