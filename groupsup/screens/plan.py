"""Plan a session in advance: date, length, who is present, and the case slots with their roles."""

from __future__ import annotations

from pydantic import ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, Header, Input, Label, Select, Static
from textual.worker import get_current_worker

from groupsup.domain import earlier, planning, rules
from groupsup.domain.dates import parse_date, parse_minutes, parse_time
from groupsup.domain.errors import GroupsupError, StoreConflict, explain, os_reason
from groupsup.domain.formats import available_formats
from groupsup.domain.models import CaseSlot, Pod, Session
from groupsup.domain.roles import SessionRoles
from groupsup.screens.base import Scroll, SubScreen, plain, say_left_out
from groupsup.screens.forms import PreparationForm, SlotForm
from groupsup.screens.kept import offer_kept_edits
from groupsup.screens.starting import run_today
from groupsup.store import writer
from groupsup.widgets.fields import TextField
from groupsup.widgets.fitted import FittedTable, KeysFooter

HELP = """
# Plan a session

Roles are allocated in advance (policy, section 8). Everything you change is saved at once.

| key | |
|---|---|
| Tab | move between the date, length, format, attendance and cases |
| Enter (attendance) | cycle present, apologies, absent |
| a | add a case slot: presenter, consultant, case reference, category, anxiety, dilemma |
| g | prepare the chosen case with its presenter: presenting issue, case history, genogram |
| Enter (cases) | edit the chosen case |
| d | delete the chosen case |
| o | order the cases with priority first: CP, complex CIN, high professional anxiety |
| r | start running the session |

The session's time, less the opening review, the break and the close, is split over the cases
by their weights (1 each unless you say otherwise). A ! marks a priority case. Observers are
everyone present who is not presenting or consulting. A session of 2½ hours or more plans a
15-minute break; take it with Ctrl+O on the run screen (the clock stands still).
"""

# Sessions whose roles are read at once: leaving the plan stops its reading at the next hundred.
HISTORY_READ_AT_ONCE = 100
FORMAT_NOTICE_SECONDS = 30  # as long as a left-out session's: Textual's 5 s went unseen
ATTENDANCE_CYCLE = {"present": "apologies", "apologies": "absent", "absent": "present"}


