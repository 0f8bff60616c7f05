"""CSV that Excel on Japanese Windows opens as UTF-8, and .xlsx, both read back; text that a
spreadsheet would run as a formula stays text."""

import csv
import io
from datetime import UTC, datetime

import openpyxl
import pytest

from app.exports.services import Table
from app.exports.writers import to_csv, to_xlsx

MOMENT = datetime(2026, 9, 15, 5, 0, tzinfo=UTC)  # 2026/09/15 14:00 JST


def table(*rows) -> Table:
    return Table("申込者一覧", ["氏名", "所属（自治体・団体）", "申込日時"], list(rows))


def read_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_csv_starts_with_a_bom_and_ends_lines_with_crlf(app):
    body = to_csv(table(["山田 花子", "鳥取県", MOMENT]))
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.count(b"\r\n") == 2
    assert b"\n" not in body.replace(b"\r\n", b"")


def test_csv_reads_back_with_japanese_text_and_dates_in_japan_time(app):
    body = to_csv(table(["山田 花子", "東京都 江戸川区", MOMENT], ["鈴木, 一郎", '"DX"推進', None]))
    assert read_csv(body) == [
        ["氏名", "所属（自治体・団体）", "申込日時"],
        ["山田 花子", "東京都 江戸川区", "2026/09/15 14:00"],
        ["鈴木, 一郎", '"DX"推進', ""],
    ]


def test_csv_keeps_line_breaks_inside_a_quoted_cell(app):
    body = to_csv(table(["山田", "一行目\n二行目", None]))
    assert read_csv(body)[1][1] == "一行目\n二行目"


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://evil")', "+81-3-1234", "-2+3", "@SUM(A1)", "\t=1"]
)
def test_csv_quotes_text_a_spreadsheet_would_run_as_a_formula(app, text):
    assert read_csv(to_csv(table([text, "鳥取県", None])))[1][0] == "'" + text


def test_csv_leaves_ordinary_text_and_numbers_alone(app):
    rows = read_csv(to_csv(Table("t", ["番号", "メモ"], [[12, "a=b"], [-3, "ー長音"]])))
    assert rows[1:] == [["12", "a=b"], ["-3", "ー長音"]]


def read_xlsx(body: bytes):
    return openpyxl.load_workbook(io.BytesIO(body)).active


def test_xlsx_reads_back_with_headers_text_and_real_dates(app):
    sheet = read_xlsx(to_xlsx(table(["山田 花子", "鳥取県", MOMENT], ["鈴木", "鳥取市", None])))
    assert sheet.title == "申込者一覧"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows == [
        ["氏名", "所属（自治体・団体）", "申込日時"],
        ["山田 花子", "鳥取県", datetime(2026, 9, 15, 14, 0)],
        ["鈴木", "鳥取市", None],
    ]
    assert sheet["C2"].number_format == "yyyy/mm/dd hh:mm"
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"


def test_xlsx_keeps_formula_like_text_as_text(app):
    sheet = read_xlsx(to_xlsx(table(['=HYPERLINK("http://evil")', "@SUM(A1)", None])))
    for cell in (sheet["A2"], sheet["B2"]):
        assert cell.data_type == "s"
        assert cell.quotePrefix
    assert sheet["A2"].value == '=HYPERLINK("http://evil")'


def test_xlsx_keeps_numbers_as_numbers_and_drops_control_characters(app):
    sheet = read_xlsx(to_xlsx(Table("t", ["番号", "メモ"], [[12, "ベル\x07付き"]])))
    assert sheet["A2"].value == 12
    assert sheet["B2"].value == "ベル付き"
