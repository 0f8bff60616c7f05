"""Attendance from meeting tools' participant CSVs: the e-mail column is found by its header in
Zoom, Teams and Webex reports, in UTF-8 (with or without BOM), Shift_JIS and UTF-16, and matched to
registrations by normalised address; anything unreadable is refused with a reason."""

import codecs
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.audit.actor import SYSTEM
from app.extensions import db
from app.registrations.attendance import (
    AttendanceFileInvalid,
    Participant,
    import_attendance,
    read_report,
)
from app.registrations.models import Registration
from app.registrations.signup import cancel_registration
from tests.conftest import NOW

# A Zoom participant report as it comes out of 「レポート」 in Japanese: a summary of the meeting
# (with the host's address) first, then the participants.
ZOOM_JA = (
    "ミーティングID,トピック,開始時刻,終了時刻,ユーザーのメール,時間（分）,参加者\n"
    "812 3456 7890,リスキリング推進セミナー,2026/08/31 09:55:01,2026/08/31 12:03:44,"
    "host@secretariat.example.jp,129,3\n"
    "\n"
    "名前（元の名前）,ユーザーのメール,参加時刻,退出時刻,時間（分）,ゲスト,録画への同意\n"
    "山田 花子,hanako@city.example.jp,2026/08/31 09:58:12,2026/08/31 12:00:01,122,はい,Y\n"
    "鈴木 一郎,ICHIRO@Town.Example.JP,2026/08/31 10:01:40,2026/08/31 11:30:00,89,はい,Y\n"
    "山田 花子,hanako@city.example.jp,2026/08/31 11:31:02,2026/08/31 12:00:01,29,はい,Y\n"
    "ゲスト参加者,,2026/08/31 10:05:00,2026/08/31 11:00:00,55,はい,Y\n"
    "知らない人,stranger@example.com,2026/08/31 10:05:00,2026/08/31 11:00:00,55,はい,Y\n"
)

# Teams' attendance list: UTF-16 with tabs, in numbered sections.
TEAMS_JA = (
    "1. 概要\n"
    "会議のタイトル\tリスキリング推進セミナー\n"
    "出席者数\t2\n"
    "\n"
    "2. 参加者\n"
    "名前\t初回の参加\t最終退出\t会議の長さ\tメール\t参加者 ID (UPN)\t役割\n"
    "山田 花子\t2026/8/31 9:58:12\t2026/8/31 12:00:01\t2 時間 1 分\thanako@city.example.jp"
    "\thanako@city.example.jp\t出席者\n"
    "\n"
    "3. 会議中のアクティビティ\n"
    "名前\t参加時刻\t退出時刻\t期間\tメール\t役割\n"
    "山田 花子\t2026/8/31 9:58:12\t2026/8/31 12:00:01\t2 時間 1 分\thanako@city.example.jp\t出席者\n"
)

WEBEX_EN = (
    "Attendee Name,Attendee Email,Join Time,Leave Time,Attendance Duration\n"
    "Hanako Yamada,hanako@city.example.jp,08/31/2026 09:58,08/31/2026 12:00,122 mins\n"
)


def emails(report):
    return [participant.email for participant in report.participants]


def test_a_zoom_report_yields_its_participants_once_each_without_the_host():
    report = read_report(ZOOM_JA.encode("utf-8"))
    assert report.participants == [
        Participant("hanako@city.example.jp", "山田 花子"),
        Participant("ichiro@town.example.jp", "鈴木 一郎"),
        Participant("stranger@example.com", "知らない人"),
    ]
    assert report.without_email == ["ゲスト参加者"]


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(codecs.BOM_UTF8 + ZOOM_JA.encode("utf-8"), id="utf-8 with BOM"),
        pytest.param(ZOOM_JA.encode("cp932"), id="shift_jis"),
        pytest.param(ZOOM_JA.replace("\n", "\r\n").encode("cp932"), id="shift_jis CRLF"),
        pytest.param(ZOOM_JA.encode("utf-16"), id="utf-16"),
    ],
)
def test_the_encodings_excel_and_the_tools_write_are_all_read(encoded):
    assert emails(read_report(encoded)) == [
        "hanako@city.example.jp",
        "ichiro@town.example.jp",
        "stranger@example.com",
    ]


