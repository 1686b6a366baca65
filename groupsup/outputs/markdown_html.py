"""The pod's record as printable HTML, rendered from its Markdown with markdown-it-py.

Raw HTML in the Markdown is never passed through (html=False), and a Content-Security-Policy
forbids every script, so nothing in user text can run in a browser.
"""

from __future__ import annotations

from html import escape

from markdown_it import MarkdownIt

from groupsup.outputs.escaping import for_terminal

_STYLE = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "Segoe UI", Arial, sans-serif; font-size: 10.5pt; line-height: 1.4;
       max-width: 178mm; margin: 0 auto; color: #111; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; border-bottom: 1px solid #999;
     page-break-after: avoid; margin-top: 1.6em; } h3 { font-size: 11pt; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; page-break-inside: avoid; }
th, td { border: 1px solid #999; padding: 2px 5px; text-align: left; vertical-align: top; }
pre { font-size: 8.5pt; line-height: 1.15; overflow-x: auto; page-break-inside: avoid; }
blockquote { border-left: 3px solid #999; margin-left: 0; padding-left: 0.8em; color: #333; }
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def render(markdown: str, title: str) -> str:
    body = _renderer().render(markdown)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        f"<title>{escape(for_terminal(title))}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )
