"""HTML templates to PDF with WeasyPrint, the Japanese font embedded.

The templates under templates/documents/ ask for the font by family name; fontconfig finds the
files of Debian's fonts-noto-cjk (Noto Sans / Serif CJK JP), IPAex (fonts-ipaexfont) being the
fallback. WeasyPrint embeds the glyphs used as a subset, so a PDF opens the same on a municipal PC
with no Japanese font of its own and stays small.

Nothing is fetched while rendering: every style is inline in the template, and an address that
reached the document (it cannot: text is escaped) would be refused rather than requested.
"""

from functools import cache
from typing import Any, NoReturn

from flask import render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import ServiceUnavailable

SANS = '"Noto Sans CJK JP", "IPAexGothic", sans-serif'
SERIF = '"Noto Serif CJK JP", "IPAexMincho", serif'
# What the tests look for in the embedded fonts' names.
EMBEDDED_FONT_NAMES = ("NotoSansCJKJP", "Noto-Sans-CJK-JP", "NotoSerifCJKJP", "Noto-Serif-CJK-JP")


class PdfUnavailable(ServiceUnavailable):
    """WeasyPrint loads Pango when it is imported; on a host without it (apt-get install
    libpango-1.0-0 libpangoft2-1.0-0) the rest of the app runs and a PDF answers 503."""

    description = _l(
        "PDF を作成できません（サーバーに必要なライブラリがありません）。事務局にお知らせください。"
    )


@cache
def _weasyprint() -> tuple[Any, Any]:
    """WeasyPrint's HTML and a URL fetcher that refuses every URL, loaded on first use."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (OSError, ImportError) as error:  # Pango, GObject or HarfBuzz missing; or the package
        raise PdfUnavailable() from error

    class NoFetching(URLFetcher):
        """Refuses every URL: a document is made from its template alone."""

        def fetch(self, url: str, headers: Any = None) -> NoReturn:
            raise ValueError(f"documents fetch nothing: {url[:80]}")

    return HTML, NoFetching


def render_pdf(template: str, **context: Any) -> bytes:
    """The template rendered (autoescaped, with the app's filters) and laid out as a PDF."""
    html_class, no_fetching = _weasyprint()
    html = render_template(template, sans=SANS, serif=SERIF, **context)
    pdf = html_class(string=html, base_url=None, url_fetcher=no_fetching()).write_pdf()
    return bytes(pdf)  # no target given: write_pdf returns the document
