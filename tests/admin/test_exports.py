"""Downloads from the console: registrants, attendance and members as CSV for Excel (BOM, CRLF,
formula guard) and as .xlsx, read back; each download is in the audit log."""

import csv
import io

import openpyxl
import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.events.models import Question, QuestionType
from app.extensions import db
from app.members.models import MemberStatus
from tests.factories import make_member

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def event(make_event, make_registration):
    event = make_event(title="セミナー＆情報交換会")
    event.questions = [
        Question(position=0, label="ご所属の取り組み", type=QuestionType.SHORT_TEXT),
        Question(
            position=1,
            label="関心のある分野",
            type=QuestionType.MULTIPLE_CHOICE,
            choices=["生成AI", "データ活用"],
        ),
    ]
    db.session.commit()
    first, second = event.questions
    attendee = make_registration(event, name="山田 花子", organization="鳥取県")
    attendee.answers = {str(first.id): "=1+2", str(second.id): ["生成AI", "データ活用"]}
    make_registration(event, name="@鈴木", organization="東京都江戸川区")
    db.session.commit()
    return event


def read_csv(response) -> list[dict]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_registrants_csv_opens_in_excel_with_answers_as_columns(organizer_client, event):
    response = organizer_client.get(f"/admin/events/{event.id}/registrants.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert f"event{event.id}-registrants-20260801.csv" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert b"\r\n" in response.get_data()
    rows = read_csv(response)
    assert [row["氏名"] for row in rows] == ["山田 花子", "'@鈴木"]
    assert rows[0]["所属（自治体・団体）"] == "鳥取県"
    assert rows[0]["ご所属の取り組み"] == "'=1+2"
    assert rows[0]["関心のある分野"] == "生成AI、データ活用"
    assert rows[0]["状態"] == "参加確定"
    assert rows[0]["申込日時"] == "2026/08/01 10:00"


def test_registrants_xlsx_reads_back_with_openpyxl(organizer_client, event):
    response = organizer_client.get(f"/admin/events/{event.id}/registrants.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    headers = rows[0]
    assert headers[:3] == ["申込番号", "状態", "氏名"]
    assert "関心のある分野" in headers
    first = dict(zip(headers, rows[1], strict=True))
    assert first["ご所属の取り組み"] == "=1+2"
    assert sheet.cell(row=2, column=headers.index("ご所属の取り組み") + 1).data_type == "s"
    assert first["申込日時"].strftime("%Y/%m/%d %H:%M") == "2026/08/01 10:00"


def test_attendance_csv_lists_confirmed_people_with_yes_or_no(organizer_client, event):
    rows = read_csv(organizer_client.get(f"/admin/events/{event.id}/attendance.csv"))
    assert [(row["氏名"], row["出席"], row["受付日時"]) for row in rows] == [
        ("山田 花子", "いいえ", ""),
        ("'@鈴木", "いいえ", ""),
    ]


def test_attendance_xlsx_reads_back(organizer_client, event):
    response = organizer_client.get(f"/admin/events/{event.id}/attendance.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.title == "出欠"
    assert sheet.max_row == 3


def test_an_event_without_registrants_downloads_only_the_header(organizer_client, make_event):
    event = make_event()
    rows = read_csv(organizer_client.get(f"/admin/events/{event.id}/registrants.csv"))
    assert rows == []


def test_members_csv_has_status_organisation_and_consent(organizer_client):
    make_member(organization="鳥取市", name="鳥取 一郎", listed_publicly=True)
    make_member(organization="北海道札幌市", name="札幌 二郎", status=MemberStatus.UNSUBSCRIBED)
    rows = read_csv(organizer_client.get("/admin/members.csv"))
    assert [(r["氏名"], r["状態"], r["都道府県"]) for r in rows] == [
        ("鳥取 一郎", "有効", "鳥取県"),
        ("札幌 二郎", "配信停止", "北海道"),
    ]
    assert rows[0]["同意日時"] == "2026/08/01 10:00"
    assert rows[0]["同意文言の版"] == "2026-11"
    assert rows[0]["公開掲載"] == "はい"


def test_members_download_keeps_the_lists_filters(organizer_client):
    make_member(organization="鳥取市", name="鳥取 一郎")
    make_member(organization="北海道札幌市", name="札幌 二郎", status=MemberStatus.UNSUBSCRIBED)
    rows = read_csv(organizer_client.get("/admin/members.csv?status=unsubscribed"))
    assert [r["氏名"] for r in rows] == ["札幌 二郎"]
    response = organizer_client.get("/admin/members.xlsx?q=鳥取")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["鳥取 一郎"]


def test_each_download_is_written_to_the_audit_log(organizer_client, event):
    organizer_client.get(f"/admin/events/{event.id}/registrants.csv")
    organizer_client.get("/admin/members.xlsx?status=active")
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.startswith("export.")).order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.target) for e in entries] == [
        ("export.registrants", f"event:{event.id}"),
        ("export.members", "members"),
    ]
    assert entries[0].detail == {"format": "csv", "rows": 2}
    assert entries[1].detail["status"] == "active"
    assert entries[0].organizer_id is not None


@pytest.mark.parametrize(
    "url",
    [
        "/admin/events/{id}/registrants.pdf",
        "/admin/events/{id}/attendance.json",
        "/admin/members.txt",
        "/admin/events/999999/registrants.csv",
        "/admin/events/999999/attendance.xlsx",
    ],
)
def test_an_unknown_format_or_event_is_not_found(organizer_client, event, url):
    assert organizer_client.get(url.format(id=event.id)).status_code == 404


def test_a_visitor_cannot_download(client, event):
    response = client.get(f"/admin/events/{event.id}/registrants.csv")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")
