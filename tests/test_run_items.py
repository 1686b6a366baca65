"""The case's lists on the run screen: Enter edits the chosen item, Delete removes it, saved."""

from __future__ import annotations

from conftest import home_is_ready
from test_app import back_on_the_run_screen, type_text
from textual.widgets import DataTable, Static

from groupsup.app import GroupSupApp
from groupsup.screens.forms import HypothesisForm
from groupsup.store.folder import FolderStore


async def test_a_hypothesis_is_edited_with_enter_and_removed_with_delete(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")  # case 1, discussion
        await pilot.press("ctrl+g")
        await type_text(pilot, "First thought")
        await pilot.press("enter")
        await back_on_the_run_screen(pilot)
        await pilot.press("ctrl+g")
        await type_text(pilot, "Second thought")
        await pilot.press("enter")
        await back_on_the_run_screen(pilot)
        table = app.screen.query_one("#hypotheses-table", DataTable)
        table.focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HypothesisForm)
        await pilot.press("end")  # the form opens with the text chosen
        await type_text(pilot, ", revised")
        await pilot.press("enter")
        await back_on_the_run_screen(pilot)
        assert table.get_row_at(0)[1].plain == "First thought, revised"
        await pilot.press("down", "delete")
        await pilot.pause()
        assert [table.get_row_at(0)[1].plain] == ["First thought, revised"]
        assert table.row_count == 1
    slot = FolderStore(demo_store.root).session("demo-s3").slots[0]
    assert [h.text for h in slot.hypotheses] == ["First thought, revised"]


async def test_the_genogram_is_drawn_as_typed_and_saved_mistakes_and_all(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("ctrl+n", "f2")
        await pilot.press("ctrl+a", "delete")  # the demo's genogram, typed again below
        await type_text(pilot, "Z: Zaid, m, 9, index\nZ ~ ")
        drawing = str(app.screen.query_one("#genogram-drawing", Static).render())
        assert "Zaid" in drawing
        errors = app.screen.query_one("#genogram-errors", Static)
        assert errors.display and str(errors.render()).startswith("Mistake at line 2")
    genogram = FolderStore(demo_store.root).session("demo-s3").slots[0].genogram
    assert [p.name for p in genogram.people] == ["Zaid"]
    assert genogram.source == "Z: Zaid, m, 9, index\nZ ~ "
