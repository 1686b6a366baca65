"""A session file gone from behind its index line, or pods.json gone while sessions are stored:
every command that reads it names the file (exit 1, never "no such session" nor an empty
store), and backups refuse, so that rotation never takes away the last good copy of it."""

from __future__ import annotations

import json

import pytest

from groupsup.cli import main
from groupsup.domain.errors import StoreDamaged
from groupsup.store import backups
from groupsup.store.folder import FolderStore, check_record

MISSING = "sessions/demo-s2.json"
ROTATIONS = backups.BACKUPS_KEPT + 1


def run(capsys, store: FolderStore, *argv: str) -> tuple[int, str, str]:
    code = main(["--store", str(store.root), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _lose(store: FolderStore, record: str) -> str:
    """Remove `record` behind groupsup's back; what a command then says of it."""
    (store.root / record).unlink()
    return f"{store.root / record} is missing"


@pytest.mark.parametrize("command", ["export", "genogram", "agree"])
def test_a_listed_session_whose_file_is_missing_is_named_as_missing(demo_store, capsys, command):
    said = _lose(demo_store, MISSING)
    code, out, err = run(capsys, demo_store, command, "demo-s2")
    assert code == 1 and said in err
    assert "There is no session" not in err and "Traceback" not in out + err


def _unindex(store: FolderStore, session_id: str) -> str:
    """Take the session's line out of the index behind groupsup's back; what a read of the
    index then says of it."""
    for path in (store.root / "index").rglob("*.json"):
        data = json.loads(path.read_text())
        lines = data["sessions"]
        data["sessions"] = {k: v for k, v in lines.items() if v["id"] != session_id}
        path.write_text(json.dumps(data))
    return f"{store.sessions_folder / session_id}.json has no line in the index"


READS = [["list"], ["actions"], ["report"], ["calendar", "-o", "-"]]


@pytest.mark.parametrize("command", READS, ids=lambda c: c[0])
@pytest.mark.parametrize(
    ("lose", "what"), [(_unindex, "demo-s2"), (_lose, MISSING)], ids=["index line", "file"]
)
def test_the_reads_from_the_index_name_a_session_it_disagrees_about(
    demo_store, capsys, command, lose, what
):
    """A session file with no line in the index was left out of list, actions, calendar and
    report with exit 0; a line without its file was listed as if all were well. Each such read
    still shows what it can, names the session, and exits 1."""
    said = lose(demo_store, what)
    code, out, err = run(capsys, demo_store, *command)
    assert code == 1 and said in err
    assert "check --repair" in err and "Traceback" not in out + err
    assert out  # what could be read is still shown


def test_the_reads_from_the_index_say_nothing_of_a_sound_store(demo_store, capsys):
    for command in READS:
        assert run(capsys, demo_store, *command)[::2] == (0, "")


@pytest.mark.parametrize("record", [MISSING, "pods.json"])
def test_backups_refuse_while_a_record_is_missing_and_keep_its_good_copy(
    demo_store, capsys, record
):
    """A listed session's file, or pods.json while sessions are stored."""
    demo_store.backup("before closing")
    [good] = demo_store.backups()
    said = _lose(demo_store, record)
    for _ in range(ROTATIONS):
        code, _, err = run(capsys, demo_store, "backup")
        assert code == 1 and said in err
    assert [b.name for b in demo_store.backups()] == [good.name]
    assert backups.good_copy(demo_store.root, record, check_record) is not None


def test_check_names_the_backup_that_holds_a_missing_session(demo_store, capsys):
    demo_store.backup("before closing")
    [good] = demo_store.backups()
    said = _lose(demo_store, MISSING)
    code, _, err = run(capsys, demo_store, "check")
    assert code == 1
    [line] = [line for line in err.splitlines() if said in line]
    assert f"Backup {good.name} holds a good copy of it" in line
    assert "does not agree" not in err  # its derived rows are what is left of it


def test_repair_keeps_a_missing_session_a_backup_holds_until_it_is_put_back(demo_store, capsys):
    expected = demo_store.open_steps(), demo_store.report_facts("north-pod")
    demo_store.backup("before closing")
    [good] = demo_store.backups()
    said = _lose(demo_store, MISSING)
    code, _, err = run(capsys, demo_store, "check", "--repair")
    assert code == 1 and said in err
    store = FolderStore(demo_store.root)
    assert [s.id for s in store.summaries()] == ["demo-s1", "demo-s2", "demo-s3"]
    assert (store.open_steps(), store.report_facts("north-pod")) == expected
    with pytest.raises(StoreDamaged, match="is missing"):
        store.backup("on demand")
    store.restore(good.name)
    assert FolderStore(demo_store.root).check() == []


@pytest.mark.parametrize("command", [["actions"], ["calendar"], ["export", "demo-s1"], ["report"]])
def test_pods_missing_while_sessions_are_stored_is_named_not_read_as_no_pods(
    demo_store, capsys, command
):
    said = _lose(demo_store, "pods.json")
    code, out, err = run(capsys, demo_store, *command)
    assert code == 1 and said in err
    assert "There is no pod" not in err and "Traceback" not in out + err


def test_a_pod_made_while_pods_are_missing_is_refused_and_writes_nothing(demo_store):
    pod = demo_store.pod("north-pod")
    _lose(demo_store, "pods.json")
    with pytest.raises(StoreDamaged, match=r"pods\.json is missing"):
        demo_store.save_pod(pod.model_copy(update={"id": "south-pod", "name": "South Pod"}))
    assert not (demo_store.root / "pods.json").exists()
