"""The sign-up pages: bad input gets a clear message beside its field, keeps what was typed, and
stores nothing; unknown things are 404, never 500."""

import html
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.events.models import EventStatus
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.registrations.models import Registration, RegistrationStatus
from tests.conftest import NOW

VALID = {
    "name": "山田 花子",
    "furigana": "やまだ はなこ",
    "email": "hanako@city.example.jp",
    "organization": "鳥取県",
    "department": "総務部デジタル推進課 DX推進係",
    "position": "主任",
    "privacy": "y",
}


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def register_url(event):
    return f"/events/{event.slug}/register"


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def assert_nothing_stored():
    assert count(Registration) == 0
    assert count(OutboxMessage) == 0


def test_index_lists_published_events_but_not_drafts(client, make_event):
    make_event(title="公開中のセミナー")
    make_event(title="下書きのセミナー", status=EventStatus.DRAFT)
    page = text_of(client.get("/"))
    assert "公開中のセミナー" in page
    assert "下書きのセミナー" not in page


def test_event_page_shows_the_date_in_japanese(client, make_event):
    event = make_event(starts_at=NOW.replace(hour=5), ends_at=NOW.replace(hour=7))
    page = text_of(client.get(f"/events/{event.slug}"))
    assert "2026年8月1日(土) 14:00〜16:00" in page


def test_event_page_and_form_say_when_sign_up_closes(client, make_event):
    event = make_event(
        starts_at=NOW + timedelta(days=30),
        ends_at=NOW + timedelta(days=30, hours=2),
        registration_closes_at=NOW.replace(hour=8) + timedelta(days=27),  # 17:00 JST
    )
    for url in (f"/events/{event.slug}", register_url(event)):
        page = text_of(client.get(url))
        assert "受付締切" in page and "2026年8月28日(金) 17:00" in page, url


def test_sign_up_redirects_to_a_confirmation_page_and_queues_the_mail(client, make_event):
    event = make_event()
    response = client.submit(register_url(event), VALID)
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "お申し込みが完了しました" in page
    registration = db.session.scalar(select(Registration))
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.department == VALID["department"]
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert mail.to_addr == VALID["email"]


def test_sign_up_for_a_full_event_says_waitlist_on_the_form_and_after(
    client, make_event, make_registration
):
    event = make_event(capacity=1)
    make_registration(event)
    form = text_of(client.get(register_url(event)))
    assert "キャンセル待ちとなります" in form
    response = client.submit(register_url(event), VALID)
    page = text_of(client.get(response.headers["Location"]))
    assert "キャンセル待ちとして受け付けました" in page


