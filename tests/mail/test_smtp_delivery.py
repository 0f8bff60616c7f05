"""Delivery through a real SMTP server (aiosmtpd on 127.0.0.1): one connection per batch, the
stored Message-ID on every try, and what a 4xx or 5xx answer for one recipient does."""

import email
import time
from datetime import timedelta
from email import policy
from email.header import decode_header, make_header
from email.utils import make_msgid, parseaddr

import pytest
from sqlalchemy import create_engine, event, func, select

from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.outbox import OutboxMessage, OutboxStatus
from app.mail.suppression import SuppressedAddress
from tests.conftest import NOW

TEMPORARY = "451 4.3.0 Mailbox temporarily unavailable"
PERMANENT = "550 5.1.1 No such user here"


@pytest.fixture
def mail_config(smtp_config):
    return smtp_config


def refuse(smtp_server, stage: str, address: str, reply: str) -> None:
    replies = (
        smtp_server.handler.rcpt_replies if stage == "RCPT" else smtp_server.handler.data_replies
    )
    replies[address] = reply


def test_a_batch_reaches_the_server_over_one_connection_each_with_its_stored_message_id(
    app, smtp_server, queue_messages, outbox
):
    # A long body with lines SMTP treats specially: a lone dot ends DATA unless it is escaped.
    body = "".join(f"{n}行目: ご参加をお待ちしております。\n" for n in range(1, 301))
    body += ".\n..\n.最後の行\nFrom the secretariat\n"
    messages = queue_messages(5, text_body=body)

    assert deliver_due() == 5

    assert smtp_server.connections == 1
    assert sorted(smtp_server.message_id_counts().items()) == sorted(
        (message.message_id, 1) for message in messages
    )
    for message in messages:
        received = smtp_server.by_message_id(message.message_id)
        assert received.rcpt_tos == [message.to_addr]
        assert received.mail_from == "no-reply@localhost"
        parsed = received.message
        [recipient] = parsed["To"].addresses
        assert (recipient.display_name, recipient.addr_spec) == (message.to_name, message.to_addr)
        assert parsed["Subject"] == message.subject
        plain = parsed.get_body(preferencelist=("plain",))
        assert plain.get_content_type() == "text/plain"
        assert plain.get_content().replace("\r\n", "\n") == body
    for row in outbox():
        assert row.status == OutboxStatus.SENT
        assert row.sent_at == NOW
        assert row.last_error == ""


def test_a_registration_mail_arrives_with_both_parts_and_the_manage_link(
    app, smtp_server, make_event, make_registration, outbox
):
    event = make_event(title="自治体DXセミナー")
    registration = make_registration(event, name="鈴木 一郎", email="ichiro@city.example.jp")

    assert deliver_due() == 1

    [received] = smtp_server.received
    [row] = outbox()
    assert received.message_id == row.message_id
    assert received.rcpt_tos == ["ichiro@city.example.jp"]
    parsed = received.message
    assert parsed["Subject"] == "【お申し込み完了】自治体DXセミナー"
    plain = parsed.get_body(preferencelist=("plain",)).get_content()
    assert plain.replace("\r\n", "\n") == row.text_body
    assert registration.manage_token in plain
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert "自治体DXセミナー" in html


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
def test_a_temporary_refusal_is_retried_later_and_the_rest_of_the_batch_still_goes(
    app, smtp_server, queue_messages, outbox, frozen_now, stage
):
    first, deferred, last = queue_messages(3)
    refuse(smtp_server, stage, deferred.to_addr, TEMPORARY)

    assert deliver_due() == 2

    assert smtp_server.connections == 1
    assert set(smtp_server.message_id_counts()) == {first.message_id, last.message_id}
    rows = {row.message_id: row for row in outbox()}
    assert rows[first.message_id].status == OutboxStatus.SENT
    assert rows[last.message_id].status == OutboxStatus.SENT
    waiting = rows[deferred.message_id]
    assert waiting.status == OutboxStatus.QUEUED
    assert waiting.attempts == 1
    assert waiting.next_attempt_at == NOW + timedelta(seconds=30)
    assert "451" in waiting.last_error
    assert waiting.claimed_until is None

    # Not before its time...
    frozen_now(NOW + timedelta(seconds=29))
    assert deliver_due() == 0
    # ...and once the server takes it again, it goes out exactly once.
    smtp_server.handler.rcpt_replies.clear()
    smtp_server.handler.data_replies.clear()
    frozen_now(NOW + timedelta(seconds=30))
    assert deliver_due() == 1
    assert smtp_server.message_id_counts() == {
        first.message_id: 1,
        deferred.message_id: 1,
        last.message_id: 1,
    }
    [row] = [row for row in outbox() if row.message_id == deferred.message_id]
    assert row.status == OutboxStatus.SENT
    assert row.sent_at == NOW + timedelta(seconds=30)


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
def test_a_permanent_refusal_fails_that_message_for_good_and_the_rest_of_the_batch_goes(
    app, smtp_server, queue_messages, outbox, frozen_now, stage
):
    first, refused, last = queue_messages(3)
    refuse(smtp_server, stage, refused.to_addr, PERMANENT)

    assert deliver_due() == 2

    assert set(smtp_server.message_id_counts()) == {first.message_id, last.message_id}
    rows = {row.message_id: row for row in outbox()}
    assert rows[first.message_id].status == OutboxStatus.SENT
    assert rows[last.message_id].status == OutboxStatus.SENT
    failed = rows[refused.message_id]
    assert failed.status == OutboxStatus.FAILED
    assert failed.attempts == 1
    assert "550" in failed.last_error
    assert failed.claimed_until is None
    assert failed.sent_at is None

    # Never tried again, even a day later.
    offered = smtp_server.handler.rcpt_attempts.count(refused.to_addr)
    frozen_now(NOW + timedelta(days=1))
    assert deliver_due() == 0
    assert smtp_server.handler.rcpt_attempts.count(refused.to_addr) == offered
    [row] = [row for row in outbox() if row.message_id == refused.message_id]
    assert row.status == OutboxStatus.FAILED


