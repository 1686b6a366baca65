#!/usr/bin/env python
"""Measure groupsup against its targets, on a busy service's stores of two shapes: 20 pods of
60 sessions, and one pod of 1,200 (each pod with its next session planned).

Prints every measure, then each target with PASS or FAIL, and last one line of JSON. Every figure
is a median over several runs. What a target compares is measured in turns, run by run (the
sizes, or the command and `--help`), so that a busy moment of the shared machine falls on each
alike. Start-up figures come from fresh processes. PostgreSQL rows need Debian's postgresql
(they are skipped, saying so, without it). Exits 0 when every target is met, 1 when one is
missed, 3 when a measure could not be taken (a screen never ready, a process that failed).

    .venv/bin/python scripts/bench.py            # the full run (about five minutes)
    .venv/bin/python scripts/bench.py --quick    # small stores, few runs (the test suite)
    .venv/bin/python scripts/bench.py --postgres # only the PostgreSQL rows (about a minute)
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import datetime as dt
import inspect
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from groupsup.domain.models import Hypothesis, MinutesDocument, SessionStatus
from groupsup.genogram.drawing import render
from groupsup.outputs import minutes
from groupsup.store import demo
from groupsup.store.folder import FolderStore
from groupsup.store.interface import Store, open_store

TODAY = dt.date.today()  # the stores' next sessions are planned for today
FRAME_MS = 1000 / 60
GIVE_UP_SECONDS = 30  # a fresh process, screen or key not ready by then is not coming
SMALL = 10  # sessions in the small store that saving and closing are compared with
SHAPES = {"20x60": (20, 60), "1x1200": (1, 1200)}
QUICK_SHAPES = {"2x5": (2, 5), "1x10": (1, 10)}
TESTS = Path(__file__).resolve().parent.parent / "tests"  # pgserver.py starts PostgreSQL
PACKAGE = TESTS.parent / "groupsup"


def home_ready(app) -> bool:
    """Home shows the chosen pod's sessions and its open steps."""
    from textual.css.query import NoMatches

    try:
        sessions = app.screen.query_one("#sessions")
        steps = app.screen.query_one("#open-steps")
    except NoMatches:
        return False
    return sessions.row_count > 0 and steps.row_count > 0 and not steps.loading


# A fresh process's app is ready when home is (the same test, in its source).
READY = inspect.getsource(home_ready)

BARE_APP = (
    READY
    + """
import asyncio
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App):
    def compose(self):
        yield Header()
        yield DataTable(id="sessions")
        yield DataTable(id="open-steps")
        yield Footer()

    def on_mount(self):
        for table in self.query(DataTable):
            table.add_columns("Date", "Status", "Cases", "Presenters")
            table.add_row("2026-11-25", "planned", "6", "Tom Whitaker, Priya Shah")

async def main():
    app = Bare()
    async with app.run_test(size=(80, 24)):
        while not home_ready(app):
            await asyncio.sleep(0.001)
        print("READY", flush=True)

asyncio.run(main())
"""
)

HOME_APP = (
    READY
    + """
import asyncio, sys
from groupsup.app import GroupSupApp

async def main():
    app = GroupSupApp(sys.argv[1], bell=False)
    async with app.run_test(size=(80, 24)):
        while not home_ready(app):
            await asyncio.sleep(0.001)
        print("READY", flush=True)

asyncio.run(main())
"""
)

