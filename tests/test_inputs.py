"""Every command-line input gets one line and exit 2 (bad input) or 1 (the store or the
machine), never a traceback (issue 13)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from groupsup import cli
from groupsup.domain.models import MinutesDocument

EVERY_COMMAND = [
    [],  # the app
    ["demo", "--no-open"],
    ["list"],
    ["export", "demo-s1"],
    ["import", "minutes.json"],
    ["genogram", "demo-s1"],
    ["actions"],
    ["report"],
    ["calendar", "-o", "x.ics"],
    ["backup"],
    ["restore"],
    ["serve", "--port", "8765"],
    ["join"],
]


def run(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """groupsup in its own process, as a facilitator runs it: what it prints, and its exit."""
    return subprocess.run(
        [sys.executable, "-m", "groupsup", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
    )


def one_line(result: subprocess.CompletedProcess, status: int, *words: str) -> None:
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


@pytest.mark.slow  # starts processes
@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c[0] if c else "app")
def test_a_store_that_is_a_file_is_refused_by_every_command(tmp_path, command):
    store = tmp_path / "store-file"
    store.write_text("not a folder")
    result = run("--store", str(store), *command, cwd=tmp_path)
    one_line(result, 2, "is a file")


def test_a_store_of_another_user_is_refused(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to give a folder to another user (run as root in CI)")
    store = tmp_path / "theirs"
    store.mkdir()
    os.chown(store, 65534, 65534)
    one_line(run("--store", str(store), "list"), 1, "belongs to another user")


def exported(demo_store, tmp_path) -> Path:
    path = tmp_path / "minutes.json"
    path.write_text(
        MinutesDocument(
            pod=demo_store.pod("north-pod"), session=demo_store.session("demo-s1")
        ).model_dump_json()
    )
    return path


def nul_in_id(demo_store, tmp_path) -> Path:
    record = json.loads(exported(demo_store, tmp_path).read_text())
    record["session"]["id"] = "demo\x00s9"
    path = tmp_path / "nul.json"
    path.write_text(json.dumps(record))
    return path


def deeply_nested(demo_store, tmp_path) -> Path:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    return path


BAD_INPUT = [
    (["export", "a" * 300], "cannot be used"),
    (["export", "demo-s1", "-o", "{tmp}"], "is a folder"),
    (["export", "demo-s1", "-o", ""], "is a folder"),
    (["export", "demo-s1", "-o", "."], "is a folder"),
    (["calendar", "-o", "."], "is a folder"),
    (["report", "--to", "0001-01-01"], "between 1900 and 9998"),
    (["report", "--from", "0001-01-01"], "between 1900 and 9998"),
    (["report", "--from", ""], "is not a date"),
    (["serve", "--most", "0"], "0 is not 1 or more"),
    (["import", "/dev/zero"], "is not a file (a named pipe, a device)"),  # never read to its end
    (["add-format", "/dev/zero"], "larger than 1 MB"),
    (["postpone", "demo-s3", "--to", "9999-12-31", "--reason", "x"], "between 1900 and 9998"),
    (["import", "{deep}"], "nested too deeply"),
    (["import", "{nul}"], "nul.json"),
]


@pytest.mark.slow  # starts processes
@pytest.mark.parametrize("argv,says", BAD_INPUT, ids=lambda v: str(v)[:30])
def test_bad_input_gets_one_line_and_exit_2(demo_store, tmp_path, argv, says):
    files = {
        "{tmp}": str(tmp_path),
        "{deep}": str(deeply_nested(demo_store, tmp_path)),
        "{nul}": str(nul_in_id(demo_store, tmp_path)),
    }
    argv = [files.get(a, a) for a in argv]
    one_line(run("--store", str(demo_store.root), *argv, cwd=tmp_path), 2, says)


def test_import_names_the_file_the_field_and_every_problem(demo_store, tmp_path, capsys):
    path = tmp_path / "half.json"
    path.write_text(json.dumps({"schema_version": 1}))
    assert cli.main(["--store", str(demo_store.root), "import", str(path)]) == 2
    said = capsys.readouterr().err
    assert said == (
        f"groupsup: {path}: 2 problems: Field required (field pod). "
        "Field required (field session).\n"
    )
    record = json.loads(exported(demo_store, tmp_path).read_text())
    record["session"]["slots"][1]["genogram"]["people"][0]["age"] = 400
    del record["session"]["slots"][0]["presenter"]
    path.write_text(json.dumps(record))
    assert cli.main(["--store", str(demo_store.root), "import", str(path)]) == 2
    said = capsys.readouterr().err
    assert "Case 1, presenter: Field required (field session.slots.0.presenter)." in said
    assert (
        "Case 2, genogram, genogram person 1, age: Input should be less than or equal to 130 "
        "(field session.slots.1.genogram.people.0.age)." in said
    )


def test_an_unreadable_store_is_one_line_and_exit_1(demo_store):
    if os.geteuid() == 0:
        pytest.skip("root reads every file: permissions cannot be denied to it")
    (demo_store.root / "pods.json").chmod(0)
    one_line(run("--store", str(demo_store.root), "list"), 1, "pods.json")
