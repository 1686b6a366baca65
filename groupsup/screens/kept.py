"""Edits a refused save kept aside (`store.writer`): offered back as the session opens again,
where only what they changed goes back over what the session holds now."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from groupsup.domain.errors import GroupsupError, explain
from groupsup.domain.merging import put_back
from groupsup.domain.models import Session
from groupsup.screens.base import GroupSupScreen
from groupsup.screens.forms import Confirm
from groupsup.store import writer


def offer_kept_edits(
    screen: GroupSupScreen, session: Session, restore: Callable[[Session], None]
) -> None:
    """If a failed save kept edits of `session` aside: asked, `restore` is given the session
    with them put back (then they are let go), or they are let go."""
    root = screen.gs.store.root
    kept = writer.kept_edits(root, session.id)
    if kept is None:
        return

    def answer(wanted: bool | None) -> None:
        if wanted:
            restored = _put_back(screen, session, kept)
            if restored is None:
                return  # (said why; the edits stay aside)
            _back_up_first(screen)
            restore(restored)
        writer.forget_unsaved(root, session.id)

    screen.app.push_screen(
        Confirm(
            "Put back edits that could not be saved?",
            "Last time this session was open, some edits could not be saved; they were "
            "kept aside. Enter puts back what they changed, keeping what was saved "
            "meanwhile otherwise; Escape lets them go.",
        ),
        answer,
    )


def _back_up_first(screen: GroupSupScreen) -> None:
    """A backup of the store as it stands, edits kept aside included, before they go back: a
    field both the facilitator and another writer changed takes what was typed, and the other
    writer's stays in the backup. Unchecked, as the undo of a restore is: a damaged record
    elsewhere never keeps the words from going back."""
    try:
        screen.gs.store.backup("before putting back edits", checked=False)
    except (GroupsupError, OSError) as error:
        screen.notify(
            f"No backup could be taken first ({error}); the edits go back all the same.",
            severity="warning",
            markup=False,
        )


def _put_back(screen: GroupSupScreen, session: Session, kept: writer.Kept) -> Session | None:
    """`session` with what the kept edits changed put back (all of them, if what they began
    from is not known); None, said, if that is not a session the rules allow."""
    if kept.base is None:
        return kept.session
    now = session.model_dump(mode="json")
    try:
        return Session.model_validate(
            put_back(now, kept.session.model_dump(mode="json"), kept.base)
        )
    except ValidationError as error:
        screen.notify(
            f"The edits kept aside do not fit what the session holds now ({explain(error)}); "
            f"they stay in {writer.unsaved_path(screen.gs.store.root, session.id)}.",
            severity="error",
            markup=False,
        )
        return None
