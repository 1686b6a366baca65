"""User text made safe for Markdown: backslash-escaped so that `#`, `|`, `*`, `<script>` or
`[bold]` read literally wherever the Markdown is rendered. Free of pydantic, for fast paths."""

from __future__ import annotations

import re

# Characters that change Markdown or HTML wherever they stand, and those that do only at the
# start of a line (lists, headings, thematic breaks). Escaping only these keeps the raw file
# readable; CommonMark renders a backslash-escaped punctuation character as itself.
_ANYWHERE = re.compile(r"([\\`*_\[\]<>|&~#])")
_LINE_START = re.compile(r"^([-+=]|\d+(?=[.)]))")
# C0 control characters other than tab and newline have no place in minutes.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def text(value: str) -> str:
    """User text as a Markdown block: escaped, its line breaks kept as hard breaks."""
    lines = [_escape(line.strip()) for line in CONTROL.sub("", value).splitlines()]
    paragraphs = "\n".join(lines).strip()
    paragraphs = re.sub(r"\n{2,}", "\n\n", paragraphs)
    return re.sub(r"(?<!\n)\n(?!\n)", "\\\n", paragraphs)


def inline(value: str) -> str:
    """User text on one line (lists, headings)."""
    return _escape(" ".join(CONTROL.sub("", value).split()))


def cell(value: str) -> str:
    """User text in a table cell."""
    return inline(value) or " "


def _escape(value: str) -> str:
    return _LINE_START.sub(_escape_line_start, _ANYWHERE.sub(r"\\\1", value))


def _escape_line_start(match: re.Match) -> str:
    mark = match.group(1)
    return mark + "\\" if mark[0].isdigit() else "\\" + mark
