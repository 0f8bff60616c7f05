"""Reading a contact list as it arrives from a secretariat's PC: an Excel workbook (.xlsx) or a CSV
in UTF-8 (with or without BOM), UTF-16 (Excel's 「Unicode テキスト」) or Shift_JIS/CP932 (Excel on
Japanese Windows), into a header row and the rows under it, or a message that says what is wrong
with the file and how to fix it. Nothing here knows what the columns mean."""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from xml.etree.ElementTree import ParseError, iterparse

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from app.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# The header is the first non-empty row among the first few.
HEADER_SEARCH_ROWS = 10

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted .xlsx is an OLE file holding these streams (names in UTF-16LE).
_ENCRYPTED_MARKS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


class ImportFileError(DomainError):
    """The file cannot be read as a contact list; the message says why and what to do."""

    field = "file"


@dataclass
class Table:
    """One sheet (or the CSV): its header cells, and each data row with its number as Excel or a
    text editor shows it (the header is row 1 when it is the first line)."""

    headers: list[str]
    rows: list[tuple[int, list]]
    # Cells holding a formula that was never calculated (openpyxl gives no value for them).
    uncalculated: set[tuple[int, int]] = field(default_factory=set)


def check_size(content: bytes) -> None:
    if not content:
        raise ImportFileError(
            _l("ファイルが空です。会員の一覧を保存したファイルを選んでください。")
        )
    if len(content) > MAX_BYTES:
        raise ImportFileError(
            _l(
                "ファイルが大きすぎます（上限 %(mb)d MB）。ファイルを分けて取り込んでください。",
                mb=MAX_BYTES // (1024 * 1024),
            )
        )


def is_workbook(content: bytes, file_name: str) -> bool:
    """An Excel file (by its content, whatever its name says), or a CSV."""
    return (
        content.startswith(b"PK\x03\x04")
        or content.startswith(_OLE_MAGIC)
        or (file_name.lower().endswith((".xlsx", ".xlsm", ".xls")))
    )


def sheet_names(content: bytes) -> list[str]:
    """The workbook's worksheets, in order."""
    workbook = _open_workbook(content)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def read_file(content: bytes, file_name: str, sheet: str | None = None) -> Table:
    """The table in the file (in `sheet`, or the workbook's first sheet)."""
    check_size(content)
    if is_workbook(content, file_name):
        return _read_sheet(content, sheet)
    return _read_csv(content)


# --- Excel ----------------------------------------------------------------------------------


def _open_workbook(content: bytes):
    if content.startswith(_OLE_MAGIC):
        if any(mark in content for mark in _ENCRYPTED_MARKS):
            raise ImportFileError(
                _l(
                    "パスワードで保護（暗号化）されたブックは読み込めません。Excel で「ファイル」→「情報」→「ブックの保護」からパスワードを解除して保存し直してください。"
                )
            )
        raise ImportFileError(
            _l(
                "古い Excel 形式（.xls）は読み込めません。Excel で「名前を付けて保存」から「Excel ブック (*.xlsx)」を選んで保存し直してください。"
            )
        )
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ParseError, OSError, ValueError):
        raise ImportFileError(
            _l(
                "ファイルが壊れているか、Excel ブック（.xlsx）ではありません。Excel で開けるか確かめ、「Excel ブック (*.xlsx)」または CSV で保存し直してください。"
            )
        ) from None


def _read_sheet(content: bytes, sheet: str | None) -> Table:
    workbook = _open_workbook(content)
    try:
        names = list(workbook.sheetnames)
        if sheet is None:
            sheet = names[0]
        if sheet not in names:
            raise ImportFileError(
                _l(
                    "シート「%(sheet)s」はこのブックにありません。次のシートから選んでください: %(names)s",
                    sheet=sheet,
                    names="、".join(names),
                ),
                field="sheet",
            )
        worksheet = workbook[sheet]
        try:
            merged, uncalculated = _sheet_marks(worksheet)
            rows = _limited(
                (number, [_cell(value) for value in values])
                for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1)
            )
        except (zipfile.BadZipFile, ParseError, KeyError, OSError, ValueError):
            raise ImportFileError(
                _l(
                    "シート「%(sheet)s」を読み込めませんでした。ファイルが壊れている可能性があります。",
                    sheet=sheet,
                )
            ) from None
    finally:
        workbook.close()
    table = _table(rows, sheet)
    header_number = _header_number(rows)
    for ref, (first_row, last_row) in merged:
        if first_row <= header_number <= last_row:
            raise ImportFileError(
                _l(
                    "見出し行に結合されたセル（%(ref)s）があります。セルの結合を解除し、1 列に 1 つの見出しを入れてください。",
                    ref=ref,
                )
            )
    table.uncalculated = uncalculated
    return table


