"""A writer process for the concurrency tests (`test_service_writers.py`), run as a script.

writers.py LOCATION SESSION NAME SECONDS   says "ready", waits for a line on stdin, then
    edits the session again and again for SECONDS (a line "NAME n" added to the first
    case's notes each time), and prints as JSON each try: saved or refused, with the
    revision it had read.
writers.py LOCATION SESSION NAME hang      starts a save and stops in the middle of its
    transaction, saying "inside", until it is killed.
"""

from __future__ import annotations

import json
import random
import sys
import time

from groupsup.domain.errors import StoreConflict
from groupsup.store import postgres
from groupsup.store.interface import open_store


def edit(location: str, session_id: str, name: str, seconds: float) -> None:
    store = open_store(location)
    print("ready", flush=True)
    sys.stdin.readline()
    tries = {"saved": [], "refused": []}
    end, n = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        session = store.session(session_id)
        read = store._revisions[session_id]
        n += 1
        session.slots[0].notes += f"{name} {n}\n"
        time.sleep(random.uniform(0, 0.005))  # a facilitator typing, another saving meanwhile
        try:
            store.save_session(session)
        except StoreConflict:
            tries["refused"].append([n, read])
        else:
            tries["saved"].append([n, read])
    print(json.dumps(tries), flush=True)


def hang(location: str, session_id: str) -> None:
    write_derived = postgres.PostgresStore._write_derived

    def stop_half_way(db, session, rows) -> None:
        write_derived(db, session, rows)  # the session's row and its derived rows
        db.execute("select 1").fetchone()  # all sent and done, not committed
        print("inside", flush=True)
        time.sleep(600)

    postgres.PostgresStore._write_derived = staticmethod(stop_half_way)
    store = open_store(location)
    session = store.session(session_id)
    session.slots[0].notes += "never saved\n"
    store.save_session(session)


if __name__ == "__main__":
    location, session_id, name, how_long = sys.argv[1:5]
    if how_long == "hang":
        hang(location, session_id)
    else:
        edit(location, session_id, name, float(how_long))
