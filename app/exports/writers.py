"""Write a Table as CSV bytes for Excel on Japanese Windows, or as an .xlsx workbook.

Cells are text, numbers, codes, or aware datetimes (shown in the app's time zone). A text cell
that a spreadsheet would read as a formula is kept as text in both formats.
"""

import csv
import io
import re
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.exports.cells import Code
from app.exports.services import Table
from app.formatting import local

BOM = "\ufeff"
# Excel, LibreOffice and Google Sheets start a formula with these (tab and CR per OWASP's advice).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATETIME_TEXT = "%Y/%m/%d %H:%M"
XLSX_DATETIME_FORMAT = "yyyy/mm/dd hh:mm"
MAX_COLUMN_WIDTH = 60


# CSV has no types, so a code is written as the formula ="011002", which Excel and LibreOffice
# (also on a Japanese system) show as the text 011002. This is the one formula we write, and it
# can carry nothing but ASCII digits: the defusing of formula-like text below stays whole, since
# no typed text ever reaches it (anything else in a Code cell is written as ordinary text).
_DIGITS = re.compile(r"[0-9]+")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def csv_cell(value) -> str:
    """A cell as CSV text: datetimes as 2026/09/15 14:00 (local), formula-like text quoted with '."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local(value).strftime(DATETIME_TEXT)
    if isinstance(value, int | float):
        return str(value)  # a number is data, not a formula, even when negative
    if isinstance(value, Code) and _DIGITS.fullmatch(value):
        return f'="{value}"'
    text = str(value)
    return "'" + text if is_formula_like(text) else text


def to_csv(table: Table) -> bytes:
    """UTF-8 with a BOM (so Excel does not read it as Shift_JIS) and CRLF line ends."""
    out = io.StringIO(newline="")
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(header) for header in table.headers])
    writer.writerows([csv_cell(value) for value in row] for row in table.rows)
    return out.getvalue().encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    """One sheet with a bold, frozen header row; datetimes are real dates in local time."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.sheet_title
    widths = [0] * len(table.headers)
    for row_number, row in enumerate([table.headers, *table.rows], start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            widths[column - 1] = max(widths[column - 1], _write(cell, value))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width, MAX_COLUMN_WIDTH)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write(cell, value) -> int:
    """Put one value in a cell; returns the column width it needs."""
    if isinstance(value, datetime):
        # Excel has no time zones: write the local wall-clock time, formatted.
        cell.value = local(value).replace(tzinfo=None)
        cell.number_format = XLSX_DATETIME_FORMAT
        return 18
    if isinstance(value, str):
        # openpyxl refuses control characters, and would turn a string starting with "=" into a
        # formula: formula-like text is stored as text with Excel's own quote prefix instead.
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
        cell.quotePrefix = is_formula_like(value)
        return _width(value)
    cell.value = value
    return 0 if value is None else _width(str(value))


def _width(text: str) -> int:
    """Column width in Excel's units: full-width characters take two."""
    lines = text.splitlines() or [""]
    return 2 + max(sum(1 if ord(char) < 0x2E80 else 2 for char in line) for line in lines)
