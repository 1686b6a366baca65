#!/usr/bin/env python
"""Make the README's screenshots (SVG) from the demo store.

.venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from pathlib import Path

from textual import events

from groupsup.app import GroupSupApp
from groupsup.observers import joining
from groupsup.store import demo
from groupsup.store.folder import FolderStore

DOCS = Path(__file__).resolve().parent.parent / "docs"
START = dt.datetime(2026, 11, 25, 10, 0).astimezone()


async def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        store = FolderStore(Path(scratch) / "store")
        demo.fill(store, START.date() - dt.timedelta(days=2))
        joining._new_code = lambda: "K7P2QX"
        seconds = [0.0]
        app = GroupSupApp(
            store.root,
            bell=False,
            monotonic=lambda: seconds[0],
            wall=lambda: START + dt.timedelta(seconds=seconds[0]),
        )
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            app.save_screenshot("home.svg", str(DOCS))
            await pilot.press("r")
            await pilot.pause()
            await pilot.press("ctrl+n")
            seconds[0] = 60 * 23
            await pilot.pause()
            app.screen.tick()
            await pilot.press("f2")
            await pilot.pause()
            source = demo.brooks_genogram().source
            app.screen.query_one("#genogram-source").text = ""
            app.post_message(events.Paste(source))
            await pilot.pause()
            app.save_screenshot("run-genogram.svg", str(DOCS))


if __name__ == "__main__":
    asyncio.run(main())
