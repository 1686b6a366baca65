from __future__ import annotations

import datetime as dt
import inspect
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from groupsup.store import demo
from groupsup.store.folder import FolderStore

# A slow test needs from one to a dozen seconds of a core: Textual composes, lays out and draws
# each screen it opens, or processes start and import groupsup one after another. Beside other
# work at a higher priority the suite can get a twentieth of a core, and such a test then takes
# minutes while doing nothing wrong (measured: a 30 s wait that did half a second of work). So a
# slow test has five minutes before it counts as hung, unless it says otherwise; the fast tests
# keep pyproject's minute.
SLOW_TIMEOUT = 300


def pytest_collection_modifyitems(items) -> None:
    """Every Pilot test (async) and snapshot drives the whole app: they are slow by nature."""
    for item in items:
        driven = inspect.iscoroutinefunction(getattr(item, "function", None))
        if driven or "snap_compare" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("slow") and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(SLOW_TIMEOUT))


@pytest.fixture(autouse=True)
def _pilot_waits_as_long_as_the_test(monkeypatch):
    """Textual's Pilot gives up after 30 s waiting for the screen to handle what was sent to it;
    on a starved machine one refresh takes that long. The test's own timeout catches a hang."""
    wait = Pilot._wait_for_screen

    async def patient(pilot: Pilot, timeout: float = SLOW_TIMEOUT) -> bool:
        return await wait(pilot, timeout=SLOW_TIMEOUT)

    monkeypatch.setattr(Pilot, "_wait_for_screen", patient)


# The demo is built relative to a day; tests fix it so their expectations hold on any date.
DEMO_DAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _no_real_store(tmp_path, monkeypatch):
    """No test may touch the real user data folder."""
    monkeypatch.setenv("GROUPSUP_STORE", str(tmp_path / "default-store"))


@pytest.fixture
def store(tmp_path) -> FolderStore:
    return FolderStore(tmp_path / "store")


def copy_of(template: Path, tmp_path: Path) -> FolderStore:
    """A test's own copy of a store built once: building one flushes every file to disk, which
    costs far more than copying it."""
    shutil.copytree(template, tmp_path / "store")
    return FolderStore(tmp_path / "store")


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "store"
    demo.fill(FolderStore(root), DEMO_DAY)
    return root


@pytest.fixture
def demo_store(_demo_template, tmp_path) -> FolderStore:
    return copy_of(_demo_template, tmp_path)


def edited_export(
    store: FolderStore, session_id: str, folder: Path, edit: Callable[[dict], object]
) -> Path:
    """The session's JSON minutes, as `groupsup export` writes them into `folder`, then edited
    by hand (`edit` changes the parsed JSON): a file for `groupsup import`."""
    from groupsup.cli import main

    path = folder / f"{session_id}.json"
    exported = ["--store", str(store.root), "export", session_id, "--format", "json"]
    assert main([*exported, "-o", str(path)]) == 0
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    return path


START = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


class FakeTime:
    """A monotonic clock and a wall clock that move together, only when told to."""

    def __init__(self) -> None:
        self.seconds = 1000.0
        self.offset = 0.0

    def monotonic(self) -> float:
        return self.seconds

    def wall(self) -> dt.datetime:
        return START + dt.timedelta(seconds=self.seconds - 1000.0 + self.offset)

    def pass_minutes(self, minutes: float) -> None:
        self.seconds += minutes * 60


# A pod's own session format of one phase (the formats tests save it in a store).
SHORT_FORMAT = (
    b"name = 'Short'\n[[phases]]\nkey='all'\ntitle='All'\nprompt='Talk.'\nshare=1\n"
    b"capture='notes'\n"
)


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


# -- a pod with twelve monthly sessions, every figure of its record known by design ---------
# Sessions k = 0..10 are held in 2025 (no August), session 11 is planned for January 2026.
# slot 0: presenter ben/cat/dan/eve by k % 4, consultant ana, CP, hypothesis lenses gender+race,
#         one next step due two weeks on (needs sign-off when k == 5)
# slot 1: presenter ana when k is even else ben, consultant cat, CIN for k < 6 else CLA,
#         a hypothesis with lens age when k is even
# reviews: a step's first review is done (k % 3 == 0), carried forward (1) or not done (2);
#         later reviews carry it forward, but the step from k == 1 is done at session 4.
# safeguarding: k == 4 slot 1 (action recorded), k == 7 slot 0 (no action recorded).
WEST_MONTHS = [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12]


def _west_slot(k: int, number: int):
    from groupsup.domain.models import CaseSlot, Category, Hypothesis, Lens, NextStep, Safeguarding

    everyone = ["ana", "ben", "cat", "dan", "eve", "fay"]
    if number == 0:
        presenter = ["ben", "cat", "dan", "eve"][k % 4]
        slot = CaseSlot(
            id=f"w{k}-0",
            presenter=presenter,
            consultant="ana",
            case_reference=f"W-{k}-A",
            category=Category.CP,
        )
        slot.hypotheses = [Hypothesis(text="h", offered_by="fay", lenses=[Lens.GENDER, Lens.RACE])]
        day = dt.date(2025, WEST_MONTHS[k], 15)
        slot.next_steps = [
            NextStep(
                id=f"step-{k}",
                action=f"Step from session {k}",
                owner=presenter,
                due=day + dt.timedelta(days=14),
                needs_signoff=k == 5,
            )
        ]
    else:
        presenter = "ana" if k % 2 == 0 else "ben"
        slot = CaseSlot(
            id=f"w{k}-1",
            presenter=presenter,
            consultant="cat",
            case_reference=f"W-{k}-B",
            category=Category.CIN if k < 6 else Category.CLA,
        )
        if k % 2 == 0:
            slot.hypotheses = [Hypothesis(text="h", offered_by="fay", lenses=[Lens.AGE])]
    slot.observers = [m for m in everyone if m not in (slot.presenter, slot.consultant)]
    if (k, number) in ((4, 1), (7, 0)):
        slot.safeguarding = Safeguarding(
            concern=f"Concern in session {k}", action_taken="Referral made" if k == 4 else ""
        )
    return slot


