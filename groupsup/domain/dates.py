"""Dates as facilitators type them: 2026-12-01, 1/12/2026 (day first), +14 or +2w from a day."""

from __future__ import annotations

import datetime as dt
import re

from groupsup.domain.errors import GroupsupError

EXAMPLE_DAYS = 14  # a hint's example date is this long after the day it is typed against


def example_dates(near: dt.date) -> tuple[str, str]:
    """A date as a facilitator may type it, in both forms, two weeks after `near` (the
    session's date, or today) so the example is never in the past: ('2026-12-09', '9/12/2026')."""
    day = near + dt.timedelta(days=EXAMPLE_DAYS)
    return day.isoformat(), f"{day.day}/{day.month}/{day.year}"


FIRST_YEAR, LAST_YEAR = 1900, 9998


class BadDate(GroupsupError):
    pass


def local_now() -> dt.datetime:
    """Now, with the machine's time zone: what the minutes show as actual times."""
    return dt.datetime.now().astimezone()


def aware(moment: dt.datetime) -> dt.datetime:
    """A timestamp with its time zone; one recorded without is taken as this machine's local
    time, which is what groupsup wrote before it kept zones (schema version 1)."""
    return moment if moment.tzinfo is not None else moment.astimezone()


def when(day: dt.date | None) -> str:
    """A day as the minutes write it: 5 November 2026."""
    return f"{day.day} {day:%B %Y}" if day else "no date"


def parse_date(
    text: str, relative_to: dt.date | None = None, counted_from: str = "the session"
) -> dt.date:
    """A day as typed; +14 or +2w only with `relative_to` (the day `counted_from` names). Only
    years 1900 to 9998: one outside is a slip of the keys, and a record, a calendar or a report
    needs the days around it to exist."""
    value = text.strip().lower()
    try:
        day = _typed_day(value, relative_to)
    except ValueError:
        example = " or ".join(example_dates(relative_to or local_now().date()))
        counted = f", or +14 (days) or +2w (weeks) from {counted_from}" if relative_to else ""
        raise BadDate(f"'{text}' is not a date: type a date as {example}{counted}.") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadDate(f"'{text}': give a day between {FIRST_YEAR} and {LAST_YEAR}.")
    return day


def _typed_day(value: str, relative_to: dt.date | None) -> dt.date:
    if match := re.fullmatch(r"\+?(\d{1,3})\s*([dw]?)", value):
        if relative_to is None or not value.startswith("+"):
            raise ValueError
        days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
        return relative_to + dt.timedelta(days=days)
    if match := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value):
        day, month, year = map(int, match.groups())
        return dt.date(year, month, day)
    return dt.date.fromisoformat(value)


def parse_time(text: str) -> dt.time | None:
    """A time of day as typed (10:00, 9.30, 14:15); blank for none."""
    value = text.strip()
    if not value:
        return None
    if match := re.fullmatch(r"(\d{1,2})[:.](\d{2})", value):
        hour, minute = map(int, match.groups())
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise GroupsupError(f"'{text}' is not a time of day: type it as 10:00 or 14:30.")


def parse_minutes(text: str, what: str, low: int, high: int) -> int:
    try:
        minutes = int(text.strip())
    except ValueError:
        raise GroupsupError(f"{what} must be a whole number of minutes.") from None
    if not low <= minutes <= high:
        raise GroupsupError(f"{what} must be between {low} and {high} minutes.")
    return minutes
