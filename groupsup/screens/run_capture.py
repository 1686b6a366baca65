"""The run screen's capture: what the group records during a case (the case's text, the
genogram, lenses, hypotheses, resonance notes, next steps, a safeguarding concern) and how the
earlier next steps stand, each saved at once."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from textual import on
from textual.widgets import Checkbox, DataTable, TabbedContent, TextArea

from groupsup.domain import running
from groupsup.domain.models import CaseSlot, Hypothesis, NextStep, ResonanceNote, StepReview
from groupsup.screens.forms import (
    Form,
    HypothesisForm,
    NextStepForm,
    PersonalLevelForm,
    ResonanceForm,
    ReviewForm,
    SafeguardingForm,
)
from groupsup.screens.run_stage import RunStage
from groupsup.widgets.fields import TickList
from groupsup.widgets.genogram_editor import GenogramEditor
from groupsup.widgets.item_tables import ItemField, ItemTable

T = TypeVar("T")
NewItem = TypeVar("NewItem", Hypothesis, ResonanceNote, NextStep)


class RunCapture(RunStage):
    @on(TextArea.Changed, ".capture")
    def _text_changed(self, event: TextArea.Changed) -> None:
        area = event.text_area
        field = area.id
        record = self.session if field == "welfare_checkin" else self.slot
        if self._loading or record is None or field is None:
            return
        if getattr(record, field) == area.text:
            return  # put there by loading, not typed
        setattr(record, field, area.text)
        self.save()

    @on(GenogramEditor.Changed)
    def _genogram_changed(self, event: GenogramEditor.Changed) -> None:
        if self._loading or self.slot is None:
            return
        self.slot.genogram = event.genogram
        self.save()

    def action_genogram(self) -> None:
        if self._case() is not None:
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

    def _case(self) -> CaseSlot | None:
        """The case under discussion; between cases, a sentence says where this belongs."""
        if self.slot is None:
            self.notify("This is for a case: move on to one with Ctrl+N.")
        return self.slot

    def _then_save(self, apply: Callable[[T], object]) -> Callable[[T | None], None]:
        """A dialog's answer: what it gave back is applied and saved; Escape gave nothing."""

        def done(result: T | None) -> None:
            if result is not None:
                apply(result)
                self.save()
                self._show_items()

        return done

    def _add(self, tab: str, form: Callable[[CaseSlot], Form[NewItem]]) -> None:
        """Open `form(slot)` over `tab`; what it returns joins its list."""
        if (slot := self._case()) is not None:
            self.query_one("#case", TabbedContent).active = tab
            self.app.push_screen(form(slot), self._then_save(partial(running.add_item, slot)))

    def action_hypothesis(self) -> None:
        self._add("hypotheses", lambda slot: HypothesisForm(self.pod, self.session))

    def action_resonance(self) -> None:
        self._add("resonance", lambda slot: ResonanceForm(self.pod, slot))

    def action_next_step(self) -> None:
        self._add("next-steps", lambda slot: NextStepForm(self.pod, self.session, slot))

    def action_personal_level(self) -> None:
        if (slot := self._case()) is not None:
            self.app.push_screen(
                PersonalLevelForm(slot),
                self._then_save(partial(setattr, slot, "grraacceess_notes")),
            )

    def action_safeguarding(self) -> None:
        if (slot := self._case()) is not None:
            self.app.push_screen(
                SafeguardingForm(slot.safeguarding),
                self._then_save(partial(setattr, slot, "safeguarding")),
            )

    @on(DataTable.RowSelected, "#review-table")
    def _review_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self._edit_review(event.row_key.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool:
        # Enter edits the chosen row of a list; in a text field it is the text's own.
        return action != "edit_item" or isinstance(self.focused, DataTable)

    def action_edit_item(self) -> None:
        """Enter on a row opens its form at once, so the keys typed after it land there."""
        table = self.focused
        if not isinstance(table, DataTable) or not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key is None:
            return
        if isinstance(table, ItemTable):
            self._edit(table.field, key)
        else:
            self._edit_review(key)

    @on(ItemTable.EditRequested)
    def _edit_item(self, event: ItemTable.EditRequested) -> None:
        self._edit(event.field, event.item_id)

    def _edit(self, field: ItemField, key: str) -> None:
        slot = self.slot
        if slot is None:
            return
        item = running.item(slot, field, key)
        replace = self._then_save(partial(running.replace_item, slot))
        if isinstance(item, Hypothesis):
            self.app.push_screen(HypothesisForm(self.pod, self.session, item), replace)
        elif isinstance(item, ResonanceNote):
            self.app.push_screen(ResonanceForm(self.pod, slot, item), replace)
        else:
            self.app.push_screen(NextStepForm(self.pod, self.session, slot, item), replace)

    def _edit_review(self, step_id: str) -> None:
        review = next((r for r in self.session.review if r.step_id == step_id), None)
        if review is None:
            return

        def update(new: StepReview | None) -> None:
            if new is not None:
                running.review_step(self.session, new)
                self.save()
                self._show_review()

        self.app.push_screen(ReviewForm(self.pod, review), update)

    @on(ItemTable.RemoveRequested)
    def _remove_item(self, event: ItemTable.RemoveRequested) -> None:
        if self.slot is None:
            return
        running.remove_item(self.slot, event.field, event.item_id)
        self.save()
        self._show_items()
        self.notify("Removed.")
