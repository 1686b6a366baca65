"""Minutes of a session in Markdown (the human record), JSON (the machine record) and HTML."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

from groupsup.domain.models import MinutesDocument, Pod, Session, slug
from groupsup.genogram import drawing
from groupsup.genogram.dot import to_dot
from groupsup.outputs.minutes import html, markdown
from groupsup.store.files import private_folder, write_private_text


class Format(StrEnum):
    MD = "md"
    JSON = "json"
    HTML = "html"


def as_json(pod: Pod, session: Session) -> str:
    return MinutesDocument(pod=pod, session=session).model_dump_json(indent=2) + "\n"


def as_markdown(pod: Pod, session: Session) -> str:
    return markdown.render(pod, session, genogram_drawing=drawing.render)


def as_html(pod: Pod, session: Session) -> str:
    title = f"Group reflective supervision: {pod.name}, {session.date}"
    return html.render(as_markdown(pod, session), title)


WRITERS = {Format.MD: as_markdown, Format.JSON: as_json, Format.HTML: as_html}


def render(pod: Pod, session: Session, form: Format) -> str:
    return WRITERS[Format(form)](pod, session)


def file_stem(pod: Pod, session: Session) -> str:
    return f"{session.date}-{slug(pod.name)}-{session.id}"


def save_all(pod: Pod, session: Session, folder: Path, suffix: str = "") -> list[Path]:
    """Write the minutes in every format into `folder` (created 0700, files 0600), and a
    Graphviz file for each case's genogram."""
    private_folder(folder)
    stem = file_stem(pod, session) + suffix
    written = [
        write_private_text(folder / f"{stem}.{form.value}", render(pod, session, form))
        for form in Format
    ]
    for number, slot in enumerate(session.slots, 1):
        if slot.genogram.people:
            dot = to_dot(slot.genogram, f"Case {number}: {slot.title}")
            written.append(write_private_text(folder / f"{stem}-case{number}.dot", dot))
    return written


def schema() -> str:
    return json.dumps(MinutesDocument.model_json_schema(), indent=2) + "\n"
