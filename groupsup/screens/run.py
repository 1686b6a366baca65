"""Run the session: the opening review, each case phase by phase, then the close.

The screen always shows whose case it is, who holds which role, the phase and what it is for,
and the time left. Every change is saved at once; quitting and reopening resumes where it was.

Split by job, one class each, this screen on top:
  run_saving.py     the session, its clock and the writer; saving what is typed when leaving
  run_stage.py      showing the stage: the opening review, the case's tab for its phase, the close
  run_observers.py  who has joined, their join codes, and the notes they send
  run_moves.py      next and previous phase, pause, more time, alerts, the tick
  run_capture.py    what the group records during a case, and the earlier steps' review
The header (widgets/session_header.py) is shared with the observers' view; the case's lists are
widgets/item_tables.py.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import (
    ContentSwitcher,
    DataTable,
    Header,
    Label,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from groupsup.domain import earlier, running
from groupsup.domain.clock import SessionClock
from groupsup.domain.formats import FormatError, format_named
from groupsup.domain.models import Lens, Pod, Session
from groupsup.screens.base import Scroll, say_left_out
from groupsup.screens.kept import offer_kept_edits
from groupsup.screens.run_capture import RunCapture
from groupsup.screens.run_moves import RunMoves
from groupsup.store.writer import SessionWriter
from groupsup.widgets.fields import Tick, TickList
from groupsup.widgets.fitted import FittedTable, KeysFooter
from groupsup.widgets.genogram_editor import GenogramEditor
from groupsup.widgets.item_tables import ItemTable
from groupsup.widgets.session_header import SessionHeader

HELP = """
# Run the session

The top lines say whose case it is, who holds which role, the phase and what it is for, and the
time left for the phase, the case and the session. The tab for the phase opens by itself; you
can look at any tab at any time.

| key | |
|---|---|
| Ctrl+N | next phase (at the close: preview and save the minutes) |
| Ctrl+B | back to the previous phase |
| Ctrl+O | pause or resume the clock (a break, an interruption) |
| Ctrl+T | more time: from the session's spare minutes, then later cases; or extend, or move on |
| Ctrl+G | add a hypothesis, with who offered it and its GRRAACCEESS lenses |
| Ctrl+R | add an observer's resonance note |
| Ctrl+F | add a next step: action, owner, due date, manager sign-off |
| Ctrl+L | record a safeguarding concern and what was done |
| F2 | the genogram: type the notation on the left, the drawing follows on the right |
| F3 | the GRRAACCEESS at a personal level: how the worker's own meet the family's |
| F4 | the observers' personal join codes, and who has joined (`groupsup serve`) |
| F9 | the terminal bell on overrun, off or on (`groupsup --no-bell` starts with it off) |
| Enter (in a list) | edit the chosen item or review line |
| Delete (in a list) | remove the chosen item |
| Escape | back home; the session keeps running and resumes where it was |

Everything is saved as you type.

## Genogram notation, one statement a line

