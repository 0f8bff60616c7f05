"""members.csv as a spreadsheet opens it: 団体コード keeps its leading zero (札幌市 011002), the
Content-Type names one charset. The LibreOffice test needs `soffice` (Debian: libreoffice-calc-nogui)
and skips with the reason when it is absent."""

import csv
import io
import shutil
import subprocess

import openpyxl
import pytest

from app.exports.cells import Code
from app.exports.services import Table
from app.exports.writers import csv_cell, to_csv
from tests.factories import make_member

SOFFICE = shutil.which("soffice")


def test_a_code_is_written_as_text_formula_and_only_digits_can_become_one(app):
    assert csv_cell(Code("011002")) == '="011002"'
    # Anything but digits in a code cell is ordinary text, defused like the rest.
    assert (
        csv_cell(Code('1"),HYPERLINK("http://evil.example')) == '1"),HYPERLINK("http://evil.example'
    )
    assert csv_cell(Code("=1+2")) == "'=1+2"
    assert csv_cell(Code("")) == ""
    assert csv_cell("011002") == "011002"  # plain text stays as it is


def test_members_csv_has_one_charset_and_the_code_as_text(organizer_client):
    make_member(organization="北海道札幌市")
    response = organizer_client.get("/admin/members.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    [row] = csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"), newline=""))
    assert row["団体コード"] == '="011002"'  # quoted by the CSV writer, a formula once read


@pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice is not installed (apt-get install -y --no-install-recommends "
    "libreoffice-calc-nogui)",
)
def test_libreoffice_opens_the_csv_with_the_leading_zero_intact(app, tmp_path):
    table = Table("会員一覧", ["団体コード", "所属（自治体・団体）", "比較"], [])
    table.rows.append([Code("011002"), "札幌市", "011002"])
    source = tmp_path / "members.csv"
    source.write_bytes(to_csv(table))
    # The import dialog's choices on a Japanese system: comma, ", UTF-8 (76), Japanese (1041).
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--infilter=CSV:44,34,76,1,,1041",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    sheet = openpyxl.load_workbook(tmp_path / "members.xlsx", data_only=True).active
    header, row = ([cell.value for cell in r] for r in sheet.iter_rows(max_row=2))
    assert header == ["団体コード", "所属（自治体・団体）", "比較"]
    assert row[0] == "011002"
    assert row[1] == "札幌市"
    assert row[2] == 11002  # what a plain code would have become: the reason for the formula
