"""The top of the run screen and of the observers' view: whose case it is, who holds which role,
the phase and what it is for, and the time left for the phase, the case and the session."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from groupsup.domain.clock import SessionClock
from groupsup.domain.models import Pod, Session
from groupsup.outputs.escaping import for_terminal
from groupsup.widgets.text import keep_shown
from groupsup.widgets.timer import TimerBar, minutes_and_seconds


def case_and_roles(
    pod: Pod, session: Session, clock: SessionClock, family_names: bool = True
) -> tuple[str, str]:
    """The case line and the roles line: the pod and facilitator between cases.
    Without `family_names`, the case reference is shown without its family name."""
    name = pod.name_of
    slot = clock.slot if clock.started and not clock.finished else None
    if slot is None:
        return f"{pod.name}, {session.date}", f"Facilitator {name(session.facilitator)}"
    number = session.slots.index(slot) + 1
    case = (
        f"Case {number} of {len(session.slots)}: "
        f"{slot.title if family_names else slot.title_without_family} · "
        f"{slot.category.value} · anxiety {slot.anxiety.value}"
    )
    observers = ", ".join(name(o) for o in slot.observers) or "none"
    consultant = name(slot.consultant) if slot.consultant else "none"
    roles = f"Presenter {name(slot.presenter)} · Consultant {consultant} · Observers {observers}"
    return case, roles


def phase_line(clock: SessionClock) -> Content:
    """The phase, where it stands among the case's phases, and what it is for."""
    if not clock.started:
        return Content("Not started.")
    if clock.finished:
        return Content("Finished.")
    stop = clock.stop
    case_phases = [s for s in clock.stops if s.slot_id == stop.slot_id]
    where = f" ({case_phases.index(stop) + 1} of {len(case_phases)})" if stop.slot_id else ""
    return Content.assemble((f"{stop.title}{where}: ", "bold $accent"), (stop.prompt, "italic"))


def pause_line(clock: SessionClock, resume_key: str = "") -> Content:
    """While the clock stands still: the planned break and what is left of it (a pause is the
    break until its minutes are used), or how long the clock has been paused; and the key that
    sets it going again, on the facilitator's screen."""
    left = clock.break_left()
    if left is not None and left + clock.paused_seconds() > 0:
        planned = f"the {clock.session.break_minutes} min planned"
        if left >= 0:
            said = f"Break · {minutes_and_seconds(left)} left of {planned}"
        else:
            said = f"Break · {minutes_and_seconds(left)} over {planned}"
    else:
        said = f"Clock paused for {minutes_and_seconds(clock.paused_seconds())}"
    resume = f" · {resume_key} resumes the clock" if resume_key else ""
    return Content.assemble((said, "bold reverse $warning"), resume)


class SessionHeader(Vertical):
    """Redrawn by `show` when the phase changes and by `tick` as time passes. `resume_key`: the
    key that ends a pause, shown while the clock stands still (the facilitator's screen)."""

    def __init__(self, resume_key: str = "") -> None:
        super().__init__()
        self.resume_key = resume_key

    def compose(self) -> ComposeResult:
        yield Static("", id="case-line", markup=False)
        yield Static("", id="roles-line", markup=False)
        yield Static("", id="phase-line", markup=False)
        yield TimerBar(id="timer")

    def show(
        self, pod: Pod, session: Session, clock: SessionClock, family_names: bool = True
    ) -> None:
        case, roles = case_and_roles(pod, session, clock, family_names)
        self.query_one("#case-line", Static).update(Content(for_terminal(case)))
        self.query_one("#roles-line", Static).update(Content(for_terminal(roles)))
        self.tick(clock)

    def tick(self, clock: SessionClock) -> None:
        standing_still = clock.paused and not clock.finished
        keep_shown(
            self.query_one("#phase-line", Static),
            pause_line(clock, self.resume_key) if standing_still else phase_line(clock),
        )
        timer = self.query_one(TimerBar)
        timer.display = clock.started and not clock.finished
        if timer.display:
            timer.show(clock)
