"""Backups and restore never lose a record: killed half way, restored in turn, tampered with."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import SHORT_FORMAT, home_is_ready, until
from textual.widgets import Input, ProgressBar

from groupsup.app import GroupSupApp
from groupsup.cli import main
from groupsup.domain.clock import CLOSING
from groupsup.domain.errors import StoreDamaged
from groupsup.domain.models import SessionStatus
from groupsup.observers import joining
from groupsup.screens.close import CloseScreen
from groupsup.store import backups
from groupsup.store.database import interrupted
from groupsup.store.folder import FolderStore


def records(root: Path) -> dict[str, object]:
    """What a facilitator would miss if it went: every session file and inbox note."""
    return {
        path.relative_to(root).as_posix(): held(path)
        for path in sorted((root / "sessions").rglob("*.json"))
    }


def held(path: Path) -> object:
    """A file's bytes; a session file's record but for its revision and who saved it, which a
    restore moves on (so that a copy read before it is refused)."""
    data = path.read_bytes()
    if path.parent.name != "sessions":
        return data
    try:
        record = json.loads(data)["record"]["1"]
    except (ValueError, KeyError, TypeError):  # damaged: as it is
        return data
    return {key: value for key, value in record.items() if key not in ("revision", "saved_by")}


def assert_whole(root: Path) -> FolderStore:
    """The store opens, its index names exactly the session files, each one reads, and the
    pod's record counts exactly the closed sessions."""
    store = FolderStore(root)
    on_disk = sorted(p.stem for p in (root / "sessions").glob("*.json"))
    assert sorted(s.id for s in store.summaries()) == on_disk
    sessions = store.sessions()
    assert store.damaged == {}
    closed = sorted(s.id for s in sessions if s.status == "closed")
    for pod in store.pods():
        facts = sorted(f["id"] for f in store.report_facts(pod.id))
        assert facts == [i for i in closed if store.session(i).pod_id == pod.id]
    return store


def change(store: FolderStore, dilemma: str) -> None:
    session = store.session("demo-s3")
    session.slots[0].dilemma = dilemma
    store.save_session(session)


@pytest.mark.slow  # five backups and five restores
def test_restoring_each_of_the_five_backups_in_turn_puts_each_state_back(demo_store, capsys):
    states = {}
    for n in range(5):
        change(demo_store, f"state {n}")
        if n == 2:
            demo_store.delete_session("demo-s2")
        states[demo_store.backup(f"state {n}").name] = records(demo_store.root)
    change(demo_store, "after the last backup")
    for name in states:  # the oldest first: its own "before restore" backup must not rotate it
        assert main(["--store", str(demo_store.root), "restore", name]) == 0
        assert capsys.readouterr().out.startswith(f"Restored {name}.")
        assert records(demo_store.root) == states[name]
        assert_whole(demo_store.root)
        assert name in [backup.name for backup in FolderStore(demo_store.root).backups()]


def test_a_restore_can_be_undone(demo_store, capsys):
    first = demo_store.backup("first").name
    change(demo_store, "changed after the backup")
    before = records(demo_store.root)
    undo = demo_store.restore(first)
    assert undo.name.endswith("before-restore")
    assert (
        FolderStore(demo_store.root).session("demo-s3").slots[0].dilemma
        != "changed after the backup"
    )
    FolderStore(demo_store.root).restore(undo.name)
    assert records(demo_store.root) == before


def test_facts_and_observers_notes_are_backed_up_and_restored(demo_store):
    session = demo_store.session("demo-s3")
    session.status = SessionStatus.RUNNING  # notes come in while a session runs
    note = joining.InboxNote(
        kind=joining.NoteKind.HYPOTHESIS,
        slot_id=session.slots[0].id,
        author="tom-whitaker",
        text="Waiting in the inbox",
    )
    joining.post(demo_store, session, note)
    name = demo_store.backup("with a note").name
    shutil.rmtree(demo_store.root / "facts")
    shutil.rmtree(demo_store.sessions_folder / "demo-s3.inbox")
    demo_store.restore(name)
    assert [n.text for _, n in joining.waiting(demo_store, "demo-s3")] == [note.text]
    store = assert_whole(demo_store.root)
    assert sorted(f["id"] for f in store.report_facts("north-pod")) == ["demo-s1", "demo-s2"]


