"""Planned sessions and open next steps' due dates as an iCalendar file (RFC 5545).

Calendars are often shared or synced, so an event carries the pod, what kind of event it is,
the owner of a next step, and a session's time and place: never a case reference, a next
step's words or any other free text, where family names could stand.

Written here rather than with a library: the few properties used are plain to write (escaped
text, dates, UTC times, lines folded at 75 octets), and `groupsup calendar` then starts as
quickly as `groupsup actions`. The tests read every calendar back with icalendar.
"""

from __future__ import annotations

import datetime as dt

from groupsup.outputs.escaping import CONTROL
from groupsup.store.database import OpenStep, PlannedSession, PodView

FOLD_AT = 75  # octets a line, CRLF not counted (RFC 5545 3.1)


def calendar_for(
    pods: list[tuple[PodView, list[PlannedSession], list[OpenStep]]],
) -> tuple[str, int]:
    """The .ics text and how many events it holds, from each pod's planned sessions and its
    next steps still open (the store's open-steps index: no past session is read). Pods and
    sessions come as the store's light rows: writing a calendar loads no pydantic model."""
    events: list[list[str]] = []
    for pod, planned, open_steps in pods:
        events += [_session(pod, s) for s in planned]
        for step in open_steps:
            if step.due is not None:
                owner = pod.name_of(step.owner) or "no owner"
                events.append(
                    [
                        *_event(f"step-{step.id}", f"{pod.name}: next step due ({owner})"),
                        _day("DTSTART", step.due),
                        _day("DTEND", step.due + dt.timedelta(days=1)),
                        _text("DESCRIPTION", f"Agreed at the session of {step.agreed}."),
                    ]
                )
    stamp = _moment("DTSTAMP", dt.datetime.now(dt.UTC))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        _text("PRODID", "-//groupsup//group reflective supervision//EN"),
        *(line for event in events for line in ["BEGIN:VEVENT", *event, stamp, "END:VEVENT"]),
        "END:VCALENDAR",
    ]
    return "".join(_folded(line) for line in lines), len(events)


def _event(uid: str, summary: str) -> list[str]:
    return [_text("UID", f"{uid}@groupsup"), _text("SUMMARY", summary)]


def _session(pod: PodView, session: PlannedSession) -> list[str]:
    event = _event(f"session-{session.id}", f"{pod.name}: group reflective supervision")
    if session.starts_at is None:  # no time planned: the day
        event += [
            _day("DTSTART", session.date),
            _day("DTEND", session.date + dt.timedelta(days=1)),
        ]
    else:  # this machine's local time, written in UTC so every calendar agrees
        start = dt.datetime.combine(session.date, session.starts_at).astimezone(dt.UTC)
        event += [
            _moment("DTSTART", start),
            _moment("DTEND", start + dt.timedelta(minutes=session.planned_minutes)),
        ]
    if session.place.strip():
        event.append(_text("LOCATION", " ".join(session.place.split())))
    event.append(_text("DESCRIPTION", f"{session.cases} cases planned."))
    return event


def _text(name: str, value: str) -> str:
    """A TEXT property: backslash, semicolon, comma and line ends escaped, other controls
    (which TEXT may not hold) and bidirectional overrides left out, as on the terminal."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    escaped = escaped.replace("\r\n", "\n").replace("\n", "\\n")
    return f"{name}:{CONTROL.sub('', escaped)}"


def _day(name: str, day: dt.date) -> str:
    return f"{name};VALUE=DATE:{day:%Y%m%d}"


def _moment(name: str, moment: dt.datetime) -> str:
    return f"{name}:{moment.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"


def _folded(line: str) -> str:
    """The line ended by CRLF, folded (CRLF and a space) so that no line is longer than 75
    octets, never inside a character's UTF-8 bytes."""
    parts, part, size, limit = [], "", 0, FOLD_AT
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append(part)
            part, size, limit = "", 0, FOLD_AT - 1  # a continuation starts with its space
        part += char
        size += octets
    return "\r\n ".join([*parts, part]) + "\r\n"
