#!/usr/bin/env python
"""Measure groupsup against its targets on stores of 10, 120 and 1,200 sessions.

Prints a table and, last, one line of JSON. Every figure is a median over several runs. Targets
that compare two things measure both in the same run, because the machine is shared and noisy.

    .venv/bin/python scripts/bench.py            # the full run (under three minutes)
    .venv/bin/python scripts/bench.py --quick    # 10 sessions only, few runs (the test suite)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from groupsup.domain.models import Hypothesis, MinutesDocument, SessionStatus
from groupsup.genogram.drawing import render
from groupsup.outputs import minutes
from groupsup.store import demo
from groupsup.store.folder import FolderStore

SIZES = (10, 120, 1200)
TODAY = dt.date(2026, 11, 23)
FRAME_MS = 1000 / 60

BARE_APP = """
import time
T0 = time.perf_counter()
import sys, asyncio
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("Date", "Pod", "Status")
        table.add_row("2026-11-25", "North Pod", "planned")

async def main():
    app = Bare()
    async with app.run_test(size=(100, 30)) as pilot:
        while app.query_one(DataTable).row_count == 0:
            await asyncio.sleep(0.001)
        print("READY", (time.perf_counter() - T0) * 1000, flush=True)

asyncio.run(main())
"""

GROUPSUP_APP = """
import time
T0 = time.perf_counter()
import sys, asyncio
from groupsup.app import GroupSupApp

async def main():
    app = GroupSupApp(sys.argv[1])
    async with app.run_test(size=(100, 30)) as pilot:
        while app.screen.query("#sessions").first().row_count == 0:
            await asyncio.sleep(0.001)
        print("READY", (time.perf_counter() - T0) * 1000, flush=True)

