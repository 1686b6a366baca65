"""Word and PDF minutes and case records, read back by their real consumers: python-docx opens
the .docx, pypdf extracts the text of each page of the PDF."""

from __future__ import annotations

import io
import re

import docx
import pytest
from pypdf import PdfReader

from groupsup.cli import main
from groupsup.outputs import minutes
from groupsup.store import demo
from groupsup.store.folder import FolderStore
from tests.conftest import DEMO_DAY
from tests.test_case_record import PLANTED, _plant_in_other_cases


def _weasyprint_missing() -> str:
    try:
        import weasyprint  # noqa: F401
    except OSError as error:  # the Python package is installed; Debian's Pango is not
        return f"WeasyPrint cannot load Pango ({error}); .ci/run installs it"
    return ""


_no_pango = _weasyprint_missing()


def needs_pango(test):
    """A PDF test: it needs Debian's Pango, and PDF layout takes seconds."""
    return pytest.mark.slow(pytest.mark.skipif(bool(_no_pango), reason=_no_pango)(test))


@pytest.fixture(scope="module")
def demo_s1(tmp_path_factory):
    store = FolderStore(tmp_path_factory.mktemp("filing") / "store")
    demo.fill(store, DEMO_DAY)
    session = store.session("demo-s1")
    return store.pod(session.pod_id), session


def _word(data: bytes):
    return docx.Document(io.BytesIO(data))


def _all_word_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


@pytest.mark.slow  # writes Word files
def test_word_minutes_have_headings_tables_and_the_marking_on_every_page(demo_s1):
    document = _word(minutes.render(*demo_s1, minutes.Format.DOCX))
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    assert ("Heading 1", "Group reflective supervision: North Pod") in headings
    assert ("Heading 2", "Case 1: CS-20418 (Brooks)") in headings
    assert ("Heading 3", "Hypotheses") in headings
    steps = next(t for t in document.tables if t.rows[0].cells[0].text == "Action")
    assert [c.text for c in steps.rows[0].cells] == [
        "Action", "Owner", "Due", "Manager sign-off", "Status",
    ]  # fmt: skip
    assert steps.rows[1].cells[0].text == "Joint visit to meet Ryan"
    for section in document.sections:  # the header is repeated by Word on every page
        assert section.header.paragraphs[0].text == "OFFICIAL-SENSITIVE"
        assert 'w:instr="PAGE"' in section.footer._element.xml
        assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_word_case_record_holds_one_case(demo_s1):
    pod, session = demo_s1
    planted = _plant_in_other_cases(session, keep=1)
    text = _all_word_text(_word(minutes.render_case(pod, planted, 1, minutes.Format.DOCX)))
    assert "CS-20418 (Brooks)" in text and "Consider a legal planning meeting" in text
    assert PLANTED not in text and "CS-31177" not in text


@pytest.mark.slow  # writes a Word file
def test_control_characters_cannot_break_a_word_file(demo_s1):
    pod, session = demo_s1
    hostile = session.model_copy(deep=True)
    hostile.slots[0].dilemma = "bell\x07 and escape\x1b[31m red"
    text = _all_word_text(_word(minutes.render(pod, hostile, minutes.Format.DOCX)))
    assert "bell␇ and escape␛[31m red" in text


@pytest.fixture(scope="module")
def minutes_pdf(demo_s1):
    return PdfReader(io.BytesIO(minutes.render(*demo_s1, minutes.Format.PDF)))


@needs_pango
def test_pdf_minutes_carry_the_marking_and_a_page_number_on_every_page(minutes_pdf):
    pages = minutes_pdf.pages
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        text = page.extract_text()
        assert "OFFICIAL-SENSITIVE" in text
        assert f"Page {number} of {len(pages)}" in text
    whole = " ".join(" ".join(p.extract_text().split()) for p in pages)
    assert "Consider a legal planning meeting" in whole
    box = pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (
        210,
        297,
    )


@needs_pango
def test_pdf_case_record_holds_one_case(demo_s1):
    pod, session = demo_s1
    planted = _plant_in_other_cases(session, keep=1)
    reader = PdfReader(io.BytesIO(minutes.render_case(pod, planted, 1, minutes.Format.PDF)))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "CS-20418 (Brooks)" in text and "OFFICIAL-SENSITIVE" in text
    assert PLANTED not in text and "CS-31177" not in text


def test_binary_formats_need_a_file_not_a_terminal(capsys, monkeypatch, demo_store):
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    code = main(["export", "demo-s1", "--format", "docx", "--store", str(demo_store.root)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("groupsup: A .docx file is not for reading in a terminal: add -o FILE")


def test_the_command_line_writes_a_word_case_record(capsys, demo_store, tmp_path):
    target = tmp_path / "records" / "brooks.docx"
    argv = ["export", "demo-s1", "--case", "1", "--format", "docx", "-o", str(target)]
    assert main([*argv, "--store", str(demo_store.root)]) == 0
    assert target.stat().st_mode & 0o777 == 0o600
    assert "CS-20418 (Brooks)" in _all_word_text(_word(target.read_bytes()))


@needs_pango
async def test_a_past_sessions_screen_files_word_and_pdf_records(demo_store):
    from groupsup.app import GroupSupApp
    from groupsup.screens.close import MinutesScreen

    app = GroupSupApp(demo_store.root, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        session = demo_store.session("demo-s1")
        await app.push_screen(MinutesScreen(demo_store.pod(session.pod_id), session))
        await pilot.press("w")
        await app.workers.wait_for_complete()
        await pilot.pause()
    written = sorted(p.name for p in (demo_store.root / "exports").iterdir())
    stem = "2026-09-28-north-pod-demo-s1"
    assert written == sorted(
        f"{stem}{part}.{form}"
        for part in ("", "-case1-record", "-case2-record")
        for form in ("docx", "pdf")
    )
    record = _word((demo_store.root / "exports" / f"{stem}-case2-record.docx").read_bytes())
    text = _all_word_text(record)
    assert "CS-31177 (Ahmed)" in text and "CS-20418" not in text