def test_a_backup_folder_without_a_manifest_is_never_restored(demo_store, capsys):
    fake = demo_store.root / "backups" / "2026-11-20T100000.000000-before-closing"
    fake.mkdir(parents=True)
    shutil.copy(demo_store.root / "pods.json", fake / "pods.json")
    shutil.copytree(demo_store.root / "index", fake / "index")
    before = records(demo_store.root)
    assert main(["--store", str(demo_store.root), "restore"]) == 0
    assert capsys.readouterr().out == (
        f"{fake.name}  (cannot be restored: it has no manifest (it is unfinished, or an older "
        "groupsup made it), so it cannot be checked)\n"
    )
    assert main(["--store", str(demo_store.root), "restore", fake.name]) == 1
    assert f"Backup {fake.name} cannot be restored: it has no manifest" in capsys.readouterr().err
    assert records(demo_store.root) == before


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda p: p.write_bytes(p.read_bytes()[:100]), "demo-s1.json is missing or changed"),
        (
            lambda p: p.write_bytes(p.read_bytes().replace(b"Jayden", b"Jaiden")),
            "demo-s1.json is damaged (not as the backup wrote them)",
        ),
        (lambda p: p.unlink(), "sessions/demo-s1.json is missing or changed"),
    ],
)
def test_a_damaged_backup_is_refused_before_anything_is_touched(demo_store, capsys, damage, said):
    backup = demo_store.backup("good")
    change(demo_store, "kept")
    damage(backups.read(backup).located("sessions/demo-s1.json"))
    before = records(demo_store.root)
    assert main(["--store", str(demo_store.root), "restore", backup.name]) == 1
    message = capsys.readouterr().err
    assert f"Backup {backup.name} cannot be restored: " in message and said in message
    assert records(demo_store.root) == before
    assert len(FolderStore(demo_store.root).backups()) == 1  # no "before restore" backup either


def test_a_backup_of_a_damaged_state_is_restored_only_when_asked(demo_store, capsys):
    path = demo_store.sessions_folder / "demo-s1.json"
    path.write_bytes(path.read_bytes()[:100])
    damaged = demo_store.backup("damaged", checked=False)
    path.unlink()
    demo_store.delete_session("demo-s1")
    assert main(["--store", str(demo_store.root), "restore"]) == 0
    assert capsys.readouterr().out == (
        f"{damaged.name}  (3 sessions, unchecked: it may hold a damaged record, which restore "
        "puts back only with --damaged-too)\n"
    )
    assert main(["--store", str(demo_store.root), "restore", damaged.name]) == 1
    message = capsys.readouterr().err
    copy = backups.read(damaged).located("sessions/demo-s1.json")
    assert f"{copy} is damaged" in message
    assert "add --damaged-too" in message and not path.exists()
    assert main(["--store", str(demo_store.root), "restore", damaged.name, "--damaged-too"]) == 0
    copy = backups.read(damaged).located("sessions/demo-s1.json")  # moved beside the new one
    assert path.read_bytes() == copy.read_bytes()


@pytest.mark.parametrize("name", ["..", ".", "../backups", "/etc", "", "sessions", ".partial-x"])
def test_restore_refuses_names_outside_the_backups(demo_store, capsys, name):
    demo_store.backup("good")
    before = records(demo_store.root)
    assert main(["--store", str(demo_store.root), "restore", name]) == 2
    assert capsys.readouterr().err == (
        f"groupsup: There is no backup '{name}'; 'groupsup restore' lists them.\n"
    )
    assert records(demo_store.root) == before


def test_restore_refuses_a_backup_that_is_a_link(demo_store, tmp_path, capsys):
    good = demo_store.backup("good")
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(good, elsewhere)
    (demo_store.root / "backups" / "2099-01-01T000000.000000Z-linked").symlink_to(elsewhere)
    assert (
        main(["--store", str(demo_store.root), "restore", "2099-01-01T000000.000000Z-linked"]) == 2
    )
    assert [b.name for b in FolderStore(demo_store.root).backups()] == [good.name]


# A child process that dies (SIGKILL, as from the power going) at its Nth call of `target`.
KILLED_AT = """
import os, signal, sys
from groupsup.store import backups
from groupsup.store.folder import FolderStore
module, name, at = sys.argv[2], sys.argv[3], int(sys.argv[4])
holder = backups if module == "backups" else os
real, calls = getattr(holder, name), [0]
def dying(*args, **kwargs):
    calls[0] += 1
    if calls[0] == at:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
setattr(holder, name, dying)
store = FolderStore(sys.argv[1])
store.restore(sys.argv[5]) if len(sys.argv) > 5 else store.backup("killed")
"""


def killed_at(root: Path, target: str, at: int, *restore: str) -> bool:
    """Whether the child was killed (False: it finished before its Nth call)."""
    module, name = target.split(".")
    run = subprocess.run(
        [sys.executable, "-c", KILLED_AT, str(root), module, name, str(at), *restore]
    )
    assert run.returncode in (0, -9)
    return run.returncode == -9


