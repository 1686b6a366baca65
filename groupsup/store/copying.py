"""Moving a service between engines: every pod, session, waiting observers' note and session
format of the pods' own of one store into another, all or nothing, then read back and
compared."""

from __future__ import annotations

from groupsup.domain.errors import GroupsupError, StoreDamaged
from groupsup.domain.models import MinutesDocument
from groupsup.store.interface import Store


def copy_store(source: Store, target: Store) -> int:
    """Copy `source` into the empty store `target`; returns how many sessions were copied.

    Refuses a target that holds anything and a source with a damaged session (name it, copy
    nothing). The sessions go in with one `add_documents`, which each engine makes all or
    nothing; afterwards every pod and session is read back from the target and compared.
    """
    if not target.is_empty():
        raise GroupsupError("The store to copy into already holds records; choose an empty one.")
    pods = {pod.id: pod for pod in source.pods()}
    sessions = source.sessions()
    if source.damaged:
        session_id, why = next(iter(source.damaged.items()))
        raise StoreDamaged(f"Nothing was copied: session {session_id} cannot be read. {why}")
    target.add_documents([MinutesDocument(pod=pods[s.pod_id], session=s) for s in sessions])
    for pod in pods.values():  # pods with no session yet; the others came with their sessions
        target.save_pod(pod)
    for format_id, (_, toml) in source.own_formats().items():
        target.save_format(format_id, toml)
    for session in sessions:
        for key, note in source.waiting_notes(session.id):
            target.post_note(session.id, key.removesuffix(".json"), note)
    _verify(source, target)
    return len(sessions)


def _verify(source: Store, target: Store) -> None:
    """Every pod, session and format reads back from the target exactly as from the source."""
    if target.pods() != source.pods():
        raise GroupsupError("The copy's pods differ from the original's; check the target.")
    if _tomls(target) != _tomls(source):
        raise GroupsupError("The copy's session formats differ from the original's.")
    for session in source.sessions():
        if target.session(session.id).model_dump() != session.model_dump():
            raise GroupsupError(
                f"Session {session.id} reads back differently from the copy; check the target."
            )


def _tomls(store: Store) -> dict[str, bytes]:
    return {format_id: toml for format_id, (_, toml) in store.own_formats().items()}
