"""The run screen's showing: which stage is up (the opening review, a case's tab for its phase,
the close), what the case holds, and where the cursor goes when a phase begins."""

from __future__ import annotations

from textual import events, on
from textual.content import Content
from textual.widgets import ContentSwitcher, DataTable, Static, TabbedContent, TextArea

from groupsup.domain import planning
from groupsup.domain.clock import CLOSING, OPENING
from groupsup.domain.dates import when
from groupsup.domain.formats import Capture
from groupsup.domain.models import CASE_TEXT_FIELDS, CaseSlot
from groupsup.screens.base import plain
from groupsup.screens.run_saving import RunSaving
from groupsup.widgets.fields import Tick, TickList
from groupsup.widgets.genogram_editor import GenogramEditor
from groupsup.widgets.item_tables import ItemTable
from groupsup.widgets.session_header import SessionHeader

TAB_FOR_CAPTURE = {
    Capture.PRESENTATION: "presentation",
    Capture.NOTES: "notes-tab",
    Capture.HYPOTHESES: "hypotheses",
    Capture.RESONANCE: "resonance",
    Capture.REFLECTION: "reflection-tab",
    Capture.NEXT_STEPS: "next-steps",
}


class RunStage(RunSaving):
    _loading: bool  # a slot is being put into the fields: their change events are not edits
    _phase_focus: str | None  # the pane whose first field should get focus

    def tick(self) -> None:
        """Redraws what time changes (see run_moves.py)."""

    def case_tabs(self) -> TabbedContent:
        """The case's tabs (their layout is the run screen's: run.py)."""
        raise NotImplementedError

    def in_case(self) -> bool:
        """Whether the stop is a case's phase (not the opening review, nor the close)."""
        return self.clock.stop.phase not in (OPENING, CLOSING) and self.slot is not None

    def case_built(self) -> bool:
        """Whether the case's tabs are mounted (their text fields are kept once they are)."""
        return bool(self._areas)

    async def build_case(self) -> None:
        """Mount the case's tabs, the first time the session comes to a case: the opening
        review needs none of their fifty widgets, and the screen opens without them."""
        await self.query_one("#stage", ContentSwitcher).add_content(self.case_tabs())
        # Kept for on_unmount, when the widgets can no longer be queried but still hold text.
        self._areas = {field: self.query_one(f"#{field}", TextArea) for field in CASE_TEXT_FIELDS}

    async def _build_case_then_show(self) -> None:
        await self.build_case()
        self.show_stop()
        self.gs.release_keys()

    def show_stop(self) -> None:
        if self.in_case() and not self.case_built():
            self.gs.hold_keys()  # the keys typed meanwhile wait for the case's fields
            self.call_next(self._build_case_then_show)
            return
        clock = self.clock
        stop = clock.stop
        switcher = self.query_one("#stage", ContentSwitcher)
        # Always, not only at the opening: a session resumed in a case would otherwise leave the
        # field empty, and leaving the screen saves what the field holds.
        self._show_welfare()
        if stop.phase == OPENING:
            switcher.current = "review"
            self._show_review()
            self._phase_focus = "review"
            self._focus_first("#review")
        elif stop.phase == CLOSING:
            switcher.current = "closing"
            self._show_close()
        elif self.slot is not None:
            switcher.current = "case"
            if self._shown_slot != self.slot.id:
                self._load_slot(self.slot)
            tab = self._case_tab()
            self.query_one("#case", TabbedContent).active = tab
            self._phase_focus = tab
            self._focus_first(f"#{tab}")
        self._show_head()
        self.tick()

    def _focus_phase(self) -> None:
        stop = self.clock.stop
        if stop.phase == OPENING:
            self._focus_first("#review")
        elif stop.phase != CLOSING and self.case_built():
            self._focus_first(f"#{self._case_tab()}")

    def _case_tab(self) -> str:
        """The case's tab for its phase: the one for what the phase captures."""
        capture = self.clock.stop.capture
        assert capture is not None  # every phase of a case captures something (formats.Phase)
        return TAB_FOR_CAPTURE[capture]

    def _focus_first(self, container: str) -> None:
        """Focus the first field still to fill (a dilemma agreed in the plan is passed over),
        or the first field when all are filled, and scroll it into view."""
        fields = list(self.query_one(container).query("TextArea, DataTable, TickList"))
        if not fields:
            return
        empty = (f for f in fields if not (isinstance(f, TextArea) and f.text.strip()))
        field = next(empty, fields[0])
        self.set_focus(field)  # now, so the keys typed next land in it
        self.call_after_refresh(field.scroll_visible, animate=False)  # once the tab is shown

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
        if concern is None:
            banner.display = False
            detail = "No safeguarding concern raised for this case. Ctrl+L records one."
        else:
            done = concern.action_taken.strip() or "NOT YET RECORDED"
            banner.display = True
            # Once what was done is recorded, one line is enough: the room needs its rows back.
            banner.set_class(bool(concern.action_taken.strip()), "recorded")
            banner.update(Content(f"SAFEGUARDING concern raised: {concern.concern} · Done: {done}"))
            detail = f"Concern: {concern.concern}\n\nWhat was done: {done}"
        if self.case_built():
            self.query_one("#safeguarding-detail", Static).update(Content(detail))

    def _show_welfare(self) -> None:
        area = self.query_one("#welfare_checkin", TextArea)
        if area.text != self.session.welfare_checkin:
            area.text = self.session.welfare_checkin
            area.move_cursor(area.document.end)  # carry on typing after what is there

    def _show_review(self) -> None:
        table = self.query_one("#review-table", DataTable)
        row = table.cursor_row
        table.clear()
        for review in self.session.review:
            status, note = review.standing()
            table.add_row(
                plain(self.pod.name_of(review.owner)),
                str(review.due or ""),
                "needed" if review.needs_signoff else "",
                status,
                plain(review.action),
                plain(review.case_reference),
                plain(note),
                key=review.step_id,
            )
        if not self.session.review:
            table.add_row(*[""] * 4, "No next steps were carried from earlier sessions.", "", "")
        table.move_cursor(row=row)
        self._show_review_detail(table.cursor_row)

    @on(DataTable.RowHighlighted, "#review-table")
    def _review_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_review_detail(event.cursor_row)

    def _show_review_detail(self, row: int) -> None:
        """The step the cursor is on, whole: the table cuts its long columns at 80 columns."""
        detail = ""
        if 0 <= row < len(self.session.review):
            review = self.session.review[row]
            status, note = review.standing()
            signoff = " · manager sign-off needed" if review.needs_signoff else ""
            detail = (
                f"{review.action} ({review.case_reference}) · {self.pod.name_of(review.owner)}, "
                f"due {when(review.due)}{signoff} · {status}{f': {note}' if note else ''}"
            )
        self.query_one("#review-detail", Static).update(Content(detail))

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
        carried = self.query_one("#carried-over", Static)
        carried.display = slot.carried_from is not None
        if slot.carried_from is not None:
            carried.update(
                f"Presented before: the genogram and case history are carried over from the "
                f"session of {when(slot.carried_from)}. Update what has changed."
            )
        self._shown_slot = slot.id
        self._show_items()
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    def _show_items(self) -> None:
        if self.slot is not None:
            for table in self.query(ItemTable):
                table.show(self.pod, self.slot)
            personal = self.slot.grraacceess_notes.strip() or "Not yet recorded."
            self.query_one("#personal-level", Static).update(Content(personal))
        self._show_safeguarding()
