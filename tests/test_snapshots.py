"""Snapshots of the main screens on the demo store, at 80x24 and larger.

Review a failure's report before running `pytest --snapshot-update`.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from groupsup.app import GroupSupApp


@pytest.fixture
def demo_app(demo_store, fake):
    return GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)


def keys(*pressed: str):
    """Press the keys, then stop cursors blinking, so a snapshot is the same every time."""

    async def run_before(pilot) -> None:
        await pilot.pause()  # the home screen is pushed once the app has mounted
        for key in pressed:
            await pilot.press(key)
            await pilot.pause()
        await pilot.pause()
        for widget in pilot.app.screen.query("Input, TextArea"):
            if isinstance(widget, Input | TextArea):
                widget.cursor_blink = False
        await pilot.pause()

    return run_before


def test_home(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=keys())


def test_pod_members(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=keys("m"))


def test_plan(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(100, 30), run_before=keys("tab", "enter"))


def test_run_a_case(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=keys("r", "ctrl+n"))


def test_opening_review(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(100, 30), run_before=keys("r"))


def test_help(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=keys("r", "f1"))
