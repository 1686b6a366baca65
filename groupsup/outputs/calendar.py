"""Planned sessions and open next steps' due dates as an iCalendar file (RFC 5545).

Calendars are often shared or synced, so an event carries the pod, what kind of event it is,
the owner of a next step, and a session's time and place: never a case reference, a next
step's words or any other free text, where family names could stand.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

from groupsup.domain.models import Pod, Session, SessionStatus
from groupsup.store.database import OpenStep


def calendar_for(pods: list[tuple[Pod, list[Session], list[OpenStep]]]) -> tuple[str, int]:
    """The .ics text and how many events it holds, from each pod's planned sessions and its
    next steps still open (the store's open-steps index: no past session is read)."""
    calendar = Calendar()
    calendar.add("prodid", "-//groupsup//group reflective supervision//EN")
    calendar.add("version", "2.0")
    events = []
    for pod, planned, open_steps in pods:
        events += [_session(pod, s) for s in planned if s.status is SessionStatus.PLANNED]
        for step in open_steps:
            if step.due is not None:
                owner = pod.name_of(step.owner) or "no owner"
                event = _event(f"step-{step.id}", f"{pod.name}: next step due ({owner})")
                event.add("dtstart", step.due)
                event.add("dtend", step.due + dt.timedelta(days=1))
                event.add("description", f"Agreed at the session of {step.agreed}.")
                events.append(event)
    stamp = dt.datetime.now(dt.UTC)
    for event in events:
        event.add("dtstamp", stamp)
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8"), len(events)


def _event(uid: str, summary: str) -> Event:
    event = Event()
    event.add("uid", f"{uid}@groupsup")
    event.add("summary", summary)
    return event


def _session(pod: Pod, session: Session) -> Event:
    event = _event(f"session-{session.id}", f"{pod.name}: group reflective supervision")
    if session.starts_at is None:  # no time planned: the day
        event.add("dtstart", session.date)
        event.add("dtend", session.date + dt.timedelta(days=1))
    else:  # this machine's local time, written in UTC so every calendar agrees
        start = dt.datetime.combine(session.date, session.starts_at).astimezone(dt.UTC)
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(minutes=session.planned_minutes))
    if session.place.strip():
        event.add("location", " ".join(session.place.split()))
    event.add("description", f"{len(session.slots)} cases planned.")
    return event
