"""Fitted to the terminal: a footer that shows the screen's keys in order with Help and Quit
always in sight, and tables whose long text column gives way to the short ones that matter."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.widgets import DataTable, Footer
from textual.widgets._footer import FooterKey
from textual.widgets.data_table import Column

# A compact footer key: "^n Next" and one space after it.
KEY_GAP = 1
# Narrower than this, a long column's text says too little to be worth its room.
MIN_LONG_WIDTH = 6


class KeysFooter(Footer):
    """The screen's keys in the order the screen lists them (the most used first), each whole
    (a cut key never shows a stray letter), on a second row when one is not enough (the run
    screen at 80 columns: every key the room needs stays in sight); the app's keys (F1 help,
    Ctrl+Q quit) are always at the right of the last row. What two rows cannot hold is in F1's
    help and the Ctrl+P palette."""

    DEFAULT_CSS = """
    KeysFooter {
        layout: vertical;
        height: auto;
        max-height: 2;
    }
    KeysFooter .keys-row {
        height: 1;
    }
    KeysFooter #app-keys {
        dock: right;
        width: auto;
        height: 1;
        background: $footer-background;
    }
    """

    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        screen_keys: list[tuple[Binding, bool]] = []
        app_keys: list[tuple[Binding, bool]] = []
        actions: set[str] = set()
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in actions:
                actions.add(binding.action)
                (app_keys if node is self.app else screen_keys).append((binding, enabled))
        rows = self._rows(screen_keys, sum(self._width(b) for b, _ in app_keys))
        for number, row in enumerate(rows, 1):
            with HorizontalGroup(classes="keys-row"):
                yield from (self._key(binding, enabled) for binding, enabled in row)
                if number == len(rows):
                    with HorizontalGroup(id="app-keys"):
                        yield from (self._key(binding, enabled) for binding, enabled in app_keys)

    def _rows(self, keys: list[tuple[Binding, bool]], app_width: int) -> list[list]:
        """One row when the keys fit beside the app's; else a full first row and a second
        beside the app's keys, each key whole."""
        width = self.app.size.width
        if sum(self._width(b) for b, _ in keys) <= width - app_width:
            return [keys]
        rows: list[list] = [[], []]
        room = [width, width - app_width]
        row = 0
        for key in keys:
            while row < len(rows) and self._width(key[0]) > room[row]:
                row += 1
            if row == len(rows):
                break  # the rest are in F1's help and the palette
            rows[row].append(key)
            room[row] -= self._width(key[0])
        return rows

    def _width(self, binding: Binding) -> int:
        shown = self.app.get_key_display(binding)
        return cell_len(shown) + 1 + cell_len(binding.description) + KEY_GAP

    def _key(self, binding: Binding, enabled: bool) -> FooterKey:
        return FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            binding.action,
            disabled=not enabled,
            tooltip=binding.tooltip,
        )  # compact, as this footer always is; not data-bound: see GroupSupApp.on_mount

    def on_resize(self, event: events.Resize) -> None:
        self.refresh(recompose=True)


class FittedTable(DataTable):
    """A table whose long text columns (`long`, by label) share the width the other columns
    leave and are cut with …, so who, due, sign-off and status stay in sight on a small
    terminal. The whole text is one Enter away, in the item's form."""

    def __init__(self, *, long: str | tuple[str, ...], **kwargs) -> None:
        super().__init__(**kwargs)
        self.long = (long,) if isinstance(long, str) else long

    def add_row(self, *cells, **kwargs):
        labels = [column.label.plain for column in self.ordered_columns]
        fitted = [
            _ellipsis(cell) if index < len(labels) and labels[index] in self.long else cell
            for index, cell in enumerate(cells)
        ]
        return super().add_row(*fitted, **kwargs)

    def _update_dimensions(self, new_rows) -> None:
        super()._update_dimensions(new_rows)
        self._fit()

    def _on_resize(self, event: events.Resize) -> None:
        super()._on_resize(event)
        self._fit()

    def _fit(self) -> None:
        columns = self.ordered_columns
        long = [c for c in columns if c.label.plain in self.long]
        if not long or self.size.width == 0:
            return
        others = sum(c.get_render_width(self) for c in columns if c not in long)
        padding = 2 * self.cell_padding * len(long)
        room = self.size.width - others - padding - 1  # 1: the scrollbar
        changed = False
        for column, width in _shares(room, long):
            if column.auto_width or column.width != width:
                column.auto_width, column.width, changed = False, width, True
        if changed:
            total = sum(c.get_render_width(self) for c in columns)
            self.virtual_size = self.virtual_size.with_width(total + self._row_label_column_width)
            self._clear_caches()


def _shares(room: int, long: list[Column]) -> list[tuple[Column, int]]:
    """`room` shared by the long columns: each gets what its text needs up to an even share of
    what is left, the shortest first, so a short case reference leaves its room to the names
    beside it; none narrower than its label or MIN_LONG_WIDTH."""
    shares = []
    by_need = sorted(long, key=lambda column: column.content_width)
    for left, column in enumerate(by_need):
        width = min(column.content_width, room // (len(by_need) - left))
        width = max(width, cell_len(column.label.plain), MIN_LONG_WIDTH)
        shares.append((column, width))
        room -= width
    return shares


def _ellipsis(cell: object) -> Text:
    text = cell.copy() if isinstance(cell, Text) else Text(str(cell))
    text.overflow, text.no_wrap = "ellipsis", True
    return text
