"""The outbox itself: what enqueue() refuses, that mail is queued in the sign-up's own transaction,
and the development mailbox that takes the mail when no SMTP server is set."""

import email
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from app.errors import RegistrationClosed
from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.outbox import OutboxMessage, OutboxStatus, enqueue
from app.registrations import signup
from app.registrations.models import Registration
from tests.conftest import NOW

GOOD = {
    "to_addr": "hanako@city.example.jp",
    "to_name": "山田 花子",
    "subject": "【お申し込み完了】テストセミナー",
    "text_body": "本文",
    "category": "test",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    "field, value",
    [
        ("to_addr", "hanako@city.example.jp\r\nBcc: victim@example.com"),
        ("to_addr", "hanako@city.example.jp\nBcc: victim@example.com"),
        ("to_name", "山田\r\nBcc: victim@example.com"),
        ("to_name", "山田\n花子"),
        ("subject", "件名\r\nBcc: victim@example.com"),
        ("subject", "件名\r"),
        # Other characters that Python's str.splitlines() or a mail program may treat as a break.
        ("subject", "件名\u2028Bcc: victim@example.com"),
        ("to_name", "山田\x0bBcc: victim@example.com"),
        ("to_name", "山田\x85花子"),
        ("reply_to", ("山田\r\nBcc: victim@example.com", "hanako@city.example.jp")),
        ("reply_to", ("山田", "hanako@city.example.jp\r\nBcc: victim@example.com")),
    ],
)
def test_a_line_break_never_reaches_a_header_and_never_undoes_the_change_behind_the_mail(
    app, field, value
):
    message = enqueue(**{**GOOD, field: value})
    db.session.commit()

    assert count(OutboxMessage) == 1
    if message.status == OutboxStatus.FAILED:  # an address cannot be repaired: kept, not sent
        assert "could not be built" in message.last_error and message.mime is None
    else:  # a name or subject is text: it goes out on one line
        assert message.status == OutboxStatus.QUEUED
        for text in (message.subject, message.to_name, message.reply_to_name or ""):
            assert not any(ch in text for ch in "\r\n\x0b\x85\u2028")
        assert b"\nBcc:" not in message.mime


def test_dev_mailbox_writes_each_message_as_a_parseable_eml_and_marks_it_sent(
    app, queue_messages, outbox
):
    long_body = "".join(f"{n}行目: お申し込みありがとうございます。\n" for n in range(1, 201))
    messages = queue_messages(2, text_body=long_body)
    queue_messages(1, to_name="", subject="ASCII subject", text_body="plain ascii body\n")

    assert deliver_due() == 3

    mail_dir = Path(app.config["MAIL_DEV_DIR"])
    files = sorted(mail_dir.glob("*.eml"))
    assert len(files) == 3
    assert list(mail_dir.glob("*.tmp")) == []  # written then renamed; nothing half-written left
    parsed = {}
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        parsed[message["Message-ID"]] = message

    rows = outbox()
    assert set(parsed) == {row.message_id for row in rows}
    for row in rows:
        assert row.status == OutboxStatus.SENT
        assert row.sent_at == NOW
        assert row.attempts == 0
        assert row.claimed_until is None
    for original in messages:
        message = parsed[original.message_id]
        assert message["Subject"] == original.subject  # RFC 2047 decodes back to the Japanese
        [recipient] = message["To"].addresses
        assert recipient.display_name == original.to_name
        assert recipient.addr_spec == original.to_addr
        body = message.get_body(preferencelist=("plain",))
        assert body.get_content_type() == "text/plain"
        assert body.get_content().replace("\r\n", "\n") == long_body
    # Nothing is delivered twice.
    assert deliver_due() == 0
    assert len(list(mail_dir.glob("*.eml"))) == 3


def test_dev_mailbox_keeps_a_registration_mail_with_its_japanese_subject_and_both_parts(
    app, make_event, make_registration, outbox
):
    event = make_event(title="自治体DXセミナー")
    registration = make_registration(event, name="鈴木 一郎", email="ichiro@city.example.jp")

    assert deliver_due() == 1

    [path] = Path(app.config["MAIL_DEV_DIR"]).glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["Subject"] == "【お申し込み完了】自治体DXセミナー"
    [recipient] = message["To"].addresses
    assert (recipient.display_name, recipient.addr_spec) == ("鈴木 一郎", "ichiro@city.example.jp")
    plain = message.get_body(preferencelist=("plain",)).get_content()
    assert "鈴木 一郎 様" in plain
    assert registration.manage_token in plain
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "自治体DXセミナー" in html
    [row] = outbox()
    assert row.status == OutboxStatus.SENT
    assert message["Message-ID"] == row.message_id


def test_a_registration_queues_exactly_one_mail_in_the_same_commit(
    app, make_event, make_registration, outbox
):
    event = make_event(title="自治体DXセミナー")
    commits = []

    def count_commit(session):
        commits.append(session)

    session = db.session()
    sa_event.listen(session, "after_commit", count_commit)
    try:
        registration = make_registration(event, email="hanako@city.example.jp")
    finally:
        sa_event.remove(session, "after_commit", count_commit)

    assert len(commits) == 1
    [row] = outbox()
    assert row.to_addr == "hanako@city.example.jp"
    assert row.to_name == registration.name
    assert row.category == "registration_received"
    assert row.subject == "【お申し込み完了】自治体DXセミナー"
    assert row.status == OutboxStatus.QUEUED
    assert row.next_attempt_at == NOW


def test_a_refused_registration_queues_no_mail(app, make_event, make_registration, outbox):
    event = make_event(registration_closes_at=NOW - timedelta(hours=1))
    with pytest.raises(RegistrationClosed):
        make_registration(event)
    db.session.rollback()
    assert count(Registration) == 0
    assert outbox() == []


def test_a_registration_that_fails_after_queueing_its_mail_leaves_no_mail(
    app, make_event, make_registration, outbox, monkeypatch
):
    """The mail is added to the sign-up's transaction, so a rollback takes it away too."""
    real_notify = signup.notifications.notify_registration_received
    seen_in_transaction = []

    def notify_then_fail(registration, **kwargs):
        real_notify(registration, **kwargs)
        db.session.flush()
        seen_in_transaction.append(count(OutboxMessage))
        raise RuntimeError("database went away after the mail was queued")

    monkeypatch.setattr(signup.notifications, "notify_registration_received", notify_then_fail)
    event = make_event()
    with pytest.raises(RuntimeError):
        make_registration(event)
    db.session.rollback()

    assert seen_in_transaction == [1]
    assert count(Registration) == 0
    assert outbox() == []
