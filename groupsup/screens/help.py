"""F1: help for the screen you are on, in Markdown."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

COMMON = """
## Everywhere

| key | |
|---|---|
| F1, ? | this help (`?` outside a text field) |
| Escape | back, or cancel a form (asking first if words were typed) |
| Tab, Shift+Tab | next or previous field |
| Ctrl+P | the command palette: every action of this screen, by name |
| F10 | light or dark theme |
| Ctrl+Q | quit (everything is already saved) |
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "Close help", id="close-help"),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(self.text + "\n" + COMMON)
