"""The invite mailed with a confirmation, as calendars and mail clients will read it; the
waitlist gets none until promoted, and a cancellation withdraws the same entry."""

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import vobject

from app import clock
from app.audit.actor import SYSTEM
from app.extensions import db
from app.mail.dkim import message_bytes
from app.registrations.event_changes import cancel_event, change_event
from app.registrations.models import RegistrationStatus
from app.registrations.signup import cancel_registration, resend_confirmation
from tests.calendar.icalcheck import (
    BASE_URL,
    DOMAIN,
    MEETING_HOST,
    invite_of,
    only_vevent,
    outbox,
    parse,
    tzid,
    utc,
)
from tests.event_edits import as_input

STARTS = datetime(2026, 8, 31, 1, 0, tzinfo=UTC)  # 2026年8月31日(月) 10:00 JST
ENDS = datetime(2026, 8, 31, 3, 0, tzinfo=UTC)


def hybrid_event(make_event, **fields):
    return make_event(
        title="リスキリング推進セミナー",
        starts_at=STARTS,
        ends_at=ENDS,
        format="hybrid",
        venue="鳥取県庁 第1会議室",
        **fields,
    )


def test_confirmation_mail_carries_a_complete_request_invite(make_event, make_registration):
    event = hybrid_event(make_event)
    registration = make_registration(event, name="山田 花子", email="hanako@city.example.jp")
    [mail] = outbox("registration_received")
    assert mail.calendar_method == "REQUEST"

    calendar = invite_of(mail)
    assert calendar.prodid.value
    assert calendar.version.value == "2.0"
    assert calendar.method.value == "REQUEST"
    [timezone] = calendar.contents["vtimezone"]
    assert timezone.tzid.value == "Asia/Tokyo"

    vevent = only_vevent(calendar)
    assert vevent.uid.value == f"registration-{registration.id}@{DOMAIN}"
    assert int(vevent.sequence.value) == 0
    assert utc(vevent.dtstamp.value) == clock.now()
    assert tzid(vevent.dtstart) == "Asia/Tokyo" and tzid(vevent.dtend) == "Asia/Tokyo"
    assert utc(vevent.dtstart.value) == event.starts_at == STARTS
    assert utc(vevent.dtend.value) == event.ends_at == ENDS
    assert vevent.summary.value == "リスキリング推進セミナー"
    description = vevent.description.value
    assert f"{BASE_URL}/r/{registration.manage_token}" in description
    assert f"{BASE_URL}/j/{registration.join_token}" in description
    assert "鳥取県庁 第1会議室" in vevent.location.value
    assert vevent.url.value == f"{BASE_URL}/events/{event.slug}"
    assert vevent.organizer.value.lower().startswith("mailto:")
    assert vevent.organizer.params["CN"][0]
    assert vevent.attendee.value.lower() == "mailto:hanako@city.example.jp"
    assert vevent.attendee.params["CN"] == ["山田 花子"]
    assert vevent.attendee.params["PARTSTAT"] == ["ACCEPTED"]
    assert vevent.attendee.params["ROLE"] == ["REQ-PARTICIPANT"]
    assert vevent.attendee.params["RSVP"] == ["FALSE"]
    assert vevent.status.value == "CONFIRMED"
    [alarm] = vevent.contents["valarm"]
    assert alarm.action.value == "DISPLAY"
    assert alarm.trigger.value.total_seconds() < 0


def test_built_mime_message_has_inline_request_attachment_and_plain_text_with_links(
    app, make_event, make_registration
):
    event = hybrid_event(make_event)
    registration = make_registration(event)
    [row] = outbox("registration_received")

    message = message_from_bytes(message_bytes(row), policy=policy.default)
    [alternative] = [p for p in message.walk() if p.get_content_type() == "multipart/alternative"]
    inner = [p.get_content_type() for p in alternative.iter_parts()]
    assert "text/plain" in inner and "text/calendar" in inner
    [calendar_part] = [
        p for p in alternative.iter_parts() if p.get_content_type() == "text/calendar"
    ]
    assert calendar_part.get_param("method") == "REQUEST"
    inline = vobject.readOne(calendar_part.get_content())
    assert inline.method.value == "REQUEST"
    assert inline.vevent.uid.value == f"registration-{registration.id}@{DOMAIN}"
    assert MEETING_HOST not in calendar_part.get_content()

    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_disposition() == "attachment"
    attached = attachment.get_payload(decode=True)
    assert attached == row.calendar_body.encode()
    assert only_vevent(parse(attached)).uid.value == inline.vevent.uid.value

    [plain] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    text = plain.get_content()
    assert MEETING_HOST not in message.as_string()
    assert "2026年8月31日(月)" in text
    assert f"{BASE_URL}/r/{registration.manage_token}/invite.ics" in text
    assert f"{BASE_URL}/j/{registration.join_token}" in text