@pytest.mark.slow  # starts processes
def test_a_backup_killed_mid_copy_is_never_listed(demo_store, capsys):
    for at in range(1, 20):
        if not killed_at(demo_store.root, "backups._write_new", at):
            break
        assert demo_store.backups() == []
        assert main(["--store", str(demo_store.root), "restore"]) == 0
        assert capsys.readouterr().out.startswith("No backups yet")
    assert at > 5  # it was killed at every file it wrote, then let finish
    [backup] = demo_store.backups()
    assert backup.problem == "" and backup.sessions == 3
    backups.verify(backup)
    assert [p for p in (demo_store.root / "backups").iterdir() if p.name.startswith(".p")] == []


@pytest.mark.slow  # starts processes
@pytest.mark.parametrize("target", ["os.rename", "os.replace"])
def test_a_backup_killed_while_moving_copies_is_finished_by_the_next(demo_store, target):
    """Once its moves begin, a backup is made: killed at any move, every listed backup stays
    whole, and the next backup finishes it first."""
    demo_store.backup("first")
    for at in range(1, 40):
        change(demo_store, f"change {at}")
        demo_store.delete_session("demo-s1") if at == 2 else None
        if not killed_at(demo_store.root, target, at):
            break
        for backup in FolderStore(demo_store.root).backups():
            backups.verify(backup)
        FolderStore(demo_store.root).backup(f"after {at}")
        for backup in FolderStore(demo_store.root).backups():
            backups.verify(backup)
        assert any("killed" in b.name for b in FolderStore(demo_store.root).backups())
    assert at > 2


@pytest.mark.slow  # starts processes
@pytest.mark.parametrize("target", ["backups._write_new", "os.replace", "os.rename"])
def test_a_restore_killed_at_any_step_leaves_the_old_state_or_the_new(demo_store, target):
    old = demo_store.backup("old")
    wanted = records(demo_store.root)
    change(demo_store, "newer")
    demo_store.delete_session("demo-s1")
    newer = records(demo_store.root)
    for at in range(1, 40):
        if not killed_at(demo_store.root, target, at, old.name):
            break
        assert_whole(demo_store.root)
        assert records(demo_store.root) in (wanted, newer)
        if records(demo_store.root) == wanted:  # the kill came after the swap began: put back
            FolderStore(demo_store.root).restore(
                next(b.name for b in FolderStore(demo_store.root).backups() if "restore" in b.name)
            )
            assert records(demo_store.root) == newer
        for made in FolderStore(demo_store.root).backups():  # so that rotation keeps "old"
            if made.name != old.name:
                backups.remove(demo_store.root, made.name)
    assert records(demo_store.root) == wanted
    assert not interrupted(demo_store.root)


def test_a_backup_holds_only_what_changed_and_every_backup_restores_whole(demo_store):
    """The records are kept once: the newest backup's in the mirror, and each older backup's
    folder holds only its copies of what changed after it."""
    first = demo_store.backup("first")
    change(demo_store, "one change")
    second = demo_store.backup("second")
    changed = {
        rel
        for rel, entry in backups.read(first).files.items()
        if backups.read(second).files[rel]["sha256"] != entry["sha256"]
    }
    assert "sessions/demo-s3.json" in changed and "sessions/demo-s1.json" not in changed
    assert _held(first) == changed and _held(second) == set()
    for backup in demo_store.backups():
        backups.verify(backup)
    os.truncate(backups.read(second).located("sessions/demo-s1.json"), 10)  # shared, it shows
    for backup in (first, second):
        with pytest.raises(StoreDamaged, match=r"demo-s1\.json is missing or changed"):
            backups.verify(backups.read(backup))


def test_removing_a_backup_keeps_the_older_ones_whole(demo_store):
    """A backup between others may go (restore keeps the one put back past the newest five):
    the copies an older one found in it move into the older one's folder."""
    made = []
    for n in range(3):
        change(demo_store, f"state {n}")
        made.append(demo_store.backup(f"state {n}"))
    change(demo_store, "state 3")  # state 1 and 2 differ only in demo-s3: the rest is alike
    demo_store.backup("state 3")
    backups.remove(demo_store.root, made[1].name)
    backups.remove(demo_store.root, made[2].name)
    assert [b.name for b in demo_store.backups()][1:] == [made[0].name]
    backups.verify(backups.read(made[0]))
    demo_store.restore(made[0].name)
    assert demo_store.session("demo-s3").slots[0].dilemma == "state 0"


def _held(backup: Path) -> set[str]:
    """The records a backup's own folder holds."""
    return {
        path.relative_to(backup).as_posix()
        for path in backup.rglob("*")
        if path.is_file() and path.name != "manifest.json"
    }


