"""Putting back edits that could not be saved: only what the facilitator changed comes back."""

from groupsup.domain.merging import put_back

BASE = {
    "place": "Room 4",
    "slots": [
        {"id": "a", "notes": "", "genogram": {"people": []}},
        {"id": "b", "notes": "", "genogram": {"people": []}},
    ],
}


def test_each_side_keeps_what_it_changed():
    """The facilitator typed notes in case a while another groupsup brought in its genogram
    (a cold attacker's case: the put-back wiped the seven people brought in)."""
    mine = {**BASE, "slots": [{**BASE["slots"][0], "notes": "Dad works nights"}, BASE["slots"][1]]}
    theirs = {
        **BASE,
        "slots": [{**BASE["slots"][0], "genogram": {"people": ["Kelly"]}}, BASE["slots"][1]],
    }
    assert put_back(theirs, mine, BASE)["slots"][0] == {
        "id": "a",
        "notes": "Dad works nights",
        "genogram": {"people": ["Kelly"]},
    }


def test_the_same_field_changed_on_both_sides_takes_what_was_typed():
    assert (
        put_back({**BASE, "place": "Hall"}, {**BASE, "place": "4B upstairs"}, BASE)["place"]
        == "4B upstairs"
    )


def test_items_added_on_either_side_are_kept_and_one_removed_by_the_facilitator_is_not():
    added_by_them = {**BASE, "slots": [*BASE["slots"], {"id": "c", "notes": "theirs"}]}
    mine = {**BASE, "slots": [BASE["slots"][0], {"id": "d", "notes": "mine"}]}  # b removed
    assert [s["id"] for s in put_back(added_by_them, mine, BASE)["slots"]] == ["a", "d", "c"]


def test_with_nothing_to_go_by_the_edits_come_back_whole():
    assert put_back({"place": "Hall"}, {"place": "4B"}, None) == {"place": "4B"}
