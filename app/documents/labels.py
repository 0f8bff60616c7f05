"""Label sheets for name tags (名札): the few A4 layouts sold in Japan that the secretariat uses,
and how people are laid out on them, page by page.

Each sheet is given by its label size, its grid and the margins to the first label, as printed
on the sheet's package (寸法図). Sheets of one size from different makers (A-One, Kokuyo, ...)
share these layouts, so the table names the size, not a product number: check the package
against the numbers shown in the console, and print a first page on plain paper to hold against
a sheet before printing on the labels. "plain" prints cut lines on ordinary A4 paper.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0

T = TypeVar("T")


@dataclass(frozen=True)
class LabelSheet:
    key: str
    label: LazyString
    columns: int
    rows: int
    width_mm: float
    height_mm: float
    top_mm: float
    left_mm: float
    gap_x_mm: float = 0.0
    gap_y_mm: float = 0.0
    cut_lines: bool = False  # plain paper: draw each label's outline to cut along

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def position(self, index: int) -> tuple[float, float]:
        """The top-left corner (x, y in mm) of the index-th label of a page, row by row."""
        row, column = divmod(index, self.columns)
        x = self.left_mm + column * (self.width_mm + self.gap_x_mm)
        y = self.top_mm + row * (self.height_mm + self.gap_y_mm)
        return x, y

    def fits_on_a4(self) -> bool:
        right = self.left_mm + self.columns * self.width_mm + (self.columns - 1) * self.gap_x_mm
        bottom = self.top_mm + self.rows * self.height_mm + (self.rows - 1) * self.gap_y_mm
        return right <= PAGE_WIDTH_MM + 0.01 and bottom <= PAGE_HEIGHT_MM + 0.01


SHEETS: tuple[LabelSheet, ...] = (
    LabelSheet(
        "card-86x54",
        _l("名札 86×54mm 10面（2列×5段・カードサイズ）"),
        columns=2,
        rows=5,
        width_mm=86,
        height_mm=54,
        top_mm=13.5,
        left_mm=14,
        gap_x_mm=10,
    ),
    LabelSheet(
        "card-91x55",
        _l("名刺 91×55mm 10面（2列×5段・名刺サイズ）"),
        columns=2,
        rows=5,
        width_mm=91,
        height_mm=55,
        top_mm=11,
        left_mm=14,
    ),
    LabelSheet(
        "label-86x42",
        _l("ラベル 86.4×42.3mm 12面（2列×6段）"),
        columns=2,
        rows=6,
        width_mm=86.4,
        height_mm=42.3,
        top_mm=21.6,
        left_mm=18.6,
    ),
    LabelSheet(
        "plain-105x74",
        _l("A4 普通紙 105×74mm 8面（2列×4段・切り取り線つき）"),
        columns=2,
        rows=4,
        width_mm=105,
        height_mm=74.25,
        top_mm=0,
        left_mm=0,
        cut_lines=True,
    ),
)
DEFAULT_SHEET = SHEETS[0]
BY_KEY = {sheet.key: sheet for sheet in SHEETS}


@dataclass(frozen=True)
class Slot(Generic[T]):
    """One label on a page: where it is and whom it is for (None: left blank)."""

    x_mm: float
    y_mm: float
    item: T | None


def sheet_named(key: str | None) -> LabelSheet | None:
    """The sheet a console link asks for (the default when none), or None when there is none."""
    if not key:
        return DEFAULT_SHEET
    return BY_KEY.get(key)


def lay_out(items: Sequence[T], sheet: LabelSheet, skip: int = 0) -> list[list[Slot[T]]]:
    """Pages of labels, filled row by row; the first `skip` labels of a sheet used before are
    left blank so its remaining labels are printed first."""
    skip = max(0, min(skip, sheet.per_page - 1))
    cells: list[T | None] = [None] * skip + list(items)
    pages = []
    for start in range(0, len(cells), sheet.per_page):
        page = cells[start : start + sheet.per_page]
        pages.append([Slot(*sheet.position(i), item) for i, item in enumerate(page)])
    return pages


def text_size_pt(text: str, box_width_mm: float, largest_pt: float, smallest_pt: float) -> float:
    """A font size at which the text fits one line of the box: wide (Japanese) characters take
    a full em, others about half; below `smallest_pt` the text wraps instead."""
    ems = sum(1.0 if _is_wide(ch) else 0.55 for ch in text) or 1.0
    points_per_mm = 72 / 25.4
    fitting = box_width_mm * points_per_mm / ems
    return round(max(smallest_pt, min(largest_pt, fitting)), 1)


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F", "A")