| you type | means |
|---|---|
| `J: Jayden, m, 7, index` | key, name, m/f/x, age or b1950, dead or d2019, index, note=... |
| `F = M divorced m2005 d2015` | a couple: married, cohabiting, separated, divorced...; years |
| `F + M > J, Mi` | their children, oldest first; `M > A` for one parent |
| `M > A(fostered), twins(T1, T2)` | (adopted), (fostered), (step); twins(...) or identical(...) |
| `J ~ SF conflict` | close, fused, distant, conflict, hostile, cut off, abuse, neglect |
| `household Home: M, SF, J` | who lives together |
"""


class RunScreen(RunCapture, RunMoves):
    HELP = HELP
    # In the footer's order: what the room needs most first (two rows at 80 columns); the keys
    # not shown are in F1's help and the Ctrl+P palette.
    BINDINGS = [
        Binding("escape", "back", "Back", show=False, id="back"),
        Binding(
            "ctrl+n", "next_phase", "Next", tooltip="Next phase", priority=True, id="next-phase"
        ),
        Binding("ctrl+g", "hypothesis", "Hypothesis", priority=True, id="add-hypothesis"),
        Binding("ctrl+r", "resonance", "Resonance", priority=True, id="add-resonance"),
        Binding(
            "ctrl+f",
            "next_step",
            "Step",
            tooltip="Add a next step",
            priority=True,
            id="add-next-step",
        ),
        Binding("f2", "genogram", "Genogram", priority=True, id="genogram"),
        Binding("ctrl+l", "safeguarding", "Safeguarding", priority=True, id="safeguarding"),
        Binding(
            "f3",
            "personal_level",
            "Personal level",
            tooltip="The GRRAACCEESS at a personal level",
            priority=True,
            id="personal-level",
        ),
        Binding(
            "ctrl+t",
            "more_time",
            "Time",
            tooltip="More time for this case",
            priority=True,
            id="more-time",
        ),
        Binding("ctrl+o", "pause", "Pause", tooltip="Pause or resume the clock", id="pause"),
        Binding(
            "ctrl+b",
            "previous_phase",
            "Back a phase",
            show=False,
            priority=True,
            id="previous-phase",
        ),
        Binding(
            "f4", "join_codes", "Observers' join codes", show=False, priority=True, id="join-codes"
        ),
        Binding("f9", "bell", "Bell on overrun on/off", show=False, id="bell"),
        Binding("enter", "edit_item", "Edit", show=False, priority=True, id="edit-item"),
    ]

    def __init__(self, pod: Pod, session: Session) -> None:
        super().__init__()
        self.pod = pod
        self.session = session
        self._loading = False
        self._shown_slot: str | None = None
        self._areas: dict[str, TextArea] = {}
        self._welfare: TextArea | None = None
        self._phase_focus: str | None = None  # the pane whose first field should get focus

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="run-head", classes="stays-in-sight"):
            yield SessionHeader(resume_key="Ctrl+O")
            yield Static("", id="join-line", markup=False)
            yield Static("", id="safeguarding-banner", markup=False)
        with ContentSwitcher(id="stage", initial="review"):
            with Vertical(id="review"):
                yield Label("Welfare check-in: who is here and how they are (not in case records)")
                yield TextArea(id="welfare_checkin", classes="capture")
                yield Label("Next steps from earlier sessions (Enter: how does it stand?)")
                yield FittedTable(
                    id="review-table",
                    long=("Owner", "Status", "Action", "Case", "Note"),
                    cursor_type="row",
                )
                yield Static("", id="review-detail", markup=False)  # the cursor's step, whole
            with Scroll(id="closing"):
                yield Static("", id="close-warnings", markup=False)
        yield KeysFooter()

    def case_tabs(self) -> TabbedContent:
        """The case's tabs, one a capture (see run_stage.TAB_FOR_CAPTURE)."""
        presentation = [
            widget
            for field, title in (
                ("dilemma", "Theme or dilemma"),
                ("presenting_issue", "Presenting issue"),
                ("history", "Case history"),
                ("childs_voice", "The child's voice: their wishes and feelings"),
            )
            for widget in (Label(title), TextArea(id=field, classes="capture"))
        ]
        tabs = TabbedContent(id="case")
        for pane in (
            TabPane(
                "Presentation",
                Scroll(Static("", id="carried-over", markup=False), *presentation),
                id="presentation",
            ),
            TabPane("Genogram", GenogramEditor(), id="genogram-tab"),
            TabPane(
                "Notes",
                TextArea(id="notes", classes="capture tall"),
                Label("Alternative courses of action considered"),
                TextArea(id="alternatives", classes="capture"),
                id="notes-tab",
            ),
            TabPane(
                "Hypotheses",
                Scroll(
                    ItemTable("hypotheses", id="hypotheses-table"),
                    Label("GRRAACCEESS discussed (a letter finds one, Space ticks)"),
                    TickList([(lens.value, lens) for lens in Lens], id="lenses"),
                    Label("GRRAACCEESS at a personal level (F3)"),
                    Static("", id="personal-level", markup=False),
                ),
                id="hypotheses",
            ),
            TabPane("Resonance", ItemTable("resonance", id="resonance-table"), id="resonance"),
            TabPane(
                "Gained",
                Label("What the presenter gained from the discussion"),
                TextArea(id="reflection", classes="capture tall"),
                id="reflection-tab",
            ),
            TabPane(
                "Next steps",
                Scroll(
                    ItemTable("next_steps", id="steps-table"),
                    Tick("No next step needed for this case", id="no-steps"),
                ),
                id="next-steps",
            ),
            TabPane(
                "Safeguarding",
                Static("", id="safeguarding-detail", markup=False),
                id="safeguarding",
            ),
        ):
            tabs.compose_add_child(pane)  # as `with TabbedContent():` in a compose does
        return tabs

    @on(events.Mount)
    async def _open(self) -> None:
        """Textual awaits it before GroupSupScreen.on_mount focuses the first field and lets
        through the keys typed meanwhile."""
        self.query_one("#review-table", DataTable).add_columns(
            "Owner", "Due", "Sign-off", "Status", "Action", "Case", "Note"
        )
        try:
            fmt = format_named(self.session.format, self.gs.store.own_formats())
        except FormatError as error:
            self.notify(str(error), severity="error", markup=False)
            fmt = format_named("group-reflective")
        self.clock = SessionClock(self.session, fmt, self.gs.monotonic, self.gs.wall)
        self.writer = SessionWriter(
            self.gs.store.root, self.gs.store.save_session, self._told, self.session
        )
        self._welfare = self.query_one("#welfare_checkin", TextArea)
        if not self.clock.started:
            self._start()
        if self.in_case():  # resumed in a case: its tabs are there before the screen is shown
            await self.build_case()
        self.show_stop()
        self._show_joined()
        self.set_interval(0.5, self.tick)
        self._offer_unsaved()

    def _start(self) -> None:
        """Start the session, carrying in what it carries from the pod's earlier sessions
        (only starting reads them: resuming does not). One that cannot be read is named."""
        carried = earlier.for_starting(self.gs.store, self.session)
        say_left_out(
            self, "what this session carries from earlier ones", carried.unreadable.values()
        )
        if running.start(self.clock, carried):
            self.save()

    def _offer_unsaved(self) -> None:
        """Edits a failed save kept aside last time: put them back, or let them go."""

        def restore(restored: Session) -> None:
            for name in type(restored).model_fields:
                setattr(self.session, name, getattr(restored, name))
            self._shown_slot = None
            self.show_stop()
            self.save()

        offer_kept_edits(self, self.session, restore)