def test_a_teams_attendance_list_in_utf16_with_tabs_is_read():
    report = read_report(TEAMS_JA.encode("utf-16"))
    assert emails(report) == ["hanako@city.example.jp"]
    assert report.without_email == []


def test_a_webex_report_in_english_is_read():
    assert read_report(WEBEX_EN.encode()).participants == [
        Participant("hanako@city.example.jp", "Hanako Yamada")
    ]


@pytest.mark.parametrize(
    "header",
    [
        "メール",
        "メールアドレス",
        "メール アドレス",
        "ユーザーのメール",
        "参加者のメール",
        "Email",
        "E-mail",
        "Email Address",
        "電子メール",
    ],
)
def test_the_email_column_is_found_by_any_of_its_usual_headers(header):
    data = f"名前,{header}\n山田 花子,ｈａｎａｋｏ＠ｃｉｔｙ．ｅｘａｍｐｌｅ．ｊｐ\n".encode()
    assert emails(read_report(data)) == ["hanako@city.example.jp"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "ファイルが空です。", id="empty"),
        pytest.param(codecs.BOM_UTF8 + b"\r\n \n", "ファイルが空です。", id="only a BOM"),
        pytest.param(
            "名前,メール\n山田 花子,hanako@city.example.jp\n".encode("euc_jp"),
            "文字コードを読み取れませんでした",
            id="wrong encoding (EUC-JP)",
        ),
        pytest.param(
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
            "CSV ファイルではないようです",
            id="an xlsx file",
        ),
        pytest.param(
            "名前,参加時刻\n山田 花子,10:00\n".encode(),
            "メールアドレスの列が見つかりません",
            id="no email column",
        ),
        pytest.param(
            b"a,b\n" + b'"' + b"x" * 200_000 + b'"\n',
            "CSV として読み取れませんでした",
            id="a field beyond the csv limit",
        ),
    ],
)
def test_an_unreadable_file_is_refused_with_a_reason(data, message):
    with pytest.raises(AttendanceFileInvalid) as error:
        read_report(data)
    assert message in str(error.value.message)
    assert error.value.field == "file"


def test_import_checks_in_matches_and_reports_the_rest(make_event, make_registration, frozen_now):
    event = make_event()
    hanako = make_registration(event, name="山田 花子", email="hanako@city.example.jp")
    ichiro = make_registration(event, name="鈴木 一郎", email="ichiro@town.example.jp")
    absent = make_registration(event, email="absent@city.example.jp")
    frozen_now(NOW + timedelta(days=31))

    result = import_attendance(event.id, ZOOM_JA.encode("cp932"), clock.now(), actor=SYSTEM)
    db.session.commit()

    assert {r.id for r in result.checked_in} == {hanako.id, ichiro.id}
    assert result.already == []
    assert result.matched == 2
    assert result.unmatched == [Participant("stranger@example.com", "知らない人")]
    assert result.without_email == ["ゲスト参加者"]
    assert hanako.checked_in_at == ichiro.checked_in_at == NOW + timedelta(days=31)
    assert absent.checked_in_at is None


def test_a_second_import_keeps_the_first_check_in_time(make_event, make_registration, frozen_now):
    event = make_event()
    hanako = make_registration(event, email="hanako@city.example.jp")
    import_attendance(event.id, WEBEX_EN.encode(), clock.now(), actor=SYSTEM)
    frozen_now(NOW + timedelta(hours=1))
    result = import_attendance(event.id, WEBEX_EN.encode(), clock.now(), actor=SYSTEM)
    assert result.checked_in == []
    assert result.already == [hanako]
    assert hanako.checked_in_at == NOW


def test_cancelled_registrations_and_other_events_are_not_matched(make_event, make_registration):
    event = make_event()
    other = make_event()
    cancelled = make_registration(event, email="hanako@city.example.jp")
    cancel_registration(cancelled.manage_token, clock.now())
    make_registration(other, email="ichiro@town.example.jp")
    db.session.commit()

    result = import_attendance(event.id, ZOOM_JA.encode(), clock.now(), actor=SYSTEM)

    assert result.checked_in == []
    assert {p.email for p in result.unmatched} == {
        "hanako@city.example.jp",
        "ichiro@town.example.jp",
        "stranger@example.com",
    }
    assert (
        db.session.scalar(select(Registration).where(Registration.checked_in_at.is_not(None)))
        is None
    )
