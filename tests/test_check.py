"""`groupsup check` names each kind of damage in a sentence (exit 1, never a traceback), and
`check --repair` makes the derived records again without touching a damaged session file."""

from __future__ import annotations

import json
import shutil

import pytest

from groupsup.cli import main
from groupsup.store import backups
from groupsup.store.database import FolderIndex
from groupsup.store.folder import FolderStore


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _cut_in_half(root):
    path = root / "sessions" / "demo-s2.json"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return "demo-s2.json is damaged"


def _pods_wrong_shape(root):
    (root / "pods.json").write_text(json.dumps({"pods": [1, 2]}))
    return "pods.json is damaged"


def _index_wrong_shape(root):
    (root / "index" / "north-pod" / "2026.json").write_text(json.dumps({"sessions": []}))
    return "index/north-pod/2026.json is damaged"


def _id_disagrees_with_name(root):
    (root / "sessions" / "demo-s1.json").rename(root / "sessions" / "demo-s9.json")
    return "holds session demo-s1, not demo-s9"


def _no_index_row(root):
    (root / "index" / "north-pod" / "2026.json").write_text(json.dumps({"sessions": {}}))
    return "has no line in the index"


def _index_row_without_file(root):
    (root / "sessions" / "demo-s1.json").unlink()
    return "demo-s1.json is missing"


def _pods_missing(root):
    (root / "pods.json").unlink()
    return "pods.json is missing"


def _facts_missing(root):
    (root / "facts" / "north-pod" / "2026.json").unlink()
    return "facts/north-pod does not agree"


@pytest.mark.parametrize(
    "lost",
    [
        "index/north-pod",
        "facts/north-pod",
        "facts/north-pod/2026.json",
        "steps/north-pod",
        "open-steps/north-pod.json",
        "presented/north-pod.json",
    ],
)
def test_a_pods_missing_derived_file_is_made_again_when_the_store_opens(demo_store, lost):
    """(The README says so: opening mends it, before any command reads it.)"""
    expected = (
        demo_store.open_steps(),
        demo_store.report_facts("north-pod"),
        demo_store.summaries("north-pod"),
    )
    path = demo_store.root / lost
    if path.is_dir():  # a pod's files, a year each
        shutil.rmtree(path)
    else:
        path.unlink()
    store = FolderStore(demo_store.root)
    assert (
        store.open_steps(),
        store.report_facts("north-pod"),
        store.summaries("north-pod"),
    ) == expected
    assert store.check() == []


@pytest.mark.parametrize("lost", ["facts/north-pod/2026.json", "open-steps/north-pod.json"])
def test_a_lost_derived_file_is_not_read_as_empty_before_the_store_is_opened(demo_store, lost):
    """Home and `report` read the derived records without opening the store when they stand
    as this groupsup leaves them: a lost one sends them to open it (which makes it again)."""
    assert FolderIndex(demo_store.root).is_settled()
    (demo_store.root / lost).unlink()
    assert not FolderIndex(demo_store.root).is_settled()


@pytest.mark.parametrize("service", [[], ["--service"]])
def test_the_record_is_whole_though_a_year_of_its_facts_was_lost(demo_store, capsys, service):
    """`report` (each pod's record, or the service's) never counts a lost year as none held."""
    argv = ["--store", str(demo_store.root), "report", "--to", "2026-12-31", *service]
    whole = run(capsys, *argv)
    assert whole[0] == 0 and "Held: 0" not in whole[1]
    (demo_store.root / "facts" / "north-pod" / "2026.json").unlink()
    assert run(capsys, *argv) == whole


@pytest.mark.parametrize("damage", ["missing", "cut short"])
def test_a_year_of_the_index_lost_is_named_by_list_before_the_store_is_opened(
    demo_store, capsys, damage
):
    """`list` reads the index without opening the store: a year's file of index lines that is
    gone or damaged is named (exit 1), never a list without that year's sessions."""
    lost = demo_store.root / "index" / "north-pod" / "2026.json"
    if damage == "missing":
        lost.unlink()
    else:
        lost.write_bytes(lost.read_bytes()[:40])
    code, out, err = run(capsys, "--store", str(demo_store.root), "list")
    assert code == 1 and "Traceback" not in err + out
    assert str(lost) in err and "demo-s" not in out


def _open_steps_wrong(root):
    (root / "open-steps" / "north-pod.json").write_text(json.dumps({"steps": {}}))
    return "open-steps/north-pod.json does not agree"


def _steps_cut_in_half(root):
    path = root / "steps" / "north-pod" / "2026.json"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return "steps/north-pod/2026.json is damaged"


def _steps_wrong_shape(root):
    (root / "steps" / "north-pod" / "2026.json").write_text(json.dumps({"sessions": [1, 2]}))
    return "steps/north-pod/2026.json is damaged"


