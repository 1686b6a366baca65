"""The case's lists on the run screen, one table each: hypotheses, resonance notes, next steps.

Enter on a row asks for it to be edited and Delete for it to be removed; the screen that holds
the table opens the form and saves (messages belong to the widget that sends them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from groupsup.domain.models import CaseSlot, Pod
from groupsup.widgets.fitted import FittedTable
from groupsup.widgets.text import plain

ItemField = Literal["hypotheses", "resonance", "next_steps"]

Row = tuple[str, tuple[str | Text, ...]]


def _hypotheses(pod: Pod, slot: CaseSlot) -> list[Row]:
    return [
        (
            h.id,
            (
                str(n),
                plain(h.text),
                plain(pod.name_of(h.offered_by) or "-"),
                ", ".join(lens.value for lens in h.lenses),
            ),
        )
        for n, h in enumerate(slot.hypotheses, 1)
    ]


def _resonance(pod: Pod, slot: CaseSlot) -> list[Row]:
    return [(n.id, (plain(pod.name_of(n.observer)), plain(n.text))) for n in slot.resonance]


def _next_steps(pod: Pod, slot: CaseSlot) -> list[Row]:
    return [
        (
            s.id,
            (
                plain(s.action),
                plain(pod.name_of(s.owner) or "-"),
                str(s.due or "-"),
                "needed" if s.needs_signoff else "",
            ),
        )
        for s in slot.next_steps
    ]


COLUMNS: dict[ItemField, tuple[str, ...]] = {
    "hypotheses": ("#", "Hypothesis", "Offered by", "Lenses"),
    "resonance": ("Observer", "Resonance"),
    "next_steps": ("Action", "Owner", "Due", "Sign-off"),
}
ROWS: dict[ItemField, Callable[[Pod, CaseSlot], list[Row]]] = {
    "hypotheses": _hypotheses,
    "resonance": _resonance,
    "next_steps": _next_steps,
}


# The long text column(s) of each list, cut to fit so who, due and sign-off stay in sight.
LONG: dict[ItemField, tuple[str, ...]] = {
    "hypotheses": ("Hypothesis", "Lenses"),
    "resonance": ("Resonance",),
    "next_steps": ("Action",),
}


class ItemTable(FittedTable):
    """One of the case's lists: which one is `field`, the slot field it shows."""

    BINDINGS = [Binding("delete", "remove", "Remove", show=False, id="remove-item")]

    class EditRequested(Message):
        def __init__(self, field: ItemField, item_id: str) -> None:
            super().__init__()
            self.field, self.item_id = field, item_id

    class RemoveRequested(Message):
        def __init__(self, field: ItemField, item_id: str) -> None:
            super().__init__()
            self.field, self.item_id = field, item_id

    def __init__(self, field: ItemField, *, id: str | None = None) -> None:
        super().__init__(long=LONG[field], id=id, cursor_type="row")
        self.field = field

    def on_mount(self) -> None:
        self.add_columns(*COLUMNS[self.field])

    def show(self, pod: Pod, slot: CaseSlot) -> None:
        """Shown afresh, the cursor staying on the item it was on (the one just edited), or
        where it was if that item is gone."""
        row = self.cursor_row
        kept = (
            self.coordinate_to_cell_key(self.cursor_coordinate).row_key if self.row_count else None
        )
        self.clear()
        for key, cells in ROWS[self.field](pod, slot):
            self.add_row(*cells, key=key)
        if kept is not None and kept in self.rows:
            row = self.get_row_index(kept)
        self.move_cursor(row=min(row, max(self.row_count - 1, 0)))

    @on(DataTable.RowSelected)
    def _edit(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:  # every row is added with its item's id
            self.post_message(self.EditRequested(self.field, event.row_key.value))

    def action_remove(self) -> None:
        if self.row_count:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
            if key is not None:
                self.post_message(self.RemoveRequested(self.field, key))
