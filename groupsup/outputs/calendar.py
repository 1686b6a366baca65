"""Planned sessions and open next steps' due dates as an iCalendar file (RFC 5545).

Each event carries only what a calendar needs: the pod, the action and its owner. Case
references and family names stay out of calendars, which are often shared or synced.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

from groupsup.domain import followup
from groupsup.domain.models import Pod, Session, SessionStatus


def calendar_for(pods: list[tuple[Pod, list[Session]]]) -> tuple[str, int]:
    """The .ics text and how many events it holds."""
    calendar = Calendar()
    calendar.add("prodid", "-//groupsup//group reflective supervision//EN")
    calendar.add("version", "2.0")
    events = 0
    stamp = dt.datetime.now(dt.UTC)
    for pod, sessions in pods:
        for session in sessions:
            if session.status is SessionStatus.PLANNED:
                calendar.add_component(
                    _all_day(
                        f"session-{session.id}@groupsup",
                        f"Group reflective supervision: {pod.name}",
                        session.date,
                        stamp,
                        f"{len(session.slots)} cases planned; about "
                        f"{session.planned_minutes // 60} hours.",
                    )
                )
                events += 1
        for tracked in followup.open_steps(sessions):
            if tracked.step.due is None:
                continue
            owner = pod.name_of(tracked.step.owner)
            calendar.add_component(
                _all_day(
                    f"step-{tracked.step.id}@groupsup",
                    f"Next step due ({owner}): {tracked.step.action}",
                    tracked.step.due,
                    stamp,
                    f"Agreed in {pod.name}'s session of {tracked.session.date}.",
                )
            )
            events += 1
    return calendar.to_ical().decode("utf-8"), events


def _all_day(uid: str, summary: str, day: dt.date, stamp: dt.datetime, description: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("dtstamp", stamp)
    event.add("description", description)
    return event
