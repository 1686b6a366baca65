"""A case record for the child's file: this case's supervision, and not a word of any other."""

from __future__ import annotations

import pytest

from groupsup.cli import main
from groupsup.domain.models import Session
from groupsup.outputs import minutes

PLANTED = "Zyxquorple"
# Keys that name people or records, not text anyone wrote: a planted word there is no test.
_KEYS = {
    "id", "presenter", "consultant", "observer", "owner", "offered_by", "written_by",
    "a", "b", "child", "parents", "members", "observers", "twin_group", "step_id", "agreed_in",
    "pod_id", "facilitator",
}  # fmt: skip


def _planted(value, key: str = ""):
    """Every piece of free text in `value` with the planted word added."""
    if isinstance(value, dict):
        if "signoff_reason" in value:  # a reason is only for a step needing sign-off
            value = value | {"needs_signoff": True}
        return {k: _planted(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_planted(v, key) for v in value]
    if type(value) is str and key not in _KEYS:
        return f"{value} {PLANTED}"
    return value


def _plant_in_other_cases(session: Session, keep: int) -> Session:
    data = session.model_dump()
    data["slots"] = [
        slot if number == keep else _planted(slot) for number, slot in enumerate(data["slots"], 1)
    ]
    return Session.model_validate(data)


@pytest.fixture
def planted(demo_store):
    session = demo_store.session("demo-s1")
    return demo_store.pod(session.pod_id), _plant_in_other_cases(session, keep=1)


TEXT_FORMATS = [minutes.Format.MD, minutes.Format.HTML]


@pytest.mark.parametrize("form", TEXT_FORMATS)
def test_a_case_record_holds_no_other_cases_text(planted, form):
    pod, session = planted
    assert PLANTED in minutes.render(pod, session, form)  # the word is there to be found
    record = minutes.render_case(pod, session, 1, form)
    assert PLANTED not in record
    assert "Ahmed" not in record and "CS-31177" not in record
    assert "Brooks" in record


@pytest.mark.parametrize("form", TEXT_FORMATS)
def test_a_case_record_holds_what_the_childs_file_needs(demo_store, form):
    session = demo_store.session("demo-s1")
    record = minutes.render_case(demo_store.pod(session.pod_id), session, 1, form)
    for expected in [
        "OFFICIAL-SENSITIVE",
        "28 September 2026",
        "North Pod",
        "Tom Whitaker",  # presenter
        "Priya Shah",  # consultant
        "How do I keep Jayden",  # the dilemma
        "Daniel Okoro",  # offered a hypothesis
        "gender, race, age, class",  # GRRAACCEESS discussed
        "Resonance was offered by Daniel Okoro, Hannah Kowalski",
        "working around Ryan instead of with him",  # what the presenter gained
        "Consider a legal planning meeting",
        "19 October 2026",
        "needed",  # manager sign-off
        "No safeguarding concern was raised",
    ]:
        assert expected in record, expected
    assert "I have a dad who charms me" not in record  # an observer's own case


def test_the_command_line_writes_one_case(capsys, demo_store, tmp_path):
    out_file = tmp_path / "out" / "case1.md"
    code = main(
        ["export", "demo-s1", "--case", "1", "-o", str(out_file), "--store", str(demo_store.root)]
    )
    assert code == 0
    text = out_file.read_text()
    assert "CS-20418 (Brooks)" in text and "CS-31177" not in text
    assert out_file.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--case", "3"], "Session demo-s1 has 2 cases; the case number must be 1 to 2, not 3."),
        (["--case", "1", "--format", "json"], "A case record is written as"),
    ],
)
def test_a_wrong_case_is_one_sentence(capsys, demo_store, argv, message):
    code = main(["export", "demo-s1", *argv, "--store", str(demo_store.root)])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.startswith(f"groupsup: {message}")
    assert "Traceback" not in err