def test_full_width_email_is_normalised(client, make_event):
    event = make_event()
    response = client.submit(
        register_url(event), {**VALID, "email": "ＨＡＮＡＫＯ＠ｃｉｔｙ．ｅｘａｍｐｌｅ．ｊｐ"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Registration.email)) == "hanako@city.example.jp"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "hanako@", "メールアドレスの形式が正しくありません"),
        ("email", "", "メールアドレスを入力してください"),
        ("name", "", "お名前を入力してください"),
        ("name", "あ" * 101, "100文字以内で入力してください"),
        ("department", "課" * 201, "200文字以内で入力してください"),
        ("organization", "", "所属団体を入力してください"),
        ("name", "山田\x00", "使えない文字"),
        ("furigana", "やまだ\x1bはなこ", "使えない文字"),
        ("position", "主任\x7f", "使えない文字"),
        ("email", "山田@city.example.jp", "メールアドレスの形式が正しくありません"),
        ("privacy", "", "個人情報の取り扱いへの同意が必要です"),
    ],
)
def test_bad_input_is_explained_beside_the_field_and_the_rest_is_kept(
    client, make_event, field, value, message
):
    event = make_event()
    response = client.submit(register_url(event), {**VALID, field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in text_of(response)
    for other in ("name", "email", "organization", "department"):
        if other != field:
            assert f'value="{html.escape(VALID[other], quote=True)}"' in page
    assert_nothing_stored()


def test_choosing_no_table_for_the_exchange_part_is_explained(client, make_event):
    event = make_event(
        parts=[{"title": "第二部 情報交換会", "uses_tables": True}],
        tables=[{"title": "庁内職員向け事業"}],
    )
    response = client.submit(register_url(event), {**VALID, "parts": str(event.parts[0].id)})
    assert response.status_code == 422
    assert 'id="table-error"' in response.get_data(as_text=True)
    assert "テーブルを選んでください" in text_of(response)
    assert_nothing_stored()


def test_a_part_from_another_event_or_garbage_is_refused_without_500(client, make_event):
    event = make_event(parts=[{"title": "第一部"}])
    other = make_event(parts=[{"title": "他の第一部"}])
    for parts in (str(other.parts[0].id), "abc", "-1", "9" * 30):
        response = client.submit(register_url(event), {**VALID, "parts": parts})
        assert response.status_code == 422, parts
        assert 'id="parts-error"' in response.get_data(as_text=True)
    assert_nothing_stored()


def test_the_same_email_twice_adds_no_row_and_offers_to_resend(client, make_event):
    event = make_event()
    client.submit(register_url(event), VALID)
    response = client.submit(register_url(event), {**VALID, "name": "別の名前"})
    assert response.status_code == 422
    page = text_of(response)
    assert "このメールアドレスでは既にお申し込み済みです" in page
    assert "確認メールを再送する" in page
    assert count(Registration) == 1

    resend = client.submit(
        register_url(event), {"email": VALID["email"]}, action=f"/events/{event.slug}/resend"
    )
    assert resend.status_code == 302
    assert count(OutboxMessage) == 2


def test_resend_for_an_unknown_address_answers_the_same_and_sends_nothing(client, make_event):
    event = make_event()
    response = client.submit(
        register_url(event),
        {"email": "nobody@city.example.jp"},
        action=f"/events/{event.slug}/resend",
    )
    assert response.status_code == 302
    assert "お申し込みがあれば" in text_of(client.get(response.headers["Location"]))
    assert count(OutboxMessage) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"registration_opens_at": NOW + timedelta(days=1)},
            "受付開始前（2026年8月2日(日) 10:00 から）",
        ),
        ({"registration_closes_at": NOW - timedelta(hours=1)}, "お申し込みの受付は終了しました"),
        ({"status": EventStatus.CANCELLED}, "このイベントは中止となったため"),
    ],
)
def test_sign_up_outside_the_window_says_why_and_stores_nothing(
    client, make_event, fields, message
):
    event = make_event(**fields)
    assert message in text_of(client.get(register_url(event)))
    # A form posted anyway (an old tab) is refused with the same reason, with its input kept.
    token = client.token("/join")
    response = client.post(register_url(event), data={**VALID, "csrf_token": token})
    assert response.status_code == 422
    assert message in text_of(response)
    assert_nothing_stored()


def test_post_without_csrf_token_gets_a_friendly_400(client, make_event):
    event = make_event()
    response = client.post(register_url(event), data=VALID)
    assert response.status_code == 400
    assert "ページの有効期限が切れました" in text_of(response)
    assert_nothing_stored()


def test_expired_csrf_token_gets_the_same_friendly_400(client, make_event, app):
    event = make_event()
    token = client.token(register_url(event))
    app.config["WTF_CSRF_TIME_LIMIT"] = -1  # every token is now older than the limit
    response = client.post(register_url(event), data={**VALID, "csrf_token": token})
    assert response.status_code == 400
    assert "ページの有効期限が切れました" in text_of(response)
    assert_nothing_stored()


def test_a_request_body_over_the_limit_is_413(client, make_event, app):
    event = make_event()
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = client.submit(register_url(event), {**VALID, "department": "x" * 20_000})
    assert response.status_code == 413
    assert "送信内容が大きすぎます" in text_of(response)
    assert_nothing_stored()


@pytest.mark.parametrize(
    "url",
    [
        "/events/no-such-event",
        "/events/no-such-event/register",
        "/r/abc",
        "/r/1.forged",
        "/r/%00",
        "/events/%E2%80%8B/register",
        "/join/confirm/xyz",
    ],
)
def test_unknown_slugs_and_tokens_are_404(client, url):
    assert client.get(url).status_code == 404


