"""Each person's mail history: every outbox message to one address, newest first, with status and
error, and one message as it was sent, escaped, with the keys of personal links hidden."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.mail.history import hide_personal_links, messages_to
from app.mail.outbox import OutboxMessage, OutboxStatus, enqueue
from tests.conftest import NOW


def outbox_to(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.to_addr == address)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def test_history_lists_every_message_to_the_address_newest_first_with_status_and_error(
    organizer_client, make_event, make_registration, frozen_now
):
    first = make_event(title="最初のセミナー")
    second = make_event(title="次の情報交換会")
    make_registration(first, email="taro@city.example.jp")
    frozen_now(NOW + timedelta(hours=1))
    make_registration(second, email="taro@city.example.jp")
    make_registration(second, email="someone.else@city.example.jp")
    older, newer = outbox_to("taro@city.example.jp")
    older.status = OutboxStatus.FAILED
    older.last_error = "550 5.1.1 No such user here"
    db.session.commit()

    # Typed in full width and capitals, as people do.
    page = organizer_client.get("/admin/mail-history?email=ＴＡＲＯ@city.example.jp").get_data(
        as_text=True
    )

    assert "【お申し込み完了】次の情報交換会" in page
    assert page.index("次の情報交換会") < page.index("最初のセミナー")
    assert "550 5.1.1 No such user here" in page
    assert "送信失敗" in page and "送信待ち" in page
    assert "registration_received" in page
    assert f'href="/admin/mail/{newer.id}"' in page
    assert f'href="/admin/mail/{older.id}"' in page
    assert "someone.else" not in page.split("<table", 1)[1]


def test_history_of_an_unknown_address_is_empty(organizer_client, make_event, make_registration):
    make_registration(make_event(), email="taro@city.example.jp")

    page = organizer_client.get("/admin/mail-history?email=nobody@example.jp").get_data(
        as_text=True
    )

    assert "このアドレス宛てに送ったメールはありません。" in page
    assert "/admin/mail/" not in page
    # Without an address the page is only the search form.
    blank = organizer_client.get("/admin/mail-history")
    assert blank.status_code == 200
    assert "送ったメールはありません" not in blank.get_data(as_text=True)


def test_history_is_paginated(app, frozen_now):
    for n in range(5):
        frozen_now(NOW + timedelta(minutes=n))
        enqueue(to_addr="a@city.example.jp", subject=f"件名{n}", text_body="本文", category="test")
    db.session.commit()

    first = messages_to("a@city.example.jp", page=1, per_page=2)
    last = messages_to("A@City.example.jp", page=3, per_page=2)

    assert [m.subject for m in first.items] == ["件名4", "件名3"] and first.has_next
    assert [m.subject for m in last.items] == ["件名0"] and not last.has_next


def test_a_message_shows_its_headers_and_text_escaped_with_personal_keys_hidden(
    organizer_client, make_event, make_registration
):
    event = make_event(title="自治体DXセミナー")
    registration = make_registration(
        event, name="<script>alert(1)</script>", email="taro@city.example.jp"
    )
    [message] = outbox_to("taro@city.example.jp")

    response = organizer_client.get(f"/admin/mail/{message.id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "【お申し込み完了】自治体DXセミナー" in page  # the decoded Subject header
    assert message.message_id.strip("<>") in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 様" in page
    assert registration.manage_token not in page
    assert registration.join_token not in page
    assert "https://reskilling.example.jp/r/••••••" in page
    assert organizer_client.get("/admin/mail/99999").status_code == 404


def test_only_keys_in_our_own_links_are_hidden(app):
    text = (
        "確認: https://reskilling.example.jp/r/12.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde\n"
        "停止: https://reskilling.example.jp/unsubscribe/3.AbCdEfGhIjKlMnOpQrStUvWxYz012345/one-click\n"
        "再設定: https://reskilling.example.jp/admin/reset/eyJpZCI6MX0.ZmZmZg.c2lnbmF0dXJlLXNpZ25hdHVyZQ\n"
        "予定: https://reskilling.example.jp/events/2026-09-seminar.ics\n"
        "他所: https://example.org/r/12.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789\n"
    )

    shown = hide_personal_links(text)

    assert shown.splitlines() == [
        "確認: https://reskilling.example.jp/r/••••••",
        "停止: https://reskilling.example.jp/unsubscribe/••••••/one-click",
        "再設定: https://reskilling.example.jp/admin/reset/••••••",
        "予定: https://reskilling.example.jp/events/2026-09-seminar.ics",
        "他所: https://example.org/r/12.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
    ]
