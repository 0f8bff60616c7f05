"""Reading the PDFs back: the text of each page, and the fonts the pages use."""

import io
from dataclasses import dataclass

import pypdf


def pages_text(body: bytes) -> list[str]:
    assert body.startswith(b"%PDF-")
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages]


def text(body: bytes) -> str:
    return "\n".join(pages_text(body))


@dataclass(frozen=True)
class PdfFont:
    name: str
    embedded: bool  # the font program is in the file (FontFile, FontFile2 or FontFile3)


def fonts(body: bytes) -> set[PdfFont]:
    found = set()
    for page in pypdf.PdfReader(io.BytesIO(body)).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.add(PdfFont(str(font["/BaseFont"]), embedded))
    return found


def assert_japanese_fonts_embedded(body: bytes) -> None:
    """Every font is a subset of Noto CJK JP (or IPAex) carried in the file: no tofu on a PC
    without Japanese fonts, and no other font slipped in for a missing glyph."""
    used = fonts(body)
    assert used
    for font in used:
        assert font.embedded, font
        assert "CJK-JP" in font.name or "IPAex" in font.name, font


def in_order(haystack: str, needles: list[str]) -> bool:
    positions = [haystack.find(needle) for needle in needles]
    return -1 not in positions and positions == sorted(positions)
