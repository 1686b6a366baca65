"""The run screen and the observers' own screens: who has joined, their join codes, and the notes
they send, taken into the record."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from groupsup.domain.errors import GroupsupError
from groupsup.observers import joining
from groupsup.screens.base import say_not_written
from groupsup.screens.join_codes import JoinCodesDialog
from groupsup.screens.run_stage import RunStage
from groupsup.widgets.text import keep_shown


class RunObservers(RunStage):
    _observers_out_of_reach = False  # said once for each time the store cannot be reached

    def poll_observers(self) -> None:
        """Each tick: the notes observers sent, and who has joined. A store out of reach (a
        database's connection lost) is said once; the session goes on, and the next tick tries
        again."""
        try:
            self.take_in_notes()
            self._show_joined()
        except GroupsupError as error:
            if not self._observers_out_of_reach:
                self._observers_out_of_reach = True
                self.notify(
                    f"{error} Observers' notes wait in the store meanwhile.",
                    title="The store cannot be reached",
                    severity="warning",
                    markup=False,
                )
        else:
            self._observers_out_of_reach = False

    def _show_joined(self) -> None:
        """Who has joined from their own screens, and where the facilitator finds their codes."""
        joined = joining.present(self.gs.store, self.session.id, self.gs.wall())
        names = ", ".join(self.pod.name_of(m) for m in joined) or "nobody yet"
        keep_shown(
            self.query_one("#join-line", Static),
            Content(f"Observers joined: {names} · F4: their join codes"),
        )

    def take_in_notes(self) -> None:
        """Notes observers sent from their own screens: into the record, saved, then cleared."""
        arrivals = joining.take_in_waiting(self.gs.store, self.session, lambda _: self.save_now())
        for problem in arrivals.problems:
            self.notify(problem, severity="error", markup=False)
        for note in arrivals.taken:
            self.notify(
                f"{note.kind.value} from {self.pod.name_of(note.author)}",
                title="A note arrived",
                markup=False,
            )
        if arrivals.taken and self.slot is not None:
            self._show_items()

    def action_join_codes(self) -> None:
        try:
            codes = joining.open_joining(self.gs.store, self.session, self.gs.wall())
        except OSError as error:
            say_not_written(self, "The join codes", error)
            return
        joined = joining.present(self.gs.store, self.session.id, self.gs.wall())

        def chosen(family_names: bool | None) -> None:
            if family_names is not None and family_names != codes.family_names:
                store, wall = self.gs.store, self.gs.wall()
                try:
                    joining.show_family_names(store, self.session, family_names, wall)
                except OSError as error:
                    say_not_written(self, "The choice to show family names", error)

        self.app.push_screen(JoinCodesDialog(self.pod, codes, set(joined)), chosen)
