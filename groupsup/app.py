"""GroupSupApp: the facilitator's terminal app."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from functools import cache, cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual._styles_cache import StylesCache
from textual.app import SystemCommand
from textual.binding import Binding
from textual.filter import LineFilter
from textual.screen import Screen
from textual.widgets import DataTable

from groupsup.domain.dates import local_now, when
from groupsup.widgets.crash import NoRecordsInCrashes
from groupsup.widgets.text import NoControls

NO_CONTROLS = NoControls()

if TYPE_CHECKING:
    from groupsup.store.interface import Store, StoreIndex


# How long a key that saves or moves focus waits for the field to handle the keys before it;
# only a field that has stopped handling keys makes it wait this long.
KEY_CATCH_UP_SECONDS = 1.0
DAMAGE_SHOWN = 5  # damaged records named in the banner as the app opens; the rest are counted
DAMAGE_BANNER_SECONDS = 120
LATE_NOTE_SECONDS = 60  # time to read where a late note went and what to do


@cache  # once a process: a test run makes many apps
def _set_imports_aside() -> None:
    """The modules, classes and functions imported so far live as long as the process: the
    garbage collector need never walk them again. Otherwise a full collection during home's
    first paint spends about 20 ms walking Textual's and groupsup's (see scripts/bench.py).
    Anything freed by reference count is still freed."""
    gc.freeze()


class GroupSupApp(NoRecordsInCrashes):
    TITLE = "groupsup"
    SUB_TITLE = "group reflective supervision"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),
        Binding("question_mark", "help", "Help", show=False, id="help-question-mark"),
        Binding("f10", "toggle_theme", "Light or dark theme", show=False, id="theme"),
        Binding("ctrl+q", "quit", "Quit", id="quit"),
        # In every text field, as in every other program (Textual's fields go to the start).
        Binding("ctrl+a", "select_all", "Select all", show=False, priority=True, id="select-all"),
        # Tab moves focus the moment it is typed, so the keys after it land in the next field
        # even when they arrive before the field is drawn (a burst of dictation).
        Binding("tab", "focus_next", "Next field", show=False, priority=True, id="next-field"),
        Binding(
            "shift+tab",
            "focus_previous",
            "Previous field",
            show=False,
            priority=True,
            id="previous-field",
        ),
    ]

    def __init__(
        self,
        store_location: Path | str,
        *,
        bell: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], dt.datetime] = local_now,
    ) -> None:
        """`store_location` is a folder or a `postgresql://` URI; `monotonic` and `wall` are the
        session clock's time sources (tests pass fakes)."""
        _set_imports_aside()
        super().__init__()
        self.store_location = store_location
        self.bell_on_overrun = bell
        self.monotonic = monotonic
        self.wall = wall
        self._holding_keys = False
        self._held_keys: deque[events.Key] = deque()
        self._glanced = False
        self._taking_in_late = threading.Lock()

    @cached_property
    def store(self) -> Store:
        """Opened on first use: the home screen paints from the index before that."""
        from groupsup.store.interface import Store, open_store  # off the path to the first paint

        index = self.__dict__.get("index")  # a database's index is its store: one connection
        return index if isinstance(index, Store) else open_store(self.store_location)

    @cached_property
    def index(self) -> StoreIndex:
        """The pods and session summaries home shows first; a folder's are read straight from
        its files, before the store (and pydantic) is loaded."""
        from groupsup.store.interface import open_index

        opened = self.__dict__.get("store")
        return opened if opened is not None else open_index(self.store_location)

    def glance_at_store(self) -> None:
        """Each time home has shown what it reads first (from the index, without pydantic):
        the first time, open the store, so that the screens it opens next find it ready, and
        glance at it; every time, take in the notes that arrived after their session closed."""
        if not self._glanced:
            self._glanced = True
            self._glance_at_store()
        else:
            self._take_in_late_notes()

    def damaged(self) -> dict[str, str]:
        """The sessions found damaged so far (none before the store is opened)."""
        opened = self.__dict__.get("store")
        return opened.damaged if opened is not None else {}

    # Never the app's end: a store that cannot be opened at all is for home to say.
    @work(thread=True, group="store-glance", exit_on_error=False)
    def _glance_at_store(self) -> None:
        """A quick check as the store opens: damage is named in a banner (nothing is changed,
        and `groupsup check` looks closer)."""
        problems = self.store.quick_check()
        if problems:
            self.call_from_thread(self._show_damage, problems)
        self._late_notes()

    @work(thread=True, group="late-notes", exit_on_error=False)
    def _take_in_late_notes(self) -> None:
        self._late_notes()

    def _late_notes(self) -> None:
        """Notes sent in the moment a session closed go into its record (never lost), and the
        facilitator is told, since the minutes saved at the close lack them."""
        from groupsup.observers import joining

        with self._taking_in_late:  # one at a time: home can be shown twice in quick succession
            late = joining.take_in_late(self.store)
        for session, arrivals in late:
            pod = self.store.pod(session.pod_id)
            for problem in arrivals.problems:
                self.call_from_thread(self.notify, problem, severity="error", markup=False)
            for note in arrivals.taken:
                number, slot = next(
                    (n, s) for n, s in enumerate(session.slots, 1) if s.id == note.slot_id
                )
                said = (
                    f"{pod.name_of(note.author)}'s {note.kind.value} on case {number} "
                    f"({slot.title}) reached the session of {when(session.date)} as it closed. "
                    "It is in the record now; the minutes saved at the close lack it: open the "
                    "session and press e to save them again."
                )
                self.call_from_thread(
                    self.notify,
                    said,
                    title="A note arrived after the close",
                    timeout=LATE_NOTE_SECONDS,
                    markup=False,
                )

    def _show_damage(self, problems: list[str]) -> None:
        shown = problems[:DAMAGE_SHOWN]
        if len(problems) > DAMAGE_SHOWN:
            shown.append(f"And {len(problems) - DAMAGE_SHOWN} more.")
        shown.append(
            "Nothing was changed. 'groupsup check' says more; 'groupsup restore' lists backups."
        )
        self.notify(
            "\n".join(shown),
            title="The store has damaged records",
            severity="error",
            timeout=DAMAGE_BANNER_SECONDS,
            markup=False,
        )

    async def action_quit(self) -> None:
        """Quit: at once, since every screen saves as it goes; but where the screen holds
        something it could not save, ask first (Escape goes back to it)."""
        from groupsup.screens.base import Dialog, GroupSupScreen
        from groupsup.screens.forms import Confirm

        screen = self.screen
        lost = screen.unsaved() if isinstance(screen, GroupSupScreen | Dialog) else None
        if lost is None:
            self.exit()
            return

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit()

        body = f"{lost} That is not saved.\n\nEnter quits all the same; Escape goes back to it."
        self.push_screen(Confirm("Quit without saving?", body), answered)

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._let_removed_widgets_go)

    def _let_removed_widgets_go(self, _screen: Screen) -> None:
        """Each time the screen changes, let go of the widgets Textual removed but still holds,
        and all they held: every screen and dialog ever opened would otherwise stay in memory.
        Textual keeps a removed widget's watch on the app's reactives (each Header watches the
        title, each TextArea the theme) until that value next changes (textual#6666), and the
        last 1,024 widgets' drawn lines in a cache of background colours keyed by the widget."""
        for watchers in getattr(self, "__watchers", {}).values():
            watchers[:] = [(node, callback) for node, callback in watchers if not node._closing]
        StylesCache.get_inner_outer.cache_clear()

    def today(self) -> dt.date:
        return self.wall().date()

    def get_default_screen(self) -> Screen:
        """Home is the bottom of the stack: every other screen returns to it."""
        from groupsup.screens.home import HomeScreen

        return HomeScreen()

    def get_line_filters(self) -> Sequence[LineFilter]:
        return [*super().get_line_filters(), NO_CONTROLS]

    # -- keys typed ahead ----------------------------------------------------------------------
    # A dialog or a new phase focuses its first field only after it is drawn; keys typed in the
    # meantime (a fast typist, dictation, a text expander) must reach that field, in order.

    def push_screen(self, screen, *args, **kwargs):
        from groupsup.screens.base import Dialog, GroupSupScreen

        if isinstance(screen, Dialog | GroupSupScreen):
            self.hold_keys()  # released once the screen's first field has focus
        return super().push_screen(screen, *args, **kwargs)

    def hold_keys(self) -> None:
        """Keys typed from now on wait, in order, until `release_keys`."""
        self._holding_keys = True

    def release_keys(self) -> None:
        """Focus has landed: the waiting keys are handled as if typed now."""
        self._holding_keys = False
        self.call_later(self._replay_held_keys)

    async def _replay_held_keys(self) -> None:
        # Runs in the app's own task, so no newly typed key can overtake a held one.
        while self._held_keys and not self._holding_keys:
            await self._dispatch_key(self._held_keys.popleft())

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if not self.screen_stack:
                return  # the app is closing: there is no screen left to type into
            if self._holding_keys or self._held_keys:
                self._held_keys.append(event)
            else:
                await self._dispatch_key(event)
            return
        await super().on_event(event)

    async def _dispatch_key(self, event: events.Key) -> None:
        if event.is_printable and not isinstance(self.focused, DataTable):
            await super().on_event(event)  # typed into the focused field, in order
            return
        # On a table a letter is a command (a adds a case): like Tab, it acts at once.
        # Tab, Enter, Ctrl+S, the arrows...: they act on what was typed before them, so the
        # focused field first handles every key already sent to it. Then their binding runs
        # now, not once the key has travelled up to the app behind the keys typed after it.
        focused = self.focused
        await self._caught_up(focused)
        if not (
            await self._check_bindings(event.key, priority=True)
            or await self._check_bindings(event.key)
        ):
            await super().on_event(event)
        # Some keys act through a message: Enter on a table's row posts RowSelected, which
        # bubbles up to the screen, which opens a form or a screen. The next key waits until
        # the message has climbed from the field to its screen, so it reaches what opened.
        if focused is not None and focused.is_attached:
            for node in focused.ancestors_with_self:
                if node is self:
                    break
                await self._caught_up(node)

    async def _caught_up(self, node) -> None:
        """Wait until `node` has handled everything sent to it so far."""
        if node is None or not node.is_attached:
            return
        caught_up = asyncio.Event()
        if not node.call_later(caught_up.set):  # queued behind what it has not handled yet
            return  # closing: it will handle nothing more
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(caught_up.wait(), KEY_CATCH_UP_SECONDS)

    def action_select_all(self) -> None:
        from textual.widgets import Input, TextArea

        if isinstance(self.focused, Input | TextArea):
            self.focused.select_all()

    def action_help(self) -> None:
        from groupsup.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(getattr(self.screen, "HELP", "")))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette offers every action of the current screen and of the app, by name."""
        offered = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if active.node not in (screen, self) or not binding.description:
                continue
            if binding.action in offered or not active.enabled:
                continue
            offered.add(binding.action)
            yield SystemCommand(
                binding.description,
                f"{binding.description} ({binding.key})",
                partial(active.node.run_action, binding.action),
            )
