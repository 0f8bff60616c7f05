"""Checks on user text that may end up in a mail header."""

import unicodedata

# Characters Python or a mail program may treat as the end of a line, beyond CR and LF.
LINE_BREAKS = set("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def breaks_header(value: str) -> bool:
    """True when the text has a line break or another control character."""
    return any(ch in LINE_BREAKS or unicodedata.category(ch) == "Cc" for ch in value)
