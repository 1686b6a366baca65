"""What groupsup writes for people to read: minutes, reports, calendars."""
