"""The run screen's moves through the session and its time: next and previous phase, pause, more
time, the alerts as time runs out, and the tick that redraws what time changes."""

from __future__ import annotations

from groupsup.domain.clock import CLOSING, Alert, Rebalance
from groupsup.screens.run_observers import RunObservers
from groupsup.screens.time import Extend, MoveOn, TimeDialog
from groupsup.widgets.session_header import SessionHeader


class RunMoves(RunObservers):
    def tick(self) -> None:
        clock = self.clock
        if self.focused is None and self.app.screen is self:
            self._focus_phase()  # focus was lost (a hidden field): typing must land somewhere
        self.query_one(SessionHeader).tick(clock)
        for alert in clock.alerts():
            self._alert(alert)
        self.poll_observers()

    def _alert(self, alert: Alert) -> None:
        phase = self.clock.stop.title
        if alert is Alert.PHASE_ENDING:
            self.notify(f"Two minutes left for {phase}.", markup=False)
            return
        if self.gs.bell_on_overrun:
            self.app.bell()
        message = {
            Alert.PHASE_OVER: f"Time is up for {phase}.",
            Alert.SLOT_OVER: "This case has used all its time.",
            Alert.SESSION_OVER: "The session has used all its time.",
        }[alert]
        self.notify(
            f"{message} Ctrl+T gives more time; Ctrl+N moves on.",
            title="Over time",
            severity="warning",
            markup=False,
        )

    def action_next_phase(self) -> None:
        if self.clock.stop.phase == CLOSING:
            from groupsup.screens.close import CloseScreen

            self.save_now()
            self.app.push_screen(CloseScreen(self.pod, self.session, self.clock))
            return
        self.clock.advance()
        self.save()
        self.show_stop()

    def action_previous_phase(self) -> None:
        self.clock.back()
        self.save()
        self.show_stop()

    def action_pause(self) -> None:
        if self.clock.paused:
            self.clock.resume()
            self.notify("Clock running again.")
        else:
            self.clock.pause()
            self.notify("Clock paused for everything. Ctrl+O resumes.")
        self.save()
        self.tick()

    def action_bell(self) -> None:
        self.gs.bell_on_overrun = not self.gs.bell_on_overrun
        self.notify(f"The bell on overrun is {'on' if self.gs.bell_on_overrun else 'off'}.")

    def action_more_time(self) -> None:
        def chosen(choice: Rebalance | Extend | MoveOn | None) -> None:
            if isinstance(choice, Rebalance):
                self.clock.accept(choice)
                self.notify(choice.summary)
            elif isinstance(choice, Extend):
                self.clock.extend(choice.minutes)
                self.notify(f"Session extended by {choice.minutes} minutes.")
            else:
                if isinstance(choice, MoveOn):
                    self.action_next_phase()
                return
            self.save()
            self.show_stop()

        self.app.push_screen(TimeDialog(self.pod, self.clock), chosen)
