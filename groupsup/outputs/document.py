"""One model of a written record (minutes, a case record) from which every format is rendered.

A document is a title, a protective marking and a list of blocks: headings, paragraphs,
labelled fields, lists, tables, quotes and genograms. Every string in it is plain text exactly as
typed; each renderer (Markdown, HTML, Word, PDF) escapes it for its own format, so no format is
made by converting another's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from groupsup.genogram.model import Genogram


class Look(StrEnum):
    PLAIN = "plain"
    STRONG = "strong"
    EMPHASIS = "emphasis"


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1 the document's title, 2 a section, 3 a part of a section


@dataclass(frozen=True)
class Paragraph:
    """Text as typed; line breaks are kept, a blank line starts a new paragraph."""

    text: str
    look: Look = Look.PLAIN


@dataclass(frozen=True)
class Fields:
    """Labelled one-line values: 'Presenter: Tom Whitaker'."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Item:
    text: str
    details: tuple[tuple[str, str], ...] = ()  # labelled lines under the item


@dataclass(frozen=True)
class Items:
    items: tuple[Item, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    row_labels: bool = False  # the first column names each row


@dataclass(frozen=True)
class Quote:
    text: str


@dataclass(frozen=True)
class GenogramFigure:
    """A genogram: drawn where the format can draw, always with its people table as text."""

    genogram: Genogram
    caption: str


Block = Heading | Paragraph | Fields | Items | Table | Quote | GenogramFigure


@dataclass
class Document:
    title: str
    marking: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


def genogram_tables(genogram: Genogram, caption: str) -> list[Table]:
    """The genogram's people, and its couples with their years: the text alternative to any
    drawing of it."""
    tables = [_people_table(genogram, caption)]
    if genogram.couples:
        tables.append(_couples_table(genogram))
    return tables


def _people_table(genogram: Genogram, caption: str) -> Table:
    rows = []
    for person in genogram.people:
        age = str(person.age) if person.age is not None else str(person.born or "")
        died = f"died {person.died}" if person.died is not None else "deceased"
        marks = [m for m, on in (("index child", person.index), (died, person.deceased)) if on]
        notes = "; ".join([*marks, person.notes] if person.notes.strip() else marks)
        rows.append((person.id, person.name, person.gender.value, age, notes))
    return Table(("Key", "Name", "Gender", "Age or born", "Notes"), tuple(rows), caption)


def _couples_table(genogram: Genogram) -> Table:
    name = {p.id: p.label for p in genogram.people}
    rows = tuple(
        (name[c.a], name[c.b], c.status.value, c.years or "not recorded") for c in genogram.couples
    )
    caption = "Couples in the genogram, with the years they married, separated or divorced"
    return Table(("Partner", "Partner", "Now", "Years"), rows, caption)
