"""GroupSupApp: the facilitator's terminal app."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from groupsup.storage import Store


class GroupSupApp(App):
    TITLE = "groupsup"
    SUB_TITLE = "group reflective supervision"
    CSS_PATH = "app.tcss"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="quit")]

    def __init__(self, store_path: Path | str) -> None:
        super().__init__()
        self.store_path = Path(store_path)
        self.store = Store(self.store_path)

    def on_mount(self) -> None:
        from groupsup.screens.home import HomeScreen

        self.push_screen(HomeScreen())
