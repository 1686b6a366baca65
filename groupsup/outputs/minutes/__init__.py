"""Minutes of a session, and the record of one of its cases, in every format.

Markdown, HTML, Word and PDF are all rendered from one document (`content.py`,
`case_record.py`); JSON is the machine record, the models themselves. Word and PDF are bytes,
and their libraries are imported only when asked for.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import cast

from groupsup.domain.models import SCHEMA_VERSION, MinutesDocument, Pod, Session, slug
from groupsup.genogram.dot import to_dot
from groupsup.outputs import html, markdown
from groupsup.outputs.document import Document
from groupsup.outputs.minutes.case_record import case_record
from groupsup.outputs.minutes.content import minutes_document
from groupsup.store.files import atomic_write, folder_for_files, write_private_text


class Format(StrEnum):
    MD = "md"
    JSON = "json"
    HTML = "html"
    DOCX = "docx"
    PDF = "pdf"


TEXT_FORMATS = (Format.MD, Format.JSON, Format.HTML)
BINARY_FORMATS = (Format.DOCX, Format.PDF)
CASE_FORMATS = (Format.MD, Format.HTML, Format.DOCX, Format.PDF)


def as_json(pod: Pod, session: Session) -> str:
    return MinutesDocument(pod=pod, session=session).model_dump_json(indent=2) + "\n"


def as_markdown(pod: Pod, session: Session) -> str:
    return markdown.render(minutes_document(pod, session))


def as_html(pod: Pod, session: Session) -> str:
    return html.render(minutes_document(pod, session))


def _word(document: Document) -> bytes:
    from groupsup.outputs import word

    return word.render(document)


def _pdf(document: Document) -> bytes:
    from groupsup.outputs import pdf

    return pdf.render(document)


DOCUMENT_WRITERS: dict[Format, Callable[[Document], str | bytes]] = {
    Format.MD: markdown.render,
    Format.HTML: html.render,
    Format.DOCX: _word,
    Format.PDF: _pdf,
}


def render(pod: Pod, session: Session, form: Format) -> str | bytes:
    """The minutes: text for md, json and html, bytes for docx and pdf."""
    if Format(form) is Format.JSON:
        return as_json(pod, session)
    return DOCUMENT_WRITERS[Format(form)](minutes_document(pod, session))


def render_case(pod: Pod, session: Session, number: int, form: Format) -> str | bytes:
    """The record of case `number` alone, for the child's file (any format but JSON)."""
    if Format(form) not in CASE_FORMATS:
        raise ValueError(f"a case record has no {form} form")
    return DOCUMENT_WRITERS[Format(form)](case_record(pod, session, number))


def file_stem(pod: Pod, session: Session) -> str:
    return f"{session.date}-{slug(pod.name)}-{session.id}"


def save_all(pod: Pod, session: Session, folder: Path, suffix: str = "") -> list[Path]:
    """Write the minutes as Markdown, JSON and HTML into `folder` (created 0700 if missing, else
    left as it is; files 0600), and a Graphviz file for each case's genogram."""
    folder_for_files(folder)
    stem = file_stem(pod, session) + suffix
    written = [
        write_private_text(folder / f"{stem}.{form.value}", cast(str, render(pod, session, form)))
        for form in TEXT_FORMATS
    ]
    for number, slot in enumerate(session.slots, 1):
        if slot.genogram.people:
            dot = to_dot(slot.genogram, f"Case {number}: {slot.title}")
            written.append(write_private_text(folder / f"{stem}-case{number}.dot", dot))
    return written


def save_for_filing(pod: Pod, session: Session, folder: Path) -> list[Path]:
    """Write the minutes, and each case's record for the child's file, as Word and PDF into
    `folder` (created 0700 if missing, else left as it is; files 0600). Slow (PDF layout): call
    it from a worker."""
    folder_for_files(folder)
    stem = file_stem(pod, session)
    files: list[tuple[str, bytes]] = []
    for form in BINARY_FORMATS:
        files.append((f"{stem}.{form.value}", cast(bytes, render(pod, session, form))))
        for number in range(1, len(session.slots) + 1):
            record = cast(bytes, render_case(pod, session, number, form))
            files.append((f"{stem}-case{number}-record.{form.value}", record))
    for name, data in files:
        atomic_write(folder / name, data)
    return [folder / name for name, _ in files]


SCHEMA_ID = f"urn:groupsup:schema:minutes:{SCHEMA_VERSION}"


def schema() -> str:
    """The JSON Schema (2020-12) that every JSON export validates against."""
    described = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **MinutesDocument.model_json_schema(),
    }
    return json.dumps(described, indent=2) + "\n"
