"""Many writers on one PostgreSQL store at once, and one killed in the middle of a save: nothing
is lost, only stale saves are refused, and the database stays whole."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from conftest import DEMO_DAY

from groupsup.cli import main
from groupsup.domain.errors import StoreBusy
from groupsup.store import demo
from groupsup.store.interface import open_store

pytestmark = pytest.mark.slow

WRITER = Path(__file__).with_name("writers.py")
# How long the writers edit at once; the issue asks for 30 s, the suite runs a short while.
WRITING_SECONDS = float(os.environ.get("GROUPSUP_WRITING_SECONDS", "3"))


def writer(location: str, session_id: str, name: str, how_long: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WRITER), location, session_id, name, how_long],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def revision(location: str, session_id: str) -> int:
    with psycopg.connect(location) as db:
        row = db.execute("select revision from sessions where id = %s", [session_id]).fetchone()
    assert row is not None
    return row[0]


def store_with_sessions(location: str, ids: list[str]):
    store = open_store(location)
    demo.fill(store, DEMO_DAY)
    planned = store.session("demo-s3")
    for session_id in ids:
        store.save_session(planned.model_copy(update={"id": session_id}, deep=True))
    return store


@pytest.mark.timeout(180 + 2 * WRITING_SECONDS)  # 25 processes start on a shared machine
def test_writers_at_once_lose_nothing_and_only_stale_saves_are_refused(postgres_location):
    own = [f"own-{n}" for n in range(20)]
    store = store_with_sessions(postgres_location, [*own, "shared"])
    first = {session_id: revision(postgres_location, session_id) for session_id in own}
    first["shared"] = revision(postgres_location, "shared")
    how_long = str(WRITING_SECONDS)
    writers = {name: writer(postgres_location, name, name, how_long) for name in own}
    sharing = [f"sharer-{n}" for n in range(5)]
    writers |= {name: writer(postgres_location, "shared", name, how_long) for name in sharing}
    for process in writers.values():  # every writer ready before any starts: they overlap
        assert process.stdout.readline() == "ready\n"
    for process in writers.values():
        process.stdin.write("go\n")
        process.stdin.flush()
    tries = {name: json.loads(process.communicate()[0]) for name, process in writers.items()}
    assert all(process.returncode == 0 for process in writers.values())

    for name in own:  # alone on its session: every save lands, none is refused
        assert tries[name]["refused"] == [] and tries[name]["saved"]
        notes = store.session(name).slots[0].notes
        assert notes == "".join(f"{name} {n}\n" for n, _ in tries[name]["saved"])
        assert revision(postgres_location, name) == first[name] + len(tries[name]["saved"])

    saved = {(name, n): read for name in sharing for n, read in tries[name]["saved"]}
    refused = {(name, n): read for name in sharing for n, read in tries[name]["refused"]}
    lines = store.session("shared").slots[0].notes.splitlines()
    assert sorted(lines) == sorted(f"{name} {n}" for name, n in saved)  # none lost, none twice
    last = revision(postgres_location, "shared")
    # Each save that landed was made from the revision before it, one after another...
    assert sorted(saved.values()) == list(range(first["shared"], last))
    # ...and each refused one from a revision another writer had already saved over.
    assert refused and set(refused.values()) <= set(saved.values())
    assert main(["--store", postgres_location, "check"]) == 0


@pytest.mark.timeout(60)
def test_a_writer_killed_in_the_middle_of_a_save_leaves_the_database_whole(
    postgres_location, capsys
):
    store = store_with_sessions(postgres_location, [])
    before = store.session("demo-s3")
    process = writer(postgres_location, "demo-s3", "killed", "hang")
    try:
        assert process.stdout.readline() == "inside\n"
        assert open_store(postgres_location).session("demo-s3") == before  # not committed
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.communicate()
    assert main(["--store", postgres_location, "check"]) == 0
    assert capsys.readouterr().err == ""
    again = open_store(postgres_location)
    assert again.session("demo-s3") == before
    after = again.session("demo-s3")  # and the killed writer's lock is gone with it
    after.slots[0].notes = "Saved after the kill"
    again.save_session(after)
    assert open_store(postgres_location).session("demo-s3").slots[0].notes == after.slots[0].notes


def test_check_finds_derived_records_that_disagree_and_repair_mends_them(postgres_location):
    store = store_with_sessions(postgres_location, [])
    with psycopg.connect(postgres_location) as db:
        db.execute("delete from next_steps where session_id = 'demo-s2'")
        db.execute("delete from pod_facts where session_id = 'demo-s1'")
    problems = store.check()
    assert [problem.split(" in ")[0] for problem in problems] == [
        "The pod facts of session demo-s1",
        "The next steps of session demo-s2",
    ]
    assert store.repair() == []


def test_check_finds_a_step_not_showing_its_latest_review_and_repair_mends_it(postgres_location):
    store = store_with_sessions(postgres_location, [])
    shown = store.open_steps()
    with psycopg.connect(postgres_location) as db:  # demo-s2's reviews lost from the steps
        db.execute(
            "update next_steps set review_status = null, review_note = null "
            "where session_id = 'demo-s1'"
        )
    assert store.open_steps() != shown
    problems = store.check()
    assert [problem.split(" in ")[0] for problem in problems] == [
        "The next steps of session demo-s1"
    ]
    assert store.repair() == [] and store.open_steps() == shown


def test_a_lost_connection_is_said_in_one_sentence_and_the_next_save_connects_again(
    postgres_location,
):
    """The server restarted, or the network dropped, while the facilitator typed: the save
    that finds out says so (the writer keeps the typing), and the next one lands."""
    store = store_with_sessions(postgres_location, [])
    session = store.session("demo-s3")
    with psycopg.connect(postgres_location, autocommit=True) as admin:
        admin.execute("select pg_terminate_backend(%s)", [store._db.info.backend_pid])
    session.slots[0].notes = "Typed while the connection was lost"
    with pytest.raises(StoreBusy, match=r"lost its connection.*try again"):
        store.save_session(session)
    store.save_session(session)
    assert open_store(postgres_location).session("demo-s3").slots[0].notes == session.slots[0].notes
    assert [s.id for s in store.summaries()] == ["demo-s1", "demo-s2", "demo-s3"]


def test_a_save_the_database_gives_up_on_in_a_deadlock_is_refused_as_busy(
    postgres_location, monkeypatch
):
    """Two saves that change the same earlier steps' latest reviews can, rarely, wait on each
    other; the database then gives one up. That one is said in one sentence, and kept."""
    store = store_with_sessions(postgres_location, [])
    session = store.session("demo-s3")

    def given_up(*_args, **_kwargs):
        raise psycopg.errors.DeadlockDetected("deadlock detected")

    monkeypatch.setattr(store, "_write_session", given_up)
    with pytest.raises(StoreBusy, match="is busy; try again"):
        store.save_session(session)
    monkeypatch.undo()
    store.save_session(session)  # the connection is still good
