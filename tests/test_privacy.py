"""Only our own folders are made private; the user's folders are left as they are."""

from __future__ import annotations

import os
import stat
import threading

import pytest
from conftest import DEMO_DAY

from groupsup.cli import main
from groupsup.outputs import minutes
from groupsup.store import demo
from groupsup.store.folder import FolderStore


def mode(path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0)
    yield
    os.umask(old)


def test_the_store_and_its_backups_are_private_whatever_the_umask(tmp_path, open_umask):
    store = FolderStore(tmp_path / "made" / "on the way" / "store")
    demo.fill(store, DEMO_DAY)
    store.backup("private")
    made = [tmp_path / "made", tmp_path / "made" / "on the way"]
    everything = [*made, *store.root.rglob("*")]
    assert {mode(p) for p in everything if p.is_dir()} == {0o700}
    assert {mode(p) for p in everything if p.is_file()} == {0o600}
    assert any("backups" in p.parts for p in everything if p.is_file())


@pytest.fixture
def shared(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    return folder


def test_files_asked_for_are_private_and_their_folder_is_left_alone(demo_store, shared, capsys):
    store = ["--store", str(demo_store.root)]
    assert main([*store, "export", "demo-s1", "-o", str(shared / "minutes.md")]) == 0
    assert main([*store, "report", "-o", str(shared / "record.md")]) == 0
    assert main([*store, "calendar", "-o", str(shared / "dates.ics")]) == 0
    written = minutes.save_all(demo_store.pod("north-pod"), demo_store.session("demo-s1"), shared)
    files = [shared / "minutes.md", shared / "record.md", shared / "dates.ics", *written]
    assert {mode(p) for p in files} == {0o600}
    assert mode(shared) == 0o777


def test_an_output_that_names_a_folder_is_refused(demo_store, shared, capsys, monkeypatch):
    monkeypatch.chdir(shared)
    assert main(["--store", str(demo_store.root), "export", "demo-s1", "-o", ""]) == 2
    assert capsys.readouterr().err.startswith("groupsup: -o '.' is a folder: give the file's name")
    assert main(["--store", str(demo_store.root), "report", "-o", str(shared)]) == 2
    assert mode(shared) == 0o777 and list(shared.iterdir()) == []


def test_an_output_into_a_named_pipe_goes_down_the_pipe(demo_store, tmp_path, capsys):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    read: list[bytes] = []
    reader = threading.Thread(target=lambda: read.append(pipe.read_bytes()))
    reader.start()
    assert main(["--store", str(demo_store.root), "export", "demo-s1", "-o", str(pipe)]) == 0
    reader.join()
    assert read[0].startswith(b"# ") and stat.S_ISFIFO(pipe.stat().st_mode)  # still a pipe


@pytest.mark.parametrize("record", ["pods.json", "sessions/demo-s1.json", "backups/x.json"])
def test_an_output_never_replaces_a_record_of_the_store(demo_store, capsys, record):
    store = demo_store.root
    before = {path: path.read_bytes() for path in store.rglob("*") if path.is_file()}
    assert main(["--store", str(store), "genogram", "demo-s1", "-o", str(store / record)]) == 2
    assert capsys.readouterr().err == (
        f"groupsup: -o '{store / record}' is inside the store, whose files are its records: "
        f"write it elsewhere, or into {store / 'exports'}.\n"
    )
    assert {path: path.read_bytes() for path in store.rglob("*") if path.is_file()} == before
    assert (
        main(["--store", str(store), "genogram", "demo-s1", "-o", str(store / "exports/g.txt")])
        == 0
    )


def test_the_calendar_never_writes_into_the_current_folder(demo_store, shared, monkeypatch):
    monkeypatch.chdir(shared)
    assert main(["--store", str(demo_store.root), "calendar"]) == 0
    assert (demo_store.root / "exports" / "groupsup.ics").read_text().startswith("BEGIN:VCAL")
    assert list(shared.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [
        ["list"],
        ["export", "demo-s1"],
        ["actions"],
        ["report"],
        ["calendar"],
        ["genogram", "demo-s1"],
        ["restore"],
        ["backup"],
        ["check"],
        ["check", "--repair"],
        ["join"],
        ["serve"],
        ["add-format", "short.toml"],
    ],
)
def test_a_command_at_a_mistyped_store_makes_nothing(tmp_path, capsys, command):
    typo = tmp_path / "stroe"
    assert main(["--store", str(typo), *command]) == 2
    assert capsys.readouterr().err == (
        f"groupsup: There is no store at {typo}: check --store (or $GROUPSUP_STORE).\n"
    )
    assert not typo.exists()
    someone_elses = tmp_path / "documents"
    someone_elses.mkdir(mode=0o755)
    assert main(["--store", str(someone_elses), *command]) == 2
    assert "is not a groupsup store" in capsys.readouterr().err
    assert list(someone_elses.iterdir()) == [] and mode(someone_elses) == 0o755


def test_copy_store_copies_only_a_store_and_only_into_an_empty_or_new_folder(
    demo_store, tmp_path, capsys
):
    typo, copy = tmp_path / "stroe", tmp_path / "copy"
    assert main(["copy-store", str(typo), str(copy)]) == 2
    assert capsys.readouterr().err.startswith(f"groupsup: There is no store at {typo}")
    assert not typo.exists() and not copy.exists()
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    (shared / "notes.txt").write_text("mine")
    assert main(["copy-store", str(demo_store.root), str(shared)]) == 2
    assert capsys.readouterr().err == (
        f"groupsup: {shared} is not a groupsup store, and copy-store makes one only in an empty "
        "or new folder: choose another TO. Nothing was changed.\n"
    )
    assert [p.name for p in shared.iterdir()] == ["notes.txt"] and mode(shared) == 0o755


def test_the_app_makes_a_store_only_in_an_empty_or_new_folder(tmp_path, capsys, monkeypatch):
    opened = []
    monkeypatch.setattr("groupsup.cli._run_app", lambda path, bell: opened.append(path) or 0)
    folder = tmp_path / "documents"
    folder.mkdir(mode=0o755)
    (folder / "notes.txt").write_text("mine")
    assert main(["--store", str(folder)]) == 2
    assert capsys.readouterr().err == (
        f"groupsup: {folder} is not a groupsup store, and the app makes one only in an empty "
        "or new folder: check --store (or $GROUPSUP_STORE). Nothing was changed.\n"
    )
    assert [p.name for p in folder.iterdir()] == ["notes.txt"] and mode(folder) == 0o755
    assert opened == []
    empty, left_empty = tmp_path / "empty", FolderStore(tmp_path / "opened once").root
    empty.mkdir()
    for path in (tmp_path / "new", empty, left_empty):
        assert main(["--store", str(path)]) == 0
    assert opened == [tmp_path / "new", empty, left_empty]


def test_the_demo_fills_only_an_empty_or_new_folder(tmp_path, capsys):
    folder = tmp_path / "documents"
    folder.mkdir(mode=0o755)
    (folder / "letter.txt").write_text("mine")
    assert main(["--store", str(folder), "demo", "--no-open"]) == 2
    assert "is not empty; the demo fills only an empty or new folder" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["letter.txt"] and mode(folder) == 0o755
    assert main(["--store", str(tmp_path / "new"), "demo", "--no-open"]) == 0


def test_a_linked_session_file_is_refused_not_followed(demo_store, tmp_path, capsys):
    outside = tmp_path / "outside.json"
    path = demo_store.sessions_folder / "demo-s1.json"
    outside.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(outside)
    assert main(["--store", str(demo_store.root), "export", "demo-s1"]) == 1
    assert "demo-s1.json leads outside the store" in capsys.readouterr().err
    assert main(["--store", str(demo_store.root), "backup"]) == 1
    assert "is a link to somewhere else" in capsys.readouterr().err
    assert outside.read_bytes() == path.read_bytes()


@pytest.mark.parametrize("command", [["export", "demo-s1"], ["check"], ["backup"]])
def test_a_store_folder_linked_elsewhere_keeps_that_folder_s_mode(
    demo_store, tmp_path, capsys, command
):
    """With `sessions` a link to a shared folder, `export` refused (exit 1) but had first
    made that folder 0700, as had `check`: the store's own folders are made private, never
    the ones a link leads to."""
    outside = tmp_path / "shared"
    demo_store.sessions_folder.rename(outside)
    outside.chmod(0o755)
    demo_store.sessions_folder.symlink_to(outside)
    assert main(["--store", str(demo_store.root), *command]) == 1
    assert "sessions" in capsys.readouterr().err
    assert mode(outside) == 0o755


@pytest.mark.parametrize(
    "argv",
    [
        ["--store", "{root}/backups/.current", "list"],
        ["--store", "{root}/backups/.current", "agree", "demo-s1", "--case", "2"],
        ["--store", "{root}/sessions/x", "demo", "--no-open"],
        ["copy-store", "{root}", "{root}/backups/newone"],
    ],
    ids=["list a backup", "agree in a backup", "demo in sessions", "copy into backups"],
)
def test_a_store_is_never_opened_or_made_inside_another(demo_store, capsys, argv):
    """`--store STORE/backups/.current` was taken for a store: a list wrote its lock there,
    an agree changed the backup's copy, and every backup was then unrestorable; copy-store
    made a store among the backups, which spoiled each real one."""
    demo_store.backup("on demand")
    before = _files(demo_store.root)
    assert main([part.format(root=demo_store.root) for part in argv]) == 2
    err = capsys.readouterr().err
    assert f"is inside the store at {demo_store.root}" in err and err.count("\n") == 1
    assert _files(demo_store.root) == before
    assert not demo_store.backups()[0].problem


def _files(root) -> dict:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_file_with_another_name_outside_the_store_keeps_its_mode(demo_store, tmp_path, capsys):
    """A hard link in the store to a file elsewhere (/etc/passwd, as root): `check --repair`
    made that file 0600, for everyone who shares it. It is named, and left alone."""
    elsewhere = tmp_path / "shared.toml"
    elsewhere.write_text("not = [toml")
    elsewhere.chmod(0o644)
    linked = demo_store.root / "formats" / "linked.toml"
    linked.parent.mkdir(mode=0o700, exist_ok=True)
    os.link(elsewhere, linked)
    store = ["--store", str(demo_store.root)]
    assert main([*store, "check", "--repair"]) == 1
    assert f"{linked} has another name outside the store" in capsys.readouterr().err
    assert mode(elsewhere) == 0o644


def test_a_write_never_goes_through_a_file_left_at_its_temporary_name(demo_store, tmp_path):
    """A save writes a temporary beside the record and renames it over: a file already at that
    name, a hard link to one elsewhere, was written through (truncated, its content replaced)."""
    from groupsup.store.files import atomic_write

    elsewhere = tmp_path / "victim"
    elsewhere.write_bytes(b"someone else's")
    target = demo_store.root / "pods.json"
    os.link(elsewhere, target.with_name(f".{target.name}.{os.getpid()}.tmp"))
    atomic_write(target, b'{"pods": {}}')
    assert elsewhere.read_bytes() == b"someone else's" and target.read_bytes() == b'{"pods": {}}'


@pytest.mark.parametrize("command", [["demo", "--no-open"], ["list"], []])
def test_on_windows_groupsup_refuses_in_one_sentence_and_touches_nothing(
    command, tmp_path, monkeypatch, capsys
):
    """The records are kept private with POSIX permissions (0700 folders, 0600 files), which
    Windows does not honour: there groupsup says so and does nothing, rather than write
    children's records that any user of the machine could read."""
    monkeypatch.setattr("sys.platform", "win32")
    store = tmp_path / "store"
    assert main(["--store", str(store), *command]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("groupsup: Windows is not supported") and "WSL" in err
    assert len(err.strip().splitlines()) == 1
    assert not store.exists()
