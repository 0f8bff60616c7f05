"""Custom questions on the sign-up form and approval mode: answers are checked the same way by the
form and by the service, and in approval mode a sign-up waits, without a seat, for an organizer."""

import html
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.audit.actor import SYSTEM
from app.errors import EventCancelled
from app.events.models import Question, QuestionType
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.registrations.answers import InvalidAnswer
from app.registrations.event_changes import cancel_event
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.organizer_actions import (
    WrongStatus,
    approve_registration,
    decline_registration,
)
from app.registrations.signup import cancel_registration, resend_confirmation
from tests import factories
from tests.conftest import NOW

VALID = {
    "name": "山田 花子",
    "furigana": "やまだ はなこ",
    "email": "hanako@city.example.jp",
    "organization": "鳥取県",
    "department": "総務部デジタル推進課",
    "privacy": "y",
}


def outbox(category=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if category:
        query = query.where(OutboxMessage.category == category)
    return list(db.session.scalars(query))


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def add_questions(event, *specs):
    """Add questions (label, type, required, choices) to the event, as the event editor does."""
    questions = [
        Question(event=event, position=i, label=label, type=kind, required=required, choices=opts)
        for i, (label, kind, required, opts) in enumerate(specs)
    ]
    db.session.add_all(questions)
    db.session.commit()
    return questions


@pytest.fixture
def questioned_event(make_event):
    """An event with one question of each type; the first and third are required."""
    event = make_event()
    add_questions(
        event,
        ("自治体での役割", QuestionType.SHORT_TEXT, True, []),
        ("事務局への質問", QuestionType.LONG_TEXT, False, []),
        ("参加方法", QuestionType.SINGLE_CHOICE, True, ["会場", "オンライン"]),
        (
            "関心のあるテーマ",
            QuestionType.MULTIPLE_CHOICE,
            False,
            ["職員研修", "市民向け", "企業向け"],
        ),
    )
    return event


# --- answers, checked by the service ---------------------------------------------------------


def test_answers_are_stored_keyed_by_question_id_in_option_order(questioned_event):
    role, note, way, themes = questioned_event.questions
    registration = factories.make_registration(
        questioned_event,
        answers={
            str(role.id): "  DX推進担当  ",
            str(note.id): "一行目\r\n二行目",
            way.id: "オンライン",  # an int key, as a JSON API might send
            str(themes.id): ["企業向け", "職員研修", "企業向け"],
        },
    )
    assert registration.answers == {
        str(role.id): "DX推進担当",
        str(note.id): "一行目\n二行目",
        str(way.id): "オンライン",
        str(themes.id): ["職員研修", "企業向け"],
    }


def test_answers_to_unknown_questions_are_ignored(questioned_event, make_event):
    role, _note, way, _themes = questioned_event.questions
    [foreign] = add_questions(
        make_event(), ("他のイベントの質問", QuestionType.SHORT_TEXT, False, [])
    )
    registration = factories.make_registration(
        questioned_event,
        answers={str(role.id): "係長", str(way.id): "会場", str(foreign.id): "x", "abc": "y"},
    )
    assert set(registration.answers) == {str(role.id), str(way.id)}


@pytest.mark.parametrize(
    ("answer_of", "message"),
    [
        (lambda q: {str(q[2].id): "会場"}, "「自治体での役割」に回答してください。"),
        (
            lambda q: {str(q[0].id): "   ", str(q[2].id): "会場"},
            "「自治体での役割」に回答してください。",
        ),
        (lambda q: {str(q[0].id): "係長"}, "「参加方法」に回答してください。"),
        (
            lambda q: {str(q[0].id): "係長", str(q[2].id): "屋上"},
            "「参加方法」は選択肢の中から選んでください。",
        ),
        (
            lambda q: {str(q[0].id): "係長", str(q[2].id): "会場", str(q[3].id): ["宇宙"]},
            "「関心のあるテーマ」は選択肢の中から選んでください。",
        ),
        (
            lambda q: {str(q[0].id): "あ" * 201, str(q[2].id): "会場"},
            "「自治体での役割」は200文字以内で入力してください。",
        ),
        (
            lambda q: {str(q[0].id): "係長", str(q[1].id): "あ" * 2001, str(q[2].id): "会場"},
            "「事務局への質問」は2000文字以内で入力してください。",
        ),
        (
            lambda q: {str(q[0].id): "係長\x00", str(q[2].id): "会場"},
            "「自治体での役割」に使えない文字（制御文字など）が含まれています。",
        ),
    ],
)
def test_bad_answers_are_refused_naming_the_question_and_nothing_is_stored(
    questioned_event, answer_of, message
):
    questions = questioned_event.questions
    with pytest.raises(InvalidAnswer) as error:
        factories.make_registration(questioned_event, answers=answer_of(questions))
    assert str(error.value.message) == message
    assert error.value.field.startswith("question_")
    label = message[1 : message.index("」")]
    [question] = [q for q in questions if q.label == label]
    assert error.value.field == f"question_{question.id}"
    db.session.rollback()
    assert count(Registration) == 0
    assert count(OutboxMessage) == 0


def test_a_required_choice_question_without_options_does_not_block_sign_up(make_event):
    event = make_event()
    add_questions(event, ("未設定の質問", QuestionType.SINGLE_CHOICE, True, []))
    assert factories.make_registration(event).status == RegistrationStatus.CONFIRMED


def test_the_confirmation_mail_and_page_list_the_answers(client, questioned_event):
    role, _note, way, themes = questioned_event.questions
    registration = factories.make_registration(
        questioned_event,
        answers={str(role.id): "係長", str(way.id): "会場", str(themes.id): ["市民向け"]},
    )
    page = text_of(client.get(f"/r/{registration.manage_token}"))
    assert "自治体での役割" in page and "係長" in page
    assert "関心のあるテーマ" in page and "市民向け" in page


# --- answers on the public form --------------------------------------------------------------


def register_url(event):
    return f"/events/{event.slug}/register"


def field_names(event):
    return [f"question_{q.id}" for q in event.questions]


def test_the_form_shows_each_question_as_its_kind_of_field(client, questioned_event):
    role, note, way, themes = field_names(questioned_event)
    page = client.get(register_url(questioned_event)).get_data(as_text=True)
    assert f'<input id="{role}" maxlength="200" name="{role}" required type="text"' in page
    assert f'<textarea id="{note}" maxlength="2000" name="{note}">' in page
    assert page.count(f'name="{way}" required type="radio"') == 2
    assert page.count(f'name="{themes}" type="checkbox"') == 3
    text = html.unescape(page)
    for label in ("自治体での役割", "事務局への質問", "参加方法", "関心のあるテーマ", "オンライン"):
        assert label in text


def test_the_form_stores_the_answers(client, questioned_event):
    role, note, way, themes = field_names(questioned_event)
    response = client.submit(
        register_url(questioned_event),
        {**VALID, role: "係長", note: "", way: "会場", themes: ["職員研修", "企業向け"]},
    )
    assert response.status_code == 302
    registration = db.session.scalar(select(Registration))
    ids = [str(q.id) for q in questioned_event.questions]
    assert registration.answers == {
        ids[0]: "係長",
        ids[2]: "会場",
        ids[3]: ["職員研修", "企業向け"],
    }


def test_a_missing_required_answer_is_explained_and_everything_typed_is_kept(
    client, questioned_event
):
    role, note, way, themes = field_names(questioned_event)
    response = client.submit(
        register_url(questioned_event),
        {**VALID, note: "当日は遅れます", way: "オンライン", themes: ["市民向け"]},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{role}-error"' in page
    assert "「自治体での役割」に回答してください。" in text_of(response)
    assert 'value="山田 花子"' in page
    assert 'value="hanako@city.example.jp"' in page
    assert "当日は遅れます</textarea>" in page
    assert f'checked id="{way}-1" name="{way}" required type="radio" value="オンライン"' in page
    assert f'checked id="{themes}-1" name="{themes}" type="checkbox" value="市民向け"' in page
    assert count(Registration) == 0
    assert count(OutboxMessage) == 0


@pytest.mark.parametrize(
    ("answers", "field_index", "message"),
    [
        ({0: "係長", 2: "屋上"}, 2, "「参加方法」は選択肢の中から選んでください。"),
        (
            {0: "係長", 2: "会場", 3: ["宇宙"]},
            3,
            "「関心のあるテーマ」は選択肢の中から選んでください。",
        ),
        ({0: "あ" * 201, 2: "会場"}, 0, "200文字以内で入力してください。"),
        ({0: "係長\x1b", 2: "会場"}, 0, "使えない文字"),
        ({0: "係長", 1: "あ" * 2001, 2: "会場"}, 1, "2000文字以内で入力してください。"),
    ],
)
def test_bad_answers_on_the_form_are_explained_beside_the_question(
    client, questioned_event, answers, field_index, message
):
    names = field_names(questioned_event)
    data = {**VALID, **{names[i]: value for i, value in answers.items()}}
    response = client.submit(register_url(questioned_event), data)
    assert response.status_code == 422
    assert f'id="{names[field_index]}-error"' in response.get_data(as_text=True)
    assert message in text_of(response)
    assert 'value="山田 花子"' in response.get_data(as_text=True)
    assert count(Registration) == 0


# --- approval mode ---------------------------------------------------------------------------


def test_in_approval_mode_a_sign_up_is_pending_takes_no_seat_and_is_told_so(make_event):
    event = make_event(capacity=1, requires_approval=True)
    first = factories.make_registration(event, email="a@city.example.jp")
    second = factories.make_registration(event, email="b@city.example.jp")
    assert first.status == second.status == RegistrationStatus.PENDING
    mails = outbox("registration_pending")
    assert [m.to_addr for m in mails] == ["a@city.example.jp", "b@city.example.jp"]
    assert mails[0].subject == f"【お申し込みを受け付けました（承認待ち）】{event.title}"
    assert "承認待ち" in mails[0].text_body
    assert first.manage_token in mails[0].text_body
    assert all(m.calendar_body is None for m in mails)
    assert first.calendar_sequence is None  # no invite yet


def test_the_form_says_approval_is_needed_and_the_invite_waits(client, make_event):
    event = make_event(requires_approval=True)
    assert "事務局がお申し込み内容を確認してから" in text_of(client.get(register_url(event)))
    response = client.submit(register_url(event), VALID)
    page = text_of(client.get(response.headers["Location"]))
    assert "お申し込みを受け付けました（承認待ち）" in page
    registration = db.session.scalar(select(Registration))
    assert client.get(f"/r/{registration.manage_token}/invite.ics").status_code == 404
    assert "承認待ち" in text_of(client.get(f"/r/{registration.manage_token}"))


def test_approving_gives_a_free_seat_with_the_calendar_invite(make_event, frozen_now):
    event = make_event(capacity=2, requires_approval=True)
    registration = factories.make_registration(event)
    frozen_now(NOW + timedelta(hours=1))
    approve_registration(registration.id, clock.now(), actor=SYSTEM)
    db.session.commit()
    assert registration.status == RegistrationStatus.CONFIRMED
    [mail] = outbox("registration_approved")
    assert mail.subject == f"【参加確定】{event.title}（お申し込みが承認されました）"
    assert mail.calendar_method == "REQUEST"
    assert f"registration-{registration.id}@" in mail.calendar_body
    assert "参加確定" in mail.text_body
    assert registration.manage_token in mail.text_body


def test_approving_when_full_waitlists_and_says_so_without_invite(
    make_event, make_registration, frozen_now
):
    event = make_event(capacity=1)
    make_registration(event)  # takes the only seat before approval mode is switched on
    event.requires_approval = True
    db.session.commit()
    registration = factories.make_registration(event)
    frozen_now(NOW + timedelta(hours=2))
    approve_registration(registration.id, clock.now(), actor=SYSTEM)
    db.session.commit()
    assert registration.status == RegistrationStatus.WAITLISTED
    assert registration.queued_at == NOW + timedelta(hours=2)  # in line from the approval
    [mail] = outbox("registration_approved")
    assert mail.subject.startswith("【キャンセル待ち受付】")
    assert mail.calendar_body is None
    assert "キャンセル待ち" in mail.text_body


def test_two_approvals_for_the_last_seat_give_one_seat_and_one_waitlist(make_event):
    event = make_event(capacity=1, requires_approval=True)
    first = factories.make_registration(event, email="a@city.example.jp")
    second = factories.make_registration(event, email="b@city.example.jp")
    approve_registration(first.id, clock.now(), actor=SYSTEM)
    approve_registration(second.id, clock.now(), actor=SYSTEM)
    db.session.commit()
    assert [first.status, second.status] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]


def test_simultaneous_approvals_for_the_last_seat_confirm_exactly_one(app, make_event):
    event = make_event(capacity=1, requires_approval=True)
    ids = [factories.make_registration(event, email=f"p{i}@city.example.jp").id for i in range(2)]
    barrier = threading.Barrier(len(ids))
    errors = []
    db.session.commit()  # on SQLite every open transaction holds the write lock

    def approve(registration_id):
        with app.app_context():
            barrier.wait()
            try:
                approve_registration(registration_id, clock.now(), actor=SYSTEM)
                db.session.commit()
            except Exception as error:  # asserted on below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    db.session.expire_all()
    statuses = sorted(db.session.get(Registration, i).status for i in ids)
    assert statuses == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    assert len(outbox("registration_approved")) == 2


def test_declining_cancels_and_mails_the_reason(make_event):
    event = make_event(requires_approval=True)
    registration = factories.make_registration(event)
    decline_registration(
        registration.id,
        clock.now(),
        "  対象は自治体職員の方に限らせていただいております。  ",
        actor=SYSTEM,
    )
    db.session.commit()
    assert registration.status == RegistrationStatus.CANCELLED
    assert registration.cancelled_at == NOW
    [mail] = outbox("registration_declined")
    assert mail.subject == f"【お申し込みについてのお知らせ】{event.title}"
    assert "お申し込みをお受けすることができませんでした" in mail.text_body
    assert "対象は自治体職員の方に限らせていただいております。" in mail.text_body
    assert mail.calendar_body is None


def test_only_pending_registrations_can_be_approved_or_declined(make_event, make_registration):
    registration = make_registration(make_event())
    for action in (approve_registration, decline_registration):
        with pytest.raises(WrongStatus, match="承認待ちのお申し込みではありません"):
            action(registration.id, clock.now(), actor=SYSTEM)
        db.session.rollback()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_approval_is_refused_once_the_event_is_cancelled(make_event):
    event = make_event(requires_approval=True)
    registration = factories.make_registration(event)
    event.status = "cancelled"
    db.session.commit()
    with pytest.raises(EventCancelled):
        approve_registration(registration.id, clock.now(), actor=SYSTEM)


def test_resending_to_a_pending_person_repeats_the_pending_mail(make_event):
    event = make_event(requires_approval=True)
    registration = factories.make_registration(event)
    assert resend_confirmation(event.id, registration.email)
    db.session.commit()
    first, resent = outbox("registration_pending")
    assert "ご依頼により、お申し込み内容を再送します。" in resent.text_body
    assert resent.calendar_body is None


def test_a_pending_person_may_cancel_by_their_link_and_gets_no_calendar_cancel(make_event):
    event = make_event(requires_approval=True)
    registration = factories.make_registration(event)
    cancel_registration(registration.manage_token, clock.now())
    db.session.commit()
    assert registration.status == RegistrationStatus.CANCELLED
    [mail] = outbox("registration_cancelled")
    assert mail.calendar_body is None


def test_calling_the_event_off_tells_those_awaiting_approval(make_event):
    event = make_event(requires_approval=True)
    registration = factories.make_registration(event)
    assert cancel_event(event.id, actor=SYSTEM) == 1
    db.session.commit()
    [mail] = outbox("event_cancelled")
    assert mail.to_addr == registration.email
    assert mail.calendar_body is None


def test_every_mistake_shows_in_one_round_parts_and_answers_too(client, questioned_event):
    """Blank name, no part chosen and the required questions left blank: all at once."""
    from app.events.models import EventPart, ThemeTable

    event = questioned_event
    event.parts = [EventPart(title="第二部 情報交換会", uses_tables=True, position=0)]
    event.tables = [ThemeTable(title="庁内職員向け事業", position=0)]
    db.session.commit()
    data = {**VALID, "name": ""}
    response = client.submit(register_url(event), data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("name", "parts", field_names(event)[0], field_names(event)[2]):
        assert f'id="{field}-error"' in page, field
    assert 'value="hanako@city.example.jp"' in page
    assert count(Registration) == 0
