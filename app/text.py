"""Text hygiene: what every input does with the characters that ride along when text is pasted
from PDF and Word, written once for every door (console, API, public forms).

Line breaks of every kind become one space in single-line text (a title reaches mail headers,
calendar files and file names) and "\\n" in multi-line text; tabs become spaces in single-line
text; invisible format characters (zero-width spaces, BOMs, bidirectional overrides) are dropped,
except the zero-width joiner that holds emoji sequences together; half-width katakana become
full-width. NUL, other control characters and unpaired surrogates cannot be stored or sent, and
are refused rather than guessed at.
"""

import re
import unicodedata

# Characters Python or a mail program may treat as the end of a line, beyond CR and LF.
LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_BREAKS = re.compile("\r\n|[" + LINE_BREAKS + "]")
_SPACED_BREAKS = re.compile("[ \t]*(?:\r\n|[" + LINE_BREAKS + "])[ \t]*")
_HALF_WIDTH_KANA = re.compile("[\uff61-\uff9f]+")
ZERO_WIDTH_JOINER = "\u200d"
NONCHARACTERS = {"\ufffe", "\uffff"}


class UnusableText(ValueError):
    """The text holds a character that can be neither stored nor sent (NUL, a control
    character, an unpaired surrogate)."""


def breaks_header(value: str) -> bool:
    """True when the text has a line break or another control character."""
    return any(ch in LINE_BREAKS or unicodedata.category(ch) == "Cc" for ch in value)


def _refuse_unusable(value: str, allowed: str) -> None:
    for ch in value:
        category = unicodedata.category(ch)
        if (category == "Cc" and ch not in allowed) or category == "Cs" or ch in NONCHARACTERS:
            raise UnusableText(f"U+{ord(ch):04X}")


def _drop_format_characters(value: str) -> str:
    return "".join(
        ch for ch in value if ch == ZERO_WIDTH_JOINER or unicodedata.category(ch) != "Cf"
    )


def full_width_kana(value: str) -> str:
    """Half-width katakana (ﾃﾞｼﾞﾀﾙ) as people expect to read them (デジタル); nothing else changes."""
    return _HALF_WIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), value)


def clean_line(value: str) -> str:
    """Single-line text as stored: breaks and tabs as single spaces, blanks trimmed."""
    _refuse_unusable(value, LINE_BREAKS + "\t")
    value = _SPACED_BREAKS.sub(" ", _drop_format_characters(value)).replace("\t", " ")
    return full_width_kana(value).strip()


def clean_text(value: str) -> str:
    """Multi-line text as stored: every kind of line break as "\\n", tabs kept, blanks trimmed
    at both ends (a textarea posts CRLF; stored with LF, text and HTML parts split alike)."""
    _refuse_unusable(value, LINE_BREAKS + "\t")
    value = _BREAKS.sub("\n", _drop_format_characters(value))
    return full_width_kana(value).strip()


def nfkc(value: str) -> str:
    """Full-width letters, digits and spaces as their plain forms (ＤＸ推進課 -> DX推進課): for
    codes, addresses and names matched against the official list."""
    return unicodedata.normalize("NFKC", clean_line(value)).strip()


def header_safe(value: str) -> str:
    """A header value built from stored text: whatever a row holds, it never breaks the header."""
    return " ".join("".join(" " if breaks_header(ch) else ch for ch in value).split())
