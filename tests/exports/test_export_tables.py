"""The rows behind the downloads: registrants with one column per custom question, attendance of
the confirmed, members with their consent record."""

from datetime import timedelta

import pytest

from app.events.models import Question, QuestionType
from app.exports.services import attendance_table, member_table, registrant_table
from app.extensions import db
from app.members.consent import CURRENT_VERSION
from app.members.models import MemberStatus, ThemeInterest
from app.members.search import MemberSearch
from app.members.services import AWAITING_CONSENT
from app.registrations.models import RegistrationStatus
from tests.conftest import NOW
from tests.factories import make_member

CHECK_IN = NOW + timedelta(days=30)


@pytest.fixture
def event_with_questions(make_event):
    event = make_event(
        parts=({"title": "第一部"}, {"title": "第二部", "uses_tables": True}),
        tables=({"title": "企業・市民向け事業"}, {"title": "庁内職員向け事業"}),
    )
    event.questions = [
        Question(position=0, label="ご質問", type=QuestionType.LONG_TEXT),
        Question(
            position=1,
            label="関心のある分野",
            type=QuestionType.MULTIPLE_CHOICE,
            choices=["生成AI", "データ活用", "人材育成"],
        ),
    ]
    db.session.commit()
    return event


def answers(event, text, chosen):
    first, second = event.questions
    return {str(first.id): text, str(second.id): chosen}


def test_registrants_have_one_column_per_question_between_the_fixed_ones(app, event_with_questions):
    headers = registrant_table(event_with_questions).headers
    assert headers == [
        "申込番号",
        "状態",
        "氏名",
        "ふりがな",
        "メール",
        "所属（自治体・団体）",
        "部署",
        "役職",
        "参加パート",
        "テーマテーブル",
        "ご質問",
        "関心のある分野",
        "受付（出席）",
        "申込日時",
    ]


def test_a_registrant_row_holds_parts_table_answers_and_check_in(
    app, event_with_questions, make_registration
):
    event = event_with_questions
    registration = make_registration(
        event,
        name="山田 花子",
        furigana="やまだ はなこ",
        email="hanako@city.example.jp",
        organization="東京都江戸川区",
        department="総務部デジタル推進課 DX推進係",
        position="係長",
        part_ids=[part.id for part in event.parts],
        table_id=event.tables[1].id,
    )
    registration.answers = answers(event, "事例を知りたい", ["生成AI", "人材育成"])
    registration.checked_in_at = CHECK_IN
    db.session.commit()
    assert registrant_table(event).rows == [
        [
            registration.id,
            "参加確定",
            "山田 花子",
            "やまだ はなこ",
            "hanako@city.example.jp",
            "東京都 江戸川区",
            "総務部デジタル推進課 DX推進係",
            "係長",
            "第一部、第二部",
            "庁内職員向け事業",
            "事例を知りたい",
            "生成AI、人材育成",
            CHECK_IN,
            NOW,
        ]
    ]


def test_registrants_include_every_status_and_blank_unanswered_questions(
    app, event_with_questions, make_registration
):
    event = event_with_questions
    part_ids = [event.parts[0].id]
    confirmed = make_registration(event, part_ids=part_ids)
    cancelled = make_registration(event, part_ids=part_ids)
    cancelled.status = RegistrationStatus.CANCELLED
    db.session.commit()
    rows = registrant_table(event).rows
    assert [(row[0], row[1]) for row in rows] == [
        (confirmed.id, "参加確定"),
        (cancelled.id, "キャンセル"),
    ]
    assert rows[0][9:13] == ["", "", "", None]


def test_attendance_lists_only_the_confirmed_with_yes_or_no(app, make_event, make_registration):
    event = make_event()
    present = make_registration(event, name="出席 太郎")
    absent = make_registration(event, name="欠席 次郎")
    waiting = make_registration(event)
    waiting.status = RegistrationStatus.WAITLISTED
    present.checked_in_at = CHECK_IN
    db.session.commit()
    table = attendance_table(event)
    assert table.headers[-2:] == ["出席", "受付日時"]
    assert [(row[0], row[1], row[-2], row[-1]) for row in table.rows] == [
        (present.id, "出席 太郎", "はい", CHECK_IN),
        (absent.id, "欠席 次郎", "いいえ", None),
    ]


def test_an_event_without_registrants_gives_only_headers(app, make_event):
    event = make_event()
    assert registrant_table(event).rows == []
    assert attendance_table(event).rows == []


def test_members_carry_their_consent_record_prefecture_and_themes(app):
    member = make_member(
        organization="鳥取市",
        name="鳥取 一郎",
        email="ichiro@city.tottori.example.jp",
        department="企画課",
        theme_interests=[ThemeInterest.STAFF, ThemeInterest.BUSINESS_CITIZENS],
        listed_publicly=True,
    )
    table = member_table(MemberSearch())
    row = dict(zip(table.headers, table.rows[0], strict=True))
    assert row["会員番号"] == member.id
    assert row["状態"] == "有効"
    assert row["所属（自治体・団体）"] == "鳥取県 鳥取市"
    assert row["団体コード"] == "312011"
    assert row["都道府県"] == "鳥取県"
    assert row["関心のあるテーマ"] == "庁内職員向け事業、企業・市民向け事業"
    assert row["同意日時"] == NOW
    assert row["同意文言の版"] == CURRENT_VERSION
    assert row["公開掲載"] == "はい"


def test_an_invited_successor_has_no_consent_time_yet(app):
    make_member(status=MemberStatus.PENDING, consented=False)
    table = member_table(MemberSearch())
    row = dict(zip(table.headers, table.rows[0], strict=True))
    assert row["同意日時"] is None
    assert row["同意文言の版"] == AWAITING_CONSENT