def test_waitlisted_mail_has_no_invite_and_promotion_and_cancellation_send_matching_calendars(
    make_event, make_registration
):
    event = hybrid_event(make_event, capacity=1)
    first = make_registration(event, email="first@city.example.jp")
    second = make_registration(event, email="second@city.example.jp")
    assert second.status == RegistrationStatus.WAITLISTED

    [waitlist_mail] = outbox("registration_received", to="second@city.example.jp")
    assert waitlist_mail.calendar_method is None and waitlist_mail.calendar_body is None
    assert "/invite.ics" not in waitlist_mail.text_body
    assert "/j/" not in waitlist_mail.text_body
    [first_mail] = outbox("registration_received", to="first@city.example.jp")
    first_invite = only_vevent(invite_of(first_mail))

    cancel_registration(first.manage_token, clock.now())
    db.session.commit()

    [promoted] = outbox("registration_promoted")
    assert promoted.to_addr == "second@city.example.jp"
    assert promoted.calendar_method == "REQUEST"
    promoted_invite = only_vevent(invite_of(promoted))
    assert promoted_invite.uid.value == f"registration-{second.id}@{DOMAIN}"
    assert int(promoted_invite.sequence.value) == 0
    assert promoted_invite.status.value == "CONFIRMED"
    assert f"/j/{second.join_token}" in promoted_invite.description.value
    assert f"/r/{second.manage_token}/invite.ics" in promoted.text_body

    [cancelled] = outbox("registration_cancelled")
    assert cancelled.to_addr == "first@city.example.jp"
    assert cancelled.calendar_method == "CANCEL"
    withdrawal = invite_of(cancelled)
    assert withdrawal.method.value == "CANCEL"
    withdrawn = only_vevent(withdrawal)
    assert withdrawn.status.value == "CANCELLED"
    assert withdrawn.uid.value == first_invite.uid.value
    assert int(withdrawn.sequence.value) > int(first_invite.sequence.value)
    assert withdrawn.attendee.value.lower() == "mailto:first@city.example.jp"
    assert "valarm" not in withdrawn.contents


def test_cancelling_a_waitlisted_place_sends_no_calendar(make_event, make_registration):
    event = hybrid_event(make_event, capacity=1)
    make_registration(event)
    waiting = make_registration(event, email="waiting@city.example.jp")
    cancel_registration(waiting.manage_token, clock.now())
    db.session.commit()
    [cancelled] = outbox("registration_cancelled", to="waiting@city.example.jp")
    assert cancelled.calendar_body is None
    assert outbox("registration_promoted") == []


def test_an_english_registrants_updated_invite_is_written_in_english_like_the_mail(
    make_event, make_registration
):
    event = make_event()
    make_registration(event, email="en@city.example.jp", locale="en")
    day = timedelta(days=1)
    change_event(
        event.id,
        as_input(event, starts_at=event.starts_at + day, ends_at=event.ends_at + day),
        actor=SYSTEM,
    )
    db.session.commit()
    [mail] = outbox("event_changed")
    assert "Tue 1 September 2026" in mail.text_body
    description = only_vevent(invite_of(mail)).description.value
    assert "Tue 1 September 2026" in description
    assert "2026年9月1日" not in description


def test_resending_the_confirmation_of_a_cancelled_event_does_not_claim_a_confirmed_seat(
    make_event, make_registration
):
    event = make_event()
    registration = make_registration(event, email="resend@city.example.jp")
    cancel_event(event.id, actor=SYSTEM)
    db.session.commit()
    before = len(outbox())
    resend_confirmation(event.id, "resend@city.example.jp")
    db.session.commit()
    for mail in outbox()[before:]:
        assert not mail.subject.startswith("【お申し込み完了】")
        assert f"/j/{registration.join_token}" not in mail.text_body
        assert mail.calendar_method in (None, "CANCEL")
