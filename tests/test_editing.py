"""Editing without traps (issue 12, item 9): stray keys make nothing, the cursor stays where the
facilitator was, and a field opens where its screen begins."""

from __future__ import annotations

from conftest import home_is_ready, until

from groupsup.app import GroupSupApp
from groupsup.screens.forms import Confirm
from groupsup.screens.home import HomeScreen
from groupsup.screens.plan import PlanScreen


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


async def test_the_plan_opens_on_its_first_field(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("tab", "enter")  # the planned session
        await until(pilot, lambda: isinstance(app.screen, PlanScreen), "the plan")
        await until(pilot, lambda: app.focused is not None, "focus")
        assert app.focused.id == "date"
        await pilot.press("enter")  # on the date: no case slot is opened
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
