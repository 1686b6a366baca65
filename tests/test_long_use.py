"""A day of use does not fill the memory: a screen or dialog, once closed, is let go, however
often the facilitator opens the plan, the record and the run screen."""

from __future__ import annotations

import gc
from collections import Counter

from conftest import home_is_ready, the_run_screen, until
from textual.widget import Widget
from textual.widgets import DataTable

from groupsup.app import GroupSupApp
from groupsup.screens.home import HomeScreen
from groupsup.screens.record import RecordScreen


def widgets_in_memory() -> Counter[str]:
    gc.collect()
    return Counter(type(found).__name__ for found in gc.get_objects() if isinstance(found, Widget))


async def back_home(pilot) -> None:
    await pilot.press("escape")
    await until(pilot, lambda: isinstance(pilot.app.screen, HomeScreen), "home")
    await home_is_ready(pilot)


async def test_screens_opened_again_and_again_are_let_go(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)

        async def the_plan_the_record_and_the_run_screen() -> None:
            sessions = app.screen.query_one("#sessions", DataTable)
            sessions.focus()
            sessions.move_cursor(row=0)  # the next session: its plan, then once run its screen
            await pilot.press("enter")
            await until(pilot, lambda: not isinstance(app.screen, HomeScreen), "the session")
            await back_home(pilot)
            await pilot.press("c")
            await until(pilot, lambda: isinstance(app.screen, RecordScreen), "the pod's record")
            await back_home(pilot)
            await the_run_screen(pilot)
            await back_home(pilot)

        await the_plan_the_record_and_the_run_screen()
        after_once = widgets_in_memory()
        for _ in range(3):
            await the_plan_the_record_and_the_run_screen()
        assert widgets_in_memory() == after_once
