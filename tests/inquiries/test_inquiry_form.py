"""お問い合わせ: the public form stores the inquiry, mails it to the secretariat (the configured
address, or every active organizer) and sends the sender a receipt that repeats none of their
text; bad input is explained beside its field with nothing stored; robots and floods are stopped."""

import html

import pytest
from sqlalchemy import select

from app.extensions import db
from app.inquiries.models import Inquiry
from app.mail.outbox import OutboxMessage
from tests.conftest import NOW

CONTACT = "/contact"

VALID = {
    "name": "山田 花子",
    "email": "ｈａｎａｋｏ＠city.example.jp",
    "organization": "鳥取県",
    "subject": "資料の再送について",
    "body": "先日のセミナー資料を\r\nもう一度お送りいただけますか。",
    "privacy": "y",
}


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def inquiries() -> list[Inquiry]:
    db.session.expire_all()
    return list(db.session.scalars(select(Inquiry).order_by(Inquiry.id)))


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def send(client, **overrides):
    return client.submit(CONTACT, {**VALID, **overrides})


def test_the_form_shows_its_fields_and_the_privacy_consent(client):
    response = client.get(CONTACT)
    assert response.status_code == 200
    body = text_of(response)
    for label in ("お名前", "メールアドレス", "所属団体", "件名", "お問い合わせ内容"):
        assert label in body
    assert "個人情報の取り扱いについて" in body
    assert 'name="website"' in body  # the honeypot


def test_an_inquiry_is_stored_mailed_to_active_organizers_and_acknowledged(client, make_organizer):
    first = make_organizer()
    second = make_organizer(role="admin")
    resting = make_organizer()
    resting.active = False
    db.session.commit()

    response = send(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/contact/thanks"
    [inquiry] = inquiries()
    assert inquiry.name == "山田 花子"
    assert inquiry.email == "hanako@city.example.jp"  # full-width typed, stored plain
    assert inquiry.organization_name == "鳥取県"
    assert inquiry.body == "先日のセミナー資料を\nもう一度お送りいただけますか。"
    assert inquiry.created_at == NOW and inquiry.handled_at is None

    rows = outbox()
    to_organizers = [row for row in rows if row.category == "inquiry_received"]
    assert sorted(row.to_addr for row in to_organizers) == sorted([first.email, second.email])
    notice = to_organizers[0]
    assert notice.subject == "【お問い合わせ】資料の再送について"
    # Replying from the mail program answers the person who asked, not the no-reply sender.
    assert (notice.reply_to_name, notice.reply_to_addr) == ("山田 花子", "hanako@city.example.jp")
    assert "Reply-To: =?utf-8?" in notice.mime.decode()
    for part in (
        "山田 花子",
        "hanako@city.example.jp",
        "鳥取県",
        "もう一度お送りいただけますか。",
        f"https://reskilling.example.jp/admin/inquiries/{inquiry.id}",
    ):
        assert part in notice.text_body

    [receipt] = [row for row in rows if row.category == "inquiry_ack"]
    assert receipt.to_addr == "hanako@city.example.jp"
    assert receipt.reply_to_addr is None and b"Reply-To" not in receipt.mime
    assert "お問い合わせを受け付けました" in receipt.subject
    assert f"受付番号: {inquiry.id}" in receipt.text_body
    # The sender's own words are not mailed back (the form must not relay text to any address).
    assert "資料の再送" not in receipt.text_body and "もう一度" not in receipt.text_body

    thanks = client.get("/contact/thanks")
    assert "お問い合わせを受け付けました" in text_of(thanks)


def test_the_configured_addresses_get_the_inquiry_instead_of_the_organizers(
    app, client, make_organizer
):
    make_organizer()
    app.config["INQUIRY_NOTIFY_ADDRESS"] = "info@reskilling.example.jp, desk@reskilling.example.jp"
    send(client)
    notices = [row.to_addr for row in outbox() if row.category == "inquiry_received"]
    assert notices == ["info@reskilling.example.jp", "desk@reskilling.example.jp"]


def test_the_organisation_is_optional(client):
    assert send(client, organization="").status_code == 302
    assert inquiries()[0].organization_name == ""


def test_a_body_of_exactly_4000_characters_is_accepted_counting_line_breaks_once(client):
    body = ("あ" * 99 + "\r\n") * 40  # 4,000 characters as the browser counts them, 4,040 as sent
    assert send(client, body=body).status_code == 302
    assert len(inquiries()[0].body) == 3999  # the trailing line break is trimmed


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "お名前を入力してください。"),
        ("name", "山田\r\nBcc: x@example.com", "改行を含めずに入力してください。"),
        ("email", "hanako@", "メールアドレスの形式が正しくありません"),
        ("subject", "", "件名を入力してください。"),
        ("subject", "件名\nBcc: spam@example.com", "改行を含めずに入力してください。"),
        ("subject", "あ" * 201, "200文字以内で入力してください。"),
        ("organization", "あ" * 101, "100文字以内で入力してください。"),
        ("body", "", "お問い合わせ内容を入力してください。"),
        ("body", "あ" * 4001, "4000文字以内で入力してください。"),
        ("privacy", "", "お問い合わせには個人情報の取り扱いへの同意が必要です。"),
    ],
)
def test_bad_input_is_explained_beside_its_field_and_nothing_is_stored(
    client, field, value, message
):
    data = {**VALID, field: value}
    if field == "privacy":
        del data["privacy"]
    response = client.submit(CONTACT, data)

    assert response.status_code == 422
    body = text_of(response)
    assert f'id="{field}-error"' in body and message in body
    assert 'value="資料の再送について"' in body or field == "subject"  # typed values kept
    assert "もう一度お送りいただけますか。" in body or field == "body"
    assert inquiries() == [] and outbox() == []


def test_a_robot_filling_the_hidden_field_is_sent_away_with_nothing_stored(client):
    response = send(client, website="https://spam.example")
    assert response.status_code == 302
    assert inquiries() == [] and outbox() == []


class TestRateLimit:
    @pytest.fixture
    def app_overrides(self):
        return {"PUBLIC_FORM_RATE_LIMIT": "2 per minute"}

    def test_a_flood_from_one_client_is_refused(self, client):
        statuses = [client.submit(CONTACT, {"name": ""}).status_code for _ in range(3)]
        assert statuses == [422, 422, 429]
