"""Where a `next=` (or any other redirect target a request carries) may send the visitor: only
to a path on this site."""

import unicodedata
from urllib.parse import unquote, urlsplit

# Longer than any page of ours with its query string; a longer target is not one we made.
MAX_TARGET_LENGTH = 2048


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char).startswith("C")


def _leaves_site(text: str) -> bool:
    # As a browser reads a Location: tabs and newlines dropped, "\\" taken for "/".
    text = "".join(char for char in text if not _invisible(char)).replace("\\", "/")
    parts = urlsplit(text)
    return not text.startswith("/") or text.startswith("//") or bool(parts.scheme or parts.netloc)


def safe_next(value: str | None, fallback: str, within: str = "/") -> str:
    """`value` when it is a path on this site under `within` (e.g. "/admin/"), else `fallback`."""
    if not isinstance(value, str) or not value or len(value) > MAX_TARGET_LENGTH:
        return fallback
    # Control characters (CR/LF would even break the Location header), whitespace and
    # backslashes: urlsplit and browsers drop tabs and newlines, so "/\t/evil.example" would
    # become "//evil.example".
    if "\\" in value or any(_invisible(char) for char in value):
        return fallback
    # Each further layer of percent-encoding too, for a proxy or browser that decodes once more:
    # "/%09/evil.example" must not turn into "//evil.example" anywhere.
    layer = value
    for _ in range(4):
        if _leaves_site(layer):
            return fallback
        layer = unquote(layer)
    path = urlsplit(value).path
    if within != "/" and not (path + "/").startswith(within.rstrip("/") + "/"):
        return fallback
    return value
