"""A document as printable HTML: every string escaped, no script allowed to run.

Printed (by a browser or WeasyPrint) each A4 page carries the protective marking at its head and
its page number at its foot. A Content-Security-Policy forbids every script, so nothing in user
text can run in a browser.
"""

from __future__ import annotations

import base64
from html import escape

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

_STYLE = """
@page { size: A4; margin: 20mm 16mm;
        @top-center { content: MARKING; font: bold 9pt Arial, sans-serif; }
        @bottom-center { content: "Page " counter(page) " of " counter(pages);
                         font: 9pt Arial, sans-serif; } }
body { font-family: "Segoe UI", Arial, sans-serif; font-size: 10.5pt; line-height: 1.4;
       max-width: 178mm; margin: 0 auto; color: #111; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; border-bottom: 1px solid #999;
     break-after: avoid; margin-top: 1.6em; } h3 { font-size: 11pt; break-after: avoid; }
.marking { font-weight: bold; letter-spacing: 0.05em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
caption { text-align: left; font-style: italic; padding-bottom: 2px; }
th, td { border: 1px solid #999; padding: 2px 5px; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
tr { break-inside: avoid; }
figure { margin: 0.5em 0; break-inside: avoid; }
figure.genogram img { max-width: 100%; height: auto; }
blockquote { border-left: 3px solid #999; margin-left: 0; padding-left: 0.8em; color: #333; }
dl.fields { display: grid; grid-template-columns: max-content auto; gap: 0 0.8em; }
dl.fields dt { font-weight: bold; } dl.fields dd { margin: 0; }
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render(document: Document) -> str:
    style = _STYLE.replace("MARKING", css_string(document.marking))
    body = "\n".join(_block(block) for block in document.blocks)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        f"<title>{_text(document.title)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        f'<main>\n<h1>{_text(document.title)}</h1>\n<p class="marking">'
        f"{_text(document.marking)}</p>\n{body}\n</main>\n</body>\n</html>\n"
    )


def css_string(value: str) -> str:
    """`value` as a CSS string literal; nothing in it can end the string or the style sheet."""
    value = " ".join(for_terminal(value).split())
    return (
        '"'
        + "".join(c if c.isalnum() or c in " -_.,:;'" else f"\\{ord(c):x} " for c in value)
        + '"'
    )


def _text(value: str) -> str:
    return escape(for_terminal(value))


def _lines(value: str) -> str:
    return "<br>\n".join(_text(line.strip()) for line in value.strip().splitlines())


def _block(block: Block) -> str:
    match block:
        case Heading(words, level):
            return f"<h{level}>{_text(words)}</h{level}>"
        case Paragraph(words, Look.STRONG):
            return f"<p><strong>{_text(words)}</strong></p>"
        case Paragraph(words, Look.EMPHASIS):
            return f"<p><em>{_text(words)}</em></p>"
        case Paragraph(words):
            paragraphs = [p for p in words.split("\n\n") if p.strip()]
            return "\n".join(f"<p>{_lines(p)}</p>" for p in paragraphs)
        case Fields(rows):
            pairs = "".join(f"<dt>{_text(k)}</dt><dd>{_text(v)}</dd>" for k, v in rows)
            return f'<dl class="fields">{pairs}</dl>'
        case Items(items, numbered):
            tag = "ol" if numbered else "ul"
            return f"<{tag}>{''.join(_item(item) for item in items)}</{tag}>"
        case Table():
            return _table(block)
        case Quote(words):
            return f"<blockquote><p>{_text(words)}</p></blockquote>"
        case GenogramFigure():
            return _genogram(block)
    raise TypeError(f"no HTML for {block!r}")


def _item(item) -> str:
    details = "".join(f"<li>{_text(k)}: {_text(v)}</li>" for k, v in item.details)
    return f"<li>{_text(item.text)}" + (f"<ul>{details}</ul>" if details else "") + "</li>"


def _table(table: Table) -> str:
    parts = ["<table>"]
    if table.caption:
        parts.append(f"<caption>{_text(table.caption)}</caption>")
    if table.header:
        heads = "".join(f'<th scope="col">{_text(h)}</th>' for h in table.header)
        parts.append(f"<thead><tr>{heads}</tr></thead>")
    parts.append("<tbody>")
    for row in table.rows:
        cells = [
            f'<th scope="row">{_text(value)}</th>'
            if column == 0 and table.row_labels
            else f"<td>{_text(value)}</td>"
            for column, value in enumerate(row)
        ]
        parts.append(f"<tr>{''.join(cells)}</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _genogram(figure: GenogramFigure) -> str:
    """The drawing scaled to the page width at most; the people table is its text alternative.
    Embedded as a data: URL, so the page fetches nothing and a PDF lays it out the same way."""
    drawing = to_svg(figure.genogram, figure.caption)
    picture, width = drawing.encode("utf-8"), width_of(drawing)
    source = "data:image/svg+xml;base64," + base64.b64encode(picture).decode("ascii")
    alternative = "Genogram drawing: the tables below list everyone and every couple in it."
    return (
        f'<figure class="genogram"><img src="{source}" width="{width}" '
        f'alt="{alternative}"></figure>\n'
        + "".join(_table(table) for table in genogram_tables(figure.genogram, figure.caption))
    )