asyncio.run(main())
"""


def build_store(root: Path, session_count: int) -> FolderStore:
    store = FolderStore(root)
    documents = [
        MinutesDocument(pod=pod, session=session)
        for pod, sessions in demo.busy_service(session_count, TODAY)
        for session in sessions
    ]
    store.add_documents(documents)
    return store


def median_ms(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def process_ms(argv: list[str], runs: int) -> float:
    """Median wall time of a whole process: start-up, imports and work."""
    env = os.environ | {"PYTHONDONTWRITEBYTECODE": "0"}
    return median_ms(lambda: subprocess.run(argv, check=True, env=env, capture_output=True), runs)


def ready_ms(argv: list[str], runs: int) -> float:
    """Median time from a fresh process's first line to its screen being ready (the process
    prints it), so that what happens after, such as waiting for workers at exit, is not counted."""
    times = []
    for _ in range(runs):
        out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
        times.append(
            float(next(line for line in out.splitlines() if line.startswith("READY")).split()[1])
        )
    return statistics.median(times)


def save_one_edit(store: FolderStore, runs: int) -> float:
    """Saving one edit during a live session: a hypothesis added, the session saved."""
    session = store.session(store.summaries()[-1].id)
    session.status = SessionStatus.RUNNING  # a live session
    store.save_session(session)

    def edit() -> None:
        session.slots[0].hypotheses.append(Hypothesis(text="Another way to see it."))
        store.save_session(session)

    return median_ms(edit, runs)


def keystroke_ms(store_root: Path, runs: int) -> float:
    """A key typed in the run screen's note field, to the note changed and saved."""
    from textual import events

    from groupsup.app import GroupSupApp

    async def measure() -> float:
        app = GroupSupApp(store_root, bell=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("r")
            await pilot.pause()
            await pilot.press("ctrl+n", "ctrl+n")  # case 1, the consultant's questions
            await pilot.pause()
            notes = app.screen.query_one("#notes")
            notes.focus()
            await pilot.pause()
            store, times = app.store, []
            session_id = app.screen.session.id
            for _ in range(runs):
                saved = store._revisions[session_id]
                start = time.perf_counter()
                app.post_message(events.Key("a", "a"))
                while store._revisions[session_id] == saved:
                    await asyncio.sleep(0)
                times.append((time.perf_counter() - start) * 1000)
                await pilot.pause()
            return statistics.median(times)

    return asyncio.run(measure())


def minutes_ms(store: FolderStore, runs: int) -> float:
    """Markdown, JSON and HTML minutes of a full session (six cases), together."""
    session = store.session(store.summaries()[0].id)
    pod = store.pod(session.pod_id)
    return median_ms(lambda: [minutes.render(pod, session, f) for f in minutes.TEXT_FORMATS], runs)


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
    return median_ms(lambda: render(genogram), runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 sessions only, few runs")
    args = parser.parse_args()
    sizes = (10,) if args.quick else SIZES
    runs = 3 if args.quick else 15
    groupsup = [sys.executable, "-m", "groupsup"]
    rows: list[tuple[str, str, float]] = []
    results: dict[str, dict[str, float]] = {}

    def record(name: str, size: str, value: float) -> None:
        results.setdefault(name, {})[size] = round(value, 2)
        rows.append((name, size, value))

    with tempfile.TemporaryDirectory() as scratch:
        stores = {size: build_store(Path(scratch) / f"store-{size}", size) for size in sizes}
        for size, store in stores.items():
            record("save one edit", str(size), save_one_edit(store, runs * 2))
        largest = str(max(sizes))
        big = stores[max(sizes)]
        record(
            "cold start, bare Textual app", "-", ready_ms([sys.executable, "-c", BARE_APP], runs)
        )
        record(
            "cold start, groupsup home",
            largest,
            ready_ms([sys.executable, "-c", GROUPSUP_APP, str(big.root)], runs),
        )
        demo_store = FolderStore(Path(scratch) / "demo")
        demo.fill(demo_store, TODAY)
        record("keystroke in the note field", "3", keystroke_ms(demo_store.root, runs * 2))
        record("minutes: md + json + html", largest, minutes_ms(big, runs))
        record("genogram of 40 people", "-", genogram_ms(runs))
        record("groupsup --help", "-", process_ms([*groupsup, "--help"], runs))
        record(
            "groupsup list",
            largest,
            process_ms([*groupsup, "--store", str(big.root), "list"], runs),
        )
        pod = big.pods()[0].id
        record(
            "groupsup report",
            largest,
            process_ms([*groupsup, "--store", str(big.root), "report", "--pod", pod], runs),
        )

    def value(name: str, size: str) -> float:
        return results[name][size]

    largest = str(max(sizes))
    targets = {
        "save at the largest store within 1.5x of 10 sessions": (
            value("save one edit", largest) / value("save one edit", "10"),
            1.5,
        ),
        "save one edit under 10 ms": (value("save one edit", largest), 10),
        "cold start within 1.5x of a bare Textual app": (
            value("cold start, groupsup home", largest)
            / value("cold start, bare Textual app", "-"),
            1.5,
        ),
        "keystroke under one 60 Hz frame (ms)": (
            value("keystroke in the note field", "3"),
            FRAME_MS,
        ),
        "minutes under 50 ms": (value("minutes: md + json + html", largest), 50),
        "genogram of 40 people under 50 ms": (value("genogram of 40 people", "-"), 50),
        "list within 2x of --help": (
            value("groupsup list", largest) / value("groupsup --help", "-"),
            2,
        ),
        "report within 2x of --help": (
            value("groupsup report", largest) / value("groupsup --help", "-"),
            2,
        ),
    }
    print(f"{'measure':<34}{'sessions':>9}{'median ms':>11}")
    for name, size, measured in rows:
        print(f"{name:<34}{size:>9}{measured:>11.2f}")
    print()
    for name, (measured, limit) in targets.items():
        print(
            f"{'met   ' if measured <= limit else 'MISSED'} {name}: {measured:.2f} "
            f"(at most {limit:.1f})"
        )
    summary = {
        "results": results,
        "targets": {
            name: {"value": round(v, 3), "limit": round(limit, 3), "met": v <= limit}
            for name, (v, limit) in targets.items()
        },
    }
    print(json.dumps(summary))
    return 0 if all(v <= limit for v, limit in targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
