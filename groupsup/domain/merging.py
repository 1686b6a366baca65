"""Edits that could not be saved, put back over what another writer saved meanwhile: a
three-way merge of the session as plain data, so that only what the facilitator changed comes
back, and what the other writer changed stays."""

from __future__ import annotations

from typing import Any


def put_back(current: Any, edits: Any, base: Any) -> Any:
    """`edits` (the facilitator's copy) over `current` (as saved now), both from `base` (the
    copy both began from): what `edits` changed from `base` wins; the rest is `current`'s.
    Tables merge key by key, and lists of items with ids item by item (an item only one side
    added is kept; one the facilitator removed stays removed)."""
    if edits == base:
        return current
    if isinstance(edits, dict) and isinstance(current, dict) and isinstance(base, dict):
        return {
            key: put_back(current.get(key), edits[key], base.get(key))
            if key in current
            else edits[key]
            for key in edits
        }
    if _items(edits) and _items(current) and _items(base):
        return _put_back_items(current, edits, base)
    return edits


def _items(value: Any) -> bool:
    """A list of tables with ids: cases, hypotheses, next steps."""
    return isinstance(value, list) and all(isinstance(v, dict) and "id" in v for v in value)


def _put_back_items(current: list, edits: list, base: list) -> list:
    now = {item["id"]: item for item in current}
    before = {item["id"]: item for item in base}
    merged = [
        put_back(now[item["id"]], item, before.get(item["id"])) if item["id"] in now else item
        for item in edits
    ]
    mine = {item["id"] for item in edits}
    return merged + [item for item in current if item["id"] not in mine | before.keys()]
