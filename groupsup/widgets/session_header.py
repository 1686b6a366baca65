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
from groupsup.widgets.timer import TimerBar


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


class SessionHeader(Vertical):
    """Redrawn by `show` when the phase changes and by `tick` as time passes."""

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
        self.query_one("#phase-line", Static).update(phase_line(clock))
        self.tick(clock)

    def tick(self, clock: SessionClock) -> None:
        timer = self.query_one(TimerBar)
        timer.display = clock.started and not clock.finished
        if timer.display:
            timer.show(clock)
