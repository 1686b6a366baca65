"""Session timekeeping: pure logic, driven by an injectable monotonic clock.

Time is kept as segments of running time (see `models.Segment`): a pause closes the open
segment, resuming opens a new one, so pausing stops the clock for everything at once. Elapsed
time is always a difference of the monotonic clock, never a count of timer ticks, so it does not
drift. The state lives in `session.clock`; after a restart the open segment's time so far is
taken from the wall clock, because the meeting went on while the app was closed.

Time left for a phase is fixed when the phase starts: what is left of the slot, split over the
slot's remaining phases by their shares. A phase that overran leaves the later phases less.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from groupsup.domain.dates import local_now
from groupsup.domain.formats import Capture, SessionFormat
from groupsup.domain.models import CaseSlot, ClockState, Segment, Session, SessionStatus
from groupsup.domain.planning import take_from

OPENING = "opening"
CLOSING = "closing"
WARNING_SECONDS = 120


@dataclass(frozen=True)
class Stop:
    """One step of the session's run order: the opening review, a phase of a case, the close."""

    slot_id: str | None
    phase: str
    title: str
    prompt: str
    share: int = 0
    capture: Capture | None = None


def run_order(session: Session, fmt: SessionFormat) -> list[Stop]:
    opening = Stop(
        None,
        OPENING,
        "Review of the previous session's next steps",
        "Welfare first, then each next step: done, partly, not done or carried forward, with "
        "a note.",
    )
    closing = Stop(
        None,
        CLOSING,
        "Close",
        "Check every case has a reflection and next steps, then save the minutes.",
    )
    phases = [
        Stop(slot.id, p.key, p.title, p.prompt, p.share, p.capture)
        for slot in session.slots
        for p in fmt.phases
    ]
    return [opening, *phases, closing]


# A stretch shorter than this is a slip of the key, not a pause worth a line in the minutes.
NOTED_PAUSE_SECONDS = 10


@dataclass(frozen=True)
class StoodStill:
    """A stretch of the session with the clock paused (the break, or a pause): from the end of
    one stretch of running time to the start of the next."""

    start: dt.datetime
    end: dt.datetime
    slot_id: str | None  # the case it fell in; None in the opening review or the close

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def pauses(session: Session) -> list[StoodStill]:
    """Each time the clock stood still for NOTED_PAUSE_SECONDS or more, in order."""
    segments = session.clock.segments if session.clock else []
    gaps = []
    for before, after in itertools.pairwise(segments):
        if before.seconds is not None:
            stopped = before.started_at + dt.timedelta(seconds=before.seconds)
            if (after.started_at - stopped).total_seconds() >= NOTED_PAUSE_SECONDS:
                gaps.append(StoodStill(stopped, after.started_at, before.slot_id))
    return gaps


class Alert(StrEnum):
    PHASE_ENDING = "phase ending"
    PHASE_OVER = "phase over"
    SLOT_OVER = "case over"
    SESSION_OVER = "session over"


@dataclass(frozen=True)
class Rebalance:
    """More minutes for the current case: the session's spare minutes first, then minutes
    taken from the cases still to come."""

    slot_id: str
    asked: int
    given: int
    new_minutes: dict[str, int]  # the later cases' planned minutes after the change
    from_spare: int = 0

    @property
    def from_later(self) -> int:
        return self.given - self.from_spare

    @property
    def shortfall(self) -> int:
        return self.asked - self.given

    @property
    def summary(self) -> str:
        """Where the minutes come from, in a sentence."""
        sources = [
            f"{minutes} from {source}"
            for minutes, source in (
                (self.from_spare, "the session's spare time"),
                (self.from_later, "later cases"),
            )
            if minutes
        ]
        return f"{self.given} more minutes for this case: {' and '.join(sources) or 'none'}."


