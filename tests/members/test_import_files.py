"""Files that are not a usable contact list each get their own message, saying what to do:
empty, too large, too many rows, encrypted, corrupted, the old .xls format, a missing or empty
sheet, formulas never calculated, merged header cells, a CSV in no known encoding."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from app.audit.actor import Actor
from app.members.imports import reading, services
from app.members.imports.models import MemberImportRow
from tests.conftest import NOW
from tests.members import import_samples as samples

CLI = Actor("cli")


def refused(content: bytes, file_name: str = "list.xlsx") -> str:
    with pytest.raises(reading.ImportFileError) as error:
        services.start_import(content, file_name, CLI, NOW)
    return str(error.value.message)


def workbook_bytes(fill) -> bytes:
    workbook = Workbook()
    fill(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_empty_file(app):
    assert "ファイルが空です" in refused(b"", "list.csv")


def test_a_file_over_five_megabytes(app):
    assert "ファイルが大きすぎます（上限 5 MB）" in refused(b"a,b\n" * (1_400_000), "big.csv")


def test_more_than_twenty_thousand_rows(app):
    content = ("自治体名,氏名,メールアドレス\r\n" + "鳥取県,a,a@b.jp\r\n" * 20_001).encode()
    assert "行数が多すぎます（上限 20,000 行）" in refused(content, "many.csv")


def test_twenty_thousand_rows_are_allowed(app):
    content = ("自治体名,氏名,メールアドレス\r\n" + "鳥取県,a,a@b.jp\r\n" * 20_000).encode()
    assert services.start_import(content, "many.csv", CLI, NOW).row_count == 20_000


def test_an_encrypted_workbook(app):
    # What Excel writes for 「パスワードを使用して暗号化」: an OLE compound file (not a zip)
    # whose directory names the EncryptionInfo and EncryptedPackage streams.
    header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
    directory = (
        "EncryptionInfo".encode("utf-16-le") + bytes(50) + "EncryptedPackage".encode("utf-16-le")
    )
    message = refused(header + directory + bytes(1024))
    assert "パスワードで保護（暗号化）されたブックは読み込めません" in message


def test_the_old_xls_format(app):
    assert "古い Excel 形式（.xls）" in refused(
        bytes.fromhex("d0cf11e0a1b11ae1") + bytes(2048), "a.xls"
    )


def test_a_corrupted_workbook(app):
    whole = samples.xlsx_bytes(samples.contacts()[:5])
    assert "ファイルが壊れているか" in refused(whole[: len(whole) // 2])
    # A zip that is not a workbook at all.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert "ファイルが壊れているか" in refused(buffer.getvalue())


def test_an_empty_sheet_and_a_header_without_rows(app):
    assert "シート「Sheet」にデータがありません" in refused(workbook_bytes(lambda wb: None))
    header_only = workbook_bytes(lambda wb: wb.active.append(samples.HEADERS))
    assert "見出し行の下にデータがありません" in refused(header_only)
    assert "見出し行の下にデータがありません" in refused("自治体名,氏名\r\n".encode(), "a.csv")


def test_the_first_sheet_with_data_is_taken_and_another_may_be_chosen(app):
    def fill(workbook):
        workbook.active.title = "表紙"
        sheet = workbook.create_sheet("名簿")
        sheet.append(samples.HEADERS)
        sheet.append(["鳥取県", "", "山田 花子", "", "hanako@pref.example.jp"])
        other = workbook.create_sheet("旧名簿")
        other.append(["氏名", "自治体名", "メール"])
        other.append(["佐藤 次郎", "北海道", "jiro@example.jp"])

    batch = services.start_import(workbook_bytes(fill), "book.xlsx", CLI, NOW)
    assert batch.sheet_names == ["表紙", "名簿", "旧名簿"]
    assert batch.sheet == "名簿"
    services.choose_sheet(batch, "旧名簿")
    assert batch.mapping["name"] == 0 and batch.mapping["email"] == 2
    with pytest.raises(reading.ImportFileError) as error:
        services.choose_sheet(batch, "ない")
    assert (
        "シート「ない」はこのブックにありません。次のシートから選んでください: 表紙、名簿、旧名簿"
        in str(error.value.message)
    )


def test_formulas_never_calculated_are_named_with_their_cell(app):
    def fill(workbook):
        sheet = workbook.active
        sheet.append(samples.HEADERS)
        sheet.append(["鳥取県", "", "山田 花子", "", '=LOWER("HANAKO@PREF.EXAMPLE.JP")'])

    batch = services.start_import(workbook_bytes(fill), "formulas.xlsx", CLI, NOW)
    services.choose_columns(batch, batch.mapping, False, NOW)
    row = MemberImportRow.query.filter_by(import_id=batch.id).one()
    assert row.outcome == "error"
    assert "「メールアドレス」（E2）は数式で、計算された値が保存されていません" in row.reason


def test_merged_header_cells(app):
    def fill(workbook):
        sheet = workbook.active
        sheet.append(["連絡先", None, "氏名"])
        sheet.append(["鳥取県", "a@b.jp", "山田"])
        sheet.merge_cells("A1:B1")

    assert "見出し行に結合されたセル（A1:B1）があります" in refused(workbook_bytes(fill))


def test_a_csv_in_no_known_encoding(app):
    # Valid neither as UTF-8 nor as CP932 (0x81 is a lead byte that a space cannot follow).
    assert "文字コードを判別できません" in refused(
        b"\xef\xbb\xbf\xff\xfe\xfd,a\r\n1,2\r\n", "a.csv"
    )
    assert "文字コードを判別できません" in refused(
        "自治体名,氏名\r\n".encode("cp932") + b"\x81\x20\r\n", "a.csv"
    )