def test_the_backup_command_takes_one_now(demo_store, capsys):
    assert main(["--store", str(demo_store.root), "backup"]) == 0
    [backup] = demo_store.backups()
    assert capsys.readouterr().out == f"Backed up the store to {backup.folder}.\n"
    assert backup.reason == "on demand" and backup.sessions == 3
    backups.verify(backup)


def test_an_on_demand_backup_makes_a_damaged_copy_again_rather_than_keep_it(demo_store, capsys):
    """A copy in the backups' mirror cut short behind groupsup's back was kept by every later
    backup, each then unrestorable, and `groupsup backup` said "Backed up" (exit 0). An
    on-demand backup reads back the copies it keeps and makes a damaged one again."""
    store = ["--store", str(demo_store.root)]
    assert main([*store, "backup"]) == 0
    copy = demo_store.root / "backups" / ".current" / "sessions" / "demo-s1.json"
    copy.write_bytes(copy.read_bytes()[:100])
    assert main([*store, "backup"]) == 0
    newest = demo_store.backups()[0]
    assert not newest.problem
    backups.verify(newest)
    assert main([*store, "restore", newest.name]) == 0


def test_a_folder_made_by_hand_among_the_backups_is_named_and_never_taken_for_one(
    demo_store, capsys
):
    """`backups/zzz/sessions/demo-s1.json` made by hand (or a store copied there) was taken
    for the newest backup: every real one then read its copies there and could not be
    restored, each said to be damaged."""
    good = demo_store.backup("before closing")
    stray = demo_store.root / "backups" / "zzz"
    (stray / "sessions").mkdir(parents=True, mode=0o700)
    (stray / "sessions" / "demo-s1.json").write_text("{}")
    store = ["--store", str(demo_store.root)]
    assert main([*store, "restore"]) == 0
    assert capsys.readouterr().out.startswith(f"{good.name}  (3 sessions")
    assert main([*store, "check"]) == 1
    err = capsys.readouterr().err
    assert f"{stray} is not a backup groupsup made" in err and "damaged" not in err
    assert main([*store, "restore", good.name]) == 0


@pytest.mark.parametrize("linked", [".current", ".current/sessions"])
def test_a_link_in_the_backups_mirror_is_never_written_through(
    demo_store, tmp_path, capsys, linked
):
    """With `backups/.current` (or a folder in it) a link to a shared folder, check named it
    but backup wrote copies of every record there, and restore read them from there."""
    old = demo_store.backup("before closing")
    link = demo_store.root / "backups" / linked
    elsewhere = tmp_path / "shared"
    shutil.copytree(link, elsewhere)
    shutil.rmtree(link)
    link.symlink_to(elsewhere)
    before = sorted(p.name for p in elsewhere.rglob("*"))
    store = ["--store", str(demo_store.root)]
    for command in (["backup"], ["restore", old.name]):
        assert main([*store, *command]) == 1
        said = capsys.readouterr().err
        assert f"{link} is a link to somewhere else" in said and said.count("\n") == 1
    assert sorted(p.name for p in elsewhere.rglob("*")) == before


def test_an_on_demand_backup_looks_at_every_record_not_only_the_journal_s(demo_store, capsys):
    """A format file put in by hand after a close's backup was left out of the next backup
    taken on demand ("Backed up", exit 0), damaged or not: that backup looked only at what
    groupsup had noted it wrote."""
    demo_store.backup("before closing")
    formats = demo_store.root / "formats"
    formats.mkdir(mode=0o700, exist_ok=True)
    (formats / "short.toml").write_bytes(SHORT_FORMAT)
    (formats / "short.toml").chmod(0o600)
    store = ["--store", str(demo_store.root)]
    assert main([*store, "backup"]) == 0
    assert "formats/short.toml" in demo_store.backups()[0].files
    (formats / "bad.toml").write_bytes(b"not = [toml")
    (formats / "bad.toml").chmod(0o600)
    assert main([*store, "backup"]) == 1
    assert "bad.toml" in capsys.readouterr().err


@pytest.mark.parametrize("journal", [b"[1, 2]", b'{"../outside": false}', b'{"sessions": 3}'])
def test_a_restore_journal_of_the_wrong_shape_is_named_and_nothing_moved(
    demo_store, capsys, journal
):
    """A restore's journal that is JSON but not groupsup's (a list; a name outside the store)
    gave a traceback from every command, or would have moved files outside the store."""
    (demo_store.root / ".restoring").mkdir(mode=0o700)
    (demo_store.root / ".restoring.json").write_bytes(journal)
    before = sorted(p.name for p in demo_store.root.rglob("*"))
    for command in (["list"], ["check"]):
        assert main(["--store", str(demo_store.root), *command]) == 1
        out, err = capsys.readouterr()
        assert ".restoring.json is damaged" in err and "Traceback" not in out + err
    assert sorted(p.name for p in demo_store.root.rglob("*")) == before


