"""The store keeps what was saved, privately, and saving an edit touches only its session."""

from __future__ import annotations

import stat

import pytest

from groupsup.domain.errors import RuleBroken, StoreDamaged
from groupsup.domain.models import Hypothesis
from groupsup.store import demo
from groupsup.store.database import INDEX_FILE
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
    index = demo_store.root / INDEX_FILE
    before = index.stat().st_mtime_ns, index.read_bytes()
    session = demo_store.session("demo-s3")
    session.slots[0].hypotheses.append(Hypothesis(text="Dad's drinking is the hidden story."))
    demo_store.save_session(session)
    assert (index.stat().st_mtime_ns, index.read_bytes()) == before
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