def _steps_row_without_id(root):
    path = root / "steps" / "north-pod" / "2026.json"
    steps = json.loads(path.read_text())
    del steps["sessions"]["1"]["id"]
    path.write_text(json.dumps(steps))
    return "steps/north-pod does not agree"


def _not_private(root):
    (root / "sessions" / "demo-s1.json").chmod(0o644)
    return "can be read by others"


def _locked_away(root):  # no permission for anyone: it can be read by none, not by others
    (root / "sessions" / "demo-s1.json").chmod(0o000)
    return "sessions/demo-s1.json is not as groupsup keeps it (mode 000); it should be 600."


def _lock_a_folder(root):  # made by hand: every change would then stop at the lock
    (root / ".lock").unlink()
    (root / ".lock").mkdir(mode=0o700)
    return ".lock is a folder where groupsup keeps its lock file"


def _member_lost(root):  # a member taken out of pods.json by hand: their name lost for good
    path = root / "pods.json"
    pods = json.loads(path.read_text())
    for pod in pods["pods"].values():
        pod["members"] = [m for m in pod["members"] if m["id"] != "leila-haddad"]
    path.write_text(json.dumps(pods))
    return "does not agree with the pod in pods.json"


def _symlink(root):
    (root / "sessions" / "elsewhere.json").symlink_to(root.parent / "x.json")
    return "is a symbolic link"


DAMAGE = [
    _cut_in_half,
    _pods_wrong_shape,
    _index_wrong_shape,
    _id_disagrees_with_name,
    _no_index_row,
    _index_row_without_file,
    _pods_missing,
    _open_steps_wrong,
    _steps_cut_in_half,
    _steps_wrong_shape,
    _steps_row_without_id,
    _not_private,
    _locked_away,
    _lock_a_folder,
    _member_lost,
    _symlink,
]
REPAIRABLE = {
    _no_index_row,
    _index_row_without_file,
    _facts_missing,
    _open_steps_wrong,
    _steps_cut_in_half,
    _steps_wrong_shape,
    _steps_row_without_id,
}


def test_a_sound_store_checks_clean(demo_store, capsys):
    assert run(capsys, "--store", str(demo_store.root), "check") == (
        0,
        "The store is sound.\n",
        "",
    )


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda damage: damage.__name__)
def test_check_names_each_kind_of_damage(demo_store, capsys, damage):
    said = damage(demo_store.root)
    code, out, err = run(capsys, "--store", str(demo_store.root), "check")
    assert code == 1
    assert said in err and "Traceback" not in err + out
    assert "problem" in out


@pytest.mark.parametrize("damage", sorted(REPAIRABLE, key=lambda d: d.__name__))
def test_repair_makes_derived_records_again(demo_store, capsys, damage):
    expected = demo_store.open_steps(), demo_store.report_facts("north-pod")
    damage(demo_store.root)
    code, out, err = run(capsys, "--store", str(demo_store.root), "check", "--repair")
    assert (code, out, err) == (0, "Repaired: the store is sound.\n", "")
    store = FolderStore(demo_store.root)
    if damage is _index_row_without_file:  # the session is gone: so are its records
        assert [s.id for s in store.summaries()] == ["demo-s2", "demo-s3"]
    else:
        assert (store.open_steps(), store.report_facts("north-pod")) == expected


@pytest.mark.parametrize("old_pod", ["alpha-pod", "south-pod"])  # before and after north-pod
def test_check_names_the_rows_a_session_left_in_the_pod_it_was_in(demo_store, capsys, old_pod):
    """As an import --replace that moved demo-s2 from `old_pod` to north-pod once left them."""
    root = demo_store.root
    pods = json.loads((root / "pods.json").read_text())
    pods["pods"]["2"] = pods["pods"]["1"] | {"id": old_pod, "name": old_pod.title()}
    _write_private(root / "pods.json", pods)  # the pod it was in is still one of the store's
    for folder, table in (("index", "sessions"), ("facts", "facts"), ("steps", "sessions")):
        kept = json.loads((root / folder / "north-pod" / "2026.json").read_text())[table]
        left = [row | {"pod_id": old_pod} for row in kept.values() if row["id"] == "demo-s2"]
        _write_private(root / folder / old_pod / "2026.json", {table: {"1": left[0]}})
    for folder in ("open-steps", "presented"):
        _write_private(root / folder / f"{old_pod}.json", {})
    code, _, err = run(capsys, "--store", str(root), "check")
    assert code == 1
    assert f"The index line of session demo-s2 does not agree with {root}/sessions/" in err
    for folder in ("facts", "steps"):
        assert f"{root / folder / old_pod} does not agree with the pod's sessions." in err
    assert run(capsys, "--store", str(root), "check", "--repair")[0] == 0
    assert [s.pod_id for s in FolderStore(root).summaries()] == ["north-pod"] * 3


def _write_private(path, data) -> None:
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.write_text(json.dumps(data))
    path.chmod(0o600)


