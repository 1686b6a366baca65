"""User text on screen."""

from __future__ import annotations

from rich.text import Text


def plain(value: object) -> Text:
    """User text for a DataTable cell or a Static: never read as markup."""
    return Text(str(value))