def test_each_delivery_is_recorded_before_the_next_message_is_handed_to_the_server(
    app, smtp_server, queue_messages
):
    # What makes a crash resend at most the one message in flight: when the server takes
    # message k, every message before it is already marked sent, and none after it is.
    addresses = [message.to_addr for message in queue_messages(6)]
    engine = db.engine
    onlooker = create_engine(engine.url)  # not slowed down below
    statuses_seen = {}

    def look_at_the_outbox(address):
        # A bare driver connection: on SQLite it reads without waiting for the write lock.
        connection = onlooker.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT to_addr, status FROM outbox_messages")
            statuses_seen[address] = dict(cursor.fetchall())
        finally:
            connection.close()

    smtp_server.handler.on_data = look_at_the_outbox
    # Slow transactions, so that a delivery loop that did not wait for them would be caught.
    event.listen(engine, "begin", slow_begin, insert=True)
    try:
        assert deliver_due() == 6
    finally:
        event.remove(engine, "begin", slow_begin)
        onlooker.dispose()

    for k, address in enumerate(addresses):
        statuses = [statuses_seen[address][other] for other in addresses]
        assert statuses == ["sent"] * k + ["sending"] * (len(addresses) - k), address


def slow_begin(connection):
    time.sleep(0.05)


@pytest.mark.parametrize(
    ("reply", "status"),
    [(TEMPORARY, OutboxStatus.QUEUED), ("552 5.3.4 Message too big", OutboxStatus.FAILED)],
)
def test_a_refused_sender_delays_or_fails_that_message_alone_and_flags_no_address(
    app, smtp_server, queue_messages, outbox, reply, status
):
    first, refused, last = queue_messages(3)
    smtp_server.handler.mail_replies = ["", reply]  # the second MAIL FROM is refused

    assert deliver_due() == 2

    assert set(smtp_server.message_id_counts()) == {first.message_id, last.message_id}
    assert smtp_server.connections == 1
    rows = {row.message_id: row for row in outbox()}
    assert rows[refused.message_id].status == status
    assert rows[refused.message_id].attempts == 1
    assert reply[:3] in rows[refused.message_id].last_error
    # The server objected to our sender or to the message, not to the recipient's address.
    assert db.session.scalar(select(func.count()).select_from(SuppressedAddress)) == 0


def test_the_message_id_is_the_same_on_every_try(
    app, smtp_server, queue_messages, outbox, frozen_now
):
    [message] = queue_messages(1)
    refuse(smtp_server, "DATA", message.to_addr, TEMPORARY)

    assert deliver_due() == 0
    [row] = outbox()
    stored_id = row.message_id
    # The refused try carried the stored Message-ID...
    [refused] = smtp_server.handler.refused_data
    assert refused.message_id == stored_id

    smtp_server.handler.data_replies.clear()
    frozen_now(row.next_attempt_at)
    assert deliver_due() == 1
    # ...and so does the delivered one: a receiver can tell it is the same mail.
    [received] = smtp_server.received
    assert received.message_id == stored_id
    assert outbox()[0].message_id == stored_id


def test_repeated_temporary_failures_back_off_and_end_as_failed_at_mail_max_attempts(
    app, smtp_server, queue_messages, outbox, frozen_now
):
    app.config["MAIL_MAX_ATTEMPTS"] = 4
    [message] = queue_messages(1)
    smtp_server.handler.rcpt_replies[message.to_addr] = TEMPORARY

    delays = []
    now = NOW
    for attempt in range(1, 4):
        frozen_now(now)
        assert deliver_due() == 0
        [row] = outbox()
        assert row.attempts == attempt
        assert row.status == OutboxStatus.QUEUED
        delays.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert delays == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]

    frozen_now(now)
    assert deliver_due() == 0
    [row] = outbox()
    assert row.attempts == 4
    assert row.status == OutboxStatus.FAILED
    assert "451" in row.last_error
    assert row.claimed_until is None

    frozen_now(now + timedelta(days=1))
    assert deliver_due() == 0
    assert smtp_server.handler.rcpt_attempts.count(message.to_addr) == 4
    assert smtp_server.received == []


