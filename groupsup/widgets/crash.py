"""A crash that shows no record: the app's error says what failed and where, not with what.

Textual prints an unexpected error's traceback with every local variable, which in groupsup
means sessions, members and families on a screen that may be projected or shared, left in the
scrollback. Unless GROUPSUP_DEBUG is set (`groupsup --debug`), only the kind of error and the
place are shown.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from rich.text import Text
from textual.app import App

DEBUG_VARIABLE = "GROUPSUP_DEBUG"


def debugging() -> bool:
    return bool(os.environ.get(DEBUG_VARIABLE))


def crash_message(error: BaseException | None) -> str:
    """One sentence naming the error's kind and the innermost place, never its values."""
    frames = traceback.extract_tb(error.__traceback__) if error else []
    where = f" in {frames[-1].name} ({Path(frames[-1].filename).name}, line {frames[-1].lineno})"
    kind = type(error).__name__ if error else "error"
    return (
        f"groupsup stopped on an unexpected {kind}{where if frames else ''}. What was saved is "
        "kept. 'groupsup --debug' shows the details, records included: do not share them."
    )


class NoRecordsInCrashes(App):
    def _fatal_error(self) -> None:
        # Textual's own, which always shows locals, is kept for --debug; nothing public
        # turns the locals off (textual is pinned in pyproject.toml).
        if debugging():
            super()._fatal_error()
            return
        self.bell()
        self._exit_renderables.append(Text(crash_message(sys.exc_info()[1])))
        self._close_messages_no_wait()
