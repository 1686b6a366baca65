"""`groupsup import` refuses exactly what the forms refuse, with the same sentence."""

from __future__ import annotations

import pytest
from conftest import edited_export
from test_app import back_on_the_run_screen, type_text
from textual.widgets import Static

from groupsup.app import GroupSupApp
from groupsup.cli import main
from groupsup.domain.models import REASON_WITHOUT_SIGNOFF
from groupsup.screens.forms import ResonanceForm


def _blank_resonance(data: dict) -> None:
    slot = data["session"]["slots"][0]
    slot["resonance"] = [{"id": "r1", "observer": slot["observers"][0], "text": "  "}]


def _blank_concern(data: dict) -> None:
    data["session"]["slots"][0]["safeguarding"] = {"concern": " ", "action_taken": ""}


def _retired_facilitator(data: dict) -> None:
    pod = data["pod"]
    next(m for m in pod["members"] if m["id"] == pod["facilitator"])["retired"] = True


def _absent_observer(data: dict) -> None:
    session = data["session"]
    slot = session["slots"][0]
    session["attendees"].remove(slot["observers"][0])


def _early_step(data: dict) -> None:
    slot = data["session"]["slots"][0]
    slot["next_steps"] = [{"id": "n1", "action": "Visit school", "due": "2000-01-01"}]


def _reason_without_signoff(data: dict) -> None:
    slot = data["session"]["slots"][0]
    slot["next_steps"] = [{"id": "n1", "action": "Visit school", "signoff_reason": "PLO"}]


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (_blank_resonance, "Write the note: how does the case speak to their own work?"),
        (_blank_concern, "Say what the concern is."),
        (_retired_facilitator, "is the pod's facilitator: make someone else the facilitator"),
        (_absent_observer, "is not marked present, so cannot be an observer."),
        (_early_step, "the next step 'Visit school' is due on 2000-01-01, before the session"),
        (_reason_without_signoff, REASON_WITHOUT_SIGNOFF),
    ],
)
def test_import_refuses_what_the_forms_refuse(capsys, demo_store, tmp_path, change, sentence):
    path = edited_export(demo_store, "demo-s2", tmp_path, change)
    capsys.readouterr()
    assert main(["--store", str(demo_store.root), "import", str(path), "--replace"]) == 2
    err = capsys.readouterr().err
    assert sentence.rstrip(".") in err and err.count("\n") == 1


async def test_the_resonance_form_refuses_a_blank_note_with_the_same_sentence(demo_store):
    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("ctrl+n", "ctrl+r")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ResonanceForm)
        await pilot.press("tab")  # from the observer to the note
        await type_text(pilot, "   ")
        await pilot.press("ctrl+s")
        await pilot.pause()
        problem = str(form.query_one("#problem", Static).render())
        assert problem == "Write the note: how does the case speak to their own work?"
        await pilot.press("escape")
        await back_on_the_run_screen(pilot)
