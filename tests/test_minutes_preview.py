"""The minutes' preview is drawn a section at a time, and reads exactly as the whole document
drawn at once would."""

from __future__ import annotations

from conftest import screen_text, until
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Markdown

from groupsup.outputs import minutes
from groupsup.widgets.minutes_preview import MinutesPreview, sections


def test_the_minutes_are_cut_before_each_heading_and_put_back_together_unchanged():
    text = "# Minutes\n\nSaid\n## Case 1\n### Genogram\n````text\n# a name\n```\n````\n### Next\n"
    assert sections(text) == [
        "# Minutes\n\nSaid\n",
        "## Case 1\n",
        "### Genogram\n````text\n# a name\n```\n````\n",  # never inside a drawing
        "### Next\n",
    ]
    assert sections("No heading\n") == ["No heading\n"]


class Showing(App):
    def __init__(self, preview: Widget) -> None:
        super().__init__()
        self.preview = preview

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield self.preview


async def drawn(preview: Widget) -> str:
    app = Showing(preview)
    async with app.run_test(size=(80, 300)) as pilot:  # tall enough for the whole document
        everything = app.screen.walk_children
        await until(pilot, lambda: all(w.is_mounted for w in everything()), "the document")
        await pilot.pause()
        return screen_text(app)


async def test_the_preview_reads_as_one_markdown_document_would(demo_store):
    text = minutes.as_markdown(demo_store.pod("north-pod"), demo_store.session("demo-s1"))
    assert len(sections(text)) > 20
    assert await drawn(MinutesPreview(text)) == await drawn(Markdown(text))