def _sheet_marks(worksheet) -> tuple[list[tuple[str, tuple[int, int]]], set[tuple[int, int]]]:
    """The sheet's merged ranges and its formula cells without a calculated value, read from the
    sheet's XML (openpyxl's read-only mode exposes neither)."""
    merged, uncalculated = [], set()
    source = worksheet._get_source()
    try:
        for _event, element in iterparse(source):
            tag = element.tag
            if tag == f"{_MAIN}c":
                formula = element.find(f"{_MAIN}f")
                value = element.find(f"{_MAIN}v")
                if formula is not None and (value is None or value.text is None):
                    uncalculated.add(_ref_position(element.get("r", "")))
                element.clear()
            elif tag == f"{_MAIN}row":
                element.clear()
            elif tag == f"{_MAIN}mergeCell":
                ref = element.get("ref", "")
                start, _, end = ref.partition(":")
                merged.append((ref, (_ref_position(start)[0], _ref_position(end or start)[0])))
    finally:
        source.close()
    return merged, uncalculated


def _ref_position(ref: str) -> tuple[int, int]:
    """ "B12" -> (12, 2)."""
    letters = "".join(ch for ch in ref if ch.isalpha()).upper()
    digits = "".join(ch for ch in ref if ch.isdigit())
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch) - 64
    return (int(digits[:7]) if digits else 0, column)


def _cell(value):
    """A cell as the import reads it: text, a date, or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) else value
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value if value.strip() else None
    return str(value)


# --- CSV ------------------------------------------------------------------------------------


def decode(content: bytes) -> str:
    """The text of a CSV: UTF-8 with or without BOM, UTF-16 with BOM, else Shift_JIS (CP932)."""
    if content.startswith(b"\xef\xbb\xbf"):
        return _decode(content[3:], "utf-8")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(content, "utf-16")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(content, "cp932")


def _decode(content: bytes, encoding: str) -> str:
    try:
        return content.decode(encoding)
    except UnicodeDecodeError:
        raise ImportFileError(
            _l(
                "ファイルの文字コードを判別できません。Excel で「CSV UTF-8（コンマ区切り）」または「Excel ブック (*.xlsx)」で保存し直してください。"
            )
        ) from None


def _read_csv(content: bytes) -> Table:
    text = decode(content)
    if "\x00" in text:
        raise ImportFileError(
            _l(
                "CSV として読めません（バイナリファイルのようです）。Excel ブックか CSV を選んでください。"
            )
        )
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = _limited(
            (reader.line_num, [value if value.strip() else None for value in values])
            for values in reader
        )
    except csv.Error:
        raise ImportFileError(
            _l(
                'CSV の %(line)d 行目を読めません（引用符 " の対応を確かめてください）。',
                line=reader.line_num,
            )
        ) from None
    return _table(rows, None)


# --- both -----------------------------------------------------------------------------------


def _limited(rows) -> list[tuple[int, list]]:
    """The non-empty rows, refusing more than MAX_ROWS (plus the header)."""
    kept = []
    for number, values in rows:
        if any(value is not None for value in values):
            kept.append((number, values))
            if len(kept) > MAX_ROWS + 1:
                raise ImportFileError(
                    _l(
                        "行数が多すぎます（上限 %(max)s 行）。ファイルを分けて取り込んでください。",
                        max=f"{MAX_ROWS:,}",
                    )
                )
    return kept


def _header_number(rows: list[tuple[int, list]]) -> int:
    return rows[0][0] if rows else 0


def _table(rows: list[tuple[int, list]], sheet: str | None) -> Table:
    if not rows or rows[0][0] > HEADER_SEARCH_ROWS:
        if sheet is not None:
            raise ImportFileError(
                _l(
                    "シート「%(sheet)s」にデータがありません。会員の一覧があるシートを選んでください。",
                    sheet=sheet,
                ),
                field="sheet",
            )
        raise ImportFileError(
            _l("ファイルにデータがありません。会員の一覧を保存したファイルを選んでください。")
        )
    header_number, header = rows[0]
    if len(rows) == 1:
        raise ImportFileError(
            _l("見出し行の下にデータがありません。1 行目に見出し、2 行目から会員を入れてください。")
        )
    headers = [str(value).strip() if value is not None else "" for value in header]
    width = max(len(headers), *(len(values) for _, values in rows[1:]))
    headers += [""] * (width - len(headers))
    headers = [
        name or _l("（見出しなし・%(column)s列）", column=get_column_letter(i + 1))
        for i, name in enumerate(headers)
    ]
    body = [(number, values + [None] * (width - len(values))) for number, values in rows[1:]]
    return Table(headers=[str(name) for name in headers], rows=body)
