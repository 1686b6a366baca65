"""The command line: what a facilitator types, what they see, and what the store holds after."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import edited_export

from groupsup.cli import main
from groupsup.store.folder import FolderStore


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse exits for --help and bad options
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def _snapshot(folder) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_list_shows_one_session_a_line(capsys, demo_store):
    code, out, _ = run(capsys, "list", "--store", str(demo_store.root))
    assert code == 0
    assert out.splitlines() == [
        "demo-s1  2026-09-28  North Pod  closed",
        "demo-s2  2026-10-26  North Pod  closed",
        "demo-s3  2026-11-25  North Pod  planned",
    ]
    code, out, _ = run(capsys, "--store", str(demo_store.root), "list", "--json")
    assert json.loads(out)[2] == {
        "id": "demo-s3",
        "date": "2026-11-25",
        "pod": "North Pod",
        "status": "planned",
    }


def test_demo_fills_a_store_and_refuses_a_full_one(capsys, tmp_path):
    target = tmp_path / "demo"
    code, out, _ = run(capsys, "demo", "--store", str(target), "--no-open")
    assert (code, out.strip()) == (0, str(target))
    assert [s.status.value for s in FolderStore(target).summaries()] == [
        "closed",
        "closed",
        "planned",
    ]
    code, _, err = run(capsys, "demo", "--store", str(target), "--no-open")
    assert code == 2
    assert err.startswith(f"groupsup: {target} is not empty; the demo fills only an empty or new")


def test_export_writes_a_private_file(capsys, demo_store, tmp_path):
    out_file = tmp_path / "minutes" / "s1.md"
    code, _, _ = run(
        capsys, "--store", str(demo_store.root), "export", "demo-s1", "-o", str(out_file)
    )
    assert code == 0
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    assert "## Case 2: CS-31177 (Ahmed)" in out_file.read_text()


def test_export_import_export_gives_the_same_json(capsys, demo_store, tmp_path):
    files = []
    for session_id in ("demo-s1", "demo-s2", "demo-s3"):
        path = tmp_path / f"{session_id}.json"
        args = ["--store", str(demo_store.root), "export", session_id, "--format", "json"]
        assert run(capsys, *args, "-o", str(path))[0] == 0
        files.append(path)
    empty = tmp_path / "empty"
    code, out, _ = run(capsys, "import", *map(str, files), "--store", str(empty))
    assert (code, out) == (0, "Imported 3 sessions.\n")
    for path in files:
        session_id = path.stem
        _, again, _ = run(capsys, "export", session_id, "--format", "json", "--store", str(empty))
        assert again == path.read_text()


def test_importing_a_session_twice_needs_replace(capsys, demo_store, tmp_path):
    path = tmp_path / "s1.json"
    run(
        capsys,
        "--store",
        str(demo_store.root),
        "export",
        "demo-s1",
        "--format",
        "json",
        "-o",
        str(path),
    )
    code, _, err = run(capsys, "--store", str(demo_store.root), "import", str(path))
    assert code == 2
    assert err == (
        f"groupsup: {path}: session demo-s1 is already in the store; add --replace to "
        "overwrite it.\n"
    )
    code, _, _ = run(capsys, "--store", str(demo_store.root), "import", str(path), "--replace")
    assert code == 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "is not JSON (Expecting property name"),
        ('{"pod": {}}', "is not groupsup minutes (no schema_version)"),
        ("SCHEMA99", "was written by a newer groupsup (schema version 99)"),
        ("STRANGER", "The presenter of case 1 'stranger' is not a member of the pod North Pod."),
        ("EMPTY_ACTION", "Case 1, next step 1: A next step needs an action"),
    ],
)
def test_a_bad_import_changes_nothing(capsys, demo_store, tmp_path, content, reason):
    good = tmp_path / "good.json"
    run(
        capsys,
        "--store",
        str(demo_store.root),
        "export",
        "demo-s2",
        "--format",
        "json",
        "-o",
        str(good),
    )
    data = json.loads(good.read_text())
    data["session"]["id"] = "new-one"
    good.write_text(json.dumps(data))
    if content == "SCHEMA99":
        content = json.dumps(data | {"schema_version": 99})
    elif content == "STRANGER":
        data["session"]["slots"][0]["presenter"] = "stranger"
        content = json.dumps(data)
    elif content == "EMPTY_ACTION":
        data["session"]["slots"][0]["next_steps"][0]["action"] = ""
        content = json.dumps(data)
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    before = _snapshot(demo_store.root)
    code, out, err = run(capsys, "--store", str(demo_store.root), "import", str(good), str(bad))
    assert code == 2 and out == ""
    assert err.startswith(f"groupsup: {bad}: ") and reason in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert _snapshot(demo_store.root) == before


def test_version_says_which_groupsup_this_is(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"groupsup {version('groupsup')}\n"


def test_bad_command_line_input_gets_one_line_and_status_2(capsys, demo_store):
    code, _, err = run(
        capsys, "--store", str(demo_store.root), "export", "demo-s1", "--format", "odt"
    )
    assert code == 2
    assert err.count("\n") == 1 and "invalid choice: 'odt'" in err
    code, _, err = run(capsys, "--store", str(demo_store.root), "export", "no-such-session")
    assert (code, err) == (2, "groupsup: There is no session 'no-such-session' in this store.\n")


def test_schema_describes_the_json_minutes(capsys):
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0
    assert set(schema["required"]) == {"pod", "session"}
    assert "schema_version" in schema["properties"]
    assert "Hypothesis" in schema["$defs"] and "Genogram" in schema["$defs"]


@pytest.mark.slow
def test_the_domain_never_imports_textual():
    root = Path(__file__).resolve().parent.parent / "groupsup"
    modules = [
        "groupsup." + ".".join(path.relative_to(root).with_suffix("").parts)
        for path in sorted(root.rglob("*.py"))
        if path.parts[-2] not in ("screens", "widgets", "observers")
        and path.stem not in ("__init__", "__main__", "app")
    ]
    assert {"groupsup.domain.models", "groupsup.store.folder", "groupsup.genogram.drawing"} <= set(
        modules
    )
    code = f"import sys; import {', '.join(modules)}; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_add_format_never_replaces_a_built_in_format_nor_a_pods_own_unasked(
    capsys, demo_store, tmp_path
):
    from conftest import SHORT_FORMAT

    from groupsup.domain.formats import BUILT_IN, format_named

    store = ("--store", str(demo_store.root))
    policy = tmp_path / "group-reflective.toml"
    policy.write_bytes((BUILT_IN / "bells-that-ring.toml").read_bytes())
    assert run(capsys, *store, "add-format", str(policy)) == (
        2,
        "",
        "groupsup: 'group-reflective' is the key of a built-in session format, which stays as "
        "it is: give the file another name (its name is the format's key). Nothing was kept.\n",
    )
    assert demo_store.own_formats() == {}
    mine = tmp_path / "short.toml"
    mine.write_bytes(SHORT_FORMAT)
    assert run(capsys, *store, "add-format", str(mine))[0] == 0
    mine.write_bytes(SHORT_FORMAT.replace(b"Talk.", b"Listen."))
    assert run(capsys, *store, "add-format", str(mine)) == (
        2,
        "",
        "groupsup: The store already has a session format 'short': add --replace to replace "
        "it. Nothing was kept.\n",
    )
    assert format_named("short", demo_store.own_formats()).phases[0].prompt == "Talk."
    assert run(capsys, *store, "add-format", str(mine), "--replace")[0] == 0
    assert format_named("short", demo_store.own_formats()).phases[0].prompt == "Listen."


def test_an_output_inside_a_file_is_refused_naming_what_was_typed(capsys, demo_store, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("kept")
    code = main(["--store", str(demo_store.root), "export", "demo-s1", "-o", str(afile / "x.md")])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith(f"groupsup: {afile / 'x.md'}: Not a directory.")
    assert ".tmp" not in err and afile.read_text() == "kept"


def test_an_exports_folder_that_is_a_link_is_never_written_through(capsys, demo_store):
    """Linked to the sessions' folder, it would let export -o overwrite a session's record."""
    exports = demo_store.root / "exports"
    exports.symlink_to(demo_store.sessions_folder)
    record = demo_store.sessions_folder / "demo-s2.json"
    before = record.read_bytes()
    store = ["--store", str(demo_store.root)]
    assert main([*store, "export", "demo-s1", "-o", str(exports / "demo-s2.json")]) == 2
    assert "is inside the store" in capsys.readouterr().err
    assert main([*store, "calendar"]) == 1
    assert f"{exports} is a symbolic link" in capsys.readouterr().err
    assert record.read_bytes() == before
    assert not (demo_store.sessions_folder / "groupsup.ics").exists()


@pytest.mark.parametrize(
    "spoil",
    [
        lambda data: data["session"].update(date="1899-12-31"),
        lambda data: data["session"]["slots"][0]["next_steps"][0].update(due="9999-12-31"),
    ],
    ids=["session before 1900", "step due after 9998"],
)
def test_import_refuses_a_day_no_form_would_take(capsys, demo_store, tmp_path, spoil):
    """A day out of 1900 to 9998 is refused as it is when typed: a calendar could never hold
    the days around it (an import of one made `calendar` fail with a traceback)."""
    path = edited_export(demo_store, "demo-s1", tmp_path, spoil)
    store = ["--store", str(demo_store.root)]
    capsys.readouterr()
    assert main([*store, "import", str(path), "--replace"]) == 2
    assert "a day between 1900 and 9998 is needed" in capsys.readouterr().err
    assert main([*store, "calendar", "-o", str(tmp_path / "c.ics")]) == 0


def _step_of_demo_s2(store) -> str:
    return store.session("demo-s2").slots[0].next_steps[0].id


@pytest.mark.parametrize(
    ("spoil", "said"),
    [
        (
            lambda data, store: data["session"]["slots"][0]["next_steps"][0].update(
                id=_step_of_demo_s2(store)
            ),
            "has the id of one of session demo-s2's",
        ),
        (
            lambda data, store: data["session"]["slots"][0]["next_steps"].append(
                data["session"]["slots"][0]["next_steps"][0]
            ),
            "Two next steps of this session have the same id.",
        ),
        (lambda data, store: None, "has the id of one of session demo-s1's"),  # a copy
    ],
    ids=["another session's step", "twice in one session", "a copy under a new id"],
)
def test_import_refuses_a_next_step_whose_id_is_not_its_own(
    capsys, demo_store, tmp_path, spoil, said
):
    """An overdue step of demo-s2 vanished from actions, calendar and home for good when a
    session holding its id was imported, and check called the store sound."""

    def imported_as_another(data: dict) -> None:
        data["session"]["id"] = "imported"
        spoil(data, demo_store)

    path = edited_export(demo_store, "demo-s1", tmp_path, imported_as_another)
    store = ["--store", str(demo_store.root)]
    capsys.readouterr()
    before = main([*store, "actions"]), capsys.readouterr().out
    assert main([*store, "import", str(path)]) == 2
    assert said in capsys.readouterr().err
    assert (main([*store, "actions"]), capsys.readouterr().out) == before


def test_import_replace_keeps_the_steps_later_sessions_reviewed(capsys, demo_store, tmp_path):
    """Replacing demo-s1 with minutes that leave out its next steps dropped them from the
    store, though demo-s2 had reviewed them: the follow-up was lost and check called the store
    sound. The replacement is refused, naming the step and the session that reviewed it."""
    reviewed = {review.step_id for review in demo_store.session("demo-s2").review}
    kept = demo_store.session("demo-s1")
    assert reviewed & {step.id for slot in kept.slots for step in slot.next_steps}

    def without_next_steps(data: dict) -> None:
        for slot in data["session"]["slots"]:
            slot["next_steps"] = []

    path = edited_export(demo_store, "demo-s1", tmp_path, without_next_steps)
    store = ["--store", str(demo_store.root)]
    capsys.readouterr()
    assert main([*store, "import", str(path), "--replace"]) == 2
    said = capsys.readouterr().err
    assert "but session demo-s2 reviews it" in said
    assert said.count("\n") == 1  # one line
    assert demo_store.session("demo-s1") == kept


def _replacement_refused(capsys, demo_store, tmp_path, session_id: str, edit) -> str:
    """`import --replace` of the session's minutes edited by `edit`: refused (exit 2) in one
    line, which is returned, and the session as it was."""
    path = edited_export(demo_store, session_id, tmp_path, edit)
    kept = demo_store.session(session_id)
    capsys.readouterr()
    assert main(["--store", str(demo_store.root), "import", str(path), "--replace"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert demo_store.session(session_id) == kept
    return err


def _planned_again(data: dict) -> None:
    data["session"]["status"] = "planned"


def _cancelled(data: dict) -> None:
    data["session"]["status"] = "cancelled"
    data["session"]["not_held"] = {"reason": "snow", "decided_on": data["session"]["date"]}


def _into_another_pod(data: dict) -> None:
    data["pod"]["id"] = data["session"]["pod_id"] = "north-pod-2"
    data["pod"]["name"] = "Other"


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (_planned_again, "session demo-s1 is closed in the store"),
        (_cancelled, "session demo-s1 is closed in the store"),
        (_into_another_pod, "out of the pod of session demo-s2, which reviews its next step"),
    ],
    ids=["held made planned", "held made cancelled", "moved from its reviews"],
)
def test_import_replace_keeps_a_held_session_held_and_with_its_reviews(
    capsys, demo_store, tmp_path, edit, said
):
    """Replaced by minutes saying planned, a session held could then be deleted for good
    (check called the store sound, no backup held it); moved into another pod, its steps showed
    open there while demo-s2 in North Pod had reviewed them. Both are refused, the store as it
    was."""
    assert said in _replacement_refused(capsys, demo_store, tmp_path, "demo-s1", edit)


def test_a_pod_named_as_another_is_chosen_by_its_key(capsys, demo_store, tmp_path):
    """With two pods called North Pod, `actions --pod "North Pod"` listed one pod's steps,
    the other's overdue ones left out with exit 0. The name is refused, naming both keys."""

    def another_north_pod(data: dict) -> None:
        data["pod"]["id"] = data["session"]["pod_id"] = "north-pod-2"
        data["session"]["id"] = "copy"
        data["session"]["review"] = []
        for slot in data["session"]["slots"]:
            slot["next_steps"] = []

    path = edited_export(demo_store, "demo-s1", tmp_path, another_north_pod)
    store = ["--store", str(demo_store.root)]
    assert main([*store, "import", str(path)]) == 0
    capsys.readouterr()
    for command in (["actions"], ["calendar", "-o", "-"], ["report"]):
        assert main([*store, *command, "--pod", "North Pod"]) == 2
        err = capsys.readouterr().err
        assert "2 pods are called 'North Pod'" in err and "north-pod, north-pod-2" in err
    assert main([*store, "actions", "--pod", "north-pod-2"]) == 0


