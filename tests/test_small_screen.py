"""80x24 is a first-class size: what carries meaning stays in sight (issue 12, item 5)."""

from __future__ import annotations

from conftest import home_is_ready, screen_text

from groupsup.app import GroupSupApp


def footer(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_home_shows_owner_due_and_status_of_every_open_step(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        lines = screen_text(app).splitlines()
        heading = next(line for line in lines if "Due" in line and "Action" in line)
        assert "Owner" in heading and "Status" in heading and "Case" in heading
        for step in demo_store.open_steps("north-pod"):
            owner = app.screen.pod_view.name_of(step.owner)
            row = next(line for line in lines if str(step.due) in line and owner in line)
            assert step.status.value in row


async def test_home_footer_shows_whole_keys_and_help_and_quit(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        shown = footer(app)
        assert shown.split() == [
            *("r", "Run", "p", "Plan", "c", "Record", "e", "Export", "m", "Members"),
            *("n", "New", "pod", "^q", "Quit", "f1", "Help"),
        ]
