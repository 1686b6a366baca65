"""The run screen's time bar: time left for the phase, the case and the session."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from groupsup.domain.clock import WARNING_SECONDS, SessionClock
from groupsup.widgets.text import keep_shown


def minutes_and_seconds(seconds: float) -> str:
    """'12:05' (hours too when long); a time over is rounded away from zero."""
    whole = int(abs(seconds) + (0 if seconds >= 0 else 0.999))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def clock_text(seconds: float) -> str:
    """'12:05 left' or '3:10 over', in minutes and seconds (hours when long)."""
    return f"{minutes_and_seconds(seconds)} {'left' if seconds >= 0 else 'over'}"


class TimerBar(Horizontal):
    """Redrawn from the clock on every tick; the clock, not the ticks, keeps the time."""

    def compose(self) -> ComposeResult:
        yield Static("", id="phase-time")
        yield Static("", id="slot-time")
        yield Static("", id="session-time")
        yield ProgressBar(total=100, show_eta=False, show_percentage=False, id="session-progress")

    def show(self, clock: SessionClock) -> None:
        phase_left = clock.phase_left()
        phase = self.query_one("#phase-time", Static)
        keep_shown(phase, f"Phase {clock_text(phase_left)}")
        phase.set_class(0 < phase_left <= WARNING_SECONDS, "warning")
        phase.set_class(phase_left <= 0, "over")
        slot = self.query_one("#slot-time", Static)
        if clock.slot is not None:
            slot_left = clock.slot_left(clock.slot)
            keep_shown(slot, f"Case {clock_text(slot_left)}")
            slot.set_class(slot_left <= 0, "over")
        else:
            keep_shown(slot, "")
        session_left = clock.session_left()
        whole = self.query_one("#session-time", Static)
        keep_shown(
            whole, f"Session {clock_text(session_left)}{' (paused)' if clock.paused else ''}"
        )
        whole.set_class(session_left <= 0, "over")
        planned = clock.session.planned_minutes * 60
        self.query_one(ProgressBar).update(
            progress=min(100.0, 100 * clock.session_elapsed() / planned)
        )
