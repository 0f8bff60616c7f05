"""The IMAP door: bounces and calendar replies delivered to a mailbox elsewhere are taken from it
(through a small IMAP server on loopback), recorded once, and removed; an unreachable server or
a wrong password only ends the round."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.inbound.cli import take_message
from app.inbound.imap import poll_mailbox
from app.inbound.models import MailBounce
from app.registrations.models import RegistrationStatus
from tests.inbound.conftest import ORGANIZER, inbound_mail
from tests.inbound.fake_imap import FakeImapServer
from tests.mail.conftest import free_port

ADDRESS = "taro@city.example.jp"


@pytest.fixture
def imap(app):
    server = FakeImapServer().start()
    app.config.update(
        INBOUND_IMAP_HOST="127.0.0.1",
        INBOUND_IMAP_PORT=server.port,
        INBOUND_IMAP_SSL=False,
        INBOUND_IMAP_USERNAME=server.mailbox.username,
        INBOUND_IMAP_PASSWORD=server.mailbox.password,
    )
    yield server
    server.stop()


def poll(app) -> int:
    db.session.commit()
    taken = poll_mailbox(app, take_message)
    db.session.expire_all()
    return taken


def bounces() -> int:
    return db.session.scalar(select(func.count()).select_from(MailBounce))


def delivered_to(raw: bytes, address: str) -> bytes:
    """As a mailbox keeps it: the envelope recipient in Delivered-To."""
    return f"Delivered-To: {address}\r\n".encode() + raw


def test_bounces_and_replies_in_the_mailbox_are_taken_once_and_removed(
    app, imap, make_event, make_registration, deliver
):
    event = make_event(capacity=1)
    first = make_registration(event, email=ADDRESS)
    second = make_registration(event, email="hanako@town.example.jp")
    received = deliver()
    confirmation = next(r for r in received.values() if r.rcpt_tos == [ADDRESS])
    raw = inbound_mail(
        "dsn_postfix_hard.eml",
        RETURN_PATH=confirmation.mail_from,
        RECIPIENT=ADDRESS,
        MESSAGE_ID=confirmation.message_id,
    )
    imap.mailbox.add(delivered_to(raw, confirmation.mail_from))
    imap.mailbox.add(delivered_to(raw, confirmation.mail_from))  # delivered twice
    imap.mailbox.add(inbound_mail("ooo_japanese.eml", RETURN_PATH="x", RECIPIENT=ADDRESS))
    imap.mailbox.add(
        delivered_to(
            inbound_mail(
                "reply_outlook_declined.eml",
                UID=f"registration-{first.id}@reskilling.example.jp",
                SEQUENCE=str(first.calendar_sequence),
                ATTENDEE=ADDRESS,
                ORGANIZER=ORGANIZER,
            ),
            ORGANIZER,
        )
    )
    assert poll(app) == 4
    assert imap.mailbox.messages == []
    assert bounces() == 1
    assert first.status == RegistrationStatus.CANCELLED
    assert second.status == RegistrationStatus.CONFIRMED
    imap.mailbox.add(delivered_to(raw, confirmation.mail_from))  # again, after a restart
    assert poll(app) == 1
    assert bounces() == 1


def test_an_empty_mailbox_is_a_quiet_round(app, imap):
    assert poll(app) == 0
    assert imap.mailbox.logins == 1


def test_a_wrong_password_or_no_server_only_ends_the_round(app, imap):
    imap.mailbox.add(b"Subject: x\r\n\r\n")
    app.config["INBOUND_IMAP_PASSWORD"] = "wrong"
    assert poll(app) == 0
    app.config["INBOUND_IMAP_PORT"] = free_port()
    assert poll(app) == 0
    assert len(imap.mailbox.messages) == 1


def test_without_an_imap_host_nothing_is_polled(app):
    assert app.config["INBOUND_IMAP_HOST"] == ""
    assert poll(app) == 0
