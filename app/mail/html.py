"""The HTML part of a mail, rendered from its text part: one source, so both carry the same.

The text part is first-class (municipal inboxes strip HTML, DOMAIN.md), so it is the source: every
paragraph, 「■ 項目: 値」 line, programme item and URL of the text reappears in the HTML, in the
same order. Writing a second template per mail let the HTML fall behind (the confirmation's had
no join link, programme or status), and SpamAssassin scores the mismatch (MPART_ALT_DIFF_COUNT).
"""

import re

from flask import render_template

# What mail clients link in a text part anyway, so linking it in HTML exposes nothing new.
_URL = re.compile(r"(?:https?|webcal)://[^\s<>\"'（）「」、。]+")
_LABELLED = re.compile(r"■\s*(?P<label>[^:：]+?)\s*[:：]\s*(?P<value>.*)")
_ITEM = re.compile(r"\s*[・•-]\s*(?P<text>.*)")
FOOTER_MARK = "--"


def _pieces(line: str) -> list[tuple[str, str]]:
    """A line as (text, url) pieces: url is "" for plain text, the address for a link."""
    pieces, at = [], 0
    for match in _URL.finditer(line):
        if match.start() > at:
            pieces.append((line[at : match.start()], ""))
        pieces.append((match.group(), match.group()))
        at = match.end()
    if at < len(line):
        pieces.append((line[at:], ""))
    return pieces


def _blocks(text: str) -> list[dict]:
    """Blank lines end a block; a ■ line starts a labelled row, whose continuation lines (a URL,
    the programme's ・ items) belong to it."""
    blocks: list[dict] = []
    current: dict | None = None
    for line in text.splitlines():
        if not line.strip():
            current = None
            continue
        labelled = _LABELLED.fullmatch(line)
        item = _ITEM.fullmatch(line) if line.startswith((" ", "・")) else None
        if labelled:
            if current is None or current["kind"] != "rows":
                current = {"kind": "rows", "rows": []}
                blocks.append(current)
            current["rows"].append(
                {"label": labelled["label"], "value": _pieces(labelled["value"]), "more": []}
            )
        elif current is not None and current["kind"] == "rows":
            row = current["rows"][-1]
            row["more"].append(
                {"item": bool(item), "pieces": _pieces(item["text"] if item else line)}
            )
        else:
            if current is None:
                current = {"kind": "paragraph", "lines": []}
                blocks.append(current)
            current["lines"].append(_pieces(line))
    return blocks


def html_from_text(text: str, *, title: str) -> str:
    """The HTML part for a rendered text part: a layout with a <title>, inline styles only, no
    images, and no colours forced on the text, so that dark mode and images-off read the same."""
    body, _, footer = text.partition(f"\n{FOOTER_MARK}\n")
    return render_template(
        "mail/_layout.html",
        title=title,
        blocks=_blocks(body),
        footer=[_pieces(line) for line in footer.splitlines() if line.strip()],
    )