def test_a_staged_import_that_cannot_be_read_is_never_moved_over_a_session(demo_store, capsys):
    """A wholly staged import holding a file cut short was moved over the closed demo-s1 when
    the store was next opened (by `list`, exit 0)."""
    staging = demo_store.root / ".importing"
    (staging / "sessions").mkdir(parents=True, mode=0o700)
    (staging / "staged").touch()
    (staging / "sessions" / "demo-s1.json").write_bytes(b'{"broken')
    kept = (demo_store.sessions_folder / "demo-s1.json").read_bytes()
    assert main(["--store", str(demo_store.root), "list"]) == 1
    err = capsys.readouterr().err
    assert f"{staging / 'sessions' / 'demo-s1.json'} is damaged" in err and "Traceback" not in err
    assert (demo_store.sessions_folder / "demo-s1.json").read_bytes() == kept


def test_edits_that_could_not_be_saved_are_named_by_check_and_kept_by_backups(demo_store, capsys):
    """unsaved/ can hold the only copy of what was typed (a save refused): check called the
    store sound, and no backup held it."""
    from groupsup.store.writer import keep_unsaved

    demo_store.backup("before closing")
    edited = demo_store.session("demo-s3").model_copy(update={"place": "PRECIOUS"})
    kept = keep_unsaved(demo_store.root, edited)
    store = ["--store", str(demo_store.root)]
    assert main([*store, "check"]) == 1
    assert f"{kept} keeps edits to session demo-s3 that could not be saved" in (
        capsys.readouterr().err
    )
    close = demo_store.backup("before closing")  # as a close takes it: by the journal
    assert backups.read(close).files.keys() >= {"unsaved/demo-s3.json"}


def test_a_backup_refuses_an_open_steps_file_that_cannot_be_read(demo_store, capsys):
    """An open step whose status is 5: actions and calendar named the file, but backup kept
    the damaged copy and said "Backed up" (exit 0)."""
    path = demo_store.root / "open-steps" / "north-pod.json"
    steps = json.loads(path.read_text())
    next(iter(steps["steps"].values()))["status"] = 5
    path.write_text(json.dumps(steps))
    assert main(["--store", str(demo_store.root), "backup"]) == 1
    assert f"{path} is damaged" in capsys.readouterr().err
    assert demo_store.backups() == []


def test_a_backup_whose_manifest_leaves_out_a_session_its_index_lists_is_refused(
    demo_store, capsys
):
    """A manifest edited to leave out demo-s2: check called the store sound, and restore put
    the backup back with exit 0, demo-s2's file gone from behind its index line."""
    taken = demo_store.backup("on demand")
    manifest = taken / "manifest.json"
    data = json.loads(manifest.read_text())
    del data["files"]["sessions/demo-s2.json"]
    manifest.write_text(json.dumps(data))
    store = ["--store", str(demo_store.root)]
    said = "its index lists session demo-s2, whose file it does not hold"
    assert main([*store, "check"]) == 1
    assert said in capsys.readouterr().err
    assert main([*store, "restore", taken.name]) == 1
    assert said in capsys.readouterr().err
    assert (demo_store.sessions_folder / "demo-s2.json").exists()


def test_a_backups_folder_that_is_a_link_is_never_written_through(demo_store, tmp_path, capsys):
    """With `backups` a link to a shared folder, `groupsup backup` copied every record there,
    made that folder 0700 and said "Backed up"; restore read its backups from it."""
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir(mode=0o755)
    (demo_store.root / "backups").symlink_to(elsewhere)
    store = ["--store", str(demo_store.root)]
    for command in (["backup"], ["restore"], ["restore", "anything"]):
        assert main([*store, *command]) == 1
        said = capsys.readouterr().err
        assert f"{demo_store.root / 'backups'} is a symbolic link" in said
        assert said.count("\n") == 1
    assert list(elsewhere.iterdir()) == []
    assert elsewhere.stat().st_mode & 0o777 == 0o755


def test_a_backup_refuses_while_a_pods_format_is_damaged(demo_store, capsys):
    demo_store.save_format("short", SHORT_FORMAT)
    demo_store.backup("on demand")
    [kept] = demo_store.backups()
    damaged = demo_store.root / "formats" / "short.toml"
    damaged.write_bytes(SHORT_FORMAT[:20])  # cut short, behind groupsup's back
    (demo_store.root / "backups" / ".changes").unlink()  # so the next backup reads every record
    assert main(["--store", str(demo_store.root), "backup"]) == 1
    said = capsys.readouterr().err
    assert said.startswith(f"groupsup: The pods' format {damaged} ") and "It is damaged." in said
    assert demo_store.backups() == [kept]  # the good copy is not rotated away
    assert kept.located("formats/short.toml").read_bytes() == SHORT_FORMAT


