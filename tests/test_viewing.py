"""Viewing never writes: reading the store, in the app or by a command, leaves every file of it
as it was (a save would bump a session's revision and make another facilitator's save conflict)."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from conftest import home_is_ready, the_planned_sessions_plan, until

from groupsup import cli
from groupsup.app import GroupSupApp
from groupsup.screens.close import MinutesScreen
from groupsup.screens.home import HomeScreen
from groupsup.screens.record import RecordScreen

# The file lock is made by the first locked step and holds nothing.
NOT_A_RECORD = {".lock"}


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the store: its bytes and when it was last written."""
    return {
        str(path.relative_to(root)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name not in NOT_A_RECORD
    }


def folders(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_dir())


def read_commands(store: Path, elsewhere: Path) -> list[list[str]]:
    """Every command that only reads, with what it writes (when asked) sent outside the store."""
    at = ["--store", str(store)]
    return [
        ["list", *at],
        ["list", "--json", *at],
        ["export", "demo-s1", *at],
        ["export", "demo-s2", "--format", "json", *at],
        ["export", "demo-s2", "--format", "html", "--pseudonymise", *at],
        ["export", "demo-s1", "--case", "1", "-o", str(elsewhere / "case.md"), *at],
        ["genogram", "demo-s1", *at],
        ["genogram", "demo-s2", "--format", "dot", *at],
        ["actions", *at],
        ["actions", "--overdue", "--json", *at],
        ["report", *at],
        ["report", "--service", "--format", "json", *at],
        ["calendar", "-o", str(elsewhere / "pod.ics"), *at],
        ["restore", *at],
        ["check", *at],
        ["schema"],
    ]


def test_every_read_command_leaves_the_store_as_it_was(demo_store, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before, made = snapshot(demo_store.root), folders(demo_store.root)
    for argv in read_commands(demo_store.root, elsewhere):
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()) as err:
            code = cli.main(argv)
        assert code == 0, (argv, err.getvalue())
        assert snapshot(demo_store.root) == before, argv
        assert folders(demo_store.root) == made, argv


async def test_viewing_home_a_planned_and_a_past_session_and_the_record_writes_nothing(
    demo_store,
):
    before, made = snapshot(demo_store.root), folders(demo_store.root)
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await the_planned_sessions_plan(pilot)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
        await home_is_ready(pilot)
        await pilot.press("down", "enter")  # a closed session's minutes
        await until(pilot, lambda: isinstance(app.screen, MinutesScreen), "the minutes")
        await pilot.press("escape")
        await home_is_ready(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, RecordScreen), "the pod's record")
        await pilot.press("escape")
        await home_is_ready(pilot)
        await app.workers.wait_for_complete()
    assert snapshot(demo_store.root) == before
    assert folders(demo_store.root) == made


async def test_opening_a_store_with_damage_names_it_in_a_banner_and_changes_nothing(demo_store):
    cut = demo_store.sessions_folder / "demo-s2.json"
    cut.write_bytes(cut.read_bytes()[:300])  # a full disk, say
    orphan = demo_store.sessions_folder / "demo-s9.json"
    orphan.write_bytes((demo_store.sessions_folder / "demo-s1.json").read_bytes())
    before = snapshot(demo_store.root)
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        await until(pilot, lambda: app._notifications, "the banner")
        [banner] = [n for n in app._notifications if n.title == "The store has damaged records"]
        assert f"{cut} is damaged: it is cut short." in banner.message
        assert f"{orphan} has no line in the index." in banner.message
    assert snapshot(demo_store.root) == before