class SessionClock:
    def __init__(
        self,
        session: Session,
        fmt: SessionFormat,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], dt.datetime] = local_now,
    ) -> None:
        self.session = session
        self.fmt = fmt
        self._monotonic = monotonic
        self._wall = wall
        self.stops = run_order(session, fmt)
        self._anchor: float | None = None
        self._fired: set[tuple] = set()
        open_segment = self._open_segment()
        if open_segment is not None:
            # Resumed after a restart: the meeting went on while the app was closed.
            so_far = max(0.0, (wall() - open_segment.started_at).total_seconds())
            self._anchor = monotonic() - so_far

    # -- state ---------------------------------------------------------------------------

    @property
    def state(self) -> ClockState:
        if self.session.clock is None:
            self.session.clock = ClockState()
        return self.session.clock

    @property
    def started(self) -> bool:
        return self.session.clock is not None

    @property
    def finished(self) -> bool:
        return self.started and self.state.stop >= len(self.stops)

    @property
    def running(self) -> bool:
        return self._anchor is not None

    @property
    def paused(self) -> bool:
        return self.started and self.state.paused

    @property
    def stop(self) -> Stop:
        return self.stops[min(self.state.stop, len(self.stops) - 1)]

    @property
    def slot(self) -> CaseSlot | None:
        slot_id = self.stop.slot_id
        return self.session.slot(slot_id) if slot_id else None

    def on_copy(self) -> SessionClock:
        """This clock, running on a copy of its session: to try a change that may be undone."""
        twin = copy.copy(self)
        twin.session = self.session.model_copy(deep=True)
        twin._fired = set(self._fired)
        return twin

    def _open_segment(self) -> Segment | None:
        clock = self.session.clock
        if clock and clock.segments and clock.segments[-1].seconds is None:
            return clock.segments[-1]
        return None

    # -- moving through the session --------------------------------------------------------

    def start(self) -> None:
        if self.started:
            return
        self.session.status = SessionStatus.RUNNING
        self.session.started_at = self._wall()
        self._enter(0)

    def advance(self) -> None:
        """Move on to the next phase (after the last, the session is finished)."""
        self._close_segment()
        leaving = self.stop
        following = self.stops[self.state.stop + 1] if not self._at_last_stop() else None
        if leaving.slot_id and (following is None or following.slot_id != leaving.slot_id):
            self.session.slot(leaving.slot_id).ended_at = self._wall()
        if following is None:
            self.state.stop = len(self.stops)
            self.session.ended_at = self._wall()
        else:
            self._enter(self.state.stop + 1)

    def back(self) -> None:
        """Return to the previous phase, for a step taken by mistake."""
        if self.state.stop == 0:
            return
        self._close_segment()
        self._enter(self.state.stop - 1)

    def pause(self) -> None:
        if self.running:
            self._close_segment()
            self.state.paused = True

    def resume(self) -> None:
        if self.paused and not self.finished:
            self._start_segment()

    def _at_last_stop(self) -> bool:
        return self.state.stop >= len(self.stops) - 1

    def _enter(self, index: int) -> None:
        self.state.stop = index
        stop = self.stops[index]
        if stop.slot_id is None:  # the opening review or the close
            s = self.session
            planned = (s.opening_minutes if stop.phase == OPENING else s.closing_minutes) * 60.0
        else:
            slot = self.session.slot(stop.slot_id)
            if slot.started_at is None:
                slot.started_at = self._wall()
            slot.ended_at = None
            later = [s.share for s in self.stops[index:] if s.slot_id == stop.slot_id]
            planned = max(0.0, self.slot_left(slot)) * stop.share / sum(later)
        self.state.phase_planned_seconds = planned
        self._start_segment()
        self._fired = {key for key in self._fired if key[0] != "phase"}

    def _start_segment(self) -> None:
        stop = self.stop
        self.state.segments.append(
            Segment(slot_id=stop.slot_id, phase=stop.phase, started_at=self._wall())
        )
        self.state.paused = False
        self._anchor = self._monotonic()

    def _close_segment(self) -> None:
        segment = self._open_segment()
        if segment is not None:
            segment.seconds = self._live_seconds()
        self._anchor = None

    # -- time ----------------------------------------------------------------------------

    def _live_seconds(self) -> float:
        return self._monotonic() - self._anchor if self._anchor is not None else 0.0

    def _elapsed(self, segments: list[Segment]) -> float:
        return sum(s.seconds if s.seconds is not None else self._live_seconds() for s in segments)

    def phase_elapsed(self) -> float:
        """Time in the current phase since it was last entered."""
        segments = self.state.segments
        start = len(segments)
        stop = self.stop
        while start > 0 and (segments[start - 1].slot_id, segments[start - 1].phase) == (
            stop.slot_id,
            stop.phase,
        ):
            start -= 1
        return self._elapsed(segments[start:])

    def phase_left(self) -> float:
        return self.state.phase_planned_seconds - self.phase_elapsed()

    def slot_elapsed(self, slot: CaseSlot) -> float:
        return self._elapsed([s for s in self.state.segments if s.slot_id == slot.id])

    def slot_left(self, slot: CaseSlot) -> float:
        return slot.planned_minutes * 60.0 - self.slot_elapsed(slot)

    def session_elapsed(self) -> float:
        return self._elapsed(self.state.segments) if self.started else 0.0

    def session_left(self) -> float:
        """Running time left: the planned break is taken with the clock paused, so it is not
        part of it."""
        running = self.session.planned_minutes - self.session.break_minutes
        return running * 60.0 - self.session_elapsed()

    def paused_seconds(self) -> float:
        """How long the clock has stood still this time (0 while it runs)."""
        if not self.paused or not self.state.segments:
            return 0.0
        last = self.state.segments[-1]
        stopped = last.started_at + dt.timedelta(seconds=last.seconds or 0.0)
        return max(0.0, (self._wall() - stopped).total_seconds())

    def break_left(self) -> float | None:
        """The planned break's seconds not yet taken (below 0: over it), every stretch the clock
        stood still counting as break; None when the session plans no break."""
        if not self.session.break_minutes:
            return None
        stood_still = sum(
            (after.started_at - before.started_at).total_seconds() - (before.seconds or 0.0)
            for before, after in itertools.pairwise(self.state.segments)
        )
        return self.session.break_minutes * 60.0 - stood_still - self.paused_seconds()

    def alerts(self) -> list[Alert]:
        """Alerts that have become due since the last call, each given once."""
        if not self.started or self.finished:
            return []
        due = []
        phase_left = self.phase_left()
        slot = self.slot
        checks = [
            (("phase", Alert.PHASE_ENDING), 0 < phase_left <= WARNING_SECONDS),
            (("phase", Alert.PHASE_OVER), phase_left <= 0),
            ((slot and slot.id, Alert.SLOT_OVER), slot is not None and self.slot_left(slot) <= 0),
            (("session", Alert.SESSION_OVER), self.session_left() <= 0),
        ]
        for key, happened in checks:
            if happened and key not in self._fired:
                self._fired.add(key)
                due.append(key[1])
        return due

    # -- giving more time ----------------------------------------------------------------

    def later_slots(self) -> list[CaseSlot]:
        """Cases not yet started: the only ones that may give time."""
        return [s for s in self.session.slots if s.started_at is None and s is not self.slot]

    def overrun_minutes(self) -> int:
        return max(0, math.ceil(-self.phase_left() / 60))

    def spare_minutes(self) -> int:
        """Session time nothing still to come has a claim on: what the opening review and
        earlier cases left unused, less what overran. Whole minutes, never below zero."""
        claimed = 60.0 * sum(s.planned_minutes for s in self.later_slots())
        if self.slot is not None:
            claimed += max(0.0, self.slot_left(self.slot))
        else:  # the opening review or the close: the rest of this part
            claimed += max(0.0, self.phase_left())
        if self.stop.phase != CLOSING:
            claimed += self.session.closing_minutes * 60.0
        return max(0, math.floor((self.session_left() - claimed) / 60 + 1e-9))

    def propose_more_time(self, minutes: int) -> Rebalance:
        slot = self.slot
        if slot is None:
            raise ValueError("More time can be given only during a case.")
        from_spare = min(minutes, self.spare_minutes())
        later = self.later_slots()
        new = take_from([s.planned_minutes for s in later], minutes - from_spare)
        taken = sum(s.planned_minutes for s in later) - sum(new)
        return Rebalance(
            slot.id,
            minutes,
            from_spare + taken,
            {s.id: m for s, m in zip(later, new, strict=True)},
            from_spare,
        )

    def accept(self, rebalance: Rebalance) -> None:
        for slot_id, minutes in rebalance.new_minutes.items():
            self.session.slot(slot_id).planned_minutes = minutes
        self.session.slot(rebalance.slot_id).planned_minutes += rebalance.given
        self._give_phase(rebalance.given)

    def extend(self, minutes: int) -> None:
        """Lengthen the session, giving the minutes to whatever is running now."""
        self.session.planned_minutes += minutes
        if self.slot is not None:
            self.slot.planned_minutes += minutes
        elif self.stop.phase == OPENING:
            self.session.opening_minutes += minutes
        else:
            self.session.closing_minutes += minutes
        self._give_phase(minutes)
        self._fired.discard(("session", Alert.SESSION_OVER))

    def _give_phase(self, minutes: int) -> None:
        self.state.phase_planned_seconds += minutes * 60.0
        self._fired = {key for key in self._fired if key[0] not in ("phase", self.stop.slot_id)}
