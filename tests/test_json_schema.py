"""Every JSON export validates against `groupsup schema`, with format checking on (jsonschema):
timestamps are RFC 3339 date-times, with their time zone."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from groupsup.cli import main
from groupsup.outputs import minutes


@pytest.fixture
def validator(capsys):
    # Imported here: jsonschema's format checker builds a grammar as it is imported, seconds that
    # every process of the suite would pay while collecting, whether it runs these tests or not.
    from jsonschema import Draft202012Validator

    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:groupsup:schema:minutes:3"
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_the_format_checker_is_on_and_refuses_a_time_without_a_zone(validator):
    document = {"pod": {"id": "p", "name": "P"}, "session": {"pod_id": "p", "date": "2026-01-05"}}
    validator.validate(document | {"session": document["session"] | {"started_at": None}})
    from jsonschema import ValidationError

    with pytest.raises(ValidationError, match="'2026-01-05T10:00:00' is not valid"):
        naive = document["session"] | {"started_at": "2026-01-05T10:00:00"}
        validator.validate(document | {"session": naive})


@pytest.mark.parametrize("session_id", ["demo-s1", "demo-s2", "demo-s3"])
def test_every_json_export_validates(validator, demo_store, capsys, session_id):
    assert main(["export", session_id, "--format", "json", "--store", str(demo_store.root)]) == 0
    data = json.loads(capsys.readouterr().out)
    validator.validate(data)
    if session_id != "demo-s3":  # a closed session: its times carry their zone
        started = dt.datetime.fromisoformat(data["session"]["started_at"])
        assert started.tzinfo is not None


def test_a_naive_time_in_memory_is_written_with_its_zone(validator, demo_store):
    session = demo_store.session("demo-s1")
    session.slots[0].started_at = dt.datetime(2026, 9, 28, 10, 10)  # as an old record had it
    data = json.loads(minutes.as_json(demo_store.pod(session.pod_id), session))
    validator.validate(data)
    assert data["session"]["slots"][0]["started_at"].startswith("2026-09-28T10:10:00")


def test_a_postponed_session_and_the_one_in_its_place_validate(validator, demo_store, capsys):
    store = str(demo_store.root)
    assert main(["--store", store, "postpone", "demo-s3", "--to", "+30", "--reason", "Snow"]) == 0
    capsys.readouterr()
    for summary in demo_store.summaries("north-pod"):
        assert main(["export", summary.id, "--format", "json", "--store", store]) == 0
        validator.validate(json.loads(capsys.readouterr().out))
