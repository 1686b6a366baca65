"""Nothing lost, nothing leaked: crashes, several writers, damaged files, backups, sharing."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from conftest import DEMO_DAY, home_is_ready, until

from groupsup.app import GroupSupApp
from groupsup.cli import main
from groupsup.domain.errors import StoreConflict, StoreDamaged
from groupsup.domain.models import Hypothesis
from groupsup.outputs import minutes
from groupsup.outputs.pseudonymise import pseudonymise
from groupsup.store import demo, migrations
from groupsup.store.database import FolderIndex
from groupsup.store.folder import FolderStore

WRITER = """
import sys
from groupsup.domain.models import Hypothesis
from groupsup.store.folder import FolderStore
store = FolderStore(sys.argv[1])
session = store.session("demo-s3")
for i in range(100000):
    session.slots[0].hypotheses.append(Hypothesis(text=f"edit {i}"))
    store.save_session(session)
    print(i, flush=True)
"""

NOTER = """
import sys
from groupsup.domain.models import ResonanceNote
from groupsup.store.folder import FolderStore
store = FolderStore(sys.argv[1])
for i in range(int(sys.argv[3])):
    store.update_session("demo-s3", lambda s: s.slots[0].resonance.append(
        ResonanceNote(observer="tom-whitaker", text=f"{sys.argv[2]} note {i}")))
