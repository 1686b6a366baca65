"""Run the session: the opening review, each case phase by phase, then the close.

The screen always shows whose case it is, who holds which role, the phase and what it is for,
and the time left. Every change is saved at once; quitting and reopening resumes where it was.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import (
    Checkbox,
    ContentSwitcher,
    DataTable,
    Footer,
    Header,
    Label,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from groupsup.domain import planning, running
from groupsup.domain.clock import CLOSING, OPENING, Alert, SessionClock
from groupsup.domain.formats import FormatError, format_named
from groupsup.domain.models import CASE_TEXT_FIELDS, CaseSlot, Lens, Pod, Session, StepReview
from groupsup.observers import joining
from groupsup.screens.base import Scroll, SubScreen, plain
from groupsup.screens.forms import (
    Confirm,
    HypothesisForm,
    NextStepForm,
    PersonalLevelForm,
    ResonanceForm,
    ReviewForm,
    SafeguardingForm,
)
from groupsup.screens.join_codes import JoinCodesDialog
from groupsup.screens.time import TimeDialog
from groupsup.store import writer
from groupsup.store.writer import SessionWriter
from groupsup.widgets.fields import Tick, TickList
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
| Ctrl+T | more time: take it from later cases, extend the session, or move on |
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


class RunScreen(SubScreen):
    HELP = HELP
    BINDINGS = [
        Binding("escape", "back", "Back", show=False, id="back"),
        Binding(
            "ctrl+n", "next_phase", "Next", tooltip="Next phase", priority=True, id="next-phase"
        ),
        Binding(
            "ctrl+b",
            "previous_phase",
            "Back a phase",
            show=False,
            priority=True,
            id="previous-phase",
        ),
        Binding("ctrl+o", "pause", "Pause", tooltip="Pause or resume the clock", id="pause"),
        Binding(
            "ctrl+t",
            "more_time",
            "Time",
            tooltip="More time for this case",
            priority=True,
            id="more-time",
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
        Binding("ctrl+l", "safeguarding", "Safeguarding", priority=True, id="safeguarding"),
        Binding("f2", "genogram", "Genogram", show=False, priority=True, id="genogram"),
        Binding(
            "f3",
            "personal_level",
            "Personal level",
            tooltip="The GRRAACCEESS at a personal level",
            priority=True,
            id="personal-level",
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
        self.clock: SessionClock | None = None
        self._loading = False
        self._shown_slot: str | None = None
        self._areas: dict[str, TextArea] = {}
        self._phase_focus: str | None = None  # the pane whose first field should get focus

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="run-head"):
            yield SessionHeader()
            yield Static("", id="join-line", markup=False)
            yield Static("", id="safeguarding-banner", markup=False)
        with ContentSwitcher(id="stage", initial="review"):
            with Vertical(id="review"):
                yield Label("Next steps from earlier sessions (Enter: how does it stand?)")
                yield DataTable(id="review-table", cursor_type="row")
            with TabbedContent(id="case"):
                with TabPane("Presentation", id="presentation"):
                    with Scroll():
                        for field, title in (
                            ("dilemma", "Theme or dilemma"),
                            ("presenting_issue", "Presenting issue"),
                            ("history", "Case history"),
                        ):
                            yield Label(title)
                            yield TextArea(id=field, classes="capture")
                with TabPane("Genogram", id="genogram-tab"):
                    yield GenogramEditor()
                with TabPane("Notes", id="notes-tab"):
                    yield TextArea(id="notes", classes="capture tall")
                with TabPane("Hypotheses", id="hypotheses"):
                    with Scroll():
                        yield ItemTable("hypotheses", id="hypotheses-table")
                        yield Label("GRRAACCEESS discussed (a letter finds one, Space ticks)")
                        yield TickList([(lens.value, lens) for lens in Lens], id="lenses")
                        yield Label("GRRAACCEESS at a personal level (F3)")
                        yield Static("", id="personal-level", markup=False)
                with TabPane("Resonance", id="resonance"):
                    yield ItemTable("resonance", id="resonance-table")
                with TabPane("Gained", id="reflection-tab"):
                    yield Label("What the presenter gained from the discussion")
                    yield TextArea(id="reflection", classes="capture tall")
                with TabPane("Next steps", id="next-steps"):
                    with Scroll():
                        yield ItemTable("next_steps", id="steps-table")
                        yield Tick("No next step needed for this case", id="no-steps")
                with TabPane("Safeguarding", id="safeguarding"):
                    yield Static("", id="safeguarding-detail", markup=False)
            with Scroll(id="closing"):
                yield Static("", id="close-warnings", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#review-table", DataTable).add_columns(
            "Action", "Case", "Owner", "Due", "Status", "Note"
        )
        try:
            fmt = format_named(self.session.format, self.gs.store.root)
        except FormatError as error:
            self.notify(str(error), severity="error", markup=False)
            fmt = format_named("group-reflective")
        self.clock = SessionClock(self.session, fmt, self.gs.monotonic, self.gs.wall)
        self.writer = SessionWriter(self.gs.store.root, self.gs.store.save_session, self._told)
        # Kept for on_unmount, when the widgets can no longer be queried but still hold text.
        self._areas = {field: self.query_one(f"#{field}", TextArea) for field in CASE_TEXT_FIELDS}
        if running.start(self.clock, self.gs.store.sessions(self.pod.id)):
            self.save()
        self.show_stop()
        self._show_joined()
        self.set_interval(0.5, self.tick)
        self._offer_unsaved()

    def _offer_unsaved(self) -> None:
        """Edits a failed save kept aside last time: put them back, or let them go."""
        kept = writer.unsaved(self.gs.store.root, self.session.id)
        if kept is None:
            return

        def answer(put_back: bool | None) -> None:
            writer.forget_unsaved(self.gs.store.root, self.session.id)
            if put_back:
                for name in type(kept).model_fields:
                    setattr(self.session, name, getattr(kept, name))
                self._shown_slot = None
                self.show_stop()
                self.save()

        self.app.push_screen(
            Confirm(
                "Put back edits that could not be saved?",
                "Last time this session was open, some edits could not be saved; they were "
                "kept aside. Enter puts them back in place of what the session holds now; "
                "Escape lets them go.",
            ),
            answer,
        )

    # -- showing -----------------------------------------------------------------------------

    @property
    def slot(self) -> CaseSlot | None:
        return self.clock.slot if self.clock else None

    def show_stop(self) -> None:
        clock = self.clock
        stop = clock.stop
        switcher = self.query_one("#stage", ContentSwitcher)
        if stop.phase == OPENING:
            switcher.current = "review"
            self._show_review()
            self._phase_focus = "review"
            self._focus_first("#review")
        elif stop.phase == CLOSING:
            switcher.current = "closing"
            self._show_close()
        else:
            switcher.current = "case"
            if self._shown_slot != stop.slot_id:
                self._load_slot(self.slot)
            tab = _TAB_FOR_CAPTURE[stop.capture]
            self.query_one("#case", TabbedContent).active = tab
            self._phase_focus = tab
            self._focus_first(f"#{tab}")
        self._show_head()
        self.tick()

    def _focus_phase(self) -> None:
        stop = self.clock.stop
        if stop.phase == OPENING:
            self._focus_first("#review")
        elif stop.phase != CLOSING:
            self._focus_first(f"#{_TAB_FOR_CAPTURE[stop.capture]}")

    def _focus_first(self, container: str) -> None:
        fields = self.query_one(container).query("TextArea, DataTable, TickList")
        if fields:
            self.set_focus(fields.first())  # now, so the keys typed next land in it

    @on(events.DescendantFocus)
    def _keep_phase_focus(self, event: events.DescendantFocus) -> None:
        """A new phase puts the cursor in its first field. Switching tabs hides the field that
        had focus, and Textual may then hand focus to the tab bar after ours: take it back."""
        if self._phase_focus is None:
            return
        pane = self.query_one(f"#{self._phase_focus}")
        if pane in event.widget.ancestors_with_self:
            self._phase_focus = None  # landed
        else:
            self.call_after_refresh(self._focus_first, f"#{self._phase_focus}")

    def _show_head(self) -> None:
        self.query_one(SessionHeader).show(self.pod, self.session, self.clock)
        self._show_safeguarding()

    def _show_safeguarding(self) -> None:
        banner = self.query_one("#safeguarding-banner", Static)
        concern = self.slot.safeguarding if self.slot else None
        detail = self.query_one("#safeguarding-detail", Static)
        if concern is None:
            banner.display = False
            detail.update("No safeguarding concern raised for this case. Ctrl+L records one.")
            return
        done = concern.action_taken.strip() or "NOT YET RECORDED"
        banner.display = True
        banner.update(Content(f"SAFEGUARDING concern raised: {concern.concern} · Done: {done}"))
        detail.update(Content(f"Concern: {concern.concern}\n\nWhat was done: {done}"))

    def _show_review(self) -> None:
        table = self.query_one("#review-table", DataTable)
        row = table.cursor_row
        table.clear()
        for review in self.session.review:
            table.add_row(
                plain(review.action),
                plain(review.case_reference),
                plain(self.pod.name_of(review.owner)),
                str(review.due or ""),
                review.status.value,
                plain(review.note),
                key=review.step_id,
            )
        if not self.session.review:
            table.add_row("No next steps were carried from earlier sessions.", "", "", "", "", "")
        table.move_cursor(row=row)

    def _show_close(self) -> None:
        warnings = planning.close_warnings(self.pod, self.session)
        text = (
            "Before closing, the record lacks:\n" + "\n".join(f"  - {w}" for w in warnings)
            if warnings
            else "The record is complete."
        )
        self.query_one("#close-warnings", Static).update(
            Content(
                text + "\n\nCtrl+N previews the minutes, then saves them and closes the session."
            )
        )

    def _load_slot(self, slot: CaseSlot) -> None:
        self._loading = True
        for field in CASE_TEXT_FIELDS:
            area = self.query_one(f"#{field}", TextArea)
            area.text = getattr(slot, field)
            area.move_cursor(area.document.end)  # carry on typing after what is there
        self.query_one("#lenses", TickList).set_ticked(slot.lenses_discussed)
        self.query_one("#no-steps", Tick).value = slot.no_next_steps
        self.query_one(GenogramEditor).load(slot.genogram)
        self._shown_slot = slot.id
        self._show_items()
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    def _show_items(self) -> None:
        for table in self.query(ItemTable):
            table.show(self.pod, self.slot)
        personal = self.slot.grraacceess_notes.strip() or "Not yet recorded."
        self.query_one("#personal-level", Static).update(Content(personal))
        self._show_safeguarding()

    def tick(self) -> None:
        clock = self.clock
        if self.focused is None and self.app.screen is self:
            self._focus_phase()  # focus was lost (a hidden field): typing must land somewhere
        self.query_one(SessionHeader).tick(clock)
        for alert in clock.alerts():
            self._alert(alert)
        self.take_in_notes()
        self._show_joined()

    def _show_joined(self) -> None:
        """Who has joined from their own screens, and where the facilitator finds their codes."""
        joined = joining.present(self.gs.store.root, self.session.id, self.gs.wall())
        names = ", ".join(self.pod.name_of(m) for m in joined) or "nobody yet"
        self.query_one("#join-line", Static).update(
            Content(f"Observers joined: {names} · F4: their join codes")
        )

    def take_in_notes(self) -> None:
        """Notes observers sent from their own screens: into the record, saved, then cleared."""
        arrivals = joining.take_in_waiting(
            self.gs.store.root, self.session, lambda _: self.save_now()
        )
        for problem in arrivals.problems:
            self.notify(problem, severity="error", markup=False)
        for note in arrivals.taken:
            self.notify(
                f"{note.kind.value} from {self.pod.name_of(note.author)}",
                title="A note arrived",
                markup=False,
            )
        if arrivals.taken and self.slot is not None:
            self._show_items()

    def _alert(self, alert: Alert) -> None:
        phase = self.clock.stop.title
        if alert is Alert.PHASE_ENDING:
            self.notify(f"Two minutes left for {phase}.", markup=False)
            return
        if self.gs.bell_on_overrun:
            self.app.bell()
        message = {
            Alert.PHASE_OVER: f"Time is up for {phase}.",
            Alert.SLOT_OVER: "This case has used all its time.",
            Alert.SESSION_OVER: "The session has used all its time.",
        }[alert]
        self.notify(
            f"{message} Ctrl+T gives more time; Ctrl+N moves on.",
            title="Over time",
            severity="warning",
            markup=False,
        )

    # -- saving ------------------------------------------------------------------------------

    def save(self) -> bool:
        """Hand a copy to the writer: typing never waits for the disk (see store/writer.py)."""
        self.writer.submit(self.session.model_copy(deep=True))
        return True

    def save_now(self) -> bool:
        """Save before going on (the observers' notes leave their inbox only once saved)."""
        self.save()
        self.writer.flush()
        return not self.writer.failing

    class SavingNews(Message):
        """One sentence from the writer's thread (posting a message is thread-safe)."""

        def __init__(self, sentence: str) -> None:
            super().__init__()
            self.sentence = sentence

    def _told(self, sentence: str) -> None:
        self.post_message(self.SavingNews(sentence))

    def on_run_screen_saving_news(self, news: SavingNews) -> None:
        self.notify(news.sentence, title="Saving", severity="warning", markup=False)

    def on_unmount(self) -> None:
        """Leaving or quitting: whatever is typed and not yet saved is saved now."""
        slot = self.slot
        if slot is None or self._shown_slot != slot.id:
            self.writer.close()
            return
        typed = {field: area.text for field, area in self._areas.items()}
        if any(getattr(slot, field) != text for field, text in typed.items()):
            for field, text in typed.items():
                setattr(slot, field, text)
            self.save()
        self.writer.close()  # saved, or kept aside, before the screen goes

    @on(TextArea.Changed, ".capture")
    def _text_changed(self, event: TextArea.Changed) -> None:
        if self._loading or self.slot is None:
            return
        setattr(self.slot, event.text_area.id, event.text_area.text)
        self.save()

    @on(GenogramEditor.Changed)
    def _genogram_changed(self, event: GenogramEditor.Changed) -> None:
        if self._loading or self.slot is None:
            return
        self.slot.genogram = event.genogram
        self.save()

    def action_genogram(self) -> None:
        if self._in_case():
            self.query_one("#case", TabbedContent).active = "genogram-tab"
            self.query_one(GenogramEditor).focus_source()

    @on(TickList.Changed, "#lenses")
    def _lenses_changed(self, event: TickList.Changed) -> None:
        if not self._loading and self.slot is not None:
            self.slot.lenses_discussed = event.tick_list.selected
            self.save()

    @on(Checkbox.Changed, "#no-steps")
    def _no_steps(self, event: Checkbox.Changed) -> None:
        if not self._loading and self.slot is not None:
            self.slot.no_next_steps = event.value
            self.save()

    # -- moving through the session ----------------------------------------------------------

    def action_next_phase(self) -> None:
        if self.clock.stop.phase == CLOSING:
            from groupsup.screens.close import CloseScreen

            self.save_now()
            self.app.push_screen(CloseScreen(self.pod, self.session, self.clock))
            return
        self.clock.advance()
        self.save()
        self.show_stop()

    def action_previous_phase(self) -> None:
        self.clock.back()
        self.save()
        self.show_stop()

    def action_pause(self) -> None:
        if self.clock.paused:
            self.clock.resume()
            self.notify("Clock running again.")
        else:
            self.clock.pause()
            self.notify("Clock paused for everything. Ctrl+O resumes.")
        self.save()
        self.tick()

    def action_join_codes(self) -> None:
        codes = joining.open_joining(self.gs.store.root, self.session, self.gs.wall())
        joined = joining.present(self.gs.store.root, self.session.id, self.gs.wall())

        def chosen(family_names: bool) -> None:
            if family_names != codes.family_names:
                root, wall = self.gs.store.root, self.gs.wall()
                joining.show_family_names(root, self.session, family_names, wall)

        self.app.push_screen(JoinCodesDialog(self.pod, codes, set(joined)), chosen)

    def action_bell(self) -> None:
        self.gs.bell_on_overrun = not self.gs.bell_on_overrun
        self.notify(f"The bell on overrun is {'on' if self.gs.bell_on_overrun else 'off'}.")

    def action_more_time(self) -> None:
        def chosen(result) -> None:
            if result is None:
                return
            kind, value = result
            if kind == "take":
                self.clock.accept(value)
                self.notify(f"{value.given} more minutes for this case, from later cases.")
            elif kind == "extend":
                self.clock.extend(value)
                self.notify(f"Session extended by {value} minutes.")
            else:
                self.action_next_phase()
                return
            self.save()
            self.show_stop()

        self.app.push_screen(TimeDialog(self.pod, self.clock), chosen)

    # -- capture -----------------------------------------------------------------------------

    def _in_case(self) -> bool:
        if self.slot is None:
            self.notify("This is for a case: move on to one with Ctrl+N.")
        return self.slot is not None

    def _then_save(self, apply):
        def done(result) -> None:
            if result is not None:
                apply(result)
                self.save()
                self._show_items()

        return done

    def _add(self, tab: str, form) -> None:
        """Open `form(slot)` over `tab`; what it returns joins its list."""
        if self._in_case():
            slot = self.slot
            self.query_one("#case", TabbedContent).active = tab
            add = self._then_save(lambda new: running.add_item(slot, new))
            self.app.push_screen(form(slot), add)

    def action_hypothesis(self) -> None:
        self._add("hypotheses", lambda slot: HypothesisForm(self.pod, self.session))

    def action_resonance(self) -> None:
        self._add("resonance", lambda slot: ResonanceForm(self.pod, slot))

    def action_next_step(self) -> None:
        self._add("next-steps", lambda slot: NextStepForm(self.pod, self.session, slot))

    def action_personal_level(self) -> None:
        if self._in_case():
            slot = self.slot
            self.app.push_screen(
                PersonalLevelForm(slot),
                self._then_save(lambda text: setattr(slot, "grraacceess_notes", text)),
            )

    def action_safeguarding(self) -> None:
        if self._in_case():
            slot = self.slot
            self.app.push_screen(
                SafeguardingForm(slot.safeguarding),
                self._then_save(lambda concern: setattr(slot, "safeguarding", concern)),
            )

    @on(DataTable.RowSelected, "#review-table")
    def _review_chosen(self, event: DataTable.RowSelected) -> None:
        self._edit_review(event.row_key.value)

    def check_action(self, action: str, parameters: tuple) -> bool:
        # Enter edits the chosen row of a list; in a text field it is the text's own.
        return action != "edit_item" or isinstance(self.focused, DataTable)

    def action_edit_item(self) -> None:
        """Enter on a row opens its form at once, so the keys typed after it land there."""
        table = self.focused
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if isinstance(table, ItemTable):
            self._edit(table.field, key)
        else:
            self._edit_review(key)

    @on(ItemTable.EditRequested)
    def _edit_item(self, event: ItemTable.EditRequested) -> None:
        self._edit(event.field, event.item_id)

    def _edit(self, field: str, key: str) -> None:
        slot = self.slot
        if slot is None:
            return
        form = {
            "hypotheses": lambda i: HypothesisForm(self.pod, self.session, i),
            "resonance": lambda i: ResonanceForm(self.pod, slot, i),
            "next_steps": lambda i: NextStepForm(self.pod, self.session, slot, i),
        }[field]
        item = running.item(slot, field, key)
        self.app.push_screen(
            form(item), self._then_save(lambda new: running.replace_item(slot, new))
        )

    def _edit_review(self, step_id: str) -> None:
        review = next((r for r in self.session.review if r.step_id == step_id), None)
        if review is None:
            return

        def update(new: StepReview) -> None:
            running.review_step(self.session, new)
            self.save()
            self._show_review()

        self.app.push_screen(ReviewForm(self.pod, review), lambda new: new and update(new))

    @on(ItemTable.RemoveRequested)
    def _remove_item(self, event: ItemTable.RemoveRequested) -> None:
        if self.slot is None:
            return
        running.remove_item(self.slot, event.field, event.item_id)
        self.save()
        self._show_items()
        self.notify("Removed.")


_TAB_FOR_CAPTURE = {
    "presentation": "presentation",
    "notes": "notes-tab",
    "hypotheses": "hypotheses",
    "resonance": "resonance",
    "reflection": "reflection-tab",
    "next-steps": "next-steps",
}
