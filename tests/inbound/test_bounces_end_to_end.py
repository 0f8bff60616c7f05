"""A mail delivered through a real SMTP server, then bounced back over SMTP to our listener at
its return path: the address shows as bounced in the API and bulk mail skips it; the same bounce
twice, or after a restart, counts once; an out-of-office reply changes nothing."""

import smtplib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.announcements.audience import resolve_audience
from app.announcements.inputs import MEMBERS
from app.audit.models import AuditEntry
from app.extensions import db
from app.inbound.models import MailBounce
from app.mail.suppression import suppressed
from app.members.consent import CURRENT_VERSION
from app.members.models import Member, MemberStatus
from app.organizations.services import resolve_organization
from tests.inbound.conftest import ORGANIZER, inbound_mail

ADDRESS = "taro@city.example.jp"


def add_member(address: str) -> Member:
    org = resolve_organization("鳥取県")
    member = Member(
        email=address,
        name="山田 太郎",
        organization_code=org.code,
        organization_name=org.name,
        status=MemberStatus.ACTIVE,
        consent_at=clock.now(),
        consent_version=CURRENT_VERSION,
    )
    db.session.add(member)
    db.session.commit()
    return member


@pytest.fixture
def delivered(make_event, make_registration, deliver):
    """A confirmation delivered to ADDRESS: (registration, what the server received)."""
    registration = make_registration(make_event(), email=ADDRESS)
    [(_, received)] = deliver().items()
    return registration, received


def bounce_count(email: str = ADDRESS) -> int:
    return db.session.scalar(
        select(func.count()).select_from(MailBounce).where(MailBounce.email == email)
    )


def dsn(name: str, received) -> bytes:
    return inbound_mail(
        name,
        RETURN_PATH=received.mail_from,
        RECIPIENT=ADDRESS,
        MESSAGE_ID=received.message_id,
    )


def test_a_hard_bounce_marks_the_address_bounced_and_keeps_bulk_mail_away(
    delivered, inbound, api_get
):
    registration, received = delivered
    member = add_member(ADDRESS)
    other = add_member("hanako@town.example.jp")
    before = api_get(f"/api/v1/registrations/{registration.id}")
    assert (before["email_status"], before["email_status_reason"]) == ("ok", None)

    inbound.send(dsn("dsn_postfix_hard.eml", received), received.mail_from)

    document = api_get(f"/api/v1/registrations/{registration.id}")
    assert document["email_status"] == "bounced"
    assert "5.1.1" in document["email_status_reason"]
    assert api_get(f"/api/v1/members/{member.id}")["email_status"] == "bounced"
    assert api_get(f"/api/v1/members/{other.id}")["email_status"] == "ok"
    assert suppressed({ADDRESS, other.email}) == {ADDRESS}
    audience = [r.email for r in resolve_audience({"kind": MEMBERS})]
    assert audience == [other.email]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mail.bounce"))
    assert entry.detail["via"] == "system" and entry.detail["suppressed"] is True


def test_the_same_bounce_twice_and_after_a_restart_is_recorded_once(delivered, inbound):
    _, received = delivered
    raw = dsn("dsn_postfix_hard.eml", received)
    inbound.send(raw, received.mail_from)
    inbound.send(raw, received.mail_from)
    inbound.stop()
    inbound.start()
    inbound.send(raw, received.mail_from)
    # Another relay's copy of the same news, with its own Message-ID, is the same bounce.
    inbound.send(dsn("qmail_plain.eml", received), received.mail_from)
    assert bounce_count() == 1


@pytest.mark.parametrize("name", ["qmail_plain.eml", "exchange_plain.eml"])
def test_plain_text_bounces_at_the_return_path_count(delivered, inbound, api_get, name):
    registration, received = delivered
    inbound.send(dsn(name, received), received.mail_from)
    assert api_get(f"/api/v1/registrations/{registration.id}")["email_status"] == "bounced"


