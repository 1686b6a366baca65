"""The service's view, for the principal social worker: every pod's last twelve months on one
screen, the same figures as `groupsup report --service`."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from groupsup.domain.dates import when
from groupsup.outputs import report
from groupsup.screens.base import SubScreen, plain

HELP = """
# The service

Every pod in the store over the last twelve months, one line each: sessions held against one a
month, next steps overdue, next steps that needed a manager's sign-off, safeguarding concerns
raised (and how many have no action recorded), who has not presented, and the GRRAACCEESS
lenses no hypothesis used. The same figures as `groupsup report --service`.

| key | |
|---|---|
| Up, Down | choose a pod |
| Left, Right | see the columns that do not fit |
| Enter | the chosen pod's record |
| Escape | back home |
"""

COLUMNS = (
    "Pod",
    "Held",
    "Overdue",
    "Sign-off",
    "Safeguarding",
    "Not presented",
    "Lenses never used",
)


class ServiceScreen(SubScreen):
    HELP = HELP
    BINDINGS = [Binding("enter", "record", "Pod's record", id="pod-record")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="period", markup=False, classes="wrap")
        yield DataTable(id="service", cursor_type="row", zebra_stripes=True)
        yield Static(
            "Held: sessions of those expected (one a month). Sign-off: next steps needing a "
            "manager's sign-off. Safeguarding: concerns raised (without an action recorded). "
            "Enter opens the chosen pod's record; Left and Right show the other columns.",
            classes="hint wrap",
        )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        today = self.gs.today()
        start = report.twelve_months_to(today)
        store = self.gs.store
        self.pod_ids = [pod.id for pod in store.pod_views()]  # in the order of the reports
        reports = report.service(store, start, today, today)
        self.query_one("#period", Static).update(
            f"Every pod from {when(start)} to {when(today)}."
            if reports
            else "No pods in this store yet."
        )
        table = self.query_one("#service", DataTable)
        table.add_columns(*COLUMNS)
        for pod_id, row in zip(self.pod_ids, map(report.service_row, reports), strict=True):
            table.add_row(
                plain(row["pod"]),
                report.held_in_words(row["sessions"]),
                str(row["overdue_next_steps"]),
                str(row["needing_manager_signoff"]),
                f"{row['safeguarding_raised']} ({row['safeguarding_without_action']})",
                plain(", ".join(row["not_presented"]) or "everyone presented"),
                ", ".join(row["lenses_never_used"]) or "none",
                key=pod_id,
            )
        super().on_mount()

    @on(DataTable.RowSelected, "#service")
    def action_record(self) -> None:
        from groupsup.screens.record import RecordScreen

        table = self.query_one("#service", DataTable)
        if table.row_count:
            pod_id = self.pod_ids[table.cursor_row]
            self.app.push_screen(RecordScreen(self.gs.store.pod(pod_id)))
