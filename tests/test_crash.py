"""A crash shows no record: what failed and where, never the session's text (issue 13)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# The app crashes on its first screen with a session in its locals and in the error itself.
CRASH = """
import sys
from unittest import mock

from groupsup import cli
from groupsup.app import GroupSupApp
from groupsup.screens.home import HomeScreen

def crash(self):
    session = self.app.store.session("demo-s1")
    dilemma = session.slots[0].dilemma
    raise RuntimeError(dilemma)

HomeScreen.on_mount = crash
headless = GroupSupApp.run
with mock.patch.object(GroupSupApp, "run", lambda app: headless(app, headless=True)):
    sys.exit(cli.main(["--store", sys.argv[1], *sys.argv[2:]]))
"""


def crash(demo_store, *options: str, debug: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GROUPSUP_DEBUG"}
    env |= {"GROUPSUP_DEBUG": "1"} if debug else {}
    return subprocess.run(
        [sys.executable, "-c", CRASH, str(demo_store.root), *options],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.mark.slow  # starts processes
def test_a_crash_shows_no_record_and_exits_1(demo_store):
    result = crash(demo_store)
    printed = result.stdout + result.stderr
    assert result.returncode == 1
    assert "RuntimeError in crash (<string>, line" in printed
    for record_text in ("Jayden", "Brooks", "Mum's new partner", "demo-s1", "session ="):
        assert record_text not in printed
    assert "Traceback" not in printed


@pytest.mark.slow  # starts processes
def test_debug_shows_the_full_traceback(demo_store):
    for result in (crash(demo_store, debug=True), crash(demo_store, "--debug")):
        assert "Jayden" in result.stdout + result.stderr  # locals and message: for developers
        assert result.returncode == 1