@pytest.fixture
def west_store(_west_template, tmp_path) -> FolderStore:
    return copy_of(_west_template, tmp_path)


@pytest.fixture(scope="session")
def _west_template(tmp_path_factory) -> Path:
    from groupsup.domain import planning
    from groupsup.domain.models import Member, Pod, SessionStatus, StepStatus

    names = ["Ana", "Ben", "Cat", "Dan", "Eve", "Fay"]
    pod = Pod(
        id="west",
        name="West Pod",
        facilitator="ana",
        members=[Member(id=n.lower(), name=n) for n in names],
    )
    store = FolderStore(tmp_path_factory.mktemp("west") / "store")
    store.save_pod(pod)
    held = []
    for k, month in enumerate(WEST_MONTHS):
        session = planning.new_session(pod, dt.date(2025, month, 15), held)
        session.id = f"west-{k:02d}"
        for review in session.review:
            origin = int(review.step_id.split("-")[1])
            if origin == k - 1:
                review.status = [StepStatus.DONE, StepStatus.CARRIED_FORWARD, StepStatus.NOT_DONE][
                    origin % 3
                ]
            elif origin == 1 and k == 4:
                review.status = StepStatus.DONE
            else:
                review.status = StepStatus.CARRIED_FORWARD
        session.slots = [_west_slot(k, 0), _west_slot(k, 1)]
        session.status = SessionStatus.CLOSED
        store.save_session(session)
        held.append(session)
    planned = planning.new_session(pod, dt.date(2026, 1, 15), held)
    planned.id = "west-11"
    store.save_session(planned)
    return store.root


# -- waiting in Pilot tests: for a condition, never for time ------------------------------------


async def until(pilot, condition, what: str) -> None:
    """Wait until `condition()` holds, a refresh at a time: a busy machine only makes it slower."""
    for _ in range(500):
        if condition():
            return
        await pilot.pause()
    app = pilot.app
    raise AssertionError(f"gave up waiting for {what}: {app.screen} shown, {app.focused} focused")


async def home_is_ready(pilot) -> None:
    """Wait until home shows the pod, its sessions and its open next steps, with the keys."""
    from textual.css.query import NoMatches
    from textual.widgets import DataTable, Static

    from groupsup.screens.home import HomeScreen

    def ready() -> bool:
        screen = pilot.app.screen
        if not isinstance(screen, HomeScreen):
            return False
        try:
            shown = str(screen.query_one("#next-session", Static).render())
            loading = screen.query_one("#open-steps", DataTable).loading
        except NoMatches:
            return False  # not composed yet
        return shown != "" and not loading and pilot.app.focused is not None

    await until(pilot, ready, "the home screen")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def the_planned_sessions_plan(pilot):
    """From home once it is ready: Enter on the planned session (the sessions' first row)
    opens its plan. Returns the plan screen."""
    from groupsup.screens.plan import PlanScreen

    await home_is_ready(pilot)
    await pilot.press("tab", "enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, PlanScreen), "the plan screen")
    return pilot.app.screen


async def the_run_screen(pilot):
    """From home once it is ready: r runs (or resumes) the pod's next session. Returns the run
    screen."""
    from groupsup.screens.run import RunScreen

    await home_is_ready(pilot)
    await pilot.press("r")
    await until(pilot, lambda: isinstance(pilot.app.screen, RunScreen), "the run screen")
    return pilot.app.screen


# Each dialog of the run screen: the keys that open it from home. The names are in snapshot
# files' names (test_snapshots.py), so they keep their underscores.
RUN_DIALOGS = {
    "review": ("r", "tab", "enter"),  # past the welfare check-in, the first step's review
    "hypothesis": ("r", "ctrl+n", "ctrl+g"),
    "resonance": ("r", "ctrl+n", "ctrl+r"),
    "next_step": ("r", "ctrl+n", "ctrl+f"),
    "safeguarding": ("r", "ctrl+n", "ctrl+l"),
    "personal_level": ("r", "ctrl+n", "f3"),
    "more_time": ("r", "ctrl+n", "ctrl+t"),
    "join_codes": ("r", "ctrl+n", "f4"),
}


def screen_text(app) -> str:
    """Every character the app would send to the terminal for its current screen."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


# -- a PostgreSQL server for the PostgreSQL engine's tests ---------------------------------------


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server for the whole run, or a skip saying why there is none."""
    from pgserver import Server, programs

    folder = programs()
    if folder is None:
        pytest.skip("PostgreSQL is not installed (Debian's postgresql package; .ci/run adds it)")
    Server.stop_abandoned(folder)
    server = Server(folder)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_location(postgres_server, request) -> str:
    """A location whose tables go into a schema of this test's own."""
    import re
    import uuid

    import psycopg

    schema = "t_" + re.sub(r"\W", "_", request.node.name.lower())[:40] + uuid.uuid4().hex[:8]
    with psycopg.connect(postgres_server.location(), autocommit=True) as db:
        db.execute(f"create schema {schema}")
    return postgres_server.location(schema=schema)


def notices(app, title: str | None = None) -> list[str]:
    """Every notice the app gives from now on (only those titled `title` if given), kept after
    its toast has timed out: a loaded machine can take the toast's five seconds between two keys."""
    given: list[str] = []
    notify = app.notify

    def keeping(message, **options):
        if title is None or options.get("title", "") == title:
            given.append(message)
        return notify(message, **options)

    app.notify = keeping
    return given
