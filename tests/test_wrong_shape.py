"""Valid JSON of the wrong shape, in each kind of record, is named in one sentence (exit 1) by
every command that reads it, never a traceback: each kind is checked where it is parsed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from groupsup.cli import main


def _session_record_a_list(root: Path) -> Path:
    path = root / "sessions" / "demo-s2.json"
    path.write_text(json.dumps({"record": [1, 2]}))
    return path


def _session_record_not_a_table(root: Path) -> Path:
    path = root / "sessions" / "demo-s2.json"
    path.write_text(json.dumps({"record": {"1": "oops"}}))
    return path


def _without(path: Path, table: str, field: str) -> Path:
    data = json.loads(path.read_text())
    for row in data[table].values():
        row.pop(field)
    path.write_text(json.dumps(data))
    return path


def _pod_without_id(root: Path) -> Path:
    return _without(root / "pods.json", "pods", "id")


def _pod_with_a_path_for_its_key(root: Path) -> Path:
    path = root / "pods.json"
    data = json.loads(path.read_text())
    for row in data["pods"].values():
        row["id"] = "../../etc"
    path.write_text(json.dumps(data))
    return path


def _pod_member_without_a_name(root: Path) -> Path:
    path = root / "pods.json"
    data = json.loads(path.read_text())
    for row in data["pods"].values():
        row["members"][0].pop("name")
    path.write_text(json.dumps(data))
    return path


def _facts_without_cases(root: Path) -> Path:
    return _without(root / "facts" / "north-pod" / "2026.json", "facts", "cases")


def _index_line_without_id(root: Path) -> Path:
    return _without(root / "index" / "north-pod" / "2026.json", "sessions", "id")


CHECKS = [["check"], ["check", "--repair"]]
READS = {
    _session_record_a_list: [["export", "demo-s2"], ["genogram", "demo-s2"], ["agree", "demo-s2"]],
    _session_record_not_a_table: [["export", "demo-s2"], ["agree", "demo-s2"]],
    _pod_without_id: [["list"], ["report"], ["export", "demo-s1"], ["agree", "demo-s1"]],
    _pod_with_a_path_for_its_key: [
        ["list"],
        ["report"],
        ["calendar"],
        ["export", "demo-s1"],
        ["backup"],
    ],
    _pod_member_without_a_name: [["export", "demo-s1"], ["backup"]],
    _facts_without_cases: [["report"]],
    _index_line_without_id: [["list"]],
}
DERIVED = {_facts_without_cases, _index_line_without_id}  # check --repair makes them again
CASES = [
    pytest.param(damage, command, id=f"{damage.__name__}-{' '.join(command)}")
    for damage, commands in READS.items()
    for command in [*commands, *([] if damage in DERIVED else CHECKS)]
]


@pytest.mark.parametrize(("damage", "command"), CASES)
def test_a_record_of_the_wrong_shape_is_named_in_one_sentence(demo_store, capsys, damage, command):
    path = damage(demo_store.root)
    code = main(["--store", str(demo_store.root), *command])
    out, err = capsys.readouterr()
    assert code == 1 and str(path) in err
    assert "Traceback" not in out + err and "Error" not in err


@pytest.mark.parametrize("damage", sorted(DERIVED, key=lambda d: d.__name__))
def test_a_derived_record_of_the_wrong_shape_is_named_by_check_and_made_again(
    demo_store, capsys, damage
):
    path = damage(demo_store.root)
    assert main(["--store", str(demo_store.root), "check"]) == 1
    out, err = capsys.readouterr()
    assert str(path.parent) in err and "Traceback" not in out + err
    assert main(["--store", str(demo_store.root), "check", "--repair"]) == 0
    assert capsys.readouterr().out == "Repaired: the store is sound.\n"
