"""User text on screen: never read as markup, and never able to act on the terminal."""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.color import Color
from textual.filter import LineFilter
from textual.visual import VisualType
from textual.widgets import Static

from groupsup.outputs.escaping import CONTROL, for_terminal


def plain(value: object) -> Text:
    """User text for a DataTable cell or a Static: never markup, its controls made visible."""
    return Text(for_terminal(str(value)))


def keep_shown(static: Static, content: VisualType) -> None:
    """Show `content` in `static`, laying the screen out again only if it changed: a clock
    redrawn twice a second would otherwise keep the screen from ever being at rest."""
    if static.content != content:
        static.update(content)


class NoControls(LineFilter):
    """The last guard before the terminal: drops any control left in what a widget draws (an
    editor shows stored text as it is). Controls take no cells, so the layout is unchanged."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            Segment(CONTROL.sub("", segment.text), segment.style, segment.control)
            if CONTROL.search(segment.text)
            else segment
            for segment in segments
        ]