def test_import_refuses_two_cases_of_one_id_and_a_file_that_never_ends(
    capsys, demo_store, tmp_path
):
    """Two case slots of one id were imported without a word; a named pipe given to import
    hung it for good."""

    def one_id_twice(data: dict) -> None:
        data["session"]["slots"][1]["id"] = data["session"]["slots"][0]["id"]

    path = edited_export(demo_store, "demo-s1", tmp_path, one_id_twice)
    store = ["--store", str(demo_store.root)]
    capsys.readouterr()
    assert main([*store, "import", str(path), "--replace"]) == 2
    assert "Two cases of this session have the same id." in capsys.readouterr().err
    pipe = tmp_path / "minutes.json"
    os.mkfifo(pipe)
    assert main([*store, "import", str(pipe)]) == 2
    assert "is not a file (a named pipe, a device)" in capsys.readouterr().err


def test_an_output_ending_in_a_slash_names_a_folder(capsys, demo_store, tmp_path):
    """`-o newdir/` wrote the minutes into a file called newdir, exit 0."""
    argv = ["--store", str(demo_store.root), "export", "demo-s1", "-o", f"{tmp_path}/newdir/"]
    assert run(capsys, *argv)[0] == 2
    assert not (tmp_path / "newdir").exists()


def _a_year_earlier(data: dict) -> None:
    data["session"]["date"] = data["session"]["date"].replace("2026-", "2025-")


