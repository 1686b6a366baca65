"""A document as Markdown: every string escaped so it reads literally wherever it is rendered."""

from __future__ import annotations

import re

from groupsup.genogram import drawing
from groupsup.outputs.document import (
    Block,
    Document,
    Fields,
    GenogramFigure,
    Heading,
    Items,
    Look,
    Paragraph,
    Quote,
    Table,
    genogram_tables,
)
from groupsup.outputs.escaping import cell, for_terminal, inline, text


def render(document: Document) -> str:
    parts = [f"# {inline(document.title)}", f"**{inline(document.marking)}**"]
    parts += [_block(block) for block in document.blocks]
    return "\n\n".join(parts).rstrip() + "\n"


def _block(block: Block) -> str:
    match block:
        case Heading(words, level):
            return f"{'#' * level} {inline(words)}"
        case Paragraph(words, Look.STRONG):
            return f"**{inline(words)}**"
        case Paragraph(words, Look.EMPHASIS):
            return f"*{inline(words)}*"
        case Paragraph(words):
            return text(words)
        case Fields(rows):
            return "\n".join(f"- **{inline(label)}:** {inline(value)}" for label, value in rows)
        case Items(items, numbered):
            return "\n".join(
                _item(f"{number}. " if numbered else "- ", item.text, item.details)
                for number, item in enumerate(items, 1)
            )
        case Table():
            return _table(block)
        case Quote(words):
            return "> " + inline(words)
        case GenogramFigure(genogram, caption):
            return _genogram(genogram, caption)
    raise TypeError(f"no Markdown for {block!r}")


def _item(bullet: str, words: str, details: tuple[tuple[str, str], ...]) -> str:
    indent = " " * len(bullet)
    lines = [bullet + inline(words)]
    lines += [f"{indent}- {inline(label)}: {inline(value)}" for label, value in details]
    return "\n".join(lines)


def _table(table: Table) -> str:
    columns = len(table.header) or len(table.rows[0])
    if table.header:
        header = "| " + " | ".join(cell(h) for h in table.header) + " |"
    else:  # Markdown tables need a header row: an empty one
        header = "|" + " |" * columns
    rule = "|" + "---|" * columns
    rows = ["| " + " | ".join(cell(value) for value in row) + " |" for row in table.rows]
    return "\n".join([header, rule, *rows])


def _genogram(genogram, caption: str) -> str:
    picture = for_terminal(drawing.render(genogram))
    longest = max((len(run) for run in re.findall(r"`+", picture)), default=0)
    fence = "`" * max(3, longest + 1)  # no name in the drawing can close the block
    tables = "\n\n".join(_table(table) for table in genogram_tables(genogram, caption))
    return f"{fence}text\n{picture}\n{fence}\n\n" + tables