# Opens the plan of the next session, the pod's record and the run screen, each `runs` times
# from home, printing the milliseconds from the key to the screen ready (focus on its first
# field, the keys typed meanwhile let through); the plan is left once it has read who held which
# role in the pod's sessions. The run screen is timed starting the session
# (which reads what it carries from earlier sessions; the session is put back as planned after
# each start, untimed), then resuming it (which reads no earlier session).
SCREENS_APP = (
    READY
    + """
import asyncio, sys, time
from textual import events
from groupsup.app import GroupSupApp
from groupsup.screens.home import HomeScreen
from groupsup.screens.plan import PlanScreen
from groupsup.screens.record import RecordScreen
from groupsup.screens.run import RunScreen

KEYS = {"enter": "\\r", "escape": "\\x1b", "c": "c", "r": "r"}

def ready(app, kind):
    screen = app.screen
    focused = app.focused
    return (
        isinstance(screen, kind) and not app._holding_keys and not app._held_keys
        and focused is not None and focused.screen is screen
    )

async def until(condition):
    given_up = time.monotonic() + 60  # a screen that never comes: fail, never hang
    while not condition():
        if time.monotonic() > given_up:
            sys.exit(f"gave up waiting: {app_now.screen} shown")
        await asyncio.sleep(0)

async def timed(app, key, kind):
    start = time.perf_counter()
    app.post_message(events.Key(key, KEYS[key]))
    await until(lambda: ready(app, kind))
    return (time.perf_counter() - start) * 1000

async def back_home(app):
    app.post_message(events.Key("escape", KEYS["escape"]))
    await until(lambda: isinstance(app.screen, HomeScreen) and home_ready(app))

def put_back(planned):
    def change(session):
        for name in type(session).model_fields:
            setattr(session, name, getattr(planned, name))
    return change

# This process's own peak resident memory. Not getrusage: on Linux a process started by another
# (as subprocess does, by vfork then exec) inherits its starter's peak there, so it would report
# the benchmark's memory, not the app's.
def peak_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource  # not Linux: no /proc, and no such inheritance to avoid

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024

async def main():
    global app_now
    app = app_now = GroupSupApp(sys.argv[1], bell=False)
    runs = int(sys.argv[2])
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: home_ready(app))
        store = app.store
        planned = store.session(store.summaries(store.pod_views()[0].id)[-1].id)
        screens = (
            ("PlanScreen", PlanScreen, "enter"),
            ("RecordScreen", RecordScreen, "c"),
            ("RunScreen(start)", RunScreen, "r"),
            ("RunScreen(resume)", RunScreen, "r"),
        )
        for name, kind, key in screens:
            for turn in range(runs):
                table = app.screen.query_one("#sessions")
                table.focus()
                table.move_cursor(row=0)  # the next session, planned (running once run)
                await pilot.pause()
                print(name, await timed(app, key, kind), flush=True)
                if kind is PlanScreen:  # its history read to the end, untimed: the peak counts it
                    await until(lambda: app.screen._history_known)
                run_screen = app.screen
                await back_home(app)
                if name == "RunScreen(start)" and turn < runs - 1:  # planned again, to start
                    run_screen.writer.flush()
                    store.update_session(planned.id, put_back(planned))
                await pilot.pause()
    print("PEAK", peak_mb(), flush=True)

asyncio.run(main())
"""
)


# -- stores ----------------------------------------------------------------------------------


def build_store(store: Store, pods: int, per_pod: int) -> Store:
    """`pods` pods of `per_pod` closed sessions each, every pod with its next session planned."""
    store.add_documents(
        [
            MinutesDocument(pod=pod, session=session)
            for pod, sessions in demo.busy_service(pods * per_pod, TODAY, per_pod, planned=True)
            for session in sessions
        ]
    )
    return store


def next_session(store: Store) -> str:
    """The first pod's next session (its newest)."""
    return store.summaries(store.pod_views()[0].id)[-1].id


# -- measuring -------------------------------------------------------------------------------


def timed_ms(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait for the app's `condition`; a state that never comes fails the benchmark, never hangs
    it."""
    given_up = time.monotonic() + GIVE_UP_SECONDS
    while not condition():
        if time.monotonic() > given_up:
            raise RuntimeError(f"gave up waiting for {what}")
        await asyncio.sleep(0)


def in_turns(measures: dict[str, Callable[[], float]], runs: int) -> dict[str, float]:
    """The median of each measure, taken in turns: one run of each, then the next run."""
    times: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            times[name].append(measure())
    return {name: statistics.median(found) for name, found in times.items()}


def process_ms(argv: list[str]) -> Callable[[], float]:
    """A whole process's wall time: start-up, imports and work."""

    def measure() -> float:
        return timed_ms(lambda: subprocess.run(argv, check=True, capture_output=True))

    return measure


def ready_ms(argv: list[str]) -> Callable[[], float]:
    """From starting a fresh process to its printing READY (what it does after is not timed)."""

    def measure() -> float:
        start = time.perf_counter()
        with tempfile.TemporaryFile() as errors:
            child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=errors, text=True)
            assert child.stdout is not None
            stop = threading.Timer(GIVE_UP_SECONDS, child.kill)  # one that never gets ready
            stop.start()
            for line in child.stdout:
                if line.startswith("READY"):
                    ready = (time.perf_counter() - start) * 1000
                    break
            else:
                child.wait()
                errors.seek(0)
                raise RuntimeError(f"{argv[-1]}: {errors.read().decode()[-300:] or 'never ready'}")
            child.wait()
            stop.cancel()
        return ready

    return measure


