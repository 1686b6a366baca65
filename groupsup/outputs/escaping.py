"""User text made safe for Markdown (backslash-escaped so that `#`, `|`, `*`, `<script>` or
`[bold]` read literally wherever the Markdown is rendered) and for a terminal (controls made
visible). Free of pydantic, for fast paths."""

from __future__ import annotations

import re

from groupsup.controls import picture

# Characters that change Markdown or HTML wherever they stand, and those that do only at the
# start of a line (lists, headings, thematic breaks). Escaping only these keeps the raw file
# readable; CommonMark renders a backslash-escaped punctuation character as itself.
_ANYWHERE = re.compile(r"([\\`*_\[\]<>|&~#])")
_LINE_START = re.compile(r"^([-+=]|\d+(?=[.)]))")
# Characters a terminal acts on instead of showing: C0 controls but tab and newline (ESC starts
# the sequences that move the cursor, clear the screen, write the clipboard or make links; BEL
# rings; CR overwrites the line), DEL, the C1 controls U+0080 to U+009F (U+009B is CSI, U+009D
# is OSC), and the bidirectional controls, which reorder what is shown (U+202E).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def for_terminal(value: str) -> str:
    """Stored text made safe to show: every control visible, so that none can act."""
    return CONTROL.sub(picture, value)


def json_for_terminal(value: str) -> str:
    """JSON made safe to show, meaning the same: each control written as a \\u escape."""
    return CONTROL.sub(lambda match: f"\\u{ord(match.group()):04x}", value)


def text(value: str) -> str:
    """User text as a Markdown block: escaped, its line breaks kept as hard breaks. The break
    is two spaces at the line's end, which CommonMark and Python-Markdown both read (a
    backslash break shows as a backslash in Python-Markdown and MkDocs)."""
    lines = [_escape(line.strip()) for line in for_terminal(value).splitlines()]
    paragraphs = "\n".join(lines).strip()
    paragraphs = re.sub(r"\n{2,}", "\n\n", paragraphs)
    return re.sub(r"(?<!\n)\n(?!\n)", "  \n", paragraphs)


def inline(value: str) -> str:
    """User text on one line (lists, headings)."""
    return _escape(" ".join(for_terminal(value).split()))


def cell(value: str) -> str:
    """User text in a table cell."""
    return inline(value) or " "


def _escape(value: str) -> str:
    return _LINE_START.sub(_escape_line_start, _ANYWHERE.sub(r"\\\1", value))


def _escape_line_start(match: re.Match) -> str:
    mark = match.group(1)
    return mark + "\\" if mark[0].isdigit() else "\\" + mark
