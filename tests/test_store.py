"""The store keeps what was saved, privately, and saving an edit touches only its session."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import stat
import subprocess
import sys

import pytest

from groupsup.domain import derived
from groupsup.domain.errors import NotFound, RuleBroken, StoreDamaged
from groupsup.domain.models import (
    Hypothesis,
    MinutesDocument,
    NextStep,
    SessionStatus,
    StepStatus,
)
from groupsup.outputs import minutes
from groupsup.store import demo
from groupsup.store.database import INDEX_FOLDER, AtomicJSONStorage, rows
from groupsup.store.folder import FolderStore


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_round_trip_keeps_every_field(demo_store, tmp_path):
    reopened = FolderStore(demo_store.root)
    for summary in demo_store.summaries():
        assert reopened.session(summary.id) == demo_store.session(summary.id)
    assert reopened.pods() == [demo.demo_pod()]


def test_summaries_list_sessions_by_date(demo_store):
    summaries = demo_store.summaries("north-pod")
    assert [s.id for s in summaries] == ["demo-s1", "demo-s2", "demo-s3"]
    assert [s.status.value for s in summaries] == ["closed", "closed", "planned"]
    assert summaries[0].presenters == [demo.TOM, demo.PRIYA]


def test_an_edit_is_saved_without_rewriting_the_index(demo_store):
    def index():
        files = sorted((demo_store.root / INDEX_FOLDER).rglob("*.json"))
        return {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in files}

    before = index()
    session = demo_store.session("demo-s3")
    session.slots[0].hypotheses.append(Hypothesis(text="Dad's drinking is the hidden story."))
    demo_store.save_session(session)
    assert before and index() == before
    reread = FolderStore(demo_store.root).session("demo-s3")
    assert reread.slots[0].hypotheses[0].text == "Dad's drinking is the hidden story."


def test_a_status_change_reaches_the_index(demo_store):
    session = demo_store.session("demo-s3")
    session.status = "running"
    demo_store.save_session(session)
    assert FolderStore(demo_store.root).summaries()[-1].status.value == "running"


def test_store_is_private(demo_store):
    assert _mode(demo_store.root) == 0o700
    assert _mode(demo_store.sessions_folder) == 0o700
    files = [p for p in demo_store.root.rglob("*") if p.is_file()]
    assert files and {_mode(p) for p in files} == {0o600}


def test_a_session_that_breaks_a_rule_is_not_saved(demo_store):
    session = demo_store.session("demo-s3")
    session.slots[0].presenter = "stranger"
    with pytest.raises(RuleBroken, match="'stranger' is not a member of the pod North Pod"):
        demo_store.save_session(session)
    assert demo_store.session("demo-s3").slots[0].presenter == demo.HANNAH


def test_a_damaged_session_file_is_named_not_overwritten(demo_store):
    path = demo_store.sessions_folder / "demo-s2.json"
    damaged = path.read_bytes()[:100]
    path.write_bytes(damaged)
    with pytest.raises(StoreDamaged, match=r"demo-s2\.json is damaged and cannot be read"):
        FolderStore(demo_store.root).session("demo-s2")
    assert path.read_bytes() == damaged


@pytest.mark.slow  # starts processes
def test_two_imports_of_one_session_at_once_add_it_once(demo_store, tmp_path):
    """The 'already in the store' check runs under the store's lock, with the write."""
    exported = tmp_path / "s1.json"
    exported.write_text(minutes.as_json(demo_store.pod("north-pod"), demo_store.session("demo-s1")))
    for attempt in range(3):
        store = tmp_path / f"fresh-{attempt}"
        imports = [
            subprocess.Popen(
                [sys.executable, "-m", "groupsup", "--store", str(store), "import", str(exported)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        codes = sorted(p.wait(timeout=60) for p in imports)
        assert codes == [0, 2]
        assert [s.id for s in FolderStore(store).summaries()] == ["demo-s1"]


def test_open_steps_are_an_index_read_without_any_session(demo_store, monkeypatch):
    expected = demo_store.open_steps("north-pod")

    def no_session_read(*_):
        raise AssertionError("a session was read")

    monkeypatch.setattr(FolderStore, "session", no_session_read)
    monkeypatch.setattr(FolderStore, "sessions", no_session_read)
    assert FolderStore(demo_store.root).open_steps("north-pod") == expected
    assert expected


def test_derived_records_missing_from_an_older_store_are_made_again(demo_store):
    expected = demo_store.open_steps(), demo_store.report_facts("north-pod")
    for folder in ("facts", "steps", "open-steps"):
        shutil.rmtree(demo_store.root / folder)
    reopened = FolderStore(demo_store.root)
    assert (reopened.open_steps(), reopened.report_facts("north-pod")) == expected


def test_derived_rows_an_older_groupsup_made_are_made_again_once(demo_store):
    """The pod facts gained each case record's stage, and later became a file a pod and year: a
    store from before (one file a pod, no stages) is made again from the sessions, once."""
    expected = demo_store.report_facts("north-pod")
    older = json.loads(json.dumps({"facts": dict(enumerate(expected, 1))}))
    for row in older["facts"].values():
        for case in row["cases"]:
            del case["record"]
    shutil.rmtree(demo_store.root / "facts" / "north-pod")
    (demo_store.root / "facts" / "north-pod.json").write_text(json.dumps(older))
    (demo_store.root / "derived-version").unlink()

    assert FolderStore(demo_store.root).report_facts("north-pod") == expected
    assert FolderStore(demo_store.root).check() == []
    before = _files_as_they_are(demo_store.root)
    FolderStore(demo_store.root)  # now current: opening again writes nothing
    assert _files_as_they_are(demo_store.root) == before


def _as_version_4(root) -> None:
    """The store as groupsup's derived version 4 left it: one index.json of every session."""
    lines = [
        row for path in sorted((root / "index").rglob("*.json")) for row in rows(path, "sessions")
    ]
    shutil.rmtree(root / "index")
    (root / "index.json").write_text(json.dumps({"sessions": dict(enumerate(lines, 1))}))
    (root / "derived-version").write_text("4")


def test_an_index_of_every_session_is_split_by_pod_and_year_on_opening(demo_store):
    """Derived version 5 keeps the index a file a pod and year, so that a close rewrites one
    small file: a store with an older groupsup's index.json is moved to it when opened."""
    expected = demo_store.summaries()
    _as_version_4(demo_store.root)
    store = FolderStore(demo_store.root)
    assert not (demo_store.root / "index.json").exists()
    assert sorted(
        p.relative_to(demo_store.root).as_posix()
        for p in (demo_store.root / "index").rglob("*.json")
    ) == ["index/north-pod/2026.json"]
    assert store.summaries() == FolderStore(demo_store.root).summaries() == expected
    assert store.check() == []


def test_a_move_to_the_split_index_killed_part_way_is_made_whole_on_the_next_opening(
    demo_store, monkeypatch
):
    """All or nothing: until the version is written, the next opening makes them again."""
    expected = demo_store.summaries(), demo_store.open_steps(), demo_store.report_facts("north-pod")
    _as_version_4(demo_store.root)

    def killed(*_):
        raise KeyboardInterrupt  # as a kill would, once the index is written

    monkeypatch.setattr(FolderStore, "_write_facts", killed)
    with pytest.raises(KeyboardInterrupt):
        FolderStore(demo_store.root)
    monkeypatch.undo()
    store = FolderStore(demo_store.root)
    assert (store.summaries(), store.open_steps(), store.report_facts("north-pod")) == expected
    assert store.check() == [] and not (demo_store.root / "index.json").exists()


def _files_as_they_are(folder) -> dict:
    return {
        path: (path.stat().st_mtime_ns, path.read_bytes())
        for path in folder.rglob("*")
        if path.is_file() and path.name != ".lock"
    }


UNSAFE_KEYS = ["../../PWNED", "a/b", ".hidden", "a\x00b", "red\x1b[31m", "x" * 65, "", "a\\b"]


@pytest.mark.parametrize("key", UNSAFE_KEYS)
def test_an_imported_pod_or_session_with_an_unsafe_key_is_refused(demo_store, tmp_path, key):
    from groupsup.cli import main

    before = _tree(tmp_path)
    document = json.loads(
        minutes.as_json(demo_store.pod("north-pod"), demo_store.session("demo-s1"))
    )
    for record in ("pod", "session"):
        hostile = json.loads(json.dumps(document))
        hostile[record]["id"] = key
        if record == "pod":
            hostile["session"]["pod_id"] = key
        path = tmp_path / f"hostile-{record}.json"
        path.write_text(json.dumps(hostile))
        store = tmp_path / "other-store"
        assert main(["--store", str(store), "import", str(path)]) == 2
        path.unlink()
        assert FolderStore(store).summaries() == []
        assert _tree(tmp_path) - before <= {"other-store"}
    assert not (tmp_path.parent / "PWNED.json").exists()


def _tree(folder) -> set[str]:
    return {str(p.relative_to(folder)).split("/")[0] for p in folder.iterdir()}


@pytest.mark.parametrize("key", UNSAFE_KEYS)
def test_every_path_the_store_builds_from_a_key_stays_inside_it(demo_store, key):
    for read in (
        demo_store.session,
        demo_store.report_facts,
        demo_store.open_steps,
        demo_store.waiting_notes,
        demo_store.delete_session,
    ):
        with pytest.raises(NotFound, match="cannot be used"):
            read(key)


def test_a_symlink_out_of_the_store_is_not_followed(demo_store, tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_bytes((demo_store.sessions_folder / "demo-s1.json").read_bytes())
    (demo_store.sessions_folder / "elsewhere.json").symlink_to(outside)
    with pytest.raises(StoreDamaged, match="leads outside the store"):
        FolderStore(demo_store.root).session("elsewhere")


def _files(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_an_import_refused_for_a_session_already_stored_adds_nothing(demo_store, tmp_path):
    from groupsup.cli import main

    new = json.loads(minutes.as_json(demo_store.pod("north-pod"), demo_store.session("demo-s2")))
    new["session"]["id"] = "new-closed"
    (tmp_path / "new.json").write_text(json.dumps(new))
    (tmp_path / "old.json").write_text(
        minutes.as_json(demo_store.pod("north-pod"), demo_store.session("demo-s1"))
    )
    before = _files(demo_store.root)
    files = [str(tmp_path / "new.json"), str(tmp_path / "old.json")]
    assert main(["--store", str(demo_store.root), "import", *files]) == 2
    assert _files(demo_store.root) == before  # not even a facts row


def _imported(store) -> int:
    """Imported sessions written so far, staged or moved in."""
    staged = store.root / ".importing" / "sessions"
    return len([*store.sessions_folder.glob("imported-*"), *staged.glob("imported-*")])


@pytest.mark.slow
@pytest.mark.timeout(180)  # three imports of 300 sessions, each killed
def test_an_import_killed_at_any_point_is_all_there_or_not_there_when_next_opened(
    demo_store, tmp_path
):
    """Killed at a random point of a 300-file import, the store, once opened again, holds the
    whole import or none of it: no session without its index line, before any repair."""
    import random
    import time

    document = json.loads(
        minutes.as_json(demo_store.pod("north-pod"), demo_store.session("demo-s2"))
    )
    paths = []
    for n in range(300):
        document["session"]["id"] = f"imported-{n}"
        paths.append(tmp_path / f"imported-{n}.json")
        paths[-1].write_text(json.dumps(document))
    command = [sys.executable, "-m", "groupsup", "--store", str(demo_store.root), "import"]
    for _ in range(3):
        importing = subprocess.Popen([*command, *map(str, paths)], stdout=subprocess.DEVNULL)
        written = random.randrange(len(paths))  # killed once this many sessions are on disk
        while importing.poll() is None and _imported(demo_store) < written:
            time.sleep(0.001)
        importing.kill()
        importing.wait()
        store = FolderStore(demo_store.root)
        assert store.check() == []
        listed = sorted(s.id for s in store.summaries())
        assert listed == sorted(p.stem for p in store.sessions_folder.glob("*.json"))
        imported = len([i for i in listed if i.startswith("imported-")])
        assert imported in (0, len(paths)), imported
        for path in store.sessions_folder.glob("imported-*.json"):
            path.unlink()  # the next round imports them again
        store.repair()


def test_an_observers_note_waits_for_the_store_lock(demo_store):
    """A note arrives under the store's lock, as every write does, so a backup or a restore
    holding it never copies or swaps an inbox half way through a note's arrival."""
    from filelock import FileLock

    from groupsup.domain.errors import StoreBusy

    demo_store._lock.timeout = 0.05
    inbox = demo_store.sessions_folder / "demo-s3.inbox"
    with FileLock(demo_store.root / ".lock"):  # another process backing up, say
        with pytest.raises(StoreBusy):
            demo_store.post_note("demo-s3", "note-1", b'{"text": "Resonance"}')
        assert not inbox.exists()
    demo_store.post_note("demo-s3", "note-1", b'{"text": "Resonance"}')
    [(key, note)] = demo_store.waiting_notes("demo-s3")
    assert note == b'{"text": "Resonance"}'
    with FileLock(demo_store.root / ".lock"):
        with pytest.raises(StoreBusy):
            demo_store.note_taken("demo-s3", key)
    demo_store.note_taken("demo-s3", key)
    assert demo_store.waiting_notes("demo-s3") == []


@pytest.fixture
def two_years(store):
    """One pod's 26 sessions, four weeks apart (two years and more), its next one planned."""
    today = dt.date(2026, 11, 23)
    [(pod, sessions)] = demo.busy_service(26, today, per_pod=26, planned=True)
    store.add_documents([MinutesDocument(pod=pod, session=s) for s in sessions])
    return store


def _open_steps_in_full(store) -> list[dict]:
    """The open steps made from every session, as a rebuild makes them."""
    return derived.open_steps([derived.steps_of(s) for s in store.sessions("pod-1")])


@pytest.mark.slow  # saves a pod's two years, session by session
def test_open_steps_brought_up_to_date_after_each_save_are_those_made_in_full(two_years):
    """A save makes the open steps again only from the earliest date it can touch; every kind of
    change gives what making them from all the sessions gives, in the same order."""
    store = two_years
    ids = [s.id for s in store.summaries("pod-1")]

    def edit(session_id, change):
        session = store.session(session_id)
        change(session)
        store.save_session(session)
        assert [row.id for row in store.open_steps("pod-1")] == [
            row["id"] for row in _open_steps_in_full(store)
        ]
        assert store.check() == []

    def close_with_every_step_done(session):
        session.status = SessionStatus.CLOSED
        for review in session.review:
            review.status = StepStatus.DONE

    def review_undone(session):  # a step reviewed done years ago is open again
        session.review[0].status = StepStatus.OPEN

    def new_step(session):
        session.slots[0].next_steps.append(
            NextStep(action="Call the school", due=session.date + dt.timedelta(days=7))
        )

    def moved_a_year_back(session):
        session.date -= dt.timedelta(days=366)

    edit(ids[-1], close_with_every_step_done)
    edit(ids[3], review_undone)
    edit(ids[5], new_step)
    edit(ids[2], moved_a_year_back)
    edit(ids[2], lambda session: setattr(session, "date", session.date + dt.timedelta(days=366)))
    store.delete_session(ids[4])
    assert store.check() == []


def test_closing_the_newest_session_reads_only_its_years_files(two_years, monkeypatch):
    """Closing costs what the session and the steps still open hold, not the pod's history: no
    earlier year's facts or steps are read or written."""
    store = two_years
    session = store.session(store.summaries("pod-1")[-1].id)
    touched: list[str] = []
    for name in ("read", "write"):
        real = getattr(AtomicJSONStorage, name)

        def spy(self, *data, real=real):
            touched.append(self.path.relative_to(store.root).as_posix())
            return real(self, *data)

        monkeypatch.setattr(AtomicJSONStorage, name, spy)
    session.status = SessionStatus.CLOSED
    store.save_session(session)
    years = {path.split("/")[-1] for path in touched if path.startswith(("facts/", "steps/"))}
    assert years == {f"{session.date.year}.json"}
    assert len(list((store.root / "steps" / "pod-1").iterdir())) >= 3  # there were others


def test_a_pods_record_reads_only_the_years_it_covers(two_years, monkeypatch, capsys):
    """`report` reads the facts of the year files its period reaches (and the pod's first, for
    the months expected), and says what reading them all says."""
    from groupsup.cli import main
    from groupsup.outputs import report

    store = two_years
    years = sorted(path.stem for path in (store.root / "facts" / "pod-1").iterdir())
    start, end = dt.date(int(years[-1]), 1, 1), dt.date(int(years[-1]), 12, 31)
    read: list[str] = []
    real = AtomicJSONStorage.read
    monkeypatch.setattr(
        AtomicJSONStorage, "read", lambda self: read.append(self.path.as_posix()) or real(self)
    )
    args = ["--store", str(store.root), "report", "--format", "json"]
    assert main([*args, "--from", start.isoformat(), "--to", end.isoformat()]) == 0
    facts = {path.rsplit("/", 1)[1] for path in read if "/facts/" in path}
    assert facts == {f"{years[0]}.json", f"{years[-1]}.json"}
    pod = store.pod("pod-1").model_dump(mode="json")
    whole = report.build(pod, store.report_facts("pod-1"), start, end, dt.date.today())
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(report.as_json(whole)))
    assert len(years) >= 3