def screens_ms(store: Store, runs: int) -> tuple[dict[str, float], float]:
    """The median ms to open each screen, and the app's peak memory in MB."""
    with tempfile.TemporaryFile() as errors:
        done = subprocess.run(
            [sys.executable, "-c", SCREENS_APP, str(store.root), str(runs)],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        if done.returncode:
            errors.seek(0)
            raise RuntimeError(f"the screens: {errors.read().decode()[-2000:]}")
    times: dict[str, list[float]] = {}
    for line in done.stdout.splitlines():
        screen, ms = line.split()
        times.setdefault(screen, []).append(float(ms))
    peak = times.pop("PEAK")[0]
    return {screen: statistics.median(found) for screen, found in times.items()}, peak


def save_one_edit(store: Store) -> Callable[[], float]:
    """Saving one edit during a live session: a hypothesis added, the session saved."""
    session = store.session(next_session(store))
    session.status = SessionStatus.RUNNING  # a live session
    store.save_session(session)

    def edit() -> float:
        session.slots[0].hypotheses.append(Hypothesis(text="Another way to see it."))
        return timed_ms(lambda: store.save_session(session))

    return edit


def close_and_backup(store: Store) -> Callable[[], float]:
    """Closing the next session: the backup taken first, then the closed session saved (as the
    close screen does). A backup exists already, as after any earlier close."""
    store.backup("before closing")
    session_id = next_session(store)

    def close() -> float:
        session = store.session(session_id)
        session.status = SessionStatus.RUNNING  # open again, untimed
        store.save_session(session)

        def timed() -> None:
            store.backup("before closing")
            session.status = SessionStatus.CLOSED
            store.save_session(session)

        return timed_ms(timed)

    return close


def backup_kb(store: FolderStore) -> tuple[float, float]:
    """What the newest backup added on disk (its own folder, and the copies it displaced from
    the mirror into the backup before it), and the size of what it holds, in KB."""
    newest, before = store.backups()[:2]
    own = [path.stat().st_size for b in (newest, before) for path in b.folder.rglob("*")]
    return sum(own) / 1024, sum(entry["size"] for entry in newest.files.values()) / 1024


def keys_during_close_ms(store: FolderStore) -> list[float]:
    """Keys typed on the close screen while its backup runs: each one's ms from the key to the
    field showing it."""
    from textual import events

    from groupsup.app import GroupSupApp
    from groupsup.screens.close import CloseScreen
    from groupsup.screens.run import RunScreen

    session = store.session(next_session(store))
    session.status = SessionStatus.RUNNING
    store.save_session(session)

    async def measure() -> list[float]:
        app = GroupSupApp(store.root, bell=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(lambda: home_ready(app), "home")
            await pilot.press("r")
            await until(
                lambda: isinstance(app.screen, RunScreen) and not app._holding_keys, "the session"
            )
            run = app.screen
            close = CloseScreen(run.pod, run.session, run.clock)
            await app.push_screen(close)
            await pilot.pause()
            folder = close.query_one("#folder")
            folder.focus()
            await pilot.pause()
            times = []
            close.action_close_session()
            while True:  # a key at once, then one every 5 ms while the backup is under way
                before = folder.value  # (the first key replaces the folder, selected)
                start = time.perf_counter()
                app.post_message(events.Key("x", "x"))
                # (the close may end first, and the key then reach home instead)
                await until(
                    lambda before=before: folder.value != before or not close.is_current, "the key"
                )
                if folder.value != before:
                    times.append((time.perf_counter() - start) * 1000)
                if not close._backing_up:
                    break
                await asyncio.sleep(0.005)  # a fast typist's next key
            await until(lambda: home_ready(app), "home after the close")
            return times

    return asyncio.run(measure())


def keystroke_ms(store_root: Path, runs: int) -> tuple[float, float]:
    """Keys typed in the run screen's note field: the median ms from a key to the note showing
    it, and from a key to the note saved (by the writer beside the screen, after the burst)."""
    from textual import events

    from groupsup.app import GroupSupApp
    from groupsup.screens.run import RunScreen

    async def measure() -> tuple[float, float]:
        app = GroupSupApp(store_root, bell=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await until(lambda: home_ready(app), "home")
            await pilot.press("r")
            await until(lambda: isinstance(app.screen, RunScreen), "the session")
            await pilot.press("ctrl+n", "ctrl+n")  # case 1, the consultant's questions
            await pilot.pause()
            notes = app.screen.query_one("#notes")
            notes.focus()
            await pilot.pause()
            store, shown, saved = app.store, [], []
            session_id = app.screen.session.id
            for _ in range(runs):
                revision, typed = store._revisions[session_id], len(notes.text)
                start = time.perf_counter()
                app.post_message(events.Key("a", "a"))
                await until(lambda typed=typed: len(notes.text) > typed, "the key shown")
                shown.append((time.perf_counter() - start) * 1000)
                await until(
                    lambda revision=revision: store._revisions[session_id] != revision, "the saving"
                )
                saved.append((time.perf_counter() - start) * 1000)
                await pilot.pause()
            return statistics.median(shown), statistics.median(saved)

    return asyncio.run(measure())


def minutes_ms(store: Store, runs: int) -> float:
    """Markdown, JSON and HTML minutes of a full session (six cases), together."""
    session = store.session(store.summaries()[0].id)
    pod = store.pod(session.pod_id)
    formats = minutes.TEXT_FORMATS
    return statistics.median(
        timed_ms(lambda: [minutes.render(pod, session, f) for f in formats]) for _ in range(runs)
    )


def genogram_ms(runs: int) -> float:
    from groupsup.genogram.model import Child, Couple, Gender, Genogram, Person

    people = [
        Person(
            id=f"P{i}",
            name=f"Person {i}",
            gender=Gender.MALE if i % 2 else Gender.FEMALE,
            age=80 - i,
        )
        for i in range(40)
    ]
    couples = [Couple(a=f"P{i}", b=f"P{i + 1}") for i in range(0, 12, 2)]
    children = [
        Child(child=f"P{12 + j}", parents=[f"P{(j % 6) * 2}", f"P{(j % 6) * 2 + 1}"])
        for j in range(28)
    ]
    genogram = Genogram(people=people, couples=couples, children=children)
    return statistics.median(timed_ms(lambda: render(genogram)) for _ in range(runs))


# -- PostgreSQL ------------------------------------------------------------------------------


def postgres_server():
    """A private PostgreSQL server on loopback (tests/pgserver.py), or the reason there is none."""
    sys.path.insert(0, str(TESTS))
    from pgserver import Server, programs

    folder = programs()
    if folder is None:
        return None, "PostgreSQL is not installed (Debian's postgresql package)"
    server = Server(folder)
    server.start(port=_free_port(), fsync=True)
    return server, ""


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- the run ---------------------------------------------------------------------------------


class Results:
    def __init__(self) -> None:
        self.measured: dict[str, dict[str, float]] = {}
        self.targets: dict[str, tuple[float, float]] = {}
        self.skipped: dict[str, str] = {}

    def record(self, name: str, size: str, value: float) -> None:
        self.measured.setdefault(name, {})[size] = round(value, 2)
        print(f"{name:<44}{size:>9}{value:>11.2f}", flush=True)

    def value(self, name: str, size: str) -> float:
        return self.measured[name][size]

    def target(self, name: str, measured: float, limit: float) -> None:
        self.targets[name] = (measured, limit)

    def skip(self, name: str, reason: str) -> None:
        self.skipped[name] = reason
        print(f"skipped: {name}: {reason}", flush=True)

    def report(self) -> bool:
        print()
        for name, (measured, limit) in self.targets.items():
            verdict = "PASS" if measured <= limit else "FAIL"
            print(f"{verdict} {name}: {measured:.2f} (at most {limit:g})")
        for name, reason in self.skipped.items():
            print(f"SKIP {name}: {reason}")
        summary = {
            "results": self.measured,
            "targets": {
                name: {"value": round(v, 3), "limit": limit, "met": v <= limit}
                for name, (v, limit) in self.targets.items()
            },
            "skipped": self.skipped,
        }
        print(json.dumps(summary))
        return all(v <= limit for v, limit in self.targets.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small stores, few runs")
    parser.add_argument("--postgres", action="store_true", help="only the PostgreSQL rows")
    args = parser.parse_args()
    shapes = QUICK_SHAPES if args.quick else SHAPES
    runs = 2 if args.quick else 9  # (the median of two: their mean)
    # groupsup as installed, its bytecode compiled (pip compiles it at install): where
    # PYTHONDONTWRITEBYTECODE is set, each fresh process would otherwise compile every module
    # changed since it was last compiled, and count that as starting up.
    compileall.compile_dir(PACKAGE, quiet=1)
    groupsup = [sys.executable, "-m", "groupsup"]
    results = Results()
    print(f"{'measure':<44}{'shape':>9}{'median ms':>11}")
    if args.postgres:
        postgres_rows(results, list(shapes)[1], groupsup, runs)
        return 0 if results.report() else 1
    with tempfile.TemporaryDirectory() as scratch:
        stores: dict[str, FolderStore] = {
            shape: build_store(FolderStore(Path(scratch) / shape), *sizes)
            for shape, sizes in shapes.items()
        }
        small = build_store(FolderStore(Path(scratch) / "small"), 1, SMALL)
        one_pod = list(shapes)[1]
        big = stores[one_pod]
        sized = {str(SMALL): small, **stores}

        # Home, from a fresh process, against a bare Textual app with two tables.
        home = {"bare": ready_ms([sys.executable, "-c", BARE_APP])}
        for shape, store in stores.items():
            home[shape] = ready_ms([sys.executable, "-c", HOME_APP, str(store.root)])
        for shape, measured in in_turns(home, runs).items():
            results.record("home with sessions and open steps", shape, measured)
        for shape in shapes:
            results.target(
                f"home at {shape} within 1.5x of a bare Textual app",
                results.value("home with sessions and open steps", shape)
                / results.value("home with sessions and open steps", "bare"),
                1.5,
            )

        # Commands at one pod's whole history, against --help.
        at = ["--store", str(big.root)]
        ics = str(Path(scratch) / "pod.ics")
        commands = {
            "--help": [*groupsup, "--help"],
            "list": [*groupsup, *at, "list"],
            "actions": [*groupsup, *at, "actions"],
            "calendar": [*groupsup, *at, "calendar", "-o", ics],
            "report": [*groupsup, *at, "report"],
        }
        timed = in_turns({name: process_ms(argv) for name, argv in commands.items()}, runs)
        for name, measured in timed.items():
            results.record(f"groupsup {name}", one_pod if name != "--help" else "-", measured)
        for name in ("list", "actions", "calendar", "report"):
            results.target(
                f"{name} at {one_pod} within 2x of --help", timed[name] / timed["--help"], 2
            )

        # Screens, from the key on home to the screen ready; the app's peak memory.
        for shape, store in stores.items():
            opened, peak = screens_ms(store, runs)
            for screen, measured in opened.items():
                results.record(f"open {screen}", shape, measured)
                results.target(f"open {screen} at {shape} under 150 ms", measured, 150)
            results.record("peak memory, home and screens (MB)", shape, peak)
        results.target(
            f"peak memory at {one_pod} under 100 MB",
            results.value("peak memory, home and screens (MB)", one_pod),
            100,
        )

        # Saving and closing, each size in turn.
        for size, measured in in_turns(
            {size: save_one_edit(store) for size, store in sized.items()}, runs * 2
        ).items():
            results.record("save one edit", size, measured)
        for size, measured in in_turns(
            {size: close_and_backup(store) for size, store in sized.items()}, runs
        ).items():
            results.record("close: backup and save", size, measured)
        for shape in shapes:
            results.target(
                f"save one edit at {shape} under 10 ms", results.value("save one edit", shape), 10
            )
            results.target(
                f"close at {shape} within 2x of {SMALL} sessions",
                results.value("close: backup and save", shape)
                / results.value("close: backup and save", str(SMALL)),
                2,
            )
        cost, held = backup_kb(big)
        results.record("backup on disk (KB)", one_pod, cost)
        results.record("backup holds (KB)", one_pod, held)
        results.target(
            f"a backup at {one_pod} costs under a tenth of what it holds", cost / held, 0.1
        )
        keys = keys_during_close_ms(big)
        results.record("keystroke during the close's backup", one_pod, statistics.median(keys))
        results.record("keystrokes during the close's backup (count)", one_pod, len(keys))
        results.target(
            f"a keystroke during a close at {one_pod} within one 60 Hz frame (ms)",
            statistics.median(keys),
            round(FRAME_MS, 1),
        )

        demo_store = FolderStore(Path(scratch) / "demo")
        demo.fill(demo_store, TODAY - dt.timedelta(days=2))  # its planned session: today
        shown, saved = keystroke_ms(demo_store.root, runs)
        results.record("keystroke in the note field, shown", "demo", shown)
        results.record("keystroke in the note field, saved", "demo", saved)
        results.target("keystroke shown within one 60 Hz frame (ms)", shown, round(FRAME_MS, 1))
        results.target("keystroke saved within a quarter second (ms)", saved, 250)
        results.record("minutes: md + json + html", "6 cases", minutes_ms(big, runs))
        results.target(
            "minutes under 50 ms", results.value("minutes: md + json + html", "6 cases"), 50
        )
        results.record("genogram of 40 people", "-", genogram_ms(runs))
        results.target(
            "genogram of 40 people under 50 ms", results.value("genogram of 40 people", "-"), 50
        )

        postgres_rows(results, one_pod, groupsup, runs)
    return 0 if results.report() else 1


def postgres_rows(results: Results, shape: str, groupsup, runs: int) -> None:
    """The same history in PostgreSQL: saving an edit, home, and the service's report."""
    names = ("PostgreSQL: save one edit", "PostgreSQL: home", "PostgreSQL: report --service")
    server, reason = postgres_server()
    if server is None:
        for name in names:
            results.skip(name, reason)
        return
    try:
        location = server.location()
        database = build_store(open_store(location), *SHAPES_OF[shape])
        results.record(
            names[0],
            shape,
            statistics.median(save_one_edit(database)() for _ in range(runs * 2)),
        )
        results.target(f"{names[0]} at {shape} under 10 ms", results.value(names[0], shape), 10)
        service = [*groupsup, "--store", location, "report", "--service"]
        home = {
            "bare": ready_ms([sys.executable, "-c", BARE_APP]),
            "home": ready_ms([sys.executable, "-c", HOME_APP, location]),
            "--help": process_ms([*groupsup, "--help"]),
            "report --service": process_ms(service),
            "driver": process_ms([sys.executable, "-c", DRIVER_FLOOR, location]),
        }
        try:
            timed = in_turns(home, runs)
        except RuntimeError as error:  # the app does not open a database store yet
            results.skip(names[1], f"the app did not open the database: {error}"[:300])
            del home["home"]
            timed = in_turns(home, runs)
        else:
            results.record(names[1], shape, timed["home"])
            results.target(
                f"{names[1]} at {shape} within 1.5x of a bare Textual app",
                timed["home"] / timed["bare"],
                1.5,
            )
        results.record(names[2], shape, timed["report --service"])
        # What any command on a database costs before it does anything, against the same --help.
        results.record("PostgreSQL: --help, in turns with these", "-", timed["--help"])
        results.record("PostgreSQL: import psycopg, connect, select 1", "-", timed["driver"])
        results.target(
            f"{names[2]} at {shape} within 2x of --help",
            timed["report --service"] / timed["--help"],
            2,
        )
    finally:
        server.stop()


SHAPES_OF = {**SHAPES, **QUICK_SHAPES}
# The floor under any command on a database: the driver imported, connected, one query answered.
DRIVER_FLOOR = "import sys, psycopg; psycopg.connect(sys.argv[1]).execute('select 1').fetchone()"


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as error:  # a measure that could not be taken: not a target missed (1)
        print(f"bench.py: could not measure: {error}", file=sys.stderr)
        sys.exit(3)