class PlanScreen(SubScreen):
    HELP = HELP
    BINDINGS = [
        Binding("a", "add_slot", "Add", id="add-slot"),
        Binding("g", "prepare", "Prepare", tooltip="Issue, history, genogram", id="prepare"),
        Binding("d", "delete_slot", "Delete", id="delete-slot"),
        Binding("o", "priority_first", "Priority", id="priority-first"),
        Binding("r", "run", "Run", id="run-session"),
    ]

    def __init__(self, pod: Pod, session: Session) -> None:
        super().__init__()
        self.pod = pod
        self.session = session
        self.others: list[SessionRoles] = []  # the pod's other sessions' roles, read after mount
        self._history_known = False
        # The plan as last saved: the fields announce their first values as they are drawn,
        # and merely looking at a plan must not save it (a new revision would make another
        # facilitator's save conflict).
        self._saved = session.model_dump(mode="json")
        self._leaving = False  # Escape once on an unsaved plan: the next one leaves it

    def compose(self) -> ComposeResult:
        self._format_problems: list[str] = []
        formats = available_formats(self.gs.store.own_formats(), self._format_problems)
        yield Header()
        with Scroll():
            yield Static("", id="plan-title", classes="pane-title", markup=False)
            with Horizontal(classes="fields"):
                yield Label("Date")
                yield Input(str(self.session.date), id="date", compact=True)
                yield Label("Length (min)")
                yield Input(str(self.session.planned_minutes), id="length", compact=True)
                yield Select(
                    [(Content(f.name), f.id) for f in formats.values()],
                    value=self.session.format if self.session.format in formats else Select.NULL,
                    allow_blank=False,
                    id="format",
                    compact=True,
                )
            with Horizontal(classes="fields"):
                yield Label("Starts")
                starts = f"{self.session.starts_at:%H:%M}" if self.session.starts_at else ""
                yield Input(starts, placeholder="10:00", id="starts", compact=True)
                yield Label("Place")
                yield TextField(self.session.place, placeholder="room", id="place", compact=True)
                yield Label("Break (min)")
                yield Input(str(self.session.break_minutes), id="break", compact=True)
            yield Static("", id="problem", markup=False)
            yield Label("Who is present (Enter cycles present, apologies, absent)")
            yield DataTable(id="attendance", cursor_type="row")
            yield Label("Case slots (a adds, Enter edits, ! marks priority)")
            yield FittedTable(
                id="slots", long=("Presenter", "Consultant", "Case"), cursor_type="row"
            )
            yield Static("", id="time-sum", markup=False)
            yield Static("", id="rotation", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#attendance", DataTable).add_columns("Member", "Attendance", "Presented")
        self.query_one("#slots", DataTable).add_columns(
            "#", "Presenter", "Consultant", "Case", "Category", "Anxiety", "Min"
        )
        self.query_one("#plan-title", Static).update(Content(f"Plan a session of {self.pod.name}"))
        self.show()  # focus: the date, the first field (base.focus_then_take_keys)
        self._read_history()
        offer_kept_edits(self, self.session, self._restore)
        for problem in self._format_problems:
            self.notify(
                problem,
                title="A format was left out",
                severity="error",
                timeout=FORMAT_NOTICE_SECONDS,
                markup=False,
            )

    @work(thread=True, exclusive=True, group="plan-history")
    def _read_history(self) -> None:
        """Who held which role in the pod's other sessions, for the suggestions and who
        presented when: read once (they cannot change while this one is planned), after the
        screen is up, and only the roles, so a long history neither holds up the screen nor
        fills the memory. A session that cannot be read is named, never silently left out."""
        worker = get_current_worker()
        summaries = self.gs.store.summaries(self.pod.id)
        ids = [summary.id for summary in summaries if summary.id != self.session.id]
        others: list[SessionRoles] = []
        damaged: dict[str, str] = {}
        for start in range(0, len(ids), HISTORY_READ_AT_ONCE):
            if worker.is_cancelled:  # the plan was left: stop reading, it would hold up others
                return
            found, left_out = self.gs.store.session_roles(ids[start : start + HISTORY_READ_AT_ONCE])
            others += found
            damaged |= left_out
        self.app.call_from_thread(self._history_read, others, list(damaged.values()))

    def _history_read(self, others: list[SessionRoles], damaged: list[str]) -> None:
        self.others, self._history_known = others, True
        self.show()
        say_left_out(self, "the suggestions", damaged)

    # -- showing ---------------------------------------------------------------------------

    def show(self) -> None:
        self._show_attendance()
        self._show_slots()
        s = self.session
        cases = planning.case_minutes(s)
        self.query_one("#time-sum", Static).update(
            f"Opening review {s.opening_minutes} + cases {cases} + break {s.break_minutes} "
            f"+ close {s.closing_minutes} "
            f"= {s.planned_minutes} min"
        )
        self.query_one("#rotation", Static).update(Content(self._rotation()))

    def _rotation(self) -> str:
        if not self._history_known:
            return "Suggested presenters (never forced): reading the pod's sessions…"
        planned = {slot.presenter for slot in self.session.slots}
        suggested = [
            f"{self.pod.name_of(s.member_id)}: {s.reason}"
            for s in planning.suggest_presenters(self.pod, self.others)
            if s.member_id not in planned and s.member_id in self.session.attendees
        ][:3]
        return "Suggested presenters (never forced):\n  " + "\n  ".join(suggested or ["-"])

    def _show_attendance(self) -> None:
        table = self.query_one("#attendance", DataTable)
        row = table.cursor_row
        table.clear()
        last = planning.last_presented(self.pod, self.others)  # planned sessions do not count
        for member in self.pod.active_members:
            state = planning.attendance(self.session, member.id)
            presented = str(last.get(member.id) or "never") if self._history_known else "…"
            table.add_row(plain(member.name), state, presented, key=member.id)
        table.move_cursor(row=row)

    def _show_slots(self) -> None:
        table = self.query_one("#slots", DataTable)
        row = table.cursor_row
        table.clear()
        for number, slot in enumerate(self.session.slots, 1):
            table.add_row(
                f"{number}{'!' if rules.is_priority(slot) else ''}",  # "2!": a priority case
                plain(self.pod.name_of(slot.presenter)),
                plain(self.pod.name_of(slot.consultant) if slot.consultant else "-"),
                plain(slot.case_reference),
                slot.category.value,
                slot.anxiety.value,
                # The weight only when it is not the even share: the minutes say the rest.
                f"{slot.planned_minutes}{f' ×{slot.weight:g}' if slot.weight != 1 else ''}",
                key=slot.id,
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    # -- saving ----------------------------------------------------------------------------

    def save(self) -> bool:
        """Save the plan if it changed; a broken rule is shown and nothing is lost from the
        form."""
        plan = self.session.model_dump(mode="json")
        try:
            if plan != self._saved:
                self.gs.store.save_session(self.session)
        except StoreConflict as error:  # another facilitator saved it: theirs stays
            self.problem(f"{error} {self._keep_aside()}")
            return False
        except GroupsupError as error:
            self.problem(str(error))
            return False
        except OSError as error:  # a full or read-only disk: the plan stays on this screen
            self.problem(
                f"The plan could not be saved ({os_reason(error)}); it stays here and is saved "
                f"with your next change. {self._keep_aside()}"
            )
            return False
        self._saved = plan
        self._leaving = False
        self.problem("")
        self.show()
        return True

    def _restore(self, restored: Session) -> None:
        """The plan with edits that could not be saved last time put back."""
        for name in type(restored).model_fields:
            setattr(self.session, name, getattr(restored, name))
        self.show()
        self.save()

    def _keep_aside(self) -> str:
        """What the plan could not save, kept in the store for the next time it opens."""
        try:
            kept = writer.keep_unsaved(self.gs.store.root, self.session, self._saved)
        except OSError as error:
            return f"It could not be kept aside either ({os_reason(error)}): stay on this screen."
        return f"What you typed is kept in {kept}, offered back when the plan is next opened."

    def action_back(self) -> None:
        """Leave, unless the plan cannot be saved: then say so, and leave at the second Escape."""
        if self.save() or self._leaving:
            super().action_back()
        self._leaving = True

    def unsaved(self) -> str | None:
        """A change the plan could not save, or a field typed that the plan could not take:
        the problem line says which."""
        problem = self.query_one("#problem", Static)
        if not problem.has_class("shown") and self.save():
            return None
        return str(problem.render())

    def problem(self, message: str) -> None:
        widget = self.query_one("#problem", Static)
        widget.update(Content(message))
        widget.set_class(bool(message), "shown")

    @on(Input.Changed, "#date")
    def _date_changed(self, event: Input.Changed) -> None:
        try:
            self.session.date = parse_date(event.value)
        except GroupsupError as error:
            self.problem(str(error))
            return
        except ValidationError as error:
            self.problem(explain(error))
            return
        self.save()

    @on(Input.Changed, "#starts")
    def _start_changed(self, event: Input.Changed) -> None:
        try:
            self.session.starts_at = parse_time(event.value)
        except GroupsupError as error:
            self.problem(str(error))
            return
        self.save()

    @on(Input.Changed, "#place")
    def _place_changed(self, event: Input.Changed) -> None:
        self.session.place = event.value
        self.save()

    @on(Input.Changed, "#length")
    def _length_changed(self, event: Input.Changed) -> None:
        try:
            length = parse_minutes(event.value, "The session's length", 30, 600)
        except GroupsupError as error:
            self.problem(str(error))
            return
        self.session.planned_minutes = length
        planning.plan_evenly(self.session, [s.weight for s in self.session.slots])
        self.save()

    @on(Input.Changed, "#break")
    def _break_changed(self, event: Input.Changed) -> None:
        try:
            self.session.break_minutes = parse_minutes(event.value or "0", "The break", 0, 120)
        except GroupsupError as error:
            self.problem(str(error))
            return
        planning.plan_evenly(self.session, [s.weight for s in self.session.slots])
        self.save()

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.session.format:
            self.session.format = event.value
            self.save()

    @on(DataTable.RowSelected, "#attendance")
    def _cycle_attendance(self, event: DataTable.RowSelected) -> None:
        member_id = event.row_key.value
        if member_id is None:
            return
        state = ATTENDANCE_CYCLE[planning.attendance(self.session, member_id)]
        try:
            planning.set_attendance(self.session, member_id, state)
        except GroupsupError as error:
            self.problem(f"{self.pod.name_of(member_id)} must stay present: {error}")
            return
        self.save()

    # -- case slots --------------------------------------------------------------------------

    def chosen_slot(self) -> CaseSlot | None:
        table = self.query_one("#slots", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.session.slot(key) if key is not None else None

    @on(DataTable.RowSelected, "#slots")
    def _edit_slot(self) -> None:
        slot = self.chosen_slot()
        if slot is not None:
            self.app.push_screen(
                SlotForm(self.pod, self.session, self.others, slot), self._slot_done(slot.id)
            )

    def action_add_slot(self) -> None:
        self.app.push_screen(SlotForm(self.pod, self.session, self.others), self._slot_done(None))

    def _slot_done(self, replacing: str | None):
        def put(slot: CaseSlot | None) -> None:
            if slot is not None:
                planning.put_slot(self.pod, self.session, slot, replacing)
                if self.save():
                    table = self.query_one("#slots", DataTable)
                    table.move_cursor(row=table.get_row_index(slot.id))  # on the case saved

        return put

    def action_prepare(self) -> None:
        """The presenter's preparation of the chosen case, typed in advance."""
        slot = self.chosen_slot()
        if slot is None:
            self.notify("Add a case first (a), then prepare it (g).", severity="warning")
            return
        self.gs.hold_keys()  # keys typed meanwhile go to the preparation, once it is open
        self._prepare(slot)

    @work(thread=True, exclusive=True, group="plan-prepare")
    def _prepare(self, slot: CaseSlot) -> None:
        """The slot as the presenter prepares it: a case presented before starts from its last
        genogram and history, as it would on the run screen. That session is read here, off
        the screen's thread; one that cannot be read is named."""
        prepared = slot.model_copy(deep=True)
        carried = earlier.for_preparing(self.gs.store, self.session, prepared)
        planning.carry_over(self.session, prepared, carried.sessions)
        self.app.call_from_thread(self._open_preparation, slot.id, prepared, carried.unreadable)

    def _open_preparation(self, slot_id: str, prepared: CaseSlot, unreadable: dict) -> None:
        say_left_out(self, "what the case carries from earlier sessions", unreadable.values())

        def put(prepared: CaseSlot | None) -> None:
            if prepared is not None:
                self.session.slots = [
                    prepared if s.id == slot_id else s for s in self.session.slots
                ]
                self.save()

        self.app.push_screen(PreparationForm(prepared), put)

    def action_delete_slot(self) -> None:
        slot = self.chosen_slot()
        if slot is not None:
            planning.remove_slot(self.session, slot.id)
            self.save()
            self.notify(f"Case {slot.title} removed.", markup=False)

    def action_priority_first(self) -> None:
        planning.priority_first(self.session)
        self.save()

    def action_run(self) -> None:
        from groupsup.screens.run import RunScreen

        if not self.session.slots:
            self.notify("Add at least one case first (a).", severity="warning")
            return
        if self.save():
            run_today(
                self,
                self.session,
                self.save,
                lambda: self.app.switch_screen(RunScreen(self.pod, self.session)),
            )
