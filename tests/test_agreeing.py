"""After the close, each case's record goes where the policy sends it (section 12): the worker
agrees it (with a correction if they ask), then it passes to the manager. Each stage is kept,
shown in the minutes, the case record and on home, and the items for sign-off are listed per
manager."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets.markdown import MarkdownBlock

from groupsup.app import GroupSupApp
from groupsup.cli import main
from groupsup.domain import agreeing
from groupsup.domain.errors import GroupsupError
from groupsup.domain.models import MinutesDocument
from groupsup.outputs import minutes
from groupsup.screens.close import MinutesScreen
from groupsup.screens.home import HomeScreen
from groupsup.store.importing import ImportRefused, read_document
from groupsup.store.interface import open_store
from tests.test_typeahead import burst, settle

MORNING = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


def run(capsys, store, *argv: str) -> tuple[int, str, str]:
    code = main(["--store", str(store.root), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_record_is_agreed_then_passed_on_in_that_order(demo_store):
    pod, session = demo_store.pod("north-pod"), demo_store.session("demo-s1")
    with pytest.raises(GroupsupError, match="not agreed yet"):
        agreeing.pass_to_manager(session, 1, "Jane Doe", MORNING)
    agreeing.agree(pod, session, 1, MORNING, correction="Ryan is 30, not 31")
    with pytest.raises(GroupsupError, match="was agreed by Tom Whitaker on 2026-12-01"):
        agreeing.agree(pod, session, 1, MORNING)
    later = MORNING + dt.timedelta(hours=2)
    agreeing.pass_to_manager(session, 1, "Jane Doe", later)
    agreement = session.slots[0].agreement
    assert (agreement.agreed_by, agreement.agreed_at, agreement.correction) == (
        "tom-whitaker",
        MORNING,
        "Ryan is 30, not 31",
    )
    assert (agreement.manager, agreement.passed_at) == ("Jane Doe", later)
    assert session.slots[1].agreement is None
    planned = demo_store.session("demo-s3")
    with pytest.raises(GroupsupError, match="not closed yet"):
        agreeing.agree(pod, planned, 1, MORNING)


def test_the_manager_is_one_line_and_the_worker_is_named_or_keyed(capsys, demo_store):
    """`pass-on --to` took a name with a line break, which split the minutes' line of the
    record's stage in two; `agree --by` refused the member's own key."""
    code, out, _ = run(
        capsys, demo_store, "agree", "demo-s1", "--case", "1", "--by", "tom-whitaker"
    )
    assert code == 0 and "Agreed by Tom Whitaker" in out
    argv = ["pass-on", "demo-s1", "--case", "1", "--to", "Jane\n## Injected"]
    code, _, err = run(capsys, demo_store, *argv)
    assert code == 2 and "one line" in err and err.count("\n") == 1
    assert demo_store.session("demo-s1").slots[0].agreement.passed_at is None


def test_each_stage_is_in_the_minutes_and_in_the_case_record(demo_store):
    pod, session = demo_store.pod("north-pod"), demo_store.session("demo-s1")
    agreeing.agree(pod, session, 1, MORNING, correction="Ryan is 30")
    agreeing.pass_to_manager(session, 1, "Jane Doe", MORNING)
    text = minutes.as_markdown(pod, session)
    assert (
        "Agreed by Tom Whitaker on 2026-12-01 09:30, asking for this correction: Ryan is 30. "
        "Passed to Jane Doe on 2026-12-01 09:30." in text
    )
    assert "Awaiting agreement." in text  # case 2
    record = minutes.render_case(pod, session, 1, minutes.Format.MD)
    assert "Passed to Jane Doe" in record and "Awaiting agreement" not in record
    assert "Awaiting agreement." in minutes.render_case(pod, session, 2, minutes.Format.MD)
    assert "The record" not in minutes.as_markdown(pod, demo_store.session("demo-s3"))


def test_the_stages_are_kept_in_the_json_and_checked_on_import(demo_store, tmp_path):
    pod, session = demo_store.pod("north-pod"), demo_store.session("demo-s1")
    agreeing.agree(pod, session, 2, MORNING)
    path = tmp_path / "minutes.json"
    path.write_text(minutes.as_json(pod, session))
    assert read_document(path).session.slots[1].agreement == session.slots[1].agreement
    document = MinutesDocument.model_validate_json(path.read_text())
    document.session.slots[1].agreement.agreed_by = "nobody-here"
    path.write_text(document.model_dump_json())
    with pytest.raises(ImportRefused, match="'nobody-here' is not a member"):
        read_document(path)
    document.session.slots[1].agreement.agreed_by = "priya-shah"
    document.session.status = "planned"
    path.write_text(document.model_dump_json())
    with pytest.raises(ImportRefused, match="a record is agreed after the close"):
        read_document(path)
    raw = document.model_dump(mode="json")
    raw["session"]["slots"][1]["agreement"]["passed_at"] = "2026-11-30T09:00:00+00:00"
    raw["session"]["slots"][1]["agreement"]["manager"] = "Jane Doe"
    with pytest.raises(ValueError, match="passed to the manager after it is agreed"):
        MinutesDocument.model_validate(raw)


def test_the_command_line_agrees_passes_on_and_lists_signoff_per_manager(capsys, demo_store):
    code, out, _ = run(capsys, demo_store, "agree", "demo-s1")
    assert out.splitlines() == [
        "Case 1: CS-20418 (Brooks) (Tom Whitaker): Awaiting agreement.",
        "Case 2: CS-31177 (Ahmed) (Priya Shah): Awaiting agreement.",
    ]
    code, out, _ = run(capsys, demo_store, "agree", "demo-s1", "--case", "1", "--by", "tom")
    assert code == 0 and out.startswith("Case 1: Agreed by Tom Whitaker on ")
    code, _, err = run(capsys, demo_store, "pass-on", "demo-s1", "--case", "2", "--to", "Jo")
    assert code == 2 and "Case 2's record is not agreed yet" in err
    code, out, _ = run(capsys, demo_store, "pass-on", "demo-s1", "--case", "1", "--to", "Jo Bloggs")
    assert code == 0 and "Passed to Jo Bloggs on " in out
    code, out, _ = run(capsys, demo_store, "actions", "--signoff")
    manager, owner, step = out.splitlines()
    assert (manager, owner) == ("For Jo Bloggs:", "  Tom Whitaker:")
    assert step.endswith("  Consider a legal planning meeting  (CS-20418 (Brooks); North Pod)")
    code, _, err = run(capsys, demo_store, "agree", "demo-s1", "--case", "2", "--by", "zz")
    assert code == 2 and err == "groupsup: 'zz' fits nobody in North Pod: type more of the name.\n"


async def test_home_counts_the_records_awaiting_agreement(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert str(app.screen.query_one("#sessions-title").render()) == (
            "Sessions · 3 case records await agreement"
        )


async def test_an_agreement_redraws_only_its_cases_record_in_the_preview(demo_store, fake):
    """Redrawing the whole preview for each agreement is hundreds of widgets rebuilt: a second
    of work on a slow laptop, each time."""
    pod, session = demo_store.pod("north-pod"), demo_store.session("demo-s1")
    app = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(MinutesScreen(pod, session))
        await settle(pilot)
        preview = app.screen.query_one("#preview")
        before = set(preview.query(MarkdownBlock))
        await burst(pilot, "a", "tab", "=Ryan is 30", "enter")  # case 1 agreed
        redrawn = [block for block in preview.query(MarkdownBlock) if block not in before]
        agreed = minutes.as_markdown(pod, open_store(demo_store.root).session("demo-s1"))
        assert preview.source == agreed
        assert 0 < len(redrawn) <= 3, "case 1's record: its heading and its lines"
        assert "Ryan is 30" in "".join(str(block.render()) for block in redrawn)


async def test_the_past_sessions_screen_agrees_and_passes_on_keys_typed_at_once(demo_store, fake):
    app = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with app.run_test(size=(80, 24)) as pilot:
        session = demo_store.session("demo-s1")
        await app.push_screen(MinutesScreen(demo_store.pod("north-pod"), session))
        await burst(pilot, "a", "tab", "=Ryan is 30", "enter")  # case 1: agreed
        await burst(pilot, "a", "up", "tab", "tab", "=Jane Doe", "enter")  # case 1: passed on
        await burst(pilot, "a", "tab", "tab", "=Jane Doe", "enter")  # case 2: both at once
        assert isinstance(app.screen, MinutesScreen)
        assert "Passed to Jane Doe" in app.screen.query_one("#preview").source
        await burst(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert str(app.screen.query_one("#sessions-title").render()) == (
            "Sessions · 1 case record awaits agreement"
        )
    first, second = open_store(demo_store.root).session("demo-s1").slots
    assert (first.agreement.agreed_by, first.agreement.correction) == ("tom-whitaker", "Ryan is 30")
    assert first.agreement.manager == "Jane Doe"
    assert (second.agreement.agreed_by, second.agreement.manager) == ("priya-shah", "Jane Doe")
    assert second.agreement.correction == ""