def test_a_body_line_longer_than_smtp_allows_still_arrives_intact(
    app, smtp_server, queue_messages, outbox
):
    # 400 Japanese characters without a line break: 1,200 octets in UTF-8.
    paragraph = "自治体職員のリスキリングを推進します。" * 21
    body = f"ご案内\n{paragraph}\n以上\n"
    [message] = queue_messages(1, text_body=body)

    deliver_due()

    [row] = outbox()
    assert row.status == OutboxStatus.SENT, row.last_error
    received = smtp_server.by_message_id(message.message_id)
    plain = received.message.get_body(preferencelist=("plain",)).get_content()
    assert plain.replace("\r\n", "\n") == body


@pytest.mark.parametrize(
    "address",
    ["山田@city.example.jp", "yamada@city.example.jp>\r\nRCPT TO:<someone@elsewhere.example"],
)
def test_a_row_the_smtp_client_cannot_send_fails_alone_and_the_rest_of_the_batch_goes(
    app, smtp_server, queue_messages, outbox, address
):
    first = queue_messages(1)[0].message_id
    # Written straight to the table, as an import or an older version of the forms might have:
    # enqueue() and the forms are not what this test is about.
    db.session.add(
        OutboxMessage(
            message_id=make_msgid(domain="reskilling.example.jp"),
            category="test",
            to_addr=address,
            to_name="山田",
            subject="件名",
            text_body="本文",
            mime=b"Subject: test\r\n\r\nbody\r\n",  # so only the envelope can refuse it
            next_attempt_at=NOW,
        )
    )
    db.session.commit()
    last = queue_messages(1)[0].message_id

    assert deliver_due() == 2

    assert set(smtp_server.message_id_counts()) == {first, last}
    assert all("elsewhere" not in offered for offered in smtp_server.handler.rcpt_attempts)
    rows = {row.to_addr: row for row in outbox()}
    assert rows[address].status == OutboxStatus.FAILED
    assert rows[address].last_error != ""


def test_long_japanese_headers_are_folded_to_78_characters_and_decode_to_exactly_what_was_written(
    app, smtp_server, queue_messages
):
    subject = "【全国自治体リスキリングネットワーク】2028年度上期 定期共有会のご案内（第12回・オンライン開催）"
    name = "長谷川 美和子（北海道札幌市 デジタル戦略推進局 スマートシティ推進部 DX推進担当）"
    [message] = queue_messages(
        1, subject=subject, to_name=name, reply_to=(name, "hasegawa@city.sapporo.example.jp")
    )

    assert deliver_due() == 1

    raw = smtp_server.by_message_id(message.message_id).content
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 78 for line in head.split(b"\r\n")), head
    parsed = email.message_from_bytes(raw, policy=policy.compat32)
    # RFC 2047: the white space between adjacent encoded words is not part of the text.
    assert str(make_header(decode_header(parsed["Subject"]))) == subject
    display_name, address = parseaddr(str(make_header(decode_header(parsed["To"]))))
    assert (display_name, address) == (name, message.to_addr)
    sender_name, _ = parseaddr(str(make_header(decode_header(parsed["From"]))))
    assert sender_name == app.config["MAIL_DEFAULT_SENDER"].rsplit("<", 1)[0].strip()
    reply_to = parseaddr(str(make_header(decode_header(parsed["Reply-To"]))))
    assert reply_to == (name, "hasegawa@city.sapporo.example.jp")


def test_the_message_is_built_once_when_queued_and_a_row_without_stored_bytes_is_built_at_send(
    app, smtp_server, queue_messages, outbox
):
    [stored] = queue_messages(1, subject="【お知らせ】保存済み")
    assert stored.mime.startswith(b"Content-Type: text/plain")
    # A row queued by a version before the bytes were stored, as the upgrade leaves it.
    db.session.add(
        OutboxMessage(
            message_id=make_msgid(domain="reskilling.example.jp"),
            category="test",
            to_addr="legacy@city.example.jp",
            to_name="旧 行",
            subject="【お知らせ】保存前",
            text_body="本文\n",
            next_attempt_at=NOW,
        )
    )
    db.session.commit()

    assert deliver_due() == 2

    assert smtp_server.by_message_id(stored.message_id).content.replace(b"\r\n", b"\n") == (
        stored.mime.replace(b"\r\n", b"\n")
    )
    legacy = next(row for row in outbox() if row.to_addr == "legacy@city.example.jp")
    assert legacy.mime is None
    assert smtp_server.by_message_id(legacy.message_id).message["Subject"] == "【お知らせ】保存前"


def test_a_long_list_unsubscribe_goes_out_as_a_plain_url_that_mail_clients_can_follow(
    app, smtp_server, queue_messages
):
    url = "https://reskilling.example.jp/unsubscribe/12345." + "x" * 43 + "/one-click"
    [message] = queue_messages(1, unsubscribe_url=url)

    assert deliver_due() == 1

    raw = smtp_server.by_message_id(message.message_id).content
    # Not an RFC 2047 encoded word (=?utf-8?q?...), which RFC 2369 readers do not decode.
    assert f"\r\nList-Unsubscribe: <{url}>\r\n".encode() in raw
    assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw
