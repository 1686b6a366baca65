"""The genogram tab: the notation typed on the left, the drawing beside it, mistakes below.

The drawing follows every change; the holder of the editor is told of each change (with the
genogram as parsed, mistakes and all) and decides whether to keep it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, TextArea

from groupsup.genogram.drawing import render
from groupsup.genogram.model import Genogram
from groupsup.genogram.notation import parse, to_source
from groupsup.outputs.escaping import for_terminal


class GenogramEditor(Vertical):
    class Changed(Message):
        def __init__(self, genogram: Genogram) -> None:
            super().__init__()
            self.genogram = genogram

    def compose(self) -> ComposeResult:
        with Horizontal(id="genogram-pane"):
            yield TextArea(id="genogram-source", soft_wrap=False)
            # A Tab stop of its own: the arrows, Page Up/Down, Home and End scroll the drawing.
            with ScrollableContainer(id="genogram-view"):
                yield Static("", id="genogram-drawing", markup=False)
        yield Static("", id="genogram-errors", markup=False)

    def load(self, genogram: Genogram) -> None:
        """Show a stored genogram: its text as typed, or written out from its structure."""
        self.query_one("#genogram-source", TextArea).text = genogram.source or to_source(genogram)
        self._draw(self.query_one("#genogram-source", TextArea).text)

    def focus_source(self) -> None:
        """At once, so the keys typed after F2 go to the end of the genogram."""
        source = self.query_one("#genogram-source", TextArea)
        source.move_cursor(source.document.end)
        self.screen.set_focus(source)

    @on(TextArea.Changed, "#genogram-source")
    def _typed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self._draw(event.text_area.text)))

    def _draw(self, text: str) -> Genogram:
        parsed = parse(text)
        self.query_one("#genogram-drawing", Static).update(
            Content(for_terminal(render(parsed.genogram)))
        )
        errors = self.query_one("#genogram-errors", Static)
        errors.update(Content("\n".join(f"Mistake at {e}" for e in parsed.errors[:3])))
        errors.display = bool(parsed.errors)
        return parsed.genogram  # keeps the text as typed, mistakes and all