def test_draft_event_is_404_for_the_public(client, make_event):
    event = make_event(status=EventStatus.DRAFT)
    assert client.get(f"/events/{event.slug}").status_code == 404
    assert client.get(register_url(event)).status_code == 404


def test_user_text_is_escaped_everywhere(client, make_event):
    event = make_event()
    script = "<script>alert(1)</script>"
    response = client.submit(register_url(event), {**VALID, "name": script, "department": script})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert script not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_management_page_shows_the_registration_and_cancels_by_post(
    client, make_event, make_registration
):
    event = make_event(meeting_url="https://meet.example.jp/abc")
    registration = make_registration(event)
    url = f"/r/{registration.manage_token}"
    page = text_of(client.get(url))
    assert registration.name in page
    # The personal join link, never the meeting URL itself.
    assert f"/j/{registration.join_token}" in page
    assert "https://meet.example.jp/abc" not in page
    # Cancelling asks first (GET writes nothing), then the POST from that page cancels.
    confirm = text_of(client.get(f"{url}/cancel"))
    assert "キャンセルの確認" in confirm and "キャンセルを確定する" in confirm
    assert db.session.get(Registration, registration.id).status == RegistrationStatus.CONFIRMED
    response = client.submit(f"{url}/cancel", {})
    assert response.status_code == 302
    assert db.session.get(Registration, registration.id).status == RegistrationStatus.CANCELLED
    page = text_of(client.get(url))
    assert "キャンセル済み" in page
    assert "/j/" not in page
    assert f"/events/{event.slug}/register" in page  # a way back to sign up again


def test_waitlisted_people_do_not_see_the_meeting_url(client, make_event, make_registration):
    event = make_event(capacity=1, meeting_url="https://meet.example.jp/abc")
    make_registration(event)
    waiting = make_registration(event)
    page = text_of(client.get(f"/r/{waiting.manage_token}"))
    assert "キャンセル待ち" in page
    assert "https://meet.example.jp/abc" not in page


def test_public_forms_are_rate_limited(client, make_event, app):
    event = make_event()
    app.config["PUBLIC_FORM_RATE_LIMIT"] = "2 per minute"
    for i in range(2):
        client.submit(register_url(event), {**VALID, "email": f"p{i}@city.example.jp"})
    response = client.submit(register_url(event), {**VALID, "email": "p9@city.example.jp"})
    assert response.status_code == 429
    page = text_of(response)
    assert "ほど待ってから、もう一度送信してください" in page  # the form again, not a bare page
    assert 'value="p9@city.example.jp"' in page
    assert count(Registration) == 2


def test_english_is_offered_as_a_second_language(client, make_event):
    event = make_event()
    client.get("/lang/en?next=/")
    page = text_of(client.get(f"/events/{event.slug}"))
    assert '<html lang="en">' in page


def test_language_switch_never_redirects_off_site(client):
    for target in ("https://evil.example", "//evil.example", "/\\evil.example"):
        response = client.get(f"/lang/en?next={target}")
        assert response.headers["Location"] == "/"


def test_a_filled_honeypot_stores_and_mails_nothing(client, make_event):
    event = make_event()
    response = client.submit(register_url(event), {**VALID, "website": "http://spam.example"})
    assert response.status_code == 302
    assert_nothing_stored()
    page = client.get(register_url(event)).get_data(as_text=True)
    assert 'tabindex="-1"' in page and 'class="hp"' in page


@pytest.mark.parametrize(
    "pasted", ["山田\r\n花子", "山田\u2028花子", "山田\t花子", "山田\u200b 花子"]
)
def test_a_name_pasted_with_a_line_break_is_kept_on_one_line(client, make_event, pasted):
    event = make_event()
    response = client.submit(register_url(event), {**VALID, "name": pasted})
    assert response.status_code in (302, 303)
    assert db.session.scalars(select(Registration.name)).all() == ["山田 花子"]
