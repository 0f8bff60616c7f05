"""The console's registrant pages: the list with search and filters, correcting a registration,
the organizer's actions (each mailed to the person and audited), check-in from a phone, and the
import of an online meeting's participant list."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.audit.actor import SYSTEM
from app.audit.models import AuditEntry
from app.events.models import Question, QuestionType
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.registrations.inputs import RegistrantDetails
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.organizer_actions import (
    WrongStatus,
    admin_cancel_registration,
    check_in,
    promote_registration,
    undo_check_in,
    update_registration,
)
from app.registrations.seats import NoSeatFree
from tests.conftest import NOW


def outbox(category=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if category:
        query = query.where(OutboxMessage.category == category)
    return list(db.session.scalars(query))


def audit(action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def exchange_event(make_event, **fields):
    """第一部 and 第二部 (with tables), and one required question."""
    event = make_event(
        parts=[{"title": "第一部 基調講演"}, {"title": "第二部 情報交換会", "uses_tables": True}],
        tables=[
            {"title": "企業・市民向け事業", "capacity": fields.pop("table1", None)},
            {"title": "庁内職員向け事業", "capacity": fields.pop("table2", None)},
        ],
        **fields,
    )
    db.session.add(
        Question(
            event=event,
            label="参加方法",
            type=QuestionType.SINGLE_CHOICE,
            required=True,
            choices=["会場", "オンライン"],
        )
    )
    db.session.commit()
    return event


def sign_up(make_registration, event, part=None, table=None, way="会場", **fields):
    question = event.questions[0] if event.questions else None
    parts = [p.id for p in event.parts] if part is None else [event.parts[part].id]
    table_id = event.tables[table].id if table is not None else None
    if (
        table_id is None
        and event.tables
        and any(p.uses_tables for p in event.parts if p.id in parts)
    ):
        table_id = event.tables[0].id
    answers = {str(question.id): way} if question else {}
    return make_registration(event, part_ids=parts, table_id=table_id, answers=answers, **fields)


def list_url(event, **args):
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/admin/events/{event.id}/registrants" + (f"?{query}" if query else "")


def detail_url(registration):
    return f"/admin/registrations/{registration.id}"


def action(client, registration, name, **data):
    return client.submit(
        detail_url(registration), data, action=f"{detail_url(registration)}/{name}"
    )


def names_listed(response):
    return re.findall(
        r'<a href="/admin/registrations/\d+">([^<]+)</a>', response.get_data(as_text=True)
    )


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_registrants_with_their_answers(
    organizer_client, make_event, make_registration
):
    event = exchange_event(make_event)
    sign_up(make_registration, event, name="山田 花子", way="オンライン", department="DX推進課")
    response = organizer_client.get(list_url(event))
    assert response.status_code == 200
    page = text_of(response)
    assert "山田 花子" in page and "DX推進課" in page
    assert "<th>参加方法</th>" in page and "<td>オンライン</td>" in page
    assert "企業・市民向け事業" in page
    assert "1 件" in page


def test_search_finds_by_name_furigana_email_and_organization(
    organizer_client, make_event, make_registration
):
    event = make_event()
    make_registration(
        event, name="山田 花子", furigana="やまだ はなこ", email="hanako@city.example.jp"
    )
    make_registration(
        event, name="鈴木 一郎", organization="東京都 江戸川区", email="ichiro@ward.example.jp"
    )
    for q, expected in [
        ("山田", ["山田 花子"]),
        ("はなこ", ["山田 花子"]),
        ("ICHIRO@", ["鈴木 一郎"]),
        ("ｉｃｈｉｒｏ", ["鈴木 一郎"]),  # full-width letters typed into the box
        ("江戸川", ["鈴木 一郎"]),
        ("100%", []),
        ("_", []),
    ]:
        assert names_listed(organizer_client.get(list_url(event, q=q))) == expected, q


def test_filters_by_status_part_table_prefecture_and_organization(
    organizer_client, make_event, make_registration
):
    event = exchange_event(make_event, capacity=2)
    a = sign_up(make_registration, event, part=0, name="第一部だけ", organization="鳥取県")
    b = sign_up(
        make_registration, event, part=1, table=1, name="庁内テーブル", organization="鳥取市"
    )
    sign_up(
        make_registration,
        event,
        part=1,
        table=0,
        name="待っている人",
        organization="東京都 江戸川区",
    )
    assert a.status == b.status == RegistrationStatus.CONFIRMED

    def listed(**args):
        return names_listed(organizer_client.get(list_url(event, **args)))

    assert listed(status="waitlisted") == ["待っている人"]
    assert listed(part=event.parts[0].id) == ["第一部だけ"]
    assert listed(part=event.parts[1].id) == ["庁内テーブル", "待っている人"]
    assert listed(table=event.tables[1].id) == ["庁内テーブル"]
    assert listed(prefecture="31") == ["第一部だけ", "庁内テーブル"]
    assert listed(prefecture="13") == ["待っている人"]
    assert listed(organization="鳥取県 鳥取市") == ["庁内テーブル"]
    assert listed(status="confirmed", prefecture="31", table=event.tables[1].id) == ["庁内テーブル"]
    # The filters offer only what this event's registrations have.
    page = text_of(organizer_client.get(list_url(event)))
    assert '<option value="31">鳥取県</option>' in page
    assert '<option value="13">東京都</option>' in page
    assert '<option value="01">' not in page


@pytest.mark.parametrize(
    "args",
    [
        "part=abc",
        "table=-1",
        "part=" + "9" * 30,
        "page=" + "9" * 30,
        "page=-3",
        "status=nonsense",
        "prefecture=xx",
        "q=" + "あ" * 500,
    ],
)
def test_nonsense_in_the_url_is_ignored_not_an_error(
    organizer_client, make_event, make_registration, args
):
    event = make_event()
    make_registration(event, name="山田 花子")
    response = organizer_client.get(f"/admin/events/{event.id}/registrants?{args}")
    assert response.status_code == 200


def test_the_list_is_paginated_and_keeps_the_filters(
    organizer_client, make_event, make_registration
):
    event = make_event()
    for i in range(51):
        make_registration(event, name=f"参加者{i:02d}", organization="鳥取県")
    first = organizer_client.get(list_url(event, prefecture="31"))
    assert len(names_listed(first)) == 50
    assert f"/admin/events/{event.id}/registrants?page=2&amp;prefecture=31" in first.get_data(
        as_text=True
    )
    second = organizer_client.get(list_url(event, prefecture="31", page=2))
    assert names_listed(second) == ["参加者50"]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/events/999/registrants",
        "/admin/registrations/999",
        "/admin/events/999/checkin",
        "/admin/events/999/attendance-import",
        "/admin/registrations/" + "9" * 30,
    ],
)
def test_unknown_events_and_registrations_are_404(organizer_client, url):
    assert organizer_client.get(url).status_code == 404


# --- correcting a registration ---------------------------------------------------------------


def test_an_organizer_corrects_a_registration_and_the_person_is_told(
    organizer_client, make_event, make_registration
):
    event = exchange_event(make_event)
    registration = sign_up(make_registration, event, part=0, name="山田 花子")
    question = event.questions[0]
    response = organizer_client.submit(
        detail_url(registration),
        {
            "name": "山田 華子",
            "furigana": "やまだ はなこ",
            "organization": "鳥取市",
            "department": "総務課",
            "position": "",
            "parts": [str(event.parts[0].id), str(event.parts[1].id)],
            "table": str(event.tables[1].id),
            f"question_{question.id}": "オンライン",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    registration = db.session.get(Registration, registration.id)
    assert registration.name == "山田 華子"
    assert registration.organization_code == "312011"
    assert registration.table.title == "庁内職員向け事業"
    assert registration.answers == {str(question.id): "オンライン"}
    [mail] = outbox("registration_updated")
    assert mail.to_addr == registration.email
    assert "山田 華子" in mail.text_body and "庁内職員向け事業" in mail.text_body
    assert mail.calendar_method == "REQUEST"  # the seat moved: the calendar entry follows
    [entry] = audit("registration.update")
    assert entry.target == f"registration:{registration.id}"
    assert set(entry.detail["fields"]) == {
        "name",
        "furigana",
        "organization",
        "department",
        "parts",
        "table",
        "answers",
    }
    assert "変更しました" in text_of(organizer_client.get(detail_url(registration)))


def test_saving_without_a_change_mails_nobody(organizer_client, make_event, make_registration):
    event = exchange_event(make_event)
    registration = sign_up(make_registration, event, table=0, furigana="やまだ")
    page = organizer_client.get(detail_url(registration)).get_data(as_text=True)
    question = event.questions[0]
    response = organizer_client.submit(
        detail_url(registration),
        {
            "name": registration.name,
            "furigana": "やまだ",
            "organization": "鳥取県",
            "parts": [str(p.id) for p in event.parts],
            "table": str(event.tables[0].id),
            f"question_{question.id}": "会場",
        },
    )
    assert response.status_code == 302
    assert f'checked id="question_{question.id}-0" name="question_{question.id}"' in page
    assert 'value="やまだ"' in page
    assert outbox("registration_updated") == []
    assert audit("registration.update") == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "お名前を入力してください"),
        ("name", "山田\x00", "使えない文字"),
        ("organization", "", "所属団体を入力してください"),
        ("department", "課" * 201, "200文字以内で入力してください"),
        ("parts", "", "参加する部を選んでください"),
        ("question", "屋上", "「参加方法」は選択肢の中から選んでください"),
    ],
)
def test_bad_corrections_are_explained_beside_the_field_and_the_rest_is_kept(
    organizer_client, make_event, make_registration, field, value, message
):
    event = exchange_event(make_event)
    registration = sign_up(make_registration, event, part=0, name="山田 花子")
    question_field = f"question_{event.questions[0].id}"
    data = {
        "name": "山田 華子",
        "organization": "鳥取市",
        "department": "総務課",
        "parts": [str(event.parts[0].id)],
        question_field: "会場",
    }
    data[question_field if field == "question" else field] = value
    if field == "parts":
        del data["parts"]  # nothing ticked: the browser sends no value at all
    response = organizer_client.submit(detail_url(registration), data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{question_field if field == "question" else field}-error"' in page
    assert message in text_of(response)
    for other, typed in (("name", "山田 華子"), ("department", "総務課")):
        if other != field:
            assert f'value="{typed}"' in page
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).name == "山田 花子"
    assert outbox("registration_updated") == []


def test_moving_a_confirmed_seat_to_a_full_table_is_refused(make_event, make_registration):
    event = exchange_event(make_event, table2=1)
    sign_up(make_registration, event, table=1)
    mover = sign_up(make_registration, event, table=0)
    with pytest.raises(NoSeatFree) as error:
        update_registration(
            mover.id,
            RegistrantDetails(
                name=mover.name,
                organization="鳥取県",
                parts=[p.id for p in event.parts],
                table=event.tables[1].id,
                answers=mover.answers,
            ),
            actor=SYSTEM,
        )
    assert error.value.field == "table"


def test_moving_a_seat_frees_the_old_one_for_the_waitlist(
    make_event, make_registration, frozen_now
):
    event = exchange_event(make_event, table1=1)
    mover = sign_up(make_registration, event, table=0)
    frozen_now(NOW + timedelta(minutes=1))
    waiting = sign_up(make_registration, event, table=0)
    assert waiting.status == RegistrationStatus.WAITLISTED
    update_registration(
        mover.id,
        RegistrantDetails(
            name=mover.name,
            organization="鳥取県",
            parts=[p.id for p in event.parts],
            table=event.tables[1].id,
            answers=mover.answers,
        ),
        actor=SYSTEM,
    )
    db.session.commit()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert [m.to_addr for m in outbox("registration_promoted")] == [waiting.email]


def test_an_organizer_may_leave_a_required_answer_blank(make_event, make_registration):
    event = exchange_event(make_event)
    registration = sign_up(make_registration, event, part=0)
    update_registration(
        registration.id,
        RegistrantDetails(name="新しい名前", organization="鳥取県", parts=[event.parts[0].id]),
        actor=SYSTEM,
    )
    assert registration.answers == {}


def test_a_cancelled_registration_shows_no_form_and_cannot_be_changed(
    organizer_client, make_event, make_registration
):
    event = make_event()
    registration = make_registration(event)
    admin_cancel_registration(registration.id, clock.now(), actor=SYSTEM)
    db.session.commit()
    page = text_of(organizer_client.get(detail_url(registration)))
    assert "キャンセル済み" in page
    assert "申込内容の変更" not in page
    with pytest.raises(WrongStatus):
        update_registration(
            registration.id, RegistrantDetails(name="x", organization="鳥取県"), actor=SYSTEM
        )


# --- the organizer's actions -----------------------------------------------------------------


def test_approving_from_the_console_confirms_mails_and_audits(
    organizer_client, make_event, make_registration
):
    event = make_event(requires_approval=True)
    registration = make_registration(event)
    page = text_of(organizer_client.get(detail_url(registration)))
    assert "承認する" in page and "お断りする" in page
    response = action(organizer_client, registration, "approve")
    assert response.status_code == 302
    assert response.headers["Location"] == detail_url(registration)
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).status == RegistrationStatus.CONFIRMED
    [mail] = outbox("registration_approved")
    assert mail.calendar_method == "REQUEST"
    [entry] = audit("registration.approve")
    assert entry.detail == {"status": "confirmed"}
    assert entry.organizer_id is not None
    assert "参加確定にしました" in text_of(organizer_client.get(detail_url(registration)))


def test_declining_from_the_console_mails_the_reason(
    organizer_client, make_event, make_registration
):
    event = make_event(requires_approval=True)
    registration = make_registration(event)
    response = action(organizer_client, registration, "decline", reason="定員を大きく超えたため")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).status == RegistrationStatus.CANCELLED
    [mail] = outbox("registration_declined")
    assert "定員を大きく超えたため" in mail.text_body
    assert len(audit("registration.decline")) == 1


def test_a_too_long_decline_reason_is_explained_and_kept(
    organizer_client, make_event, make_registration
):
    event = make_event(requires_approval=True)
    registration = make_registration(event)
    reason = "理" * 1001
    response = action(organizer_client, registration, "decline", reason=reason)
    assert response.status_code == 422
    assert 'id="reason-error"' in response.get_data(as_text=True)
    assert "1000文字以内で入力してください" in text_of(response)
    assert reason in text_of(response)
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).status == RegistrationStatus.PENDING
    assert outbox("registration_declined") == []


def test_cancelling_from_the_console_mails_the_person_and_promotes_the_next(
    organizer_client, make_event, make_registration, frozen_now
):
    event = make_event(capacity=1)
    holder = make_registration(event)
    frozen_now(NOW + timedelta(minutes=1))
    waiting = make_registration(event)
    response = action(organizer_client, holder, "cancel")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, holder.id).status == RegistrationStatus.CANCELLED
    assert db.session.get(Registration, waiting.id).status == RegistrationStatus.CONFIRMED
    [cancelled] = outbox("registration_cancelled_by_organizer")
    assert cancelled.to_addr == holder.email
    assert cancelled.calendar_method == "CANCEL"
    assert "事務局にて取り消しました" in cancelled.text_body
    [promoted] = outbox("registration_promoted")
    assert promoted.to_addr == waiting.email
    [entry] = audit("registration.cancel")
    assert entry.detail == {"promoted": [waiting.id]}


def test_promoting_by_hand_needs_a_free_seat(organizer_client, make_event, make_registration):
    event = make_event(capacity=1)
    make_registration(event)
    waiting = make_registration(event)
    response = action(organizer_client, waiting, "promote")
    assert response.status_code == 302
    assert "空席がないため参加確定にできません" in text_of(
        organizer_client.get(detail_url(waiting))
    )
    db.session.expire_all()
    assert db.session.get(Registration, waiting.id).status == RegistrationStatus.WAITLISTED
    assert outbox("registration_promoted") == []
    assert audit("registration.promote") == []

    # The organizer raised the capacity: now there is room, ahead of the queue if need be.
    event.capacity = 2
    db.session.commit()
    action(organizer_client, waiting, "promote")
    db.session.expire_all()
    assert db.session.get(Registration, waiting.id).status == RegistrationStatus.CONFIRMED
    [mail] = outbox("registration_promoted")
    assert mail.calendar_method == "REQUEST"
    assert len(audit("registration.promote")) == 1


def test_promoting_someone_not_on_the_waitlist_is_refused(make_event, make_registration):
    registration = make_registration(make_event())
    with pytest.raises(WrongStatus, match="キャンセル待ちのお申し込みではありません"):
        promote_registration(registration.id, actor=SYSTEM)


def test_resending_from_the_console_mails_the_confirmation_again(
    organizer_client, make_event, make_registration
):
    registration = make_registration(make_event())
    action(organizer_client, registration, "resend")
    first, resent = outbox("registration_received")
    assert "ご依頼により、お申し込み内容を再送します。" in resent.text_body
    assert len(audit("registration.resend")) == 1


def test_resending_to_a_cancelled_registration_says_it_cannot(
    organizer_client, make_event, make_registration
):
    registration = make_registration(make_event())
    admin_cancel_registration(registration.id, clock.now(), actor=SYSTEM)
    db.session.commit()
    action(organizer_client, registration, "resend")
    assert "再送できません" in text_of(organizer_client.get(detail_url(registration)))
    assert audit("registration.resend") == []


def test_check_in_from_the_detail_page_is_audited_and_mails_nobody(
    organizer_client, make_event, make_registration
):
    registration = make_registration(make_event())
    mails_before = len(outbox())
    action(organizer_client, registration, "check_in")
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).checked_in_at == NOW
    action(organizer_client, registration, "undo_check_in")
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).checked_in_at is None
    assert len(outbox()) == mails_before
    assert len(audit("registration.check_in")) == len(audit("registration.undo_check_in")) == 1


def test_an_unknown_action_is_404_and_a_post_without_token_400(
    organizer_client, make_event, make_registration
):
    registration = make_registration(make_event())
    assert action(organizer_client, registration, "delete").status_code == 404
    response = organizer_client.post(f"{detail_url(registration)}/cancel")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).status == RegistrationStatus.CONFIRMED


def test_a_cancelled_registration_cannot_be_checked_in(make_event, make_registration):
    registration = make_registration(make_event())
    admin_cancel_registration(registration.id, clock.now(), actor=SYSTEM)
    with pytest.raises(WrongStatus):
        check_in(registration.id, clock.now(), actor=SYSTEM)
    assert undo_check_in(registration.id, actor=SYSTEM) is False


# --- check-in on the day ---------------------------------------------------------------------


def checkin_url(event, q=None):
    return f"/admin/events/{event.id}/checkin" + (f"?q={q}" if q else "")


def test_the_checkin_list_has_one_button_per_person_and_no_cancelled(
    organizer_client, make_event, make_registration
):
    event = make_event()
    make_registration(event, name="山田 花子", furigana="やまだ はなこ")
    make_registration(event, name="青木 太郎", furigana="あおき たろう")
    make_registration(event, name="阿部 三郎")  # no furigana: after the kana order
    gone = make_registration(event, name="取消 済子")
    admin_cancel_registration(gone.id, clock.now(), actor=SYSTEM)
    db.session.commit()
    page = organizer_client.get(checkin_url(event)).get_data(as_text=True)
    assert page.count('class="checkin-button"') == 3
    assert page.index("青木 太郎") < page.index("山田 花子") < page.index("阿部 三郎")
    assert "取消 済子" not in page
    assert "受付済み 0 名 / 参加確定 3 名" in html.unescape(page)


def test_a_tap_checks_in_and_returns_to_the_same_place_in_the_list(
    organizer_client, make_event, make_registration
):
    event = make_event()
    person = make_registration(event, name="山田 花子")
    url = f"/admin/events/{event.id}/checkin/{person.id}"
    response = organizer_client.submit(
        checkin_url(event, "山田"), {"present": "1", "q": "山田"}, action=url
    )
    assert response.status_code == 302
    assert (
        response.headers["Location"]
        == f"/admin/events/{event.id}/checkin?q=%E5%B1%B1%E7%94%B0#r{person.id}"
    )
    db.session.expire_all()
    assert db.session.get(Registration, person.id).checked_in_at == NOW

    # A double tap sends the same wish again: it stays checked in, at the first time.
    organizer_client.submit(checkin_url(event), {"present": "1"}, action=url)
    db.session.expire_all()
    assert db.session.get(Registration, person.id).checked_in_at == NOW
    assert len(audit("registration.check_in")) == 1

    page = text_of(organizer_client.get(checkin_url(event)))
    assert "受付済み 1 名 / 参加確定 1 名" in page
    assert "✓ 受付済み 10:00（タップで取り消し）" in page

    organizer_client.submit(checkin_url(event), {"present": "0"}, action=url)
    db.session.expire_all()
    assert db.session.get(Registration, person.id).checked_in_at is None
    assert len(audit("registration.undo_check_in")) == 1


def test_the_checkin_search_narrows_the_list(organizer_client, make_event, make_registration):
    event = make_event()
    make_registration(event, name="山田 花子")
    make_registration(event, name="鈴木 一郎")
    page = text_of(organizer_client.get(checkin_url(event, "鈴木")))
    assert "鈴木 一郎" in page and "山田 花子" not in page


def test_checking_in_someone_of_another_event_is_404(
    organizer_client, make_event, make_registration
):
    event = make_event()
    stranger = make_registration(make_event())
    response = organizer_client.submit(
        checkin_url(event),
        {"present": "1"},
        action=f"/admin/events/{event.id}/checkin/{stranger.id}",
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Registration, stranger.id).checked_in_at is None


# --- importing a meeting's participant list --------------------------------------------------

ZOOM = (
    "名前（元の名前）,ユーザーのメール,参加時刻,退出時刻,時間（分）\n"
    "山田 花子,HANAKO@city.example.jp,2026/08/31 09:58,2026/08/31 12:00,122\n"
    "知らない人,stranger@example.com,2026/08/31 10:05,2026/08/31 11:00,55\n"
    "ゲスト,,2026/08/31 10:05,2026/08/31 11:00,55\n"
)


def import_url(event):
    return f"/admin/events/{event.id}/attendance-import"


def upload(client, event, data: bytes, filename="participants.csv"):
    from io import BytesIO

    return client.submit(
        import_url(event),
        {"file": (BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_importing_a_participant_list_checks_in_and_shows_the_result(
    organizer_client, make_event, make_registration
):
    event = make_event()
    hanako = make_registration(event, name="山田 花子", email="hanako@city.example.jp")
    response = upload(organizer_client, event, ZOOM.encode("cp932"))
    assert response.status_code == 200
    page = text_of(response)
    assert (
        "一致 1 名（今回受付 1 名・受付済み 0 名）、一致しなかった方 1 名、メールアドレスのない行 1 件"
        in page
    )
    assert "stranger@example.com（知らない人）" in page
    assert "ゲスト" in page
    db.session.expire_all()
    assert db.session.get(Registration, hanako.id).checked_in_at == NOW
    [entry] = audit("event.attendance_import")
    assert entry.target == f"event:{event.id}"
    assert entry.detail == {"checked_in": 1, "already": 0, "unmatched": 1}


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "participants.csv", "ファイルが空です。"),
        (
            "名前,メール\n山田,a@b.jp\n".encode("euc_jp"),
            "participants.csv",
            "文字コードを読み取れませんでした",
        ),
        (
            "名前,参加時刻\n山田,10:00\n".encode(),
            "participants.csv",
            "メールアドレスの列が見つかりません",
        ),
        (b"PK\x03\x04", "participants.xlsx", "CSV ファイル（.csv）を選んでください"),
    ],
)
def test_a_bad_participant_file_is_explained_beside_the_field(
    organizer_client, make_event, make_registration, data, filename, message
):
    event = make_event()
    make_registration(event, email="hanako@city.example.jp")
    response = upload(organizer_client, event, data, filename)
    assert response.status_code == 422
    assert 'id="file-error"' in response.get_data(as_text=True)
    assert message in text_of(response)
    assert audit("event.attendance_import") == []
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.checked_in_at.is_not(None))
        )
        == 0
    )


def test_submitting_no_file_asks_for_one(organizer_client, make_event):
    event = make_event()
    response = organizer_client.submit(import_url(event), {})
    assert response.status_code == 422
    assert "参加者リストのファイルを選んでください" in text_of(response)
