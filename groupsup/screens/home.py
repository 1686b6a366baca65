"""Home: the pods in the store and their sessions."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header


class HomeScreen(Screen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="sessions", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        store = self.app.store
        pods = {pod.id: pod.name for pod in store.pods()}
        table = self.query_one("#sessions", DataTable)
        table.add_columns("Date", "Pod", "Status", "Cases")
        for s in store.summaries():
            table.add_row(str(s.date), pods.get(s.pod_id, s.pod_id), s.status.value, str(s.slots))
