"""The observers' personal join codes, for the facilitator to read out or show each privately."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Checkbox, DataTable, Label, Static

from groupsup.domain.models import Pod
from groupsup.observers.joining import JoinCodes
from groupsup.screens.base import Dialog, Scroll, plain


class JoinCodesDialog(Dialog[bool]):
    """Who may join, with their code and whether they have; Escape closes, returning whether
    observers are to see family names in case references."""

    HELP = "Give each observer their own code, privately: it is who they are in the session."

    def __init__(self, pod: Pod, codes: JoinCodes, joined: set[str]) -> None:
        super().__init__()
        self.pod, self.codes, self.joined = pod, codes, joined

    def compose(self) -> ComposeResult:
        with Scroll(classes="dialog"):
            yield Label("Observers' join codes", classes="dialog-title")
            yield Static(
                "Each code is one person's, for this session only: give it to them privately. "
                "They open the address 'groupsup serve' shows, or run 'groupsup join'.",
                classes="hint",
            )
            table: DataTable[Text | str] = DataTable(id="codes-table", cursor_type="row")
            table.add_columns("Who", "Code", "Joined")
            for member_id, code in self.codes.codes.items():
                joined = "yes" if member_id in self.joined else ""
                table.add_row(plain(self.pod.name_of(member_id)), code, joined, key=member_id)
            yield table
            yield Checkbox(
                "Observers see the family name in brackets in case references",
                self.codes.family_names,
                id="family-names",
            )
            yield Static("Escape: close", classes="hint")

    def action_cancel(self) -> None:
        self.dismiss(self.query_one("#family-names", Checkbox).value)
