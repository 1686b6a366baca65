"""Import sessions from JSON minutes: every file is checked before anything is written."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from pydantic import ValidationError

from groupsup.domain import rules
from groupsup.domain.errors import GroupsupError, every_problem
from groupsup.domain.models import MinutesDocument, Session
from groupsup.genogram.gedcom import Imported, NotGedcom, from_gedcom
from groupsup.store.interface import AlreadyStored, Store
from groupsup.store.migrations import UnknownVersion, upgrade


class ImportRefused(GroupsupError):
    """A file cannot be imported; nothing was written."""


# Minutes of a long session with every genogram are well under a megabyte; the cap keeps a
# mistaken file (a disk image, /dev/zero) from filling the memory.
MAX_BYTES = 20 * 1024 * 1024


def _read_capped(path: Path, what: str) -> bytes:
    if path.exists() and not (path.is_file() or path.is_dir()):  # (a pipe would never end)
        raise ImportRefused(f"{path}: is not a file (a named pipe, a device), so it is not {what}.")
    try:
        with Path(path).open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise ImportRefused(f"{path}: cannot be read ({error.strerror}).") from None
    if len(raw) > MAX_BYTES:
        raise ImportRefused(f"{path}: is larger than 20 MB, so it is not {what}.")
    return raw


def read_genogram(path: Path) -> Imported:
    """A genogram from a GEDCOM 7 file (a genealogy or genogram program's export), with what
    in the file it does not hold."""
    raw = _read_capped(path, "a family's GEDCOM file")
    try:
        return from_gedcom(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ImportRefused(f"{path}: is not GEDCOM 7 (which is always UTF-8 text).") from None
    except NotGedcom as error:
        raise ImportRefused(f"{path}: is not GEDCOM 7 ({error}).") from None


def read_document(path: Path) -> MinutesDocument:
    """One JSON minutes file, checked as the store would check it."""
    raw = _read_capped(path, "groupsup minutes")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ImportRefused(f"{path}: is not JSON ({error}).") from None
    except RecursionError:
        raise ImportRefused(f"{path}: is nested too deeply to be groupsup minutes.") from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise ImportRefused(
            f"{path}: is not groupsup minutes (no schema_version); "
            "export them with 'groupsup export --format json'."
        )
    try:
        data = upgrade(data)
    except UnknownVersion as error:
        raise ImportRefused(f"{path}: {error}.") from None
    try:
        document = MinutesDocument.model_validate(data)
        rules.check_session(document.pod, document.session)
    except ValidationError as error:
        raise ImportRefused(f"{path}: {every_problem(error)}") from None
    except GroupsupError as error:
        raise ImportRefused(f"{path}: {error}") from None
    return document


def _stored_sessions(store: Store, documents: dict[Path, MinutesDocument]) -> dict:
    """The stored sessions of every pod the import touches: the documents' pods, and the pods
    the sessions it replaces are in now."""
    where = {summary.id: summary.pod_id for summary in store.summaries()}
    pods = {document.pod.id for document in documents.values()}
    pods |= {where[d.session.id] for d in documents.values() if d.session.id in where}
    stored: dict[str, Session] = {}
    for summary in (summary for pod_id in pods for summary in store.summaries(pod_id)):
        with contextlib.suppress(GroupsupError):  # a damaged one: check names it
            stored[summary.id] = store.session(summary.id)
    return stored


def _refuse_a_held_session_unheld(stored: dict, documents: dict[Path, MinutesDocument]) -> None:
    """What the pod's record holds (a session held, postponed or cancelled) stays as it is: a
    replacement that made it planned would let it be deleted, and the record lose it."""
    for path, document in documents.items():
        was = stored.get(document.session.id)
        if was and was.status.in_the_record and document.session.status is not was.status:
            raise ImportRefused(
                f"{path}: session {was.id} is {was.status.value} in the store, and a "
                f"replacement cannot make it {document.session.status.value}: the pod's "
                "record keeps it as it is."
            )


def _refuse_step_conflicts(
    stored: dict, after: dict, documents: dict[Path, MinutesDocument]
) -> None:
    """A next step's id is how later sessions review it and how the open steps list it. One
    held by another session of the pod (a copy of a session imported under a new id, say)
    would hide that session's step, or take its reviews; a replacement that leaves out a step
    another session reviewed would lose that follow-up, and one moved into another pod would
    part its steps from their reviews. `after`: the pods' sessions as the import leaves them."""
    holder = {step.id: session.id for session in stored.values() for step in session.next_steps}
    reviewer = {review.step_id: other for other in after.values() for review in other.review}
    for path, document in documents.items():
        session = document.session
        for step in session.next_steps:
            if holder.setdefault(step.id, session.id) != session.id:
                raise ImportRefused(
                    f"{path}: next step '{step.action}' has the id of one of session "
                    f"{holder[step.id]}'s ({step.id}); a session's steps are its own."
                )
            if (by := reviewer.get(step.id, session)).pod_id != session.pod_id:
                raise ImportRefused(
                    f"{path}: it moves session {session.id} out of the pod of session "
                    f"{by.id}, which reviews its next step '{step.action}'; a session stays "
                    "in the pod that follows it up."
                )
        kept = {step.id for step in session.next_steps}
        replaced = stored.get(session.id)
        for step in replaced.next_steps if replaced else []:
            by = reviewer.get(step.id, session)
            if step.id not in kept and by.id != session.id:
                raise ImportRefused(
                    f"{path}: it leaves out next step '{step.action}' ({step.id}), but "
                    f"session {by.id} reviews it; a replacement keeps what later sessions "
                    "followed up."
                )


def _refuse_reviews_astray(after: dict, documents: dict[Path, MinutesDocument]) -> None:
    """Each review the import brings, or whose step it brings, is of a step agreed at an
    earlier session, as that session has it: a review dated before its step, or of a step its
    session does not hold, or saying another action or owner, would make the follow-up lie."""
    incoming = {document.session.id: path for path, document in documents.items()}
    agreed = {step.id: (s, step) for s in after.values() for step in s.next_steps}
    for reviewer in after.values():
        for review in reviewer.review:
            holder, step = agreed.get(review.step_id, (after.get(review.agreed_in), None))
            path = incoming.get(reviewer.id) or (holder and incoming.get(holder.id))
            if path is None or holder is None:  # (the agreeing session may come later)
                continue
            if step is None or holder.id != review.agreed_in:
                problem = f"session {holder.id} holds no such step"
            elif holder.date >= reviewer.date:
                problem = f"it was agreed at session {holder.id}, on or after the review"
            elif review.action != step.action or review.owner not in (None, step.owner):
                problem = f"it does not say what session {holder.id} agreed (the action, owner)"
            else:
                continue
            raise ImportRefused(
                f"{path}: session {reviewer.id} reviews next step '{review.action}' "
                f"({review.step_id}), but {problem}."
            )


def import_files(store: Store, paths: list[Path], replace: bool = False) -> int:
    """Add every session in `paths` to the store, or none of them. Returns how many."""
    documents = [read_document(path) for path in paths]
    seen: dict[str, Path] = {}
    for path, document in zip(paths, documents, strict=True):
        session_id = document.session.id
        if session_id in seen:
            raise ImportRefused(f"{path}: holds session {session_id}, as {seen[session_id]} does.")
        seen[session_id] = path
    named = dict(zip(paths, documents, strict=True))
    stored = _stored_sessions(store, named)
    if replace:  # (else a stored session is refused as already there)
        _refuse_a_held_session_unheld(stored, named)
    after = stored | {document.session.id: document.session for document in documents}
    _refuse_step_conflicts(stored, after, named)
    _refuse_reviews_astray(after, named)
    try:
        store.add_documents(documents, replace=replace)
    except AlreadyStored as error:
        raise ImportRefused(
            f"{seen[error.session_id]}: session {error.session_id} is already in the store; "
            "add --replace to overwrite it."
        ) from None
    return len(documents)
