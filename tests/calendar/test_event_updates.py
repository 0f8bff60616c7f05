"""An organizer's edit moves every attendee's calendar entry (same UID, higher SEQUENCE); a
cancellation removes it; edits that do not touch the calendar send nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.actor import SYSTEM
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.registrations.event_changes import cancel_event, change_event
from app.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.calendar.icalcheck import invite_of, only_vevent, outbox, utc
from tests.event_edits import as_input

ATTENDEES = 200


def sign_up_many(event, count: int, prefix: str = "person") -> list[Registration]:
    """`count` sign-ups through the service, committed once."""
    registrations = [
        factories.make_registration(event, email=f"{prefix}{n}@city.example.jp", commit=False)
        for n in range(count)
    ]
    db.session.commit()
    return registrations


def test_time_change_mails_every_confirmed_attendee_an_update_and_cancellation_a_cancel(
    make_event,
):
    event = make_event(capacity=ATTENDEES)
    sign_up_many(event, ATTENDEES)
    waiting = sign_up_many(event, 2, prefix="waiting")
    assert {r.status for r in waiting} == {RegistrationStatus.WAITLISTED}
    original_uid = {
        mail.to_addr: only_vevent(invite_of(mail)).uid.value
        for mail in outbox("registration_received")
        if mail.calendar_body
    }
    assert len(original_uid) == ATTENDEES and len(set(original_uid.values())) == ATTENDEES

    new_start = event.starts_at + timedelta(days=7, hours=4)
    new_end = new_start + timedelta(hours=3)
    assert (
        change_event(
            event.id, as_input(event, starts_at=new_start, ends_at=new_end), actor=SYSTEM
        ).mailed
        == ATTENDEES
    )
    db.session.commit()

    changed = outbox("event_changed")
    assert len(changed) == ATTENDEES
    assert {mail.to_addr for mail in changed} == set(original_uid)
    for mail in changed:
        assert mail.calendar_method == "REQUEST"
        vevent = only_vevent(invite_of(mail))
        assert vevent.uid.value == original_uid[mail.to_addr]
        assert int(vevent.sequence.value) == 1
        assert utc(vevent.dtstart.value) == new_start
        assert utc(vevent.dtend.value) == new_end
        assert vevent.status.value == "CONFIRMED"
    assert db.session.get(Event, event.id).sequence == 1

    assert cancel_event(event.id, actor=SYSTEM) == ATTENDEES + len(waiting)
    db.session.commit()

    notices = outbox("event_cancelled")
    assert len(notices) == ATTENDEES + len(waiting)
    cancels = [mail for mail in notices if mail.calendar_body]
    assert len(cancels) == ATTENDEES
    for mail in cancels:
        assert mail.calendar_method == "CANCEL"
        vevent = only_vevent(invite_of(mail))
        assert vevent.status.value == "CANCELLED"
        assert vevent.uid.value == original_uid[mail.to_addr]
        assert int(vevent.sequence.value) == 2
    waitlist_notices = [mail for mail in notices if not mail.calendar_body]
    assert {mail.to_addr for mail in waitlist_notices} == {r.email for r in waiting}
    assert all(mail.calendar_method is None for mail in waitlist_notices)
    assert db.session.get(Event, event.id).sequence == 2
    assert cancel_event(event.id, actor=SYSTEM) == 0  # cancelling twice mails nobody again


def test_description_only_change_queues_nothing_and_keeps_the_sequence(
    make_event, make_registration
):
    event = make_event()
    make_registration(event)
    before = len(outbox())

    assert (
        change_event(
            event.id, as_input(event, description="資料を追加しました。"), actor=SYSTEM
        ).mailed
        == 0
    )
    db.session.commit()

    assert len(outbox()) == before
    event = db.session.get(Event, event.id)
    assert event.description == "資料を追加しました。"
    assert event.sequence == 0


def test_time_change_without_notify_raises_the_sequence_but_queues_nothing(
    make_event, make_registration
):
    event = make_event()
    registration = make_registration(event)
    before = len(outbox())

    moved = event.starts_at + timedelta(hours=1)
    assert (
        change_event(event.id, as_input(event, starts_at=moved), notify=False, actor=SYSTEM).mailed
        == 0
    )
    db.session.commit()

    assert len(outbox()) == before
    event = db.session.get(Event, event.id)
    assert event.sequence == 1
    assert event.starts_at == moved
    registration = db.session.scalar(select(Registration).where(Registration.id == registration.id))
    assert registration.calendar_sequence == 0  # nothing more was sent to the attendee


def test_unchanged_values_are_not_a_change(make_event, make_registration):
    event = make_event()
    make_registration(event)
    before = len(outbox())
    same = as_input(event, starts_at=event.starts_at, ends_at=event.ends_at, title=event.title)
    assert change_event(event.id, same, actor=SYSTEM).mailed == 0
    db.session.commit()
    assert len(outbox()) == before
    assert db.session.get(Event, event.id).sequence == 0


def test_a_change_that_puts_the_end_before_the_start_is_refused(make_event, make_registration):
    event = make_event()
    make_registration(event)
    before = len(outbox())
    with pytest.raises((DomainError, ValueError)):
        change_event(
            event.id, as_input(event, starts_at=event.ends_at + timedelta(days=1)), actor=SYSTEM
        )
    db.session.rollback()
    assert len(outbox()) == before