def held_backups(store) -> tuple[threading.Event, threading.Event]:
    """Make `store`'s backups wait after their first file, as on a busy disk, until `held` is
    set; `backing_up` is set once one is under way."""
    held, backing_up = threading.Event(), threading.Event()
    real_backup = store.backup

    def slow_backup(reason, checked=True, progress=None):
        def held_progress(done, total):
            progress(done, total)
            if done == 1:
                backing_up.set()
                held.wait(timeout=60)

        return real_backup(reason, checked, held_progress)

    store.backup = slow_backup
    return held, backing_up


async def close_screen(pilot) -> CloseScreen:
    """From home, run the next session through to its close screen."""
    await home_is_ready(pilot)
    await pilot.press("r")
    await pilot.pause()
    run = pilot.app.screen
    while run.clock.stop.phase != CLOSING:
        await pilot.press("ctrl+n")
    await pilot.press("ctrl+n")
    await pilot.pause()
    close = pilot.app.screen
    assert isinstance(close, CloseScreen)
    return close


async def test_keys_are_answered_while_the_close_screen_backs_up(demo_store, tmp_path):
    """The backup runs in a worker: held up here (as by a busy disk), the screen still answers
    keys, shows the backup's progress, and closes the session once the backup is done (into the
    folder chosen when Ctrl+S was pressed)."""
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        held, backing_up = held_backups(app.store)
        close = await close_screen(pilot)
        folder = close.query_one("#folder", Input)
        folder.value = str(tmp_path / "minutes")
        folder.focus()
        await pilot.press("ctrl+s")
        while not backing_up.is_set():
            await pilot.pause()
        await pilot.press("x")  # typed during the backup
        assert folder.value != str(tmp_path / "minutes") and close.query_one("#backing-up").display
        assert close.query_one("#backup-progress", ProgressBar).progress >= 1
        assert app.screen is close and not held.is_set()
        held.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is not close
    assert len(list((tmp_path / "minutes").iterdir())) >= 3
    assert FolderStore(demo_store.root).session("demo-s3").status is SessionStatus.CLOSED
    [backup] = FolderStore(demo_store.root).backups()
    assert backup.reason == "before closing"


def test_a_backup_reads_only_what_changed_and_never_the_older_backups_files(
    demo_store, monkeypatch
):
    """Taking a backup looks at each record's size and time, reads only the changed ones, and
    reads the older backups' manifests, not their every file: what it costs does not grow with
    the records kept."""
    demo_store.backup("first")
    change(demo_store, "one change")
    looked: list[str] = []
    read: list[str] = []
    real_look, real_read = backups._quick_problem, backups._read
    monkeypatch.setattr(
        backups, "_quick_problem", lambda *args: looked.append(args[1]) or real_look(*args)
    )
    monkeypatch.setattr(
        backups, "_read", lambda path, *args: read.append(args[0]) or real_read(path, *args)
    )
    second = demo_store.backup("second")
    assert looked == []
    assert "sessions/demo-s3.json" in read and "sessions/demo-s1.json" not in read
    assert len(read) < len(backups.read(second).files) / 2
    backups.verify(backups.read(second))


async def test_going_back_during_the_close_backup_leaves_the_session_open(demo_store, tmp_path):
    """Escape while the close's backup runs goes back to the session, which stays open; the
    close screen, opened again, closes it."""
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        held, backing_up = held_backups(app.store)
        close = await close_screen(pilot)
        close.query_one("#folder", Input).value = str(tmp_path / "minutes")
        await pilot.press("ctrl+s")
        while not backing_up.is_set():
            await pilot.pause()
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is not close, "the session again")
        held.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not close.is_attached
        assert app.store.session("demo-s3").status is SessionStatus.RUNNING
        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, CloseScreen), "the close again")
        app.screen.query_one("#folder", Input).value = str(tmp_path / "minutes")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: len(app.screen_stack) == 1, "home")
    assert FolderStore(demo_store.root).session("demo-s3").status is SessionStatus.CLOSED


def assert_holds_what_is_there(root: Path, backup: Path) -> None:
    """The backup holds every record of the store as it is now, and nothing else."""
    held = backups.read(backup)
    live = backups.record_paths(root, refuse_links=True)
    assert sorted(held.files) == live
    for rel in live:
        assert held.files[rel]["sha256"] == _sha(root / rel)
    backups.verify(held)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _moved_to_another_year(store: FolderStore) -> None:
    moved = store.session("demo-s3")
    moved.date = dt.date(2027, 1, 6)  # its index, facts and steps lines go to another year
    store.save_session(moved)


