"""The facilitator's whole job, driven by keys only, checked by what the minutes say."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from conftest import home_is_ready, notices, the_planned_sessions_plan, the_run_screen, until
from textual import events
from textual.widgets import DataTable, Static, TextArea

from groupsup.app import GroupSupApp
from groupsup.domain.models import SessionStatus
from groupsup.screens.close import CloseScreen
from groupsup.screens.forms import Confirm, PreparationForm
from groupsup.screens.home import HomeScreen
from groupsup.screens.plan import PlanScreen
from groupsup.screens.pod import PodScreen
from groupsup.screens.run import RunScreen
from groupsup.store.folder import FolderStore

HOSTILE = "[red]x[/ *not bold* <b>#1</b> | pipe"


async def type_text(pilot, text: str) -> None:
    """Text arrives as a terminal paste (one key at a time costs 60 ms under Pilot)."""
    await pilot.pause()  # focus moves after a refresh: let it land first
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def focus_lands_on(pilot, selector: str) -> None:
    """Wait (never sleep) until focus has moved to `selector`: a phase change or a new screen
    moves it after a refresh."""
    app = pilot.app
    await until(
        pilot,
        lambda: app.focused is not None and app.focused in app.screen.query(selector),
        f"focus on {selector}",
    )


async def back_on_the_run_screen(pilot) -> None:
    """Wait until a form has closed and the run screen has the keys again."""
    await until(pilot, lambda: isinstance(pilot.app.screen, RunScreen), "the run screen")


async def choose(pilot, who: str) -> None:
    """Type into the focused person field (a name, its start or initials)."""
    await pilot.press(*who)


async def create_pod(pilot) -> None:
    await pilot.press("n")
    await type_text(pilot, "Riverside Pod")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PodScreen)
    for name in ("Ama Boateng", "Ben Carter", "Cleo Diaz", "Dev Patel"):
        await pilot.press("a")
        await type_text(pilot, name)
        await pilot.press("enter")
    await pilot.press("escape")


async def add_slot(pilot, presenter: str, consultant: str, reference: str) -> None:
    await pilot.press("a")
    await choose(pilot, presenter)
    await pilot.press("tab")
    await choose(pilot, consultant)
    await pilot.press("tab")
    await type_text(pilot, reference)
    await pilot.press("tab", "tab", "tab")  # past the category and the anxiety
    await type_text(pilot, "How do we keep the child's voice central?")
    await pilot.press("ctrl+s")
    await pilot.pause()


async def run_case(pilot, case: int) -> None:
    """Presentation, questions, discussion, resonance, gained, next steps: keys only."""
    await pilot.press("ctrl+n")  # into the case's presentation
    await focus_lands_on(pilot, "#presenting_issue")  # the dilemma was agreed in the plan
    await pilot.press("shift+tab", "end")  # back to the dilemma, to add to it
    await focus_lands_on(pilot, "#dilemma")
    await type_text(pilot, f" Case {case} said {HOSTILE}")
    await pilot.press("ctrl+n")  # consultant's questions
    await focus_lands_on(pilot, "#notes")
    await type_text(pilot, "Asked about the school.")
    await pilot.press("ctrl+n")  # discussion and hypotheses
    await pilot.press("ctrl+g")
    await type_text(pilot, f"Hypothesis {case}: mum fears losing the baby")
    await pilot.press("tab")
    await choose(pilot, "cd")  # offered by Cleo Diaz, by her initials
    await pilot.press("tab", "space", "down", "down", "space")  # gender, religion
    await pilot.press("tab")
    await type_text(pilot, "She said so twice")
    await pilot.press("ctrl+s")
    await back_on_the_run_screen(pilot)
    await pilot.press("ctrl+n")  # resonance
    await pilot.press("ctrl+r", "tab")
    await type_text(pilot, f"Bells ring for case {case}")
    await pilot.press("enter")
    await back_on_the_run_screen(pilot)
    await pilot.press("ctrl+n")  # what the presenter gained
    await focus_lands_on(pilot, "#reflection")
    await type_text(pilot, f"Gained {case}: I can name the fear.")
    await pilot.press("ctrl+n")  # next steps
    await pilot.press("ctrl+f")
    await type_text(pilot, f"Visit school for case {case}")
    await pilot.press("tab", "tab")
    await pilot.press(*["backspace"] * 3)
    await type_text(pilot, "+7")
    await pilot.press("tab", "space", "ctrl+s")
    await back_on_the_run_screen(pilot)


# About a hundred keys through every screen: a minute on an idle machine, more on a busy one.
@pytest.mark.timeout(300)
async def test_a_whole_session_with_keys_only(tmp_path):
    app = GroupSupApp(tmp_path / "store", bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        await create_pod(pilot)
        await pilot.press("p", "enter")  # a new session is asked for first
        await until(pilot, lambda: isinstance(app.screen, PlanScreen), "the plan screen")
        await focus_lands_on(pilot, "#date")  # the plan opens on its first field
        await pilot.press("shift+tab")  # round to the case slots
        await add_slot(pilot, "ama", "ben", "CS-1 (Ama)")
        await add_slot(pilot, "ben", "cleo", "CS-2 (Ben)")
        await add_slot(pilot, "cleo", "dev", "CS-3 (Cleo)")
        slots = app.screen.session.slots
        assert [s.planned_minutes for s in slots] == [47, 47, 46]  # a 15-minute break planned
        assert slots[0].observers == ["cleo-diaz", "dev-patel"]
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        for case in (1, 2, 3):
            await run_case(pilot, case)
            if case == 2:
                await pilot.press("ctrl+l")
                await type_text(pilot, "Bruise seen on the baby's arm")
                await pilot.press("tab")
                await type_text(pilot, "Strategy discussion requested with the duty manager")
                await pilot.press("enter")
                await back_on_the_run_screen(pilot)
                banner = app.screen.query_one("#safeguarding-banner", Static)
                assert "Bruise seen on the baby's arm" in str(banner.render())
        await pilot.press("ctrl+n")  # the close
        await pilot.press("ctrl+n")  # preview the minutes
        await pilot.pause()
        assert isinstance(app.screen, CloseScreen)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()  # the backup, taken first in a worker
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

    store = FolderStore(tmp_path / "store")
    (summary,) = store.summaries()
    session = store.session(summary.id)
    assert session.status is SessionStatus.CLOSED
    written = sorted((tmp_path / "store" / "exports").iterdir())
    assert [p.suffix for p in written] == [".html", ".json", ".md"]
    md = written[2].read_text()
    assert "- **Presenter:** Ama Boateng\n- **Consultant:** Ben Carter" in md
    assert "- **Observers:** Cleo Diaz, Dev Patel" in md
    assert "1. Hypothesis 2: mum fears losing the baby\n   - Offered by: Cleo Diaz" in md
    assert "   - GRRAACCEESS: gender, religion\n   - What supports it: She said so twice" in md
    assert "- **Cleo Diaz:** Bells ring for case 1" in md
    assert "Gained 3: I can name the fear." in md
    assert "| Visit school for case 1 | Ama Boateng |" in md and "| needed | open |" in md
    assert "**A safeguarding concern was raised.**\n\nBruise seen on the baby" in md
    assert "Strategy discussion requested with the duty manager" in md
    assert "Asked about the school." in md
    assert "Case 1 said \\[red\\]x\\[/ \\*not bold\\* \\<b\\>\\#1\\</b\\> \\| pipe" in md
    data = json.loads(written[1].read_text())
    first = data["session"]["slots"][0]
    assert first["dilemma"] == f"How do we keep the child's voice central? Case 1 said {HOSTILE}"
    assert first["next_steps"][0]["due"] == str(
        session.date.fromordinal(session.date.toordinal() + 7)
    )
    assert first["started_at"] and first["ended_at"]
    (facts,) = store.report_facts(summary.pod_id)  # the pod's record now counts this session
    assert [case["presenter"] for case in facts["cases"]] == [
        "ama-boateng",
        "ben-carter",
        "cleo-diaz",
    ]
    assert len(facts["concerns"]) == 1


async def test_quitting_mid_session_resumes_where_it_was(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")  # case 1, discussion
        await pilot.press("ctrl+g")
        await type_text(pilot, "Unfinished thought")
        await pilot.press("enter")
        await back_on_the_run_screen(pilot)
        await pilot.press("ctrl+b")  # back to the questions
        await focus_lands_on(pilot, "#notes")
        await type_text(pilot, "Half a sentence")
        await pilot.pause()
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert str(screen.query_one("#phase-line", Static).render()).startswith(
            "Consultant's questions (2 of 6)"
        )
        assert screen.query_one("#notes", TextArea).text == "Half a sentence"
        table = screen.query_one("#hypotheses-table", DataTable)
        assert table.get_row_at(0)[1].plain == "Unfinished thought"


async def test_an_overrun_gets_spare_minutes_then_time_from_later_cases(demo_store, fake):
    app = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    messages = notices(app)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        await pilot.press("ctrl+n")  # the opening review leaves its 15 minutes spare
        await pilot.pause()  # case 1, presentation: 52 min x 20% = 10 min 24 s
        await pilot.pause()
        fake.pass_minutes(8.5)
        screen.tick()
        await pilot.pause()
        phase_time = screen.query_one("#phase-time", Static)
        assert str(phase_time.render()) == "Phase 1:54 left" and phase_time.has_class("warning")
        fake.pass_minutes(5)
        screen.tick()
        await pilot.pause()
        assert str(phase_time.render()) == "Phase 3:06 over" and phase_time.has_class("over")
        assert "Two minutes left for Presentation." in messages
        assert "Time is up for Presentation. Ctrl+T gives more time; Ctrl+N moves on." in messages
        await pilot.press("ctrl+t")
        await pilot.pause()
        preview = str(app.screen.query_one("#preview", Static).render())
        assert preview == (
            "The session has 15 spare minutes.\n"
            "From the spare time: 5 min\n"
            "Later cases keep their time."
        )
        await pilot.press("backspace")
        await type_text(pilot, "25")
        await pilot.pause()
        assert str(app.screen.query_one("#preview", Static).render()) == (
            "The session has 15 spare minutes.\n"
            "From the spare time: 15 min\n"
            "From later cases: 10 min. They would become:\n"
            "  CS-48811 (Novak): 52 -> 47 min\n"
            "  CS-31177 (Ahmed): 51 -> 46 min"
        )
        await pilot.press("enter")
        await pilot.pause()
        session = screen.session
        assert [s.planned_minutes for s in session.slots] == [77, 47, 46]
        assert str(phase_time.render()) == "Phase 21:54 left"
        assert (
            "25 more minutes for this case: 15 from the session's spare time "
            "and 10 from later cases."
        ) in messages
    saved = FolderStore(demo_store.root).session("demo-s3")
    assert [s.planned_minutes for s in saved.slots] == [77, 47, 46]


async def test_the_bell_rings_once_on_overrun_and_can_be_turned_off(demo_store, fake):
    app = GroupSupApp(demo_store.root, monotonic=fake.monotonic, wall=fake.wall)
    rings = []
    app.bell = lambda: rings.append(1)
    said = notices(app)
    async with app.run_test(size=(100, 32)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        fake.pass_minutes(11)  # the presentation's 10 min 24 s are over
        app.screen.tick()
        app.screen.tick()
        assert rings == [1]
        await pilot.press("f9")
        await pilot.pause()
        fake.pass_minutes(45)  # now the whole case is over too
        app.screen.tick()
        assert rings == [1]
        assert "The bell on overrun is off." in said


async def test_help_opens_with_f1_or_question_mark_and_escape_closes_it(demo_store):
    from textual.widgets import Markdown

    from groupsup.screens.help import HelpScreen

    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        for key in ("f1", "question_mark"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            text = app.screen.query_one(Markdown).source
            assert text.lstrip().startswith("# Home") and "| n | a new pod |" in text
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)


async def test_roles_are_checked_as_they_are_chosen(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await the_planned_sessions_plan(pilot)
        await focus_lands_on(pilot, "#date")
        await pilot.press("shift+tab")
        await focus_lands_on(pilot, "#slots")
        await pilot.press("a")
        await focus_lands_on(pilot, "#presenter Input")
        await choose(pilot, "tom")  # presenter: Tom Whitaker
        await pilot.press("tab")
        await choose(pilot, "tw")  # consultant: Tom Whitaker too
        await pilot.pause()
        problem = app.screen.query_one("#problem", Static)
        assert str(problem.render()) == (
            "The consultant cannot also be the presenter: choose someone else."
        )
        await pilot.press("down")  # consultant: Priya Shah (the next person present)
        await pilot.pause()
        assert str(problem.render()) == ""


async def test_a_session_dated_in_the_future_runs_only_once_moved_to_today(demo_store, fake):
    store = FolderStore(demo_store.root)
    planned = store.session("demo-s3")
    planned.date = dt.date(2026, 12, 9)  # today is 25 November 2026
    store.save_session(planned)
    app = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question")
        question = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "planned for 9 December 2026; today is 25 November 2026" in question
        await pilot.press("escape")  # leave it planned: it does not run
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
        assert store.session("demo-s3").status is SessionStatus.PLANNED
        assert store.session("demo-s3").date == dt.date(2026, 12, 9)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, Confirm), "the question again")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RunScreen), "the run screen")
    ran = store.session("demo-s3")
    assert (ran.date, ran.status) == (dt.date(2026, 11, 25), SessionStatus.RUNNING)


async def test_a_case_presented_again_opens_on_its_last_genogram_marked_carried_over(
    demo_store, fake
):
    app = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_run_screen(pilot)
        screen = app.screen
        for _ in range(13):  # the opening review and two cases of six phases each
            await pilot.press("ctrl+n")
        await until(pilot, lambda: screen.slot is screen.session.slots[2], "the Ahmed case")
        await pilot.pause()
        carried = screen.query_one("#carried-over", Static)
        assert carried.display and "carried over from the session of 28 September 2026" in str(
            carried.render()
        )
        assert "Samira" in screen.query_one("#genogram-source", TextArea).text
        assert screen.query_one("#history", TextArea).text
    ahmed = FolderStore(demo_store.root).session("demo-s3").slots[2]
    assert ahmed.carried_from == dt.date(2026, 9, 28) and ahmed.genogram.people


async def test_a_case_is_prepared_with_its_presenter_before_the_session(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_planned_sessions_plan(pilot)
        await focus_lands_on(pilot, "#date")
        await pilot.press("shift+tab")
        await focus_lands_on(pilot, "#slots")
        # No pauses: the keys typed while the dialog opens reach its fields in order.
        await pilot.press("g", *"Neglect referral", "tab", *"Known since 2019", "enter")
        await pilot.press(*"Open to CSC", "tab", *"M: Mum, f, 30", "enter", *"C: Cal, m, 4")
        await pilot.press("enter", *"M > C", "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, PlanScreen), "the plan again")
    slot = FolderStore(demo_store.root).session("demo-s3").slots[0]
    assert slot.presenting_issue == "Neglect referral"
    assert slot.history == "Known since 2019\nOpen to CSC"
    assert [(p.id, p.name, p.age) for p in slot.genogram.people] == [
        ("M", "Mum", 30),
        ("C", "Cal", 4),
    ]
    assert slot.genogram.source == "M: Mum, f, 30\nC: Cal, m, 4\nM > C"


async def test_what_arrives_as_the_app_closes_is_let_go_without_a_crash(demo_store):
    """Home's open steps, read by its worker, or a key typed, arriving as the app closes (its
    screens already gone): nothing to show them on, and no "groupsup stopped" on the way out."""
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        home = app.screen
        steps = app.store.open_steps(home.pod_view.id)
    home._show_open_steps(home.pod_view, steps)
    await app.on_event(events.Key("x", "x"))


HOME_IN_A_FRESH_PROCESS = """
import asyncio, pathlib, sys
from groupsup.app import GroupSupApp