def test_repair_never_touches_a_damaged_session(demo_store, capsys):
    _cut_in_half(demo_store.root)
    damaged = (demo_store.root / "sessions" / "demo-s2.json").read_bytes()
    code, _, err = run(capsys, "--store", str(demo_store.root), "check", "--repair")
    assert code == 1 and "demo-s2.json is damaged" in err
    assert (demo_store.root / "sessions" / "demo-s2.json").read_bytes() == damaged
    assert [s.id for s in FolderStore(demo_store.root).summaries()] == [
        "demo-s1",
        "demo-s2",
        "demo-s3",
    ]


def test_check_names_the_backup_that_has_a_good_copy_of_a_damaged_session(demo_store, capsys):
    demo_store.backup("before closing")
    [kept] = demo_store.backups()
    _cut_in_half(demo_store.root)
    demo_store.backup("unchecked", checked=False)  # newer, but its copy is the damaged one
    code, _, err = run(capsys, "--store", str(demo_store.root), "check", "--repair")
    assert code == 1
    [said] = [line for line in err.splitlines() if "demo-s2.json is damaged" in line]
    copy = backups.read(kept.folder).located("sessions/demo-s2.json")
    assert copy.read_bytes() != (demo_store.root / "sessions" / "demo-s2.json").read_bytes()
    assert said.endswith(
        f"Backup {kept.name} holds a good copy of it ({copy}): "
        f"'groupsup restore {kept.name}' puts that backup back."
    )


def test_check_says_when_no_backup_has_a_good_copy(demo_store, capsys):
    _cut_in_half(demo_store.root)
    code, _, err = run(capsys, "--store", str(demo_store.root), "check")
    assert code == 1 and "No backup holds a good copy of it." in err


def test_check_names_a_backup_that_could_not_be_restored(demo_store, capsys):
    """A backup's copy changed behind its back (in its own folder or in the mirror of the
    newest records that older backups share): check says which backups it spoils, before a
    restore is needed."""
    older = demo_store.backup("older").name
    (demo_store.sessions_folder / "demo-s1.json").touch()  # so the next backup reads it
    newer = demo_store.backup("newer").name
    [copy] = {
        backups.read(demo_store.root / "backups" / name).located("sessions/demo-s2.json")
        for name in (older, newer)
    }
    data = copy.read_bytes()
    copy.write_bytes(data.replace(b"demo-s2", b"demo-s9"))  # the same size: only a checksum sees
    code, _, err = run(capsys, "--store", str(demo_store.root), "check")
    assert code == 1
    for name in (older, newer):
        assert f"Backup {name} cannot be restored: sessions/demo-s2.json is damaged" in err


def test_a_store_reached_through_a_link_of_the_users_checks_as_the_store_it_is(
    demo_store, capsys, tmp_path
):
    """The link is the user's, as the path they give every command; inside the store, links
    are named."""
    link = tmp_path / "my-store"
    link.symlink_to(demo_store.root)
    assert run(capsys, "--store", str(link), "check") == (0, "The store is sound.\n", "")
    assert run(capsys, "--store", str(link), "list")[0] == 0


def test_an_index_line_that_cannot_be_read_is_named_with_its_file_by_list_and_check(
    demo_store, capsys
):
    path = demo_store.root / "index" / "north-pod" / "2026.json"
    index = json.loads(path.read_text())
    index["sessions"]["2"]["date"] = "2026-13-45"
    path.write_text(json.dumps(index))
    for command in ("list", "check"):
        code, out, err = run(capsys, "--store", str(demo_store.root), command)
        assert code == 1 and "2026-13-45" not in out, command  # never shown as a date
        assert f"{path} has a line of the index it cannot read (month must be in 1..12)" in err


def test_a_folder_in_a_sessions_place_is_named_and_check_goes_on_to_the_rest(demo_store, capsys):
    folder = demo_store.sessions_folder / "demo-s2.json"
    folder.unlink()
    folder.mkdir(mode=0o700)
    cut = demo_store.sessions_folder / "demo-s1.json"
    cut.write_bytes(cut.read_bytes()[:100])
    code, _, err = run(capsys, "--store", str(demo_store.root), "check")
    assert code == 1 and "Is a directory" not in err
    assert f"{folder} is damaged: it is a folder where groupsup keeps a file." in err
    assert f"{cut} is damaged and cannot be read" in err  # the rest is still looked at


@pytest.mark.parametrize("command", ["check", "actions", "calendar", "list", "backup"])
def test_a_pod_lost_from_the_pods_file_is_damage_never_an_empty_store(demo_store, capsys, command):
    """Its sessions and open next steps would vanish from sight, with exit 0."""
    pods = demo_store.root / "pods.json"
    pods.write_text(json.dumps({"pods": {}}))
    code, _, err = run(capsys, "--store", str(demo_store.root), command)
    assert code == 1, command
    assert f"{pods} is damaged: it does not hold pod 'north-pod'" in err
