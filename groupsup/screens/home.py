"""Home: the pods in the store; for the chosen pod, its sessions and the next steps still open."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from groupsup.domain.errors import GroupsupError, StoreDamaged
from groupsup.domain.vocabulary import SessionStatus
from groupsup.screens.base import GroupSupScreen, plain, say_left_out, say_not_written
from groupsup.widgets.fitted import FittedTable, KeysFooter

if TYPE_CHECKING:  # models import pydantic: the first paint reads the store's index instead
    from groupsup.domain.models import Pod, Session
    from groupsup.store.database import OpenStep, PodView, SessionSummary

SESSIONS_AT_ONCE = 20  # home's sessions added a batch a paint: a long history never holds it up
DAMAGED_HINT = (
    "Nothing has been changed or overwritten. 'groupsup restore' lists the backups and puts "
    "one back."
)

HELP = """
# Home

The pods in this store are on the left. For the chosen pod you see its sessions (the next planned
one first) and every next step still open; overdue ones are marked.

| key | |
|---|---|
| Up, Down | choose a pod, a session, a next step (⚠ marks an overdue one) |
| Enter | open the chosen session: plan it, run it, or read its minutes |
| n | a new pod |
| m | the pod's members: add, rename, retire |
| p | plan a new session (asked first) |
| r | run the next session, or resume the one running |
| Delete (sessions) | delete the chosen planned session, asked first (a session run is kept) |
| x | the chosen planned session will not be held: postpone it (new date, why) or cancel it (why) |
| e | save the chosen session's minutes (Markdown, JSON, HTML) to the exports folder |
| c | the pod's record over the last twelve months |
| s | every pod's last twelve months (on a shared database, or with several pods) |
"""


class HomeScreen(GroupSupScreen):
    HELP = HELP
    # In the footer's order, the most used first. Priority: a key opens its screen at once, so
    # what is typed after it lands there.
    BINDINGS = [
        Binding("r", "run", "Run", priority=True, id="run"),
        Binding("p", "plan", "Plan", priority=True, id="plan"),
        Binding(
            "c",
            "record",
            "Record",
            tooltip="The pod's record over a year",
            priority=True,
            id="record",
        ),
        Binding("e", "export", "Export", priority=True, id="export"),
        Binding("m", "members", "Members", priority=True, id="members"),
        Binding("n", "new_pod", "New pod", priority=True, id="new-pod"),
        Binding("delete", "delete_session", "Delete", show=False, id="delete-session"),
        Binding("x", "not_held", "Not held", show=False, priority=True, id="not-held"),
        Binding(
            "s",
            "service",
            "Service",
            tooltip="Every pod's last twelve months (a database, or several pods)",
            priority=True,
            id="service",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pod_view: PodView | None = None
        self.pod_count = 0
        self.summaries: list[SessionSummary] = []
        self._told_damaged: set[str] = set()
        self._steps: dict[str, OpenStep] = {}
        self._sessions_shown = object()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="pods-pane"):
                yield Label("Pods", classes="pane-title")
                yield OptionList(id="pods", markup=False)
            with Vertical(id="pod-pane"):
                yield Static("", id="next-session", markup=False)
                yield Label("Sessions", classes="pane-title", id="sessions-title")
                yield FittedTable(
                    id="sessions", long="Presenters", cursor_type="row", zebra_stripes=True
                )
                yield Label("Next steps still open", classes="pane-title")
                yield FittedTable(
                    id="open-steps",
                    long=("Action", "Case"),
                    cursor_type="row",
                    zebra_stripes=True,
                )
                yield Static("", id="step-note", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#sessions", DataTable).add_columns("Date", "Status", "Cases", "Presenters")
        self.query_one("#open-steps", DataTable).add_columns(
            "Due", "Owner", "Status", "Action", "Case"
        )

    def on_screen_resume(self) -> None:
        """Shown first, or shown again: what the other screens changed is read afresh."""
        self.refresh_pods()
        if self.pod_view is None:  # no count of case records to wait for
            self.gs.glance_at_store()

    # -- showing ---------------------------------------------------------------------------

    def refresh_pods(self, select: str | None = None) -> None:
        try:
            found = self.gs.index.pod_views()
        except StoreDamaged as error:
            self.query_one("#next-session", Static).update(Content(f"{error} {DAMAGED_HINT}"))
            return
        self.pod_count = len(found)
        self.refresh_bindings()  # the service's view is offered once there are several pods
        options = self.query_one("#pods", OptionList)
        keep = select or (self.pod_view.id if self.pod_view else None)
        options.clear_options()
        options.add_options([Option(plain(pod.name), id=pod.id) for pod in found])
        if not found:
            self.pod_view = None
            self.query_one("#next-session", Static).update(
                "No pods yet. Press n to create your pod, then m to add its members."
            )
            return
        ids = [pod.id for pod in found]
        options.highlighted = ids.index(keep) if keep in ids else 0
        self.show_pod(found[options.highlighted])

    @on(OptionList.OptionHighlighted, "#pods")
    def _pod_chosen(self, event: OptionList.OptionHighlighted) -> None:
        if self.pod_view is None or event.option.id != self.pod_view.id:
            pods = self.gs.index.pod_views()
            self.show_pod(next(p for p in pods if p.id == event.option.id))

    @property
    def pod(self) -> Pod:
        """The chosen pod as a full record, for the screens it opens."""
        assert self.pod_view is not None  # asked for only once _need_pod or a session says so
        return self.gs.store.pod(self.pod_view.id)

    def show_pod(self, pod: PodView) -> None:
        """The pod's sessions and open next steps at once, from the store's indexes (no session
        is read, no pydantic loaded); the count of case records awaiting agreement, which reads
        the pod's facts, follows from a worker."""
        self.pod_view = pod
        try:
            self.summaries = self.gs.index.summaries(pod.id)
        except StoreDamaged as error:
            self.query_one("#next-session", Static).update(Content(f"{error} {DAMAGED_HINT}"))
            self.gs.glance_at_store()
            return
        self._show_next(pod)
        self._show_sessions(pod)
        try:
            steps = self.gs.index.open_steps(pod.id)
        except StoreDamaged as error:
            steps = []
            self._say_unreadable("The open next steps cannot be read", error)
        self._show_open_steps(pod, steps)
        # After the first paint: the worker's reading competes with drawing for the GIL.
        self.call_after_refresh(self._count_awaiting, pod)

    @work(thread=True, exclusive=True, group="awaiting")
    def _count_awaiting(self, pod: PodView) -> None:
        """How many case records await agreement: it reads the pod's facts, all its history."""
        try:
            awaiting = self.gs.index.awaiting_agreement(pod.id)
        except StoreDamaged as error:
            title = "The case records awaiting agreement cannot be counted"
            self.app.call_from_thread(self._say_unreadable, title, error)
            awaiting = 0
        self.app.call_from_thread(self._show_awaiting, pod, awaiting)

    def _say_unreadable(self, title: str, error: StoreDamaged) -> None:
        self.notify(f"{error} {DAMAGED_HINT}", title=title, severity="error", markup=False)

    def _upcoming(self) -> SessionSummary | None:
        running = [s for s in self.summaries if s.status is SessionStatus.RUNNING]
        planned = [s for s in self.summaries if s.status is SessionStatus.PLANNED]
        return next(iter(running + planned), None)

    def _show_next(self, pod: PodView) -> None:
        from groupsup.domain.dates import when

        upcoming = self._upcoming()
        if upcoming is None:
            text = f"{pod.name}: no session planned. Press p to plan one."
        else:
            day = when(upcoming.date)
            if upcoming.status is SessionStatus.RUNNING:
                text = f"{pod.name}: the session of {day} is running. Press r to resume it."
            elif not upcoming.slots:
                text = f"{pod.name}: next session {day}, no cases yet. Press p to plan them."
            else:
                text = (
                    f"{pod.name}: next session {day}, {upcoming.slots} "
                    f"case{'s' if upcoming.slots != 1 else ''} planned. Press r to run it."
                )
        self.query_one("#next-session", Static).update(plain(text))

    def _show_sessions(self, pod: PodView) -> None:
        table = self.query_one("#sessions", DataTable)
        table.clear()
        # Running, then planned, then the record (held or not held) newest first.
        order = {SessionStatus.RUNNING: 0, SessionStatus.PLANNED: 1}
        ordered = sorted(
            self.summaries, key=lambda s: (order.get(s.status, 2), -s.date.toordinal())
        )
        self._sessions_shown = shown = object()  # a later showing makes this one's rest stale
        self._add_sessions(pod, ordered, shown)

    def _add_sessions(self, pod: PodView, summaries: list[SessionSummary], shown: object) -> None:
        """A screenful or so of sessions; the rest (a long history) after the next paint, a
        batch at a time, so that home is shown, and answers keys, at once."""
        if shown is not self._sessions_shown or not self.display:
            return  # the sessions were shown afresh meanwhile, or the app is closing
        table = self.query_one("#sessions", DataTable)
        for s in summaries[:SESSIONS_AT_ONCE]:
            # A session not held presented no case (a postponed one's went to its new date).
            cases, presenters = ("-", []) if s.status.not_held else (str(s.slots), s.presenters)
            names = ", ".join(pod.name_of(p) for p in presenters)
            table.add_row(str(s.date), s.status.value, cases, plain(names), key=s.id)
        if rest := summaries[SESSIONS_AT_ONCE:]:
            self.call_after_refresh(self._add_sessions, pod, rest, shown)

    def _still_shown(self, pod: PodView) -> bool:
        """Whether what a worker read of `pod` is still wanted on screen."""
        # (Not when the facilitator has moved on to another pod, or the app is closing and
        # home's widgets are going.)
        return pod is self.pod_view and self.display

    def _show_awaiting(self, pod: PodView, awaiting: int) -> None:
        if not self._still_shown(pod):
            return
        records = (
            f" · {awaiting} case record{' awaits' if awaiting == 1 else 's await'} agreement"
            if awaiting
            else ""
        )
        self.query_one("#sessions-title", Label).update(f"Sessions{records}")
        self.gs.glance_at_store()  # home is whole: now the store is opened, off to one side

    def _show_open_steps(self, pod: PodView, steps) -> None:
        if not self._still_shown(pod):
            return
        self._report_damage()
        table = self.query_one("#open-steps", DataTable)
        table.clear()
        today = self.gs.today()
        for step in sorted(steps, key=lambda step: step.due or dt.date.max):
            overdue = step.is_overdue(today)
            due = Text(
                f"{'⚠ ' if overdue else ''}{step.due or 'no date'}",
                style="bold red" if overdue else "",
            )
            table.add_row(
                due,
                plain(pod.name_of(step.owner)),
                step.status.value,
                plain(step.action),
                plain(step.case),
                key=step.id,
            )
        self._steps = {step.id: step for step in steps}
        self._show_step_note(table.cursor_row)

    @on(DataTable.RowHighlighted, "#open-steps")
    def _step_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_step_note(event.cursor_row)

    def _show_step_note(self, row: int) -> None:
        """Under the table, for the chosen step, what its row has no room for at 80 columns:
        whether it needs manager sign-off, and the latest review's note."""
        table = self.query_one("#open-steps", DataTable)
        step = None
        if 0 <= row < table.row_count:
            key = table.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value
            step = self._steps.get(key) if key is not None else None
        said = []
        if step and step.needs_signoff:
            said.append("Needs manager sign-off.")
        if step and step.note:
            said.append(f"Latest note: {step.note}")
        self.query_one("#step-note", Static).update(Content(" ".join(said)))

    def _report_damage(self) -> None:
        for session_id, reason in self.gs.damaged().items():
            if session_id not in self._told_damaged:
                self._told_damaged.add(session_id)
                self.notify(
                    f"{reason} {DAMAGED_HINT}",
                    title="A session cannot be read",
                    severity="error",
                    timeout=30,
                    markup=False,
                )

    def chosen_session(self) -> Session | None:
        table = self.query_one("#sessions", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._read(key) if key is not None else None

    def _read(self, session_id: str) -> Session | None:
        try:
            return self.gs.store.session(session_id)
        except GroupsupError as error:
            self.notify(f"{error} {DAMAGED_HINT}", severity="error", markup=False)
            return None

    # -- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool:
        """The service's view is for a shared database, or a folder store of several pods."""
        if action == "service":
            from groupsup.store.locations import is_database

            return self.pod_count > 1 or is_database(self.gs.store_location)
        return True

    def action_service(self) -> None:
        from groupsup.screens.service import ServiceScreen

        self.app.push_screen(ServiceScreen())

    @on(DataTable.RowSelected, "#sessions")
    def _open_session(self) -> None:
        session = self.chosen_session()
        if session is not None:
            self.open_session(session)

    def open_session(self, session: Session) -> None:
        from groupsup.screens.close import MinutesScreen
        from groupsup.screens.plan import PlanScreen
        from groupsup.screens.run import RunScreen

        if session.status is SessionStatus.PLANNED:
            self.app.push_screen(PlanScreen(self.pod, session))
        elif session.status is SessionStatus.RUNNING:
            self.app.push_screen(RunScreen(self.pod, session))
        else:
            self.app.push_screen(MinutesScreen(self.pod, session))

    def action_new_pod(self) -> None:
        from groupsup.domain import planning
        from groupsup.screens.forms import TextPrompt

        def create(name: str | None) -> None:
            if name:
                pod = planning.new_pod(name, self.gs.store.pods())
                try:
                    self.gs.store.save_pod(pod)
                except (GroupsupError, OSError) as error:
                    say_not_written(self, f"The pod {name}", error)
                    return
                self.refresh_pods(select=pod.id)
                self.action_members()

        self.app.push_screen(TextPrompt("Name of the new pod"), create)

    def action_members(self) -> None:
        from groupsup.screens.pod import PodScreen

        if self._need_pod():
            self.app.push_screen(PodScreen(self.pod))

    def action_plan(self) -> None:
        """Plan a new session: asked first, so a stray p makes nothing. A session planned and
        still without cases is opened instead (p twice leaves no empty sessions behind)."""
        from groupsup.domain import planning
        from groupsup.domain.dates import when
        from groupsup.screens.forms import Confirm

        if not self._need_pod():
            return
        pod = self.pod
        if not pod.active_members:
            self.notify("Add the pod's members first (m).", severity="warning")
            return
        empty = [s for s in self.summaries if s.status is SessionStatus.PLANNED and not s.slots]
        if empty:
            self._open_plan(self._read(empty[0].id))
            return
        day = planning.next_session_date([s.date for s in self.summaries], self.gs.today())
        planned = [s for s in self.summaries if s.status is SessionStatus.PLANNED]
        already = (
            f" The session of {when(planned[0].date)} is planned already: Enter on it in "
            "Sessions opens its plan."
            if planned
            else ""
        )

        def plan(yes: bool | None) -> None:
            if yes:
                session = planning.new_session(pod, day, [])
                self._carry_open_steps(session)
                try:
                    self.gs.store.save_session(session)
                except (GroupsupError, OSError) as error:
                    say_not_written(self, "The new session", error)
                    return
                self._open_plan(session)

        self.app.push_screen(
            Confirm(
                f"Plan a new session of {pod.name}?",
                f"It would be on {when(day)} (you can change the date).{already}",
            ),
            plan,
        )

    def _carry_open_steps(self, session: Session) -> None:
        """The steps still open join the new session's review, read from only the sessions
        that agreed or last reviewed them (`earlier`); one that cannot be read is named."""
        from groupsup.domain import earlier, followup

        carried = earlier.for_starting(self.gs.store, session)
        followup.carry_forward(session, carried.sessions, carried.still_open)
        say_left_out(self, "the new session's review of next steps", carried.unreadable.values())

    def _open_plan(self, session: Session | None) -> None:
        from groupsup.screens.plan import PlanScreen

        if session is not None:
            self.app.push_screen(PlanScreen(self.pod, session))

    def action_delete_session(self) -> None:
        """A planned session that will not be held: asked first; a session run stays."""
        from groupsup.domain import planning
        from groupsup.domain.dates import when
        from groupsup.screens.forms import Confirm

        if self.focused is not self.query_one("#sessions"):
            return
        session = self.chosen_session()
        if session is None:
            return
        try:
            planning.check_deletable(session)
        except GroupsupError as error:
            self.notify(str(error), severity="warning", markup=False)
            return

        def delete(yes: bool | None) -> None:
            if yes:
                self.gs.store.delete_session(session.id)
                self.notify(f"The session of {when(session.date)} is deleted.")
                self.refresh_pods()

        cases = len(session.slots)
        self.app.push_screen(
            Confirm(
                f"Delete the session of {when(session.date)}?",
                f"It was planned with {cases} case{'s' if cases != 1 else ''}; nothing has been "
                "recorded in it. Its plan goes for good.",
            ),
            delete,
        )

    def action_not_held(self) -> None:
        """Postponed or cancelled: the session stays in the pod's record, saying why."""
        from groupsup.domain import planning
        from groupsup.domain.dates import when
        from groupsup.screens.forms import NotHeldForm

        session = self.chosen_session()
        if session is None:
            return
        try:
            planning.check_not_held_yet(session, "postponed or cancelled")
        except GroupsupError as error:
            self.notify(str(error), severity="warning", markup=False)
            return

        def save(sessions: list[Session] | None) -> None:
            if not sessions:
                return
            try:
                for changed in sessions:
                    self.gs.store.save_session(changed)
            except (GroupsupError, OSError) as error:
                say_not_written(self, f"The session of {when(session.date)}", error)
            else:
                said = sessions[-1].status.value
                if sessions[0].status is SessionStatus.PLANNED:
                    said += f" to {when(sessions[0].date)}, with its cases"
                self.notify(f"The session of {when(session.date)} is {said}.")
            self.refresh_pods()

        planned = planning.planned_days(self.summaries, but=session.id)
        self.app.push_screen(NotHeldForm(session, self.gs.today(), planned), save)

    def action_run(self) -> None:
        from groupsup.screens.run import RunScreen
        from groupsup.screens.starting import run_today

        if not self._need_pod():
            return
        upcoming = self._upcoming()
        if upcoming is None:
            self.notify("No session is planned for this pod: press p to plan one.")
        elif not upcoming.slots:
            self.notify("The session has no cases yet: press p to plan them.")
        elif (session := self._read(upcoming.id)) is not None:
            pod = self.pod
            run_today(
                self,
                session,
                lambda: self._save_session(session),
                lambda: self.app.push_screen(RunScreen(pod, session)),
            )

    def _save_session(self, session: Session) -> bool:
        try:
            self.gs.store.save_session(session)
        except (GroupsupError, OSError) as error:
            say_not_written(self, "The session's new date", error, "It stays planned.")
            return False
        return True

    def action_record(self) -> None:
        from groupsup.screens.record import RecordScreen

        if self._need_pod():
            self.app.push_screen(RecordScreen(self.pod))

    def action_export(self) -> None:
        from groupsup.outputs import minutes
        from groupsup.store.locations import exports_folder, own_exports

        session = self.chosen_session()
        if session is None:
            self.notify("Choose a session first.")
            return
        folder = exports_folder(self.gs.store.root)
        try:
            written = minutes.save_all(self.pod, session, own_exports(self.gs.store.root))
        except (GroupsupError, OSError) as error:
            say_not_written(self, "The minutes", error, into=folder)
            return
        self.notify("\n".join(str(path) for path in written), title="Minutes saved", markup=False)

    def _need_pod(self) -> bool:
        if self.pod_view is None:
            self.notify("Create a pod first: press n.")
        return self.pod_view is not None
