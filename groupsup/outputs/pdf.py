"""A document as PDF: the printable HTML laid out on A4 by WeasyPrint, with the protective
marking at the head and the page number at the foot of every page (the HTML's @page rules).

WeasyPrint needs the Pango library from the system (Debian: libpango-1.0-0, libpangoft2-1.0-0);
it is imported only when a PDF is asked for.
"""

from __future__ import annotations

from groupsup.domain.errors import GroupsupError
from groupsup.outputs import html
from groupsup.outputs.document import Document


def render(document: Document) -> bytes:
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as error:  # the Python package is there, the system's Pango is not
        raise GroupsupError(
            f"PDF needs the Pango library, which is missing ({error}); on Debian: "
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0"
        ) from None
    # Pictures are embedded as data: URLs; nothing is fetched from anywhere else.
    local_only = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html.render(document), url_fetcher=local_only).write_pdf()