def _presented_otherwise(store: FolderStore) -> None:
    held = store.session("demo-s1")
    held.slots[0].case_reference = "CR-0001"  # the cases it presented change
    store.save_session(held)


def _pod_renamed(store: FolderStore) -> None:
    pod = store.pod("north-pod")
    pod.members[0].name = "Renamed"
    store.save_pod(pod)


def _notes_posted(store: FolderStore) -> None:
    for n in range(3):
        store.post_note("demo-s3", f"note-{n}", b"{}")


def _notes_taken_and_set_aside(store: FolderStore) -> None:
    first, second, _ = [key for key, _ in store.waiting_notes("demo-s3")]
    store.note_taken("demo-s3", first)
    store.set_note_aside("demo-s3", second)


EVERY_KIND_OF_CHANGE = [  # each of the store's ways of writing a record, in an order that works
    lambda store: change(store, "changed"),
    _moved_to_another_year,
    _presented_otherwise,
    lambda store: store.delete_session("demo-s2"),
    _pod_renamed,
    lambda store: store.save_format("short", SHORT_FORMAT),
    _notes_posted,
    _notes_taken_and_set_aside,
]


def test_a_backup_after_another_reads_only_the_records_written_since(demo_store, monkeypatch):
    """The store notes each record it writes; the next backup goes by that journal, looks at
    no other record, and holds exactly what a look at every record would have found."""
    demo_store.backup("first")

    def every_record(*_):
        raise AssertionError("every record looked at")

    for n, make_a_change in enumerate(EVERY_KIND_OF_CHANGE):
        before = {
            rel: _sha(demo_store.root / rel) for rel in backups.record_paths(demo_store.root, True)
        }
        make_a_change(demo_store)
        after = {
            rel: _sha(demo_store.root / rel) for rel in backups.record_paths(demo_store.root, True)
        }
        assert after != before  # (each change is one a backup must see)
        with monkeypatch.context() as looking:
            looking.setattr(backups, "_records", every_record)
            taken = demo_store.backup(f"after change {n}")
        assert_holds_what_is_there(demo_store.root, taken)


def test_a_journal_line_cut_short_by_a_kill_loses_no_later_change(demo_store):
    demo_store.backup("first")
    with (demo_store.root / "backups" / ".changes").open("ab") as journal:
        journal.write(b"\nsessions/demo-s")  # a process killed while it noted a write
    change(demo_store, "changed after the kill")
    assert_holds_what_is_there(demo_store.root, demo_store.backup("second"))


def test_a_record_is_named_in_the_journal_on_the_disk_before_it_is_written(demo_store, monkeypatch):
    """A power cut after a save must not leave the journal without the record's name (the next
    backup would then keep the old copy as if nothing had changed): the journal is flushed to
    the disk before the record replaces the old one."""
    journal = demo_store.root / "backups" / ".changes"
    demo_store.backup("first")
    events: list[str] = []
    fsync, replace = os.fsync, os.replace

    def flushed(fd: int) -> None:
        events.append(f"fsync {Path(os.readlink(f'/proc/self/fd/{fd}')).name}")
        fsync(fd)

    def renamed(source, target) -> None:
        events.append(f"replace {Path(target).name}")
        replace(source, target)

    monkeypatch.setattr(os, "fsync", flushed)
    monkeypatch.setattr(os, "replace", renamed)
    change(demo_store, "a change a power cut must not hide from the next backup")
    assert "fsync .changes" in events
    assert events.index("fsync .changes") < events.index("replace demo-s3.json"), events
    assert b"sessions/demo-s3.json" in journal.read_bytes()


@pytest.mark.parametrize("journal", ["missing", "of another backup", "damaged", "empty"])
def test_without_the_newest_backups_journal_a_backup_looks_at_every_record(demo_store, journal):
    """A record changed behind groupsup's back is caught then, as it always was."""
    demo_store.backup("first")
    path = demo_store.root / "backups" / ".changes"
    if journal == "missing":
        path.unlink()
    else:
        path.write_bytes(
            {"of another backup": b"2026-01-01T000000.000000Z-older\n", "damaged": b"\xff\xfe"}.get(
                journal, b""
            )
        )
    behind = demo_store.sessions_folder / "demo-s1.json"
    behind.write_bytes(behind.read_bytes().replace(b'"revision": 1', b'"revision": 7'))
    assert_holds_what_is_there(demo_store.root, demo_store.backup("second"))