"""


@pytest.mark.slow
def test_a_writer_killed_at_any_moment_leaves_a_store_that_opens(demo_store):
    rounds, deadline = 0, time.monotonic() + 4
    while time.monotonic() < deadline or rounds < 3:
        before = len(demo_store.session("demo-s3").slots[0].hypotheses)
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(demo_store.root)],
            stdout=subprocess.PIPE,
            text=True,
        )
        confirmed = int(writer.stdout.readline())  # started, and one save completed
        time.sleep(random.uniform(0.0, 0.25))
        os.kill(writer.pid, signal.SIGKILL)
        for line in writer.stdout:  # saves it finished before the kill
            confirmed = int(line)
        writer.wait()
        reopened = FolderStore(demo_store.root)
        texts = [h.text for h in reopened.session("demo-s3").slots[0].hypotheses][before:]
        assert len(texts) >= confirmed + 1, "a completed save was lost"
        assert texts[: confirmed + 1] == [f"edit {i}" for i in range(confirmed + 1)]
        assert [s.id for s in reopened.summaries()] == ["demo-s1", "demo-s2", "demo-s3"]
        demo_store = reopened
        rounds += 1
    assert list(demo_store.sessions_folder.glob(".*.tmp")) == []  # killed saves' leftovers go


@pytest.mark.slow
@pytest.mark.timeout(150)  # each writer is given two minutes, as the processes compete for cores
def test_concurrent_writers_lose_nothing(demo_store):
    writers = [
        subprocess.Popen([sys.executable, "-c", NOTER, str(demo_store.root), name, "15"])
        for name in ("first", "second", "third")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    notes = [n.text for n in FolderStore(demo_store.root).session("demo-s3").slots[0].resonance]
    assert len(notes) == 45
    for name in ("first", "second", "third"):
        assert [n for n in notes if n.startswith(name)] == [f"{name} note {i}" for i in range(15)]


def test_a_second_writer_is_refused_not_allowed_to_overwrite(demo_store):
    theirs = FolderStore(demo_store.root)
    mine = demo_store.session("demo-s3")
    their_copy = theirs.session("demo-s3")
    their_copy.slots[0].hypotheses.append(Hypothesis(text="Theirs"))
    theirs.save_session(their_copy)
    mine.slots[0].hypotheses.append(Hypothesis(text="Mine"))
    with pytest.raises(StoreConflict) as caught:
        demo_store.save_session(mine)
    message = str(caught.value)
    assert message.startswith("The session of 2026-11-25 was saved by another groupsup (")
    assert f"process {os.getpid()})" in message and "Go back and open the session again" in message
    kept = FolderStore(demo_store.root).session("demo-s3").slots[0].hypotheses
    assert [h.text for h in kept] == ["Theirs"]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda raw: raw[: len(raw) // 2], "is damaged and cannot be read"),
        (lambda raw: b"{not json at all", "is damaged and cannot be read"),
        (
            lambda raw: raw.replace(b'"presenter": "tom-whitaker"', b'"presenter": 17'),
            "holds a session that is not valid: Case 1, presenter: Input should be a valid string",
        ),
        (
            lambda raw: raw.replace(b'"schema_version": 3', b'"schema_version": 7'),
            "was written by a newer groupsup (schema version 7)",
        ),
    ],
)
def test_a_damaged_session_is_named_and_never_overwritten(demo_store, damage, reason):
    path = demo_store.sessions_folder / "demo-s1.json"
    damaged = damage(path.read_bytes())
    path.write_bytes(damaged)
    store = FolderStore(demo_store.root)
    with pytest.raises(StoreDamaged) as caught:
        store.session("demo-s1")
    assert str(caught.value).startswith(str(path)) and reason in str(caught.value)
    assert [s.id for s in store.sessions("north-pod")] == ["demo-s2", "demo-s3"]
    assert reason in store.damaged["demo-s1"]
    with pytest.raises(StoreDamaged):
        store.backup("test")  # no backup is made of a damaged state
    assert path.read_bytes() == damaged


def _open_steps_cut_in_half(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _open_step_without_its_id(path):
    steps = json.loads(path.read_text())
    del steps["steps"]["1"]["id"]
    path.write_text(json.dumps(steps))


@pytest.mark.parametrize("damage", [_open_steps_cut_in_half, _open_step_without_its_id])
def test_open_steps_that_cannot_be_read_are_named(demo_store, capsys, damage):
    path = demo_store.root / "open-steps" / "north-pod.json"
    damage(path)
    with pytest.raises(StoreDamaged, match=f"^{path} is damaged"):
        FolderIndex(demo_store.root).open_steps("north-pod")
    assert main(["--store", str(demo_store.root), "actions"]) == 1
    assert f"{path} is damaged" in capsys.readouterr().err


@pytest.mark.parametrize("damage", [_open_steps_cut_in_half, _open_step_without_its_id])
async def test_open_steps_that_cannot_be_read_are_named_in_the_banner_not_shown_as_none(
    demo_store, damage
):
    path = demo_store.root / "open-steps" / "north-pod.json"
    damage(path)
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: _banner(app), "the banner")
        assert f"{path} is damaged" in _banner(app)


def _banner(app) -> str:
    titled = [n.message for n in app._notifications if n.title == "The store has damaged records"]
    return "".join(titled)


async def test_the_app_says_which_file_is_damaged(demo_store):
    path = demo_store.root / "pods.json"
    damaged = path.read_bytes()[:30]
    path.write_bytes(damaged)
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await home_is_ready(pilot)
        shown = str(app.screen.query_one("#next-session").render())
        assert shown.startswith(f"{path} is damaged and cannot be read")
        assert "'groupsup restore' lists the backups" in shown
    assert path.read_bytes() == damaged  # left as it was, never overwritten


async def test_the_app_says_the_pods_file_is_missing_rather_than_no_pods(demo_store):
    path = demo_store.root / "pods.json"
    path.unlink()
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await home_is_ready(pilot)
        shown = str(app.screen.query_one("#next-session").render())
        assert shown.startswith(f"{path} is missing, but the store holds sessions.")
    assert not path.exists()  # no pods file made that would hide the pods' names


def test_backups_roll_and_restore_puts_back_and_can_be_undone(demo_store, capsys):
    made = [demo_store.backup(f"close {n}") for n in range(7)]
    kept = demo_store.backups()
    assert [b.name for b in kept] == [b.name for b in reversed(made[2:])]
    assert all(oct(b.folder.stat().st_mode & 0o777) == "0o700" for b in kept)
    demo_store.delete_session("demo-s2")
    session = demo_store.session("demo-s3")
    session.slots[0].dilemma = "Changed after the backup"
    demo_store.save_session(session)
    assert main(["--store", str(demo_store.root), "restore"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0] == f"{made[-1].name}  (3 sessions)" and len(listing) == 5
    assert main(["--store", str(demo_store.root), "restore", made[-1].name]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Restored {made[-1].name}. What was there before is kept as backup")
    restored = FolderStore(demo_store.root)
    assert [s.id for s in restored.summaries()] == ["demo-s1", "demo-s2", "demo-s3"]
    assert restored.session("demo-s3").slots[0].dilemma == ""
    undo = restored.backups()[0]
    assert undo.name.endswith("before-restore") and undo.sessions == 2


def test_restoring_a_backup_that_does_not_exist_is_refused(demo_store, capsys):
    assert main(["--store", str(demo_store.root), "restore", "nope"]) == 2
    assert capsys.readouterr().err == (
        "groupsup: There is no backup 'nope'; 'groupsup restore' lists them.\n"
    )


def test_records_are_migrated_through_the_chain(monkeypatch):
    record = {"schema_version": 3, "session": {"title": "old"}}
    assert migrations.upgrade(record) == record  # version 3 is current: nothing to do
    monkeypatch.setitem(migrations.MIGRATIONS, 3, lambda r: r | {"session": {"name": "old"}})
    assert migrations.upgrade(record, current=4) == {
        "schema_version": 4,
        "session": {"name": "old"},
    }
    with pytest.raises(migrations.UnknownVersion, match="no migration from schema version 4"):
        migrations.upgrade(record, current=5)
    with pytest.raises(migrations.UnknownVersion, match="'1' is not one groupsup ever wrote"):
        migrations.upgrade({"schema_version": "1"})
    with pytest.raises(migrations.UnknownVersion, match="True is not one groupsup ever wrote"):
        migrations.upgrade({"schema_version": True})  # (a bool is an int to Python: it was 1)


def test_a_version_1_record_gets_time_zones_as_version_2():
    """Version 1 wrote local times without a zone; version 2 keeps the zone with them."""
    naive = "2026-09-28T10:10:00"
    record = {
        "schema_version": 1,
        "session": {
            "started_at": naive,
            "slots": [{"started_at": naive, "ended_at": None, "history": naive}],
            "clock": {"segments": [{"started_at": naive}]},
        },
    }
    upgraded = migrations.upgrade(record, current=2)
    local = dt.datetime.fromisoformat(naive).astimezone().isoformat()
    assert upgraded["schema_version"] == 2
    session = upgraded["session"]
    assert session["started_at"] == local and session["clock"]["segments"][0]["started_at"] == local
    assert session["slots"][0] == {"started_at": local, "ended_at": None, "history": naive}


def test_pseudonymised_minutes_keep_no_family_name(demo_store):
    session = demo_store.session("demo-s1")
    shareable, replaced, _ = pseudonymise(session)
    assert ("Jayden", "Child A") in replaced and ("Kelly", "Mother") in replaced
    assert ("Ryan", "Mother's partner") in replaced and ("Ron", "Grandfather") in replaced
    assert ("Linda", "Foster carer 1") in replaced and ("Brooks", "Family A") in replaced
    text = minutes.as_markdown(demo_store.pod("north-pod"), shareable)
    text += minutes.as_json(demo_store.pod("north-pod"), shareable)
    for name in ("Jayden", "Kelly", "Ryan", "Marcus", "Brooks", "Adam", "Samira", "Geoff"):
        assert name not in text
    assert "How do I keep Child A's voice central" in text
    assert "Tom Whitaker" in text  # workers are not family: their names stay
    assert session.slots[0].dilemma.startswith("How do I keep Jayden's")  # the record is untouched


def test_exports_and_the_store_are_private(demo_store, tmp_path):
    written = minutes.save_all(
        demo_store.pod("north-pod"), demo_store.session("demo-s1"), tmp_path / "out"
    )
    assert {oct(p.stat().st_mode & 0o777) for p in written} == {"0o600"}
    assert oct((tmp_path / "out").stat().st_mode & 0o777) == "0o700"
    reopened = json.loads(written[1].read_text())
    assert reopened["session"]["id"] == "demo-s1"


def test_demo_day_is_what_the_fixture_uses():
    assert demo._planned_session(DEMO_DAY).date == dt.date(2026, 11, 23)
