"""Snapshots of the main screens on the demo store, at 80x24 and larger.

Review a failure's report before running `pytest --snapshot-update`.
"""

from __future__ import annotations

import pytest
from conftest import RUN_DIALOGS, home_is_ready
from test_typeahead import settle
from textual.widgets import Input, TextArea

from groupsup.app import GroupSupApp


@pytest.fixture(autouse=True)
def _steady_cursors(monkeypatch):
    """Cursors blink on a timer, so a snapshot could catch one mid-blink: every text field
    starts with blinking off (harlequin patches its editor the same way)."""
    for field in (Input, TextArea):
        monkeypatch.setattr(field.cursor_blink, "_default", False)


@pytest.fixture
def demo_app(demo_store, fake):
    return GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)


def keys(*pressed: str):
    """Wait for home to be ready, then press the keys, letting each one's work finish."""

    async def run_before(pilot) -> None:
        await home_is_ready(pilot)
        for key in pressed:
            await pilot.press(key)
            await pilot.pause()
        await settle(pilot)  # workers done, and the tables they filled measured

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


def test_personal_level_dialog(snap_compare, demo_app):
    assert snap_compare(
        demo_app, terminal_size=(80, 24), run_before=keys(*RUN_DIALOGS["personal_level"])
    )


def test_review_dialog(snap_compare, demo_app):
    """A carried step's history (due, sign-off, the last review) over the run screen."""
    assert snap_compare(
        demo_app, terminal_size=(80, 24), run_before=keys("r", "tab", "down", "enter")
    )


# Every dialog over the run screen at 80x24: below the header, whole or scrolling inside itself.
# The review (another step) and the personal level have their own snapshots above.
OTHER_DIALOGS = [dialog for dialog in RUN_DIALOGS if dialog not in ("review", "personal_level")]


@pytest.mark.parametrize("dialog", OTHER_DIALOGS)
def test_dialog_over_the_run_screen(snap_compare, demo_app, monkeypatch, dialog):
    codes = iter(f"CODE{n:02}" for n in range(100))  # join codes are random: fixed here
    monkeypatch.setattr("groupsup.observers.joining._new_code", lambda: next(codes))
    pressed = RUN_DIALOGS[dialog]
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=keys(*pressed))
