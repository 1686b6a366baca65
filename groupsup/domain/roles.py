"""Who held which role in each of a pod's sessions: what planning reads of the pod's other
sessions to suggest who presents and who consults (`planning.suggest_presenters`). A pod's
whole history of these stays small, and a store reads them from its records without pydantic
(`Store.session_roles`), each field checked.

Free of pydantic, like `derived`.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import NamedTuple

from groupsup.domain.vocabulary import Anxiety, Category, SessionStatus


class CaseRoles(NamedTuple):
    """A case slot's roles, and what orders its presenter among equals (`rules.priority`)."""

    presenter: str
    consultant: str | None
    case_reference: str
    category: Category
    anxiety: Anxiety

    @property
    def title(self) -> str:
        return self.case_reference or "(no case reference)"

    @classmethod
    def from_record(cls, slot: object) -> CaseRoles:
        if not isinstance(slot, dict):
            raise ValueError("a case slot is not a record")
        consultant = slot.get("consultant")  # None when left out, as the model has it
        if consultant is not None and not isinstance(consultant, str):
            raise ValueError("a case's consultant is not text")
        return cls(
            _text(slot, "presenter", "a case's"),
            consultant and sys.intern(consultant),
            _text(slot, "case_reference", "a case's"),
            Category(_text(slot, "category", "a case's")),
            Anxiety(_text(slot, "anxiety", "a case's")),
        )


class SessionRoles(NamedTuple):
    id: str
    date: dt.date
    status: SessionStatus
    slots: tuple[CaseRoles, ...]

    @classmethod
    def of(cls, session) -> SessionRoles:
        """From a `models.Session`."""
        return cls(
            session.id,
            session.date,
            session.status,
            tuple(
                CaseRoles(s.presenter, s.consultant, s.case_reference, s.category, s.anxiety)
                for s in session.slots
            ),
        )

    @classmethod
    def from_record(cls, session: object) -> SessionRoles:
        """From a session's record (a `models.Session` as JSON); ValueError saying what it
        lacks or holds wrongly."""
        if not isinstance(session, dict):
            raise ValueError("it holds no session")
        slots = session.get("slots")
        if not isinstance(slots, list):
            raise ValueError("its case slots are not a list")
        return cls(
            _text(session, "id"),
            dt.date.fromisoformat(_text(session, "date")),
            SessionStatus(_text(session, "status")),
            tuple(CaseRoles.from_record(slot) for slot in slots),
        )


def _text(record: dict, key: str, whose: str = "its") -> str:
    value = record.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{whose} {key} is {'missing' if value is None else 'not text'}")
    # Interned: a pod's few member ids and case references are kept once, not once a session
    # (at 1,200 sessions the app's peak with the plan open is 3 MB lower).
    return sys.intern(value)
