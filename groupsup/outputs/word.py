"""A document as a Word file (python-docx): real headings, tables with header rows, A4, and the
protective marking in the header and the page number in the footer of every page."""

from __future__ import annotations

from io import BytesIO

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from groupsup.genogram import drawing
from groupsup.genogram.svg import to_svg, width_of
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
from groupsup.outputs.escaping import for_terminal

TEXT_WIDTH = Mm(174)  # A4 less two 18 mm margins


def render(document: Document) -> bytes:
    word = new_docx()
    word.core_properties.title = _clean(document.title)
    _page(word.sections[0], _clean(document.marking))
    word.add_heading(_clean(document.title), 1)
    word.add_paragraph().add_run(_clean(document.marking)).bold = True
    for block in document.blocks:
        _block(word, block)
    out = BytesIO()
    word.save(out)
    return out.getvalue()


def _clean(value: str) -> str:
    # XML cannot hold control characters at all (python-docx refuses them): shown as marks.
    return for_terminal(value)


def _page(section, marking: str) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    header.add_run(marking).bold = True
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    field = OxmlElement("w:fldSimple")  # Word fills in each page's number
    field.set(qn("w:instr"), "PAGE")
    number = OxmlElement("w:r")
    number_text = OxmlElement("w:t")
    number_text.text = "1"
    number.append(number_text)
    field.append(number)
    footer._p.append(field)


def _block(word, block: Block) -> None:
    match block:
        case Heading(words, level):
            word.add_heading(_clean(words), min(level, 9))
        case Paragraph(words, look):
            for part in (p for p in _clean(words).split("\n\n") if p.strip()):
                run = _lines(word.add_paragraph(), part)
                run.bold, run.italic = look is Look.STRONG, look is Look.EMPHASIS
        case Fields(rows):
            for label, value in rows:
                paragraph = word.add_paragraph(style="List Bullet")
                paragraph.add_run(f"{_clean(label)}: ").bold = True
                paragraph.add_run(_clean(value))
        case Items(items, numbered):
            for item in items:
                word.add_paragraph(
                    _clean(item.text), style="List Number" if numbered else "List Bullet"
                )
                for label, value in item.details:
                    word.add_paragraph(f"{_clean(label)}: {_clean(value)}", style="List Bullet 2")
        case Table():
            _table(word, block)
        case Quote(words):
            word.add_paragraph(_clean(words), style="Quote")
        case GenogramFigure(genogram, caption):
            _genogram(word, genogram, caption)
            for table in genogram_tables(genogram, caption):
                _table(word, table)
        case _:
            raise TypeError(f"no Word form for {block!r}")


def _genogram(word, genogram, caption: str) -> None:
    """The SVG drawing as a PNG, at most the text width wide; without Cairo, the text drawing."""
    svg = to_svg(genogram, caption)
    try:
        import cairosvg

        png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=2)
    except OSError:  # Debian's libcairo2 is missing: the box-drawing picture instead
        run = _lines(word.add_paragraph(), _clean(drawing.render(genogram)))
        run.font.name, run.font.size = "DejaVu Sans Mono", Pt(6)
        return
    width_px = width_of(svg)
    word.add_picture(BytesIO(png), width=min(Mm(width_px * 25.4 / 96), TEXT_WIDTH))


def _lines(paragraph, value: str):
    """One run holding `value`, its line breaks kept."""
    run = paragraph.add_run()
    for number, line in enumerate(value.strip("\n").split("\n")):
        if number:
            run.add_break()
        run.add_text(line.rstrip())
    return run


def _table(word, table: Table) -> None:
    if table.caption:
        word.add_paragraph(_clean(table.caption), style="Caption")
    rows = ([table.header] if table.header else []) + list(table.rows)
    columns = len(rows[0])
    grid = word.add_table(rows=len(rows), cols=columns)
    grid.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = grid.cell(r, c)
            cell.text = _clean(value)
            heading = (r == 0 and bool(table.header)) or (c == 0 and table.row_labels)
            for run in cell.paragraphs[0].runs:
                run.bold = heading
    if table.header:  # the header row repeats at the top of each page the table runs onto
        properties = grid.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        properties.append(repeat)
