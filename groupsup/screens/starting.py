"""Starting a planned session, from home or from its plan: a session dated after today is run
only once the facilitator agrees to move it to today."""

from __future__ import annotations

from collections.abc import Callable

from groupsup.domain import planning
from groupsup.domain.dates import when
from groupsup.domain.models import Session
from groupsup.screens.base import GroupSupScreen
from groupsup.screens.forms import Confirm


def run_today(
    screen: GroupSupScreen, session: Session, save: Callable[[], bool], run: Callable[[], object]
) -> None:
    """Call `run` for `session`; if it is dated in the future, first ask to move it to today
    (Enter) and `save` it, or leave it planned as it is (Escape)."""
    today = screen.gs.today()
    if not planning.dated_in_future(session, today):
        run()
        return
    planned_for = session.date

    def answer(move: bool | None) -> None:
        if not move:
            screen.notify(f"The session stays planned for {when(planned_for)}.", markup=False)
            return
        planning.move_to_today(session, today)
        if save():
            run()
        else:
            session.date = planned_for  # not saved: the session stays as the store has it

    screen.app.push_screen(
        Confirm(
            "Run this session today?",
            f"This session is planned for {when(planned_for)}; today is {when(today)}. "
            "Enter moves it to today and runs it, so its record carries the day it was held. "
            "Escape leaves it planned.",
        ),
        answer,
    )
