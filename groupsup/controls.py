"""Control characters shown, never sent: the picture of each, for a terminal and for file
formats that may not carry them (GEDCOM). Below every layer: the genogram needs it too."""

from __future__ import annotations

import re


def picture(match: re.Match) -> str:
    """The matched control as something to see: ␛ for ESC, ␍ for CR, ␡ for DEL, <U+009B>."""
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    return "␡" if code == 0x7F else f"<U+{code:04X}>"
