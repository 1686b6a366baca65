"""The one pattern every pod and session key follows. Keys name files (and rows) in a store, so
a key holds no path separator, no leading dot, no control character and no NUL, and is short."""

from __future__ import annotations

import re

KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def is_safe_key(value: object) -> bool:
    return isinstance(value, str) and KEY_PATTERN.fullmatch(value) is not None


def safe_key(value: str) -> str:
    """`value` if it is a safe key; else ValueError with a sentence a facilitator understands."""
    if not is_safe_key(value):
        shown = repr(value[:40] + ("..." if len(value) > 40 else ""))
        raise ValueError(
            f"The key {shown} cannot be used: a key is 1 to 64 letters, digits, '-' or '_', "
            "starting with a letter or digit."
        )
    return value
