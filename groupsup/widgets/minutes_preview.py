"""The minutes' preview: Markdown drawn a section at a time, so that a change to one section
(a case's record agreed) redraws that section, not the whole document.

Textual's Markdown widget rebuilds every block of a document on each update: the minutes of a
session of three cases are hundreds of widgets, a second of work on a slow laptop for each
agreement recorded over them."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown

HEADING = re.compile(r"#{1,6}(\s|$)")  # at the margin: a heading of the document itself
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def sections(markdown: str) -> list[str]:
    """`markdown` cut before each heading (never inside a fenced block, where a line starting
    with # is a drawing's): the pieces put back together are `markdown` again."""
    pieces: list[list[str]] = [[]]
    fence = ""
    for line in markdown.splitlines(keepends=True):
        if fence:
            if re.fullmatch(f"{fence[0]}{{{len(fence)},}}", line.strip()):
                fence = ""
        elif opening := FENCE.match(line):
            fence = opening.group(1)
        elif HEADING.match(line) and pieces[-1]:
            pieces.append([])
        pieces[-1].append(line)
    return ["".join(piece) for piece in pieces]


class MinutesPreview(Vertical):
    """Minutes in Markdown, a Markdown widget a section. It looks as one Markdown widget would:
    a section's last block gives up its bottom margin, since the heading after it has one at
    least as tall, and margins do not merge across widgets as they do between blocks."""

    DEFAULT_CSS = """
    MinutesPreview { height: auto; padding-bottom: 1; }
    MinutesPreview > Markdown > MarkdownBlock:last-child { margin-bottom: 0; }
    """

    def __init__(self, markdown: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = markdown

    def compose(self) -> ComposeResult:
        for section in sections(self.source):
            yield Markdown(section)

    def update(self, markdown: str) -> None:
        """Show `markdown`, redrawing only the sections that changed."""
        self.source = markdown
        shown = list(self.query_children(Markdown))
        wanted = sections(markdown)
        if len(shown) != len(wanted):  # a section came or went: draw them all afresh
            self.remove_children()
            self.mount_all(Markdown(section) for section in wanted)
            return
        for widget, section in zip(shown, wanted, strict=True):
            if widget.source != section:
                widget.update(section)
