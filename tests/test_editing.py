"""Editing without traps (issue 12, item 9): stray keys make nothing, the cursor stays where the
facilitator was, and a field opens where its screen begins."""

from __future__ import annotations

from conftest import home_is_ready, the_planned_sessions_plan, until
from test_typeahead import burst, in_case_one, saved
from textual.widgets import DataTable, Input

from groupsup.app import GroupSupApp
from groupsup.domain import planning
from groupsup.screens.forms import Confirm, SlotForm
from groupsup.screens.home import HomeScreen
from groupsup.screens.plan import PlanScreen
from groupsup.widgets.fields import TickList


async def test_p_on_home_asks_before_it_plans_a_session(demo_store):
    before = len(demo_store.summaries())
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
        assert len(demo_store.summaries()) == before  # nothing made
        await pilot.press("p", "enter")
        await until(pilot, lambda: isinstance(app.screen, PlanScreen), "the plan")
        assert len(demo_store.summaries()) == before + 1
        planned = app.screen.session  # its review carries the open steps, as reading every
        every = demo_store.sessions("north-pod")  # earlier session would
        expected = planning.new_session(demo_store.pod("north-pod"), planned.date, every)
        assert planned.review == expected.review
        assert {r.step_id for r in planned.review} == {s.id for s in demo_store.open_steps()}


async def test_the_plan_opens_on_its_first_field(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_planned_sessions_plan(pilot)
        await until(pilot, lambda: app.focused is not None, "focus")
        assert app.focused.id == "date"
        await pilot.press("enter")  # on the date: no case slot is opened
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)


async def test_the_cursor_stays_on_the_edited_hypothesis(demo_store, fake):
    app = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await in_case_one(pilot)
        for n in (1, 2, 3):
            await burst(pilot, "ctrl+g", f"=Thought {n}", "enter")
        table = app.screen.query_one("#hypotheses-table", DataTable)
        table.focus()
        await burst(pilot, "down", "enter", "end", "=, revised", "enter")
        assert table.cursor_row == 1
        await burst(pilot, "enter", "end", "=, twice", "enter")  # the same one again
    texts = [h["text"] for h in saved(demo_store)["slots"][0]["hypotheses"]]
    assert texts == ["Thought 1", "Thought 2, revised, twice", "Thought 3"]


async def test_enter_on_a_planned_session_then_typing_at_once_reaches_its_date(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        await burst(pilot, "tab", "enter", "=2026-12-09")  # no pause: the plan opens on Enter
        assert isinstance(app.screen, PlanScreen)
        assert app.screen.query_one("#date", Input).value == "2026-12-09"
    assert str(saved(demo_store)["date"]) == "2026-12-09"


async def test_ctrl_a_selects_all_in_a_text_field(demo_store, fake):
    app = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await in_case_one(pilot)
        await burst(pilot, "=First words", "enter", "=second line", "ctrl+a", "=Replaced")
        await burst(pilot, "ctrl+g", "=A thought", "ctrl+a", "=Another thought", "enter")
    slot = saved(demo_store)["slots"][0]
    assert slot["dilemma"] == "Replaced"
    assert [h["text"] for h in slot["hypotheses"]] == ["Another thought"]


async def test_a_planned_session_can_be_deleted_after_asking_and_a_run_one_cannot(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("tab", "down", "delete")  # a closed session: kept
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "demo-s2" in {s.id for s in demo_store.summaries()}
        await pilot.press("up", "delete")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
        assert "demo-s3" in {s.id for s in demo_store.summaries()}
        await pilot.press("delete", "enter")
        await until(
            pilot, lambda: "demo-s3" not in {s.id for s in demo_store.summaries()}, "deleting"
        )


async def test_a_case_slots_observers_follow_the_roles_as_they_are_chosen(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_planned_sessions_plan(pilot)
        await until(pilot, lambda: app.focused is not None, "focus")
        await pilot.press("shift+tab", "a")  # round to the case slots, and add one
        await until(pilot, lambda: isinstance(app.screen, SlotForm), "the case slot")
        observers = app.screen.query_one("#observers", TickList)
        await burst(pilot, "=Tom", "tab", "=Priya")
        await until(pilot, lambda: "priya-shah" not in observers.selected, "Priya consulting")
        assert observers.selected == [
            "grace-mensah",
            "daniel-okoro",
            "hannah-kowalski",
            "leila-haddad",
        ]
        await burst(pilot, *["backspace"] * 5, "=Daniel")  # Daniel consults instead
        await until(pilot, lambda: "daniel-okoro" not in observers.selected, "Daniel consulting")
        assert observers.selected == [
            "grace-mensah",
            "priya-shah",
            "hannah-kowalski",
            "leila-haddad",
        ]


async def test_the_cursor_goes_to_the_case_just_added(demo_store, fake):
    app = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_planned_sessions_plan(pilot)
        await burst(pilot, "shift+tab", "a", "=Lei", "tab", "=Pri", "tab", "=CS-7 (Okafor)")
        await burst(pilot, "ctrl+s")
        table = app.screen.query_one("#slots", DataTable)
        assert table.row_count == 4 and table.cursor_row == 3  # Enter now edits the new case


async def test_ctrl_q_asks_before_it_loses_what_the_plan_could_not_save(demo_store):
    """Everything saved is kept at a quit; a plan with a field the plan could not take (a
    length of 20 minutes) asks first, and Escape goes back to it as it was typed."""
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        plan = await the_planned_sessions_plan(pilot)
        plan.query_one("#length", Input).focus()
        await pilot.pause()
        await pilot.press("2", "0")
        await until(pilot, lambda: plan.query_one("#problem").has_class("shown"), "the problem")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, PlanScreen), "the plan again")
        assert plan.query_one("#length", Input).value == "20"
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question again")
        await pilot.press("enter")
        await until(pilot, lambda: app._exit, "the app to quit")
    assert demo_store.session("demo-s3").planned_minutes == 180  # the last length saved


async def test_ctrl_q_quits_at_once_when_everything_is_saved(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_planned_sessions_plan(pilot)
        await pilot.press("ctrl+q")
        await until(pilot, lambda: app._exit, "the app to quit")