@pytest.mark.parametrize("name", ["ooo_japanese.eml", "ooo_vacation.eml"])
def test_an_out_of_office_reply_changes_nothing(delivered, inbound, api_get, name):
    registration, received = delivered
    inbound.send(dsn(name, received), received.mail_from, mail_from=ADDRESS)
    assert bounce_count() == 0
    assert api_get(f"/api/v1/registrations/{registration.id}")["email_status"] == "ok"
    assert suppressed({ADDRESS}) == set()


def test_a_delay_is_a_soft_bounce_and_repeated_ones_suppress(
    make_event, make_registration, deliver, inbound, api_get, frozen_now
):
    first = make_registration(make_event(), email=ADDRESS)
    deliveries = []
    for days in range(3):
        frozen_now(clock.now() + timedelta(days=days))
        make_registration(make_event(), email=ADDRESS)
    deliveries = list(deliver().values())
    assert len(deliveries) == 4
    inbound.send(dsn("dsn_delayed.eml", deliveries[0]), deliveries[0].mail_from)
    document = api_get(f"/api/v1/registrations/{first.id}")
    assert document["email_status"] == "soft_bounce"
    assert "4.2.2" in document["email_status_reason"]
    # Every "still trying" notice about that one message is the same soft bounce.
    inbound.send(dsn("dsn_delayed.eml", deliveries[0]), deliveries[0].mail_from)
    assert bounce_count() == 1 and suppressed({ADDRESS}) == set()
    for received in deliveries[1:3]:
        inbound.send(dsn("dsn_delayed.eml", received), received.mail_from)
    assert bounce_count() == 3
    assert suppressed({ADDRESS}) == {ADDRESS}  # SOFT_BOUNCE_LIMIT (3) within SOFT_BOUNCE_DAYS
    assert api_get(f"/api/v1/registrations/{first.id}")["email_status"] == "bounced"


def test_old_soft_bounces_do_not_add_up(
    make_event, make_registration, deliver, inbound, frozen_now
):
    for _ in range(3):
        make_registration(make_event(), email=ADDRESS)
    deliveries = list(deliver().values())
    for received in deliveries:
        inbound.send(dsn("dsn_delayed.eml", received), received.mail_from)
        frozen_now(clock.now() + timedelta(days=10))
    assert bounce_count() == 3
    assert suppressed({ADDRESS}) == set()


def test_a_bounce_without_return_path_is_tied_by_the_returned_message_id(delivered, inbound):
    _, received = delivered
    raw = inbound_mail(
        "dsn_postfix_hard.eml",
        RETURN_PATH="no-reply@localhost",
        RECIPIENT=ADDRESS,
        MESSAGE_ID=received.message_id,
    )
    inbound.send(raw, ORGANIZER)
    assert bounce_count() == 1


def test_a_bounce_about_a_message_we_never_sent_is_dropped(delivered, inbound):
    _, received = delivered
    raw = inbound_mail(
        "dsn_postfix_hard.eml",
        RETURN_PATH="x@example.jp",
        RECIPIENT=ADDRESS,
        MESSAGE_ID="<forged@example.jp>",
    )
    inbound.send(raw, ORGANIZER)
    assert bounce_count() == 0


def test_unknown_and_forged_recipients_are_refused_at_rcpt(delivered, inbound):
    _, received = delivered
    raw = dsn("dsn_postfix_hard.eml", received)
    local, _, domain = received.mail_from.partition("@")
    forged = f"{local[:-1]}{'1' if local[-1] == '0' else '0'}@{domain}"
    for address in (forged, "someone@bounce.reskilling.example.jp", "postmaster@example.jp"):
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            inbound.send(raw, address)
    assert bounce_count() == 0


def test_garbage_over_smtp_is_accepted_and_dropped(delivered, inbound):
    _, received = delivered
    for raw in (b"\x00\x01\x02", b"Content-Type: multipart/report; boundary=\r\n\r\n--\r\n"):
        inbound.send(raw, received.mail_from)
    assert bounce_count() == 0
    inbound.send(dsn("dsn_postfix_hard.eml", received), received.mail_from)  # still listening
    assert bounce_count() == 1
