"""Calendar replies (METHOD:REPLY) as Outlook, Google and Apple Calendar send them, over SMTP to
our ORGANIZER address: a decline cancels the registration, gives the seat to the waitlist and
mails both; accepting is recorded and shown; anything that does not match is ignored."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.extensions import db
from app.inbound.models import CalendarReply
from app.registrations.models import RegistrationStatus
from tests.conftest import sign_in
from tests.inbound.conftest import ORGANIZER, inbound_mail

DOMAIN = "reskilling.example.jp"  # PUBLIC_BASE_URL's host: the right-hand side of every UID


@pytest.fixture
def full_event(make_event, make_registration, deliver):
    """One seat: A holds it, B waits; both mails delivered."""
    event = make_event(capacity=1)
    first = make_registration(event, email="taro@city.example.jp")
    second = make_registration(event, email="hanako@town.example.jp")
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    deliver()
    return event, first, second


def reply(name: str, registration, **values) -> bytes:
    fields = {
        "UID": f"registration-{registration.id}@{DOMAIN}",
        "SEQUENCE": str(registration.calendar_sequence or 0),
        "ATTENDEE": registration.email,
        "ORGANIZER": ORGANIZER,
    }
    fields.update(values)
    return inbound_mail(name, **fields)


def replies() -> int:
    return db.session.scalar(select(func.count()).select_from(CalendarReply))


def test_the_invite_names_the_organizer_address_the_listener_takes(full_event, smtp_server):
    _, first, _ = full_event
    [confirmation] = [r for r in smtp_server.received if r.rcpt_tos == [first.email]]
    calendar = confirmation.message.get_body(("calendar",)).get_content()
    assert f"mailto:{ORGANIZER}" in calendar.replace("\r\n ", "")


@pytest.mark.parametrize("name", ["reply_outlook_declined.eml", "reply_google_declined.eml"])
def test_a_decline_cancels_promotes_the_next_and_mails_both(
    full_event, inbound, deliver, smtp_server, name
):
    _, first, second = full_event
    already = len(smtp_server.received)
    inbound.send(reply(name, first), ORGANIZER, mail_from=first.email)
    assert first.status == RegistrationStatus.CANCELLED
    assert second.status == RegistrationStatus.CONFIRMED
    deliver()
    mailed = {r.rcpt_tos[0]: r.message for r in smtp_server.received[already:]}
    assert set(mailed) == {first.email, second.email}
    assert "キャンセル受付" in mailed[first.email]["Subject"]
    assert "METHOD:CANCEL" in mailed[first.email].get_body(("calendar",)).get_content()
    assert "繰り上がりました" in mailed[second.email]["Subject"]
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "registration.cancel_by_calendar_reply")
    )
    assert entry.target == f"registration:{first.id}"
    assert entry.detail == {"promoted": [second.id], "via": "system"}


def test_the_same_decline_twice_or_after_a_restart_acts_once(full_event, inbound, deliver):
    _, first, second = full_event
    raw = reply("reply_outlook_declined.eml", first)
    inbound.send(raw, ORGANIZER)
    inbound.stop()
    inbound.start()
    inbound.send(raw, ORGANIZER)
    assert replies() == 1
    assert first.status == RegistrationStatus.CANCELLED
    assert second.status == RegistrationStatus.CONFIRMED
    cancellations = db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "registration.cancel_by_calendar_reply")
    )
    assert cancellations == 1


@pytest.mark.parametrize(
    ("name", "partstat", "label"),
    [
        ("reply_apple_accepted.eml", "ACCEPTED", "承諾"),
        ("reply_google_tentative.eml", "TENTATIVE", "仮承諾"),
    ],
)
def test_accepting_is_recorded_and_shown_in_the_console(
    full_event, inbound, client, make_organizer, name, partstat, label
):
    _, first, second = full_event
    inbound.send(reply(name, first), ORGANIZER)
    assert first.status == RegistrationStatus.CONFIRMED
    assert second.status == RegistrationStatus.WAITLISTED
    [row] = db.session.scalars(select(CalendarReply)).all()
    assert (row.registration_id, row.partstat) == (first.id, partstat)
    sign_in(client, make_organizer())
    page = client.get(f"/admin/registrations/{first.id}").get_data(as_text=True)
    assert "カレンダーからの返答" in page and label in page
    assert "メールの配信状況" in page


@pytest.mark.parametrize(
    "changes",
    [
        {"UID": f"registration-999999@{DOMAIN}"},  # no such registration
        {"UID": "registration-1@elsewhere.example.jp"},  # not our UID
        {"UID": "040000008200E00074C5B7101A82E008"},  # someone else's meeting
        {"ATTENDEE": "someone.else@city.example.jp"},
    ],
)
def test_replies_that_do_not_match_are_ignored(full_event, inbound, changes):
    _, first, second = full_event
    inbound.send(reply("reply_outlook_declined.eml", first, **changes), ORGANIZER)
    assert replies() == 0
    assert (first.status, second.status) == ("confirmed", "waitlisted")


def test_a_reply_from_another_sender_is_ignored(full_event, inbound):
    _, first, _ = full_event
    raw = reply("reply_outlook_declined.eml", first).replace(
        f"<{first.email}>".encode(), b"<intruder@example.jp>", 1
    )
    inbound.send(raw, ORGANIZER)
    assert replies() == 0 and first.status == RegistrationStatus.CONFIRMED


def test_a_reply_to_an_older_invite_is_ignored(full_event, inbound):
    _, first, _ = full_event
    first.next_calendar_sequence()  # an update was mailed since
    db.session.commit()
    inbound.send(reply("reply_outlook_declined.eml", first, SEQUENCE="0"), ORGANIZER)
    assert replies() == 0 and first.status == RegistrationStatus.CONFIRMED


def test_a_decline_for_a_cancelled_registration_changes_nothing(full_event, inbound):
    _, first, second = full_event
    first.status = RegistrationStatus.CANCELLED
    db.session.commit()
    inbound.send(reply("reply_google_declined.eml", first), ORGANIZER)
    assert second.status == RegistrationStatus.WAITLISTED


def test_a_broken_calendar_part_is_dropped(full_event, inbound):
    _, first, _ = full_event
    # Both copies (inline and attached) cut short; one whole copy would be enough to act on.
    raw = reply("reply_google_declined.eml", first).replace(b"END:VCALENDAR", b"")
    inbound.send(raw, ORGANIZER)
    assert first.status == RegistrationStatus.CONFIRMED
    whole = reply("reply_google_declined.eml", first)
    damaged = whole.replace(b"DTSTAMP:20260907T010405Z", b"DTSTAMP:notadate")
    inbound.send(damaged.replace(b"SEQUENCE:0", b"SEQUENCE:many"), ORGANIZER)
    assert first.status == RegistrationStatus.CONFIRMED and replies() == 0


def test_declining_one_parts_entry_is_recorded_without_cancelling(full_event, inbound):
    _, first, second = full_event
    uid = f"registration-{first.id}-part-7@{DOMAIN}"
    inbound.send(reply("reply_google_declined.eml", first, UID=uid), ORGANIZER)
    [row] = db.session.scalars(select(CalendarReply)).all()
    assert row.partstat == "DECLINED"
    assert (first.status, second.status) == ("confirmed", "waitlisted")