read = []
real_read_bytes = pathlib.Path.read_bytes
pathlib.Path.read_bytes = lambda path: read.append(path.parent.name) or real_read_bytes(path)

async def main():
    app = GroupSupApp(sys.argv[1], bell=False)
    async with app.run_test(size=(80, 24)):
        home = app.screen
        sessions, steps = home.query_one("#sessions"), home.query_one("#open-steps")
        while not (sessions.row_count and steps.row_count):
            await asyncio.sleep(0.001)
        print(sessions.row_count, steps.row_count, "pydantic" in sys.modules, "sessions" in read)

asyncio.run(main())
"""


@pytest.mark.slow  # starts a process
def test_home_shows_sessions_and_open_steps_from_the_indexes_alone(demo_store):
    """From a fresh process, home shows the pod's sessions and its open next steps without
    reading a session or loading pydantic: its first paint costs the same at any history."""
    run = subprocess.run(
        [sys.executable, "-c", HOME_IN_A_FRESH_PROCESS, str(demo_store.root)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    shown = len(demo_store.summaries()), len(demo_store.open_steps())
    assert run.stdout.split() == [*map(str, shown), "False", "False"], run.stderr


async def test_a_case_presented_before_is_prepared_from_its_last_genogram_and_history(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await the_planned_sessions_plan(pilot)
        plan = app.screen
        await until(pilot, lambda: plan._history_known, "the pod's sessions read")
        await pilot.press("shift+tab", "down", "down", "g")  # the Ahmed case, presented before
        await until(pilot, lambda: isinstance(app.screen, PreparationForm), "the preparation")
        form = app.screen
        carried = str(form.query_one("#carried-over", Static).render())
        assert "carried over from the session of 28 September 2026" in carried
        assert "Samira" in form.query_one("#genogram", TextArea).text
        assert form.query_one("#history", TextArea).text
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is plan, "the plan again")
    ahmed = FolderStore(demo_store.root).session("demo-s3").slots[2]
    assert ahmed.carried_from == dt.date(2026, 9, 28) and ahmed.genogram.people


def _cut_short(store: FolderStore, session_id: str) -> None:
    path = store.sessions_folder / f"{session_id}.json"
    path.write_bytes(path.read_bytes()[:200])


async def test_a_damaged_earlier_session_is_named_when_a_case_is_prepared(demo_store):
    """Preparing (g) the Ahmed case reads its last presentation, demo-s1: damaged, it is named
    in one sentence and the preparation opens all the same, with nothing carried over."""
    _cut_short(demo_store, "demo-s1")
    app = GroupSupApp(demo_store.root, bell=False)
    said = notices(app, "A past session cannot be read")
    async with app.run_test(size=(80, 24)) as pilot:
        plan = await the_planned_sessions_plan(pilot)
        await until(pilot, lambda: plan._history_known, "the pod's sessions read")
        (suggesting,) = said  # the plan's own reading of who held which role named it first
        assert "Left out of the suggestions" in suggesting and "demo-s1.json" in suggesting
        said.clear()
        await pilot.press("shift+tab", "down", "down", "g", *"Typed at once")
        await until(pilot, lambda: isinstance(app.screen, PreparationForm), "the preparation")
        form = app.screen
        await until(pilot, lambda: said, "the damaged session named")
        assert "what the case carries" in said[0] and "demo-s1.json" in said[0]
        assert not form.query("#carried-over")
        assert form.query_one("#genogram", TextArea).text == ""
        await until(
            pilot,
            lambda: "Typed at once" in str(getattr(app.focused, "value", "")),
            "the keys typed at once in the preparation",
        )


async def test_a_damaged_earlier_session_is_named_when_a_session_starts(demo_store, fake):
    """demo-s1 agreed two steps still open: damaged, they cannot be carried into the opening
    review, and the facilitator is told which session, in one sentence."""
    _cut_short(demo_store, "demo-s1")
    app = GroupSupApp(demo_store.root, bell=False, monotonic=fake.monotonic, wall=fake.wall)
    said = notices(app, "A past session cannot be read")
    async with app.run_test(size=(80, 24)) as pilot:
        await the_run_screen(pilot)
        await until(pilot, lambda: said, "the damaged session named")
        assert "what this session carries" in said[0] and "demo-s1.json" in said[0]
    review = FolderStore(demo_store.root).session("demo-s3").review
    assert review and {line.agreed_in for line in review} == {"demo-s2"}


async def test_home_counts_one_planned_case_as_one_case(demo_store):
    planned = demo_store.session("demo-s3")
    planned.slots = planned.slots[:1]
    demo_store.save_session(planned)
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        assert "1 case planned." in str(app.screen.query_one("#next-session", Static).render())


async def test_a_long_history_fills_homes_sessions_a_batch_a_paint(demo_store, monkeypatch):
    """Home shows its first sessions at once and the rest after, in order, each once, even when
    it is shown afresh (another pod chosen, a screen closed) before the rest have come."""
    from groupsup.screens import home

    monkeypatch.setattr(home, "SESSIONS_AT_ONCE", 1)
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_is_ready(pilot)
        screen = app.screen
        table = screen.query_one("#sessions", DataTable)
        screen.refresh_pods()
        assert table.row_count == 1
        screen.refresh_pods()
        await until(pilot, lambda: table.row_count == 3, "every session")
        await pilot.pause()
        shown = [row.value for row in table.rows]
        assert shown == ["demo-s3", "demo-s2", "demo-s1"]


async def test_the_plan_names_a_pods_own_format_it_leaves_out_and_why(demo_store):
    from conftest import SHORT_FORMAT

    demo_store.save_format("short", SHORT_FORMAT)
    cut = demo_store.root / "formats" / "short.toml"
    cut.write_bytes(SHORT_FORMAT[: len(SHORT_FORMAT) // 2])
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        given = notices(app, "A format was left out")
        await the_planned_sessions_plan(pilot)
        await until(pilot, lambda: given, "the notice")
        [notice] = [n for n in app._notifications if n.title == "A format was left out"]
    assert len(given) == 1 and given[0].startswith(f"Format file {cut} is not valid TOML")
    assert notice.timeout >= 30  # long enough to be read, as a left-out session's notice is