def test_the_backup_before_a_restore_keeps_even_what_changed_behind_groupsups_back(demo_store):
    """The undo looks at every record, so a restore never loses the present state."""
    first = demo_store.backup("first").name
    change(demo_store, "through groupsup")
    behind = demo_store.sessions_folder / "demo-s1.json"
    behind.write_bytes(behind.read_bytes().replace(b'"revision": 1', b'"revision": 7'))
    before = {path: path.read_bytes() for path in demo_store.sessions_folder.glob("*.json")}
    undo = demo_store.restore(first)
    FolderStore(demo_store.root).restore(undo.name)
    assert records(demo_store.root) == {
        path.relative_to(demo_store.root).as_posix(): held(path) for path in before
    }
    assert (
        json.loads(behind.read_bytes())["record"]["1"]["session"]
        == json.loads(before[behind])["record"]["1"]["session"]
    )


def test_a_stray_file_among_the_records_is_named_and_never_lost_nor_backed_up(demo_store, capsys):
    demo_store.save_format("short", SHORT_FORMAT)
    stray = demo_store.root / "formats" / "my short.toml"  # a copy made by hand
    stray.write_bytes(SHORT_FORMAT)
    stray.chmod(0o600)
    store = ["--store", str(demo_store.root)]
    assert main([*store, "check"]) == 1
    assert f"{stray} is not a record groupsup keeps" in capsys.readouterr().err
    assert list(demo_store.own_formats()) == ["short"]  # never offered twice
    assert main([*store, "backup"]) == 1  # asked for, a backup says what it would leave out
    assert capsys.readouterr().err.startswith(
        f"groupsup: {stray} is not a record groupsup keeps (its name is not one groupsup gives), "
        "and a backup would leave it out"
    )
    assert demo_store.backups() == []
    backup = demo_store.backup("before closing")  # a close's backup goes on: it is the undo
    assert main([*store, "restore", backup.name]) == 1  # it would lose the stray
    assert capsys.readouterr().err.startswith(
        f"groupsup: {stray} is not a record groupsup keeps (its name is not one groupsup gives), "
        "and a restore would lose it"
    )
    stray.rename(demo_store.root.parent / stray.name)
    assert main([*store, "restore", backup.name]) == 0  # the backup left it out: restorable
    assert list(demo_store.own_formats()) == ["short"]


def test_a_format_is_offered_backed_up_and_checked_by_one_rule_for_its_name(demo_store, capsys):
    kept = demo_store.root / "formats" / "a.b.toml"  # a name backups keep, if not add-format's
    demo_store.save_format("short", SHORT_FORMAT)
    kept.write_bytes(SHORT_FORMAT)
    kept.chmod(0o600)
    assert "a.b" in demo_store.own_formats()  # offered (or named by check), never left out unsaid
    assert main(["--store", str(demo_store.root), "backup"]) == 0
    assert "formats/a.b.toml" in demo_store.backups()[0].files


def test_a_folder_or_a_link_among_the_formats_is_named_by_check_and_never_read(
    demo_store, capsys, tmp_path
):
    """A folder under a format's name, or a link to a file elsewhere: check names each and goes
    on to the rest; the plan never reads through the link; a restore would lose the folder."""
    demo_store.save_format("short", SHORT_FORMAT)
    folder = demo_store.root / "formats" / "d.toml"
    folder.mkdir(mode=0o700)
    elsewhere = tmp_path / "elsewhere.toml"
    elsewhere.write_bytes(b"not = [toml")
    link = demo_store.root / "formats" / "linked.toml"
    link.symlink_to(elsewhere)
    store = ["--store", str(demo_store.root)]
    assert main([*store, "check"]) == 1
    err = capsys.readouterr().err
    assert f"{folder} is a folder where groupsup keeps a file" in err
    assert f"{link} is a symbolic link" in err
    assert "Is a directory" not in err and str(elsewhere) not in err  # never read through
    assert list(demo_store.own_formats()) == ["short"]
    assert main([*store, "backup"]) == 1  # asked for, a backup says what it would leave out
    assert f"{folder} is a folder where groupsup keeps a file" in capsys.readouterr().err
    with pytest.raises(StoreDamaged, match="is a link to somewhere else"):
        demo_store.backup("before closing")  # a backup never takes what a link points to
    link.unlink()
    backup = demo_store.backup("before closing")
    assert main([*store, "restore", backup.name]) == 1  # it would lose them
    assert f"{folder} is a folder where groupsup keeps a file" in capsys.readouterr().err


def test_a_note_an_older_groupsup_set_aside_is_named_by_check_and_kept_by_backups(demo_store):
    inbox = demo_store.sessions_folder / "demo-s3.inbox"
    inbox.mkdir(mode=0o700)
    older = inbox / "20261101T100000000000-n1.refused"
    older.write_bytes(b"{")
    older.chmod(0o600)
    [problem] = demo_store.check()
    assert f"{older} holds an observer's note that could not be taken in" in problem
    taken = demo_store.backup("test")
    demo_store.restore(taken.name)
    assert older.read_bytes() == b"{"