def _review_of_a_step_never_agreed(data: dict) -> None:
    data["session"]["review"][0]["step_id"] = "deadbeef"


def _review_saying_another_action(data: dict) -> None:
    data["session"]["review"][0]["action"] = "Nothing to see"


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (_a_year_earlier, "on or after the review"),
        (_review_of_a_step_never_agreed, "session demo-s1 holds no such step"),
        (_review_saying_another_action, "it does not say what session demo-s1 agreed"),
    ],
    ids=["reviewed before agreed", "a step never agreed", "another action"],
)
def test_import_refuses_a_review_that_does_not_match_its_step(
    capsys, demo_store, tmp_path, edit, said
):
    """demo-s2 moved to a year before demo-s1 hid its reviews (actions showed done steps open);
    a review naming a step demo-s1 never agreed, or saying another action, was taken in and
    the minutes then said what was never agreed. Each is refused, the store as it was."""
    assert said in _replacement_refused(capsys, demo_store, tmp_path, "demo-s2", edit)


def test_import_replace_may_change_a_step_no_later_session_reviewed(capsys, demo_store, tmp_path):
    """What no later session reviewed is the replacement's to change: demo-s2's own next
    steps, which the planned demo-s3 has not reviewed, can be left out."""

    def without_next_steps(data: dict) -> None:
        for slot in data["session"]["slots"]:
            slot["next_steps"] = []

    path = edited_export(demo_store, "demo-s2", tmp_path, without_next_steps)
    capsys.readouterr()
    assert main(["--store", str(demo_store.root), "import", str(path), "--replace"]) == 0
    assert not [step for slot in demo_store.session("demo-s2").slots for step in slot.next_steps]
