"""A screen that nothing is happening on comes to rest: it is not laid out again and again.
A layout that never settles (a scrollbar that comes and goes as the width it takes changes the
wrapping) keeps a core busy, drains a laptop's battery and holds up every key typed."""

from __future__ import annotations

import pytest
from conftest import home_is_ready
from test_typeahead import burst, settle
from textual.screen import Screen

from groupsup.app import GroupSupApp

# Each screen, and each dialog over its screen: the keys that reach it from home.
SCREENS = {
    "home": (),
    "plan": ("tab", "enter"),
    "preparation over the plan": ("tab", "enter", "shift+tab", "g"),
    "run, opening review": ("r",),
    "run, a case": ("r", "ctrl+n"),
    "hypothesis over the run": ("r", "ctrl+n", "ctrl+g"),
    "next step over the run": ("r", "ctrl+n", "ctrl+f"),
    "pod's record": ("c",),
    "minutes of a past session": ("tab", "down", "enter"),
    "agreeing over the minutes": ("tab", "down", "enter", "a"),
    "hypotheses tab": ("r", "ctrl+n", "ctrl+g", "=Thought", "enter", "shift+tab"),
    "members": ("m",),
}


@pytest.fixture
def layouts(monkeypatch) -> list[Screen]:
    """Every screen layout from now on, by screen."""
    done: list[Screen] = []
    refresh_layout = Screen._refresh_layout

    def counted(screen: Screen, *args, **kwargs) -> None:
        done.append(screen)
        refresh_layout(screen, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    return done


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("where", list(SCREENS))
async def test_a_screen_comes_to_rest(demo_store, fake, layouts, where, size):
    app = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with app.run_test(size=size) as pilot:
        await home_is_ready(pilot)
        await burst(pilot, *SCREENS[where])
        await settle(pilot)  # workers done, focus landed, first layouts made
        layouts.clear()
        for _ in range(30):  # thirty refreshes with nothing happening
            await pilot.pause()
        again = [type(screen).__name__ for screen in layouts]
        assert len(again) <= 2, f"laid out {len(again)} times at rest: {again[:6]}"
