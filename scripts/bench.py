#!/usr/bin/env python
"""Measure groupsup against its targets on stores of 10, 120 and 1,200 sessions.

Prints a table and, last, one line of JSON. Every figure is a median over several runs; targets
are ratios against a baseline measured in the same run, because the machine is shared and noisy.
Run: .venv/bin/python scripts/bench.py [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from groupsup import demo
from groupsup.models import Hypothesis, MinutesDocument
from groupsup.storage import Store

SIZES = (10, 120, 1200)
TODAY = dt.date(2026, 11, 23)


def build_store(root: Path, session_count: int) -> Store:
    store = Store(root)
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


def save_one_edit(store: Store, runs: int) -> float:
    """Saving one edit during a live session: a hypothesis added, the session saved."""
    session = store.session(store.summaries()[-1].id)

    def edit() -> None:
        session.slots[0].hypotheses.append(Hypothesis(text="Another way to see it."))
        store.save_session(session)

    return median_ms(edit, runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 sessions only, few runs")
    args = parser.parse_args()
    sizes = (10,) if args.quick else SIZES
    runs = 5 if args.quick else 31
    results: dict[str, dict[str, float]] = {"save_edit_ms": {}}
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            store = build_store(Path(scratch) / f"store-{size}", size)
            results["save_edit_ms"][str(size)] = round(save_one_edit(store, runs), 2)
    saves = results["save_edit_ms"]
    targets = {}
    if "1200" in saves:
        ratio = saves["1200"] / saves["10"]
        targets["save_edit_1200_vs_10"] = {
            "value": round(ratio, 2),
            "target": 1.5,
            "met": ratio <= 1.5,
        }
    print(f"{'measure':<32}{'sessions':>10}{'median ms':>12}")
    for size, value in saves.items():
        print(f"{'save one edit':<32}{size:>10}{value:>12.2f}")
    for name, target in targets.items():
        verdict = "met" if target["met"] else "MISSED"
        print(f"target {name}: {target['value']} (at most {target['target']}) {verdict}")
    print(json.dumps({"results": results, "targets": targets}))
    return 0 if all(t["met"] for t in targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
